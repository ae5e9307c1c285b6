"""The bundled Rust story: a living story, built cleanly, completely and the same way every time."""

from __future__ import annotations

import filecmp
import json
import re
import subprocess
import sys

from conftest import ROOT, BuiltSite, copy_story

from explainer.build import build, check
from explainer.diagnostics import Diagnostics
from explainer.i18n import typeset
from explainer.reader import read_project

LETTER = "2021-12-09"  # the day Baldwin posted the crew's open letter
REPORT = "seed-report"  # the undated report the story began from: no publisher, date or address


def story_json(site: BuiltSite) -> dict:
    return json.loads((site.out / "story.json").read_text("utf-8"))


def test_bundled_story_checks_clean_with_no_warnings():
    assert check(ROOT, strict=True) == []


def test_strict_build_of_the_bundled_story_exits_0_with_no_warning(tmp_path):
    story = copy_story(ROOT, tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "explainer", "build", "--strict", str(story), "--out", str(tmp_path / "site")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr.lower(), result.stderr
    assert "error" not in result.stderr.lower(), result.stderr


def test_every_entry_has_a_page(bundled_site):
    content = read_project(ROOT, Diagnostics())
    entries = content.all_entries()
    assert len(entries) >= 30
    for entry in entries:
        assert (bundled_site.out / entry.path / "index.html").is_file(), entry.key


def test_no_broken_links(bundled_site):
    assert bundled_site.broken_links() == []


def test_every_page_reachable_from_home(bundled_site):
    seen, queue = set(), ["index.html"]
    while queue:
        current = queue.pop()
        if current in seen:
            continue
        seen.add(current)
        queue.extend(link for link in bundled_site.links(current) if link.endswith(".html"))
    # the 404 page is only reached by missing paths, and embeddable cards from other sites
    assert seen == set(bundled_site.site_pages()) - {"404.html"}


def test_story_names_the_people_in_the_case(bundled_site):
    people = bundled_site.soup("people/index.html").get_text(" ", strip=True)
    for name in [
        "Halyna Hutchins",
        "Alec Baldwin",
        "Hannah Gutierrez-Reed",
        "David Halls",
        "Joel Souza",
        "Mamie Mitchell",
        "Crew members who signed the open letter",
        "Crew members who quit",
        "Rust producers",
        "Law enforcement investigators",
    ]:
        assert name in people


def test_hutchins_comes_first_in_the_people_list(bundled_site):
    links = bundled_site.links("people/index.html")
    people = [link for link in links if re.fullmatch(r"people/[^/]+/index\.html", link)]
    assert people[0] == "people/halyna-hutchins/index.html"
    assert any(
        person["slug"] == "halyna-hutchins" and person["weight"] == 1 for person in story_json(bundled_site)["people"]
    )


def test_gutierrez_reed_and_halls_have_person_pages_and_the_assistant_director_is_merged(bundled_site):
    halls = bundled_site.soup("people/david-halls/index.html").get_text(" ", strip=True)
    assert "RUST ASSISTANT DIRECTOR BACKS ALEC BALDWIN'S CLAIM" in halls.replace("’", "'")
    assert "disputed" in halls
    gutierrez_reed = bundled_site.soup("people/hannah-gutierrez-reed/index.html").get_text(" ", strip=True)
    assert "involuntary manslaughter" in gutierrez_reed
    assert not (bundled_site.out / "people" / "assistant-director").exists()
    assert not (ROOT / "content" / "people" / "assistant-director.md").exists()


def test_baldwin_is_actor_and_producer(bundled_site):
    role = next(p for p in story_json(bundled_site)["people"] if p["slug"] == "alec-baldwin")["role"]
    assert "actor" in role and "producer" in role


def test_the_story_runs_from_the_letter_to_december_2024(bundled_site):
    data = story_json(bundled_site)
    assert data["story"]["published"].startswith("2021-12")
    dates = {event["slug"]: event["date"] for event in data["events"]}
    assert dates["mitchell-lawsuit"] == "2021-11-17"
    assert dates["abc-interview"] == "2021-12-02"
    assert dates["open-letter"] == LETTER
    later = [date for date in dates.values() if date > LETTER]
    assert len(later) >= 10
    assert max(later).startswith("2024-12")
    for event in data["events"]:
        assert event["summary"] and event["sources"], event["slug"]


def test_update_log_is_dated_and_sourced(bundled_site):
    updates = [u for u in story_json(bundled_site)["updates"] if not u["minor"]]
    assert len(updates) >= 10
    dates = [u["date"] for u in updates]
    assert dates == sorted(dates)
    for update in updates:
        assert update["about"] and update["sources"], update["date"]
    for expected in ["2022-04-21", "2022-08-16", "2023-03-31", "2024-01-19", "2024-03-06", "2024-07-13", "2024-12-23"]:
        assert expected in dates
    # the log says when the story could be updated: never before the first report it cites
    source_dates = {source["id"]: source["date"] for source in story_json(bundled_site)["sources"]}
    for update in updates:
        cited = [source_dates[id_] for id_ in update["sources"] if source_dates[id_]]
        assert update["date"] >= min(cited), (update["date"], update["sources"])


def test_story_page_shows_key_points_and_updated_in_december_2024(bundled_site):
    data = story_json(bundled_site)
    assert 2 <= len(data["story"]["key_points"]) <= 6
    assert data["story"]["last_change"].startswith("2024-12")
    soup = bundled_site.soup("index.html")
    updated = [
        time["datetime"]
        for element in soup.find_all(string=lambda text: text and "Updated" in text)
        for time in element.parent.find_all("time", datetime=True)
    ]
    assert any(value.startswith("2024-12") for value in updated), updated
    text = soup.get_text(" ", strip=True)
    assert "What we know" in text
    assert "fired a gun" in text and "went off in the hands of Baldwin" in text


def test_sources_have_addresses_and_dates(bundled_site):
    sources = story_json(bundled_site)["sources"]
    assert len(sources) >= 8
    report = next(source for source in sources if source["id"] == REPORT)
    assert report["url"] is None and report["date"] is None and report["publisher"] is None
    # a short label in every "Sources:" line, explained once by its note on the sources page
    assert report["title"] == "Unattributed report on the crew's letter"
    assert "began from" in report["note"] and "no headline" in report["note"]
    others = [source for source in sources if source["id"] != REPORT]
    assert all(source["url"] and source["url"].startswith(("http://", "https://")) for source in others)
    assert all(source["publisher"] for source in others)
    assert len(others) >= 8
    assert all(source["date"] for source in others)  # reports the notes give no date for are left out


def test_the_report_the_story_began_from_is_named_shortly_and_explained_once(bundled_site):
    label = "Unattributed report on the crew’s letter"
    item = bundled_site.soup("sources/index.html").find(id=f"source-{REPORT}")
    assert item.select_one(".source-title").get_text(strip=True) == label
    note = item.select_one(".source-note").get_text(" ", strip=True)
    assert "began from" in note and "no headline" in note
    # every "Sources:" line names it by the label alone
    claim = bundled_site.soup("claims/set-not-chaotic/index.html")
    cited = [a.get_text(strip=True) for a in claim.select(".change-sources a")]
    report_links = [a.get_text(strip=True) for a in claim.select(f'.change-sources a[href*="#source-{REPORT}"]')]
    assert label in cited and report_links == [label]


def test_halyna_hutchinss_background_opens_on_her_and_links_words_of_its_sentences(bundled_site):
    page = bundled_site.soup("people/halyna-hutchins/index.html")
    background = page.find(id="background").find_parent("section")
    assert background.p.get_text(" ", strip=True).startswith("She was killed")
    assert not re.search(r"\(\s*<a\b[^>]*>[^<]*</a>\s*\)", str(background)), "no link set apart in brackets"
    assert {a.get_text(" ", strip=True) for a in background.find_all("a")} >= {"killed on the set", "Alec Baldwin"}


def test_claims_carry_a_verdict_history(bundled_site):
    claims = {claim["slug"]: claim for claim in story_json(bundled_site)["claims"]}
    trigger = claims["baldwin-did-not-pull-trigger"]
    assert [(step["date"], step["status"]) for step in trigger["status_history"]] == [
        ("2021-12-10", "unverified"),  # first rated when the explainer was published
        ("2022-08-16", "disputed"),
    ]
    assert trigger["status"] == "disputed"
    published = story_json(bundled_site)["story"]["published"]
    for claim in claims.values():
        assert claim["sources"], claim["slug"]
        # the site cannot have rated a claim before it existed
        assert all(step["date"] >= published for step in claim["status_history"]), claim["slug"]
        if claim["status_history"]:
            assert claim["status_history"][-1]["status"] == claim["status"], claim["slug"]
    disgruntled = "Those disgruntled few do not represent the views of all of us"
    assert any(claim["quote"] == disgruntled for claim in claims.values())
    page = bundled_site.soup("claims/baldwin-did-not-pull-trigger/index.html").get_text(" ", strip=True)
    assert "August 2022" in page or "2022-08" in page


def test_every_claim_page_title_names_who_made_it(bundled_site):
    data = story_json(bundled_site)
    names = {person["slug"]: person["name"] for person in data["people"]}
    for claim in data["claims"]:
        page = bundled_site.soup(f"claims/{claim['slug']}/index.html")
        title, heading = page.title.get_text(" ", strip=True), page.h1.get_text(" ", strip=True)
        assert any(typeset(names[slug]) in title for slug in claim["by"]), title  # typeset as pages are
        # read by headings, the claim is never the site's own statement: the h1 starts with who makes it
        assert any(heading.startswith(typeset(names[slug])) for slug in claim["by"]), heading


def test_answered_questions_have_answers(bundled_site):
    questions = {question["slug"]: question for question in story_json(bundled_site)["questions"]}
    answered = [q for q in questions.values() if q["status"] == "answered"]
    assert len(answered) >= 2
    for question in answered:
        assert question["answered"] and question["answer"] and question["sources"], question["slug"]
    # no court decided whether Baldwin was responsible: the question stays open, its summary says how far it got
    assert questions["who-is-responsible"]["status"] == "open"
    assert "without a verdict" in questions["who-is-responsible"]["summary"]
    assert questions["were-there-warning-signs"]["status"] == "answered"
    assert questions["did-baldwin-pull-the-trigger"]["status"] == "open"
    for question in questions.values():
        assert question["summary"], question["slug"]
    listing = bundled_site.soup("questions/index.html").get_text(" ", strip=True)
    assert "two misfires" in listing  # the answer is shown under the question


def test_dispute_links_in_bundled_story(bundled_site):
    disputed_by = bundled_site.section_links("claims/warning-signs-before-shooting/index.html", "Disputed by")
    assert disputed_by == ["claims/set-not-chaotic/index.html"]


def test_building_twice_gives_identical_bytes(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    story = copy_story(ROOT, tmp_path)
    build(story, first)
    build(story, second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    match, mismatch, errors = filecmp.cmpfiles(first, second, files, shallow=False)
    assert mismatch == [] and errors == []
    assert BuiltSite(first).pages()
