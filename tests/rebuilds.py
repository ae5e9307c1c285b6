"""Edits every rebuild test makes, and the builds they compare: shared by the incremental, cache and living tests.

After each edit, a rebuild (the serve session, or the CLI build with its cache) must give exactly the files a
full build gives.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from explainer.build import build
from explainer.buildcache import CACHE_DIR
from explainer.incremental import Session, Update

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
    "house verdict": lambda p: (
        edit(
            p / "explainer.yml",
            "title: Base story",
            "title: Base story\nclaim_statuses:\n  misleading: {label: Misleading, meaning: It misleads., like: false}",
        ),
        edit(p / "content/claims/other-claim.md", "status: false", "status: misleading"),
    ),
    "template": lambda p: (
        (p / "theme/templates").mkdir(parents=True),
        (p / "theme/templates/claim.html").write_text(
            '{% extends "base.html" %}{% block main %}<h1>{{ entry.claim }}</h1>{% endblock %}'
        ),
        edit(p / "explainer.yml", "title: Base story", "title: Base story\ntheme: theme"),
    ),
}


def full_build(project: Path, tmp: Path) -> dict[str, bytes]:
    files = dict(build(project, tmp / "full").files)  # read back from the folder, before it goes
    shutil.rmtree(tmp / "full")
    return files


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def times(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def from_scratch(project: Path, tmp: Path) -> dict[str, bytes]:
    """The same project built by a copy with no cache at all."""
    fresh = tmp / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns(CACHE_DIR, "build"))
    build(fresh, search=False)
    return tree(fresh / "build")


def serve_edit_equals_full_build(project: Path, edit: Callable[[Path], object], tmp: Path) -> Update:
    """Serve ``project``, make ``edit``, and check the session now holds exactly a full build's files and
    reports exactly the files that changed; the update, for more checks."""
    session = Session(project)
    assert session.update().ok
    before = dict(session.files)
    edit(project)
    update = session.update(p for p in project.rglob("*") if p.is_file())
    assert update.ok, update.diagnostics
    assert session.files == full_build(project, tmp)
    assert update.changed == {k for k in before.keys() | session.files.keys() if before.get(k) != session.files.get(k)}
    return update
