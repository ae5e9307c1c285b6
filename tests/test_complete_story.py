"""Build a fixture story that uses every feature of the content format and check the real output."""

from __future__ import annotations

import re

import pytest
from conftest import FIXTURES

from explainer.diagnostics import Diagnostics
from explainer.reader import read_project

ENTRY_PAGES = [
    "people/mayor-jane-park",
    "people/dana-lee",
    "people/city-council",
    "people/harbour-engineers-ltd",
    "events/inspection",
    "events/closure",
    "events/council-vote",
    "events/bridge-built",
    "events/february-protests",
    "claims/bridge-unsafe",
    "claims/bridge-safe",
    "claims/weight-limit-works",
    "claims/the-closure-was-planned-before-the-inspection",
    "claims/costs-claim",
    "claims/inspection-happened",
    "questions/when-reopen",
    "questions/who-inspected",
]
INDEX_PAGES = [
    "index.html",
    "people/index.html",
    "timeline/index.html",
    "claims/index.html",
    "questions/index.html",
    "sources/index.html",
    "sources/cited_city-release/index.html",  # every cited source lists its citations on a page of its own
    "sources/cited_engineer-report/index.html",
    "updates/index.html",
    "updates/news/index.html",  # the update log, one kind of change at a time
    "updates/verdicts/index.html",
    "corrections/index.html",
    "search/index.html",
    "404.html",
]


def page(path: str) -> str:
    return f"{path}/index.html"


def test_every_page_is_built(complete_site):
    cards = [*(f"{p}/embed.html" for p in ENTRY_PAGES), "timeline/embed.html"]  # embeddable cards
    expected = sorted([*INDEX_PAGES, *(page(p) for p in ENTRY_PAGES), *cards])
    assert complete_site.pages() == expected


def test_no_broken_links_or_anchors(complete_site):
    assert complete_site.broken_links() == []


def test_every_link_is_relative(complete_site):
    for name in complete_site.pages():
        for element in complete_site.soup(name).find_all(["a", "link", "img"]):
            value = element.get("href") or element.get("src") or ""
            assert not value.startswith("/"), f"{name}: {value}"
            if value.startswith("http"):
                assert "example.org" in value, f"{name}: unexpected external link {value}"


TYPED = {"people": "people", "by": "people", "disputes": "claims", "supports": "claims"}


def typed_references():
    """(source page, target page) for every typed reference, read from the fixture's files."""
    content = read_project(FIXTURES / "complete", Diagnostics())
    pairs = []
    for entry in content.all_entries():
        for field in ("people", "by", "disputes", "supports", "about"):
            for ref in getattr(entry, field, []):
                if field == "about":
                    target = ref.target
                else:
                    target = f"{TYPED[field]}/{ref.target}"
                pairs.append((page(entry.path.rstrip("/")), page(target)))
    return pairs


def test_fixture_has_many_typed_references():
    assert len(typed_references()) >= 20


@pytest.mark.parametrize("source,target", typed_references())
def test_typed_reference_is_linked_both_ways(complete_site, source, target):
    assert target in complete_site.links(source), f"{source} does not link to {target}"
    assert source in complete_site.links(target), f"{target} has no backlink to {source}"


@pytest.mark.parametrize(
    "text,target,shown",
    [
        ("mayor", "people/mayor-jane-park/index.html", "mayor"),  # alias, kept as written
        ("events/inspection|inspection", "events/inspection/index.html", "inspection"),  # kind/slug|text
        ("Dana Lee", "people/dana-lee/index.html", "Dana Lee"),  # name
        ("Lee", "people/dana-lee/index.html", "Lee"),  # alias
        ("people/city-council|council", "people/city-council/index.html", "council"),
        ("council-vote", "events/council-vote/index.html", "Council vote"),  # bare slug shows the title
        ("Harbour Engineers Ltd", "people/harbour-engineers-ltd/index.html", "Harbour Engineers Ltd"),  # wrapped
    ],
)
def test_story_wikilinks_resolve(complete_site, text, target, shown):
    links = {(a["href"], a.get_text()) for a in complete_site.soup("index.html").select("a.wikilink")}
    assert (target, shown) in links


def test_every_wikilink_form_in_entry_bodies(complete_site):
    park = complete_site.soup(page("people/mayor-jane-park"))
    assert ("../../claims/bridge-unsafe/index.html", "her claim") in {
        (a["href"], a.get_text()) for a in park.select("a.wikilink")
    }
    closure = complete_site.soup(page("events/closure"))
    assert [a.get_text() for a in closure.select("a.wikilink")] == ["mayor"]
    unsafe = complete_site.soup(page("claims/bridge-unsafe"))
    assert [a["href"] for a in unsafe.select("a.wikilink")] == ["../../events/inspection/index.html"]


def test_code_stays_literal_and_raw_html_is_escaped(complete_site):
    home = complete_site.soup("index.html")
    codes = [code.get_text() for code in home.find_all("code")]
    assert "[[not-a-link]]" in codes and any("[[also-not-a-link]]" in c for c in codes)
    assert not [s for s in home.find_all("script") if s.get("type") != "application/ld+json"]
    assert "<script>alert(1)</script>" in home.get_text()
    bad = [a for a in home.find_all("a") if a.get_text() == "click"]
    assert bad and all(not a.get("href") for a in bad)


def test_mentions_are_backlinks_grouped_by_kind(complete_site):
    """A mention joins the kind's "about" list (a reader cannot tell the two apart), else a "Related" list."""
    dana = page("people/dana-lee")
    assert "Mentioned in the story" not in complete_site.headings(dana)  # every page links the story
    assert page("questions/who-inspected") in complete_site.section_links(dana, "Questions about Dana Lee")
    inspection = page("events/inspection")
    assert page("people/dana-lee") in complete_site.section_links(inspection, "Related people")
    claims = complete_site.section_links(inspection, "Claims about this event")
    assert page("claims/bridge-unsafe") in claims and len(claims) == len(set(claims))
    headings = complete_site.headings(inspection)
    assert not [heading for heading in headings if "mentioning" in heading]
    assert len(headings) == len(set(headings))


def test_person_page_sections(complete_site):
    dana = page("people/dana-lee")
    assert complete_site.section_links(dana, "Events") == [page("events/inspection")]
    assert complete_site.section_links(dana, "Claims made") == [
        page("claims/bridge-safe"),
        page("claims/inspection-happened"),
    ]
    park = complete_site.soup(page("people/mayor-jane-park"))
    assert park.find("h1").get_text() == "Jane Park"
    assert "Also called Mayor Park, mayor" in park.get_text(" ", strip=True)
    dana_text = complete_site.soup(dana).get_text(" ", strip=True)
    assert "Also called" not in dana_text  # her one alias, "Lee", is part of her name
    image = park.find("img")
    assert image["alt"] == "Jane Park at a press conference"
    assert re.fullmatch(r"\.\./\.\./media/images/park\.[0-9a-f]{10}\.png", image["src"])
    assert (complete_site.out / image["src"].removeprefix("../../")).read_bytes().startswith(b"\x89PNG")
    assert park.find("a", href="https://example.org/mayor").get_text() == "Official page"
    assert park.find("h3").get_text() == "A heading written as h1"
    assert len(park.find_all("h1")) == 1
    council = complete_site.soup(page("people/city-council")).get_text(" ", strip=True)
    assert "Group" in council


def test_disputes_and_supports_show_on_both_claims(complete_site):
    assert complete_site.section_links(page("claims/bridge-safe"), "Disputes") == [page("claims/bridge-unsafe")]
    assert complete_site.section_links(page("claims/bridge-unsafe"), "Disputed by") == [page("claims/bridge-safe")]
    assert complete_site.section_links(page("claims/weight-limit-works"), "Supports") == [page("claims/bridge-safe")]
    assert complete_site.section_links(page("claims/bridge-safe"), "Supported by") == [
        page("claims/weight-limit-works")
    ]


def test_claim_page_shows_status_meaning_quote_and_who(complete_site):
    claim = complete_site.soup(page("claims/bridge-unsafe"))
    text = claim.get_text(" ", strip=True)
    # the heading names who makes the claim before the claim itself
    h1 = claim.find("h1")
    assert h1.select_one(".attribution").get_text(" ", strip=True).endswith("says")
    assert h1.get_text(" ", strip=True).endswith("The bridge is unsafe for traffic.")
    assert "Disputed" in text and "Contested: other people or evidence contradict it" in text
    assert claim.find("blockquote").get_text(strip=True) == "We will not gamble with lives"
    assert "21 February 2024" in text  # the fixture is en-GB: British dates
    # who says it, once before the quote: the kicker, each name a link (no "Made by" row repeating it)
    kicker = claim.select_one("header .attribution")
    assert " ".join(kicker.get_text(" ", strip=True).split()) == "Jane Park says"
    assert [a["href"] for a in kicker.find_all("a")] == ["../../people/mayor-jane-park/index.html"]
    assert claim.find("dt", string="Made by") is None


@pytest.mark.parametrize(
    "event,shown",
    [
        ("events/bridge-built", "1931"),
        ("events/inspection", "February 2024 to 20 February 2024"),
        ("events/closure", "21 February 2024, 06:00 (UTC+01:00)"),
        ("events/council-vote", "1 March 2024"),
    ],
)
def test_dates_keep_the_precision_written(complete_site, event, shown):
    when = complete_site.soup(page(event)).find("dt", string="When").find_next("dd")
    assert when.get_text("", strip=True).replace("to", " to ").replace("  ", " ") == shown


def test_timeline_is_chronological_with_partial_dates(complete_site):
    titles = [a["href"] for a in complete_site.soup("timeline/index.html").select(".timeline-title a")]
    assert titles == [
        f"../{page(p)}"
        for p in [
            "events/bridge-built",
            "events/inspection",
            "events/closure",
            "events/february-protests",
            "events/council-vote",
        ]
    ]
    years = [h.get_text() for h in complete_site.soup("timeline/index.html").find_all("h2")]
    assert years == ["1931", "2024"]


def test_event_has_previous_and_next(complete_site):
    pager = complete_site.soup(page("events/inspection")).find("nav", class_="pager")
    assert pager.find("a", rel="prev")["href"] == "../../events/bridge-built/index.html"
    assert pager.find("a", rel="next")["href"] == "../../events/closure/index.html"
    first = complete_site.soup(page("events/bridge-built")).find("nav", class_="pager")
    assert first.find("a", rel="prev") is None


def test_story_overview(complete_site):
    home = complete_site.soup("index.html")
    assert home.find("h1").get_text() == "Why the harbour bridge closed"
    assert home.find("html")["lang"] == "en-GB"
    headings = complete_site.headings("index.html")
    assert headings == ["What happened", "Key people", "Key events", "Claims at a glance", "Open questions", "Sources"]
    assert complete_site.section_links("index.html", "Key events")[:2] == [
        page("events/inspection"),
        page("events/closure"),
    ]
    assert complete_site.section_links("index.html", "Open questions")[0] == page("questions/when-reopen")
    assert "By Ana Ruiz, Tom Okafor" in home.get_text(" ", strip=True)


def test_indexes_group_entries(complete_site):
    assert complete_site.headings("people/index.html") == ["People", "Groups", "Organizations"]
    claims = complete_site.headings("claims/index.html")
    # the picture of who says what first, then the claims under their verdicts
    assert claims == ["Who says what", "Unverified", "Disputed", "Supported", "Confirmed", "False", "Retracted"]
    assert complete_site.headings("questions/index.html") == ["Still open", "Answered"]


def test_sources_have_anchors_and_citations(complete_site):
    sources = complete_site.soup("sources/index.html")
    item = sources.find(id="source-city-release")
    assert item.find("a", href="https://example.org/release")
    cited = {a["href"] for a in item.find_all("a") if not a["href"].startswith("http")}
    assert cited == {"../sources/cited_city-release/index.html"}  # the count links to the page of citations
    citing = {a["href"] for a in complete_site.soup("sources/cited_city-release/index.html").select("main li a")}
    assert "../../claims/bridge-unsafe/index.html" in citing
    assert sources.find(id="source-engineer-report")
    links = complete_site.section_links(page("events/inspection"), "Sources")
    assert links == ["sources/index.html", "sources/index.html"]
    hrefs = [a["href"] for a in complete_site.soup(page("events/inspection")).select(".cited a")]
    assert hrefs == ["../../sources/index.html#source-city-release", "../../sources/index.html#source-engineer-report"]


def test_project_theme_overrides_by_name(complete_site):
    question = complete_site.soup(page("questions/when-reopen"))
    assert question.find("article", class_="custom-question")
    assert "Overridden by the project theme." in question.get_text()
    static = sorted(p.name for p in (complete_site.out / "static").iterdir())
    # the project's extra.css beside the default theme's files (the cards' embed.js, since.js, the living story's
    # script, and style.css)
    assert [name.split(".")[0] for name in static] == ["embed", "extra", "since", "style"]
    claim = complete_site.soup(page("claims/bridge-safe"))
    assert claim.find("article", class_="custom-question") is None
