"""`explainer new update` and `explainer correct`: one item added and nothing else changed, the story builds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, BuiltSite, copy_project

from explainer.build import build, load
from explainer.diagnostics import Diagnostics
from explainer.living import CORRECTION, UPDATE, Chronicle

TRICKY = "It's 2,400 homes: not 4,000 # per the mayor's office - \"final\" [sic]"


def run(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "explainer", *args], capture_output=True, text=True)
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture()
def living(tmp_path) -> Path:
    return copy_project(FIXTURES / "living", tmp_path)


@pytest.fixture()
def complete(tmp_path) -> Path:
    return copy_project(FIXTURES / "complete", tmp_path)


def chronicle(project: Path) -> Chronicle:
    diagnostics = Diagnostics()
    linked = load(project, diagnostics)
    assert diagnostics.errors == []
    return Chronicle(linked)


def snapshot(project: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(project)): p.read_bytes() for p in sorted((project / "content").rglob("*")) if p.is_file()
    }


def inserted(old: bytes, new: bytes) -> bytes:
    """What was added to ``old`` to make ``new``, when that is all that changed (one run of bytes)."""
    prefix = 0
    while prefix < len(old) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = len(old) - prefix
    assert new.startswith(old[:prefix]) and new.endswith(old[prefix:]), "more than one place changed"
    return new[prefix : len(new) - suffix]


def last_change(project: Path, kind: str, key: str | None):
    found = [
        c
        for c in chronicle(project).changes
        if c.kind == kind and (c.subject.key if c.subject is not None else None) == key
    ]
    return max(found, key=lambda change: change.date.sort_key)


# --- explainer new update --------------------------------------------------------


def test_new_update_is_appended_and_is_the_newest_change(living):
    path = living / "content" / "updates.yml"
    old = path.read_bytes()
    result = run("new", "update", TRICKY + " [[Ada Quinn]]", "--project", str(living))
    assert result.returncode == 0, result.stderr
    assert "content/updates.yml:18: added this update:" in result.stdout
    added = inserted(old, path.read_bytes())
    assert path.read_bytes().startswith(old) and added.startswith(b"- date: ")
    item = yaml.safe_load(added)[0]
    assert item["summary"] == TRICKY + " [[Ada Quinn]]"
    assert len(item["date"]) == len("2026-11-26T15:30+00:00") and item["date"][10] == "T"
    newest = chronicle(living).changes[0]
    assert newest.kind == UPDATE and newest.text.text == TRICKY + " [[Ada Quinn]]" and newest.date.hour is not None
    site = BuiltSite(build(living, living / "build").out)
    assert site.broken_links() == []
    if "updates/index.html" in site.pages():
        assert "2,400 homes" in site.soup("updates/index.html").get_text()


def test_new_update_creates_the_log(complete):
    assert not (complete / "content" / "updates.yml").exists()
    result = run("new", "update", "The bridge reopened.", "--project", str(complete))
    assert result.returncode == 0, result.stderr
    assert (complete / "content" / "updates.yml").read_text().startswith("- date: ")
    assert [c.text.text for c in chronicle(complete).changes if c.kind == UPDATE] == ["The bridge reopened."]


@pytest.mark.parametrize(
    "before",
    [
        "",
        "# the update log\n",
        "[]\n",
        "[]  # nothing yet\n",
        "[]",
        "- date: 2024-03-04\n  summary: First.",  # no line ending at the end
        "- date: 2024-03-04\r\n  summary: First.\r\n",
        "[{date: 2024-03-04, summary: First.}]\n",
        "- date: 2024-03-04\n  summary: First.\n\n# older items were moved away\n",
    ],
)
def test_new_update_in_a_log_written_any_way(complete, before):
    path = complete / "content" / "updates.yml"
    path.write_bytes(before.encode())
    result = run("new", "update", TRICKY, "--project", str(complete))
    assert result.returncode == 0, result.stderr
    after = path.read_bytes()
    items = yaml.safe_load(after)
    assert [item["summary"] for item in items][-1] == TRICKY
    assert len(items) == (2 if "First." in before else 1)
    if not before.startswith("["):
        assert after.startswith(before.encode())
    if "\r\n" in before:
        assert b"\n" not in after.replace(b"\r\n", b"")
    updates = [c for c in chronicle(complete).changes if c.kind == UPDATE]
    assert updates[0].text.text == TRICKY


@pytest.mark.parametrize(
    "before,message",
    [
        ("title: not a list\n", "updates.yml:1:1: updates.yml is not a list of updates"),
        ("- date: 2024-03-04\n  summary: [unclosed\n", "updates.yml:3:1: invalid YAML"),
        ("{}\n", "updates.yml:1:1: updates.yml is not a list of updates"),
    ],
)
def test_new_update_refuses_a_log_it_cannot_add_to(complete, before, message):
    path = complete / "content" / "updates.yml"
    path.write_text(before)
    result = run("new", "update", "Something new.", "--project", str(complete))
    assert result.returncode == 2
    assert message in result.stderr and "nothing was written" in result.stderr
    assert path.read_text() == before


def test_new_update_with_an_unknown_wikilink_is_undone(living):
    before = snapshot(living)
    result = run("new", "update", "[[Ada Qinn]] resigned.", "--project", str(living))
    assert result.returncode == 2
    assert "[[Ada Qinn]] does not match any entry" in result.stderr
    assert "did you mean [[Ada Quinn]]?" in result.stderr and "left as it was" in result.stderr
    assert snapshot(living) == before


@pytest.mark.parametrize("text", ["", "   ", "two\nlines"])
def test_new_update_needs_one_line_of_text(living, text):
    before = snapshot(living)
    result = run("new", "update", text, "--project", str(living))
    assert result.returncode == 2 and result.stderr.startswith(("error: the summary ", "error: summaries are one line"))
    assert snapshot(living) == before


# --- explainer correct -------------------------------------------------------------


@pytest.mark.parametrize(
    "project,target,file,line",
    [
        ("living", "people/ada-quinn", "people/ada-quinn.md", 9),  # Markdown, a corrections list already
        ("living", "person/ben-hale", "people.yml", 8),  # the last item of a YAML list
        ("living", "story", "story.md", 13),
        ("living", "claims/water-safe", "claims/water-safe.md", 20),  # after a nested status_history list
        ("complete", "people/dana-lee", "people.yml", 6),  # after a body: | block
        ("complete", "people/city-council", "people.yml", 10),  # an item in the middle
        ("complete", "people/mayor-jane-park", "people/mayor-jane-park.md", 11),  # after a links: mapping
        ("complete", "claims/bridge-safe", "claims/bridge-safe.md", None),
        ("complete", "story", "story.md", None),
    ],
)
def test_correct_adds_lines_and_changes_nothing_else(request, project, target, file, line):
    root = request.getfixturevalue(project)
    path = root / "content" / file
    old = path.read_bytes()
    others = {name: data for name, data in snapshot(root).items() if name != f"content/{file}"}
    result = run("correct", target, TRICKY, "--project", str(root))
    assert result.returncode == 0, result.stderr
    added = inserted(old, path.read_bytes())
    assert added.endswith(b"\n")
    assert f"content/{file}:" in result.stdout.splitlines()[0]
    if line is not None:
        assert result.stdout.splitlines()[0].endswith(f"{file}:{line}: added this correction:")
    lines = added.decode().splitlines()
    assert any(text.strip().startswith("- date: ") for text in lines)
    assert {name: data for name, data in snapshot(root).items() if name != f"content/{file}"} == others
    key = None if target == "story" else target.replace("person/", "people/")
    change = last_change(root, CORRECTION, key)
    assert change.text.text == TRICKY and change.date.day is not None


@pytest.mark.parametrize(
    "written,expected",
    [
        ("  corrections: []\n", "  corrections:\n    - date: {today}\n      text: Fixed.\n"),
        ("  corrections: []  # none yet\n", "  corrections:  # none yet\n    - date: {today}\n      text: Fixed.\n"),
        ("  corrections:\n", "  corrections:\n    - date: {today}\n      text: Fixed.\n"),
        (
            "  corrections: [{date: 2024-01-02, text: Old.}]\n",
            '  corrections: [{date: 2024-01-02, text: Old.}, {date: "{today}", text: "Fixed."}]\n',
        ),
    ],
)
def test_correct_an_entry_whose_corrections_are_empty_or_in_brackets(living, written, expected):
    path = living / "content" / "people.yml"
    text = path.read_text().replace("- name: Riverside Plant\n", "- name: Riverside Plant\n" + written)
    path.write_text(text)
    result = run("correct", "people/riverside-plant", "Fixed.", "--project", str(living))
    assert result.returncode == 0, result.stderr
    today = last_change(living, CORRECTION, "people/riverside-plant").date.iso()
    assert path.read_text() == text.replace(written, expected.replace("{today}", today))


def test_correct_a_list_file_without_a_final_line_ending(living):
    path = living / "content" / "people.yml"
    old = path.read_bytes().rstrip(b"\n")
    path.write_bytes(old)
    assert run("correct", "people/ben-hale", "Fixed.", "--project", str(living)).returncode == 0
    new = path.read_bytes()
    assert new.startswith(old + b"\n  corrections:\n    - date: ") and new.endswith(b"    text: Fixed.\n")


def test_correct_keeps_crlf_line_endings(living):
    path = living / "content" / "people" / "ada-quinn.md"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    old = path.read_bytes()
    assert run("correct", "people/ada-quinn", "Fixed.", "--project", str(living)).returncode == 0
    added = inserted(old, path.read_bytes())
    assert added.count(b"\r\n") == 2 and added.count(b"\n") == 2


@pytest.mark.parametrize(
    "target,message,hint",
    [
        ("people/ada-quin", "unknown person 'ada-quin'", "did you mean people/ada-quinn?"),
        ("people/nobody-at-all", "unknown person 'nobody-at-all'", "known people: ada-quinn, ben-hale"),
        ("peple/ada-quinn", "unknown kind 'peple'", "did you mean 'people/ada-quinn'?"),
        ("ada-quinn", "say which entry, as kind/slug", "write it as people/ada-quinn"),
        ("events/ada-quinn", "'ada-quinn' is not a event; it is a person (people/ada-quinn)", None),
        ("claims/the-plants-leak", "unknown claim", "did you mean claims/the-plants-leak-caused-the-contamination?"),
    ],
)
def test_correct_refuses_an_unknown_entry_with_the_candidates(living, target, message, hint):
    before = snapshot(living)
    result = run("correct", target, "Fixed.", "--project", str(living))
    assert result.returncode == 2
    assert result.stderr.startswith("error: cannot correct ") and message in result.stderr
    if hint:
        assert f"hint: {hint}" in result.stderr
    assert snapshot(living) == before


def test_correct_refuses_a_flow_mapping_entry(living):
    path = living / "content" / "people.yml"
    path.write_text(path.read_text() + "- {name: Cleo Park, role: Reporter}\n")
    before = snapshot(living)
    result = run("correct", "people/cleo-park", "Fixed.", "--project", str(living))
    assert result.returncode == 2
    assert "people.yml:8:3: this entry is written as {...}" in result.stderr
    assert "hint: write its fields one per line" in result.stderr
    assert snapshot(living) == before


def test_correct_refuses_corrections_that_are_not_a_list(living):
    path = living / "content" / "people" / "ada-quinn.md"
    path.write_text(path.read_text().replace("corrections:\n  - date: 2024-04-12\n    text:", "corrections:"))
    before = snapshot(living)
    result = run("correct", "people/ada-quinn", "Fixed.", "--project", str(living))
    assert result.returncode == 2
    assert "ada-quinn.md:6:14: 'corrections' is not a list" in result.stderr
    assert snapshot(living) == before


def test_correct_with_an_unknown_wikilink_is_undone(living):
    before = snapshot(living)
    result = run("correct", "people/ada-quinn", "She works with [[Dana Ortis]].", "--project", str(living))
    assert result.returncode == 2
    assert "[[Dana Ortis]] does not match any entry" in result.stderr and "[[Dana Ortiz]]" in result.stderr
    assert snapshot(living) == before
