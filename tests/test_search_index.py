"""The search index is Pagefind's own index of the whole site, however it was built (issue 17, part 4).

A build indexes pages from memory through Pagefind's service, and a build after an edit has Pagefind
read only the changed pages and puts the whole-site index together itself (explainer/search.py). These
tests hold it to Pagefind: the files Pagefind writes for the same pages, and the bytes a build from
scratch writes after every kind of edit.
"""

from __future__ import annotations

import gzip
import json
import random
import shutil
import threading
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, copy_project

from explainer import search
from explainer.basics import SEARCH_BUNDLE
from explainer.build import build
from explainer.buildcache import CACHE_DIR, SEARCH_FILE
from explainer.diagnostics import ContentError

pytestmark = pytest.mark.skipif(search.pagefind_executable() is None, reason="Pagefind is not installed")


def bundle_of(out: Path) -> dict[str, bytes]:
    folder = out / SEARCH_BUNDLE
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def unpacked(data: bytes):
    raw = gzip.decompress(data)
    assert raw.startswith(b"pagefind_dcd")
    return raw[len(b"pagefind_dcd") :]


def decoded(data: bytes):
    return search._decode(unpacked(data), 0)[0]


def pagefind_over(out: Path) -> dict[str, bytes]:
    """What Pagefind itself writes for the built site's pages, given in the order a build gives them."""
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    with search.PagefindService() as service:
        files, _ = service.index((name, (out / name).read_bytes()) for name in pages)
    return files


@pytest.mark.parametrize("fixture", ["complete", "german"])
def test_the_index_is_the_one_pagefind_writes_for_the_whole_site(fixture, tmp_path):
    out = build(copy_project(FIXTURES / fixture, tmp_path), tmp_path / "out").out
    ours, theirs = bundle_of(out), pagefind_over(out)
    # the words and the pages: the same files under the same names, the same content
    for folder in ("fragment/", "index/"):
        names = sorted(name for name in theirs if name.startswith(folder))
        assert names and sorted(name for name in ours if name.startswith(folder)) == names
        for name in names:
            assert unpacked(ours[name]) == unpacked(theirs[name]), name
    if fixture == "german":  # words written with and without diacritics are kept apart as Pagefind does
        assert any(word[2] for name in names for word in decoded(ours[name])[0])
    # Pagefind's scripts and styles as it writes them
    for name, data in theirs.items():
        if "/" not in name and not name.endswith((".pf_meta", ".json")):
            assert ours[name] == data, name
    # the metadata file: the same but for the filter files' names, as Pagefind lists a filter's values in
    # hash-map order and explainer in sorted order
    (meta,) = [decoded(data) for name, data in ours.items() if name.endswith(".pf_meta")]
    (their_meta,) = [decoded(data) for name, data in theirs.items() if name.endswith(".pf_meta")]
    assert meta[:3] + meta[4:] == their_meta[:3] + their_meta[4:]
    assert (
        [name for name, _ in meta[3]]
        == [name for name, _ in their_meta[3]]
        == ["Art" if fixture == "german" else "Kind"]
    )
    (_, filter_file), (_, their_filter) = meta[3][0], their_meta[3][0]
    values = decoded(ours[f"filter/{filter_file}.pf_filter"])
    their_values = decoded(theirs[f"filter/{their_filter}.pf_filter"])
    assert values[1] == sorted(their_values[1])
    entry, their_entry = json.loads(ours["pagefind-entry.json"]), json.loads(theirs["pagefind-entry.json"])
    assert entry["languages"].keys() == their_entry["languages"].keys() and entry["version"] == their_entry["version"]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def fresh_build(project: Path, tmp_path: Path, number: int) -> dict[str, bytes]:
    fresh = tmp_path / f"fresh-{number}"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns(CACHE_DIR, "build"))
    return bundle_of(build(fresh).out)


def test_every_kind_of_edit_gives_the_index_a_build_from_scratch_gives(tmp_path, monkeypatch):
    project = copy_project(FIXTURES / "complete", tmp_path)
    out = build(project).out
    sent: list[str] = []
    index = search.PagefindService.index

    def counted(self, pages, probe=None):
        pages = list(pages)
        sent.extend(name for name, _ in pages)
        return index(self, pages, probe)

    monkeypatch.setattr(search.PagefindService, "index", counted)
    people = project / "content/people"
    (person,) = people.glob("*.md")
    edits = [
        (
            "a body edit",
            lambda: edit(project / "content/story.md", "\n\n", "\n\nA zeppelinword, then Café Müller.\n\n"),
        ),
        (
            "a new person",
            lambda: (people / "zed-quill.md").write_text(
                "---\nname: Zed Quill\nrole: A witness\n---\nZed saw the zeppelinword.\n"
            ),
        ),
        ("a renamed person", lambda: edit(people / "zed-quill.md", "name: Zed Quill", "name: Zed Quillon")),
        ("a person gone", lambda: (people / "zed-quill.md").unlink()),
        ("an edit of another person", lambda: edit(person, "\n---\n", "\n---\nNow with an Ünterschied.\n")),
    ]
    for number, (what, change) in enumerate(edits):
        sent.clear()
        change()
        build(project)
        if what == "a body edit":
            assert sent == ["index.html"]  # only the changed page was read by Pagefind
        assert bundle_of(out) == fresh_build(project, tmp_path, number), what
    assert not [p for p in project.parent.iterdir() if "-search-" in p.name]


def test_identical_builds_give_identical_indexes(tmp_path):
    project = copy_project(FIXTURES / "complete", tmp_path)
    first = bundle_of(build(project, tmp_path / "one").out)
    assert first == bundle_of(build(project, tmp_path / "two").out)


def test_a_search_cache_that_is_not_the_one_saved_is_not_used(tmp_path):
    project = copy_project(FIXTURES / "complete", tmp_path)
    out = build(project).out
    saved = project / CACHE_DIR / SEARCH_FILE
    data = saved.read_bytes()
    saved.write_bytes(data.replace(b'"Kind"', b'"Evil"'))  # any change: its digest is in the signed record
    edit(project / "content/story.md", "\n\n", "\n\nA zeppelinword.\n\n")
    build(project)
    assert bundle_of(out) == fresh_build(project, tmp_path, 0)
    assert b"Evil" not in b"".join(unpacked(d) for n, d in bundle_of(out).items() if n.endswith(".pf_filter"))


def test_an_index_file_deleted_by_hand_is_written_again(tmp_path):
    project = copy_project(FIXTURES / "complete", tmp_path)
    out = build(project).out
    victim = next((out / SEARCH_BUNDLE / "fragment").iterdir())
    victim.unlink()
    edit(project / "content/story.md", "\n\n", "\n\nA zeppelinword.\n\n")
    build(project)
    assert bundle_of(out) == fresh_build(project, tmp_path, 0)


def test_pagefind_failing_on_an_edit_leaves_the_index_as_it_was(tmp_path, monkeypatch):
    project = copy_project(FIXTURES / "complete", tmp_path)
    out = build(project).out
    before = bundle_of(out)

    def broken(self, pages, probe=None):
        raise search.PagefindError("Pagefind failed: simulated")

    monkeypatch.setattr(search.PagefindService, "index", broken)
    edit(project / "content/story.md", "\n\n", "\n\nA zeppelinword.\n\n")
    with pytest.raises(ContentError) as failure:
        build(project)
    assert "simulated" in failure.value.diagnostics[0].message
    assert bundle_of(out) == before
    monkeypatch.undo()
    build(project)
    assert bundle_of(out) == fresh_build(project, tmp_path, 0)


def test_a_pagefind_whose_index_format_is_unknown_indexes_the_whole_site(tmp_path, monkeypatch):
    """explainer writes Pagefind 1.5's format when it updates by the page; another Pagefind does it all itself."""
    monkeypatch.setattr(search, "PAGE_BY_PAGE_VERSION", "0.0.")
    project = copy_project(FIXTURES / "complete", tmp_path)
    out = build(project).out
    theirs = pagefind_over(out)
    words_and_pages = ("index/", "fragment/")  # (Pagefind names filter files by values in hash-map order)
    assert {n for n in bundle_of(out) if n.startswith(words_and_pages)} == {
        n for n in theirs if n.startswith(words_and_pages)
    }
    edit(project / "content/people/mayor-jane-park.md", "name: Jane Park", "name: Jane Park-Ost")
    ours = bundle_of(build(project).out)
    assert b"Park-Ost" in b"".join(gzip.decompress(data) for name, data in ours.items() if name.endswith("pf_fragment"))
    assert not (project / CACHE_DIR / SEARCH_FILE).exists()


@pytest.mark.parametrize("services", [1, 2])
def test_an_index_made_in_many_batches_is_the_one_made_in_one(tmp_path, monkeypatch, services):
    """Pagefind indexes a cold build's pages batch by batch, the next while the last is read here (a big site's
    in two services at once, the batches put together in order all the same)."""
    whole = build(copy_project(FIXTURES / "complete", tmp_path / "whole"), tmp_path / "whole-out").out
    monkeypatch.setattr(search, "_BATCH", 2 * services)  # two pages a batch either way
    monkeypatch.setattr(search, "services_worth_starting", lambda pages: services)
    calls = []
    real = search.PagefindService.index

    def counted(self, pages, probe=None):
        calls.append(id(self))
        return real(self, pages, probe)

    monkeypatch.setattr(search.PagefindService, "index", counted)
    batched = build(copy_project(FIXTURES / "complete", tmp_path / "batched"), tmp_path / "batched-out").out
    assert len(calls) > 3 and len(set(calls)) == services  # each service indexed some of the batches
    assert bundle_of(batched) == bundle_of(whole)


@pytest.mark.parametrize("services", [1, 2])
def test_pagefind_failing_in_a_later_batch_of_a_first_build_leaves_nothing(tmp_path, monkeypatch, services):
    monkeypatch.setattr(search, "_BATCH", 2 * services)
    monkeypatch.setattr(search, "services_worth_starting", lambda pages: services)
    real, calls = search.PagefindService.index, []

    def failing(self, pages, probe=None):
        calls.append(1)
        if len(calls) == 3:
            raise search.PagefindError("Pagefind failed: simulated")
        return real(self, pages, probe)

    monkeypatch.setattr(search.PagefindService, "index", failing)
    project = copy_project(FIXTURES / "complete", tmp_path)
    with pytest.raises(ContentError) as failure:
        build(project, tmp_path / "out")
    assert "simulated" in failure.value.diagnostics[0].message
    assert not (tmp_path / "out").exists() and len(calls) == 3


@pytest.mark.parametrize("helpers", [["one"], ["one", "two"]])
def test_work_ahead_keeps_order_raises_the_thread_error_and_stops_with_its_caller(helpers):
    def slow_square(helper, n):
        time.sleep(random.random() / 200)  # items finish out of order when two helpers work
        return n * n

    assert list(search._ahead(slow_square, iter(range(30)), helpers)) == [n * n for n in range(30)]

    def breaks(helper, n):
        if n == 2:
            raise ValueError("item 2")
        return n

    got = []
    with pytest.raises(ValueError, match="item 2"):
        for value in search._ahead(breaks, iter(range(5)), helpers):
            got.append(value)
    assert got == [0, 1][: len(got)] and len(got) <= 2

    def no_more_items():
        yield 0
        raise OSError("a page could not be read")

    with pytest.raises(OSError, match="could not be read"):
        list(search._ahead(lambda helper, n: n, no_more_items(), helpers))
    worked, in_hand, most = [], set(), [0]

    def tracked(helper, n):
        in_hand.add(n)
        most[0] = max(most[0], len(in_hand))
        worked.append(n)
        return n

    results = search._ahead(tracked, iter(range(100)), helpers)
    for _ in range(20):
        in_hand.discard(next(results))  # used: no longer in hand
    results.close()  # the caller stops: each thread ends after at most the item in hand
    assert most[0] <= len(helpers) and len(worked) <= 20 + len(helpers)
    assert list(search._ahead(tracked, iter([]), helpers)) == []


@pytest.mark.parametrize("services", [1, 2])
def test_the_index_keeps_pagefinds_scripts_when_the_first_batches_index_no_words(monkeypatch, services):
    """A marked page with nothing to index gets a URL from Pagefind but no index: the site's index is made from a
    later batch, which must still bring Pagefind's scripts, styles and wasm."""
    monkeypatch.setattr(search, "_BATCH", 2 * services)
    monkeypatch.setattr(search, "services_worth_starting", lambda pages: services)
    empty = b'<html lang="en"><body><div data-pagefind-body></div></body></html>'
    pages = {f"a{n}/index.html": empty for n in range(2 * services)}
    for n in range(10):
        pages[f"b{n}/index.html"] = (
            f'<html lang="en"><body><div data-pagefind-body><p>word{n} hello</p></div></body></html>'.encode()
        )
    scripts = [
        name
        for name in search.SearchIndex.build(list(pages), pages.__getitem__).bundle_files()
        if search._is_static(name)
    ]
    assert any(name.endswith(".js") for name in scripts) and any(
        name.endswith(".wasm") or "wasm" in name for name in scripts
    )


def test_work_ahead_stops_the_threads_it_started_when_another_fails_to_start(monkeypatch):
    real_start, started = threading.Thread.start, []

    def start(thread):
        if started:
            raise RuntimeError("can't start new thread")
        started.append(thread)
        real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", start)
    with pytest.raises(RuntimeError, match="can't start"):
        list(search._ahead(lambda helper, n: n, iter(range(10)), ["one", "two"]))
    monkeypatch.undo()
    assert started and not started[0].is_alive()
