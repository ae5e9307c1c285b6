"""Static search with Pagefind, indexed from memory and updated by the page.

Pagefind (from PyPI, binary included) turns pages into a search index that a
browser fetches in small chunks, and ships an accessible search UI. This module
feeds it the pages' HTML from memory through its service (the ``--service``
mode that Pagefind's own Python API drives) and keeps what it found per page,
so a build after an edit has Pagefind read only the changed pages and puts the
whole-site index together itself:

- :class:`SearchIndex` holds, for every word, each page's entry as Pagefind
  wrote it (positions, weights, metadata positions), in the order of the
  pages' output paths. A changed page's entries are cut out and the new ones
  put in; the word index chunks, the filter files and the metadata file are
  then written exactly as Pagefind 1.5 writes them for the whole site (same
  chunk boundaries, file names and content: see ``tests/test_search_index.py``),
  so searching gives the same results, ranked alike, as indexing every page
  again would.
- Everything it writes is sorted (Pagefind 1.5 writes a filter's values in
  hash-map order), and its own files are compressed by Python's gzip, so the
  same site gives the same bytes however it was built, from cold or by edits.

Pagefind's Python API (``pagefind.index.PagefindIndex``) waits a tenth of a
second before reading each answer of the service, two seconds for twenty
pages; :class:`PagefindService` speaks the same protocol without the wait.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import re
import subprocess
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from functools import partial
from itertools import accumulate
from pathlib import Path
from typing import Any, NamedTuple, TypeVar, cast

from explainer.parallel import usable_cores

PAGEFIND_MISSING = "Pagefind, which builds the search index, is not installed (pip install 'pagefind[bin]')"
_SIGNATURE = b"pagefind_dcd"  # what Pagefind writes before the CBOR of each index file, inside the gzip
_CHUNK_SIZE = 20000  # Pagefind's index_chunk_size: a chunk ends once its words hold this many positions
_LEVEL = 1  # gzip level of the index files written here: a body edit rewrites most chunks (see benchmarks/README.md)
_BODY = b"data-pagefind-body"
_BATCH = 150  # pages Pagefind indexes at once in a build from scratch (put together here): about 30 MiB for it
_TWO_SERVICES_FROM = 8000  # HTML pages (a story of 4,000 entries, with its cards): see services_worth_starting
_IN_FLIGHT = 32  # pages sent ahead of Pagefind's answers: enough to keep it busy, few to hold in memory
_PROBE_URL = "/.explainer-probe/"  # an empty page that tells Pagefind the site marks what it indexes
_STATE_MAGIC = b"explainer search index 1\n"
PAGE_BY_PAGE_VERSION = "1.5."  # the Pagefind whose index format this module writes; others index whole each build
T = TypeVar("T")
R = TypeVar("R")
H = TypeVar("H")


class PagefindError(Exception):
    """Pagefind is missing, failed, or wrote something this module does not read."""


def pagefind_executable() -> Path | None:
    try:
        import pagefind_bin
    except ImportError:
        return None
    try:
        return Path(pagefind_bin.get_executable())
    except Exception:  # noqa: BLE001 - no binary for this platform
        return None


# --- Pagefind's service ----------------------------------------------------------------------------------


class PagefindService:
    """One ``pagefind --service`` process: requests are base64 JSON followed by a comma, and so are answers.

    Requests are written without waiting for their answers (the service reads them on a thread of its own
    and answers in order), so adding many pages costs one round trip.
    """

    def __init__(self) -> None:
        executable = pagefind_executable()
        if executable is None:
            raise PagefindError(PAGEFIND_MISSING)
        try:
            self.process = subprocess.Popen(
                [str(executable), "--service"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError as error:
            raise PagefindError(f"Pagefind could not be started: {error}") from None
        self.stdout = cast(io.BufferedReader, self.process.stdout)
        self.sent = 0
        self.answered = 0
        self.pending = b""
        self.static = True  # whether :meth:`index` gives Pagefind's scripts, styles and wasm too

    def __enter__(self) -> PagefindService:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        process = self.process
        for stream in (process.stdin, process.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def send(self, payload: dict[str, Any]) -> None:
        self.sent += 1
        # escaped to ASCII: the same text for Pagefind, and quicker to write than UTF-8 for pages mostly ASCII
        message = json.dumps({"message_id": self.sent, "payload": payload})
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(base64.b64encode(message.encode("ascii")) + b",")
        except OSError:
            raise PagefindError(f"Pagefind stopped: {self._ended()}") from None

    def receive(self) -> dict[str, Any]:
        """The next answer's payload; an error answer raises."""
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.flush()
        except OSError:
            raise PagefindError(f"Pagefind stopped: {self._ended()}") from None
        parts = [self.pending]
        while b"," not in parts[-1]:
            chunk = self.stdout.read1(1 << 20)
            if not chunk:
                raise PagefindError(f"Pagefind stopped: {self._ended()}")
            parts.append(chunk)
        message, _, self.pending = b"".join(parts).partition(b",")
        self.answered += 1
        try:
            answer = json.loads(base64.b64decode(message))
            payload = answer["payload"]
            kind = payload["type"]
        except (ValueError, KeyError, TypeError):
            raise PagefindError("Pagefind answered something this version of explainer does not read") from None
        if kind == "Error":
            raise PagefindError(f"Pagefind failed: {str(payload.get('message'))[:500]}")
        return payload

    def request(self, payload: dict[str, Any]) -> dict[str, Any]:
        self.send(payload)
        return self.receive()

    def _ended(self) -> str:
        code = self.process.poll()
        return "it ended" if code is None else f"it ended with code {code}"

    def index(
        self, pages: Iterable[tuple[str, bytes]], probe: str | None = None
    ) -> tuple[dict[str, bytes], dict[str, str]]:
        """Index pages (output path, HTML) in one new index; its files by path in the bundle, and the
        output path of each page by the URL Pagefind gave it. Without :attr:`static`, Pagefind's scripts,
        styles and wasm (the same for every index, most of its answer) are left out.

        ``probe`` (a language) adds an empty page marked ``data-pagefind-body``: as over the whole site,
        pages without that mark are then left out, however few pages are indexed.
        """
        index = self.request({"type": "NewIndex", "config": None})["index_id"]
        before = self.answered
        added: list[str | None] = []
        if probe is not None:
            html = f'<html lang="{probe}"><body><div data-pagefind-body></div></body></html>'
            self.send(
                {"type": "AddFile", "index_id": index, "file_path": None, "url": _PROBE_URL, "file_contents": html}
            )
            added.append(None)
        names: dict[str, str] = {}

        def answered() -> None:
            url = self.receive().get("page_url")
            name = added[self.answered - before - 1]
            if name is not None and isinstance(url, str):
                names[url] = name

        for name, data in pages:
            contents = data.decode("utf-8", "replace")
            self.send({"type": "AddFile", "index_id": index, "file_path": name, "url": None, "file_contents": contents})
            added.append(name)
            if self.sent - self.answered > _IN_FLIGHT:
                answered()
        while self.answered < self.sent:
            answered()
        files = self.request({"type": "GetFiles", "index_id": index})["files"]
        self.request({"type": "DeleteIndex", "index_id": index})
        try:
            paths = [str(file["path"]).replace("\\", "/") for file in files]
            return {
                path: base64.b64decode(file["content"])
                for path, file in zip(paths, files, strict=True)
                if self.static or not _is_static(path)
            }, names
        except (KeyError, TypeError, ValueError):
            raise PagefindError("Pagefind answered something this version of explainer does not read") from None


def _ahead(work: Callable[[H, T], R], items: Iterator[T], helpers: Sequence[H]) -> Generator[R, None, None]:
    """``work(helper, item)`` of each item, given back in the items' order; each helper works on one item at a time,
    in a thread of its own, taking the next item there is while the caller uses the results before it.

    Made for work that waits on other processes (Pagefind services, one per helper), so they and this one work at
    once. No more items are in hand, worked on or waiting for the caller, than there are helpers. An error, in the
    work or in taking an item, is raised here; when the caller stops early, each thread ends after its item."""
    source = iter(items)
    changed = threading.Condition()
    results: dict[int, R] = {}
    failures: list[BaseException] = []
    taken = 0
    total: int | None = None  # how many items there were, once they have all been taken
    slots = threading.Semaphore(len(helpers))  # one is taken with each item, given back as its result is used
    stop = threading.Event()

    def run(helper: H) -> None:
        nonlocal taken, total
        while True:
            slots.acquire()
            with changed:
                if stop.is_set() or failures or total is not None:
                    return
                try:
                    item = next(source)
                except StopIteration:
                    total = taken
                    changed.notify_all()
                    return
                except BaseException as error:  # noqa: BLE001 - handed to the caller, which raises it
                    failures.append(error)
                    changed.notify_all()
                    return
                number, taken = taken, taken + 1
            try:
                result = work(helper, item)
            except BaseException as error:  # noqa: BLE001 - handed to the caller, which raises it
                with changed:
                    failures.append(error)
                    changed.notify_all()
                return
            with changed:
                results[number] = result
                changed.notify_all()

    if not helpers:
        raise ValueError("work ahead needs a helper")
    threads: list[threading.Thread] = []
    try:
        for helper in helpers:  # started inside: one that fails to start (or an interrupt) stops those started
            threads.append(threading.Thread(target=run, args=(helper,), name="explainer-search", daemon=True))
            threads[-1].start()
        number = 0
        while True:
            with changed:
                while number not in results and not failures and (total is None or number < total):
                    changed.wait()
                if failures:
                    raise failures[0]
                if number not in results:  # every item's result has been used
                    return
                result = results.pop(number)
            slots.release()
            yield result
            number += 1
    finally:
        stop.set()
        for _ in threads:  # a thread waiting for a slot wakes, sees the stop and ends
            slots.release()
        for thread in threads:
            if thread.ident is not None:  # started
                thread.join()


def services_worth_starting(pages: int) -> int:
    """Pagefind services to index a whole site of ``pages`` with: a service indexes one batch at a time, on one
    core, so a second core can take a second service (a cold build with search of 10,000 entries: 26.6 -> 23.2 s).
    A service costs some 17 MiB besides its batch, though, and below a few thousand pages the search stage sets
    the build's peak memory (2,000 entries: 137 -> 158 MiB with two; 3,000: 174 -> 189 MiB), where above it
    rendering does (5,000: 260 and 261 MiB; 10,000: 480 and 478 MiB): a second service is started from
    :data:`_TWO_SERVICES_FROM` pages."""
    return 2 if usable_cores() > 1 and pages >= _TWO_SERVICES_FROM else 1


def searchable(data: bytes) -> bool:
    """Whether a page can be in the index: every page that is carries ``data-pagefind-body``."""
    return _BODY in data


def index_site_files(files: dict[str, bytes]) -> dict[str, bytes]:
    """The search bundle of a whole site held in memory (``serve``), by path in the bundle."""
    index = SearchIndex.build([name for name in files if name.endswith(".html")], files.__getitem__)
    return index.bundle_files(everything=True)


# --- CBOR (RFC 8949), the little of it that Pagefind's index files use -------------------------------------


def _head(major: int, argument: int) -> bytes:
    if argument < 24:
        return bytes([major << 5 | argument])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * size):
            return bytes([major << 5 | info]) + argument.to_bytes(size, "big")
    raise ValueError(f"{argument} is too large for CBOR")


def _text(value: str) -> bytes:
    data = value.encode("utf-8")
    return _head(3, len(data)) + data


def _encode(value: Any) -> bytes:
    if isinstance(value, bool) or not isinstance(value, (int, str, list)):
        raise ValueError(f"cannot write {value!r} as Pagefind CBOR")
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, str):
        return _text(value)
    return _head(4, len(value)) + b"".join(_encode(item) for item in value)


def _decode(data: bytes, at: int) -> tuple[Any, int]:
    major, info = data[at] >> 5, data[at] & 0x1F
    at += 1
    if info < 24:
        argument = info
    elif info <= 27:
        size = 1 << (info - 24)
        if at + size > len(data):
            raise ValueError("CBOR cut short")
        argument = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise ValueError(f"CBOR item {major}/{info} is not used by Pagefind")
    if major == 0:
        return argument, at
    if major == 1:
        return -1 - argument, at
    if major == 3:
        if at + argument > len(data):
            raise ValueError("CBOR cut short")
        return data[at : at + argument].decode("utf-8"), at + argument
    if major == 4:
        items = []
        for _ in range(argument):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    raise ValueError(f"CBOR major type {major} is not used by Pagefind")


def _argument(data: bytes | bytearray, at: int, major: int, what: str) -> tuple[int, int]:
    """The number a CBOR head of type ``major`` at ``at`` holds (a value or a length); it and where it ends."""
    info = data[at] & 0x1F
    if data[at] >> 5 != major or info > 27:
        raise ValueError(f"expected {what}")
    if info < 24:
        return info, at + 1
    size = 1 << (info - 24)
    return int.from_bytes(data[at + 1 : at + 1 + size], "big"), at + 1 + size


def _unsigned(data: bytes | bytearray, at: int) -> tuple[int, int]:
    """A CBOR unsigned integer at ``at``; the value and where it ends."""
    return _argument(data, at, 0, "a CBOR unsigned integer")


def _count(data: bytes | bytearray, at: int) -> tuple[int, int]:
    """A CBOR array's length at ``at``; the length and where its items begin."""
    return _argument(data, at, 4, "a CBOR array")


# One page's entry for a word, [page, [positions], [metadata positions]]: whole numbers (positive or
# negative) never begin with an array's first byte, so a run of them ends where the next array begins.
_INT = rb"(?:[\x00-\x17\x20-\x37]|[\x18\x38].|[\x19\x39]..|[\x1a\x3a]....)"
_ARRAY = rb"(?:[\x80-\x97]|\x98.|\x99..|\x9a....)"
_ENTRY = re.compile(rb"\x83(" + _INT + rb")(" + _ARRAY + rb")" + _INT + rb"*(" + _ARRAY + rb")" + _INT + rb"*", re.S)


class _Run(NamedTuple):
    """One word's entries on some pages, kept as Pagefind wrote them: a build from scratch appends the bytes whole
    (only the first page's distance from the page before it is written anew)."""

    pages: list[int]  # the pages, ascending, numbered from the first page Pagefind was given
    lengths: list[int]  # bytes of each page's entry in ``data``
    sizes: list[int]  # what each page's entry counts towards a chunk: positions plus metadata positions plus one
    data: bytes  # the entries, each [page delta, [positions], [metadata positions]]
    metas: list[int]  # the pages whose entries have metadata positions (few: words of titles and the like)

    def listed(self) -> Iterator[tuple[int, bytes, int]]:
        """Each page's (page, tail, size): the tail is the entry after its page delta."""
        at = 0
        for page, length, size in zip(self.pages, self.lengths, self.sizes, strict=True):
            yield page, self.data[_unsigned(self.data, at + 1)[1] : at + length], size
            at += length


def _entries(data: bytes, at: int, count: int) -> tuple[_Run, int]:
    """The ``count`` page entries from ``at``, and where they end."""
    pages: list[int] = []
    lengths: list[int] = []
    sizes: list[int] = []
    metas: list[int] = []
    page, begin = 0, at
    # each match begins where the last ended (checked), so finditer walks the entries one after the other
    for _, found in zip(range(count), _ENTRY.finditer(data, at), strict=False):
        if found.start() != at:
            break
        delta = data[at + 1]
        page += delta if delta < 24 else _unsigned(data, at + 1)[0]
        head = data[found.start(2)]
        positions = head - 0x80 if head < 0x98 else _count(data, found.start(2))[0]
        head = data[found.start(3)]
        if head != 0x80:
            metas.append(page)
        size = positions + 1 + (head - 0x80 if head < 0x98 else _count(data, found.start(3))[0])
        end = found.end()
        pages.append(page)
        lengths.append(end - at)
        sizes.append(size)
        at = end
    if len(pages) != count:
        raise ValueError("a word's page entry is not as Pagefind 1.5 writes it")
    return _Run(pages, lengths, sizes, data[begin:at], metas), at


def _page_entry(delta: int, tail: bytes) -> bytes:
    return b"\x83" + _head(0, delta) + tail


# --- reading Pagefind's files -------------------------------------------------------------------------------


def _unpack(data: bytes, name: str) -> bytes:
    try:
        raw = gzip.decompress(data)
    except (OSError, EOFError, ValueError):
        raise ValueError(f"{name} is not gzip") from None
    if not raw.startswith(_SIGNATURE):
        raise ValueError(f"{name} is not a Pagefind index file")
    return raw[len(_SIGNATURE) :]


def _pack(data: bytes) -> bytes:
    return gzip.compress(_SIGNATURE + data, compresslevel=_LEVEL, mtime=0)


def _full_hash(language: str, data: bytes) -> str:
    """Pagefind's name for content: the language and its SHA-1 in Pagefind's own unpadded hex."""
    return f"{language}_" + "".join(map(_HEX.__getitem__, hashlib.sha1(data).digest()))


_HEX = [f"{byte:x}" for byte in range(256)]  # each byte as Pagefind writes it in a name: unpadded


@dataclass
class _Page:
    """One indexed page as the index needs it (its fragment, the page's own file, stays in the bundle)."""

    name: str  # output path, which orders the pages
    url: str
    fragment: str  # full hash of the fragment's JSON
    word_count: int
    filters: dict[str, list[str]]
    meta: list[str]  # its metadata fields
    words: str  # the words it holds, space-separated (to find its entries again)


@dataclass
class _Found:
    """What Pagefind found on some pages: their records, and each word's entry per page."""

    language: str
    version: str
    entry: dict[str, Any]  # pagefind-entry.json
    pages: list[_Page]
    fragments: dict[str, bytes]  # full hash -> the fragment file as Pagefind compressed it
    entries: dict[str, _Run]  # word -> its entries on these pages
    variants: dict[str, dict[str, list[tuple[int, bytes]]]]  # word -> form -> [(page index, positions)]
    static: dict[str, bytes]  # the files that are the same for every site: scripts, styles, wasm
    fields: list[str]  # the metadata fields the entries' metadata positions are numbered by


def _read_bundle(files: dict[str, bytes], names: dict[str, str]) -> _Found | None:
    """Read what Pagefind wrote for some pages (``names``: URL -> output path); None when it indexed none."""
    try:
        entry = json.loads(files["pagefind-entry.json"])
        languages = entry["languages"]
    except (KeyError, ValueError, TypeError):
        raise PagefindError("Pagefind wrote no pagefind-entry.json this version of explainer reads") from None
    static = {name: data for name, data in files.items() if _is_static(name)}
    if not str(entry.get("version", "")).startswith(PAGE_BY_PAGE_VERSION):
        raise Unsupported(f"Pagefind {entry.get('version')}'s index (explainer writes {PAGE_BY_PAGE_VERSION}x's)")
    if not languages:
        return None
    if len(languages) != 1:
        raise Unsupported("pages in more than one language")
    ((language, about),) = languages.items()
    try:
        return _read_language(files, names, language, about["hash"], entry, static)
    except (KeyError, ValueError, TypeError, IndexError, UnicodeDecodeError) as error:
        raise PagefindError(f"Pagefind wrote an index this version of explainer does not read ({error})") from None


class Unsupported(Exception):
    """Something the page-by-page index does not do (the whole site is indexed instead)."""


def _read_language(
    files: dict[str, bytes], names: dict[str, str], language: str, meta_hash: str, entry: Any, static: dict[str, bytes]
) -> _Found:
    meta, _ = _decode(_unpack(files[f"pagefind.{meta_hash}.pf_meta"], "the metadata"), 0)
    version, meta_pages, chunks, _filters, sorts, fields = meta
    if sorts:
        raise Unsupported("sort orders (data-pagefind-sort)")
    pages: list[_Page] = []
    fragments: dict[str, bytes] = {}
    for short, word_count in meta_pages:
        packed = files[f"fragment/{short}.pf_fragment"]
        raw = _unpack(packed, "a fragment")
        fragment = json.loads(raw)
        full = _full_hash(language, raw)
        fragments[full] = packed
        url = fragment["url"]
        filters = {str(k): [str(v) for v in values] for k, values in fragment.get("filters", {}).items()}
        pages.append(_Page(names.get(url, ""), url, full, int(word_count), filters, sorted(fragment["meta"]), ""))
    if any(page.name == "" for page in pages):
        raise PagefindError("Pagefind indexed a page under an address explainer did not give it")
    entries: dict[str, _Run] = {}
    variants: dict[str, dict[str, list[tuple[int, bytes]]]] = {}
    words_of: list[list[str]] = [[] for _ in pages]
    for _from, _to, chunk_hash in chunks:
        data = _unpack(files[f"index/{chunk_hash}.pf_index"], "an index chunk")
        count, at = _count(data, _count(data, 0)[1])
        for _ in range(count):
            if data[at] != 0x83:
                raise ValueError("a word is not as Pagefind 1.5 writes it")
            word, at = _decode(data, at + 1)
            number, at = _count(data, at)
            run, at = _entries(data, at, number)
            for page in run.pages:
                words_of[page].append(word)
            entries[word] = run
            number, at = _count(data, at)
            for _ in range(number):
                (form, forms_pages), at = _decode(data, at)
                page = 0
                for delta, positions, meta_positions in forms_pages:
                    page += delta
                    tail = _encode(positions) + _encode(meta_positions)
                    variants.setdefault(word, {}).setdefault(form, []).append((page, tail))
                    if not words_of[page] or words_of[page][-1] != word:
                        words_of[page].append(word)
    for record, words in zip(pages, words_of, strict=True):
        record.words = " ".join(dict.fromkeys(words))
    return _Found(language, str(version), entry, pages, fragments, entries, variants, static, list(fields))


_TAIL = re.compile(_ARRAY + _INT + b"*", re.S)


def _refield(tail: bytes, numbered: list[str], fields: list[str]) -> bytes:
    """A page's entry with its metadata positions numbered by ``fields`` instead of ``numbered``.

    Both are sorted and hold the page's fields, so the order of the positions stays."""
    if numbered == fields:
        return tail
    split = _TAIL.match(tail)
    if split is None:
        raise ValueError("a page entry is not as Pagefind 1.5 writes it")
    if tail[split.end()] == 0x80:
        return tail  # no metadata positions
    meta, _ = _decode(tail, split.end())
    return tail[: split.end()] + _encode([-(fields.index(numbered[-1 - n]) + 1) if n < 0 else n for n in meta])


# --- the whole-site index, kept word by word ------------------------------------------------------------------


class _Word:
    """One word's entries: the pages' parts of its encoding side by side, so one page's part is swapped alone."""

    __slots__ = ("pages", "lengths", "sizes", "body", "size", "variants")

    def __init__(self) -> None:
        self.pages = array("I")
        self.lengths = array("I")  # bytes of each page's part
        self.sizes = array("I")  # what each page's part counts towards a chunk
        self.body = bytearray()
        self.size = 0
        self.variants: dict[str, list[tuple[int, bytes]]] = {}  # form -> [(page, positions)], rarely any

    def append(self, page: int, tail: bytes, size: int) -> None:
        """Add the entry of a page numbered after every page it has."""
        previous = self.pages[-1] if self.pages else 0
        part = _page_entry(page - previous, tail)
        self.pages.append(page)
        self.lengths.append(len(part))
        self.sizes.append(size)
        self.body += part
        self.size += size

    def extend(self, start: int, run: _Run) -> None:
        """Add a run of entries whose pages, numbered from ``start``, come after every page it has: its bytes
        are taken whole, but for the first page's distance from the page before it."""
        pages, lengths, sizes, data, _ = run
        if not pages:  # a word Pagefind found only in other forms (variants)
            return
        previous = self.pages[-1] if self.pages else 0
        first = start + pages[0]
        if self.pages and first <= previous:
            raise ValueError("pages added out of order")
        skip = _unsigned(data, 1)[1]
        part = _page_entry(first - previous, b"")
        self.body += part
        self.body += memoryview(data)[skip:]
        self.pages.extend([start + page for page in pages] if start else pages)
        self.lengths.append(lengths[0] - skip + len(part))
        self.lengths.extend(lengths[1:])
        self.sizes.extend(sizes)
        self.size += sum(sizes)

    def put(self, page: int, tail: bytes | None, size: int = 0) -> None:
        """Set (or, with None, remove) one page's entry."""
        pages = self.pages
        i = bisect_left(pages, page)
        present = i < len(pages) and pages[i] == page
        start = sum(self.lengths[:i])
        previous = pages[i - 1] if i else 0
        if present:
            end = start + self.lengths[i]
            self.size -= self.sizes[i]
            if tail is None:
                del self.body[start:end]
                del pages[i], self.lengths[i], self.sizes[i]
            else:
                part = _page_entry(page - previous, tail)
                self.body[start:end] = part
                self.lengths[i] = len(part)
                self.sizes[i] = size
                self.size += size
                return
        elif tail is not None:
            part = _page_entry(page - previous, tail)
            self.body[start:start] = part
            pages.insert(i, page)
            self.lengths.insert(i, len(part))
            self.sizes.insert(i, size)
            self.size += size
            start += len(part)
            i += 1
            previous = page
        else:
            return
        if i < len(pages):  # the next page's distance to the one before it changed
            end = start + self.lengths[i]
            old = bytes(self.body[start:end])
            _, tail_at = _unsigned(old, 1)
            part = _page_entry(pages[i] - previous, old[tail_at:])
            self.body[start:end] = part
            self.lengths[i] = len(part)

    def retail(self, change: Callable[[int, bytes], bytes], pages: list[int]) -> None:
        """The entries of ``pages`` (ascending: those with metadata positions), and every variant, with their tail
        (positions, metadata positions) as ``change(page, tail)`` gives it; sizes and the pages' order stay."""
        body, lengths = self.body, self.lengths
        offsets = list(accumulate(lengths, initial=0))
        pieces: list[bytes | bytearray] = []
        kept = 0
        for page in pages:
            i = bisect_left(self.pages, page)
            if i == len(self.pages) or self.pages[i] != page:
                raise ValueError("a page the word is not on")
            at, end = offsets[i], offsets[i + 1]
            tail_at = _unsigned(body, at + 1)[1]
            tail = bytes(body[tail_at:end])
            fresh = change(page, tail)
            if fresh != tail:
                pieces += [body[kept:tail_at], fresh]
                kept = end
                lengths[i] = tail_at - at + len(fresh)
        if pieces:
            pieces.append(body[kept:])
            self.body = bytearray().join(pieces)
        self.variants = {
            form: [(page, change(page, tail)) for page, tail in listed] for form, listed in self.variants.items()
        }

    def put_variant(self, form: str, page: int, tail: bytes | None) -> None:
        listed = [(p, t) for p, t in self.variants.get(form, []) if p != page]
        if tail is not None:
            listed.append((page, tail))
            listed.sort(key=lambda item: item[0])
        if listed:
            self.variants[form] = listed
        else:
            self.variants.pop(form, None)

    def renumber(self, numbers: dict[int, int]) -> None:
        """Number the pages anew (pages missing from ``numbers`` are gone)."""
        parts, at = [], 0
        for page, length, size in zip(self.pages, self.lengths, self.sizes, strict=True):
            part = bytes(self.body[at : at + length])
            at += length
            if page in numbers:
                parts.append((numbers[page], part[_unsigned(part, 1)[1] :], size))
        fresh = _Word()
        for page, tail, size in parts:
            fresh.append(page, tail, size)
        self.pages, self.lengths, self.sizes, self.body, self.size = (
            fresh.pages,
            fresh.lengths,
            fresh.sizes,
            fresh.body,
            fresh.size,
        )
        variants = {}
        for form, listed in self.variants.items():
            kept = [(numbers[p], t) for p, t in listed if p in numbers]
            if kept:
                variants[form] = kept
        self.variants = variants

    def encode(self, word: str) -> bytes:
        forms = sorted(self.variants.items(), key=lambda item: (item[1][0][0], item[0]))
        encoded = [b"\x83", _text(word), _head(4, len(self.pages)), bytes(self.body), _head(4, len(forms))]
        for form, listed in forms:
            encoded += [b"\x82", _text(form), _head(4, len(listed))]
            previous = 0
            for page, tail in listed:
                encoded.append(_page_entry(page - previous, tail))
                previous = page
        return b"".join(encoded)


@dataclass
class SearchIndex:
    """The whole-site index: every indexed page (ordered by output path) and every word's entries.

    Built once from Pagefind's index of every page (:meth:`build`), then kept up to date page by page
    (:meth:`update`); :meth:`bundle_files` writes it as Pagefind does.
    """

    language: str
    version: str
    entry: dict[str, Any]
    custom_body: bool  # pages mark what is indexed (data-pagefind-body): those without the mark are left out
    pages: list[_Page] = field(default_factory=list)
    words: dict[str, _Word] = field(default_factory=dict)
    static: dict[str, bytes] = field(default_factory=dict)  # scripts, styles and wasm, when just made
    fragments: dict[str, bytes] = field(default_factory=dict)  # fragment files made by this build, by full hash
    written: dict[str, str] = field(default_factory=dict)  # the bundle's files when last written: path -> hash
    raw: dict[str, bytes] | None = None  # Pagefind's own files, for sites this module cannot update by the page
    saved: str = ""  # the digest it was kept under in the build cache, while unchanged since

    @classmethod
    def build(cls, names: Iterable[str], read: Callable[[str], bytes]) -> SearchIndex:
        """Index every page from scratch: ``names`` are the site's HTML pages (output paths), ``read``
        gives one's HTML (read when it is sent, so pages need not all be held at once)."""
        ordered = sorted(names)
        unmarked: list[str] = []

        def marked() -> Iterator[tuple[str, bytes]]:
            for name in ordered:
                data = read(name)
                if searchable(data):
                    yield name, data
                else:
                    unmarked.append(name)

        index: SearchIndex | None = None
        numbered: list[tuple[int, list[str]]] = []  # each batch's first page and its metadata fields
        touched: dict[str, list[int]] = {}  # words -> the pages where they have metadata positions (or variants)

        def add(part: _Found | None) -> None:
            """A batch's pages and entries into the site's index as it comes (numbered after the pages there, their
            metadata positions still numbered by the batch's own fields: see :meth:`_renumber_fields`)."""
            nonlocal index
            if part is None:
                return
            if index is None:
                index = cls(part.language, part.version, part.entry, True, static=part.static)
            elif (part.language, part.version) != (index.language, index.version):
                raise Unsupported("pages in more than one language")
            start = len(index.pages)
            index._take(part, start)
            numbered.append((start, part.fields))
            for word, run in part.entries.items():
                if run.metas:
                    touched.setdefault(word, []).extend(start + page for page in run.metas)
            for word in part.variants:
                touched.setdefault(word, [])

        count = services_worth_starting(len(ordered))
        size = _BATCH // count  # two services at once hold about what one did

        def batches() -> Iterator[list[tuple[str, bytes]]]:
            batch: list[tuple[str, bytes]] = []
            sent = False
            for page in marked():
                batch.append(page)
                if len(batch) == size:
                    yield batch
                    batch, sent = [], True
            if batch or not sent:
                yield batch

        with ExitStack() as services:
            helpers = [services.enter_context(PagefindService()) for _ in range(count)]
            service = helpers[0]
            scripts_kept = threading.Event()  # the site's index has Pagefind's scripts (from a batch before)

            def index_batch(helper: PagefindService, batch: list[tuple[str, bytes]]) -> tuple[dict, dict[str, str]]:
                helper.static = not scripts_kept.is_set()  # until then, each batch's answer keeps them
                return helper.index(batch)

            try:
                # in batches, each an index of its own: Pagefind then holds a batch, not the site, in memory;
                # its services index the next batches while the last one's files are read here, and each batch
                # is put in the site's index as it comes, in order, so few batches' answers are held at once
                with closing(_ahead(index_batch, batches(), helpers)) as bundles:  # its threads end with it
                    for bundle in bundles:
                        add(_read_bundle(*bundle))
                        if index is not None:  # made, from this batch or one before, with Pagefind's scripts
                            scripts_kept.set()
                service.static = True
                if len(unmarked) == len(ordered):  # no page marks what is indexed: Pagefind indexes every body
                    index = None
                    numbered.clear()
                    touched.clear()
                    add(_read_bundle(*service.index((n, read(n)) for n in ordered)))
                    if index is not None:
                        index.custom_body = False
            except Unsupported:  # indexed as Pagefind does it, whole at every build
                service.static = True
                marks = [name for name in ordered if searchable(read(name))]
                files, _ = service.index((name, read(name)) for name in marks or ordered)
                return cls("", "", {}, bool(marks), raw=files)
        if index is None:
            raise PagefindError("Pagefind found nothing to index")
        index._renumber_fields(numbered, touched)
        return index

    def _renumber_fields(self, numbered: list[tuple[int, list[str]]], words: dict[str, list[int]]) -> None:
        """Number every page's metadata positions by the site's metadata fields: ``numbered`` says from which page on
        (to the next batch's first) they are numbered by which fields (a batch's own, where it lacked some of the
        site's); ``words`` are those with metadata positions (or variants) and on which pages, the others left as
        they are."""
        fields = self.meta_fields()
        if all(own == fields for _, own in numbered):
            return
        starts = [start for start, _ in numbered]
        done: dict[tuple[int, bytes], bytes] = {}  # (batch, metadata positions) -> them renumbered: few differ

        def renumbered(page: int, tail: bytes) -> bytes:
            batch = bisect_right(starts, page) - 1
            own = numbered[batch][1]
            if own == fields:
                return tail
            split = _TAIL.match(tail)
            if split is None:
                raise ValueError("a page entry is not as Pagefind 1.5 writes it")
            key = (batch, tail[split.end() :])
            meta = done.get(key)
            if meta is None:
                meta = done[key] = _refield(b"\x80" + key[1], own, fields)[1:]
            return tail[: split.end()] + meta

        for word, pages in words.items():
            self.words[word].retail(renumbered, pages)

    def _take(self, found: _Found, start: int) -> None:
        """Add ``found``'s pages, numbered from ``start`` (the number of pages already held), their metadata
        positions still numbered by their own fields."""
        if start != len(self.pages):
            raise ValueError("pages added out of order")
        self.pages.extend(found.pages)
        self.fragments.update(found.fragments)
        for word, run in found.entries.items():
            self._word(word).extend(start, run)
        for word, forms in found.variants.items():
            entry = self._word(word)
            for form, listed_forms in forms.items():
                for at, tail in listed_forms:
                    entry.put_variant(form, start + at, tail)

    def _word(self, word: str) -> _Word:
        """The word's entries, made empty when it is new."""
        entry = self.words.get(word)
        if entry is None:
            entry = self.words[word] = _Word()
        return entry

    def meta_fields(self, extra: Iterable[_Page] = ()) -> list[str]:
        return sorted({name for page in [*self.pages, *extra] for name in page.meta})

    def update(self, changed: dict[str, bytes], current: list[str]) -> None:
        """Bring the index up to the site whose pages are ``current`` (output paths), of which ``changed``
        (path -> HTML) are new or changed. Raises :class:`Unsupported` for what only indexing every page
        can do (the caller then does that)."""
        if self.raw is not None:
            raise Unsupported("a site indexed whole")
        candidates = sorted((name, data) for name, data in changed.items() if searchable(data) or not self.custom_body)
        found = _index(candidates, probe=self.language if self.custom_body else None) if candidates else None
        if found is not None and (found.language != self.language or found.version != self.version):
            raise Unsupported("a page in another language, or another Pagefind")
        fresh = {page.name: page for page in found.pages} if found is not None else {}
        live = set(current)
        kept = [page for page in self.pages if page.name in live and page.name not in changed]
        fields = sorted({name for page in [*kept, *fresh.values()] for name in page.meta})
        if fields != self.meta_fields():
            raise Unsupported("metadata fields that come or go")
        # the entries of every page that changed or went, out (numbered as they were)
        for number, page in enumerate(self.pages):
            if page.name in changed or page.name not in live:
                for word in page.words.split():
                    entry = self.words.get(word)
                    if entry is not None:
                        entry.put(number, None)
                        for form in list(entry.variants):
                            entry.put_variant(form, number, None)
        order = sorted([*(page.name for page in kept), *fresh])
        number_of = {name: number for number, name in enumerate(order)}
        numbers = {old: number_of[page.name] for old, page in enumerate(self.pages) if page.name in number_of}
        if any(old != new for old, new in numbers.items()):
            for entry in self.words.values():
                entry.renumber(numbers)
        if found is not None:
            for word, run in found.entries.items():
                entry = self._word(word)
                for at, tail, size in run.listed():
                    entry.put(number_of[found.pages[at].name], _refield(tail, found.fields, fields), size)
            for word, forms in found.variants.items():
                entry = self._word(word)
                for form, listed_forms in forms.items():
                    for at, tail in listed_forms:
                        where = number_of[found.pages[at].name]
                        entry.put_variant(form, where, _refield(tail, found.fields, fields))
            self.fragments.update(found.fragments)
            self.static = found.static
        for word in [word for word, entry in self.words.items() if not entry.pages and not entry.variants]:
            del self.words[word]
        by_name = {page.name: page for page in kept}
        self.pages = [fresh[name] if name in fresh else by_name[name] for name in order]

    # --- writing it as Pagefind does ---

    def bundle_files(self, everything: bool = False) -> dict[str, bytes]:
        """The bundle's files that differ from those last written (all of them with ``everything``);
        :meth:`stale` then names those written before that it no longer has."""
        if self.raw is not None:
            self._made = {name: hashlib.sha1(data).hexdigest() for name, data in self.raw.items()}
            return dict(self.raw)
        language = self.language
        files: dict[str, bytes] = {}
        made: dict[str, str] = {}

        def add(path: str, digest: str, data: Callable[[], bytes]) -> None:
            made[path] = digest
            if everything or self.written.get(path) != digest:
                files[path] = data()

        taken: set[str] = set()
        pages_meta = []
        for page in self.pages:
            short = _short(page.fragment, len(language) + 8, taken, step=1)
            pages_meta.append([short, page.word_count])
            add(f"fragment/{short}.pf_fragment", page.fragment, partial(self._fragment, page))

        values: dict[str, dict[str, list[int]]] = {}
        for number, page in enumerate(self.pages):
            for name, listed in page.filters.items():
                for value in listed:
                    values.setdefault(name, {}).setdefault(value, []).append(number)
        filters = []
        taken = set()
        for name in sorted(values):
            data = _encode([name, [[value, pages] for value, pages in sorted(values[name].items())]])
            short = _short(_full_hash(language, data), len(language) + 8, taken)
            add(f"filter/{short}.pf_filter", short, partial(_pack, data))
            filters.append([name, short])

        chunks = []
        taken = set()
        for words in self._chunks():
            data = b"\x81" + _head(4, len(words)) + b"".join(self.words[word].encode(word) for word in words)
            short = _short(_full_hash(language, data), len(language) + 8, taken)
            add(f"index/{short}.pf_index", short, partial(_pack, data))
            chunks.append([words[0], words[-1], short])
        for before, after in zip(
            chunks, chunks[1:], strict=False
        ):  # each chunk's range cut to the letters that tell it apart
            shared = 0
            for a, b in zip(after[0], before[1], strict=False):
                if a != b:
                    break
                shared += 1
            if before[1][: shared + 1] >= before[0]:
                before[1] = before[1][: shared + 1]
            after[0] = after[0][: shared + 1]

        meta = _encode([self.version, pages_meta, chunks, filters, [], self.meta_fields()])
        meta_hash = f"{language}_{_full_hash(language, meta)[len(language) + 1 :][: len(language) + 8]}"
        add(f"pagefind.{meta_hash}.pf_meta", meta_hash, partial(_pack, meta))
        entry = json.loads(json.dumps(self.entry))
        about = entry["languages"][language]
        about["hash"], about["page_count"] = meta_hash, len(self.pages)
        text = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        add("pagefind-entry.json", hashlib.sha1(text).hexdigest(), partial(bytes, text))
        static = self.static or {name: b"" for name in self.written if _is_static(name)}
        for name in static:
            if name in self.static:
                data = self.static[name]
                add(name, hashlib.sha1(data).hexdigest(), partial(bytes, data))
            elif everything:
                raise Unsupported("Pagefind's scripts are not at hand")
            else:
                made[name] = self.written[name]
        self._made = made
        return files

    def _fragment(self, page: _Page) -> bytes:
        packed = self.fragments.get(page.fragment)
        if packed is None:
            raise Unsupported("a page's fragment is not at hand")
        return packed

    def on_disk(self, bundle: Path) -> bool:
        """Whether ``bundle`` holds the files last written (by name: a quick look, not a check of content)."""
        found: set[str] = set()
        for folder in ("", "fragment/", "index/", "filter/"):
            try:
                with os.scandir(bundle / folder) as entries:
                    found.update(folder + entry.name for entry in entries if entry.is_file(follow_symlinks=False))
            except OSError:
                return False
        return found == set(self.written)

    def stale(self) -> set[str]:
        """The files last written that the bundle no longer has (after :meth:`bundle_files`)."""
        return set(self.written) - set(self._made)

    def written_now(self) -> None:
        """Record the bundle just made (:meth:`bundle_files`) as the one on disk."""
        self.saved = ""
        self.written = dict(self._made)
        self.fragments = {}
        self.static = {}

    def _chunks(self) -> Iterator[list[str]]:
        words, size = [], 0
        for word in sorted(self.words):
            words.append(word)
            size += self.words[word].size
            if size >= _CHUNK_SIZE:
                yield words
                words, size = [], 0
        if words:
            yield words

    # --- kept between builds ---

    def to_bytes(self) -> bytes:
        """The index as explainer keeps it in its build cache (JSON, then the words' numbers and bytes)."""
        order = sorted(self.words)
        header = {
            "language": self.language,
            "version": self.version,
            "entry": self.entry,
            "custom_body": self.custom_body,
            "pages": [[p.name, p.url, p.fragment, p.word_count, p.filters, p.meta, p.words] for p in self.pages],
            "words": order,
            "variants": {
                word: {form: [[page, tail.hex()] for page, tail in listed] for form, listed in entry.variants.items()}
                for word, entry in self.words.items()
                if entry.variants
            },
            "written": self.written,
        }
        counts = array("I", [len(self.words[word].pages) for word in order])
        bodies = array("I", [len(self.words[word].body) for word in order])
        parts = [counts.tobytes(), bodies.tobytes()]
        for word in order:
            entry = self.words[word]
            parts += [entry.pages.tobytes(), entry.lengths.tobytes(), entry.sizes.tobytes()]
        for word in order:
            parts.append(bytes(self.words[word].body))
        head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return _STATE_MAGIC + str(len(head)).encode("ascii") + b"\n" + head + b"".join(parts)

    @classmethod
    def from_bytes(cls, data: bytes) -> SearchIndex:
        """Read :meth:`to_bytes`; raises ValueError on anything else."""
        if not data.startswith(_STATE_MAGIC):
            raise ValueError("not a search index of this version")
        at = len(_STATE_MAGIC)
        newline = data.index(b"\n", at)
        length = int(data[at:newline])
        header = json.loads(data[newline + 1 : newline + 1 + length])
        at = newline + 1 + length
        index = cls(str(header["language"]), str(header["version"]), dict(header["entry"]), bool(header["custom_body"]))
        for name, url, fragment, word_count, filters, meta, words in header["pages"]:
            if not (isinstance(filters, dict) and all(isinstance(v, list) for v in filters.values())):
                raise ValueError("filters")
            index.pages.append(
                _Page(str(name), str(url), str(fragment), int(word_count), filters, [str(m) for m in meta], str(words))
            )
        order = [str(word) for word in header["words"]]
        size = 4 * len(order)
        counts = array("I")
        counts.frombytes(data[at : at + size])
        bodies = array("I")
        bodies.frombytes(data[at + size : at + 2 * size])
        at += 2 * size
        for word, count in zip(order, counts, strict=True):
            entry = index.words[word] = _Word()
            for name in ("pages", "lengths", "sizes"):
                numbers = array("I")
                numbers.frombytes(data[at : at + 4 * count])
                setattr(entry, name, numbers)
                at += 4 * count
            entry.size = sum(entry.sizes)
        for word, length in zip(order, bodies, strict=True):
            index.words[word].body = bytearray(data[at : at + length])
            at += length
        if at != len(data) or len(counts) != len(order):
            raise ValueError("its length is not what it says")
        for word, forms in header["variants"].items():
            index.words[word].variants = {
                str(form): [(int(page), bytes.fromhex(tail)) for page, tail in listed] for form, listed in forms.items()
            }
        index.written = {str(k): str(v) for k, v in header["written"].items()}
        return index


def _short(full: str, length: int, taken: set[str], step: int = 2) -> str:
    """Pagefind's short file name: ``length`` characters of the full hash, longer while one is taken
    (by one character for fragments, by two for the other files, as Pagefind 1.5 does)."""
    short = full[:length]
    while short in taken and len(short) < len(full):
        short = full[: len(short) + step]
    taken.add(short)
    return short


def _is_static(name: str) -> bool:
    """Pagefind's scripts, styles and wasm: the same for every site."""
    return "/" not in name and not name.endswith(".pf_meta") and name != "pagefind-entry.json"


def _index(pages: list[tuple[str, bytes]], probe: str | None) -> _Found | None:
    """Run Pagefind over ``pages`` (output path, HTML) and read what it found."""
    with PagefindService() as service:
        files, names = service.index(pages, probe)
    return _read_bundle(files, names)
