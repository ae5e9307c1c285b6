"""Linking again after an edit: the entries read again are linked anew and every other entry's links are reused,
and the result (references, backlinks, citations, wikilinks, the timeline, the update log, the diagnostics) is the
same as a whole link's, for every kind of edit. Edits that change what a reference may resolve to (a name, an
alias, a slug, an added or removed entry, the source ids) link the whole story."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES
from rebuilds import edit

from explainer import linker
from explainer.diagnostics import Diagnostics, Span
from explainer.linker import Linked, link
from explainer.model import KINDS
from explainer.reader import ReadCache, read_project

ADDED_UPDATES = """- date: 2024-03-04
  summary: '[[Dana Lee]] spoke to the council about [[claims/bridge-safe]].'
  about: [people/dana-lee, claims/bridge-safe]
  sources: [engineer-report]
"""

# (fixture, file, old text, new text, whether the edit can be linked incrementally)
EDITS = {
    "body": ("complete", "content/events/closure.md", "at dawn.", "before dawn.", True),
    "wikilink added": ("complete", "content/events/closure.md", "at dawn.", "at dawn with [[Dana Lee]].", True),
    "wikilink removed": ("complete", "content/questions/when-reopen.md", "see [[claims/bridge-safe]].", "ask.", True),
    "the only use of a wikilink text removed": (
        "complete",
        "content/events/closure.md",
        "[[Mayor Park|mayor]]",
        "mayor",
        True,
    ),
    "typed reference changed": ("complete", "content/claims/bridge-safe.md", "by: [dana-lee, ", "by: [", True),
    "about changed": (
        "complete",
        "content/questions/when-reopen.md",
        "about: [events/closure, people/mayor-jane-park]",
        "about: [events/inspection]",
        True,
    ),
    "disputes changed": ("complete", "content/claims/bridge-safe.md", "disputes: [bridge-unsafe]", "", True),
    "supports changed": (
        "complete",
        "content/claims.yml",
        "supports: [bridge-safe]",
        "supports: [bridge-unsafe]",
        True,
    ),
    "sources of an entry changed": (
        "complete",
        "content/events/closure.md",
        "sources: [city-release]",
        "sources: [engineer-report, city-release]",
        True,
    ),
    "a source's title (same ids)": ("complete", "content/sources.yml", "title: Inspection report", "title: R", True),
    "a much-linked entry's body": ("complete", "content/people/mayor-jane-park.md", "ordered the", "ordered a", True),
    "the story's body": ("complete", "content/story.md", "closed the bridge", "shut the bridge", True),
    "the story's wikilink removed": ("complete", "content/story.md", "[[council-vote]]", "vote", True),
    "event date (timeline)": (
        "complete",
        "content/events/closure.md",
        "date: 2024-02-21T06:00+01:00",
        "date: 2023-01-01",
        True,
    ),
    "broken link introduced": ("complete", "content/events/closure.md", "at dawn.", "at [[nobody-at-all]].", True),
    "broken reference introduced": ("complete", "content/claims/bridge-safe.md", "by: [dana-lee, ", "by: [x, ", True),
    "unknown source introduced": ("complete", "content/events/closure.md", "[city-release]", "[no-such]", True),
    "rename (name)": ("complete", "content/people/mayor-jane-park.md", "name: Jane Park", "name: Jane Parks", False),
    "alias added": ("complete", "content/people/mayor-jane-park.md", "aliases: [", "aliases: [Jane, ", False),
    "slug changed": ("complete", "content/claims.yml", "slug: costs-claim", "slug: cost-claim", False),
    "source id changed": ("complete", "content/sources.yml", "id: engineer-report", "id: engineers-report", False),
    "update log edited": (
        "living",
        "content/updates.yml",
        "about: [people/ben-hale]",
        "about: [people/ada-quinn]",
        True,
    ),
    "entry named by the update log": ("living", "content/people/ada-quinn.md", "\n---\n", "\n---\nMore. ", True),
}


def summary(linked: Linked, diagnostics: Diagnostics) -> dict:
    """Everything the link made, by key; and a check that every object named is the one read now."""
    content = linked.content
    current = {entry.key: entry for entry in content.all_entries()}

    def now(entry):
        if entry is None:
            return None
        assert current[entry.key] is entry, f"{entry.key} is an object from an earlier read"
        return entry.key

    refs = {}
    for entry in content.all_entries():
        for attribute, _ in KINDS[entry.collection].references():
            refs[(entry.key, attribute)] = [(ref.target, now(ref.entry)) for ref in getattr(entry, attribute)]
    for update in content.updates:
        refs[("update", update.order)] = [(ref.target, now(ref.entry)) for ref in update.about]
    return {
        "refs": refs,
        "incoming": {key: [(now(b.origin), b.relation) for b in links] for key, links in linked.incoming.items()},
        "citations": {key: [now(e) for e in entries] for key, entries in linked.citations.items()},
        "wikilinks": {text: now(entry) for text, entry in linked.wikilinks.items()},
        "timeline": [now(event) for event in linked.timeline],
        "updates_about": {key: [u.order for u in updates] for key, updates in linked.updates_about.items()},
        "sources": {
            key: source is next(s for s in content.sources if s.id == key) for key, source in linked.sources.items()
        },
        "diagnostics": list(diagnostics.items),
    }


def full_link(project: Path) -> tuple[Linked, Diagnostics]:
    diagnostics = Diagnostics()
    linked = link(read_project(project, diagnostics), diagnostics)
    return linked, diagnostics


@pytest.mark.parametrize("name", EDITS)
def test_linking_again_equals_a_whole_link(name, tmp_path, monkeypatch):
    fixture, path, old, new, incremental = EDITS[name]
    project = tmp_path / "story"
    shutil.copytree(FIXTURES / fixture, project)
    if fixture == "complete":
        (project / "content/updates.yml").write_text(ADDED_UPDATES)
    cache = ReadCache()
    first = link(read_project(project, Diagnostics(), cache), Diagnostics())
    relinked = []
    relink = linker._relink
    monkeypatch.setattr(linker, "_relink", lambda *a: relinked.append(result := relink(*a)) or result)

    edit(project / path, old, new)
    cache.forget([project / path])
    diagnostics = Diagnostics()
    again = link(read_project(project, diagnostics, cache), diagnostics, previous=first)
    assert (relinked[0] is not None) == incremental
    assert summary(again, diagnostics) == summary(*full_link(project))

    # and back again, from the incremental result (a fix after a broken edit, or the edit undone)
    edit(project / path, new, old)
    cache.forget([project / path])
    diagnostics = Diagnostics()
    back = link(read_project(project, diagnostics, cache), diagnostics, previous=again)
    assert summary(back, diagnostics) == summary(*full_link(project))


def test_added_and_removed_entries_link_the_whole_story(tmp_path):
    project = tmp_path / "story"
    shutil.copytree(FIXTURES / "complete", project)
    cache = ReadCache()
    linked = link(read_project(project, Diagnostics(), cache), Diagnostics())
    added = project / "content/questions/who-pays.md"
    added.write_text("---\nquestion: Who pays?\nabout: [people/mayor-jane-park]\n---\nAsk [[Dana Lee]].\n")
    diagnostics = Diagnostics()
    linked = link(read_project(project, diagnostics, cache), diagnostics, previous=linked)
    assert summary(linked, diagnostics) == summary(*full_link(project))
    added.unlink()
    cache.forget([added])
    diagnostics = Diagnostics()
    linked = link(read_project(project, diagnostics, cache), diagnostics, previous=linked)
    assert summary(linked, diagnostics) == summary(*full_link(project))


def test_many_edits_in_a_row_stay_equal_to_a_whole_link(tmp_path):
    """Each edit links from the last incremental result, so a mistake would accumulate."""
    project = tmp_path / "story"
    shutil.copytree(FIXTURES / "complete", project)
    (project / "content/updates.yml").write_text(ADDED_UPDATES)
    cache = ReadCache()
    linked = link(read_project(project, Diagnostics(), cache), Diagnostics())
    for fixture, path, old, new, _ in EDITS.values():
        if fixture != "complete" or old not in (project / path).read_text():
            continue  # an earlier edit changed that text
        edit(project / path, old, new)
        cache.forget([project / path])
        diagnostics = Diagnostics()
        linked = link(read_project(project, diagnostics, cache), diagnostics, previous=linked)
        assert summary(linked, diagnostics) == summary(*full_link(project)), path


def test_reading_only_the_changed_files_equals_a_whole_read(tmp_path, monkeypatch):
    """Told which files changed, a read replays the last whole read and reads only those; the content and the
    diagnostics (warnings about other files included, in order) are a whole read's."""
    project = tmp_path / "story"
    shutil.copytree(FIXTURES / "complete", project)
    (project / "content/claims/notes.txt").write_text("not an entry\n")  # warned about between two files' reads
    (project / "content/event").mkdir()  # a stray folder holding an entry: warned about before any file
    (project / "content/event/x.md").write_text("---\ntitle: X\n---\n")
    cache = ReadCache()
    read_project(project, Diagnostics(), cache)
    looked_at = []
    real_stat = Path.stat
    monkeypatch.setattr(Path, "stat", lambda self, **kw: looked_at.append(self) or real_stat(self, **kw))
    for path, old, new in [
        ("content/events/closure.md", "at dawn.", "at [[nobody]]."),
        ("content/claims.yml", "status: unverified", "status: nonsense"),
        ("content/sources.yml", "title: Inspection report", "title: R"),
    ]:
        edit(project / path, old, new)
        cache.forget([project / path])
        looked_at.clear()
        diagnostics = Diagnostics()
        content = read_project(project, diagnostics, cache, changed={project / path})
        assert {p for p in looked_at if "content" in p.parts} == {project / path}  # no other file looked at
        whole_diagnostics = Diagnostics()
        whole = read_project(project, whole_diagnostics, ReadCache())
        assert diagnostics.items == whole_diagnostics.items
        assert content.all_entries() == whole.all_entries()
        assert (content.story, content.sources, content.updates) == (whole.story, whole.sources, whole.updates)
        assert (content.files, content.unreadable) == (whole.files, whole.unreadable)
    assert any("notes.txt" in d.message for d in diagnostics.items)


def test_a_change_the_last_read_did_not_read_is_read_whole(tmp_path):
    project = tmp_path / "story"
    shutil.copytree(FIXTURES / "complete", project)
    cache = ReadCache()
    read_project(project, Diagnostics(), cache)
    closure = project / "content/events/closure.md"
    assert cache.replayable(project, {closure})
    assert not cache.replayable(project, set())  # nothing named: a whole read
    assert not cache.replayable(project, {project / "content/events"})  # a folder
    assert not cache.replayable(project, {project / "content/events/new.md"})  # a file not read before
    assert not cache.replayable(project, {project / "explainer.yml"})  # the settings
    closure.unlink()
    assert not cache.replayable(project, {closure})  # removed
    closure.symlink_to(project / "content/events/inspection.md")
    assert not cache.replayable(project, {closure})  # now a link


@pytest.mark.parametrize(
    "path, old, new",
    [
        ("content/claims/bridge-safe.md", "sources: [engineer-report]\n", ""),  # a warning appears
        ("content/claims/bridge-safe.md", "status: supported", "status: nonsense"),  # an unknown status
        ("content/events/closure.md", "key: true", "key: true\nend_date: 2020-01-01"),  # end before start
        ("content/events/closure.md", "at dawn.", "at dawn, [[nobody]]."),  # a broken link (the link reports it)
        ("content/people/mayor-jane-park.md", "image_alt: Jane Park at a press conference\n", ""),
    ],
)
def test_validating_again_reports_what_a_whole_check_reports(path, old, new, tmp_path):
    """Entries whose files did not change are not checked again; the findings, in order, are a whole check's."""
    from explainer.build import load

    project = tmp_path / "story"
    shutil.copytree(FIXTURES / "complete", project)
    (project / "content/updates.yml").write_text(ADDED_UPDATES)
    cache = ReadCache()
    linked = load(project, Diagnostics(), cache=cache)
    for text_from, text_to in [(old, new), (new, old)]:
        edit(project / path, text_from, text_to)
        cache.forget([project / path])
        diagnostics = Diagnostics()
        linked = load(project, diagnostics, cache=cache, previous=linked, changed={project / path})
        whole = Diagnostics()
        load(project, whole)
        assert diagnostics.items == whole.items


@pytest.mark.parametrize(
    "body",
    [
        "Met [[Ann Lee]] and [[people/bob-stone|Bob]].\n\nLater [[Ann\nLee]] left.",
        "   Three spaces: [[Ann Lee]]\n  two [[Bob Stone]]",
        "[[Ann Lee]]",
        "Text\n\n    indented [[Not a link]]\n\n[[Ann Lee]]",
        "\tTabbed [[Not a link]]\n\n[[Ann Lee]]",
        "Code `[[Not a link]]` and [[Ann Lee]]",
        "~~~\n[[Not a link]]\n~~~\n[[Ann Lee]]",
        "",
    ],
)
def test_a_body_without_code_finds_the_links_the_full_scan_finds(body, monkeypatch):
    """Bodies with no backtick, tilde, tab or four-space indent skip blanking out code: the same links, same places."""
    start = Span(Path("x.md"), 3, 5)
    quick = linker.find_wikilinks.__wrapped__(body, start, 2)
    monkeypatch.setattr(linker, "_may_hold_code", lambda _body: True)
    assert linker.find_wikilinks.__wrapped__(body, start, 2) == quick
