"""Every page type meets the accessibility, validity and structured-data bars, in a real browser.

axe-core and the Nu HTML Checker come from the project's package.json
(``npm ci``); Chromium is Debian's. Without them these tests are skipped,
except in CI, where a missing tool fails the run.
"""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from browser import AXE, VNU, WCAG, QuietHandler, axe_violations, browser_page, require
from conftest import FIXTURES, ROOT, BuiltSite, copy_story, is_card

from explainer.build import build

BUNDLED_PAGES = [
    "index.html",
    "people/index.html",
    "people/alec-baldwin/index.html",
    "people/rust-producers/index.html",
    "timeline/index.html",
    "events/open-letter/index.html",
    "claims/index.html",
    "claims/set-not-chaotic/index.html",
    "questions/index.html",
    "questions/who-is-responsible/index.html",
    "sources/index.html",
    "updates/index.html",
    "corrections/index.html",
    "search/index.html",
    "404.html",
    # embeddable cards: one of each kind, and the timeline's
    "people/alec-baldwin/embed.html",
    "events/open-letter/embed.html",
    "claims/set-not-chaotic/embed.html",
    "questions/who-is-responsible/embed.html",
    "timeline/embed.html",
]
COMPLETE_PAGES = [
    "index.html",
    "people/mayor-jane-park/index.html",
    "events/inspection/index.html",
    "claims/bridge-unsafe/index.html",
    "questions/who-inspected/index.html",
    "timeline/index.html",
    "claims/bridge-unsafe/embed.html",
    "questions/who-inspected/embed.html",
]
# a living story: the update log, corrections, verdict history, answers and summaries in lists
LIVING_PAGES = [
    "index.html",
    "updates/index.html",
    "corrections/index.html",
    "people/index.html",
    "people/ada-quinn/index.html",
    "timeline/index.html",
    "claims/index.html",
    "claims/water-safe/index.html",
    "questions/index.html",
    "questions/what-caused-the-contamination/index.html",
    "claims/water-safe/embed.html",
    "timeline/embed.html",
]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Both stories built and served over HTTP (search needs it); name -> (base URL, site)."""
    root = tmp_path_factory.mktemp("served")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    host = f"http://127.0.0.1:{server.server_port}/"
    sites = {}
    for name, project in (("bundled", ROOT), ("complete", FIXTURES / "complete"), ("living", FIXTURES / "living")):
        story = copy_story(project, tmp_path_factory.mktemp(f"{name}-story"))
        out = build(story, root / name, base_url=f"{host}{name}/").out
        sites[name] = (f"{host}{name}/", BuiltSite(out))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield sites
    server.shutdown()
    server.server_close()


@pytest.fixture()
def page(browser):
    """A fresh browser tab, closed after the test."""
    tab = browser.new_page()
    yield tab
    tab.close()


CASES = [
    ("bundled", scheme, width, page) for scheme in ("light", "dark") for width in (320, 1280) for page in BUNDLED_PAGES
] + [("complete", scheme, 1280, page) for scheme in ("light", "dark") for page in COMPLETE_PAGES]
CASES += [
    ("living", scheme, width, page) for scheme in ("light", "dark") for width in (320, 1280) for page in LIVING_PAGES
]


@pytest.mark.parametrize("story,scheme,width,path", CASES)
def test_no_axe_violations(served, browser, story, scheme, width, path):
    require(AXE, "axe-core")
    base_url, _ = served[story]
    with browser_page(browser, scheme, width, 900) as page:
        page.goto(base_url + path)
        assert axe_violations(page) == []
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways at {width}px"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_since_visit_marks_have_no_axe_violations(served, browser, scheme):
    """What the "since your last visit" script shows (the count, the marks in lists) is readable in light and dark."""
    require(AXE, "axe-core")
    base_url, _ = served["living"]
    with browser_page(browser, scheme, 320, 900) as page:
        for path in ("index.html", "people/index.html"):
            page.goto(base_url + path)
            page.evaluate(
                """() => {
                  document.querySelectorAll("li[data-changed]").forEach((item, n) => {
                    const mark = document.createElement("span");
                    mark.className = "since-mark";
                    mark.textContent = n % 2 ? "New" : "Updated";
                    item.append(" ", mark);
                  });
                  const count = document.getElementById("since-visit");
                  if (count) {
                    count.hidden = false;
                    count.textContent = "3 changes since your last visit — ";
                    const link = document.createElement("a");
                    link.href = count.dataset.updatesUrl;
                    link.textContent = "see what’s new";
                    count.append(link);
                  }
                }"""
            )
            assert page.locator(".since-mark").count() > 0
            assert page.locator(".since-mark").first.is_visible()
            assert axe_violations(page) == []
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} scrolls sideways with the marks shown"
        page.emulate_media(media="print")
        assert page.locator(".since-mark").first.is_hidden()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_results_have_no_axe_violations(served, browser, scheme):
    """The bundled story's search page with results and its filter showing, in light and dark."""
    require(AXE, "axe-core")
    base_url, _ = served["bundled"]
    with browser_page(browser, scheme, 1280, 900) as page:
        page.goto(base_url + "search/index.html")
        page.locator(".pagefind-ui__search-input").fill("Baldwin")
        page.locator(".pagefind-ui__result-link").first.wait_for(timeout=10_000)
        page.locator(".pagefind-ui__filter-label").first.wait_for(timeout=10_000)
        assert axe_violations(page) == []


def test_search_names_its_box_and_reads_out_how_many_results_it_found(served, browser):
    """Pagefind's box has only a title and its result count is shown, not announced: the page names the box by its
    heading and repeats the count in a status region once typing pauses (empty again when the box is cleared)."""
    require(AXE, "axe-core")
    base_url, _ = served["bundled"]
    with browser_page(browser, "light", 375, 800) as page:
        page.goto(base_url + "search/index.html")
        box = page.get_by_role("textbox", name="Search", exact=True)
        box.fill("Baldwin")
        status = page.get_by_role("status")
        page.wait_for_function(
            "() => /^[0-9]+ results? for Baldwin$/.test(document.getElementById('search-status').textContent)",
            timeout=10_000,
        )
        assert status.text_content() == page.locator(".pagefind-ui__message").text_content().strip()
        assert axe_violations(page, [*WCAG, "best-practice"]) == []
        box.fill("")
        page.wait_for_function("() => document.getElementById('search-status').textContent === ''", timeout=10_000)


def test_axe_harness_reports_a_real_violation(page):
    require(AXE, "axe-core")
    page.set_content(
        "<!DOCTYPE html><html><head><title>x</title></head><body><main>"
        '<img src="data:,"><p style="color:#aaa;background:#fff">faint</p></main></body></html>'
    )
    found = " ".join(axe_violations(page))
    assert "image-alt" in found and "color-contrast" in found and "html-has-lang" in found


def test_focus_is_visible_and_skip_link_works(served, page):
    base_url, _ = served["bundled"]
    page.goto(base_url + "people/alec-baldwin/index.html")
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
        const r = e.getBoundingClientRect();
        return {text: e.textContent, outline: s.outlineStyle, width: s.outlineWidth, left: r.left}; }""")
    assert focused["text"] == "Skip to content" and focused["left"] >= 0
    assert focused["outline"] != "none" and focused["width"] != "0px"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_print_shows_source_urls_and_hides_navigation(served, page):
    base_url, _ = served["complete"]
    page.goto(base_url + "claims/bridge-unsafe/index.html")
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    url = page.locator(".cited .print-only").first
    assert url.is_visible() and "https://example.org/release" in url.inner_text()
    page.emulate_media(media="screen")
    assert url.is_hidden()


def test_nu_html_checker_finds_no_errors(served):
    require(VNU, "vnu-jar")
    if shutil.which("java") is None:
        pytest.fail("java is needed for the Nu HTML Checker (apt-get install default-jre-headless)")
    folders = [str(site.out) for _, site in served.values()]
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--skip-non-html", "--format", "json", *folders],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [f"{m.get('url')}:{m.get('lastLine')}: {m.get('message')}" for m in messages if m.get("type") == "error"]
    assert errors == []
    checked = sum(len(site.pages()) for _, site in served.values())
    assert checked > 60


def json_ld(site: BuiltSite, page: str) -> dict:
    scripts = site.soup(page).find_all("script", type="application/ld+json")
    assert len(scripts) == 1, page
    data = json.loads(scripts[0].string)
    assert data["@context"] == "https://schema.org"
    return {item["@type"]: item for item in data["@graph"]}


EXPECTED_TYPES = {
    "index.html": "NewsArticle",
    "people/alec-baldwin/index.html": "Person",
    "people/rust-producers/index.html": "Organization",
    "people/abc/index.html": "Organization",
    "events/fatal-shooting/index.html": "Event",
    "claims/set-not-chaotic/index.html": "ClaimReview",
    "questions/who-is-responsible/index.html": "Question",
}


@pytest.mark.parametrize("path,kind", EXPECTED_TYPES.items())
def test_structured_data_by_page_type(served, path, kind):
    base_url, site = served["bundled"]
    items = json_ld(site, path)
    assert kind in items and "BreadcrumbList" in items
    crumbs = items["BreadcrumbList"]["itemListElement"]
    assert [c["position"] for c in crumbs] == list(range(1, len(crumbs) + 1))
    assert all(c["item"].startswith(base_url) for c in crumbs)


def test_structured_data_fields(served):
    _, site = served["bundled"]
    article = json_ld(site, "index.html")["NewsArticle"]
    assert article["headline"] == "The Rust shooting: the crew's letter and the three years that followed"
    # published after the letter; modified: the story's last change (the appeal withdrawn)
    assert article["datePublished"] == "2021-12-10" and article["dateModified"] == "2024-12-23"
    assert article["author"] == [{"@type": "Person", "name": "The explainer project"}]
    assert article["description"].startswith("Halyna Hutchins")
    review = json_ld(site, "claims/set-not-chaotic/index.html")["ClaimReview"]
    assert review["reviewRating"]["alternateName"] == "Disputed" and review["reviewRating"]["identifier"] == "disputed"
    assert review["itemReviewed"]["@type"] == "Claim"
    assert review["itemReviewed"]["author"][0]["name"] == "Crew members who signed the open letter"
    event = json_ld(site, "events/fatal-shooting/index.html")["Event"]
    assert event["startDate"] == "2021-10-21" and event["location"]["name"].startswith("Bonanza Creek Ranch")
    for page in site.site_pages():  # an embeddable card has none: it is not indexed
        assert "BreadcrumbList" in json_ld(site, page), page


def test_meta_description_and_sharing_tags(served):
    _, site = served["bundled"]
    for page in site.pages():
        soup = site.soup(page)
        assert soup.find("meta", attrs={"name": "description"})["content"].strip(), page
        if page != "404.html" and not is_card(page):  # cards are not shared: they are embedded
            for prop in ("og:title", "og:description", "og:url", "og:type"):
                assert soup.find("meta", property=prop)["content"].strip(), (page, prop)
            assert soup.find("meta", attrs={"name": "twitter:card"})
    claim = site.soup("claims/set-not-chaotic/index.html")
    description = claim.find("meta", attrs={"name": "description"})["content"]
    # the title says who claims what; the description adds our rating and what is known
    assert description.startswith("Our rating: Disputed.") and "professional workplace" not in description
    title = claim.find("meta", property="og:title")["content"]
    assert title.startswith("Crew members who signed the open letter say:")


def test_page_weight_budget(bundled_site):
    css = sum(p.stat().st_size for p in (bundled_site.out / "static").glob("*.css"))
    assert css < 11 * 1024  # the README's promise (the search page adds Pagefind's own stylesheet)
    heavy = {
        page: (bundled_site.out / page).stat().st_size
        for page in bundled_site.pages()
        if (bundled_site.out / page).stat().st_size >= 64 * 1024
    }
    assert heavy == {}


def test_no_third_party_requests(bundled_site):
    for page in bundled_site.pages():
        for element in bundled_site.soup(page).find_all(["link", "script", "img", "iframe"]):
            value = element.get("href") or element.get("src") or ""
            if element.name == "link" and element.get("rel") in (["canonical"], ["alternate"]):
                continue
            assert not value.startswith(("http:", "https:", "//")), (page, value)


def test_timeline_marks_gaps_and_multi_day_events(complete_site):
    timeline = complete_site.soup("timeline/index.html")
    items = timeline.select(".timeline li")
    texts = [li.get_text(" ", strip=True) for li in items]
    assert "(lasted" not in texts[1]  # "February 2024 to February 20, 2024": length unknown
    assert "span" in items[1]["class"]
    assert texts[3].startswith("February 2024") and "later" not in texts[3]
    closure = items[2]
    assert closure["style"] == "--space: 0.0rem"  # its start before was only known to the month
    council = items[4]  # follows a month-only date (February 2024): measured in whole months
    assert council.select_one(".timeline-gap").get_text() == "1 month later"


def test_gaps_between_events_grow_with_time_on_wide_screens(tmp_path, browser):
    project = tmp_path / "story"
    shutil.copytree(Path(__file__).parent / "broken" / "_base", project)
    (project / "content" / "events.yml").write_text(
        "".join(
            f"- slug: e{i}\n  title: Event {i}\n  date: {date}\n  people: [ann-lee]\n"
            for i, date in enumerate(["2024-04-04", "2024-04-05", "2024-06-05", "2030-06-05"])
        )
    )
    out = build(project, tmp_path / "site").out
    items = BuiltSite(out).soup("timeline/index.html").select(".timeline li")
    gaps = [li.select_one(".timeline-gap").get_text() if li.select_one(".timeline-gap") else None for li in items]
    assert gaps == [None, "2 days later", "1 day later", "2 months later", "6 years later"]  # after first-event
    spaces = [float(li["style"].removeprefix("--space: ").removesuffix("rem")) for li in items]
    assert spaces[0] == 0 and 0 < spaces[1] < spaces[3] < spaces[4]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto((out / "timeline" / "index.html").as_uri())
        wide = page.evaluate("[...document.querySelectorAll('.timeline li')].map(li => getComputedStyle(li).marginTop)")
        page.set_viewport_size({"width": 375, "height": 900})
        narrow = page.evaluate(
            "[...document.querySelectorAll('.timeline li')].map(li => getComputedStyle(li).marginTop)"
        )
        assert wide[4] != "0px" and float(wide[4][:-2]) > float(wide[3][:-2]) > float(wide[1][:-2])
        assert set(narrow) == {"0px"}
    finally:
        page.close()


def test_one_h1_landmarks_and_language_on_every_page(served):
    for name, (_, site) in served.items():
        for page in site.pages():
            soup = site.soup(page)
            assert len(soup.find_all("h1")) == 1, (name, page)
            assert soup.find("main", id="main"), (name, page)
            assert soup.find("html")["lang"] == ("en-GB" if name == "complete" else "en")
            if is_card(page):  # a card inside another site's page: no header, footer or skip link
                assert soup.find("header") is None and soup.find("footer") is None, (name, page)
                continue
            assert soup.find("header") and soup.find("footer"), (name, page)
            assert soup.find("a", class_="skip-link")["href"] == "#main"
