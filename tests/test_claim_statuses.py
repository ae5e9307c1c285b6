"""House verdicts: ``claim_statuses`` in explainer.yml adds or relabels claim statuses.

A copy of the living fixture with a house ``misleading`` verdict (borrowing the badge of ``false``), a relabelled
``supported`` and a ``needs-context`` verdict of its own, built once; then the mistakes a newsroom can make in
the setting or in a claim, each reported at its place.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from browser import AXE, VNU, axe_violations, browser_page, require
from conftest import FIXTURES, ROOT, BuiltSite, copy_project
from rebuilds import edit, serve_edit_equals_full_build

from explainer import reference
from explainer.build import build, check
from explainer.diagnostics import ContentError
from explainer.statuses import BUILT_IN_CLAIM_STATUSES, CLAIM_STATUS_IDS

MISLEADING = "Partly accurate, but it leaves a false impression."
NEEDS_CONTEXT = "Accurate, but it leaves out what readers need to judge it."
SETTINGS = f"""base_url: https://news.example.org/millbrook/
claim_statuses:
  misleading:
    label: Misleading
    meaning: {MISLEADING}
    like: false
  supported:
    label: Backed by evidence
  needs-context:
    label: Needs context
    meaning: {NEEDS_CONTEXT}
"""
MORE_CLAIMS = """- claim: The plant had passed its yearly inspection.
  by: [dana-ortiz]
  status: needs-context
  sources: [gazette-0410]
- claim: The leak began in January.
  by: [dana-ortiz]
  status: disputed
  sources: [gazette-0410]
"""
CLAIM_PAGE = "claims/water-safe/index.html"
BUILT_IN_MARKS = {status.mark for status in BUILT_IN_CLAIM_STATUSES}


def house_project(tmp_path: Path) -> Path:
    project = copy_project(FIXTURES / "living", tmp_path)
    (project / "explainer.yml").write_text(SETTINGS)
    claim = project / "content/claims/water-safe.md"
    edit(claim, "status: false\nsources", "status: misleading\nsources")
    edit(claim, "  - date: 2024-09-02\n    status: false", "  - date: 2024-09-02\n    status: misleading")
    with (project / "content/claims.yml").open("a") as claims:
        claims.write(MORE_CLAIMS)
    return project


@pytest.fixture(scope="module")
def house(tmp_path_factory) -> BuiltSite:
    project = house_project(tmp_path_factory.mktemp("house"))
    build(project)
    return BuiltSite(project / "build")


def badge(element) -> tuple[str, str, str, str]:
    """(classes, data-status, mark, word) of a status badge."""
    mark = element.select_one(".status-mark")
    return " ".join(element["class"]), element["data-status"], mark["data-mark"], element.get_text(strip=True)


def json_ld(site: BuiltSite, page: str) -> dict:
    found = {}
    for script in site.soup(page).find_all("script", type="application/ld+json"):
        data = json.loads(script.string)
        for item in data.get("@graph", [data]):
            found[item["@type"]] = item
    return found


# --- pages ------------------------------------------------------------------------------------------------------


def test_the_claim_page_shows_the_house_label_meaning_and_a_badge_with_a_mark(house):
    soup = house.soup(CLAIM_PAGE)
    status = soup.select_one("dd .status")
    classes, status_id, mark, word = badge(status)
    assert word == "Misleading" and status_id == "misleading"
    assert "status-false" in classes.split() and mark == "✗"  # borrowed from `false`: its shape and colour
    assert status.find_next_sibling(class_="status-meaning").get_text(strip=True) == MISLEADING
    assert status.select_one(".status-mark")["aria-hidden"] == "true"  # the word says it; the mark is a shape
    steps = [step.get_text(" ", strip=True) for step in soup.select(".verdict-step")]
    assert steps[-1] == "Disputed → Misleading"
    assert "Our rating: Misleading." in soup.find("meta", attrs={"name": "description"})["content"]


def test_a_new_status_without_like_gets_the_neutral_badge_and_a_mark_of_its_own(house):
    claims = house.soup("claims/index.html")
    classes, _, mark, word = badge(claims.select_one("#status-needs-context .status"))
    assert classes.split() == ["status", "status-custom"] and word == "Needs context"
    assert mark and mark not in BUILT_IN_MARKS
    css = (ROOT / "themes/default/static/style.css").read_text()
    assert ".status-custom {" in css and "content: attr(data-mark)" in css


def test_a_relabelled_built_in_keeps_its_badge_and_meaning(house):
    soup = house.soup("claims/index.html")
    classes, status_id, mark, word = badge(soup.select_one("#status-supported .status"))
    assert (classes, status_id, mark, word) == ("status status-supported", "supported", "✓", "Backed by evidence")
    meaning = soup.select_one("#status-supported").find_next("p").get_text(strip=True)
    assert meaning == "Backed by evidence, though not yet fully confirmed."


def test_the_claims_index_and_story_page_group_in_the_configured_order(house):
    # the configured statuses as written, then the built-in ones not listed; empty groups are left out
    expected = ["misleading", "supported", "needs-context", "disputed"]
    claims = house.soup("claims/index.html")
    assert [h2["id"].removeprefix("status-") for h2 in claims.select("h2[id^=status-]")] == expected
    groups = house.soup("index.html").select("section[aria-labelledby=claims-glance] h3 .status")
    assert [group["data-status"] for group in groups] == expected
    assert [group.get_text(strip=True) for group in groups] == [
        "Misleading",
        "Backed by evidence",
        "Needs context",
        "Disputed",
    ]


def test_the_who_says_what_picture_draws_the_house_verdict(house):
    svg = house.soup("claims/index.html").find("svg")
    verdict = svg.select_one('g[data-status="misleading"]')
    assert "status-false" in verdict["class"] and verdict.get_text(" ", strip=True) == "✗ Misleading"
    assert svg.select_one('g[data-status="needs-context"]')["class"] == ["status-custom"]


def test_feeds_and_share_images_say_the_house_verdict(house):
    feed = (house.out / "claims/water-safe/feed.xml").read_text()
    assert "Disputed → Misleading" in feed
    image = house.soup(CLAIM_PAGE).find("meta", property="og:image:alt")["content"]
    assert image.endswith("Our rating: Misleading")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["claims/index.html", CLAIM_PAGE, "index.html"])
def test_house_badges_have_no_axe_violations(house, browser, scheme, path):
    require(AXE, "axe-core")
    with browser_page(browser, scheme, 320) as page:
        page.goto((house.out / path).as_uri())
        assert axe_violations(page) == []
        # the mark is drawn from data-mark: a shape readers see beside the word
        mark = page.evaluate(
            "getComputedStyle(document.querySelector('[data-status=needs-context] .status-mark'), '::before').content"
            if path == "claims/index.html"
            else "getComputedStyle(document.querySelector('.status .status-mark'), '::before').content"
        )
        assert mark.strip('"') in ("◆", "✗", "⇄")


def test_house_pages_pass_the_nu_html_checker(house):
    require(VNU, "vnu-jar")
    if shutil.which("java") is None:
        pytest.fail("java is needed for the Nu HTML Checker (apt-get install default-jre-headless)")
    pages = [str(house.out / path) for path in ("index.html", "claims/index.html", CLAIM_PAGE)]
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", *pages], capture_output=True, text=True, timeout=300
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    assert [m for m in messages if m.get("type") == "error"] == []


def test_built_in_words_are_translated_and_house_words_shown_as_written(tmp_path):
    project = house_project(tmp_path)
    catalog = project / "theme/locale/de/LC_MESSAGES/messages.po"
    catalog.parent.mkdir(parents=True)
    catalog.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Disputed"\nmsgstr "Umstritten"\n\n'
        'msgid "Backed by evidence, though not yet fully confirmed."\nmsgstr "Belegt, aber noch nicht bestätigt."\n'
    )
    edit(project / "explainer.yml", "claim_statuses:", "language: de\ntheme: theme\nclaim_statuses:")
    build(project)
    soup = BuiltSite(project / "build").soup("claims/index.html")
    words = {badge["data-status"]: badge.get_text(strip=True) for badge in soup.select("h2 .status")}
    assert words["disputed"] == "Umstritten" and words["misleading"] == "Misleading"  # as the newsroom wrote it
    meaning = soup.select_one("#status-supported").find_next("p").get_text(strip=True)
    assert meaning == "Belegt, aber noch nicht bestätigt."  # a relabelled built-in keeps its translated meaning


# --- data -------------------------------------------------------------------------------------------------------


def test_story_json_carries_the_status_and_validates_against_both_schemas(house):
    document = json.loads((house.out / "story.json").read_text())
    claim = next(c for c in document["claims"] if c["slug"] == "water-safe")
    assert claim["status"] == "misleading" and claim["status_history"][-1]["status"] == "misleading"
    listed = {status["id"]: status for status in document["claim_statuses"]}
    assert list(listed)[:3] == ["misleading", "supported", "needs-context"]
    assert listed["misleading"] == {
        "id": "misleading",
        "label": "Misleading",
        "meaning": MISLEADING,
        "built_in": False,
        "like": "false",
    }
    docs_schema = json.loads((ROOT / "docs/story.schema.json").read_text())
    site_schema = reference.story_schema(tuple(listed))
    for schema in (docs_schema, site_schema):
        jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)
    assert site_schema["properties"]["claims"]["items"]["properties"]["status"] == {"enum": list(listed)}
    claim["status"] = "made-up"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, site_schema)


def test_json_ld_review_rating_names_the_verdict_as_readers_read_it(house):
    rating = json_ld(house, CLAIM_PAGE)["ClaimReview"]["reviewRating"]
    assert rating == {
        "@type": "Rating",
        "alternateName": "Misleading",  # the textual rating search engines show
        "identifier": "misleading",
        "ratingExplanation": MISLEADING,
    }


# --- mistakes ---------------------------------------------------------------------------------------------------


def test_an_unknown_status_names_the_allowed_ones_at_the_claims_line(tmp_path):
    project = house_project(tmp_path)
    edit(project / "content/claims.yml", "status: needs-context", "status: needs-contxt")
    result = subprocess.run(
        [sys.executable, "-m", "explainer", "build", str(project)], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    allowed = "misleading, supported, needs-context, unverified, disputed, confirmed, false, retracted"
    assert (
        "content/claims.yml:8:11: error: 'status' is 'needs-contxt', which is not one of the claim statuses: "
        f"{allowed}\n  hint: did you mean 'needs-context'?"
    ) in result.stderr
    assert not (project / "build").exists()


def test_an_unknown_status_in_a_verdict_history_is_found_too(tmp_path):
    project = house_project(tmp_path)
    edit(project / "content/claims/water-safe.md", "    status: disputed", "    status: misleadin")
    with pytest.raises(ContentError) as raised:
        check(project)
    [problem] = raised.value.diagnostics
    assert (problem.span.line, problem.span.column) == (13, 13)
    assert "'misleadin'" in problem.message and problem.hint == "did you mean 'misleading'?"


SETTING_MISTAKES = {
    "not a map": ("claim_statuses: [misleading]\n", (1, 17), "must be a map of status id", "misleading: {label"),
    "bad id": (
        "claim_statuses:\n  Half True: {label: Half true, meaning: Some of it.}\n",
        (2, 3),
        "claim status id 'Half True' may only hold lowercase letters, digits and hyphens",
        "'half-true'",
    ),
    "a question's status": (
        "claim_statuses:\n  open: {label: Open, meaning: Not settled.}\n",
        (2, 3),
        "'open' is a question's status",
        "another id",
    ),
    "unknown key": (
        "claim_statuses:\n  false:\n    lable: Wrong\n",
        (3, 5),
        "unknown field 'lable' in claim status 'false'",
        "did you mean 'label'?",
    ),
    "missing label": (
        "claim_statuses:\n  misleading:\n    meaning: It misleads.\n",
        (2, 3),
        "the new claim status 'misleading' has no label",
        "add label:",
    ),
    "missing meaning": (
        "claim_statuses:\n  misleading: {label: Misleading}\n",
        (2, 3),
        "the new claim status 'misleading' has no meaning",
        "add meaning:",
    ),
    "like names no built-in status": (
        "claim_statuses:\n  misleading: {label: Misleading, meaning: It misleads., like: flase}\n",
        (2, 64),
        "'like' is 'flase', which is not one of: " + ", ".join(CLAIM_STATUS_IDS),
        "did you mean 'false'?",
    ),
    "like on a built-in status": (
        "claim_statuses:\n  false:\n    label: Wrong\n    like: disputed\n",
        (4, 5),
        "'false' is a built-in status with a badge of its own",
        "remove the like line",
    ),
    "a status that is not a map": (
        "claim_statuses:\n  misleading: Misleading\n",
        (2, 15),
        "claim status 'misleading' must be a mapping",
        "field: value",
    ),
    "an empty label": (
        "claim_statuses:\n  false: {label: ''}\n",
        (2, 18),
        "'label' is empty",
        None,
    ),
}


@pytest.mark.parametrize("name", SETTING_MISTAKES)
def test_each_setting_mistake_is_reported_at_its_place(name, tmp_path):
    text, (line, column), message, hint = SETTING_MISTAKES[name]
    project = copy_project(FIXTURES / "living", tmp_path)
    (project / "explainer.yml").write_text(text)
    with pytest.raises(ContentError) as raised:
        check(project)
    [problem] = [d for d in raised.value.diagnostics if d.severity == "error"]
    assert problem.span.path.name == "explainer.yml"
    assert (problem.span.line, problem.span.column) == (line, column), problem.format()
    assert message in problem.message, problem.format()
    if hint is not None:
        assert hint in (problem.hint or ""), problem.format()


def test_claims_using_a_status_whose_setting_is_broken_are_not_told_again(tmp_path):
    project = house_project(tmp_path)
    edit(project / "explainer.yml", "    like: false", "    like: flase")
    with pytest.raises(ContentError) as raised:
        check(project)
    assert [d.span.path.name for d in raised.value.diagnostics if d.severity == "error"] == ["explainer.yml"]


def test_a_built_in_listed_with_nothing_only_moves_up(tmp_path):
    project = copy_project(FIXTURES / "living", tmp_path)
    edit(project / "explainer.yml", "base_url:", "claim_statuses:\n  false:\nbase_url:")
    build(project)
    site = BuiltSite(project / "build")
    groups = [h2.get_text(strip=True) for h2 in site.soup("claims/index.html").select("h2[id^=status-]")]
    assert groups == ["False", "Supported"]


# --- rebuilds ---------------------------------------------------------------------------------------------------


def test_editing_claim_statuses_rebuilds_exactly_what_a_full_build_gives(tmp_path):
    project = house_project(tmp_path)
    shutil.rmtree(project / "build", ignore_errors=True)

    def relabel(root: Path) -> None:
        edit(root / "explainer.yml", "label: Misleading", "label: Half true")

    update = serve_edit_equals_full_build(project, relabel, tmp_path)
    assert "claims/water-safe/index.html" in update.changed and "story.json" in update.changed
