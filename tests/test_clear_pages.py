"""Pages a reader understands at a glance (issue 16, a second reader look): each fact said once where it is
first needed, lists in the order they look to be in, the update log by kind, and the typography of the
writer's plain text the same as their Markdown's. Each test builds a small story and reads the real pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from browser import browser_page
from bs4 import BeautifulSoup, Tag
from conftest import BuiltSite, resolve

from explainer.build import build

BASE_URL = "https://news.example.org/harbour/"
LONG_CLAIM = (
    "The bridge was inspected every spring and no inspector ever found a crack in its piers, "
    "so the closure was not needed at all."
)

STORY: dict[str, str] = {
    "explainer.yml": f"base_url: {BASE_URL}\n",
    "content/story.md": "---\ntitle: The harbour's bridge\nsummary: What the council's \"safety\" vote means.\n"
    "published: 2024-01-02\n---\n[[Ann Lee]] and [[Bob Stone]] disagree.\n",
    "content/people/ann-lee.md": "---\nname: Ann Lee\nrole: The city's engineer\nsources: [report-b]\n---\n",
    "content/people/bob-stone.md": "---\nname: Bob Stone\nrole: Mayor\ncorrections:\n  - date: 2024-05-05\n"
    "    text: An earlier version called him the deputy mayor.\n---\n",
    "content/people/residents.md": "---\nname: Harbour residents\nkind: group\nrole: Neighbours of the bridge\n---\n",
    "content/events/inspection.md": "---\ntitle: The spring inspection\nsummary: Engineers checked the piers.\n"
    "date: 2024-03-01\npeople: [ann-lee]\nsources: [report-b]\n---\n",
    "content/events/closure.md": "---\ntitle: The bridge closes\ndate: 2024-04-02\npeople: [bob-stone]\n"
    "sources: [report-c]\n---\n",
    "content/claims/bridge-safe.md": f"---\nclaim: {LONG_CLAIM}\nby: [ann-lee, bob-stone]\nstatus: supported\n"
    "sources: [report-b]\nstatus_history:\n  - date: 2024-03-01\n    status: supported\n"
    "    note: The inspection found no cracks.\n    sources: [report-b]\n---\n",
    "content/claims/bridge-unsafe.md": "---\nclaim: The bridge must close at once.\nby: [residents]\n"
    "status: disputed\ndisputes: [bridge-safe]\nsources: [report-c, report-a, report-d]\nstatus_history:\n"
    "  - date: 2024-03-02\n    status: unverified\n  - date: 2024-04-02\n    status: disputed\n---\n",
    # in no order at all: the page lists them by the date it shows
    "content/sources.yml": "- id: report-c\n  title: The closure report\n  publisher: The Harbour Daily Beast\n"
    "  date: 2024-05-01\n"
    "- id: report-a\n  title: Zeta, an undated leaflet\n  note: It gives no date; it was handed out at the bridge.\n"
    "- id: report-b\n  title: The inspection report\n  publisher: AV Club\n  date: 2024-02-01\n"
    "- id: report-d\n  title: Alpha, an undated notice\n"
    "- id: uncited\n  title: A report nobody cites\n  date: 2024-01-01\n",
    "content/updates.yml": "- date: 2024-03-01\n  summary: The spring inspection found no cracks.\n"
    "  about: [events/inspection, people/ann-lee]\n"
    "- date: 2024-06-01\n  summary: '[[Ann Lee]] said the bridge would reopen in July.'\n  about: [people/ann-lee]\n"
    "- date: 2024-06-02\n  summary: We rewrote the page about the closure.\n  minor: true\n",
}

ANN = "people/ann-lee/index.html"


def write(project: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> BuiltSite:
    folder = tmp_path_factory.mktemp("clear")
    return BuiltSite(build(write(folder / "story", STORY), folder / "site", search=False).out)


def words(element: Tag | None) -> str:
    assert element is not None
    return " ".join(element.get_text(" ", strip=True).split())


# --- a claim's page ------------------------------------------------------------------------------------------


def test_a_claim_page_names_its_speakers_once_before_the_quote_each_a_link(site):
    page = site.soup("claims/bridge-safe/index.html")
    kicker = page.select_one("header .attribution")
    assert words(kicker) == "Ann Lee and Bob Stone say"
    assert [resolve("claims/bridge-safe/index.html", a["href"]) for a in kicker.find_all("a")] == [
        ANN,
        "people/bob-stone/index.html",
    ]
    # no "Made by" row repeating the kicker: the facts are when and the verdict
    assert [words(dt) for dt in page.select("header .facts dt")] == ["Status"]
    group = site.soup("claims/bridge-unsafe/index.html").select_one("header .attribution")
    assert words(group) == "Harbour residents say"  # a group says, as people do


def test_one_verdict_is_the_verdict_and_two_are_its_history(site):
    one = site.soup("claims/bridge-safe/index.html").select_one("section.verdicts")
    assert words(one.h2) == "Our rating"
    assert [words(li.select_one(".change-head")) for li in one.select("li")] == ["March 1, 2024 : Supported"]
    assert "The inspection found no cracks." in words(one) and one.select(".change-sources a")
    two = site.soup("claims/bridge-unsafe/index.html").select_one("section.verdicts")
    assert words(two.h2) == "How our rating changed"
    heads = [words(li.select_one(".change-head")) for li in two.select("li")]
    assert heads == ["March 2, 2024 : first rated Unverified", "April 2, 2024 : Unverified → Disputed"]


def test_a_long_claim_has_a_short_tab_title_that_keeps_who_says_it(site):
    page = site.soup("claims/bridge-safe/index.html")
    title = page.title.get_text()
    speakers, rest = title.split(": ", 1)
    claim, site_name = rest.rsplit(" · ", 1)
    assert speakers == "Ann Lee and Bob Stone say" and site_name == "The harbour’s bridge"
    assert claim.endswith("…") and LONG_CLAIM.startswith(claim[:-1]) and len(claim) <= 71
    assert LONG_CLAIM[len(claim) - 1] in " ,"  # cut between words
    # shares and the heading keep the claim whole
    assert page.find("meta", property="og:title")["content"] == (
        f"Ann Lee and Bob Stone say: {LONG_CLAIM} · The harbour’s bridge"
    )
    assert words(page.h1) == f"Ann Lee and Bob Stone say {LONG_CLAIM}"
    short = site.soup("claims/bridge-unsafe/index.html").title.get_text()
    assert short == "Harbour residents say: The bridge must close at once. · The harbour’s bridge"  # not cut


# --- a person's page -----------------------------------------------------------------------------------------


def test_a_persons_updates_leave_out_what_their_events_already_tell(site):
    page = site.soup(ANN)
    events = page.find("h2", string="Events").find_parent("section")
    assert "The spring inspection" in words(events) and "Engineers checked the piers." in words(events)
    # the inspection's update, of the event's own day, is that event's line: not said again under Updates
    updates = page.find(id="updates").find_parent("section")
    assert [time["datetime"] for time in updates.select(".change-head time")] == ["2024-06-01"]
    assert "found no cracks" not in words(updates)
    # nothing is hidden: the update stays on the event's page, in the log and in the person's feed
    assert "found no cracks" in words(site.soup("events/inspection/index.html").find(id="updates").parent)
    assert "found no cracks" in words(site.soup("updates/index.html").main)
    assert "found no cracks" in (site.out / "people/ann-lee/feed.xml").read_text("utf-8")


def test_no_page_links_to_itself(site):
    # an update's words naming the person whose page it is on are plain text there, and a link elsewhere
    updates = site.soup(ANN).find(id="updates").find_parent("section")
    assert "Ann Lee said the bridge would reopen" in words(updates) and not updates.select(".change-text a")
    log = site.soup("updates/index.html")
    assert ANN in [resolve("updates/index.html", a["href"]) for a in log.select(".change-text a")]
    for name in site.site_pages():
        for anchor in site.soup(name).select("main a[href]"):
            if not anchor["href"].startswith("#"):
                assert resolve(name, anchor["href"]) != name, f"{name} links to itself: {anchor}"


# --- the sources page ----------------------------------------------------------------------------------------


def test_sources_are_listed_by_the_date_they_show_and_link_their_citations(site):
    page = site.soup("sources/index.html")
    items = page.select("ol.sources > li")
    # oldest first, as the dates read; the undated after them, by title
    assert [li["id"] for li in items] == [
        "source-uncited",
        "source-report-b",
        "source-report-c",
        "source-report-d",
        "source-report-a",
    ]
    cited = {li["id"]: li.select_one(".cited-by") for li in items}
    assert cited["source-uncited"] is None
    for source, count in (("report-b", 3), ("report-c", 2), ("report-a", 1)):
        link = cited[f"source-{source}"].find("a")  # a count that links, however few pages cite it
        assert words(link) == f"Cited on {count} page{'s' if count > 1 else ''}"
        assert resolve("sources/index.html", link["href"]) == f"sources/cited_{source}/index.html"
        assert (site.out / f"sources/cited_{source}/index.html").is_file()
    assert not page.select("ol.sources ul")  # no list of citing pages spelled out inline
    assert words(items[-1].select_one(".source-note")) == "It gives no date; it was handed out at the bridge."
    # every link to a source lands on its item
    assert site.broken_links() == []


# --- the update log ------------------------------------------------------------------------------------------

LOG_PAGES = {
    "": "updates/index.html",
    "news": "updates/news/index.html",
    "corrections": "corrections/index.html",
    "verdicts": "updates/verdicts/index.html",
}


def test_the_update_log_has_a_page_for_each_kind_of_change(site):
    def kinds(name: str) -> list[str]:
        return [li["class"][1] for li in site.soup(name).select("main > section ol.change-log > li")]

    assert kinds("updates/index.html") == [
        "change-update",
        "change-correction",
        "change-verdict",
        "change-verdict",
        "change-update",
        "change-verdict",
    ]
    assert kinds("updates/news/index.html") == ["change-update", "change-update"]
    assert kinds("updates/verdicts/index.html") == ["change-verdict"] * 3
    # tabs on each page, the corrections page among them: links that need no script, the current one not a link
    for current, name in LOG_PAGES.items():
        tabs = site.soup(name).select_one("nav.change-kinds")
        assert [words(li) for li in tabs.select("li")] == ["All", "News", "Corrections", "Ratings"]
        links = [resolve(name, a["href"]) for a in tabs.select("a")]
        assert links == [page for kind, page in LOG_PAGES.items() if kind != current]
        assert (
            words(tabs.select_one('[aria-current="page"]'))
            == {
                "": "All",
                "news": "News",
                "corrections": "Corrections",
                "verdicts": "Ratings",
            }[current]
        )
    # the year headings stay, with links to jump between them when there are several
    assert [words(h2) for h2 in site.soup("updates/verdicts/index.html").select("main h2")] == ["2024"]


def test_small_changes_to_the_explainer_are_folded_away_from_the_news(site):
    for name in ("updates/index.html", "updates/news/index.html"):
        page = site.soup(name)
        folded = page.select_one("main details.minor-changes")
        assert words(folded.summary) == "1 change to this explainer itself"
        assert "We rewrote the page about the closure." in words(folded)
        assert "We rewrote" not in " ".join(words(s) for s in page.select("main > section"))
    assert not site.soup("updates/verdicts/index.html").select("details.minor-changes")


def test_only_the_whole_log_is_searched_and_in_the_sitemap(site):
    assert site.soup("updates/index.html").main.has_attr("data-pagefind-body")
    sitemap = (site.out / "sitemap.xml").read_text("utf-8")
    assert f"<loc>{BASE_URL}updates/</loc>" in sitemap
    for name in ("updates/news/index.html", "updates/verdicts/index.html"):
        assert not site.soup(name).main.has_attr("data-pagefind-body")  # it repeats the whole log
        assert f"<loc>{BASE_URL}{name.removesuffix('index.html')}</loc>" not in sitemap


# --- typography ----------------------------------------------------------------------------------------------


def shown_text(soup: BeautifulSoup) -> str:
    """What a reader sees of a page and its title, and what shares and search engines show of it."""
    soup = BeautifulSoup(str(soup), "html.parser")
    for hidden in soup(["script", "style", "code", "pre"]):
        hidden.decompose()
    shown = [soup.get_text(" ")]
    for attribute in ("content", "alt", "title", "aria-label"):
        shown += [tag[attribute] for tag in soup.find_all(attrs={attribute: True}) if "://" not in tag[attribute]]
    return " ".join(shown)


def test_titles_summaries_and_labels_get_the_typography_bodies_get(site):
    for name in site.site_pages():
        text = shown_text(site.soup(name))
        assert "'" not in text and '"' not in text, (name, re.findall(r".{0,20}['\"].{0,20}", text)[:3])
    story = site.soup("index.html")
    assert words(story.h1) == "The harbour’s bridge"
    assert story.find("meta", attrs={"name": "description"})["content"] == "What the council’s “safety” vote means."
    assert "The city’s engineer" in words(site.soup("people/index.html").main)
    # the data keeps the writer's own text; feed readers show it typeset, as the pages do
    data = json.loads((site.out / "story.json").read_text("utf-8"))
    assert data["story"]["title"] == "The harbour's bridge"
    assert data["people"][0]["role"] == "The city's engineer"
    assert "<title>The harbour’s bridge</title>" in (site.out / "feed.xml").read_text("utf-8")


def test_the_typography_speaks_the_sites_language(tmp_path):
    files = {**STORY, "explainer.yml": "language: de\n"}
    german = BuiltSite(build(write(tmp_path / "story", files), tmp_path / "site", search=False).out)
    story = german.soup("index.html")
    assert words(story.h1) == "The harbour’s bridge"
    assert story.find("meta", attrs={"name": "description"})["content"] == "What the council’s „safety“ vote means."


# --- in a browser: sizes and line breaks ---------------------------------------------------------------------


def test_citation_counts_are_big_enough_to_tap_and_outlets_stay_whole(site, browser):
    with browser_page(browser, width=375) as page:
        page.goto((site.out / "sources/index.html").as_uri())
        heights = page.locator(".cited-by a").evaluate_all("links => links.map(a => a.getBoundingClientRect().height)")
        assert heights and min(heights) >= 24
        outlets = page.locator(".sources .outlet")
        assert outlets.count() == 2
        assert set(outlets.evaluate_all("els => els.map(e => getComputedStyle(e).whiteSpace)")) == {"nowrap"}
        assert set(outlets.evaluate_all("els => els.map(e => e.getClientRects().length)")) == {1}  # one line


@pytest.mark.parametrize("width", [1280, 700])
def test_no_breadcrumb_line_starts_with_its_separator(site, browser, width):
    with browser_page(browser, width=width) as page:
        page.goto((site.out / "claims/bridge-safe/index.html").as_uri())
        lines = page.evaluate(
            """() => {
              // the text of each line the trail is drawn on, separators included
              const rows = new Map();
              for (const li of document.querySelectorAll('.breadcrumbs li')) {
                for (const rect of li.getClientRects()) {
                  const top = Math.round(rect.top);
                  rows.set(top, (rows.get(top) || []).concat([rect.left]));
                }
              }
              const after = [...document.querySelectorAll('.breadcrumbs li')].map(
                li => getComputedStyle(li, '::after').content);
              return {rows: rows.size, after};
            }"""
        )
        # every separator ends the crumb before it ("Claims ›"), so a wrapped line starts with a crumb, never "›"
        assert lines["after"][:-1] == ['"\u00a0›"'] * (len(lines["after"]) - 1) and lines["after"][-1] == "none"


# --- the third reader look: words a reader would use, pages a phone can hold ----------------------------------


def test_the_site_rates_claims_it_gives_no_verdicts(site):
    """A crime story has a jury's verdict: the site's own judgement of a claim is "our rating" everywhere."""
    for name in site.site_pages():
        soup = site.soup(name)
        for hidden in soup.select("script, style"):
            hidden.decompose()
        said = [meta.get("content", "") for meta in soup.find_all("meta")]  # addresses keep /updates/verdicts/
        text = words(soup.body) + " " + " ".join(value for value in said if not value.startswith("http"))
        assert "verdict" not in text.lower(), name
    feeds = [path.read_text("utf-8") for path in site.out.rglob("feed.xml")]
    assert feeds and not any("Verdict" in feed for feed in feeds)
    log = site.soup("updates/index.html")
    assert [words(kind) for kind in log.select(".change-kind")][2:4] == [
        "Rating changed: Unverified → Disputed",
        "First rated: Unverified",
    ]
    assert words(site.soup("updates/verdicts/index.html").h1) == "Ratings"  # at the address it always had


def test_a_citation_page_is_headed_by_what_it_lists(site):
    page = site.soup("sources/cited_report-c/index.html")
    assert words(page.h1) == "Pages that cite “The closure report”"
    assert page.title.string.startswith("Pages that cite “The closure report” · ")
    lead = page.select_one("main .lead")
    assert lead.select_one(".outlet").string == "The Harbour Daily Beast" and lead.find("time")["datetime"] == (
        "2024-05-01"
    )
    assert "Citing" not in words(page.main)
    crumbs = [words(li) for li in page.select(".breadcrumbs li")]
    assert crumbs[-1] == "Pages that cite “The closure report”"


def test_an_update_lists_what_it_is_about_and_a_claim_title_is_never_after_a_colon(site):
    log = site.soup("updates/index.html")
    inspection = next(li for li in log.select("li.change-update") if "found no cracks" in words(li))
    about = inspection.select_one(".change-about")
    assert words(about.select_one(".change-about-label")) == "More on this:"
    assert [words(a) for a in about.select(".concerns a")] == ["The spring inspection", "Ann Lee"]
    assert words(about) == "More on this: The spring inspection · Ann Lee"
    assert "About:" not in words(log.main)
    # the change's kind is on its own line, the page it concerns under it, whole: a claim's title has a colon
    rated = log.select("li.change-verdict")[0]
    assert words(rated.select_one(".change-subject")) == "Harbour residents say: The bridge must close at once."
    for name in ("updates/index.html", "corrections/index.html"):
        for line in site.soup(name).select(".change-subject, .change-head"):
            assert not re.search(r":\s.*\bsays?:", words(line)), (name, words(line))
    for title in re.findall(r"<title>(.*?)</title>", (site.out / "feed.xml").read_text("utf-8")):
        assert title.count(": ") <= 1, title  # "Rated Disputed — Harbour residents say: …"


def test_descriptions_add_to_the_title_instead_of_repeating_it(site):
    def description(name: str) -> str:
        return site.soup(name).find("meta", attrs={"name": "description"})["content"]

    assert description(ANN) == "The city’s engineer"  # who she is; the title is her name
    assert description("events/inspection/index.html") == "March 1, 2024: Engineers checked the piers."
    claim = description("claims/bridge-unsafe/index.html")
    assert claim.startswith("Our rating: Disputed.") and "must close" not in claim
    for name in (ANN, "events/inspection/index.html", "claims/bridge-unsafe/index.html"):
        page = site.soup(name)
        assert page.find("meta", property="og:description")["content"] == description(name)
        assert words(page.h1) not in description(name)


def test_outlets_stay_whole_wherever_sources_are_listed(site, browser):
    with browser_page(browser, width=320) as page:
        for name in ("claims/bridge-unsafe/index.html", "events/closure/index.html", ANN):
            page.goto((site.out / name).as_uri())
            outlets = page.locator("main .cited .outlet")
            assert outlets.count() == 1, name
            assert outlets.evaluate_all(
                "els => els.map(e => [getComputedStyle(e).whiteSpace, e.getClientRects().length])"
            ) == [["nowrap", 1]]


@pytest.mark.parametrize("width", [320, 1280])
def test_breadcrumbs_keep_to_one_line_and_the_page_gives_way(site, browser, width):
    with browser_page(browser, width=width) as page:
        page.goto((site.out / "claims/bridge-safe/index.html").as_uri())
        found = page.evaluate(
            """() => {
              const items = [...document.querySelectorAll('.breadcrumbs li')].filter(li => li.getClientRects().length);
              const middles = items.flatMap(li => [...li.getClientRects()].map(r => (r.top + r.bottom) / 2));
              const trail = document.querySelector('.breadcrumbs ol');
              const current = document.querySelector('.breadcrumbs [aria-current]');
              return {lines: Math.max(...middles) - Math.min(...middles) < 4 ? 1 : 2,
                      overflow: trail.scrollWidth > trail.clientWidth,
                      current: current.getClientRects().length ? getComputedStyle(current).textOverflow : 'hidden',
                      cut: current.scrollWidth > current.clientWidth};
            }"""
        )
    assert found["lines"] == 1 and not found["overflow"]
    if width > 400:  # the page's own crumb is cut with an ellipsis (its h1 says it whole); a phone leaves it out
        assert found["current"] == "ellipsis" and found["cut"]


MANY_EVENTS: dict[str, str] = {
    "content/story.md": "---\ntitle: The long year\nsummary: Nine events.\npublished: 2024-01-01\n---\n"
    "A year of [[Ann Lee]].\n",
    "content/people/ann-lee.md": "---\nname: Ann Lee\nrole: Engineer\n---\n",
    # month-only and year-only dates among dates known to the day
    "content/events.yml": "".join(
        f"- slug: e{n}\n  title: Event number {n}\n  date: {date}\n  people: [ann-lee]\n"
        for n, date in enumerate(
            ["2021", "2022-08", "2022-10-21", "2022-11-02", "2023-01", "2023-02-01", "2023-02-15", "2023-06-30", "2024"]
        )
    ),
}


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> BuiltSite:
    folder = tmp_path_factory.mktemp("many")
    return BuiltSite(build(write(folder / "story", MANY_EVENTS), folder / "site", search=False).out)


def test_a_long_list_on_a_persons_page_shows_six_and_folds_the_rest(many, browser):
    """Nine events: six on screen and "Show 3 more", a link (no script) that shows the whole list; print shows all."""
    events = many.soup(ANN).find("h2", string="Events").find_parent("section")
    listed = events.select_one("ul.folded")
    assert [words(li.select_one("a")) for li in listed.select(":scope > li")] == [f"Event number {n}" for n in range(9)]
    more = events.select_one("p.more a")
    assert words(more) == "Show 3 more" and more["href"] == f"#{listed['id']}"

    def shown(page) -> int:
        return page.evaluate(
            f"[...document.querySelectorAll('#{listed['id']} > li')].filter(li => li.getClientRects().length).length"
        )

    with browser_page(browser, width=375) as page:
        page.goto((many.out / ANN).as_uri())
        assert shown(page) == 6
        page.get_by_text("Show 3 more").click()
        assert shown(page) == 9 and not page.get_by_text("Show 3 more").is_visible()
        page.goto((many.out / ANN).as_uri())
        page.emulate_media(media="print")
        assert shown(page) == 9


def test_timeline_gaps_are_said_for_dates_known_only_to_the_month_or_year(many):
    rows = many.soup("timeline/index.html").select("ol.timeline > li")
    gaps = [words(li.select_one(".timeline-gap")) if li.select_one(".timeline-gap") else "" for li in rows]
    assert gaps == [
        "",
        "1 year later",  # 2021 to August 2022: whole years
        "2 months later",  # August 2022 to October 21, 2022: whole months
        "2 weeks later",
        "2 months later",  # to January 2023
        "1 month later",  # January 2023 to February 1, 2023
        "2 weeks later",
        "4 months later",
        "1 year later",  # to 2024
    ]
