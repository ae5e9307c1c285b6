"""Static search with Pagefind, run over the finished site before it is swapped in.

Pagefind (from PyPI, binary included) indexes the built HTML into small
chunks a browser fetches on demand, and ships an accessible search UI.

Pagefind 1.5 writes a filter's values (our "Kind" filter: People, Events, …)
in hash-map order, so two builds of one story give different filter and
metadata files. :func:`settle_filters` rewrites them in sorted order, as
Pagefind itself does since its fix (#1124, not yet released): unchanged
content then gives an unchanged index again.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
from collections.abc import Collection
from pathlib import Path
from typing import Any

SEARCH_BUNDLE = "pagefind"
PAGEFIND_MISSING = "Pagefind, which builds the search index, is not installed (pip install 'pagefind[bin]')"
_SIGNATURE = b"pagefind_dcd"  # what Pagefind writes before the CBOR of each index file, inside the gzip


def pagefind_executable() -> Path | None:
    try:
        import pagefind_bin
    except ImportError:
        return None
    try:
        return Path(pagefind_bin.get_executable())
    except Exception:  # noqa: BLE001 - no binary for this platform
        return None


def index_site(site: Path, bundle: Path | None = None) -> str | None:
    """Index ``site`` into ``bundle`` (default: its search folder); return a problem, or None on success."""
    executable = pagefind_executable()
    if executable is None:
        return PAGEFIND_MISSING
    where = ["--output-path", str(bundle)] if bundle is not None else ["--output-subdir", SEARCH_BUNDLE]
    result = subprocess.run(
        [str(executable), "--site", str(site), *where, "--silent"], capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        return f"Pagefind failed: {(result.stderr or result.stdout).strip()[:500]}"
    try:
        settle_filters(bundle if bundle is not None else site / SEARCH_BUNDLE)
    except OSError as error:
        return f"could not write the search index: {error}"
    return None


def settle_filters(bundle: Path) -> None:
    """Put every filter's values, and the filters themselves, in sorted order; rename what that changes.

    A file named by its content's hash is renamed with it, the way Pagefind names it: a filter file
    is listed in its language's metadata file, which is listed in ``pagefind-entry.json``. Files it
    cannot read back byte for byte are left as Pagefind wrote them (searching works either way).
    """
    entry_file = bundle / "pagefind-entry.json"
    try:
        entry = entry_file.read_text("utf-8")
        languages = json.loads(entry)["languages"]
    except (OSError, ValueError, KeyError, TypeError):
        return
    writes: dict[Path, bytes] = {}
    stale: list[Path] = []
    for language, about in sorted(languages.items()):
        try:
            renamed = _settle_language(bundle, language, about["hash"], writes, stale)
        except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError):
            return  # nothing written yet: the bundle stays whole
        entry = entry.replace(f'"{about["hash"]}"', f'"{renamed}"')
    for path, data in writes.items():
        path.write_bytes(gzip.compress(_SIGNATURE + data, compresslevel=9, mtime=0))
    entry_file.write_text(entry, "utf-8")
    for path in stale:
        if path not in writes:
            path.unlink()


def _settle_language(bundle: Path, language: str, meta_hash: str, writes: dict[Path, bytes], stale: list[Path]) -> str:
    """Plan one language's settled files into ``writes`` and ``stale``; its metadata's hash.

    Every file is planned, changed or not: gzip from Python and from Pagefind differ, and a build
    gives the same bytes only when the same gzip wrote them."""
    meta_file = bundle / f"pagefind.{meta_hash}.pf_meta"
    meta = _read(meta_file)
    filters = meta[3]  # [[name, file hash], …]
    settled: list[list[str]] = []
    for name, filter_hash in filters:
        filter_file = bundle / "filter" / f"{filter_hash}.pf_filter"
        index = _read(filter_file)
        index[1].sort(key=lambda value: value[0])  # [filter, [[value, [pages]], …]]
        data = _encode(index)
        new_hash = _name(language, data, 7, taken={known for _, known in settled})
        writes[bundle / "filter" / f"{new_hash}.pf_filter"] = data
        stale.append(filter_file)
        settled.append([name, new_hash])
    settled.sort(key=lambda item: item[0])
    meta[3] = settled
    data = _encode(meta)
    new_meta_hash = _name(language, data, 10)
    writes[bundle / f"pagefind.{new_meta_hash}.pf_meta"] = data
    stale.append(meta_file)
    return new_meta_hash


def _name(language: str, data: bytes, length: int, taken: Collection[str] = ()) -> str:
    """Pagefind's name for a file: the language and the start of its SHA-1, in Pagefind's own unpadded hex."""
    full = f"{language}_" + "".join(f"{byte:x}" for byte in hashlib.sha1(data).digest())
    size = len(language) + 1 + length
    while full[:size] in taken and size < len(full):
        size += 1
    return full[:size]


def _read(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(_SIGNATURE):
        raise ValueError(f"{path} is not a Pagefind index file")
    value, end = _decode(raw, len(_SIGNATURE))
    if end != len(raw) or _encode(value) != raw[len(_SIGNATURE) :]:
        raise ValueError(f"{path} holds CBOR this reader does not write back byte for byte")
    return value


# The little of CBOR (RFC 8949) that Pagefind's index files use: whole numbers, text, arrays.


def _decode(data: bytes, at: int) -> tuple[Any, int]:
    major, info = data[at] >> 5, data[at] & 0x1F
    at += 1
    if info < 24:
        argument = info
    elif info <= 27:
        size = 1 << (info - 24)
        argument = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise ValueError(f"CBOR item {major}/{info} is not used by Pagefind")
    if major == 0:
        return argument, at
    if major == 3:
        return data[at : at + argument].decode("utf-8"), at + argument
    if major == 4:
        items = []
        for _ in range(argument):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    raise ValueError(f"CBOR major type {major} is not used by Pagefind")


def _encode(value: Any) -> bytes:
    if isinstance(value, bool) or not isinstance(value, (int, str, list)):
        raise ValueError(f"cannot write {value!r} as Pagefind CBOR")
    if isinstance(value, int):
        return _head(0, value)
    if isinstance(value, str):
        text = value.encode("utf-8")
        return _head(3, len(text)) + text
    return _head(4, len(value)) + b"".join(_encode(item) for item in value)


def _head(major: int, argument: int) -> bytes:
    if argument < 24:
        return bytes([major << 5 | argument])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * size):
            return bytes([major << 5 | info]) + argument.to_bytes(size, "big")
    raise ValueError(f"{argument} is too large for CBOR")
