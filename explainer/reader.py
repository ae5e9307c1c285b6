"""Read a story project from disk into typed entries (the first pipeline stage)."""

from __future__ import annotations

import functools
import json
import os
import re
import stat
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from explainer import stored
from explainer.basics import CONTENT_DIR
from explainer.config import Settings, load_settings
from explainer.diagnostics import Diagnostic, Diagnostics, Span
from explainer.model import (
    COLLECTIONS,
    KINDS,
    Entry,
    Source,
    Story,
    Update,
    as_updates,
    build_entry,
    build_source,
    build_story,
    likely_collection,
)
from explainer.slugs import slugify
from explainer.yamlsource import MarkdownSource, Node, kind_problem, load_yaml, path_kind, read_text, split_front_matter

UPDATES_FILE = "updates.yml"


NAME_MARK = "name:"  # in Content.unreadable: a name or alias of an entry that failed to read ("name:Ann Lee")
NAMES_UNKNOWN = "names?"  # in Content.unreadable: an entry whose names could not be read (its front matter)


def unread_names(collection: str, item: Node | None) -> set[str]:
    """What ``Content.unreadable`` keeps of an entry that failed to read, for its wikilinks: its title and aliases
    as written when its fields could be read (``item``, the mapping), else that some names are unknown."""
    if item is None or not item.is_map:
        return {NAMES_UNKNOWN}
    names: list[str] = []
    for name in ("aliases", KINDS[collection].title_field):
        node = item.value.get(name)
        if node is not None and node.is_list:
            names.extend(alias.raw for alias in node.value if alias.is_scalar and alias.raw)
        elif node is not None and node.is_scalar and node.raw:
            names.append(node.raw)
    return {NAME_MARK + name for name in names}


@dataclass
class Content:
    """Everything a project holds, before references are resolved."""

    _opaque: ClassVar[bool] = True  # a page that reads it whole is rendered every time (explainer.dependencies)

    project: Path
    settings: Settings
    story: Story | None = None
    entries: dict[str, list[Entry]] = field(default_factory=lambda: {name: [] for name in COLLECTIONS})
    sources: list[Source] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)  # the update log, as written
    files: list[Path] = field(default_factory=list)  # every file read, for watching and caching
    # what failed to read, so references to it are not reported again: "kind/slug", a whole collection, "sources",
    # "sources/id", and the names of entries that failed (see unread_names)
    unreadable: set[str] = field(default_factory=set)
    _all: tuple[tuple, list[Entry]] | None = field(default=None, repr=False, compare=False)  # all_entries, kept

    def all_entries(self) -> list[Entry]:
        lists = [self.entries[name] for name in COLLECTIONS]
        shape = tuple((id(entries), len(entries)) for entries in lists)  # entries are only ever added to a list
        if self._all is None or self._all[0] != shape:
            self._all = (shape, [entry for entries in lists for entry in entries])
        return list(self._all[1])  # a copy: a caller may change its list


class ReadCache:
    """What each file read to, kept between builds so an edit re-reads only its own file.

    A file counts as unchanged while its size and modification time are; a
    watcher that knows which files changed calls :meth:`forget` for them,
    which also covers two saves within one tick of the file system's clock.
    ``serve`` keeps one in memory; ``build`` stores one in its build cache
    (:meth:`to_bytes`, :meth:`from_bytes`), where each file's result stays in
    its stored form until a build replays it.
    """

    def __init__(self) -> None:
        self._results: dict[Path, tuple[tuple[int, int], Content, list[Diagnostic]]] = {}
        # each file's stamp, line in the build cache (see to_bytes) and where its result begins in the line, the
        # result decoded only when replayed: at 10,000 entries the decoded results of every file would take some
        # 90 MB at once (by the path as text: a Path made for each of 10,000 stored files costs more than the look-ups)
        self._stored: dict[str, tuple[tuple[int, int], bytes, int]] = {}
        self._codec: stored.Codec | None = None
        self._read: set[Path] = set()  # the files this cache was asked for since it was made
        self._scan: _Scan | None = None  # the last whole read of a project, to replay when told what changed
        self._recording: _Scan | None = None

    def mark_unreadable(self, content: Content, name: str) -> None:
        """``name`` (a file's kind/slug, or a whole collection) could not be read, found outside a file's own read."""
        content.unreadable.add(name)
        if self._recording is not None:
            self._recording.unreadable_outside = True

    def replayable(self, project: Path, changed: AbstractSet[Path]) -> bool:
        """Whether a read of ``project`` may replay the last whole read, reading only ``changed`` again: each is a
        plain file that read read (nothing was added, removed or replaced by a folder or a link)."""
        scan = self._scan
        if scan is None or scan.project != project or not changed or not scan.complete:
            return False
        for path in changed:
            if path not in scan.paths:
                return False
            try:
                if not stat.S_ISREG(os.lstat(path).st_mode):
                    return False
            except OSError:
                return False
        return True

    def forget(self, paths: Iterable[str | Path]) -> None:
        for path in paths:
            self._results.pop(Path(path), None)
            self._stored.pop(str(Path(path)), None)

    def read(
        self,
        path: Path,
        read_one: Callable[[Content, Diagnostics], None],
        content: Content,
        diagnostics: Diagnostics,
    ) -> None:
        """Run ``read_one`` for ``path`` (or replay its cached result) into content and diagnostics."""
        self._read.add(path)
        recording = self._recording
        if recording is not None:
            recording.steps.append((diagnostics.items[recording.mark :], path, read_one))
        try:
            status = path.stat()
            stamp = (status.st_size, status.st_mtime_ns)  # size, modification time: as the build cache stamps
        except OSError:
            stamp = None
        cached = self._results.get(path)
        if cached is None and stamp is not None and self._stored.get(str(path), (None,))[0] == stamp:
            cached = self._replay(path, content)  # decoded only when the file is as it was stored
        if stamp is not None and cached is not None and cached[0] == stamp:
            scratch, found = cached[1], cached[2]
        else:
            self._stored.pop(str(path), None)
            scratch, file_diagnostics = Content(content.project, content.settings), Diagnostics()
            read_one(scratch, file_diagnostics)
            found = file_diagnostics.items
            if stamp is not None:
                self._results[path] = (stamp, scratch, found)
        content.story = scratch.story or content.story
        for name in COLLECTIONS:
            content.entries[name].extend(scratch.entries[name])
        content.sources.extend(scratch.sources)
        content.updates.extend(scratch.updates)
        content.files.extend(scratch.files)
        content.unreadable |= scratch.unreadable
        diagnostics.items.extend(found)
        if recording is not None:
            recording.mark = len(diagnostics.items)

    def _replay(self, path: Path, content: Content) -> tuple[tuple[int, int], Content, list[Diagnostic]] | None:
        """A stored result made into content again; a stored result of the wrong shape is dropped and re-read."""
        stamp, line, start = self._stored[str(path)]
        assert self._codec is not None
        self._codec.table.know(path)
        try:
            record = json.loads(line[start:-1])
            result = (stamp, *_decode_result(self._codec, record, Content(content.project, content.settings)))
        except (ValueError, RecursionError):
            del self._stored[str(path)]
            return None
        self._results[path] = result
        return result

    def to_bytes(self) -> bytes:
        """The result of every file read since this cache was made, as the build cache keeps it: a line of checked
        JSON a file, ``[path, [size, modification time], result]``, then a line with the table of paths. A file
        replayed unchanged keeps the line it was loaded from, written back as it was."""
        codec = self._codec or stored.Codec(stored.PathTable())
        lines: list[bytes] = []
        for path in sorted(self._read, key=str):
            stored_line = self._stored.get(str(path))
            if stored_line is not None:  # replayed unchanged
                lines.append(stored_line[1])
            elif path in self._results:
                stamp, scratch, found = self._results[path]
                try:
                    lines.append(_line([str(path), list(stamp), _encode_result(codec, scratch, found)]))
                except TypeError:  # a kind with a field of a type the codec does not store: read it each time
                    continue
        lines.append(_line(codec.table.paths))
        return b"\n".join(lines)

    @classmethod
    def from_bytes(cls, raw: bytes) -> ReadCache:
        """A cache holding what :meth:`to_bytes` stored; ValueError if it is not in that shape."""
        lines = raw.split(b"\n")
        paths = json.loads(lines[-1])
        if type(paths) is not list or not all(type(path) is str for path in paths):
            raise ValueError("its stored reads are not in the expected shape")
        cache = cls()
        cache._codec = stored.Codec(stored.PathTable(paths))
        for line in lines[:-1]:
            head = _line_head(line)
            quoted = head[1]  # escaped to ASCII: JSON without a backslash is the path itself between its quotes
            name = json.loads(quoted) if b"\\" in quoted else quoted[1:-1].decode("ascii")  # a str either way
            if not line.endswith(b"]"):
                raise ValueError("its stored reads are not in the expected shape")
            cache._stored[name] = ((int(head[2]), int(head[3])), line, head.end())
        return cache


@dataclass
class _Scan:
    """A whole read of a project, as the files it read in order and what it reported between them."""

    project: Path
    mark: int  # where in the diagnostics the next step's report begins
    steps: list[tuple[list[Diagnostic], Path, Callable[[Content, Diagnostics], None]]] = field(default_factory=list)
    tail: list[Diagnostic] = field(default_factory=list)  # reported after the last file
    unreadable_outside: bool = False  # something was found unreadable outside a file's own read (not replayed)
    complete: bool = False  # finished, and nothing was found unreadable outside a file's own read

    paths: frozenset[Path] = frozenset()  # every file read, when complete


def _line(value: object) -> bytes:
    """One line of JSON (a newline in a string is written ``\\n``)."""
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


# how :func:`_line` begins a file's line in the build cache: ``["path",[size,modification time],`` then its result
_LINE_HEAD = re.compile(rb'\[("(?:[^"\\]|\\.)*"),\[(\d+),(-?\d+)\],')


def _line_head(line: bytes) -> re.Match[bytes]:
    """A file's path (as JSON) and stamp in its line in the build cache; ValueError if the line is not in shape."""
    head = _LINE_HEAD.match(line)
    if head is None:
        raise ValueError("its stored reads are not in the expected shape")
    return head


def _encode_result(codec: stored.Codec, scratch: Content, found: list[Diagnostic]) -> list:
    return [
        codec.encode(Story | None, scratch.story),
        {
            name: codec.encode(list[stored.entry_class(name)], entries)  # type: ignore[misc]
            for name, entries in scratch.entries.items()
            if entries
        },
        codec.encode(list[Source], scratch.sources),
        codec.encode(list[Update], scratch.updates),
        codec.encode(list[Path], scratch.files),
        sorted(scratch.unreadable),
        codec.encode(list[Diagnostic], found),
        [_encode_wikilinks(entry) for name, entries in scratch.entries.items() for entry in entries],
    ]


def _encode_wikilinks(entry: Entry) -> list | None:
    """The wikilinks found in an entry's body, ``target, shown, line, column`` each, one after the other in one list
    (None: no body to scan), kept with the file's read so a later build need not scan a body it did not read again
    (see :func:`_decode_wikilinks`)."""
    from explainer.linker import find_wikilinks

    if not entry.body or entry.body_span is None:
        return None
    start = entry.body_span
    found: list = []
    for target, shown, span in find_wikilinks(entry.body, start, entry.body_indent):
        if span.path != start.path:
            raise TypeError("a wikilink found outside its body's file")  # never so: then the file is read each time
        found += (target, shown, span.line, span.column)
    return found


def _decode_wikilinks(scratch: Content, stored_found: object) -> None:
    """Tell the linker what each entry's body holds (as :func:`_encode_wikilinks` kept it), checked value by value."""
    from explainer.linker import know_wikilinks

    entries = [entry for name in scratch.entries for entry in scratch.entries[name]]
    if type(stored_found) is not list or len(stored_found) != len(entries):
        raise ValueError("a stored read is not in the expected shape")
    new = object.__new__
    for entry, found in zip(entries, stored_found, strict=True):
        if found is None:
            continue
        start = entry.body_span
        if type(found) is not list or len(found) % 4 or not entry.body or start is None:
            raise ValueError("a stored read is not in the expected shape")
        path, made = start.path, []
        for target, text, line, column in zip(found[0::4], found[1::4], found[2::4], found[3::4], strict=True):
            if type(target) is not str or type(line) is not int or type(column) is not int:
                raise ValueError("a stored read is not in the expected shape")
            if text is not None and type(text) is not str:
                raise ValueError("a stored read is not in the expected shape")
            span = new(Span)  # as Span(path, line, column) makes it, without the frozen class's checks of each field
            span.__dict__.update(path=path, line=line, column=column)
            made.append((target, text, span))
        know_wikilinks(entry.body, start, entry.body_indent, made)


def _decode_result(codec: stored.Codec, record: object, scratch: Content) -> tuple[Content, list[Diagnostic]]:
    if type(record) is not list or len(record) != 8 or type(record[1]) is not dict or type(record[5]) is not list:
        raise ValueError("a stored read is not in the expected shape")
    story, entries, sources, updates, files, unreadable, found, wikilinks = record
    decoders = codec.decoders(_RESULT_PARTS)
    if story is not None:
        scratch.story = decoders[0](story)
    for name, values in entries.items():
        scratch.entries[name] = codec.entries_decoder(name)(values)
    if sources != []:  # an empty list (most files) is the scratch's own; anything else is decoded, so checked
        scratch.sources = decoders[1](sources)
    if updates != []:
        scratch.updates = decoders[2](updates)
    scratch.files = decoders[3](files)
    if unreadable:
        if not all(type(name) is str for name in unreadable):
            raise ValueError("a stored read is not in the expected shape")
        scratch.unreadable = set(unreadable)
    diagnostics = decoders[4](found) if found != [] else []
    _decode_wikilinks(scratch, wikilinks)  # last: what it tells the linker is told only of a result replayed whole
    return scratch, diagnostics


_RESULT_PARTS = (Story, list[Source], list[Update], list[Path], list[Diagnostic])  # a stored read's, in order


def read_project(
    project: Path, diagnostics: Diagnostics, cache: ReadCache | None = None, changed: AbstractSet[Path] | None = None
) -> Content:
    """Read settings, the story, every collection and the sources.

    ``changed``, when given, is every file changed since the last read with ``cache`` (a watcher's list): when
    they are all files that read read, it is replayed with only those read again, and no other file looked at.
    """
    project = project.resolve()
    cache = cache or ReadCache()
    content = Content(project, load_settings(project, diagnostics))
    if changed is not None and cache.replayable(project, changed):
        scan = cache._scan
        assert scan is not None
        results, items, entries = cache._results, diagnostics.items, content.entries
        for before, path, read_one in scan.steps:
            if before:
                items.extend(before)
            cached = None if path in changed else results.get(path)
            if cached is None:
                cache.read(path, read_one, content, diagnostics)
                continue
            scratch = cached[1]  # a file known unchanged: its result as it was (as ReadCache.read adds it)
            if scratch.story is not None:
                content.story = scratch.story
            for name, found in scratch.entries.items():
                if found:
                    entries[name].extend(found)
            if scratch.sources:
                content.sources.extend(scratch.sources)
            if scratch.updates:
                content.updates.extend(scratch.updates)
            content.files.extend(scratch.files)
            if scratch.unreadable:
                content.unreadable |= scratch.unreadable
            if cached[2]:
                items.extend(cached[2])
        items.extend(scan.tail)
        return content
    cache._scan = None
    cache._recording = _Scan(project, len(diagnostics.items))
    try:
        _read_whole_project(project, content, diagnostics, cache)
    finally:
        scan, cache._recording = cache._recording, None
    scan.tail = diagnostics.items[scan.mark :]
    scan.complete = not scan.unreadable_outside
    scan.paths = frozenset(path for _, path, _ in scan.steps)
    cache._scan = scan
    return content


def _read_whole_project(project: Path, content: Content, diagnostics: Diagnostics, cache: ReadCache) -> Content:
    _real_folder.cache_clear()  # folders may have become links since the last read
    content_dir = project / CONTENT_DIR
    kind = path_kind(content_dir)
    if kind != "folder":
        if kind in ("missing", "file", "unreadable"):
            diagnostics.error(
                Span(content_dir),
                "the project has no content/ folder",
                "run explainer in the folder that holds explainer.yml and content/, or pass it: explainer build PATH",
            )
        else:
            diagnostics.error(Span(content_dir), *kind_problem(content_dir, kind, "folder"))
        return content
    children = _list_folder(content_dir, diagnostics)
    if children is None:
        return content
    if not children:
        diagnostics.error(
            Span(content_dir),
            "the content/ folder is empty",
            "add content/story.md; `explainer init` makes a project with an example of each kind",
        )
        return content
    _warn_about_strays(children, diagnostics)
    story = content_dir / "story.md"
    if _is_readable_file(story, diagnostics):
        cache.read(story, lambda into, found: _read_story(story, into, found), content, diagnostics)
    elif path_kind(story) == "missing":
        diagnostics.error(
            Span(story),
            "the story has no content/story.md",
            "create it with title, summary and published in its front matter",
        )
    for collection in COLLECTIONS:
        _read_collection(content_dir, collection, content, diagnostics, cache)
    sources = content_dir / "sources.yml"
    if _is_readable_file(sources, diagnostics):
        cache.read(sources, lambda into, found: _read_sources(sources, into, found), content, diagnostics)
    elif path_kind(sources) != "missing":
        cache.mark_unreadable(content, "sources")
    updates = content_dir / UPDATES_FILE
    if _is_readable_file(updates, diagnostics):
        cache.read(updates, lambda into, found: _read_updates(updates, into, found), content, diagnostics)
    return content


def _list_folder(folder: Path, diagnostics: Diagnostics) -> list[Path] | None:
    """The folder's entries, sorted; None (with an error) when it cannot be listed."""
    try:
        return sorted(folder.iterdir(), key=str)  # as paths sort (one folder's), without comparing their parts
    except OSError as exc:
        diagnostics.error(
            Span(folder),
            f"cannot read the folder '{folder.name}': {exc.strerror or exc}",
            "check that it exists and that you may read it",
        )
        return None


def _is_readable_file(path: Path, diagnostics: Diagnostics, kind: str | None = None) -> bool:
    """True for a file to read; an error for anything else there but nothing (a pipe, a broken link...).

    Nothing but a regular file is ever opened: reading a named pipe would wait forever."""
    kind = kind or path_kind(path)
    if kind in ("file", "unreadable"):  # unreadable: reading it reports why
        return True
    if kind != "missing":
        diagnostics.error(Span(path), *kind_problem(path, kind))
    return False


def known_names() -> tuple[str, ...]:
    """The names content/ may hold, read from the kind registry each time (a kind may be added later)."""
    return ("story.md", "sources.yml", UPDATES_FILE, *COLLECTIONS, *(f"{c}.yml" for c in COLLECTIONS))


ENTRY_SUFFIXES = (".md", ".yml", ".yaml")


def _warn_about_strays(children: list[Path], diagnostics: Diagnostics) -> None:
    """A misspelled folder or file would silently drop entries; say so instead."""
    for path in children:
        if path.name in known_names() or path.name.startswith("."):
            continue
        is_dir = path_kind(path) == "folder"
        if is_dir:
            try:
                holds_entries = any(child.suffix in ENTRY_SUFFIXES for child in path.iterdir())
            except OSError:
                holds_entries = False
        else:  # a file, or a link or pipe named like one: nothing is read from it either way
            holds_entries = path.suffix in ENTRY_SUFFIXES
        if not holds_entries:
            continue  # images and other media may live anywhere under content/
        meant = likely_collection(path.name)
        if meant is not None:
            hint = f"did you mean '{meant}{'/' if is_dir else '.yml'}'?"
        else:
            hint = f"explainer reads {', '.join(known_names())}"
        diagnostics.warning(Span(path), f"'{path.name}' is not part of the content format and was not read", hint)


@functools.lru_cache(maxsize=1024)
def _real_folder(folder: str) -> Path:
    return Path(folder).resolve()


def _inside(path: Path, root: Path, diagnostics: Diagnostics) -> bool:
    """False (with an error) for a link that leads outside the project."""
    try:
        real = path.resolve() if path.is_symlink() else _real_folder(str(path.parent)) / path.name
    except (OSError, RuntimeError):  # a loop of links (RuntimeError before Python 3.13): reading it says so
        return True
    if real.is_relative_to(root):
        return True
    diagnostics.error(
        Span(path),
        "this file links to a place outside the project and was not read",
        "copy the file into the project instead of linking to it",
    )
    return False


def _read_story(path: Path, content: Content, diagnostics: Diagnostics) -> None:
    source = _read_markdown(path, content, diagnostics)
    if source is not None and source.front_matter is not None:
        content.story = build_story(
            source.front_matter, path, source.body, Span(path, source.body_line, 1), diagnostics
        )


def _read_markdown(path: Path, content: Content, diagnostics: Diagnostics) -> MarkdownSource | None:
    if not _inside(path, content.project, diagnostics):
        return None
    content.files.append(path)
    text = read_text(path, diagnostics)
    return split_front_matter(text, path, diagnostics) if text is not None else None


def _read_collection(
    content_dir: Path, collection: str, content: Content, diagnostics: Diagnostics, cache: ReadCache
) -> None:
    folder = content_dir / collection
    kind = path_kind(folder)
    if kind in ("folder", "unreadable"):
        for path in _list_folder(folder, diagnostics) or []:
            if path.name.startswith("."):
                continue
            kind = path_kind(path)
            if kind in ("folder", "missing"):
                continue
            if path.suffix != ".md":
                diagnostics.warning(
                    Span(path),
                    f"'{path.name}' is not a Markdown file and was skipped",
                    "entries in this folder must end in .md",
                )
                continue
            if _is_readable_file(path, diagnostics, kind):
                cache.read(path, functools.partial(_read_entry_file, path, collection), content, diagnostics)
            else:  # neither its fields nor its names can be read
                cache.mark_unreadable(content, f"{collection}/{path.stem}")
                cache.mark_unreadable(content, NAMES_UNKNOWN)
    elif kind == "file":
        diagnostics.warning(
            Span(folder),
            f"'{collection}' is a file, not a folder, and was not read",
            f"did you mean '{collection}.yml'?",
        )
    elif kind != "missing":
        diagnostics.error(Span(folder), *kind_problem(folder, kind, "folder"))
        cache.mark_unreadable(content, collection)
    list_file = content_dir / f"{collection}.yml"
    if _is_readable_file(list_file, diagnostics):
        cache.read(list_file, functools.partial(_read_entry_list, list_file, collection), content, diagnostics)
    elif path_kind(list_file) != "missing":
        cache.mark_unreadable(content, collection)


def _read_entry_file(path: Path, collection: str, content: Content, diagnostics: Diagnostics) -> None:
    source = _read_markdown(path, content, diagnostics)
    entry = None
    if source is not None and source.front_matter is not None:
        entry = build_entry(
            collection,
            source.front_matter,
            path,
            source.body,
            Span(path, source.body_line, 1),
            False,
            (str(path), 0),
            diagnostics,
        )
    if entry is None:
        content.unreadable.add(f"{collection}/{path.stem}")
        content.unreadable |= unread_names(collection, source.front_matter if source is not None else None)
    else:
        content.entries[collection].append(entry)


def _read_entry_list(list_file: Path, collection: str, content: Content, diagnostics: Diagnostics) -> None:
    items = _read_list(list_file, content, diagnostics)
    if items is None:
        content.unreadable.add(collection)
    for index, item in enumerate(items or []):
        entry = build_entry(collection, item, list_file, "", None, True, (str(list_file), index), diagnostics)
        if entry is not None:
            content.entries[collection].append(entry)
        else:
            content.unreadable |= unread_names(collection, item)
            content.unreadable |= {f"{collection}/{slug}" for slug in _slugs_meant(collection, item)}


def _slugs_meant(collection: str, item: Node) -> set[str]:
    """The slugs references may use for a list item that failed to read: its ``slug`` made a valid one, and its
    title's (which it has when no slug is written)."""
    if not item.is_map:
        return set()
    nodes = [item.value.get(name) for name in ("slug", KINDS[collection].title_field)]
    return {slug for node in nodes if node is not None and node.is_scalar and node.raw if (slug := slugify(node.raw))}


def _read_list(
    path: Path, content: Content, diagnostics: Diagnostics, items: tuple[str, str] = ("entries", "entry")
) -> list | None:
    """The items of a YAML list file; None when the file could not be read at all."""
    if not _inside(path, content.project, diagnostics):
        return None
    content.files.append(path)
    text = read_text(path, diagnostics)
    node = load_yaml(text, path, diagnostics) if text is not None else None
    if node is None:
        return None
    if node.is_map and not node.value:
        return []
    if not node.is_list:
        diagnostics.error(
            node.span,
            f"{path.name} must be a list of {items[0]}",
            f"start each {items[1]} with '- ' at the beginning of a line",
        )
        return None
    return node.value


def _read_sources(path: Path, content: Content, diagnostics: Diagnostics) -> None:
    items = _read_list(path, content, diagnostics)
    if items is None:
        content.unreadable.add("sources")
    for item in items or []:
        source = build_source(item, diagnostics)
        if source is not None:
            content.sources.append(source)
        elif item.is_map and (id_node := item.value.get("id")) is not None and id_node.is_scalar and id_node.raw:
            content.unreadable.add(f"sources/{id_node.raw}")  # its citations are not reported again


def _read_updates(path: Path, content: Content, diagnostics: Diagnostics) -> None:
    for order, item in enumerate(_read_list(path, content, diagnostics, ("updates", "update")) or []):
        update = as_updates.build(item, diagnostics)
        if update is not None:
            update.order = order
            content.updates.append(update)
