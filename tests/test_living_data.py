"""A living story's data: its feeds of changes, sitemap dates, JSON-LD, story.json version 2 and timeline.json.

The living fixture is built for real and its output read back with real parsers: feedparser for the
Atom feeds, jsonschema for story.json, the sitemap as XML and JSON-LD as JSON.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as etree
from pathlib import Path

import feedparser
import jsonschema
import pytest
from conftest import FIXTURES, ROOT, BuiltSite, copy_project

from explainer.build import build
from explainer.incremental import Session

BASE_URL = "https://news.example.org/millbrook/"  # the fixture's own base_url
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ENTRY_KINDS = ("people", "events", "claims", "questions")

# (title, date) of every change readers are told about, newest first: the minor update is in none
STORY_FEED = [
    ("Update: Ada Quinn said she would not seek a third term.", "2024-11-15"),
    ("Update: The residents’ group led by Ben Hale asked for a compensation fund.", "2024-10-01"),
    ("Update: The state fined the Riverside Plant and confirmed the cause.", "2024-09-02"),
    ("Rating changed to False — Ada Quinn says: The tap water was safe to drink after boiling.", "2024-09-02"),
    ("Correction to Ada Quinn — Ada Quinn is in her second term as mayor, not her first.", "2024-04-12"),
    ("Update: Independent tests by Dana Ortiz found the solvent above the legal limit.", "2024-04-10"),
    ("Rating changed to Disputed — Ada Quinn says: The tap water was safe to drink after boiling.", "2024-04-10"),
    (
        "Correction to the story — An earlier version gave the number of homes affected as 4,000; it is 2,400.",
        "2024-03-05",
    ),
    ("Rated Unverified — Ada Quinn says: The tap water was safe to drink after boiling.", "2024-03-02"),
]


@pytest.fixture(scope="module")
def living(tmp_path_factory) -> BuiltSite:
    project = copy_project(FIXTURES / "living", tmp_path_factory.mktemp("living"))
    return BuiltSite(build(project, project / "site").out)


def parse_feed(path: Path) -> feedparser.FeedParserDict:
    """A feed as a real feed reader reads it; any XML or Atom problem fails the test."""
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, f"{path}: {feed.get('bozo_exception')}"
    assert feed.version == "atom10", path
    return feed


def json_ld(site: BuiltSite, page: str) -> dict:
    scripts = site.soup(page).find_all("script", type="application/ld+json")
    assert len(scripts) == 1, page
    raw = scripts[0].string
    assert "<" not in raw and ">" not in raw, page  # inert inside <script>
    return {item["@type"]: item for item in json.loads(raw)["@graph"]}


def entry_folders(site: BuiltSite) -> list[str]:
    """``kind/slug/`` of every entry page built."""
    return sorted(
        page.removesuffix("index.html")
        for page in site.pages()
        if page.count("/") == 2 and page.endswith("/index.html") and page.split("/")[0] in ENTRY_KINDS
    )


# --- the story's feed ------------------------------------------------------------------------------


def test_story_feed_holds_every_change_newest_first_and_no_minor_update(living):
    feed = parse_feed(living.out / "feed.xml")
    assert [(e.title, e.updated[:10]) for e in feed.entries] == STORY_FEED
    assert not any("typo" in e.title or "typo" in e.content[0].value for e in feed.entries)
    times = [e.updated_parsed for e in feed.entries]
    assert times == sorted(times, reverse=True)
    assert all(e.published == e.updated for e in feed.entries)
    assert feed.feed.updated.startswith("2024-11-15")
    assert feed.feed.id == BASE_URL
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {"self": BASE_URL + "feed.xml", "alternate": BASE_URL}
    assert [author.name for author in feed.feed.authors] == ["Sam Reyes"]


def test_story_feed_items_link_to_what_they_concern_with_absolute_links(living):
    feed = parse_feed(living.out / "feed.xml")
    by_title = {e.title: e for e in feed.entries}
    assert by_title[STORY_FEED[4][0]].link == BASE_URL + "people/ada-quinn/"
    assert by_title[STORY_FEED[7][0]].link == BASE_URL
    verdict = by_title[STORY_FEED[3][0]]
    assert verdict.link == BASE_URL + "claims/water-safe/"
    assert "Disputed → False" in verdict.content[0].value
    assert [tag.term for tag in verdict.tags] == ["verdict"]
    several = by_title["Update: The state fined the Riverside Plant and confirmed the cause."]
    assert several.link == several.id  # an update about several pages: its item on the update log
    related = {link.href for link in several.links if link.rel == "related"}
    assert related == {
        BASE_URL + "events/state-fines-the-plant/",
        BASE_URL + "questions/what-caused-the-contamination/",
        BASE_URL + "people/riverside-plant/",
    }
    for entry in feed.entries:
        content = entry.content[0]
        assert content.type == "text/html"
        hrefs = re.findall(r'href="([^"]*)"', content.value)
        assert all(href.startswith(("https://news.example.org/", "https://gazette.")) for href in hrefs)
        assert not any(href.endswith("index.html") for href in hrefs)
    ben = by_title[STORY_FEED[1][0]].content[0].value
    assert f'href="{BASE_URL}people/ben-hale/"' in ben  # the wikilink, made absolute
    assert "<strong>Riverside Plant</strong>" in several.content[0].value


def test_feed_ids_are_anchors_on_the_update_log(living):
    feed = parse_feed(living.out / "feed.xml")
    ids = [e.id for e in feed.entries]
    assert len(set(ids)) == len(ids)
    log = living.soup("updates/index.html")
    for item_id in ids:
        assert item_id.startswith(BASE_URL + "updates/#change-")
        assert log.find(id=item_id.split("#", 1)[1]) is not None, item_id


def test_feed_ids_stay_when_an_update_is_added(tmp_path):
    project = copy_project(FIXTURES / "living", tmp_path)
    before = {e.title: e.id for e in parse_feed(build(project, tmp_path / "one").out / "feed.xml").entries}
    with (project / "content/updates.yml").open("a", encoding="utf-8") as log:
        log.write("- date: 2024-11-15\n  summary: A second update on the same day.\n  about: [people/ada-quinn]\n")
    out = build(project, tmp_path / "two").out
    after = {e.title: e.id for e in parse_feed(out / "feed.xml").entries}
    assert {title: after[title] for title in before} == before
    new = after["Update: A second update on the same day."]
    assert new not in before.values()
    person = parse_feed(out / "people/ada-quinn/feed.xml")
    assert new in [e.id for e in person.entries]


# --- one feed per entry ------------------------------------------------------------------------------


def test_a_person_feed_holds_the_changes_that_concern_her(living):
    feed = parse_feed(living.out / "people/ada-quinn/feed.xml")
    assert [(e.title, e.updated[:10]) for e in feed.entries] == [
        ("Update: Ada Quinn said she would not seek a third term.", "2024-11-15"),
        STORY_FEED[4],
    ]
    story_ids = {e.title: e.id for e in parse_feed(living.out / "feed.xml").entries}
    assert all(story_ids[e.title] == e.id for e in feed.entries)  # one change, one id, in every feed
    assert feed.feed.updated.startswith("2024-11-15")
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {"self": BASE_URL + "people/ada-quinn/feed.xml", "alternate": BASE_URL + "people/ada-quinn/"}
    assert feed.feed.title.startswith("Ada Quinn")
    assert feed.feed.subtitle == "The mayor who first said the water was safe."


def test_every_entry_has_a_valid_feed_even_when_empty(living):
    folders = entry_folders(living)
    assert len(folders) == 4 + 3 + 2 + 2
    for folder in folders:
        feed = parse_feed(living.out / folder / "feed.xml")
        links = {link.rel: link.href for link in feed.feed.links}
        assert links["self"] == BASE_URL + folder + "feed.xml" and links["alternate"] == BASE_URL + folder
        assert feed.feed.updated  # from the entry's last change, else the story's published date
    empty = parse_feed(living.out / "claims/the-plants-leak-caused-the-contamination/feed.xml")
    assert empty.entries == [] and empty.feed.updated.startswith("2024-03-01")
    claim = parse_feed(living.out / "claims/water-safe/feed.xml")
    assert [e.title.split(" — ")[0] for e in claim.entries] == [
        "Rating changed to False",
        "Rating changed to Disputed",
        "Rated Unverified",
    ]
    question = parse_feed(living.out / "questions/what-caused-the-contamination/feed.xml")
    assert [e.updated[:10] for e in question.entries] == ["2024-09-02"]


def test_entry_pages_point_to_their_feeds(living):
    for folder in entry_folders(living):
        alternate = living.soup(folder + "index.html").find_all("link", rel="alternate", type="application/atom+xml")
        hrefs = {link["href"] for link in alternate}
        assert any(href.endswith(folder + "feed.xml") for href in hrefs), (folder, hrefs)


def test_feeds_need_base_url(tmp_path):
    project = copy_project(FIXTURES / "living", tmp_path)
    (project / "explainer.yml").write_text("")
    out = build(project, tmp_path / "site").out
    assert not (out / "feed.xml").exists() and not list(out.glob("*/*/feed.xml"))


def test_the_feed_of_a_removed_entry_is_removed(tmp_path):
    project = copy_project(FIXTURES / "living", tmp_path)
    (project / "content/people/zoe-park.md").write_text("---\nname: Zoe Park\nrole: Resident\n---\n")
    out = tmp_path / "site"
    build(project, out)
    assert (out / "people/zoe-park/feed.xml").is_file()
    (project / "content/people/zoe-park.md").unlink()
    build(project, out)
    assert not (out / "people/zoe-park").exists()


def test_serve_sessions_carry_the_entry_feeds():
    session = Session(FIXTURES / "living", lazy_site_files=True)
    assert session.update().ok
    feed = session.file("people/ada-quinn/feed.xml")
    assert feed is not None and not feedparser.parse(feed).bozo


# --- sitemap --------------------------------------------------------------------------------------------


def test_sitemap_lastmod_holds_the_derived_dates(living):
    root = etree.parse(living.out / "sitemap.xml").getroot()
    lastmod = {
        url.find(f"{SITEMAP}loc").text.removeprefix(BASE_URL): getattr(url.find(f"{SITEMAP}lastmod"), "text", None)
        for url in root
    }
    assert lastmod[""] == "2024-11-15"  # the story's last change
    assert lastmod["people/ada-quinn/"] == "2024-11-15"  # an update months after her correction
    assert lastmod["people/dana-ortiz/"] == "2024-04-10"
    assert lastmod["people/ben-hale/"] == "2024-10-01"
    assert lastmod["claims/water-safe/"] == "2024-09-02"  # its last verdict
    assert lastmod["questions/what-caused-the-contamination/"] == "2024-09-02"
    assert lastmod["events/boil-water-notice-issued/"] is None  # nothing recorded
    assert lastmod["updates/"] == "2024-11-15"
    assert lastmod["corrections/"] == "2024-04-12"


# --- JSON-LD --------------------------------------------------------------------------------------------


def test_json_ld_carries_date_modified_and_corrections(living):
    article = json_ld(living, "index.html")["NewsArticle"]
    assert article["datePublished"] == "2024-03-01" and article["dateModified"] == "2024-11-15"
    assert article["correction"] == [
        {
            "@type": "CorrectionComment",
            "datePublished": "2024-03-05",
            "text": "An earlier version gave the number of homes affected as 4,000; it is 2,400.",
        }
    ]
    person = json_ld(living, "people/ada-quinn/index.html")
    assert person["Person"]["dateModified"] == "2024-11-15"
    page = person["WebPage"]  # a Person is no creative work: its page carries the correction
    assert page["about"]["url"] == BASE_URL + "people/ada-quinn/"
    assert [(c["@type"], c["datePublished"]) for c in page["correction"]] == [("CorrectionComment", "2024-04-12")]
    assert "second term" in page["correction"][0]["text"]
    assert "WebPage" not in json_ld(living, "people/dana-ortiz/index.html")


def test_json_ld_claim_review_and_accepted_answer(living):
    review = json_ld(living, "claims/water-safe/index.html")["ClaimReview"]
    assert review["dateModified"] == "2024-09-02" and review["reviewRating"]["alternateName"] == "False"
    question = json_ld(living, "questions/what-caused-the-contamination/index.html")["Question"]
    assert question["acceptedAnswer"] == {
        "@type": "Answer",
        "text": "A solvent leak at the Riverside Plant, according to the state’s findings.",
        "dateCreated": "2024-09-02",
    }
    assert question["dateModified"] == "2024-09-02"
    event = json_ld(living, "events/independent-tests-published/index.html")["Event"]
    assert event["description"] == "Tests found the solvent above the legal limit."
    log = json_ld(living, "updates/index.html")["CollectionPage"]
    assert log["dateModified"] == "2024-11-15"


# --- story.json and timeline.json -----------------------------------------------------------------------

V1_STORY_FIELDS = {"title", "summary", "published", "updated", "byline", "language", "body"}
V1_ENTRY_FIELDS = {"slug", "path", "url", "updated", "sources", "body", "backlinks"}


def test_story_json_version_2_carries_the_living_story_and_validates(living):
    schema = json.loads((ROOT / "docs" / "story.schema.json").read_text())
    document = json.loads((living.out / "story.json").read_text())
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)
    assert document["version"] == 2
    story = document["story"]
    assert story.keys() >= V1_STORY_FIELDS
    assert len(story["key_points"]) == 3 and "[[Riverside Plant]]" in story["key_points"][0]
    assert story["corrections"] == [
        {"date": "2024-03-05", "text": "An earlier version gave the number of homes affected as 4,000; it is 2,400."}
    ]
    assert story["last_change"] == "2024-11-15"
    ada = next(p for p in document["people"] if p["slug"] == "ada-quinn")
    assert ada.keys() >= V1_ENTRY_FIELDS
    assert ada["weight"] == 1 and ada["summary"] == "The mayor who first said the water was safe."
    assert ada["corrections"][0]["date"] == "2024-04-12" and ada["last_change"] == "2024-11-15"
    claim = next(c for c in document["claims"] if c["slug"] == "water-safe")
    assert [(v["date"], v["status"]) for v in claim["status_history"]] == [
        ("2024-03-02", "unverified"),
        ("2024-04-10", "disputed"),
        ("2024-09-02", "false"),
    ]
    disputed = claim["status_history"][1]
    assert disputed["sources"] == ["gazette-0410"] and "[[Dana Ortiz]]" in disputed["note"]
    question = next(q for q in document["questions"] if q["slug"] == "what-caused-the-contamination")
    assert question["answer"].startswith("A solvent leak at the [[Riverside Plant]]")
    dates = ["2024-04-10", "2024-04-11", "2024-09-02", "2024-10-01", "2024-11-15"]
    assert [u["date"] for u in document["updates"]] == dates
    assert document["updates"][1] == {
        "date": "2024-04-11",
        "summary": "Fixed a typo in the timeline.",
        "about": [],
        "sources": [],
        "minor": True,
    }
    assert document["updates"][0]["about"] == ["events/independent-tests-published", "people/dana-ortiz"]
    quiet = next(e for e in document["events"] if e["slug"] == "boil-water-notice-issued")
    assert quiet["last_change"] is None


def test_the_schema_tells_version_1_readers_what_changed():
    schema = json.loads((ROOT / "docs" / "story.schema.json").read_text())
    assert schema["properties"]["version"] == {"const": 2}
    assert "only adds to version 1" in schema["description"]
    assert set(schema["properties"]["story"]["required"]) >= V1_STORY_FIELDS
    for kind in ENTRY_KINDS:
        assert V1_ENTRY_FIELDS - {"url"} <= set(schema["properties"][kind]["items"]["required"])
    assert (ROOT / "docs" / "open-data.md").is_file()


def test_timeline_json_shows_event_summaries_escaped(tmp_path):
    project = copy_project(FIXTURES / "living", tmp_path)
    events = project / "content/events.yml"
    events.write_text(
        events.read_text().replace(
            "summary: The mayor told residents to boil their tap water.",
            "summary: 'Boil <b>all</b> water & wait <script>alert(1)</script>'",
        )
    )
    timeline = json.loads((build(project, tmp_path / "site").out / "timeline.json").read_text())
    by_id = {event["unique_id"]: event for event in timeline["events"]}
    text = by_id["boil-water-notice-issued"]["text"]["text"]
    assert text.startswith("<p>Boil &lt;b&gt;all&lt;/b&gt; water &amp; wait &lt;script&gt;")
    assert "<script" not in text
    assert by_id["independent-tests-published"]["text"]["text"].startswith(
        "<p>Tests found the solvent above the legal limit.</p>"
    )


# --- a version-1 story --------------------------------------------------------------------------------

# sha256 of the complete fixture's feed.xml as built before the living story (base_url below), with British dates
# (the fixture is en-GB and dates follow the language); since house verdicts
# (issue 15) an entry's summary says its status by its label, not its id; since issue 16 a claim's summary is its
# attributed title and our rating ("Jane Park says: … Our rating: Disputed.")
V1_FEED_SHA256 = "17a69c1b58fc77685c02d7d58607b1aae776e3b31c476e589191506517861d6f"


def test_a_version_1_story_keeps_its_feed(tmp_path):
    out = build(copy_project(FIXTURES / "complete", tmp_path), tmp_path / "site", base_url="https://example.org/x/").out
    data = (out / "feed.xml").read_bytes()
    assert hashlib.sha256(data).hexdigest() == V1_FEED_SHA256
    feed = parse_feed(out / "feed.xml")
    assert len(feed.entries) == 5 + 6 + 2 and feed.entries[0].title.split(":")[0] in ("Event", "Claim", "Question")
    assert not list(out.glob("*/*/feed.xml"))  # no per-entry feeds: nothing to follow
    root = etree.parse(out / "sitemap.xml").getroot()
    lastmod = {u.find(f"{SITEMAP}loc").text: getattr(u.find(f"{SITEMAP}lastmod"), "text", None) for u in root}
    assert lastmod["https://example.org/x/"] == "2024-03-09T18:30+01:00"
    assert lastmod["https://example.org/x/updates/"] is None and lastmod["https://example.org/x/corrections/"] is None
