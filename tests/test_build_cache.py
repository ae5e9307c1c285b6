"""The persistent build cache never serves stale output.

After each kind of edit, a build that uses the cache must give exactly the
files a build from scratch gives; the files the edit does not affect must not
even be rewritten; a cache that is corrupt, foreign or from another version
of explainer is not trusted.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, BuiltSite, copy_project, unreachable_now
from rebuilds import BASE, EDITS, edit, from_scratch, times, tree

import explainer.build
import explainer.exports
import explainer.rebuild
from explainer.build import build, check, load
from explainer.buildcache import (
    CACHE_DIR,
    CACHE_FILE,
    CHANGED_ENTRIES_FILE,
    ENTRIES_FILE,
    FORMAT,
    OBSOLETE_FILES,
    READ_FILE,
    RENDER_FILE,
    TABLE_FILE,
    _changed_entries,
)
from explainer.diagnostics import Diagnostics
from explainer.pages import plan_pages
from explainer.rebuild import _cards_beside_their_pages, collect_assets, render_pages
from explainer.render import Renderer


@pytest.fixture
def project(tmp_path) -> Path:
    story = tmp_path / "story"
    shutil.copytree(BASE, story)
    return story


EDITS_AND_VERSION = [*EDITS, "installed version of explainer"]


@pytest.mark.parametrize("name", EDITS_AND_VERSION)
def test_cached_build_equals_build_from_scratch(name, project, tmp_path, monkeypatch):
    first = build(project, search=False)
    assert first.rendered == len(first.pages) and first.cache_warning is None
    before, written_at = tree(project / "build"), times(project / "build")
    if name in EDITS:
        EDITS[name](project)
    else:
        monkeypatch.setattr(explainer.build, "__version__", "99.0")
        monkeypatch.setattr(explainer.rebuild, "__version__", "99.0")
    result = build(project, search=False)
    after = tree(project / "build")
    assert after == from_scratch(project, tmp_path)
    changed = {n for n in before.keys() | after.keys() if before.get(n) != after.get(n)}
    assert changed or name not in EDITS, "every edit here shows somewhere"
    untouched = set(before) - changed
    assert {n for n in untouched if times(project / "build")[n] != written_at[n]} == set(), "rewrote unchanged files"
    if name in ("body", "role", "status"):  # a few pages show these; most pages need no rendering at all
        assert 0 < result.rendered < len(result.pages) / 2
    if name == "installed version of explainer":
        assert result.rendered == len(result.pages)


def test_no_change_reads_and_writes_nothing(project):
    build(project, search=False)
    written_at = times(project / "build")
    result = build(project, search=False)
    assert result.up_to_date and result.files == {} and result.rendered == 0
    assert times(project / "build") == written_at


def test_warnings_are_said_again_when_nothing_changed(project):
    (project / "content" / "peple.yml").write_text("[]\n")  # a misspelt file name: warned about
    first = build(project, search=False)
    assert first.warnings
    again = build(project, search=False)
    assert again.up_to_date and [w.format() for w in again.warnings] == [w.format() for w in first.warnings]
    with pytest.raises(explainer.diagnostics.ContentError):  # --strict still refuses them
        build(project, search=False, strict=True)


def test_a_build_as_of_another_day_says_again_only_what_still_holds(project, monkeypatch):
    """Whether a date is "after today" depends on the build's date: a build after no change says the last build's
    warnings again only while no date of the story has crossed the new build date (the base story was published on
    2024-05-01), and builds --strict exactly as check --strict does."""
    days = {
        "2024-04-01": "1711929600",
        "2024-04-20": "1713571200",
        "2024-06-01": "1717200000",
        "2024-08-01": "1722470400",
    }
    monkeypatch.setenv("SOURCE_DATE_EPOCH", days["2024-04-01"])
    first = build(project, search=False)
    assert [w.message for w in first.warnings] == ["'published' is 2024-05-01, which is after today"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", days["2024-04-20"])  # still before 1 May: the same finding
    assert build(project, search=False).up_to_date
    monkeypatch.setenv("SOURCE_DATE_EPOCH", days["2024-06-01"])  # after it: the finding is gone
    later = build(project, search=False)
    assert not later.up_to_date and later.warnings == []
    assert later.rendered == 0 and later.files == {}  # the pages do not depend on the build's date
    monkeypatch.setenv("SOURCE_DATE_EPOCH", days["2024-08-01"])
    assert build(project, search=False, strict=True).up_to_date
    monkeypatch.setenv("SOURCE_DATE_EPOCH", days["2024-04-01"])  # back before it: --strict refuses, as check does
    with pytest.raises(explainer.diagnostics.ContentError):
        check(project, strict=True)
    with pytest.raises(explainer.diagnostics.ContentError):
        build(project, search=False, strict=True)


def test_output_folder_changes_are_repaired(project, tmp_path):
    build(project, search=False)
    out = project / "build"
    (out / "people/ann-lee/index.html").unlink()
    (out / "claims/main-claim/index.html").write_text("edited by hand")
    (out / "stray.html").write_text("not part of the site")
    result = build(project, search=False)
    assert not result.up_to_date and result.rendered == 2 and result.removed == 1
    assert tree(out) == from_scratch(project, tmp_path)


def test_other_options_do_not_use_the_cache(project):
    build(project, search=False)
    result = build(project, search=False, base_url="https://example.org/story/")
    assert result.rendered == len(result.pages)
    assert b"https://example.org/story/" in (project / "build" / "index.html").read_bytes()


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_text("{ not json"),
        lambda path: path.write_bytes(b"\x00\xff" * 100),
        lambda path: path.write_text(json.dumps({"format": FORMAT})),
        lambda path: path.write_text(json.dumps({**json.loads(path.read_text()), "pages": {"index.html": 7}})),
        lambda path: path.write_text(
            json.dumps({**json.loads(path.read_text()), "warnings": [["x", "1", 1, "m", None, "error"]]})
        ),
        lambda path: path.write_text(json.dumps({**json.loads(path.read_text()), "project": "/somewhere/else"})),
    ],
    ids=["not JSON", "binary", "missing fields", "wrong types", "bad warning", "another project"],
)
def test_corrupt_or_foreign_cache_is_ignored_with_a_warning(damage, project, tmp_path):
    build(project, search=False)
    damage(project / CACHE_DIR / CACHE_FILE)
    (project / "content/people/ann-lee.md").write_text(
        (project / "content/people/ann-lee.md").read_text().replace("Ann Lee was there.", "Ann Lee saw it.")
    )
    result = build(project, search=False)
    assert result.cache_warning and "ignoring the build cache" in result.cache_warning
    assert result.rendered == len(result.pages)
    assert tree(project / "build") == from_scratch(project, tmp_path)
    assert build(project, search=False).up_to_date  # and a good cache replaces it


def _edit_body(project: Path, new: str) -> None:
    path = project / "content/people/ann-lee.md"
    path.write_text(path.read_text().replace("Ann Lee was there.", new))


def test_a_body_edit_keeps_the_stored_table_of_reads_and_each_unchanged_files_line(project, tmp_path):
    build(project, search=False)
    _edit_body(project, "Ann Lee saw it.")
    build(project, search=False)
    table = project / CACHE_DIR / TABLE_FILE
    stored, at = table.read_bytes(), table.stat().st_mtime_ns
    lines = set((project / CACHE_DIR / READ_FILE).read_bytes().split(b"\n"))
    path = project / "content/people/ann-lee.md"
    path.write_text(path.read_text().replace("Ann Lee saw it.", "Ann Lee saw it all."))
    result = build(project, search=False)
    assert 0 < result.rendered < len(result.pages) / 2
    assert tree(project / "build") == from_scratch(project, tmp_path)
    assert table.read_bytes() == stored and table.stat().st_mtime_ns == at  # no read was added: not written
    now = (project / CACHE_DIR / READ_FILE).read_bytes().split(b"\n")
    assert [json.loads(line)[0] for line in set(now) - lines] == [str(path)]  # the rest written back as they were
    assert build(project, search=False).up_to_date


def test_a_body_edit_makes_only_that_entrys_parts_of_the_exports(project, tmp_path, monkeypatch):
    """story.json and timeline.json are put together from each entry's part, kept in the render state: a body edit
    makes the edited entry's part again and takes the others' as stored, with the same bytes as a whole build."""
    build(project, search=False)
    made: list[str] = []
    entry, event = explainer.exports._entry, explainer.exports._timeline_event
    monkeypatch.setattr(explainer.exports, "_entry", lambda e, *rest: (made.append(e.key), entry(e, *rest))[1])
    monkeypatch.setattr(explainer.exports, "_timeline_event", lambda e, *rest: (made.append(e.key), event(e, *rest))[1])
    edit(project / "content/events/first-event.md", "It happened.", "It happened, and then some.")
    assert build(project, search=False).rendered > 0
    assert sorted(made) == ["events/first-event", "events/first-event"]  # its story.json and timeline.json parts
    assert tree(project / "build") == from_scratch(project, tmp_path / "first")
    made.clear()
    edit(project / "content/people/ann-lee.md", "name: Ann Lee", "name: Ann Leigh")  # shown in others' parts
    build(project, search=False)
    assert len(made) > 2
    assert tree(project / "build") == from_scratch(project, tmp_path / "second")


def test_an_edit_saves_only_the_entries_it_changed_beside_those_stored(project, tmp_path):
    """entries.json is left as the last whole save wrote it; the items changed since are saved in their own file
    (a line of the items gone, then the changed ones), read over it, and checked and refused as it is."""
    build(project, search=False)
    stored = project / CACHE_DIR / ENTRIES_FILE
    changed = project / CACHE_DIR / CHANGED_ENTRIES_FILE
    kept, at = stored.read_bytes(), stored.stat().st_mtime_ns

    def saved() -> tuple[list, list]:
        gone, _, rest = changed.read_bytes().partition(b"\n")
        return json.loads(gone), [row[0] for row in json.loads(rest.partition(b"\n")[0])]

    for number, sentence in enumerate(["Ann Lee saw it.", "Ann Lee saw it all."]):
        path = project / "content/people/ann-lee.md"
        path.write_text(path.read_text().replace(["Ann Lee was there.", "Ann Lee saw it."][number], sentence))
        assert build(project, search=False).rendered > 0
        assert tree(project / "build") == from_scratch(project, tmp_path / str(number))
        assert stored.read_bytes() == kept and stored.stat().st_mtime_ns == at
        assert saved() == ([], ["people/ann-lee"])
    edit(project / "content/people/ann-lee.md", "name: Ann Lee", "name: Ann Leigh")  # shown in others' parts
    build(project, search=False)
    assert tree(project / "build") == from_scratch(project, tmp_path / "renamed")
    gone, names = saved()
    assert gone == [] and len(names) > 1 and "people/ann-lee" in names and stored.read_bytes() == kept
    added = project / "content/events/added-event.md"
    added.write_text("---\ntitle: An event added\ndate: 2024-03-02\n---\n\nIt was added.\n")
    build(project, search=False)
    assert tree(project / "build") == from_scratch(project, tmp_path / "added")
    assert "events/added-event" in saved()[1] and stored.read_bytes() == kept
    added.unlink()
    build(project, search=False)
    assert tree(project / "build") == from_scratch(project, tmp_path / "gone")
    assert "events/added-event" not in saved()[1] and stored.read_bytes() == kept  # it was never stored
    (project / "content/claims/other-claim.md").unlink()  # stored: its removal is saved
    build(project, search=False)
    assert tree(project / "build") == from_scratch(project, tmp_path / "removed")
    assert saved()[0] == ["claims/other-claim"] and stored.read_bytes() == kept
    assert build(project, search=False).up_to_date
    changed.write_bytes(changed.read_bytes().replace(b"Ann", b"Ben"))  # its digest no longer matches
    edit(project / "content/people/ann-lee.md", "Ann Lee saw it all.", "Ann Lee saw nothing.")
    result = build(project, search=False)
    assert result.rendered == len(result.pages)  # the render state was not used
    assert tree(project / "build") == from_scratch(project, tmp_path / "damaged")
    assert stored.read_bytes() != kept and not changed.exists()  # saved whole again
    assert build(project, search=False).up_to_date
    for broken in (b"{}\n[]\n", b'["a"]', b"[3]\n[]\n", b'[]\n[["a","d",5,-1,-1]]\nab', b"[]\nnot json\n"):
        with pytest.raises(ValueError):
            _changed_entries({}, {}, {}, broken)
    assert _changed_entries({"a": "d", "b": "e"}, {}, {"story:a": "{}"}, b'["b"]\n[["a","f",1,-1,2]]\nx[]') == (
        {"a": "f"},
        {"timeline:a": "[]"},
    )


@pytest.mark.parametrize("first", [True, False], ids=["first build", "build with its cache"])
def test_a_build_leaves_no_cyclic_garbage_behind(project, first):
    """The collector is paused while the story is read or the cache loaded, and while it is saved; a process that
    goes on after a build (tests, ``serve``) does not carry what the build threw away."""
    if not first:
        build(project, search=False)
        _edit_body(project, "Ann Lee saw it.")
    result = build(project, search=False)
    assert result.rendered > 0 and gc.isenabled() and gc.get_freeze_count() == 0
    assert len(unreachable_now()) < 50


def test_a_check_leaves_the_collector_as_it_was_and_no_cyclic_garbage(project):
    """``check`` pauses the collector while it reads and links, as a build does, and gives it back however it ends
    (after an error, the story stays reachable from the error's traceback: the collector takes it later)."""
    assert check(project) == []
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert len(unreachable_now()) < 50
    _edit_body(project, "Ann Lee saw [[nobody-at-all]].")
    with pytest.raises(explainer.diagnostics.ContentError):
        check(project)
    assert gc.isenabled() and gc.get_freeze_count() == 0


@pytest.mark.parametrize("name", [TABLE_FILE, RENDER_FILE, READ_FILE, ENTRIES_FILE])
@pytest.mark.parametrize("damage", ["changed", "deleted"])
def test_a_changed_or_missing_part_of_the_cache_is_not_used(name, damage, project, tmp_path):
    build(project, search=False)
    part = project / CACHE_DIR / name
    if damage == "deleted":
        part.unlink()
    else:
        part.write_bytes(part.read_bytes().replace(b"ann-lee", b"ann-lea"))
    _edit_body(project, "Ann Lee saw it.")
    result = build(project, search=False)
    if name != READ_FILE:  # the render state is not used: every page is rendered
        assert result.rendered == len(result.pages)
    assert tree(project / "build") == from_scratch(project, tmp_path)
    assert build(project, search=False).up_to_date  # and a good cache replaces it


def test_a_cache_that_cannot_be_written_costs_only_time(project, tmp_path, monkeypatch):
    """A read the cache cannot write as UTF-8 (a lone surrogate: no content gives one today) is no error: the
    build goes on without saving its cache, and the next one renders what the cache cannot vouch for."""
    build(project, search=False)
    _edit_body(project, "Ann Lee saw it.")
    with monkeypatch.context() as patched:
        patched.setattr(explainer.rebuild, "_table_text", lambda reads: "\ud800")
        result = build(project, search=False)
    assert result.rendered > 0 and tree(project / "build") == from_scratch(project, tmp_path / "1")
    _edit_body(project, "Ann Lee saw it twice.")
    build(project, search=False)
    assert tree(project / "build") == from_scratch(project, tmp_path / "2")


def test_cli_says_what_the_cache_spared_and_warns_about_a_bad_one(project):
    def run() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "explainer", "build", str(project), "--no-search"], capture_output=True, text=True
        )

    assert run().returncode == 0
    assert "up to date" in run().stderr
    edit(project / "content/people/ann-lee.md", "Ann Lee was there.", "Ann Lee saw it.")
    assert "1 rendered again" in run().stderr
    (project / CACHE_DIR / CACHE_FILE).write_text("garbage")
    result = run()
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "warning: ignoring the build cache" in result.stderr and "not valid JSON" in result.stderr


def test_a_part_an_earlier_format_kept_is_removed_when_the_cache_is_saved(project):
    (project / CACHE_DIR).mkdir(exist_ok=True)
    for name in OBSOLETE_FILES:
        (project / CACHE_DIR / name).write_text("[]")
    build(project, search=False)
    assert not any((project / CACHE_DIR / name).exists() for name in OBSOLETE_FILES)
    assert OBSOLETE_FILES and not set(OBSOLETE_FILES) & {TABLE_FILE, RENDER_FILE, READ_FILE, ENTRIES_FILE, CACHE_FILE}


def test_cache_folder_ignores_itself_for_git(project):
    build(project, search=False)
    assert (project / CACHE_DIR / ".gitignore").read_text().strip().endswith("*")
    assert not (project / "build" / CACHE_DIR).exists()


def test_search_index_is_rebuilt_only_when_pages_change(project):
    build(project)
    bundle = project / "build" / "pagefind"
    entry = next(bundle.glob("pagefind-entry.json"))
    indexed_at = entry.stat().st_mtime_ns
    assert build(project).up_to_date and entry.stat().st_mtime_ns == indexed_at
    edit(project / "content/people/ann-lee.md", "Ann Lee was there.", "Ann Lee saw everything.")
    build(project)
    fragments = b"".join(p.read_bytes() for p in (project / "build/pagefind/fragment").iterdir())
    assert (project / "build/pagefind/pagefind-entry.json").stat().st_mtime_ns != indexed_at
    assert fragments  # a fresh index replaced the old one whole
    assert not [p for p in project.iterdir() if p.name.startswith(".build-search-")]


def test_parallel_rendering_gives_the_same_pages(tmp_path):
    project = copy_project(FIXTURES / "complete", tmp_path)
    linked = load(project, Diagnostics())
    pages = plan_pages(linked)
    assets = collect_assets(linked)
    serial = render_pages(Renderer(linked, assets), pages, Diagnostics(), workers=1)
    parallel = render_pages(Renderer(linked, assets), pages, Diagnostics(), workers=2)
    assert parallel == serial and len(serial.files) == len(pages)
    assert parallel.reads == serial.reads and parallel.digests == serial.digests  # what each page read, alike


def test_each_card_is_rendered_beside_its_page(tmp_path):
    """A card shows its page's summary, converted from the body: rendered in the same chunk as its page, the body
    is converted by one process, not by each of two."""
    linked = load(copy_project(FIXTURES / "complete", tmp_path), Diagnostics())
    pages = plan_pages(linked)
    ordered = _cards_beside_their_pages(pages)
    assert sorted(map(id, ordered)) == sorted(map(id, pages))
    cards = [number for number, page in enumerate(ordered) if page.card_of is not None]
    assert len(cards) > 5 and all(ordered[number - 1].embed == ordered[number].path for number in cards)
    alone = [page for page in pages if page.card_of is not None]  # their pages are not being rendered
    assert _cards_beside_their_pages(alone) == alone and _cards_beside_their_pages(pages[:3]) == pages[:3]


def test_parallel_rendering_reports_errors_like_serial(tmp_path):
    project = copy_project(FIXTURES / "complete", tmp_path)
    (project / "theme/templates/person.html").write_text(
        "{% extends 'base.html' %}{% block main %}{{ entry.no_such_field }}{% endblock %}"
    )
    linked = load(project, Diagnostics())
    reported = []
    for workers in (1, 2):
        diagnostics = Diagnostics()
        rendered = render_pages(Renderer(linked, collect_assets(linked)), plan_pages(linked), diagnostics, workers)
        assert rendered.files == {}
        reported.append([d.format() for d in diagnostics.items])
    assert reported[0] == reported[1] and len(reported[0]) == 1 and "person.html" in reported[0][0]


def test_without_search_there_is_no_search_page_and_no_link_to_one(tmp_path):
    project = copy_project(FIXTURES / "complete", tmp_path)
    (project / "explainer.yml").write_text((project / "explainer.yml").read_text() + "search: false\n")
    build(project)
    site = BuiltSite(project / "build")
    assert not (project / "build" / "search").exists() and not (project / "build" / "pagefind").exists()
    assert site.broken_links() == []
    assert not [page for page in site.pages() for href in site.links(page) if "search" in href]


def test_parallel_rendering_reports_a_body_too_deep_once(tmp_path):
    project = copy_project(FIXTURES / "complete", tmp_path)
    story = project / "content" / "story.md"
    story.write_text(story.read_text() + "\n" + "\n".join("    " * depth + "- deeper" for depth in range(400)) + "\n")
    linked = load(project, Diagnostics())
    reported = []
    for workers in (1, 2):
        diagnostics = Diagnostics()
        render_pages(Renderer(linked, collect_assets(linked)), plan_pages(linked), diagnostics, workers)
        reported.append([d.format() for d in diagnostics.items])
    assert reported[0] == reported[1] and len(reported[0]) == 1 and "nested too deeply" in reported[0][0]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_first_build_writes_pages_as_rendered_and_a_failed_one_leaves_nothing(tmp_path, monkeypatch, workers):
    """A first build hands each page to its staging folder as it is rendered (no list of every page's HTML), and
    a template failing halfway leaves neither the output folder nor the staging folder behind."""
    monkeypatch.setattr(explainer.rebuild, "worker_count", lambda count: workers)
    project = copy_project(FIXTURES / "complete", tmp_path)
    kept: list[dict[str, bytes]] = []
    render_site = explainer.rebuild.render_site

    def watched(*args, **kwargs):
        site = render_site(*args, **kwargs)
        kept.append(site.files)
        return site

    monkeypatch.setattr(explainer.rebuild, "render_site", watched)
    result = build(project, tmp_path / "site")
    pages = [page.output_path for page in result.pages]
    assert not [name for name in kept[0] if name in pages]  # no page was held for writing
    assert set(pages) <= set(result.files) and tree(tmp_path / "site")["index.html"] == result.files["index.html"]

    (project / "theme/templates/person.html").write_text(
        "{% extends 'base.html' %}{% block main %}{{ entry.no_such_field }}{% endblock %}"
    )
    with pytest.raises(explainer.diagnostics.ContentError):
        build(project, tmp_path / "second")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["site", project.name])


def test_a_file_added_or_removed_deep_in_the_output_is_noticed(project, tmp_path, monkeypatch):
    """A build after no change stamps the files it wrote without listing their folders, trusting each folder's
    time: a name added to or removed from any folder must still be seen."""
    import explainer.buildcache as cache_module

    real_scan, scanned = cache_module._scan, []

    def scan(folder, *args, **kwargs):
        scanned.append(folder)
        return real_scan(folder, *args, **kwargs)

    monkeypatch.setattr(cache_module, "_scan", scan)
    build(project, search=False)
    out = project / "build"
    scanned.clear()
    assert build(project, search=False).up_to_date
    assert str(out) not in scanned, "a build after no change listed the output folder"
    (out / "people/ann-lee/notes.txt").write_text("put here by hand")
    result = build(project, search=False)
    assert not result.up_to_date and result.removed == 1 and not (out / "people/ann-lee/notes.txt").exists()
    (out / "events/first-event/extra").mkdir()
    (out / "events/first-event/extra/page.html").write_text("<p>by hand</p>")
    result = build(project, search=False)
    assert not result.up_to_date and not (out / "events/first-event/extra").exists()
    assert tree(out) == from_scratch(project, tmp_path)
    os.rename(out / "claims/main-claim/index.html", out / "claims/main-claim/index.htm")
    result = build(project, search=False)
    assert not result.up_to_date and (out / "claims/main-claim/index.html").is_file()
    assert not (out / "claims/main-claim/index.htm").exists()


def test_an_edit_stamps_only_the_folders_it_wrote_into(project, monkeypatch):
    """A build after an edit keeps the stamps of the folders it found as the last build left them and did not write
    into; a name someone adds to one of them while it runs is seen by the next build."""
    build(project, search=False)
    before = json.loads((project / CACHE_DIR / CACHE_FILE).read_bytes())["folders"]
    _edit_body(project, "Ann Lee saw it.")
    render_site = explainer.rebuild.render_site

    def meanwhile(*args, **kwargs):
        (project / "build/claims/main-claim/notes.txt").write_text("put here while the build ran")
        return render_site(*args, **kwargs)

    monkeypatch.setattr(explainer.rebuild, "render_site", meanwhile)
    result = build(project, search=False)
    monkeypatch.undo()
    assert result.rendered > 0
    after = json.loads((project / CACHE_DIR / CACHE_FILE).read_bytes())["folders"]
    assert after.keys() == before.keys() and after["claims/main-claim"] == before["claims/main-claim"]
    written = {name.rsplit("/", 1)[0] for name in result.files if "/" in name}
    assert written and all(after[folder] != before[folder] for folder in written if before[folder])
    result = build(project, search=False)
    assert not result.up_to_date and result.removed == 1
    assert not (project / "build/claims/main-claim/notes.txt").exists()
    assert build(project, search=False).up_to_date


def test_folders_whose_time_cannot_be_trusted_are_listed_until_it_can(project, monkeypatch):
    """A folder the build wrote into within the file system's tick is dated back; where that fails it is stamped
    0 and listed, and the first build after no change that finds it settled records its time."""

    def refuse(*args, **kwargs):
        raise PermissionError("not allowed here")

    monkeypatch.setattr(os, "utime", refuse)
    build(project, search=False)
    folders = json.loads((project / CACHE_DIR / CACHE_FILE).read_bytes())["folders"]
    assert "people/ann-lee" in folders and set(folders.values()) == {0}
    (project / "build/people/ann-lee/notes.txt").write_text("same tick as the build")
    assert not build(project, search=False).up_to_date  # listed, so seen
    monkeypatch.undo()
    assert 0 in json.loads((project / CACHE_DIR / CACHE_FILE).read_bytes())["folders"].values()
    assert build(project, search=False).up_to_date  # and now dated back and recorded
    folders = json.loads((project / CACHE_DIR / CACHE_FILE).read_bytes())["folders"]
    assert "people/ann-lee" in folders and 0 not in folders.values()
    (project / "build/people/ann-lee/notes.txt").write_text("added later")
    assert not build(project, search=False).up_to_date
