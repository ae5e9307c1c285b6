"""Rebuilding only the affected pages never serves stale output: after every kind of edit,
the incremental result equals a full build byte for byte, and unaffected pages are not re-rendered."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES

from explainer.build import build
from explainer.incremental import Session

BASE = Path(__file__).parent / "broken" / "_base"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


EDITS = {
    "body": lambda p: edit(p / "content/people/ann-lee.md", "Ann Lee was there.", "Ann Lee saw it all."),
    "name shown on other pages": lambda p: edit(p / "content/people/ann-lee.md", "name: Ann Lee", "name: Ann Leigh"),
    "role": lambda p: edit(p / "content/people/ann-lee.md", "role: Witness", "role: Key witness"),
    "alias used by a wikilink": lambda p: edit(
        p / "content/people.yml", "- name: Bob Stone", "- name: Bob Stone\n  aliases: [Bobby]"
    ),
    "wikilink added": lambda p: edit(
        p / "content/events/first-event.md", "It happened.", "It happened to [[Bob Stone]]."
    ),
    "reference changed": lambda p: edit(p / "content/claims/main-claim.md", "by: [ann-lee]", "by: [bob-stone]"),
    "status": lambda p: edit(p / "content/claims/other-claim.md", "status: false", "status: retracted"),
    "event moves on the timeline": lambda p: (
        (p / "content/events/second.md").write_text(
            "---\ntitle: Second\ndate: 2024-05-01\npeople: [ann-lee]\n---\nLater.\n"
        ),
        edit(p / "content/events/first-event.md", "date: 2024-04-02\nend_date: 2024-04-03", "date: 2024-06-02"),
    ),
    "entry added": lambda p: (p / "content/questions/new-one.md").write_text(
        "---\nquestion: Who else saw it?\nabout: [people/ann-lee]\n---\n"
    ),
    "entry removed": lambda p: (p / "content/questions/open-question.md").unlink(),
    "source title": lambda p: edit(p / "content/sources.yml", "title: The report", "title: The full report"),
    "image bytes": lambda p: (p / "content/images/ann.png").write_bytes(b"\x89PNG\r\n\x1a\nnew"),
    "story title (on every page)": lambda p: edit(
        p / "content/story.md", "title: The base story", "title: A new title"
    ),
    "setting": lambda p: edit(p / "explainer.yml", "title: Base story", "title: Renamed site"),
    "template": lambda p: (
        (p / "theme/templates").mkdir(parents=True),
        (p / "theme/templates/claim.html").write_text(
            '{% extends "base.html" %}{% block main %}<h1>{{ entry.claim }}</h1>{% endblock %}'
        ),
        edit(p / "explainer.yml", "title: Base story", "title: Base story\ntheme: theme"),
    ),
}


def full_build(project: Path, tmp: Path) -> dict[str, bytes]:
    result = build(project, tmp / "full")
    shutil.rmtree(tmp / "full")
    return result.files


@pytest.mark.parametrize("name", EDITS)
def test_incremental_equals_full_build(name, tmp_path):
    project = tmp_path / "story"
    shutil.copytree(BASE, project)
    session = Session(project)
    assert session.update().ok
    before = dict(session.files)
    EDITS[name](project)
    update = session.update(p for p in project.rglob("*") if p.is_file())
    assert update.ok, update.diagnostics
    assert session.files == full_build(project, tmp_path)
    assert update.changed == {k for k in before.keys() | session.files.keys() if before.get(k) != session.files.get(k)}


def test_a_body_edit_renders_only_its_own_page(tmp_path):
    project = tmp_path / "story"
    shutil.copytree(FIXTURES / "complete", project)
    edit(project / "explainer.yml", "theme: theme\n", "")  # the default theme: page-level knowledge applies
    session = Session(project)
    first = session.update()
    assert first.ok and first.rendered == 25  # 23 pages, search and 404
    assert session.update().rendered == 0
    edit(project / "content/events/closure.md", "at dawn.", "before dawn.")
    update = session.update([project / "content/events/closure.md"])
    assert update.rendered == 1
    assert {name for name in update.changed if name.endswith(".html")} == {"events/closure/index.html"}


def test_a_rename_renders_every_page_that_shows_the_name_and_no_other(tmp_path):
    project = tmp_path / "story"
    shutil.copytree(FIXTURES / "complete", project)
    edit(project / "explainer.yml", "theme: theme\n", "")
    session = Session(project)
    session.update()
    edit(project / "content/people.yml", "- name: Dana Lee", "- slug: dana-lee\n  name: Dana Lee-Smith")
    update = session.update([project / "content/people.yml"])
    pages = {name for name in update.changed if name.endswith(".html")}
    assert session.files == full_build(project, tmp_path)
    for name, data in session.files.items():
        if name.endswith(".html") and b"Dana Lee-Smith" in data:
            assert name in pages, name
    assert "claims/costs-claim/index.html" not in pages
    assert update.rendered < 25


def test_a_broken_edit_keeps_the_last_good_files(tmp_path):
    project = tmp_path / "story"
    shutil.copytree(BASE, project)
    session = Session(project)
    session.update()
    good = dict(session.files)
    edit(project / "content/claims/main-claim.md", "by: [ann-lee]", "by: [nobody]")
    update = session.update([project / "content/claims/main-claim.md"])
    assert not update.ok and not session.ok
    assert any("unknown person 'nobody'" in d.message for d in update.diagnostics)
    assert session.files == good
    edit(project / "content/claims/main-claim.md", "by: [nobody]", "by: [ann-lee]")
    assert session.update([project / "content/claims/main-claim.md"]).ok
    assert session.files == good
