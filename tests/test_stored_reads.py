"""Each file's parsed entries kept in the build cache: an edit parses only what changed, and nothing else moves.

The incremental-equals-full tests (test_build_cache.py) run every kind of edit through the stored reads; these
check that replaying them gives exactly what reading the files gives, for every story the tests hold (broken ones
included, with their diagnostics), and that a stored read of the wrong shape is refused and read again.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT
from rebuilds import BASE, from_scratch, tree
from test_broken_stories import BROKEN, CASES, apply_case

import explainer.linker
import explainer.reader
import explainer.yamlsource
from explainer.build import build
from explainer.buildcache import CACHE_DIR, READ_FILE
from explainer.diagnostics import ContentError, Diagnostics
from explainer.linker import link
from explainer.reader import ReadCache, read_project

LINKS = ("entry", "settings")


def _deep(value: object) -> object:
    """Every field of every item (Entry's own equality compares keys only); links and settings left out."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            [(f.name, _deep(getattr(value, f.name))) for f in dataclasses.fields(value) if f.name not in LINKS],
        )
    if isinstance(value, (list, tuple)):
        return [type(value).__name__, *(_deep(item) for item in value)]
    if isinstance(value, (set, frozenset)):
        return sorted(map(repr, value))
    if isinstance(value, dict):
        return {key: _deep(item) for key, item in value.items()}
    return (type(value).__name__, repr(value))


def _read_twice(project: Path) -> tuple[object, object]:
    """The project read from its files, and replayed from what a cache stored of that read (the build cache's
    lines, then those lines stored again as loaded)."""
    fresh, found = Diagnostics(), ReadCache()
    content = read_project(project, fresh, found)
    stored = ReadCache.from_bytes(found.to_bytes())
    again = Diagnostics()
    replayed = read_project(project, again, stored)
    lines = ReadCache.from_bytes(stored.to_bytes())
    third = Diagnostics()
    replayed_again = read_project(project, third, lines)
    assert lines.to_bytes() == stored.to_bytes()  # replayed lines are written back as they were
    assert (_deep(replayed_again), third.items) == (_deep(replayed), again.items)
    return (_deep(content), fresh.items), (_deep(replayed), again.items)


def _projects() -> list[tuple[str, Path | None]]:
    return [("bundled", ROOT), *((f.name, f) for f in sorted(FIXTURES.iterdir()) if f.is_dir())] + [
        (f"broken/{name}", None) for name in CASES
    ]


@pytest.mark.parametrize(("name", "source"), _projects(), ids=[name for name, _ in _projects()])
def test_replaying_stored_reads_gives_what_reading_gives(name, source, tmp_path):
    project = tmp_path / "story"
    if source is None:
        shutil.copytree(BROKEN / "_base", project, ignore=shutil.ignore_patterns(".explainer-cache"))
        apply_case(BROKEN / name.removeprefix("broken/"), project)
    else:
        skip = shutil.ignore_patterns("build", ".explainer-cache", ".git", "node_modules")
        shutil.copytree(source, project, ignore=skip)
    read, replayed = _read_twice(project)
    assert replayed == read


def _story(tmp_path: Path) -> Path:
    project = tmp_path / "story"
    shutil.copytree(BASE, project, ignore=shutil.ignore_patterns(".explainer-cache"))
    return project


def _count_parsing(monkeypatch) -> list[Path]:
    """The Markdown files whose front matter is parsed from now on."""
    parsed: list[Path] = []
    split = explainer.yamlsource.split_front_matter
    monkeypatch.setattr(
        explainer.reader, "split_front_matter", lambda text, path, d: parsed.append(path) or split(text, path, d)
    )
    return parsed


def test_an_edit_parses_only_the_changed_file(tmp_path, monkeypatch):
    project = _story(tmp_path)
    build(project, search=False)
    parsed = _count_parsing(monkeypatch)
    person = project / "content/people/ann-lee.md"
    person.write_text(person.read_text().replace("Ann Lee was there.", "Ann Lee saw it."))
    build(project, search=False)
    assert parsed == [person]
    assert tree(project / "build") == from_scratch(project, tmp_path)


def _as_data(raw: bytes) -> dict:
    """The build cache's lines as one value to damage: the table of paths and each file's [stamp, result]."""
    lines = raw.split(b"\n")
    rows = [json.loads(line) for line in lines[:-1]]
    return {"paths": json.loads(lines[-1]), "files": {name: [stamp, result] for name, stamp, result in rows}}


def _as_lines(data: dict) -> bytes:
    """The lines again, written as the build cache writes them (compact JSON)."""
    rows = [[name, *row] for name, row in data["files"].items()]
    return b"\n".join(json.dumps(value, separators=(",", ":")).encode("utf-8") for value in [*rows, data["paths"]])


def _rows(data: dict) -> list:
    return list(data["files"].items())


def _each_entry(data: dict, damage) -> None:
    """Damage every stored entry (fields in order: span, spans, failed, collection, slug, body, body_span, ...)."""
    for _stamp, record in data["files"].values():
        for entries in record[1].values():
            for entry in entries:
                damage(entry)


def _each_found(data: dict, damage) -> None:
    """Damage what was found in every stored body that has a wikilink (target, shown, line, column, ...)."""
    for _stamp, record in data["files"].values():
        for found in record[7]:
            if found:
                damage(found)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data["files"].update({name: [row[0], [None] * 8] for name, row in data["files"].items()}),
        lambda data: data["files"].update({name: [row[0], 5] for name, row in data["files"].items()}),
        lambda data: data.update(paths=[]),
        lambda data: data["files"].update(
            {name: [row[0], [row[1][0], {"villains": []}, *row[1][2:]]] for name, row in data["files"].items()}
        ),
        lambda data: data["files"].update(
            {name: [row[0], json.loads(json.dumps(row[1]).replace('"Ann Lee"', "17"))] for name, row in _rows(data)}
        ),
        lambda data: _each_entry(data, lambda entry: entry.__setitem__(0, [0, "1", 1])),
        lambda data: _each_entry(data, lambda entry: entry.__setitem__(0, [0, 1])),
        lambda data: _each_entry(data, lambda entry: entry.__setitem__(6, [0, 1, None])),
        lambda data: _each_entry(data, lambda entry: entry.__setitem__(10, 5)),
        lambda data: _each_entry(data, lambda entry: entry.__setitem__(0, [10**6, 1, 1])),
        lambda data: _each_entry(data, lambda entry: entry.__setitem__(1, {"slug": [0, 1]})),
        lambda data: _each_entry(data, lambda entry: entry.__setitem__(1, [[0, 1, 1]])),
        lambda data: _each_entry(data, lambda entry: entry.__setitem__(2, [5])),
        lambda data: _each_entry(data, lambda entry: entry.__setitem__(9, {"source": 1})),
        lambda data: _each_entry(data, lambda entry: entry.__setitem__(13, [None, 0])),
        lambda data: _each_found(data, lambda found: found.__setitem__(0, 7)),
        lambda data: _each_found(data, lambda found: found.__setitem__(1, 7)),
        lambda data: _each_found(data, lambda found: found.__setitem__(2, "3")),
        lambda data: _each_found(data, lambda found: found.pop()),
        lambda data: [record.__setitem__(7, []) for _stamp, record in data["files"].values() if record[1]],
        lambda data: [record.__setitem__(7, None) for _stamp, record in data["files"].values()],
    ],
    ids=[
        "wrong fields",
        "not a record",
        "no paths",
        "unknown kind",
        "a number for a name",
        "a text for a line",
        "a short position",
        "a position of the wrong shape where there may be none",
        "a number for an optional text",
        "a path not in the table",
        "a short position among the field positions",
        "a list for the field positions",
        "a number for a field that failed",
        "a mapping for a list of references",
        "an order of the wrong shape",
        "a number for a wikilink's target",
        "a number for a wikilink's text",
        "a text for a wikilink's line",
        "a wikilink cut short",
        "no wikilinks for the entries",
        "no list of wikilinks",
    ],
)
def test_stored_reads_of_the_wrong_shape_are_read_from_the_files(damage, tmp_path):
    """The cache is signed, so only explainer writes it; its shape is checked all the same, value by value."""
    project = _story(tmp_path)
    found = ReadCache()
    read_project(project, Diagnostics(), found)
    data = _as_data(found.to_bytes())
    damage(data)
    try:
        stored = ReadCache.from_bytes(_as_lines(data))
    except ValueError:
        return  # refused whole: the build reads every file
    diagnostics = Diagnostics()
    replayed = read_project(project, diagnostics, stored)
    fresh = Diagnostics()
    assert _deep(replayed) == _deep(read_project(project, fresh, ReadCache())) and diagnostics.items == fresh.items


@pytest.mark.parametrize(
    "break_result",
    [lambda result: result + b"{", lambda result: b"[" * 100_000 + result],
    ids=["not JSON", "too deep"],
)
def test_a_stored_result_that_does_not_decode_is_read_from_its_file(break_result, tmp_path):
    """A file's result is decoded only when it is replayed, not when the cache is loaded: one that does not decode
    then is read from its file, as one of the wrong shape is, and written back as that read gives it."""
    project = _story(tmp_path)
    found = ReadCache()
    read_project(project, Diagnostics(), found)
    *lines, paths = found.to_bytes().split(b"\n")
    heads = [len(json.dumps(json.loads(line)[:2], separators=(",", ":"))) for line in lines]  # up to the result
    broken = [line[:head] + break_result(line[head:-1]) + b"]" for line, head in zip(lines, heads, strict=True)]
    stored = ReadCache.from_bytes(b"\n".join([*broken, paths]))
    diagnostics = Diagnostics()
    replayed = read_project(project, diagnostics, stored)
    fresh = Diagnostics()
    assert _deep(replayed) == _deep(read_project(project, fresh, ReadCache())) and diagnostics.items == fresh.items
    assert stored.to_bytes() == found.to_bytes()


@pytest.mark.parametrize(
    "name", ['/story/"quoted".md', "/story/back\\slash.md", "/story/é/ü.md", "/story/new\nline.md", "/story/\udcff.md"]
)
def test_a_stored_lines_path_and_stamp_are_taken_from_its_head_whatever_the_path(name):
    """A line's path and stamp are read without decoding its result: a path JSON writes with escapes (quotes,
    backslashes, letters beyond ASCII, a newline, a byte that is not UTF-8) is found as the line holds it."""
    line = json.dumps([name, [12, -3], [None, {}, [], [], [], [], [], []]], separators=(",", ":")).encode("utf-8")
    stored = ReadCache.from_bytes(line + b"\n" + json.dumps([name]).encode("utf-8"))
    head = json.dumps([name, [12, -3]], separators=(",", ":"))[:-1] + ","  # the result begins after it
    assert stored._stored == {name: ((12, -3), line, len(head))}


def test_a_stored_read_file_that_is_not_the_signed_one_is_not_used(tmp_path, monkeypatch):
    project = _story(tmp_path)
    build(project, search=False)
    stored = project / CACHE_DIR / READ_FILE
    lines = stored.read_bytes().split(b"\n")
    name = str(project / "content/people/ann-lee.md")
    planted = [
        line.replace(b"Ann Lee was there.", b"Planted text.") if json.loads(line)[0] == name else line
        for line in lines[:-1]
    ]
    assert planted != lines[:-1]
    stored.write_bytes(b"\n".join([*planted, lines[-1]]))
    (project / "content/events/first-event.md").touch()  # something changed: the build reads its cache
    parsed = _count_parsing(monkeypatch)
    build(project, search=False)
    assert len(parsed) > 1  # every file read again
    assert b"Planted text" not in b"".join(tree(project / "build").values())


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"[1,2,3]\n[]",
        b'["x",[1],[]]\n[]',
        b'["x",[1,"2"],[]]\n[]',
        b'["x",[1,2],[]]\n{"paths":1}',
        b"[" * 100_000 + b"\n[]",
    ],
    ids=["empty", "not JSON", "not a file's line", "a short stamp", "a text in the stamp", "no paths", "too deep"],
)
def test_stored_lines_of_the_wrong_shape_are_refused(raw):
    with pytest.raises((ValueError, RecursionError)):
        ReadCache.from_bytes(raw)


def test_a_body_read_from_the_cache_is_not_scanned_for_wikilinks_again(tmp_path, monkeypatch):
    """What a body's wikilinks are is kept with its file's read: an edit scans only the bodies it read again."""
    project = _story(tmp_path)
    build(project, search=False)
    explainer.linker.find_wikilinks.cache_clear()  # as a new process: nothing found in this one counts
    scanned: list[Path] = []
    scan = explainer.linker.scan_wikilinks
    monkeypatch.setattr(
        explainer.linker,
        "scan_wikilinks",
        lambda body, start, indent=0: scanned.append(start.path) or scan(body, start, indent),
    )
    person = project / "content/people/ann-lee.md"
    person.write_text(person.read_text().replace("Ann Lee was there.", "Ann Lee saw [[it]]."))
    with pytest.raises(ContentError):
        build(project, search=False)  # [[it]] names no entry: its error, at its place, as a whole build finds it
    entry_files = {path for path in scanned if path.parent.parent.name == "content" and path.parent.name != "content"}
    assert entry_files == {person}


def test_wikilinks_kept_with_a_read_are_those_a_scan_finds(tmp_path):
    """An unchanged body's wikilinks from the cache give the linker what scanning it gives: the same links, the same
    problems at the same places (here a rename the body was not changed for)."""
    project = _story(tmp_path)
    found = ReadCache()
    read_project(project, Diagnostics(), found)
    stored = found.to_bytes()
    person = project / "content/people/ann-lee.md"
    person.rename(person.with_name("ann-leigh.md"))
    results = []
    for cache in (ReadCache(), ReadCache.from_bytes(stored)):
        explainer.linker.find_wikilinks.cache_clear()
        diagnostics = Diagnostics()
        linked = link(read_project(project, diagnostics, cache), diagnostics)
        results.append(
            (diagnostics.items, linked.wikilinks, {key: len(links) for key, links in linked.incoming.items()})
        )
    assert results[1] == results[0]
    assert any(
        "ann-lee" in item.message or "Ann Lee" in item.message for item in results[0][0] if item.severity == "error"
    )
