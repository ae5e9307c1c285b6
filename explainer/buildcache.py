"""The persistent build cache: what the last build read, made and wrote.

It lives in ``PROJECT/.explainer-cache/`` (never inside the output folder, so a
deployer uploads only the site; safe to delete at any time). It records:

- the size and modification time of every input file, so a build after no
  change can stop before reading anything;
- the render state (:class:`explainer.rebuild.RenderState`: what each page
  read), so a build after an edit renders only the pages whose reads changed;
- the size and modification time of every file it wrote, so a page deleted or
  altered in the output folder is written again, and the modification time of
  every folder it wrote into, so a build after no change stamps those files
  without listing every folder (a name added or removed changes its folder's time);
- converted Markdown bodies, keyed by a digest of everything their HTML
  depends on, so exports need no conversion of unchanged bodies, and each
  entry's part of story.json and timeline.json, so a build after an edit
  encodes only the entries it changed (``entries.json``, the texts as they
  are after one line of their names and lengths, left as it is by a build
  that changed few items, which saves those in ``entries-changed.json``);
  the render state lives in ``render.json``, which a build after no change
  never reads (a line of JSON, then the numbers of each page's reads as
  bytes), with the state's table of reads in ``render-reads.txt``, written
  only when reads were added to it (rows of strings split at separators: see
  :meth:`explainer.rebuild.RenderState.to_json`);
- what each content file read to (its entries, as checked JSON: see
  :mod:`explainer.stored`), so a build after an edit parses only the files
  that changed (``read.json``, a line a file, likewise only read after a
  change; an unchanged file's line is written back as it was read);
- the warnings and notes of that build, to say them again.

The cache holds only JSON, text and unsigned 32-bit numbers and is checked field by field
on loading; one made by another explainer version, for another output folder
or with other options is simply not used, and one that is corrupt or made for
another project is ignored with a warning. Nothing in it is ever executed.

Because converted bodies are published as they are, the cache is trusted only
when it carries an HMAC made with a key that lives outside the project, in the
user's own cache folder (``~/.cache/explainer/cache-key``): a cache copied in
from elsewhere (a shared CI cache, a teammate's folder, a pull request) cannot
put anything on a page; it is ignored with a warning and everything is built.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import stat
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from explainer import __version__
from explainer.basics import CONFIG_FILE, CONTENT_DIR, EXPORT_PARTS, part_key
from explainer.diagnostics import Diagnostic, Diagnostics, Span
from explainer.passthrough import PASSTHROUGH_DIR

if TYPE_CHECKING:
    from explainer.reader import ReadCache
    from explainer.rebuild import RenderState
    from explainer.search import SearchIndex

CACHE_DIR = ".explainer-cache"
CACHE_FILE = "build.json"
RENDER_FILE = "render.json"
READ_FILE = "read.json"
TABLE_FILE = "render-reads.txt"
ENTRIES_FILE = "entries.json"
CHANGED_ENTRIES_FILE = "entries-changed.json"
SEARCH_FILE = "search.bin"
OBSOLETE_FILES = ("render-reads.json",)  # parts earlier formats kept (format 10's table of reads): removed on save
FORMAT = 11
KEY_FILE = "cache-key"
_SIGNATURE = re.compile(rb',"signature":"([0-9a-f]{64})"}\s*')

Stamp = tuple[int, int]  # size in bytes, modification time in ns
_TICK_NS = 2_000_000_000  # a time this close to now may be shared by a later change (see folder_stamps)


def stamp(path: Path, follow: bool = False) -> Stamp | None:
    """Size and modification time of the file (of a link itself unless ``follow``)."""
    try:
        info = path.stat() if follow else path.lstat()
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns)


def input_stamps(project: Path, themes: Iterable[Path]) -> dict[str, Stamp]:
    """Every file a build may read: explainer.yml, all of content/ and the theme folders."""
    stamps: dict[str, Stamp] = {}
    config = stamp(project / CONFIG_FILE, follow=True)
    if config is not None:
        stamps[CONFIG_FILE] = config
    for root in [project / CONTENT_DIR, project / PASSTHROUGH_DIR, *themes]:
        _scan(str(root), str(root) + os.sep, stamps, follow=True)
    return stamps


def unchanged_inputs(before: dict[str, Stamp], now: dict[str, Stamp]) -> set[str]:
    """The input files stamped alike then and now."""
    return {name for name, found in now.items() if before.get(name) == found}


def stamp_output(out: Path, skip: Iterable[str], last: BuildCache | None = None) -> tuple[dict[str, Stamp], bool]:
    """Every file in the output folder by its path there, except the top-level names in ``skip``, and whether every
    folder the ``last`` build wrote into was found as it left it.

    Links are stamped as links, never followed: a link someone put in the
    output is an unknown file to replace, not a folder to write through.
    When every folder the ``last`` build wrote into is stamped as it left it, no name was added, removed or
    renamed in any of them (each would have changed its folder's time), so only the files it wrote are
    stamped: one ``stat`` a file instead of listing some 4,000 page folders.
    """
    if last is not None and last.folders and stamped_alike(out, last.folders):
        root = str(out) + os.sep
        found: dict[str, Stamp] = {}
        for name in last.outputs:
            try:
                info = os.lstat(root + name)
            except OSError:
                continue
            found[name] = (info.st_size, info.st_mtime_ns)
        return found, True
    return _scan(str(out), "", {}, set(skip), follow=False), False


def folder_stamps(
    out: Path, names: Iterable[str], last: dict[str, int] | None = None, touched: Iterable[str] = ()
) -> dict[str, int]:
    """The modification time of the output folder and of every folder holding one of ``names``, by path.

    A file system keeps times to a tick (a few milliseconds, up to two seconds), so a name added in the same
    tick as the build's own last write into a folder would leave the folder's time as it was. A folder changed
    that recently is therefore dated back two seconds: any later change gives it a time of its own. One that
    cannot be dated back is stamped 0, not known, and :func:`stamp_output` lists the whole folder.

    ``last`` are the folders' stamps as this build found them still true when it began (see :func:`stamp_output`),
    ``touched`` the names it wrote or removed since: a folder holding none of them, at any depth, keeps its stamp
    without being looked at (a change someone made to it since shows at the next build as it would have), so a
    build after an edit stamps a few folders instead of thousands.
    """
    folders = _folders_holding(names)
    moved = _folders_holding(touched) if last is not None else {""}  # written into or removed from, and above
    root = str(out) + os.sep
    settled = time.time_ns() - _TICK_NS
    stamps: dict[str, int] = {}
    for folder in sorted(folders):
        if last is not None and folder not in moved:
            kept = last.get(folder)
            if kept:
                stamps[folder] = kept
                continue
        path = root + folder
        try:
            info = os.lstat(path)
            if info.st_mtime_ns >= settled:
                os.utime(path, ns=(info.st_atime_ns, settled), follow_symlinks=False)
                info = os.lstat(path)
        except OSError:
            stamps[folder] = 0
            continue
        stamps[folder] = info.st_mtime_ns if info.st_mtime_ns < settled + 1 else 0
    return stamps


def _folders_holding(names: Iterable[str]) -> set[str]:
    """Every folder holding one of ``names`` (paths in the output), at any depth, and the output folder ("")."""
    folders = {""}
    for name in names:
        while "/" in name:
            name = name.rsplit("/", 1)[0]
            if name in folders:
                break
            folders.add(name)
    return folders


def stamped_alike(out: Path, folders: dict[str, int]) -> bool:
    """Whether each folder of ``folders`` is still a folder with the same modification time."""
    root = str(out) + os.sep
    for folder, mtime in folders.items():
        if not mtime:
            return False
        try:
            info = os.lstat(root + folder)
        except OSError:
            return False
        if info.st_mtime_ns != mtime or not stat.S_ISDIR(info.st_mode):
            return False
    return True


def _scan(
    folder: str, prefix: str, into: dict[str, Stamp], skip: Iterable[str] = (), follow: bool = True
) -> dict[str, Stamp]:
    """Stamps of the files under ``folder`` keyed by ``prefix`` + their path there (os.scandir: one call a folder)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return into
    for entry in entries:
        if entry.name in skip:
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                _scan(entry.path, f"{prefix}{entry.name}/", into, follow=follow)
            else:
                info = entry.stat(follow_symlinks=follow)
                into[prefix + entry.name] = (info.st_size, info.st_mtime_ns)
        except OSError:
            continue
    return into


@dataclass
class Rendered:
    """What a build after a change reuses: which page read what, and converted bodies by their digest."""

    state: RenderState
    bodies: dict[str, str] = field(default_factory=dict)
    # the table of reads as last stored and the bytes it was stored as: a table that begins with it is saved by
    # appending its new rows to those bytes (a build after an edit usually adds none)
    table: tuple[list, bytes] | None = None
    # ENTRIES_FILE as loaded: its digest, each item's body digest and the exports' parts; a build that changed a
    # few items saves only those, in CHANGED_ENTRIES_FILE, and leaves it as it is
    entries: tuple[str, dict[str, str], dict[str, str]] | None = None


@dataclass
class BuildCache:
    """One build's record; ``options`` must match the next build's for the record to be used."""

    project: str
    options: dict[str, Any]
    themes: list[str] = field(default_factory=list)
    inputs: dict[str, Stamp] = field(default_factory=dict)
    outputs: dict[str, Stamp] = field(default_factory=dict)  # every file written, by path in the output
    folders: dict[str, int] = field(default_factory=dict)  # modification time of every output folder, by path
    render_digest: str = ""  # part_digest of RENDER_FILE, which holds what only a build after a change needs
    table_digest: str = ""  # part_digest of TABLE_FILE, the render state's table of reads (see RenderState.to_json)
    read_digest: str = ""  # part_digest of READ_FILE, each content file's entries
    entries_digest: str = ""  # part_digest of ENTRIES_FILE, each item's body HTML and parts of the exports
    changed_entries_digest: str = ""  # part_digest of CHANGED_ENTRIES_FILE ("": none), the items since changed
    search_signature: str | None = None
    search_digest: str = ""  # part_digest of SEARCH_FILE, the search index as words and pages (explainer.search)
    page_count: int = 0
    warnings: list[list] = field(default_factory=list)  # [path, line, column, message, hint, severity]
    notes: list[str] = field(default_factory=list)
    holds: list[str | None] = field(default_factory=lambda: [None, None])  # the build dates the warnings hold for

    def load_render(self, project: Path) -> Rendered | None:
        """The render state and converted bodies this record was saved with (None: missing or not those).

        They live in their own file, so a build after no change never reads them; this record's
        signature covers them through ``render_digest``."""
        from explainer.rebuild import RenderState  # here: a build after no change does not import the pipeline

        render = _signed_part(project / CACHE_DIR / RENDER_FILE, self.render_digest)
        raw = _signed_part(project / CACHE_DIR / TABLE_FILE, self.table_digest)
        entries = _signed_part(project / CACHE_DIR / ENTRIES_FILE, self.entries_digest)
        changed = None
        if self.changed_entries_digest:
            changed = _signed_part(project / CACHE_DIR / CHANGED_ENTRIES_FILE, self.changed_entries_digest)
        try:
            if render is None or raw is None or entries is None or (changed is None and self.changed_entries_digest):
                return None
            head, newline, numbers = render.partition(b"\n")
            data = json.loads(head)
            if not newline or type(data) is not dict or type(data.get("render")) is not dict:
                return None
            stored_names, bodies, stored_parts = _read_entries(entries)
            names, parts = _changed_entries(stored_names, bodies, stored_parts, changed)
            whole = {
                **data["render"],
                "from": 0,
                "reads": raw.decode("utf-8"),
                **RenderState.stored_numbers(data["render"].get("paths"), numbers),
                "bodies": names,
                "parts": parts,
            }
            state = RenderState.from_json(whole)
            assert state.table is not None
            return Rendered(state, bodies, (state.table, raw), (self.entries_digest, stored_names, stored_parts))
        except (ValueError, TypeError, KeyError, RecursionError, UnicodeDecodeError):
            return None

    def load_reads(self, project: Path) -> ReadCache | None:
        """What each content file read to in that build (None: missing, not that file, or not in shape)."""
        from explainer.reader import ReadCache

        raw = _signed_part(project / CACHE_DIR / READ_FILE, self.read_digest)
        try:
            return ReadCache.from_bytes(raw) if raw is not None else None
        except (ValueError, RecursionError):
            return None

    def unchanged(self, found_outputs: dict[str, Stamp], found_inputs: dict[str, Stamp] | None, day: str) -> bool:
        """True when no input changed (``found_inputs``, stamped with this build's themes), the output folder
        holds exactly what the build wrote, and its findings hold on the build's date ``day`` (an ISO day: a date
        "after today" then may not be now)."""
        since, until = self.holds
        in_time = (since is None or since <= day) and (until is None or day < until)
        return in_time and found_outputs == self.outputs and found_inputs == self.inputs

    def diagnostics(self) -> list[Diagnostic]:
        return [
            Diagnostic(Span(Path(path), line, column), message, hint, severity)
            for path, line, column, message, hint, severity in self.warnings
        ]

    def remember(self, diagnostics: Diagnostics, notes: list[str]) -> None:
        self.warnings = [
            [str(d.span.path), d.span.line, d.span.column, d.message, d.hint, d.severity] for d in diagnostics.sorted()
        ]
        self.notes = list(notes)
        self.holds = [diagnostics.holds_from, diagnostics.holds_until]


def part_digest(data: bytes) -> str:
    """The digest the signed record keeps of each part of the cache held in its own file: SHA-256, which a build
    after an edit runs over the whole cache (some 85 MB at 10,000 entries). Processors with SHA extensions (AMD's
    since Zen, Intel's since Ice Lake, Apple's) run it at about twice BLAKE2b's speed (1.7 against 0.9 GB/s here); on
    older ones BLAKE2b was about twice as fast (benchmarks/README.md)."""
    return hashlib.sha256(data).hexdigest()


def _read_entries(raw: bytes) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """ENTRIES_FILE read: each item's body digest by its name (an entry's key, "" the story's), the body HTML by
    its digest, and the exports' parts by their names; ValueError if not in shape.

    The file is one line of JSON, a list with ``[name, body digest, length of the body HTML, length of its
    story.json part, length of its timeline.json part]`` for each item (-1: no such part), then the texts
    themselves one after the other, as they are (no JSON string to unescape: this file is most of the cache)."""
    end = raw.find(b"\n")
    rows = json.loads(raw[:end]) if end >= 0 else None
    if type(rows) is not list:
        raise ValueError("its entries are not in the expected shape")
    text = str(memoryview(raw)[end + 1 :], "utf-8")  # decoded where it lies: the file is most of the cache
    names: dict[str, str] = {}
    bodies: dict[str, str] = {}
    parts: dict[str, str] = {}
    at = 0
    for row in rows:
        if type(row) is not list or len(row) != 5:
            raise ValueError("its entries are not in the expected shape")
        name, digest, *lengths = row
        if not (type(name) is str and type(digest) is str) or name in names:
            raise ValueError("its entries are not in the expected shape")
        if not all(type(length) is int and length >= -1 for length in lengths) or lengths[0] < 0:
            raise ValueError("its entries are not in the expected shape")
        html_end = at + lengths[0]
        names[name], bodies[digest] = digest, text[at:html_end]
        at = html_end
        for part, length in zip(EXPORT_PARTS, lengths[1:], strict=True):
            if length >= 0:
                parts[part_key(part, name)] = text[at : at + length]
                at += length
        if at > len(text):
            raise ValueError("its entries are not in the expected shape")
    if at != len(text):
        raise ValueError("its entries are not in the expected shape")
    return names, bodies, parts


def _changed_entries(
    names: dict[str, str], bodies: dict[str, str], parts: dict[str, str], changed: bytes | None
) -> tuple[dict[str, str], dict[str, str]]:
    """ENTRIES_FILE's body digests and parts (``names``, ``parts``) with the items CHANGED_ENTRIES_FILE holds
    (``changed``: a line with the JSON list of the items gone, then the items changed or added, as ENTRIES_FILE
    holds them) put in their place, and their bodies added to ``bodies``; ValueError if not in shape."""
    if not changed:
        return names, parts
    line, newline, rest = changed.partition(b"\n")
    gone = json.loads(line)
    if not newline or type(gone) is not list or not all(type(name) is str for name in gone):
        raise ValueError("its entries are not in the expected shape")
    changed_names, changed_bodies, changed_parts = _read_entries(rest)
    names, parts = dict(names), dict(parts)
    for name in [*gone, *changed_names]:
        names.pop(name, None)
        for part in EXPORT_PARTS:
            parts.pop(part_key(part, name), None)
    names.update(changed_names)
    parts.update(changed_parts)
    bodies.update(changed_bodies)
    return names, parts


def _changes(state: dict[str, Any], rendered: Rendered) -> tuple[list[str], list[str]] | None:
    """The items of ``state`` (:meth:`RenderState.to_json`) gone since ENTRIES_FILE was written as
    ``rendered.entries`` says, and the items changed or added (None: too many to keep apart from it, or nothing
    stored)."""
    if rendered.entries is None:
        return None
    _digest, stored_names, stored_parts = rendered.entries
    names, parts, bodies = state["bodies"], state["parts"], rendered.bodies
    names = {name: digest for name, digest in names.items() if digest in bodies}  # as _entries_payload keeps them
    most = max(16, len(names) // 8)  # items kept apart from ENTRIES_FILE: past this, it is written whole again
    changed = []
    for name, digest in names.items():
        keys = [part_key(part, name) for part in EXPORT_PARTS]
        if stored_names.get(name) != digest or any(parts.get(key) != stored_parts.get(key) for key in keys):
            changed.append(name)
            if len(changed) > most:
                return None
    gone = [name for name in stored_names if name not in names]
    return (gone, changed) if len(gone) + len(changed) <= most else None


def _entries_payload(state: dict[str, Any], rendered: Rendered, only: Iterable[str] | None = None) -> bytes:
    """ENTRIES_FILE for ``state`` (:meth:`RenderState.to_json`, whose parts and body digests it takes out), or
    with ``only`` those items."""
    names, parts, bodies = state.pop("bodies"), state.pop("parts"), rendered.bodies
    rows: list[list] = []
    texts: list[str] = []
    for name, digest in names.items() if only is None else ((name, names[name]) for name in only):
        html = bodies.get(digest)
        if html is None:
            continue
        row: list = [name, digest, len(html)]
        texts.append(html)
        for part_name in EXPORT_PARTS:
            part = parts.get(part_key(part_name, name))
            row.append(-1 if part is None else len(part))
            if part is not None:
                texts.append(part)
        rows.append(row)
    return json.dumps(rows, separators=(",", ":")).encode("utf-8") + b"\n" + "".join(texts).encode("utf-8")


def _signed_part(path: Path, digest: str) -> bytes | None:
    """A part of the cache kept in its own file, if it is the file the signed record names."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    return raw if digest and hmac.compare_digest(part_digest(raw), digest) else None


def _load_signed_part(path: Path, digest: str) -> Any:
    """A signed part of the cache that holds JSON, read (None: not the signed file, or not JSON)."""
    raw = _signed_part(path, digest)
    try:
        return json.loads(raw) if raw is not None else None
    except (ValueError, RecursionError):
        return None


def cache_file(project: Path) -> Path:
    return project / CACHE_DIR / CACHE_FILE


def load_cache(project: Path, options: dict[str, Any]) -> tuple[BuildCache | None, str | None]:
    """The last build's record if it can be used for this build, and a warning if it was unusable."""
    path = cache_file(project)
    if not path.is_file():
        return None, None
    key = signing_key()
    if key is None:
        return None, None  # no private place for a key: this build does without a cache
    try:
        raw = path.read_bytes()
        data = json.loads(raw)
        if not isinstance(data, dict) or type(data.get("format")) is not int:
            raise ValueError("it is not an explainer build cache")
        if data["format"] != FORMAT:
            return None, None  # made by another version of explainer: expected, not a problem
        missing = [name for name in ("explainer", "options") if name not in data]
        if missing:
            raise KeyError(missing[0])
        if not _signed(raw, key):
            raise ValueError(
                "it was not written by explainer for this user on this machine (its signature does not match)"
            )
        if data.get("explainer") != __version__ or data.get("options") != options:
            return None, None  # another version or other options: expected, not a problem
        cache = BuildCache(**{name: data[name] for name in BuildCache.__dataclass_fields__})
        _check_types(cache)
        cache.inputs, cache.outputs = _stamps(cache.inputs), _stamps(cache.outputs)
    except (OSError, ValueError, TypeError, KeyError, RecursionError) as exc:
        return None, f"ignoring the build cache {path}: {_reason(exc)}; building everything"
    if cache.project != str(project):
        return None, f"ignoring the build cache {path}: it was made for {cache.project}; building everything"
    return cache, None


def _reason(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"it is not valid JSON (line {exc.lineno})"
    if isinstance(exc, KeyError):
        return f"it lacks the field {exc}"
    if isinstance(exc, RecursionError):
        return "it is nested too deeply to read"
    return str(exc) or type(exc).__name__


def _stamps(stored: Any) -> dict[str, Stamp]:
    """Stamps as JSON holds them (``{name: [size, mtime]}``), checked and made into tuples in one pass: a
    build after no change checks some 6,000 of them before anything else."""
    if type(stored) is not dict:
        raise ValueError("its contents are not in the expected shape")
    stamps: dict[str, Stamp] = {}
    for name, value in stored.items():
        if type(value) is not list or len(value) != 2:
            raise ValueError("its contents are not in the expected shape")
        size, mtime = value
        if type(size) is not int or type(mtime) is not int:
            raise ValueError("its contents are not in the expected shape")
        stamps[name] = (size, mtime)  # a JSON object's names are strings
    return stamps


def _check_types(cache: BuildCache) -> None:
    """Refuse anything but the shapes this module writes."""

    def strings(mapping: Any) -> bool:
        return isinstance(mapping, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items())

    well_formed = (
        isinstance(cache.project, str)
        and isinstance(cache.themes, list)
        and all(isinstance(t, str) for t in cache.themes)
        and isinstance(cache.folders, dict)
        and all(isinstance(k, str) and type(v) is int for k, v in cache.folders.items())
        and isinstance(cache.search_signature, (str, type(None)))
        and isinstance(cache.search_digest, str)
        and type(cache.page_count) is int
        and isinstance(cache.render_digest, str)
        and isinstance(cache.table_digest, str)
        and isinstance(cache.read_digest, str)
        and isinstance(cache.entries_digest, str)
        and isinstance(cache.changed_entries_digest, str)
        and isinstance(cache.notes, list)
        and all(isinstance(n, str) for n in cache.notes)
        and isinstance(cache.holds, list)
        and len(cache.holds) == 2
        and all(isinstance(day, (str, type(None))) for day in cache.holds)
        and isinstance(cache.warnings, list)
        and all(
            isinstance(w, list)
            and len(w) == 6
            and isinstance(w[0], str)
            and type(w[1]) is int
            and type(w[2]) is int
            and isinstance(w[3], str)
            and isinstance(w[4], (str, type(None)))
            and w[5] in ("error", "warning")
            for w in cache.warnings
        )
    )
    if not well_formed:
        raise ValueError("its contents are not in the expected shape")


def save_cache(project: Path, cache: BuildCache, rendered: Rendered, reads: bytes | None = None) -> None:
    """Write the record atomically (what it renders from first); a cache that cannot be written only costs
    the next build time."""
    from explainer.rebuild import RenderState  # imported by the build that rendered what is saved

    folder = project / CACHE_DIR
    key = signing_key()
    if key is None:
        return
    try:
        folder.mkdir(exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():  # never committed, whatever the project's own .gitignore says
            ignore.write_text("# made by explainer; safe to delete\n*\n")
        known, stored = rendered.table if rendered.table is not None else (None, b"")
        state = rendered.state.to_json(known)
        rows = state.pop("reads").encode("utf-8")
        if state.pop("from"):  # the table as stored (not empty), then its new rows
            payload = stored + b"\x1c" + rows if rows else stored
        else:
            payload = rows
        if payload is not stored or not (folder / TABLE_FILE).is_file():  # else the file holds it already
            replace_file(folder, TABLE_FILE, payload)
        cache.table_digest = part_digest(payload)
        changes = _changes(state, rendered)
        if changes is not None and rendered.entries is not None and (folder / ENTRIES_FILE).is_file():
            gone, changed = changes  # ENTRIES_FILE is left as it is: only the items changed since are written
            payload = json.dumps(gone).encode("utf-8") + b"\n" + _entries_payload(state, rendered, changed)
            cache.entries_digest = rendered.entries[0]
            cache.changed_entries_digest = part_digest(payload)
            replace_file(folder, CHANGED_ENTRIES_FILE, payload)
        else:
            payload = _entries_payload(state, rendered)
            cache.entries_digest, cache.changed_entries_digest = part_digest(payload), ""
            replace_file(folder, ENTRIES_FILE, payload)
            (folder / CHANGED_ENTRIES_FILE).unlink(missing_ok=True)  # read over the file just replaced: gone
        numbers = RenderState.take_numbers(state)
        payload = json.dumps({"render": state}, separators=(",", ":")).encode("utf-8") + b"\n" + numbers
        cache.render_digest = part_digest(payload)
        replace_file(folder, RENDER_FILE, payload)
        if reads is not None:  # ReadCache.to_bytes
            cache.read_digest = part_digest(reads)
            replace_file(folder, READ_FILE, reads)
        _save_record(folder, cache, key)
        for name in OBSOLETE_FILES:
            (folder / name).unlink(missing_ok=True)
    except (OSError, UnicodeError):  # UnicodeError: a string no file can hold as UTF-8 (a lone surrogate)
        pass


def save_record(project: Path, cache: BuildCache) -> None:
    """Write the record alone again (its render state and reads are as saved)."""
    key = signing_key()
    if key is not None:
        try:
            _save_record(project / CACHE_DIR, cache, key)
        except OSError:
            pass


def _save_record(folder: Path, cache: BuildCache, key: bytes) -> None:
    data = {"format": FORMAT, "explainer": __version__}
    data.update({name: getattr(cache, name) for name in BuildCache.__dataclass_fields__})
    payload = json.dumps(data, separators=(",", ":")).encode("utf-8")
    signature = hmac.new(key, payload, hashlib.sha256).hexdigest()
    replace_file(folder, CACHE_FILE, payload[:-1] + f',"signature":"{signature}"}}'.encode("ascii"))


def load_search_index(project: Path, digest: str) -> SearchIndex | None:
    """The search index the last build saved, if it is the one its signed record vouches for."""
    from explainer.search import SearchIndex

    raw = _signed_part(project / CACHE_DIR / SEARCH_FILE, digest)
    if raw is None:
        return None
    try:
        index = SearchIndex.from_bytes(raw)
    except (ValueError, TypeError, KeyError, RecursionError, UnicodeDecodeError):
        return None
    index.saved = digest
    return index


def save_search_index(project: Path, index: SearchIndex) -> str:
    """Keep the search index for the next build; its digest for the signed record ("" if it could not be kept)."""
    if index.saved:
        return index.saved  # unchanged since it was read
    if index.raw is not None:
        return ""  # indexed whole at every build
    folder = project / CACHE_DIR
    try:
        folder.mkdir(exist_ok=True)
        payload = index.to_bytes()
        replace_file(folder, SEARCH_FILE, payload)
    except OSError:
        return ""
    return part_digest(payload)


def replace_file(folder: Path, name: str, data: bytes) -> None:
    """Replace ``folder/name`` with ``data`` whole (written beside it, then renamed)."""
    handle, temporary = tempfile.mkstemp(prefix=".build-", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, folder / name)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        raise


def _signed(raw: bytes, key: bytes) -> bool:
    """Whether ``raw`` ends in the signature of everything before it, made with ``key``."""
    start = raw.rfind(b',"signature":"')  # the last one: a search from the start would walk the whole record
    match = _SIGNATURE.fullmatch(raw, max(start, 0))
    if start < 0 or match is None:
        return False
    expected = hmac.new(key, raw[:start] + b"}", hashlib.sha256).hexdigest().encode("ascii")
    return hmac.compare_digest(expected, match.group(1))


def key_folder() -> Path | None:
    """The user's own cache folder for explainer (never inside a project)."""
    try:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    except RuntimeError:  # no home folder
        return None
    return Path(base) / "explainer"


def signing_key() -> bytes | None:
    """This user's secret for signing build caches, made on first use; None when there is nowhere to keep it."""
    folder = key_folder()
    if folder is None:
        return None
    path = folder / KEY_FILE
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    except OSError:
        return None
    temporary = None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(prefix=".key-", dir=folder)  # readable by this user only
        with os.fdopen(handle, "wb") as stream:
            stream.write(secrets.token_bytes(32))
        os.link(temporary, path)  # appears whole or not at all; never replaces a key another build just made
    except FileExistsError:
        pass
    except OSError:
        return None
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
    try:
        return path.read_bytes()
    except OSError:
        return None


_USER_SIGNATURE_SIZE = 64  # hex of a SHA-256 HMAC


def _user_signature(key: bytes, about: bytes, payload: bytes) -> bytes:
    return hmac.new(key, about + b"\n" + payload, hashlib.sha256).hexdigest().encode("ascii")


def read_signed(path: Path, header: bytes, key: bytes, about: bytes = b"") -> bytes | None:
    """The payload of a file in the user's cache folder that :func:`write_signed` wrote with this ``header``, ``key``
    and ``about`` (what the payload was made from), else None: missing, damaged or not this user's."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    start = len(header) + _USER_SIGNATURE_SIZE
    if not data.startswith(header):
        return None
    signature, payload = data[len(header) : start], data[start:]
    return payload if hmac.compare_digest(signature, _user_signature(key, about, payload)) else None


def write_signed(path: Path, header: bytes, key: bytes, payload: bytes, about: bytes = b"") -> None:
    """Keep ``payload`` at ``path`` (in the user's cache folder, made private), signed for :func:`read_signed`; a
    failure only costs the next build the work again."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        replace_file(path.parent, path.name, header + _user_signature(key, about, payload) + payload)
    except OSError:
        pass
