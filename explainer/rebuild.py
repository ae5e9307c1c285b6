"""The render stage and its one rebuild plan, shared by ``build``, ``check`` and ``serve``.

Every page render records what it read (:mod:`explainer.dependencies`). The
:class:`RenderState` keeps those reads with their values; the next render
evaluates them again on the new story and renders only the pages with a read
whose value changed (:func:`stale_pages`). ``check`` renders with no state,
``serve`` keeps the state in memory between saves, and ``build`` keeps it in
the build cache (:mod:`explainer.buildcache` only stores it).

What every page depends on (explainer's version, the settings, the assets,
the theme folders and the plain template globals) is one global digest; when
it changes every page is rendered.

Share images (:mod:`explainer.share_images`) are planned beside the pages: each
image's bytes depend only on its card, so the state keeps each card's digest
and an image is drawn again only when its card changed (or its file was changed
by hand). Images not drawn are left where they are (``build``) or as they were
in memory (``serve``); :attr:`SiteRender.images` names them all.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import operator
import re
import sys
import traceback
from array import array
from collections import ChainMap
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from itertools import count, filterfalse, repeat
from operator import itemgetter, methodcaller
from pathlib import Path
from typing import Any

import jinja2

from explainer import __version__, embeds, exports, feeds, i18n, share_images
from explainer.assets import Assets
from explainer.collection import out_of_sight
from explainer.context import SiteView
from explainer.dependencies import (
    VOLATILE,
    Evaluator,
    Read,
    item_key,
    page_reads,
    recorded_fields,
    recording,
    value_digest,
)
from explainer.diagnostics import Diagnostic, Diagnostics, Span
from explainer.linker import Linked, wikilink_targets
from explainer.living import Change, Chronicle
from explainer.markdown_render import PathologicalMarkdownError
from explainer.model import Entry, Person, Source, Story
from explainer.pages import Page, media_path, plan_pages
from explainer.parallel import map_chunks, worker_count
from explainer.reader import CONTENT_DIR
from explainer.render import Renderer, theme_dirs
from explainer.yamlsource import byte_position


class StoredReads:
    """A page's reads as positions in a table of reads: as a loaded build cache holds them (the last build's
    table), and as a render keeps the pages it rendered (its own table, positions ascending: see
    :func:`_one_copy_of_each_read`).

    Made into tuples only when looked at, so a build after an edit does not rebuild the reads of the
    thousands of pages it keeps; a kept page's positions are written back as they are.
    """

    __slots__ = ("positions", "table")

    def __init__(self, table: list[Read], positions: Sequence[int]) -> None:
        self.table = table
        self.positions = positions

    def __iter__(self) -> Iterator[Read]:
        table = self.table
        return (table[n] for n in self.positions)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (StoredReads, frozenset)):
            return frozenset(self) == frozenset(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # compared as a set, never a key

    def isdisjoint(self, reads: AbstractSet[Read]) -> bool:
        if not reads:
            return True
        table = self.table
        return not any(table[n] in reads for n in self.positions)


PageReads = frozenset[Read] | StoredReads


@dataclass
class RenderState:
    """What the last good render read: each page's reads, and each read's value digest then."""

    global_digest: str = ""
    reads: Mapping[Read, str] = field(default_factory=dict)  # a dict but when a later state took it over
    pages: dict[str, PageReads] = field(default_factory=dict)  # output path -> the reads its render made
    items: dict[str, str] = field(default_factory=dict)  # item key -> its structure (see item_digests)
    images: dict[str, str] = field(default_factory=dict)  # share image path -> its card's digest
    parts: dict[str, str] = field(default_factory=dict)  # each entry's part of the exports (see exports.Parts)
    bodies: dict[str, str] = field(default_factory=dict)  # entry key ("" the story) -> its body's digest (build)
    index: ReadIndex | None = field(default=None, repr=False, compare=False)  # kept in memory only (serve)
    planned: list[Page] | None = field(default=None, repr=False, compare=False)  # the pages, in memory only
    kept: KeptItems | None = field(default=None, repr=False, compare=False)  # the items' tables, in memory only
    table: list[Read] | None = field(default=None, repr=False, compare=False)  # the reads in order, when loaded

    def to_json(self, known: list[Read] | None = None) -> dict[str, Any]:
        """Plain JSON but two values: one table of reads (``reads``, text: see :func:`_table_text`), each read's
        digest (``digests``, in the table's order), and each page's reads as positions in the table: the pages'
        output paths (``paths``), then all their positions one page after another (``positions``) and where each
        page's end (``ends``), both the bytes of unsigned 32-bit numbers, little-endian, so a build loads them
        without making a number of each. When the table begins with ``known`` (the table as last stored),
        ``reads`` holds only the rows after it and ``from`` says how many it left out: the build cache keeps the
        stored rows as they were. A kept page's stored positions are copied as they are while the table they
        index begins this one (a build that changed no page's structure only adds reads)."""
        table = list(self.reads)
        same_start: dict[int, bool] = {}
        looked_up: list[PageReads] = []  # the pages whose reads' positions are looked up
        for reads in self.pages.values():
            if isinstance(reads, StoredReads):
                old = reads.table
                if id(old) not in same_start:
                    same_start[id(old)] = len(old) <= len(table) and table[: len(old)] == old
                if same_start[id(old)]:
                    continue
            looked_up.append(reads)
        needed: set[Read] = set().union(*looked_up)
        if len(needed) * 4 < len(table):  # a few pages rendered: the table is not indexed whole
            position = {read: index for index, read in enumerate(table) if read in needed}
        else:
            position = {read: index for index, read in enumerate(table)}
        numbers, ends = array("I"), array("I")
        for reads in self.pages.values():
            if isinstance(reads, StoredReads) and same_start[id(reads.table)]:
                numbers.extend(reads.positions)
            else:
                numbers.extend(sorted([position[read] for read in reads]))
            ends.append(len(numbers))
        digests = self.reads
        start = 0
        if known is not None and len(known) <= len(table):
            same = same_start.get(id(known))
            if same is None:
                same = table[: len(known)] == known
            start = len(known) if same else 0
        return {
            "global": self.global_digest,
            "from": start,
            "reads": _table_text(table[start:]),
            "digests": list(digests.values()) if type(digests) is dict else [digests[read] for read in table],
            "paths": list(self.pages),
            "ends": _numbers_bytes(ends),
            "positions": _numbers_bytes(numbers),
            "items": self.items,
            "images": self.images,
            "parts": self.parts,
            "bodies": self.bodies,
        }

    @staticmethod
    def take_numbers(data: dict[str, Any]) -> bytes:
        """The pages' ends and positions taken out of :meth:`to_json`'s ``data`` as one run of bytes (the ends
        first), as the build cache stores them; :meth:`stored_numbers` puts them back."""
        return data.pop("ends") + data.pop("positions")

    @staticmethod
    def stored_numbers(paths: Any, numbers: bytes) -> dict[str, bytes]:
        """:meth:`to_json`'s ``ends`` and ``positions`` from the bytes :meth:`take_numbers` made of them (one end
        a page of ``paths``, each :data:`_NUMBER_SIZE` bytes)."""
        ends = _NUMBER_SIZE * len(paths) if type(paths) is list else 0
        return {"ends": numbers[:ends], "positions": numbers[ends:]}

    @classmethod
    def from_json(cls, data: Any) -> RenderState:
        """The state :meth:`to_json` wrote, checked shape by shape (ValueError otherwise)."""
        if not isinstance(data, dict) or not isinstance(data.get("global"), str):
            raise ValueError("its render state is not in the expected shape")
        text, digests, paths = data.get("reads"), data.get("digests"), data.get("paths")
        if not (type(text) is str and type(digests) is list and type(paths) is list) or data.get("from") != 0:
            raise ValueError("its render state is not in the expected shape")
        table = _untable(text)
        if len(digests) != len(table) or not set(map(type, digests)) <= {str}:
            raise ValueError("its render state is not in the expected shape")
        reads = dict(zip(table, digests, strict=True))
        if len(reads) != len(table):
            raise ValueError("its render state is not in the expected shape")
        items, images, parts = _strings(data.get("items")), _strings(data.get("images")), _strings(data.get("parts"))
        bodies = _strings(data.get("bodies"))
        state = cls(data["global"], reads, items=items, images=images, parts=parts, bodies=bodies, table=table)
        ends = _numbers(data.get("ends")).tolist()
        # kept as 4-byte numbers (each page's a slice): at 10,000 entries a list would hold a million int objects
        numbers = _numbers(data.get("positions"))
        if len(ends) != len(paths) or not set(map(type, paths)) <= {str} or len(set(paths)) != len(paths):
            raise ValueError("its render state is not in the expected shape")
        starts = [0, *ends[:-1]]
        if (ends[-1] if ends else 0) != len(numbers) or (numbers and max(numbers) >= len(table)):
            raise ValueError("its render state is not in the expected shape")
        if not all(map(operator.le, starts, ends)):
            raise ValueError("its render state is not in the expected shape")
        slices = map(numbers.__getitem__, map(slice, starts, ends))
        state.pages.update(zip(paths, map(StoredReads, repeat(table), slices), strict=True))
        return state


class _ReadsBefore(Mapping[Read, str]):
    """A state's table of reads once a later state took its dict over (see :func:`_taken_over`): the dict as it is
    now, and what each read the later state set was before (None: it had none), so it still answers as it did."""

    __slots__ = ("before", "taken")

    def __init__(self, taken: dict[Read, str], before: dict[Read, str | None]) -> None:
        self.taken, self.before = taken, before

    def __getitem__(self, read: Read) -> str:
        if read in self.before:
            found = self.before[read]
            if found is None:
                raise KeyError(read)
            return found
        return self.taken[read]

    def __iter__(self) -> Iterator[Read]:
        before = self.before
        return (read for read in self.taken if read not in before or before[read] is not None)

    def __len__(self) -> int:
        return len(self.taken) - sum(1 for found in self.before.values() if found is None)


def _taken_over(previous: RenderState, *digests: dict[Read, str]) -> dict[Read, str]:
    """``previous``'s reads with ``digests`` (in order) over them, in ``previous``'s own dict, which ``previous``
    gives up for a :class:`_ReadsBefore` (``serve``: copying a table of a couple of hundred thousand reads each save
    costs more than the rest of a body edit's bookkeeping)."""
    taken = previous.reads
    if type(taken) is not dict:  # taken over already (a save that failed after its render): made anew
        return dict(ChainMap(*reversed(digests), taken))  # type: ignore[arg-type]
    before: dict[Read, str | None] = {}
    for found in digests:
        for read, digest in found.items():
            if read not in before:
                before[read] = taken.get(read)
            taken[read] = digest
    previous.reads = _ReadsBefore(taken, before)
    return taken


class ReadIndex:
    """Which pages made each read, with the reads grouped by what may change them, so an edit looks up the pages
    its changed reads affect instead of looking at every page's reads (``serve`` keeps one between saves)."""

    def __init__(self, pages: dict[str, PageReads], reads: Mapping[Read, str]) -> None:
        self.pages_of: dict[Read, set[str]] = {}
        self.fields_of: dict[Any, set[Read]] = {}  # item key (or view name) -> the reads of its fields
        self.structural: set[Read] = set()  # helper calls, page plans and wikilink targets
        self.other: set[Read] = set()  # templates, and anything else: looked at every time
        for path, page in pages.items():
            self.add(path, page)
        self.volatile = {read for read, digest in reads.items() if digest == VOLATILE}

    def add(self, path: str, reads: Iterable[Read]) -> None:
        pages_of = self.pages_of
        for read in reads:
            users = pages_of.get(read)
            if users is None:
                users = pages_of[read] = set()
                what = read[0]
                if what == "field":
                    self.fields_of.setdefault(read[1], set()).add(read)
                elif what in ("call", "page", "wikilink"):
                    self.structural.add(read)
                else:
                    self.other.add(read)
            users.add(path)

    def remove(self, path: str, reads: Iterable[Read]) -> None:
        for read in reads:
            users = self.pages_of.get(read)
            if users is not None:
                users.discard(path)

    def untrusted(self, evaluate: Evaluator) -> Iterator[Read]:
        """Every read some page made that ``evaluate`` does not trust as it was (see :meth:`Evaluator.trusted`)."""
        yield from self.volatile
        if evaluate.same_templates:
            yield from (read for read in self.other if read[0] != "template")
        else:
            yield from self.other
        if not evaluate.same_structure:
            yield from self.structural
        stable, views, fields_of = evaluate.stable_items, evaluate.views, self.fields_of
        for owner in fields_of.keys() - stable:  # the few owners not stable, found by a set difference
            if not (evaluate.same_structure and owner in views):
                yield from fields_of[owner]

    def update(
        self, previous: RenderState, state: RenderState, rendered: Iterable[str], new_digests: Iterable[dict]
    ) -> None:
        """Brought from ``previous``'s pages to ``state``'s: ``rendered`` pages' reads replaced, gone pages' removed;
        ``new_digests`` are the digests ``state`` took anew (the rest are ``previous``'s)."""
        for path in rendered:
            self.remove(path, previous.pages.get(path, ()))
            self.add(path, state.pages[path])
        for path in previous.pages.keys() - state.pages.keys():
            self.remove(path, previous.pages[path])
        for digests in new_digests:
            for read, digest in digests.items():
                if digest == VOLATILE:
                    self.volatile.add(read)
                else:
                    self.volatile.discard(read)


def _strings(mapping: Any) -> dict[str, str]:
    if type(mapping) is not dict or not {*map(type, mapping), *map(type, mapping.values())} <= {str}:
        raise ValueError("its render state is not in the expected shape")
    return mapping


_BIG_ENDIAN = sys.byteorder == "big"
_FIELD, _ROW, _JSON_ROW, _SECTION = "\x1f", "\x1e", "\x1d", "\x1c"  # see _table_text
_SEPARATOR = re.compile("[\x1b-\x1f]")
_OTHER_SEPARATOR = re.compile("[\x1b\x1c]")


_NUMBER_SIZE = 4  # bytes of each number of a page's reads in the stored render state (unsigned, little-endian)


def _numbers_bytes(numbers: array) -> bytes:
    """Unsigned 32-bit numbers as their little-endian bytes (see :func:`_numbers`)."""
    if _BIG_ENDIAN:
        numbers = array("I", numbers)
        numbers.byteswap()
    return numbers.tobytes()


def _numbers(raw: Any) -> array:
    """The numbers :func:`_numbers_bytes` wrote; ValueError if ``raw`` is not that."""
    numbers = array("I")
    if type(raw) is not bytes or numbers.itemsize != _NUMBER_SIZE or len(raw) % _NUMBER_SIZE:
        raise ValueError("its render state is not in the expected shape")
    numbers.frombytes(raw)
    if _BIG_ENDIAN:
        numbers.byteswap()
    return numbers


def _table_text(reads: Sequence[Read]) -> str:
    """A table of reads as text loaded by splitting, with no JSON value made a string at a time (see
    :func:`_untable`): six sections separated by U+001C. The first says of each read in turn which section holds
    it, a letter a read; each other is a list of rows separated by U+001E: ``c`` the helper calls with one pair
    of string arguments, most of them (``owner``, ``helper`` and the pair, separated by U+001F); ``f`` the fields
    of items (``owner`` and ``name``); ``p`` the page plans and ``w`` the wikilink targets (their one string, not
    empty); ``o`` every other read as :func:`_row` makes it a flat list, its strings separated by U+001F, or, for
    a read that is not a list of strings free of U+001B to U+001F whose first string is not empty, U+001D and the
    JSON of that list (JSON writes no control character as it is). Empty for no reads; a table that grows is
    stored as the text of its first rows, U+001C and the text of the rest."""
    if not reads:
        return ""
    kinds: list[str] = []
    calls: list[str] = []
    fields: list[str] = []
    pages: list[str] = []
    links: list[str] = []
    others: list[str] = []
    joined = rows_of_json = 0  # the U+001F the rows' strings are joined with, the rows kept as JSON
    for read in reads:
        head = read[0] if read else None
        size = len(read)
        try:
            if head == "field" and size == 3:
                fields.append(_FIELD.join((read[1], read[2])))  # TypeError if not strings
                joined += 1
                kinds.append("f")
                continue
            if head == "page" and size == 2 and type(read[1]) is str and read[1]:
                pages.append(read[1])
                kinds.append("p")
                continue
            if head == "wikilink" and size == 2 and type(read[1]) is str and read[1]:
                links.append(read[1])
                kinds.append("w")
                continue
            if head == "call":
                args = read[3] if size == 4 else None
                if type(args) is tuple and len(args) == 1 and type(args[0]) is tuple and len(args[0]) == 2:
                    calls.append(_FIELD.join((read[1], read[2], *args[0])))
                    joined += 3
                    kinds.append("c")
                    continue
                row = _row(read)
                if type(row[0]) is str:  # a call with other than one pair of strings
                    others.append(_FIELD.join(row))
                    joined += len(row) - 1
                    kinds.append("o")
                    continue
            elif head and type(head) is str:
                others.append(_FIELD.join(read))
                joined += size - 1
                kinds.append("o")
                continue
        except TypeError:
            pass
        others.append(_JSON_ROW + json.dumps(_row(read), separators=(",", ":")))
        rows_of_json += 1
        kinds.append("o")
    sections = [calls, fields, pages, links, others]
    texts = [_ROW.join(rows) for rows in sections]
    whole = "".join(texts)
    if (
        whole.count(_FIELD) == joined
        and whole.count(_ROW) == sum(max(len(rows) - 1, 0) for rows in sections)
        and whole.count(_JSON_ROW) == rows_of_json
        and not _OTHER_SEPARATOR.search(whole)
    ):
        return _SECTION.join(["".join(kinds), *texts])
    return _table_text_part_by_part(reads)  # a string held a separator: each looked at


def _table_text_part_by_part(reads: Sequence[Read]) -> str:
    """:func:`_table_text` for reads of which some string holds a separator."""
    kinds: list[str] = []
    sections: dict[str, list[str]] = {kind: [] for kind in "cfpwo"}
    for read in reads:
        row = _row(read)
        plain = type(row[0]) is str and row[0] and not any(_SEPARATOR.search(part) for part in row)
        if plain and row[0] == "call" and len(row) == 5:
            kind, text = "c", _FIELD.join(row[1:])
        elif plain and row[0] == "field" and len(row) == 3:
            kind, text = "f", _FIELD.join(row[1:])
        elif plain and row[0] in ("page", "wikilink") and len(row) == 2 and row[1]:
            kind, text = row[0][0], row[1]
        else:
            kind, text = "o", _FIELD.join(row) if plain else _JSON_ROW + json.dumps(row, separators=(",", ":"))
        kinds.append(kind)
        sections[kind].append(text)
    return _SECTION.join(["".join(kinds), *(_ROW.join(rows) for rows in sections.values())])


def _untable(text: str) -> list[Read]:
    """The reads :func:`_table_text` wrote (one text, or several joined by U+001C), checked (ValueError if not in
    shape)."""
    if not text:
        return []
    sections = text.split(_SECTION)
    if len(sections) % 6:
        raise ValueError("its render state is not in the expected shape")
    table: list[Read] = []
    split = methodcaller("split", _FIELD)
    for at in range(0, len(sections), 6):
        kinds, call_text, field_text, page_text, link_text, other_text = sections[at : at + 6]
        calls = [("call", o, h, ((k, v),)) for o, h, k, v in map(split, call_text.split(_ROW))] if call_text else []
        fields = [("field", owner, name) for owner, name in map(split, field_text.split(_ROW))] if field_text else []
        pages = [("page", path) for path in page_text.split(_ROW)] if page_text else []
        links = [("wikilink", target) for target in link_text.split(_ROW)] if link_text else []
        others: list[Read] = [tuple(row.split(_FIELD)) for row in other_text.split(_ROW)] if other_text else []
        found: dict[str, list[Read]] = {"c": calls, "f": fields, "p": pages, "w": links, "o": others}
        if len(kinds) != sum(map(len, found.values())) or any(kinds.count(k) != len(v) for k, v in found.items()):
            raise ValueError("its render state is not in the expected shape")
        if not all(map(itemgetter(0), others)):
            raise ValueError("its render state is not in the expected shape")
        if _JSON_ROW in other_text or "call" + _FIELD in other_text or ("call",) in others:
            for n, read in enumerate(others):
                head = read[0]
                if head == "call":
                    if len(read) < 3 or not len(read) % 2:
                        raise ValueError("its render state is not in the expected shape")
                    others[n] = ("call", read[1], read[2], tuple(zip(read[3::2], read[4::2], strict=True)))
                elif head[0] == _JSON_ROW:
                    if len(read) != 1:
                        raise ValueError("its render state is not in the expected shape")
                    others[n] = _unrow(json.loads(head[1:]))
        following = {kind: iter(rows).__next__ for kind, rows in found.items()}
        table += [following[kind]() for kind in kinds]
    return table


def _row(read: Read) -> list:
    """A read as one flat JSON list (see :meth:`RenderState.to_json`)."""
    if read and read[0] == "call":
        if len(read) == 4 and type(read[1]) is str and type(read[2]) is str and type(read[3]) is tuple:
            row = ["call", read[1], read[2]]
            for argument in read[3]:
                if not (type(argument) is tuple and len(argument) == 2):
                    return [read]
                row += argument
            if all(type(part) is str for part in row):
                return row
    elif read and all(type(part) is str for part in read):
        return list(read)
    return [read]


def _unrow(row: Any) -> Read:
    """The read a row of :meth:`RenderState.to_json` holds; ValueError if it is not one."""
    if type(row) is not list or not row:
        raise ValueError("its render state is not in the expected shape")
    head = row[0]
    if type(head) is list:
        if len(row) != 1:
            raise ValueError("its render state is not in the expected shape")
        return _tupled(head)
    if not all(type(part) is str for part in row):
        raise ValueError("its render state is not in the expected shape")
    if head == "call":
        if len(row) < 3 or len(row) % 2 == 0:
            raise ValueError("its render state is not in the expected shape")
        return ("call", row[1], row[2], tuple(zip(row[3::2], row[4::2], strict=True)))
    return tuple(row)


def _tupled(read: Any, depth: int = 0) -> tuple:
    """A read from JSON: lists back to tuples, plain values kept, anything else refused."""
    if type(read) is not list or depth > 8:
        raise ValueError("its render state is not in the expected shape")
    parts = []
    for part in read:
        kind = type(part)
        if kind is str or part is None or kind is int or kind is bool or kind is float:
            parts.append(part)
        else:
            parts.append(_tupled(part, depth + 1))
    return tuple(parts)


def global_digest(linked: Linked, renderer: Renderer, asset_names: dict[str, str]) -> str:
    """What every page depends on: explainer, the settings, the assets, the themes and the plain globals."""
    plain = sorted(
        (name, repr(value))
        for name, value in renderer.env.globals.items()
        if value is None or isinstance(value, (str, int, bool, dict, tuple, list))
    )
    parts = [
        __version__,
        repr(dataclasses.astuple(linked.content.settings)),
        repr(sorted(asset_names.items())),
        repr([str(theme) for theme in theme_dirs(linked)]),
        repr(plain),
        share_images.environment() if renderer.share_images else "",  # the fonts decide which titles fall back
        renderer.language.digest,  # the catalogs every page's words come from
    ]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


class KeptItems:
    """The tables a render made of its model items and pages, kept in memory between saves (``serve``) and brought
    up to date by the items read again, instead of made anew from every item each save.

    ``objects`` are the items :func:`item_digests` digested, in its order, all with distinct keys; holding them keeps
    their ids theirs, so ``registered`` (what :func:`~explainer.dependencies.recording` is told of each) and ``named``
    (the positions of the planned pages naming each) may be keyed by id.
    """

    __slots__ = ("by_key", "key_set", "keys", "named", "objects", "paths", "positions", "registered", "site")

    def __init__(self, objects: list[Any], keys: list[str]) -> None:
        self.objects = objects
        self.keys = keys
        self.key_set = frozenset(keys)
        self.by_key: dict[str, Any] = dict(zip(keys, objects, strict=True))
        self.registered: dict[int, tuple[str, frozenset[str]]] = {
            id(item): (key, recorded_fields(type(item))) for item, key in zip(objects, keys, strict=True)
        }
        self.named: dict[int, list[int]] | None = None  # set with the plan (see :func:`_page_tables`)
        self.paths: dict[str, Page] | None = None  # output path -> planned page
        self.positions: dict[str, int] | None = None  # output path -> its place in the plan
        self.site: SiteView | None = None  # the render's site view (its orders are kept while the structure is)

    def replacing(self, objects: list[Any], replaced: list[tuple[Any, Any]]) -> KeptItems:
        """These tables for ``objects``: the same keys in the same places, ``replaced`` (old, new) pairs changed."""
        kept = object.__new__(KeptItems)
        kept.objects, kept.keys, kept.key_set = objects, self.keys, self.key_set
        kept.by_key, kept.registered = dict(self.by_key), dict(self.registered)
        kept.named, kept.paths, kept.positions, kept.site = None, None, None, None
        for old, new in replaced:
            entry = kept.registered.pop(id(old))
            kept.registered[id(new)] = (entry[0], recorded_fields(type(new)))
            kept.by_key[entry[0]] = new
        return kept


def _model_items(linked: Linked) -> list[Any]:
    content = linked.content
    return [*content.all_entries(), *linked.sources.values(), *([content.story] if content.story else [])]


def item_digests(
    linked: Linked, stable_paths: AbstractSet[str] | None, previous: RenderState | None
) -> tuple[dict[str, str], set[str]]:
    """Each item's structure (every recorded field but its body, and its body's wikilink targets), and the keys of
    the items read from files unchanged since ``previous`` (their structure is taken from it, not worked out)."""
    digests, stable, _, _ = _item_digests(linked, stable_paths, previous, keep=False)
    return digests, set(stable)


def _item_digests(
    linked: Linked, stable_paths: AbstractSet[str] | None, previous: RenderState | None, keep: bool
) -> tuple[dict[str, str], AbstractSet[str], KeptItems | None, list[tuple[Any, Any]] | None]:
    """:func:`item_digests`, with the items' tables when ``keep`` (and the (old, new) pairs of the items read again,
    when the tables were brought up to date from ``previous``'s rather than made anew: see :class:`KeptItems`)."""
    content = linked.content
    items = _model_items(linked)
    known = previous.items if previous is not None else {}
    kept = previous.kept if previous is not None and keep else None
    if kept is not None and stable_paths is not None and len(kept.objects) == len(items):
        found = _digests_by_object(items, kept, stable_paths, known, content.updates)
        if found is not None:
            return found
    digests: dict[str, str] = {}
    stable: set[str] = set()
    keys: list[str] = []
    for item in items:
        key = item_key(item)
        assert key is not None
        keys.append(key)
        if stable_paths is not None and str(item.span.path) in stable_paths and key in known:
            digests[key] = known[key]
            stable.add(key)
        else:
            digests[key] = _structure(item)
    digests["updates"] = value_digest(content.updates)  # the log's items have no file of their own
    made = KeptItems(items, keys) if keep and len(digests) == len(items) + 1 else None  # only with distinct keys
    return digests, stable, made, None


def _digests_by_object(
    items: list[Any], kept: KeptItems, stable_paths: AbstractSet[str], known: dict[str, str], updates: list
) -> tuple[dict[str, str], AbstractSet[str], KeptItems, list[tuple[Any, Any]]] | None:
    """:func:`_item_digests` from the last render's tables: an item that is the same object as then was read from
    a file unchanged since (``serve`` reads a changed file again, into new objects), so its structure is as it
    was; the others are looked at as :func:`item_digests` does. None when an item in some place has another key."""
    objects, keys = kept.objects, kept.keys
    moved = [n for n, (item, was) in enumerate(zip(items, objects, strict=True)) if item is not was]
    digests = dict(known)
    changed: set[str] = set()
    replaced: list[tuple[Any, Any]] = []
    for n in moved:
        item, key = items[n], keys[n]
        if item_key(item) != key or key not in known:
            return None
        replaced.append((objects[n], item))
        if str(item.span.path) not in stable_paths:
            digests[key] = _structure(item)
            changed.add(key)
    digests["updates"] = value_digest(updates)
    if len(digests) != len(items) + 1:  # pragma: no cover - the last render's keys were distinct
        return None
    return digests, kept.key_set - changed, kept.replacing(items, replaced), replaced


def _structure(item: Any) -> str:
    fields = sorted(recorded_fields(type(item)) - {"body"})
    links = wikilink_targets(item) if isinstance(item, (Entry, Story)) else []
    return value_digest((tuple((name, object.__getattribute__(item, name)) for name in fields), tuple(links)))


def model_items(linked: Linked, chronicle: Chronicle) -> list[Any]:
    """Every item a page may read and a later build finds again by its key: entries, sources, the story, changes."""
    story = [linked.content.story] if linked.content.story is not None else []
    return [*linked.content.all_entries(), *linked.sources.values(), *story, *chronicle.changes]


def evaluator(renderer: Renderer, pages: Iterable[Page], kept: KeptItems | None = None) -> Evaluator:
    """Reads evaluated on the story ``renderer`` holds (whose items and pages ``kept`` has in tables, when given)."""
    site = renderer.site
    items: dict[str, Any]
    if kept is not None:
        items = dict(kept.by_key)
        for change in site.chronicle.changes:
            items.setdefault(str(item_key(change)), change)
    else:
        items = {}
        for item in model_items(renderer.linked, site.chronicle):
            items.setdefault(str(item_key(item)), item)
    by_path = dict(kept.paths) if kept is not None and kept.paths is not None else None
    return Evaluator(
        items,
        {"site": site, "chronicle": site.chronicle},
        renderer.linked.wikilinks,
        by_path if by_path is not None else {page.output_path: page for page in pages},
        renderer.env,
    )


def stale_pages(
    pages: Sequence[Page],
    previous: RenderState | None,
    digest: str,
    evaluate: Evaluator,
    dirty: AbstractSet[str] = frozenset(),
    positions: dict[str, int] | None = None,
) -> list[Page]:
    """The pages to render: all without a usable state, else those new, ``dirty``, or with a read that changed.

    Each distinct read is looked at once (most are trusted as they were, see :meth:`Evaluator.trust`); a page is
    stale when its reads meet the changed ones. ``positions`` (each page's place in ``pages`` by its output path)
    may be given when every page is one ``previous`` has reads of: the stale pages are then looked up.
    """
    if previous is None or previous.global_digest != digest:
        return list(pages)
    if previous.index is not None:
        return _stale_by_index(pages, previous, previous.index, evaluate, dirty, positions)
    known = previous.reads  # what ``evaluate`` was told to trust (see render_site)
    changed = {read for read in evaluate.untrusted() if (now := evaluate(read)) == VOLATILE or now != known[read]}
    at: dict[int, set[int]] = {}  # the changed reads' positions in each table stored reads index
    stale = []
    for page in pages:
        reads = previous.pages.get(page.output_path)
        if reads is None or page.output_path in dirty:
            stale.append(page)
        elif not changed:
            continue
        elif type(reads) is StoredReads:
            found = at.get(id(reads.table))
            if found is None:
                found = at[id(reads.table)] = _positions(reads.table, changed)
            if not found.isdisjoint(reads.positions):
                stale.append(page)
        elif not reads.isdisjoint(changed):
            stale.append(page)
    return stale


def _positions(table: list[Read], reads: AbstractSet[Read]) -> set[int]:
    """The positions of ``reads`` in ``table`` (those it holds)."""
    if len(reads) > 16:
        return {position for position, read in enumerate(table) if read in reads}
    found = set()
    for read in reads:  # a body edit changes a read or two: each looked for, the table not indexed
        try:
            found.add(table.index(read))
        except ValueError:
            continue
    return found


def _stale_by_index(
    pages: Sequence[Page],
    previous: RenderState,
    index: ReadIndex,
    evaluate: Evaluator,
    dirty: AbstractSet[str],
    positions: dict[str, int] | None = None,
) -> list[Page]:
    """:func:`stale_pages` by ``previous``'s index: only the reads ``evaluate`` does not trust are looked at, and the
    pages of those that changed are looked up."""
    known = previous.reads
    affected: set[str] = set(dirty)
    for read in set(index.untrusted(evaluate)):
        before = known.get(read)
        if before is not None and ((now := evaluate(read)) == VOLATILE or now != before):
            affected |= index.pages_of.get(read, set())
    if positions is not None:
        return [pages[n] for n in sorted({positions[path] for path in affected if path in positions})]
    kept = previous.pages
    return [page for page in pages if (path := page.output_path) in affected or path not in kept]


# --- rendering ---------------------------------------------------------------------------------


@dataclass
class RenderedPages:
    """Pages as HTML, what each read, and the digests of those reads."""

    files: dict[str, bytes] = field(default_factory=dict)
    reads: dict[str, PageReads] = field(default_factory=dict)
    digests: dict[Read, str] = field(default_factory=dict)


@dataclass
class _Rendered(RenderedPages):
    """One chunk's pages, what went wrong in it, and the bodies it converted (for the exports).

    As made, ``digests`` has every distinct read of the chunk's pages, in the order they were first made, and
    ``positions`` each page's reads as their places in that order (a few bytes a read, sent back from a worker
    as they are); ``reads`` is empty until the chunk is collected (see :func:`_one_copy_of_each_read`)."""

    positions: dict[str, array[int]] = field(default_factory=dict)
    body_errors: list[Diagnostic] = field(default_factory=list)
    template_error: Diagnostic | None = None
    bodies: dict[tuple, str] = field(default_factory=dict)


def convert_body(renderer: Renderer, item: Entry | Story) -> Diagnostic | None:
    """Convert a body ahead of its page, so a broken one is reported at its own line."""
    try:
        renderer.body_html(item)
    except RecursionError:
        return Diagnostic(
            item.body_span or item.span,
            "the Markdown is nested too deeply to render",
            "use fewer levels of nested lists or quotes",
        )
    except PathologicalMarkdownError as problem:  # found before converting: at the line to fix
        start = item.body_span or item.span
        indent = item.body_indent if isinstance(item, Entry) else 0
        column = problem.column + (start.column - 1 if problem.line_offset == 0 else indent)
        return Diagnostic(Span(start.path, start.line + problem.line_offset, column), problem.message, problem.hint)
    return None


Write = Callable[[str, bytes], None]  # takes a file as it is made (its output path and bytes), instead of keeping it


def _render_chunk(shared: tuple[Renderer, Evaluator, Write | None], pages: Sequence[Page]) -> _Rendered:
    renderer, evaluate, write = shared  # one evaluator for all chunks (a forked worker's copy for its chunks)
    result = _Rendered()
    numbered: dict[Read, int] = {}  # each distinct read of the chunk's pages, by the order it was first made
    first_new = len(renderer.converted)
    result.body_errors = [
        error for page in pages if page.entry is not None if (error := convert_body(renderer, page.entry)) is not None
    ]
    if result.body_errors:
        return result
    for page in pages:
        try:
            with page_reads() as reads:
                reads.update({("page", page.output_path), ("template", page.template)})
                html = renderer.render(page)
            # each read not yet numbered numbered next, in the set's order (as setdefault read by read would)
            numbered.update(zip(filterfalse(numbered.__contains__, reads), count(len(numbered))))
            result.positions[page.output_path] = array("I", map(numbered.__getitem__, reads))
        except jinja2.TemplateSyntaxError as exc:
            result.template_error = Diagnostic(
                Span(Path(exc.filename or exc.name or "template"), exc.lineno or 1, 1),
                f"template error: {exc.message}",
                "fix the theme template",
            )
            break
        except UnicodeDecodeError as exc:  # Jinja2 reads templates as UTF-8
            result.template_error = _undecodable_template(exc, page)
            break
        except Exception as exc:  # noqa: BLE001 - a theme's template may fail in any way; report, don't crash
            result.template_error = Diagnostic(
                _template_span(exc, page),
                f"template error while rendering {page.output_path}: {type(exc).__name__}: {exc}",
                "check the names and filters the template uses",
            )
            break
        if write is None:
            result.files[page.output_path] = html.encode("utf-8")
        else:
            write(page.output_path, html.encode("utf-8"))  # written now, by the process that rendered it
        del html
    # the values the pages were rendered from (each distinct read digested once, whichever chunk made it)
    result.digests = {read: evaluate(read) for read in numbered}  # in the order numbered
    result.bodies = {key: renderer.bodies[key] for key in renderer.converted[first_new:]}
    return result


def render_pages(
    renderer: Renderer,
    pages: list[Page],
    diagnostics: Diagnostics,
    workers: int = 1,
    every_page: list[Page] | None = None,
    evaluate: Evaluator | None = None,
    write: Write | None = None,
    kept: KeptItems | None = None,
) -> RenderedPages:
    """The given pages as HTML, in ``workers`` processes, with what each read; a broken body or template becomes
    a diagnostic (every body that cannot be converted is reported; of template errors, only the first page's).

    ``evaluate`` digests the reads (made for ``every_page`` unless given: the build's own, which has
    digested many of them already). With ``write``, each page is handed to it as soon as it is rendered (in
    the process that rendered it) and not kept: ``files`` stays empty, so no process holds every page.
    ``kept`` are the tables of the story's items (see :class:`KeptItems`), when there are."""
    site = renderer.site
    story = site.content.story
    if story is not None and (error := convert_body(renderer, story)) is not None:
        diagnostics.items.append(error)
    if kept is not None:  # the entries, sources and story as registered already; the changes are made anew each time
        items, registered = list(site.chronicle.changes), kept.registered
    else:
        items, registered = model_items(renderer.linked, site.chronicle), None
    with recording([Entry, Story, Source, Change], [type(site), Chronicle], items, registered):
        # workers are forked inside: they inherit the recording classes and the story's converted body
        if evaluate is None:
            evaluate = evaluator(renderer, every_page or pages)
        table: list[Read] = []
        found: list[str] = []  # each read's digest, in the table's order
        collect = _one_copy_of_each_read(table, found)
        if workers > 1 and len(pages) > 1:  # workers are forked: they share what this process has read before
            renderer.language.preload()
        chunks = map_chunks(
            _render_chunk, (renderer, evaluate, write), _cards_beside_their_pages(pages), workers, collect
        )
    rendered = RenderedPages()
    for chunk in chunks:
        diagnostics.items.extend(chunk.body_errors)
        renderer.bodies.update(chunk.bodies)
    if diagnostics.errors:
        return rendered
    for chunk in chunks:
        if chunk.template_error is not None:
            diagnostics.items.append(chunk.template_error)
            return rendered
    for chunk in chunks:
        rendered.files.update(chunk.files)
        rendered.reads.update(chunk.reads)
    rendered.digests = dict(zip(table, found, strict=True))
    return rendered


def _cards_beside_their_pages(pages: list[Page]) -> list[Page]:
    """``pages`` with each embeddable card moved to just after the page it stands for (the plan puts every card
    last), so both fall in one chunk: a card shows what its page does (a summary converted from the body), which a
    process converts once for both where two processes each converted it (a third more Markdown at 2,000 entries)."""
    cards = {page.path: page for page in pages if page.card_of is not None}
    if not cards:
        return pages
    ordered = []
    for page in pages:
        if page.card_of is None:
            ordered.append(page)
            if page.embed is not None and (card := cards.pop(page.embed, None)) is not None:
                ordered.append(card)
    return ordered + list(cards.values())  # cards whose pages are not among ``pages``, in the plan's order


def _one_copy_of_each_read(table: list[Read], digests: list[str]) -> Callable[[_Rendered], _Rendered]:
    """Keeps each read once across chunks, in one ``table``: a chunk from a worker arrives with its own copy of
    every read its pages made and of its digest (pickling shares them only within the chunk), and most reads are
    made by pages of every chunk. Reads are added to ``table`` in the order they first came, their digests to
    ``digests`` in the same order (a list while workers run: a dict of them is made once they are done); a chunk
    keeps each page's reads as ascending positions in the table (:class:`StoredReads`), a few bytes a read where a
    set of them took tens, and its own numbering and digests are let go."""
    position: dict[Read, int] = {}

    def collect(chunk: _Rendered) -> _Rendered:
        here = []  # the table's position of each of the chunk's reads, in the chunk's order
        for read, digest in chunk.digests.items():  # every read the chunk's pages made (see _render_chunk)
            at = position.get(read)
            if at is None:
                at = position[read] = len(table)
                table.append(read)
                digests.append(digest)
            here.append(at)
        chunk.digests = {}
        chunk.reads = {
            path: StoredReads(table, array("I", sorted([here[n] for n in numbers])))
            for path, numbers in chunk.positions.items()
        }
        chunk.positions = {}
        return chunk

    return collect


def _undecodable_template(exc: UnicodeDecodeError, page: Page) -> Diagnostic:
    """A template that is not UTF-8, at the byte that is not, as a content file that is not is reported. Jinja2's
    loader does not name the file in its error: the file is the one its ``get_source`` was reading."""
    filename = None
    for frame, _line in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_name == "get_source" and isinstance(frame.f_locals.get("filename"), str):
            filename = frame.f_locals["filename"]
    data = exc.object if isinstance(exc.object, bytes) else b""
    line, column = byte_position(data, exc.start) if filename else (1, 1)
    return Diagnostic(
        Span(Path(filename or page.template), line, column),
        "template is not valid UTF-8 text",
        "save the template as UTF-8 in your editor",
    )


def _template_span(exc: Exception, page: Page) -> Span:
    """The template file and line an exception was raised from, when Jinja2's traceback tells."""
    found = Span(Path(page.template))
    for frame, line in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename.endswith(".html"):
            found = Span(Path(frame.f_code.co_filename), line, 1)
    return found


# --- the site --------------------------------------------------------------------------------


@dataclass
class SiteRender:
    """One render of a site: the pages planned, those rendered again, and what the next render needs."""

    pages: list[Page]
    stale: list[Page]
    # the pages rendered now and the share images drawn now (unless handed to ``write`` as made), the assets and
    # the site files
    files: dict[str, bytes]
    state: RenderState
    renderer: Renderer
    assets: Assets
    images: set[str] = field(default_factory=set)  # every share image's path, drawn now or kept from before
    drawn: int = 0  # share images drawn now
    same_pages: bool = False  # the same pages (paths, in order) as the render of the ``previous`` state given
    # whether an entry is as it was in ``previous``'s render, its body and its exports alike (None: not known)
    unchanged: Callable[[Entry], bool] | None = None


# the story, the model and the libraries, alive when rendering starts, are held out of the collector's sight; what
# rendering makes (Jinja2's contexts and macros make reference cycles with every page, tens of megabytes over a
# story of thousands of pages) is still collected as it goes
@out_of_sight()
def render_site(
    linked: Linked,
    diagnostics: Diagnostics,
    *,
    previous: RenderState | None = None,
    dirty: AbstractSet[str] = frozenset(),
    stable_paths: AbstractSet[str] | None = None,
    environment: jinja2.Environment | None = None,
    bodies: dict | None = None,
    stored: dict[str, str] | None = None,
    workers: int | None = None,
    with_site_files: bool = True,
    with_images: bool = True,
    write: Write | None = None,
    keep_index: bool = False,
    same_templates: bool = False,
) -> SiteRender:
    """Plan the pages, render those the plan finds stale (all without ``previous``), and make the site files.

    ``dirty`` pages are rendered whatever their reads say (their file was changed by hand); ``stable_paths`` are
    the input files unchanged since ``previous`` (None: unknown), whose items' fields need no evaluating again.
    Without ``with_images`` no share image is drawn (``check``: drawing finds no problem). With ``write``, each
    page and share image is handed to it as it is made (by the process that made it) instead of being kept in
    ``files``. With ``keep_index`` the new state holds a :class:`ReadIndex` of its pages' reads, taken over from
    ``previous`` (which loses it) when it has one: the next render finds its stale pages by it.
    ``same_templates`` says no template file changed since ``previous`` (the templates' sources are then not read
    again).
    """

    def processes(count: int) -> int:
        return worker_count(count) if workers is None else workers

    tag, span = i18n.site_language(linked.content)
    language = i18n.load_language(tag, theme_dirs(linked), diagnostics, span)
    i18n.activate(language)  # page titles are planned in it
    assets = collect_assets(linked)
    items, stable, kept, replaced = _item_digests(linked, stable_paths, previous, keep_index)
    same_structure = previous is not None and items == previous.items
    site = None
    last = previous.kept if previous is not None else None
    if same_structure and replaced is not None and last is not None and last.site is not None:
        site = SiteView(linked, last.site, {id(old): new for old, new in replaced})  # the last view's orders
    renderer = Renderer(linked, assets, bodies, environment, stored, language, site)
    if kept is not None:
        kept.site = renderer.site
    digest = global_digest(linked, renderer, assets.names)
    same_pages = False  # the same pages as ``previous``, in the same order
    if same_structure and previous is not None and previous.planned is not None and previous.global_digest == digest:
        same_pages = True  # the plan depends on nothing that changed
        tables = None
        if replaced is not None and kept is not None and previous.kept is not None and previous.kept.named is not None:
            tables = (previous.kept, kept, replaced)
        pages = replanned(previous.planned, linked, tables)
    else:
        pages = plan_pages(linked)
    if kept is not None and kept.named is None:
        kept.named, kept.paths = _page_tables(pages)
        kept.positions = {path: position for position, path in enumerate(kept.paths)}
    evaluate = evaluator(renderer, pages, kept)
    if previous is not None:
        evaluate.trust(previous.reads, stable, same_structure, same_templates)
    positions = kept.positions if same_pages and kept is not None else None  # every page has reads in previous
    stale = stale_pages(pages, previous, digest, evaluate, dirty, positions)
    rendered = render_pages(renderer, stale, diagnostics, processes(len(stale)), pages, evaluate, write, kept)
    state = RenderState(digest, items=items)
    if not diagnostics.errors:
        if same_pages and previous is not None:  # every page there was, with those rendered now replaced
            state.pages = dict(previous.pages)
        else:
            rendered_now = {page.output_path for page in stale}
            still = [page.output_path for page in pages if page.output_path not in rendered_now]
            state.pages = {path: previous.pages[path] for path in still} if previous is not None else {}
        state.pages.update(rendered.reads)
        if previous is not None and evaluate.same_structure:  # no page came or went: the table only grows
            if keep_index:
                state.reads = _taken_over(previous, evaluate.digests, rendered.digests)
            else:
                state.reads = {**previous.reads, **evaluate.digests, **rendered.digests}
        else:
            table = rendered.digests  # its own (no longer needed as it was): the reads of kept pages are added
            for reads in state.pages.values():
                for read in reads:
                    if read not in table:
                        table[read] = evaluate(read)  # a kept page's: evaluated when it was found unchanged
            state.reads = table
        if keep_index:
            index = previous.index if previous is not None and previous.global_digest == digest else None
            if index is None:
                state.index = ReadIndex(state.pages, state.reads)
            else:
                assert previous is not None
                previous.index = None  # it now describes the new state's pages
                index.update(previous, state, rendered.reads, [evaluate.digests, rendered.digests])
                if not evaluate.same_structure:  # the table was made anew
                    index.volatile = {read for read, found in state.reads.items() if found == VOLATILE}
                state.index = index
            state.planned, state.kept = pages, kept
    files = {**assets.files, **rendered.files}
    images: set[str] = set()
    drawn = 0
    if renderer.share_images and with_images and not diagnostics.errors:
        cards = share_images.plan_cards(
            pages, renderer.site.title, linked.content.settings.base_url, renderer.site.statuses
        )
        state.images = {path: card.digest() for path, card in cards.items()}
        before = previous.images if previous is not None else {}
        redraw = [
            (path, card) for path, card in cards.items() if before.get(path) != state.images[path] or path in dirty
        ]
        for chunk in map_chunks(_draw_chunk, write, redraw, processes(len(redraw))):
            files.update(chunk)
        images, drawn = set(cards), len(redraw)
    unchanged: Callable[[Entry], bool] | None = None
    # no item's structure changed (the same keys in the same order) and nothing every page depends on: an entry's
    # body HTML and its part of the exports show only its own fields and body and the structure of others, so those
    # of an entry read from a file unchanged since ``previous`` are as they were
    if previous is not None and same_structure and stable_paths is not None and previous.global_digest == digest:
        paths = stable_paths
        if list(items) == list(previous.items):
            unchanged = lambda entry: str(entry.span.path) in paths  # noqa: E731
    if with_site_files and not diagnostics.errors:
        parts = exports.Parts(previous.parts if previous is not None else None, unchanged)
        files.update(site_files(linked, pages, renderer, parts))
        state.parts = parts.now
    return SiteRender(pages, stale, files, state, renderer, assets, images, drawn, same_pages, unchanged)


def _page_tables(pages: list[Page]) -> tuple[dict[int, list[int]], dict[str, Page]]:
    """The positions of the pages naming each item (by the item's id), and every page by its output path."""
    named: dict[int, list[int]] = {}
    for position, page in enumerate(pages):
        for item in {id(page.entry), id(page.previous), id(page.next), id(page.source)}:
            named.setdefault(item, []).append(position)
    named.pop(id(None), None)
    return named, {page.output_path: page for page in pages}


def _replanned_by_tables(
    pages: list[Page], before: KeptItems, kept: KeptItems, replaced: list[tuple[Any, Any]]
) -> list[Page]:
    """:func:`replanned` by the tables of the last render (``before``): only the pages naming an item read again
    (``replaced``, as (old, new) pairs; every other item is the object it was) are made again; ``kept`` gets the
    tables of the result."""
    assert before.named is not None and before.paths is not None
    result = list(pages)
    named, paths = dict(before.named), dict(before.paths)
    for old, new in replaced:
        positions = named.pop(id(old), None)
        if positions is None:
            continue
        named[id(new)] = positions
        for position in positions:
            page = result[position]
            page = result[position] = dataclasses.replace(
                page,
                entry=new if page.entry is old else page.entry,
                previous=new if page.previous is old else page.previous,
                next=new if page.next is old else page.next,
                source=new if page.source is old else page.source,
            )
            paths[page.output_path] = page
    kept.named, kept.paths, kept.positions = named, paths, before.positions  # the same paths in the same places
    return result


def replanned(
    pages: list[Page], linked: Linked, tables: tuple[KeptItems, KeptItems, list[tuple[Any, Any]]] | None = None
) -> list[Page]:
    """The plan ``pages`` made again for ``linked``, whose items have the same structure as those it was planned for
    (see :func:`item_digests`): the same pages, each naming the items read now (an entry read again is a new object).

    With ``tables`` (the last render's :class:`KeptItems`, this render's, and the items read again as (old, new)
    pairs), only the pages naming those are looked at (see :func:`_replanned_by_tables`).
    """
    if tables is not None:
        return _replanned_by_tables(pages, *tables)
    alive = {id(entry) for entry in linked.content.all_entries()}
    alive.update(id(source) for source in linked.sources.values())
    by_key: dict[str, Any] | None = None
    result = []
    for page in pages:
        entry, before, after, source = page.entry, page.previous, page.next, page.source
        if (
            (entry is None or id(entry) in alive)
            and (before is None or id(before) in alive)
            and (after is None or id(after) in alive)
            and (source is None or id(source) in alive)
        ):
            result.append(page)
            continue
        if by_key is None:  # every entry by its key: the link's own table when it has one
            table: dict[str, Any] | None = None
            if linked.state is not None and linked.state.unique:
                table = linked.state.resolver.by_key
            by_key = table or {entry.key: entry for entry in linked.content.all_entries()}
        result.append(
            dataclasses.replace(
                page,
                entry=None if entry is None else by_key[entry.key],
                previous=None if before is None else by_key[before.key],
                next=None if after is None else by_key[after.key],
                source=None if source is None else linked.sources[source.id],
            )
        )
    return result


def _draw_chunk(write: Write | None, cards: Sequence[tuple[str, share_images.Card]]) -> dict[str, bytes]:
    if write is None:
        return share_images.draw_cards(cards)
    for path, card in cards:
        write(path, share_images.draw(card))
    return {}


def collect_assets(linked: Linked) -> Assets:
    """Theme static files (the project's theme overriding by name) and the images entries use."""
    assets = Assets()
    for theme in reversed(theme_dirs(linked)):
        if (theme / "static").is_dir():
            assets.add_folder(theme / "static", "static")
    content_dir = linked.content.project / CONTENT_DIR
    for person in linked.content.entries["people"]:
        if isinstance(person, Person) and person.image:
            published = media_path(content_dir, person.image)
            image = (content_dir / person.image).resolve()  # read from where it is published from
            if published is not None and published not in assets.names and image.is_file():
                assets.add(published, image.read_bytes())
    return assets


def site_files(
    linked: Linked, pages: list[Page], renderer: Renderer, parts: exports.Parts | None = None
) -> dict[str, bytes]:
    """robots.txt, the sitemap, feeds and oEmbed files (with base_url), story.json and timeline.json (their entries'
    parts taken from ``parts`` where it allows, and kept in it: see :class:`explainer.exports.Parts`).

    A living story's feeds are its changes: ``feed.xml`` for the whole story and
    ``<kind>/<slug>/feed.xml`` for each entry; a version-1 story keeps its one feed of entries.
    """
    base_url = linked.content.settings.base_url
    chronicle = renderer.site.chronicle
    files = {"robots.txt": feeds.robots(base_url)}
    if base_url:
        files[feeds.SITEMAP_FILE] = feeds.sitemap(pages, base_url, chronicle)
        if chronicle.is_living:
            files.update(feeds.change_feeds(chronicle, base_url, renderer.site.title, renderer.snippet_html))
        else:
            files[feeds.FEED_FILE] = feeds.atom(linked, base_url, renderer.site.title)
        if embeds.enabled(linked.content.settings.embeds, base_url):
            files.update(embeds.oembed_files(pages, base_url, renderer.site.title))
    files[exports.STORY_JSON] = exports.story_json(linked, base_url, chronicle, parts)
    files[exports.TIMELINE_JSON] = exports.timeline_json(linked, renderer.body_for_root, base_url, parts)
    return files
