"""A living story's pages, built from the fixture that uses every new field, read as real HTML.

The update log and corrections pages, the story overview's "what we know" and latest updates, a
claim's verdict history, answers and summaries in lists, weights, attributed claim titles, the hooks
of the "since your last visit" script and per-entry feed discovery; a version-1 story shows none of
the hooks. Incremental rebuilds (``serve`` and the build cache) stay byte-exact after living-story edits.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, BuiltSite, built_site, copy_project, resolve
from rebuilds import edit, from_scratch, full_build, serve_edit_equals_full_build, tree

from explainer.build import build
from explainer.incremental import Session
from explainer.render import default_theme

LIVING = FIXTURES / "living"
BASE_URL = "https://news.example.org/millbrook/"
SINCE_JS = default_theme() / "static" / "since.js"
WATER_SAFE = "claims/water-safe/index.html"
ANSWERED = "questions/what-caused-the-contamination/index.html"


@pytest.fixture(scope="module")
def living(tmp_path_factory) -> BuiltSite:
    return built_site(tmp_path_factory, LIVING, "living")


@pytest.fixture(scope="module")
def version_one(complete_site) -> BuiltSite:
    """A version-1 story: the complete fixture, already built for the whole session."""
    return complete_site


def text(element) -> str:
    return " ".join(element.get_text().split())


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text("utf-8").split("---")[1])


def derived_story_date() -> str:
    """The story's last change, computed from the fixture's files (not by explainer)."""
    content = LIVING / "content"
    dates = [str(u["date"]) for u in yaml.safe_load((content / "updates.yml").read_text()) if not u.get("minor")]
    for path in (content / "story.md", content / "people/ada-quinn.md", content / "claims/water-safe.md"):
        data = front_matter(path)
        dates += [str(item["date"]) for item in data.get("corrections", []) + data.get("status_history", [])]
        dates += [str(data["updated"])] if "updated" in data else []
    return max(dates)


def links_of(site: BuiltSite, page: str, element) -> list[str]:
    return [target for a in element.find_all("a", href=True) if (target := resolve(page, a["href"])) is not None]


# --- /updates/ ----------------------------------------------------------------------------------


def test_update_log_is_newest_first_with_corrections_and_verdicts_merged_in(living):
    items = living.soup("updates/index.html").select("main > section ol.change-log > li")  # by year
    dates = [li.find("time")["datetime"] for li in items]
    assert dates == sorted(dates, reverse=True)
    kinds = [text(li.select_one(".change-kind")) for li in items]
    assert kinds == [
        "Update",  # 2024-11-15
        "Update",  # 2024-10-01
        "Update",  # 2024-09-02
        "Rating changed: Disputed → False",  # 2024-09-02
        "Correction",  # 2024-04-12, Ada Quinn
        "Update",  # 2024-04-10 (the minor one of 2024-04-11 is in a group of its own)
        "Rating changed: Unverified → Disputed",  # 2024-04-10
        "Correction",  # 2024-03-05, the story
        "First rated: Unverified",  # 2024-03-02, the first rating
    ]
    assert dates[0] == "2024-11-15" and dates[-1] == "2024-03-02"
    ids = [li["id"] for li in items]
    assert len(set(ids)) == len(ids) and all(i.startswith("change-") for i in ids)


def test_update_log_items_link_what_they_concern_and_their_sources(living):
    page = "updates/index.html"
    items = {
        li.find("time")["datetime"] + ":" + text(li.select_one(".change-kind")): li
        for li in living.soup(page).select("ol.change-log > li")
    }
    fine = items["2024-09-02:Update"]
    assert set(links_of(living, page, fine.select_one(".change-about"))) == {
        "events/state-fines-the-plant/index.html",
        "questions/what-caused-the-contamination/index.html",
        "people/riverside-plant/index.html",
    }
    assert [a["href"] for a in fine.select(".change-sources a")] == ["../sources/index.html#source-gazette-0902"]
    assert fine.select_one(".change-text strong").get_text() == "Riverside Plant"  # Markdown rendered
    verdict = items["2024-04-10:Rating changed: Unverified → Disputed"]
    # a verdict and a correction say first what they are about; a claim says who makes it
    assert links_of(living, page, verdict.select_one(".change-subject")) == [WATER_SAFE]
    assert "Ada Quinn says" in text(verdict.select_one(".change-subject"))
    assert "people/dana-ortiz/index.html" in links_of(living, page, verdict.select_one(".change-text"))
    story_correction = items["2024-03-05:Correction"]
    assert links_of(living, page, story_correction.select_one(".change-subject")) == ["index.html"]


def test_a_minor_update_is_on_the_log_only(living):
    log = living.soup("updates/index.html")
    minor = [li for li in log.select("ol.change-log > li") if "Fixed a typo" in text(li)]
    assert len(minor) == 1 and "minor" in minor[0]["class"]
    # folded away in a group of its own after the news, never mixed in with it
    assert minor[0].find_parent("details", class_="minor-changes") is not None
    assert text(log.select_one("details.minor-changes summary")) == "1 change to this explainer itself"
    assert not minor[0].has_attr("data-changed")  # not "new since your last visit"
    story = living.soup("index.html")
    assert "Fixed a typo" not in text(story)
    assert "2024-04-11" not in story.find(id="since-visit")["data-changes"].split()


# --- /corrections/ ------------------------------------------------------------------------------


def test_corrections_page_is_newest_first_and_links_what_it_corrects(living):
    page = "corrections/index.html"
    items = living.soup(page).select("main ol.changes > li")
    assert [li.find("time")["datetime"] for li in items] == ["2024-04-12", "2024-03-05"]
    assert "second term" in text(items[0]) and "2,400" in text(items[1])
    assert links_of(living, page, items[0]) == ["people/ada-quinn/index.html"]
    assert links_of(living, page, items[1]) == ["index.html"]
    for li in items:  # each link lands on the correction itself on the corrected page
        target, _, anchor = li.find("a")["href"].partition("#")
        corrected = living.soup(resolve(page, target))
        assert corrected.find(id=anchor) is not None and "Corrections" in text(
            corrected.find(id=anchor).find_parent("section").h2
        )


def test_every_page_links_the_corrections_page_in_its_footer(living, version_one):
    for site in (living, version_one):
        for page in site.site_pages():
            footer = site.soup(page).find("footer")
            links = [a for a in footer.find_all("a") if a.get_text() == "Corrections"]
            assert len(links) == 1, page
            if page != "404.html":  # served at any depth: absolute from base_url
                assert resolve(page, links[0]["href"]) == "corrections/index.html", page
            else:
                assert links[0]["href"].endswith("/corrections/index.html")


def test_entry_and_story_pages_show_their_corrections_dated(living):
    person = living.soup("people/ada-quinn/index.html")
    section = person.find(id="corrections").find_parent("section")
    assert [t["datetime"] for t in section.find_all("time")] == ["2024-04-12"]
    assert "second term" in text(section)
    story = living.soup("index.html").find(id="corrections").find_parent("section")
    assert "2,400" in text(story) and story.find("time")["datetime"] == "2024-03-05"
    assert living.soup(WATER_SAFE).find(id="corrections") is None  # nothing to correct: no empty section


def test_new_pages_link_nowhere_broken(living, version_one):
    for site in (living, version_one):
        for page in ("updates/index.html", "corrections/index.html"):
            for anchor in site.soup(page).find_all("a", href=True):
                target = resolve(page, anchor["href"], keep_fragment=True)
                if target is None:
                    continue
                path, _, fragment = target.partition("#")
                assert (site.out / path).is_file(), (page, anchor["href"])
                if fragment:
                    assert site.soup(path).find(id=fragment) is not None, (page, anchor["href"])
    assert living.broken_links() == []
    assert version_one.broken_links() == []


def test_new_pages_are_in_the_sitemap(living):
    sitemap = (living.out / "sitemap.xml").read_text()
    assert f"<loc>{BASE_URL}updates/</loc>" in sitemap and f"<loc>{BASE_URL}corrections/</loc>" in sitemap


# --- the story overview -------------------------------------------------------------------------


def test_story_overview_shows_the_derived_date_key_points_and_latest_updates(living):
    story = living.soup("index.html")
    expected = derived_story_date()
    assert expected == "2024-11-15"
    meta = story.select_one(".page-header p.meta")
    assert "Updated November 15, 2024" in text(meta) and meta.find_all("time")[-1]["datetime"] == expected
    assert story.find("footer").find("time")["datetime"] == expected
    headings = living.headings("index.html")
    assert headings[:3] == ["What we know", "What happened", "Latest updates"]  # the narrative first
    points = story.find(id="what-we-know").find_parent("section").select("li")
    assert len(points) == 3 and "still open" in points[2].find("strong").get_text()
    assert links_of(living, "index.html", points[0]) == ["people/riverside-plant/index.html"]
    latest = story.find(id="latest-updates").find_parent("section")
    assert [t["datetime"] for t in latest.select("ol .change-head time")] == ["2024-11-15", "2024-10-01", "2024-09-02"]
    assert "updates/index.html" in living.section_links("index.html", "Latest updates")
    assert "people/ben-hale/index.html" in links_of(living, "index.html", latest.select("ol > li")[1])


def test_the_story_header_says_it_was_corrected_and_links_to_the_corrections(living, version_one):
    """A reader who lands on the story sees at its head that it was corrected, not thirteen screens down."""
    meta = living.soup("index.html").select_one(".page-header p.meta")
    [link] = [a for a in meta.find_all("a") if "correction" in text(a)]
    assert text(link) == "2 corrections"  # the story's own and Ada Quinn's
    assert resolve("index.html", link["href"]) == "corrections/index.html"
    assert "correction" not in text(version_one.soup("index.html").select_one(".page-header p.meta"))


# --- claims -------------------------------------------------------------------------------------


def test_claim_page_shows_its_verdict_history_in_order(living):
    claim = living.soup(WATER_SAFE)
    history = claim.find(id="verdict-history").find_parent("section").select("ol.history > li")
    assert [li.find("time")["datetime"] for li in history] == ["2024-03-02", "2024-04-10", "2024-09-02"]
    changes = [text(li.select_one(".change-head")).split(": ", 1)[1] for li in history]
    assert changes == ["first rated Unverified", "Unverified → Disputed", "Disputed → False"]  # in words, not colour
    notes = [text(li.select_one(".change-text")) for li in history]
    assert notes[0] == "No independent test had been published."
    assert notes[1].startswith("Tests by Dana Ortiz found the solvent")
    assert links_of(living, WATER_SAFE, history[1].select_one(".change-text")) == ["people/dana-ortiz/index.html"]
    sources = [a["href"] for li in history for a in li.select(".change-sources a")]
    assert sources == [f"../../sources/index.html#source-gazette-0{n}" for n in ("301", "410", "902")]


def test_claims_say_who_makes_them(living):
    claim = living.soup(WATER_SAFE)
    title = "Ada Quinn says: The tap water was safe to drink after boiling."
    assert claim.title.get_text().startswith(title + " · ")
    assert claim.find("meta", property="og:title")["content"].startswith(title)
    assert text(claim.select(".breadcrumbs li")[-1]) == title
    assert text(claim.select_one("h1 .attribution")) == "Ada Quinn says"
    assert text(claim.h1) == "Ada Quinn says The tap water was safe to drink after boiling."
    # listed under their verdict's heading, each led by who makes it (the heading's badge is not repeated)
    index = living.soup("claims/index.html")
    listed = {
        text(section.h2): [text(li) for li in section.select("ul.entries > li")]
        for section in index.select("main section")
    }
    assert listed["False"][0].startswith("Ada Quinn says: The tap water"), listed
    assert listed["Supported"][0].startswith("Dana Ortiz says: The plant"), listed
    assert not index.select("main ul.entries .status")


# --- questions, events, people ------------------------------------------------------------------


def test_answers_and_summaries_under_questions_wherever_listed(living):
    answer = "A solvent leak at the Riverside Plant, according to the state’s findings."
    summary = "The residents’ group has asked the state for a fund."  # the writer's straight quote, typeset
    index = living.soup("questions/index.html")
    items = {text(li.a): li for li in index.select("main ul.entries > li")}
    answered = items["What caused the contamination?"]
    assert text(answered.select_one(".entry-note")) == answer
    assert "people/riverside-plant/index.html" in links_of(living, "questions/index.html", answered)
    assert text(items["Will residents be compensated?"].select_one(".entry-note")) == summary
    open_questions = living.soup("index.html").find(id="open-questions").find_parent("section")
    assert text(open_questions.select_one(".entry-note")) == summary
    # backlinks: Ben Hale's page lists the question about him, the plant's page the answer naming it
    ben = living.soup("people/ben-hale/index.html")
    assert summary in [text(note) for note in ben.select(".related .entry-note")]
    plant = living.soup("people/riverside-plant/index.html")
    assert answer in [text(note) for note in plant.select(".related .entry-note")]


def test_question_page_shows_the_answer_prominently(living):
    question = living.soup(ANSWERED)
    box = question.select_one("header .answer")
    assert "The answer" in text(box) and "A solvent leak at the Riverside Plant" in text(box)
    assert links_of(living, ANSWERED, box) == ["people/riverside-plant/index.html"]


def test_event_summaries_on_the_timeline_and_in_lists(living):
    timeline = living.soup("timeline/index.html")
    rows = {text(li.select_one(".timeline-title")): li for li in timeline.select(".timeline > li")}
    assert text(rows["Boil-water notice issued"].select_one(".timeline-summary")) == (
        "The mayor told residents to boil their tap water."
    )
    assert rows["State fines the plant"].select_one(".timeline-summary") is None  # none written
    key_events = living.soup("index.html").find(id="key-events").find_parent("section")
    assert "Tests found the solvent above the legal limit." in text(key_events)
    ada = living.soup("people/ada-quinn/index.html")
    assert "The mayor told residents to boil their tap water." in text(ada.find(id="rel-1").find_parent("section"))
    event = living.soup("events/boil-water-notice-issued/index.html")
    assert text(event.select_one("header .summary")) == "The mayor told residents to boil their tap water."


def test_weight_puts_the_central_person_first(living):
    people = living.soup("people/index.html").find(id="kind-1").find_parent("section")
    names = [text(li.a) for li in people.select("ul.entries > li")]
    assert names == ["Ada Quinn", "Ben Hale", "Dana Ortiz"]  # Ada Quinn has weight 1; the rest by name
    key_people = living.soup("index.html").find(id="key-people").find_parent("section")
    assert text(key_people.select_one("li a")) == "Ada Quinn"
    person = living.soup("people/ada-quinn/index.html")
    assert text(person.select_one("header .summary")) == "The mayor who first said the water was safe."
    assert "The mayor who first said the water was safe." in text(people)


def test_entry_pages_show_derived_dates_and_their_updates(living):
    person = living.soup("people/ada-quinn/index.html")
    assert person.select_one("header p.meta time")["datetime"] == "2024-11-15"  # an update about her
    updates = person.find(id="updates").find_parent("section")
    assert [t["datetime"] for t in updates.select("ol .change-head time")] == ["2024-11-15"]
    assert "third term" in text(updates)
    claim = living.soup(WATER_SAFE)
    assert claim.select_one("header p.meta time")["datetime"] == "2024-09-02"  # its last verdict
    # Dana Ortiz's one update tells what her page lists as the event of the same day: it is not said twice
    dana = living.soup("people/dana-ortiz/index.html")
    assert dana.find(id="updates") is None
    assert "independent-tests-published" in " ".join(a["href"] for a in dana.select(".related li a"))


# --- hooks for "since your last visit" and per-entry feeds --------------------------------------


def test_list_items_carry_their_entries_change_dates(living):
    people = living.soup("people/index.html")
    items = {text(li.a): li for li in people.select("main ul.entries > li")}
    # Ada Quinn's first recorded change is a correction: she was in the story before it, so never "New"
    assert (items["Ada Quinn"]["data-changed"], items["Ada Quinn"]["data-first"]) == ("2024-11-15", "")
    assert (items["Ben Hale"]["data-changed"], items["Ben Hale"]["data-first"]) == ("2024-10-01", "2024-10-01")
    timeline = living.soup("timeline/index.html")
    rows = {text(li.select_one(".timeline-title")): li for li in timeline.select(".timeline > li")}
    assert rows["State fines the plant"]["data-changed"] == "2024-09-02"
    assert not rows["Boil-water notice issued"].has_attr("data-changed")  # no recorded change
    assert not rows["Boil-water notice issued"].has_attr("data-first")
    claims = living.soup("claims/index.html").select("main ul.entries > li")
    dated = {text(li.select_one("a")): (li.get("data-changed"), li.get("data-first")) for li in claims}
    assert dated["The tap water was safe to drink after boiling."] == ("2024-09-02", "2024-03-02")
    assert dated["The plant’s leak caused the contamination."] == (None, None)


def test_story_page_has_the_since_visit_count_hook(living):
    story = living.soup("index.html")
    count = story.find(id="since-visit")
    assert count.has_attr("hidden") and "since-visit" in count["class"] and count.get_text() == ""
    news = count["data-changes"].split()
    assert news == sorted(news, reverse=True) and len(news) == 9  # every change but the minor update
    assert resolve("index.html", count["data-updates-url"]) == "updates/index.html"


@pytest.mark.skipif(not SINCE_JS.is_file(), reason="the default theme has no static/since.js yet")
def test_every_page_of_a_living_story_loads_the_since_script(living):
    for page in living.site_pages():
        scripts = [s for s in living.soup(page).find_all("script", src=True) if "since" in s["src"]]
        assert len(scripts) == 1, page
        assert scripts[0].has_attr("defer") and scripts[0]["data-site"] == BASE_URL
        assert scripts[0].find_parent("body") is not None


def test_the_since_script_comes_from_the_theme(tmp_path):
    """A theme's since.js (here a project theme's placeholder) is what every page loads."""
    project = copy_project(LIVING, tmp_path)
    (project / "theme/static").mkdir(parents=True)
    (project / "theme/static/since.js").write_text("/* placeholder */\n")
    config = project / "explainer.yml"
    config.write_text(config.read_text() + "theme: theme\n")
    site = BuiltSite(build(project, tmp_path / "site").out)
    published = [p.name for p in (site.out / "static").glob("since.*.js")]
    assert len(published) == 1 and (site.out / "static" / published[0]).read_text() == "/* placeholder */\n"
    for page in ("index.html", "people/ada-quinn/index.html", "updates/index.html"):
        script = site.soup(page).find("script", src=re.compile(r"since\."))
        assert resolve(page, script["src"]) == f"static/{published[0]}"


def test_entry_pages_announce_their_own_feed(living):
    person = living.soup("people/ada-quinn/index.html")
    feeds = person.find_all("link", rel="alternate", type="application/atom+xml")
    own = [link for link in feeds if link["title"] == "Ada Quinn — updates"]
    assert len(own) == 1 and resolve("people/ada-quinn/index.html", own[0]["href"]) == "people/ada-quinn/feed.xml"
    claim = living.soup(WATER_SAFE).find("link", title=re.compile(" — updates$"), href=re.compile("water-safe"))
    # a dash, not a second colon after the claim's own; no "." before it
    assert claim["title"] == "Ada Quinn says: The tap water was safe to drink after boiling — updates"
    assert resolve(WATER_SAFE, claim["href"]) == "claims/water-safe/feed.xml"
    for page in ("index.html", "people/index.html", "updates/index.html", "corrections/index.html"):
        hrefs = [link["href"] for link in living.soup(page).find_all("link", rel="alternate")]
        assert [resolve(page, href) for href in hrefs] == ["feed.xml"], page  # the story's feed only


def test_a_version_one_story_has_no_living_hooks(version_one, tmp_path):
    # built from a copy: a build keeps its cache in the project, and the broken stories' tests copy this one
    bare = BuiltSite(build(copy_project(FIXTURES.parent / "broken" / "_base", tmp_path), tmp_path / "base").out)
    for site in (version_one, bare):
        for page in site.pages():
            soup = site.soup(page)
            assert soup.find(attrs={"data-changed": True}) is None, page
            assert soup.find(attrs={"data-first": True}) is None, page
            assert soup.find(id="since-visit") is None, page
            assert not [s for s in soup.find_all("script", src=True) if "since" in s["src"]], page
            feeds = [link["href"] for link in soup.find_all("link", rel="alternate", type="application/atom+xml")]
            story_feed = "https://news.example.org/explainers/bridge/feed.xml" if page == "404.html" else "feed.xml"
            assert [href if page == "404.html" else resolve(page, href) for href in feeds] in ([], [story_feed]), page
        assert not list(site.out.glob("*/*/feed.xml"))
        log = site.soup("updates/index.html")
        assert "Nothing has changed since this story was published." in text(log.find("main"))
        corrections = site.soup("corrections/index.html")
        assert "No corrections have been made to this story." in text(corrections.find("main"))
        assert "What we know" not in site.headings("index.html")
        assert "Latest updates" not in site.headings("index.html")


# --- incremental rebuilds -----------------------------------------------------------------------

CONTENT = "content"
LIVING_EDITS = {
    "update edited": lambda p: edit(p / CONTENT / "updates.yml", "a third term", "a fourth term"),
    "update added": lambda p: (p / CONTENT / "updates.yml").write_text(
        (p / CONTENT / "updates.yml").read_text()
        + "- date: 2024-12-01\n  summary: '[[Dana Ortiz]] published her data.'\n  about: [people/dana-ortiz]\n"
    ),
    "minor update made news": lambda p: edit(p / CONTENT / "updates.yml", "  minor: true\n", ""),
    "correction added to a claim": lambda p: edit(
        p / CONTENT / "claims/water-safe.md",
        "status: false\n",
        "status: false\ncorrections:\n  - date: 2024-12-02\n    text: The claim was made on 2 March, not 1 March.\n",
    ),
    "first correction of a claim listed on many pages": lambda p: edit(
        p / CONTENT / "claims.yml",
        "  status: supported\n",
        "  status: supported\n  corrections:\n    - date: 2024-05-01\n      text: It was the plant's second leak.\n",
    ),
    "verdict note edited": lambda p: edit(
        p / CONTENT / "claims/water-safe.md", "own tests confirmed", "own tests showed"
    ),
    "person's correction edited": lambda p: edit(p / CONTENT / "people/ada-quinn.md", "not her first", "not her third"),
    "story correction added": lambda p: edit(
        p / CONTENT / "story.md",
        "corrections:\n",
        "corrections:\n  - date: 2024-12-03\n    text: The plant is upstream, not downstream.\n",
    ),
    "status history changed": lambda p: edit(
        p / CONTENT / "claims/water-safe.md",
        "  - date: 2024-04-10\n    status: disputed\n    note: Tests by",
        "  - date: 2024-04-09\n    status: disputed\n    note: Early tests by",
    ),
    "answer changed": lambda p: edit(
        p / CONTENT / "questions.yml", "according to the state's findings", "the state found"
    ),
    "event summary changed": lambda p: edit(p / CONTENT / "events.yml", "boil their tap water.", "boil all water."),
    "weight added": lambda p: edit(p / CONTENT / "people.yml", "- name: Ben Hale\n", "- name: Ben Hale\n  weight: 0\n"),
    "key point edited": lambda p: edit(p / CONTENT / "story.md", "**still open**", "**not yet known**"),
    "a name in updates and notes": lambda p: edit(
        p / CONTENT / "people.yml",
        "- name: Dana Ortiz\n",
        "- slug: dana-ortiz\n  name: Dana Ortiz-Reyes\n  aliases: [Dana Ortiz]\n",
    ),
}


@pytest.mark.parametrize("name", LIVING_EDITS)
def test_serve_rebuild_after_a_living_story_edit_equals_a_full_build(name, tmp_path):
    update = serve_edit_equals_full_build(copy_project(LIVING, tmp_path), LIVING_EDITS[name], tmp_path)
    assert update.changed, "every edit here shows somewhere"


@pytest.mark.parametrize("name", LIVING_EDITS)
def test_cached_build_after_a_living_story_edit_equals_a_build_from_scratch(name, tmp_path):
    project = copy_project(LIVING, tmp_path)
    build(project, search=False)
    LIVING_EDITS[name](project)
    result = build(project, search=False)
    assert tree(project / "build") == from_scratch(project, tmp_path)
    assert result.rendered > 0


def test_a_correction_to_one_person_does_not_rerender_the_whole_site(tmp_path):
    project = copy_project(LIVING, tmp_path)
    session = Session(project)
    first = session.update()
    LIVING_EDITS["person's correction edited"](project)
    update = session.update([project / CONTENT / "people/ada-quinn.md"])
    assert update.ok
    pages = {name for name in update.changed if name.endswith(".html")}
    assert pages == {"people/ada-quinn/index.html", "updates/index.html", "corrections/index.html"}
    assert 0 < update.rendered < first.rendered / 2
    shutil.rmtree(tmp_path / "full", ignore_errors=True)
    assert session.files == full_build(project, tmp_path)


def test_every_page_is_reachable_from_home(living, version_one):
    for site in (living, version_one):
        seen, queue = set(), ["index.html"]
        while queue:
            current = queue.pop()
            if current not in seen:
                seen.add(current)
                queue.extend(link for link in site.links(current) if link.endswith(".html"))
        assert seen == set(site.site_pages()) - {"404.html"}


def test_without_base_url_the_script_names_the_story_and_no_entry_feed_is_announced(tmp_path):
    project = copy_project(LIVING, tmp_path)
    edit(project / "explainer.yml", f"base_url: {BASE_URL}\n", "")
    site = BuiltSite(build(project, tmp_path / "site").out)
    person = site.soup("people/ada-quinn/index.html")
    assert person.find("link", rel="alternate") is None
    if SINCE_JS.is_file():
        assert person.find("script", src=re.compile(r"since\."))["data-site"] == "Millbrook's tap water"
    assert site.broken_links() == []


def test_a_story_with_only_minor_updates_shows_them_on_the_log_and_no_hooks(tmp_path):
    project = copy_project(FIXTURES.parent / "broken" / "_base", tmp_path)
    (project / "content/updates.yml").write_text("- date: 2024-05-01\n  summary: Fixed a typo.\n  minor: true\n")
    site = BuiltSite(build(project, tmp_path / "site").out)
    items = site.soup("updates/index.html").select("ol.change-log > li")
    assert len(items) == 1 and "minor" in items[0]["class"] and not items[0].has_attr("data-changed")
    for page in site.pages():
        soup = site.soup(page)
        assert soup.find(attrs={"data-changed": True}) is None and soup.find(id="since-visit") is None, page
        assert not [s for s in soup.find_all("script", src=True) if "since" in s["src"]], page
    assert "Latest updates" not in site.headings("index.html")
