"""Start a project (`explainer init`) and add entries (`explainer new`).

New entry files hold every required field, with a placeholder that says what
to write; the starter project builds with no error and no warning.

Both commands refuse bad input with a one-line reason and lose nothing: init
removes whatever it made when it cannot finish, and new writes through a
temporary file, so an interrupted write never truncates ``sources.yml`` or
leaves half an entry behind.
"""

from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat
import unicodedata
from datetime import date
from importlib.resources import files
from pathlib import Path

import yaml

from explainer.basics import hash_parts
from explainer.dates import FORMS
from explainer.diagnostics import Diagnostics, Span, UsageError, display_path
from explainer.model import KINDS, Choice, FieldSpec, Kind, OpenChoice, as_date
from explainer.reader import CONTENT_DIR, read_project
from explainer.slugs import slugify
from explainer.yamlsource import Node, load_yaml, read_text, split_front_matter


def new_kinds() -> list[str]:
    """What `explainer new` makes: every kind of entry, by its singular name, and sources."""
    return [*(kind.singular for kind in KINDS.values()), "source"]


def _kind_named(singular: str) -> Kind:
    return next(kind for kind in KINDS.values() if kind.singular == singular)


NEW_SLUG_MAX = 80  # well below any file system's 255-byte name limit, and a readable URL
DIGEST_LENGTH = 6
NAME_MAX_BYTES = 255


def starter_dir() -> Path:
    return Path(str(files("explainer") / "starter"))


# --- why a path could not be used ------------------------------------------


def describe_os_error(exc: OSError, path: Path) -> str:
    """The reason an operation on ``path`` failed, in words a writer can act on."""
    where = Path(os.fsdecode(exc.filename)) if exc.filename else path
    code = exc.errno
    if code == errno.ENOTDIR or (code == errno.EEXIST and _is_file(where)):
        return f"{display_path(_file_in_the_way(where))} is a file, not a folder"
    if code == errno.ENAMETOOLONG:
        if any(len(os.fsencode(part)) > NAME_MAX_BYTES for part in where.parts):
            return f"a name in the path is too long (at most {NAME_MAX_BYTES} bytes per name)"
        return "the path is too long"
    if code in (errno.EACCES, errno.EPERM):
        return f"permission denied for {display_path(where)}"
    if code == errno.EROFS:
        return f"{display_path(where)} is on a read-only file system"
    if code == errno.ENOSPC:
        return "no space left on the device"
    if code == errno.EEXIST:
        return f"{display_path(where)} already exists"
    if code == errno.ELOOP:
        return f"{display_path(where)} is a loop of symbolic links"
    return f"{exc.strerror or exc} ({display_path(where)})"


def _is_file(path: Path) -> bool:
    try:
        return not stat.S_ISDIR(os.stat(path).st_mode)
    except OSError:
        return os.path.islink(path)  # a link to nothing is in the way too


def _file_in_the_way(path: Path) -> Path:
    """The first part of ``path`` that exists but is not a folder (or ``path`` itself)."""
    for part in [*reversed(path.parents), path]:
        if part != Path(".") and _is_file(part):
            return part
    return path


# --- explainer init ----------------------------------------------------------


def init_project(folder: Path) -> list[Path]:
    """Create a new story project in ``folder``, which must be new or empty.

    On any failure, everything this call created is removed again, so a
    refused init leaves the disk as it found it.
    """
    made: list[Path] = []
    try:
        _refuse_unusable(folder)
        _make_folders(folder, made)
        for source, target in _starter_files(folder):
            _make_folders(target.parent, made)
            shutil.copyfile(source, target)
            made.append(target)
    except BaseException as exc:
        _undo(made)
        if isinstance(exc, OSError):
            raise UsageError(
                f"cannot start a project in {display_path(folder)}: {describe_os_error(exc, folder)}"
            ) from None
        raise
    return [path for path in made if path.is_file()]


def _refuse_unusable(folder: Path) -> None:
    """Refuse a folder that holds something, or a path that is not a folder."""
    if not os.path.lexists(folder):
        return  # a missing folder is made; making it reports a file in the way or a name too long
    if os.path.islink(folder) and not folder.exists():
        raise UsageError(f"refusing to start a project in {display_path(folder)}: it is a link to nothing")
    if _is_file(folder):
        raise UsageError(f"refusing to start a project in {display_path(folder)}: it is a file, not a folder")
    if any(folder.iterdir()):
        raise UsageError(f"refusing to start a project in {display_path(folder)}: it is not an empty folder")


def _starter_files(folder: Path) -> list[tuple[Path, Path]]:
    """Each starter file and where it goes in the new project."""
    root = starter_dir()
    pairs = []
    for source in sorted(root.rglob("*")):
        if source.is_dir() or source.suffix == ".pyc" or "__pycache__" in source.parts:
            continue
        relative = source.relative_to(root)
        pairs.append((source, folder / (".gitignore" if relative.as_posix() == "gitignore" else relative)))
    return pairs


def _make_folders(folder: Path, made: list[Path]) -> None:
    """Create ``folder`` and its missing parents, recording each one made."""
    missing = []
    while not os.path.lexists(folder) and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
        made.append(path)


def _undo(made: list[Path]) -> None:
    """Remove what init made, newest first; never anything it did not make."""
    for path in reversed(made):
        try:
            if path.is_dir() and not path.is_symlink():
                path.rmdir()  # only if empty: something another program put there stays
            else:
                path.unlink()
        except OSError:
            pass


# --- explainer new: title and slug ------------------------------------------


def clean_line(text: str, what: str, example: str, plural: str = "") -> str:
    """A one-line text from the command line, trimmed; refuse one that is not."""
    if any(unicodedata.category(ch) == "Cs" for ch in text):
        raise UsageError(
            f"the {what} is not valid text: it holds bytes that are not UTF-8; check your terminal's character encoding"
        )
    odd = next((ch for ch in text if unicodedata.category(ch) in ("Cc", "Zl", "Zp")), None)
    if odd is not None:
        kind = "a line break" if odd in "\n\r\x85\u2028\u2029\x0b\x0c" else "a control character"
        raise UsageError(
            f"{plural or what + 's'} are one line of text: this one holds {kind} (U+{ord(odd):04X}); remove it"
        )
    text = text.strip()
    if not text:
        raise UsageError(f"the {what} is empty: give the text it should show, e.g. {example}")
    return text


def clean_title(title: str) -> str:
    """The title as the reader will read it back (trimmed); refuse text that is not one line."""
    return clean_line(title, "title", 'explainer new person "Jordan Lee"')


def new_slug(kind: str, title: str) -> str:
    """A slug for a new entry: the title's own, capped; with a digest when the title is not in Latin letters."""
    slug = slugify(title)
    if _too_little(slug, title):
        stem = cap_slug(slug, NEW_SLUG_MAX - DIGEST_LENGTH - 1) or kind
        return f"{stem}-{hash_parts([title])[:DIGEST_LENGTH]}"
    return cap_slug(slug, NEW_SLUG_MAX)


def _too_little(slug: str, title: str) -> bool:
    """True when the slug is empty or keeps less than half of the title's letters (Arabic, Chinese, emoji...)."""
    kept = sum(ch.isalpha() for ch in slug)
    return not slug or 2 * kept < sum(ch.isalpha() for ch in title)


def cap_slug(slug: str, limit: int) -> str:
    """``slug`` cut to at most ``limit`` characters, at a hyphen when one is near the end."""
    if len(slug) <= limit:
        return slug
    head = slug[:limit]
    if slug[limit] == "-":
        return head
    cut = head.rfind("-")
    return head[:cut] if cut >= limit // 2 else head.rstrip("-")


def quote_yaml(text: str) -> str:
    """The text as a YAML scalar, quoted only when it must be."""
    dumped = yaml.safe_dump(text, default_style=None, allow_unicode=True, width=1_000_000_000)
    return dumped.removesuffix("\n...\n").strip()


# --- explainer new: entries --------------------------------------------------


def new_entry(project: Path, kind: str, title: str) -> Path:
    """Write a new entry (or append a source) and return the file it went into."""
    title = clean_title(title)
    content_dir = project / CONTENT_DIR
    try:
        if not content_dir.is_dir():
            raise UsageError(
                f"{display_path(project)} has no content/ folder: run explainer init first, or pass --project"
            )
        slug = new_slug(kind, title)
        keys, source_ids = _existing_keys(project)
        if kind == "source":
            return _append_source(content_dir / "sources.yml", slug, title, source_ids)
        return _write_entry(content_dir, kind, slug, title, keys)
    except OSError as exc:
        raise UsageError(f"cannot add the {kind}: {describe_os_error(exc, content_dir)}; nothing was written") from None


def _existing_keys(project: Path) -> tuple[set[str], set[str]]:
    """Entry keys and source ids already in the project, read leniently."""
    content = read_project(project, Diagnostics())
    return {e.key for e in content.all_entries()} | content.unreadable, {s.id for s in content.sources}


def _write_entry(content_dir: Path, kind: str, slug: str, title: str, keys: set[str]) -> Path:
    collection = "sources" if kind == "source" else _kind_named(kind).collection
    path = content_dir / collection / f"{slug}.md"
    if os.path.lexists(path) or f"{collection}/{slug}" in keys:
        raise UsageError(f"a {kind} with the slug '{slug}' already exists; edit it, or choose another title")
    people = sorted(key.split("/")[1] for key in keys if key.startswith("people/"))
    text = _front_matter(kind, title, people)
    _check_front_matter(text, path, kind, title)
    path.parent.mkdir(exist_ok=True)
    write_atomic(
        path,
        text.encode("utf-8"),
        overwrite=False,
        exists=f"a {kind} with the slug '{slug}' already exists; edit it, or choose another title",
    )
    return path


def _front_matter(kind: str, title: str, people: list[str]) -> str:
    """A new entry's front matter, made from its kind's declaration: required fields filled in, the rest as comments."""
    declared = _kind_named(kind)
    values = {"today": date.today().isoformat(), "person": people[0] if people else "person-slug"}
    lines = []
    for spec in declared.all_fields:
        if spec.name == declared.title_field:
            lines.append(f"{spec.name}: {quote_yaml(_as_question(title) if kind == 'question' else title)}")
        elif (spec.required or spec.recommended) and spec.refers_to is not None:  # to fill in; no guess at who
            example = _fill(spec.scaffold or "[slug]", values)
            lines.append(f"{spec.name}: []  # {spec.refers_to} slugs, e.g. {example}")
        elif spec.required:
            lines.append(f"{spec.name}: {_fill(spec.scaffold or '', values)}{_what_goes_here(spec)}")
        elif spec.scaffold is not None:
            lines.append(f"# {spec.name}: {_fill(spec.scaffold, values)}")
    body = declared.body[0].upper() + declared.body[1:]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body.rstrip(".") + ".\n"


def _what_goes_here(spec: FieldSpec) -> str:
    """A comment for a field whose form is not obvious from its placeholder."""
    if isinstance(spec.convert, OpenChoice):
        return f"  # one of: {', '.join(spec.convert.choices)}, or one of claim_statuses in explainer.yml"
    if isinstance(spec.convert, Choice):
        return f"  # one of: {', '.join(spec.convert.choices)}"
    if spec.convert is as_date:
        return f"  # {FORMS}"
    return ""


def _fill(text: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def _as_question(title: str) -> str:
    return title if title.endswith("?") else title + "?"


def _check_front_matter(text: str, path: Path, kind: str, title: str) -> None:
    """Refuse to write a file whose title would not read back exactly as given."""
    expected = _as_question(title) if kind == "question" else title
    source = split_front_matter(text, path, Diagnostics())
    node = source.front_matter if source is not None else None
    field = node.value.get(_kind_named(kind).title_field) if node is not None and node.is_map else None
    if field is None or not field.is_scalar or str(field.raw).strip() != expected:
        raise UsageError(f"cannot write this title so that it reads back unchanged: {title!r}; create the file by hand")


# --- explainer new: sources --------------------------------------------------


def _append_source(path: Path, slug: str, title: str, source_ids: set[str]) -> Path:
    """Append one item to sources.yml, only if the file still reads as a list holding it."""
    old = _read_sources(path) if os.path.lexists(path) else None
    items = old[1] if old else []
    ids = source_ids | {str(i.value["id"].raw).strip() for i in items if i.is_map and "id" in i.value}
    if slug in ids:
        raise UsageError(f"a source with id '{slug}' already exists in content/sources.yml")
    raw = path.read_bytes() if old else b""
    newline = "\r\n" if b"\r\n" in raw else "\n"
    item = yaml.safe_dump([{"id": slug, "title": title}], allow_unicode=True, sort_keys=False, width=1_000_000_000)
    item += "  # publisher: Outlet\n  # url: https://\n  # date: YYYY-MM-DD\n"
    separator = "" if not raw or raw.endswith((b"\n", b"\r")) else "\n"
    data = raw + (separator + item).replace("\n", newline).encode("utf-8")
    _check_appended(data, path, slug, title, len(items), old[0] if old else "")
    write_atomic(path, data, overwrite=True)
    return path


def _read_sources(path: Path) -> tuple[str, list[Node]]:
    """The text and items of an existing sources.yml, read as the build reads it; refuse a broken one."""
    diagnostics = Diagnostics()
    text = read_text(path, diagnostics)
    node = load_yaml(text, path, diagnostics) if text is not None else None
    if text is None or node is None:
        problem = diagnostics.errors[0]
        raise _refusal(problem.span, problem.message, problem.hint)
    if node.is_map and not node.value:
        return text, []
    if not node.is_list:
        what = "a mapping" if node.is_map else "a single value"
        raise _refusal(
            node.span,
            f"sources.yml is {what}, not a list of sources",
            "write each source as an item that starts with '- ' at the beginning of a line, "
            "e.g. '- id: town-minutes' then '  title: ...'",
        )
    return text, node.value


def _check_appended(data: bytes, path: Path, slug: str, title: str, count: int, old_text: str) -> None:
    """Refuse unless the new file reads as the old list plus exactly the new source."""
    text = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    node = load_yaml(text, path, Diagnostics())
    last = node.value[-1] if node is not None and node.is_list and len(node.value) == count + 1 else None
    fields = last.value if last is not None and last.is_map else {}
    if "id" in fields and "title" in fields and fields["id"].raw == slug and fields["title"].raw == title:
        return
    if _first_symbol(old_text) == "[":
        raise _refusal(
            Span(path),
            "sources.yml is written as a bracketed list ([...]), which a new source cannot be appended to",
            "rewrite it with one '- id: ...' item per line, as explainer init does, or add the source by hand",
        )
    raise _refusal(
        Span(path),
        "appending a source would not leave a readable list",
        "check the end of the file, or add the source by hand",
    )


def _first_symbol(text: str) -> str:
    """The first character of YAML text that is not a space, a comment or a document start."""
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and stripped != "---":
            return stripped.removeprefix("--- ")[:1]
    return ""


def _refusal(span: Span, message: str, hint: str | None) -> UsageError:
    """A refused `new source`, pointing at the line to fix."""
    text = f"cannot add the source: {span.display()}: {message}; nothing was written"
    return UsageError(text + (f"\n  hint: {hint}" if hint else ""))


# --- writing -------------------------------------------------------------------


def write_atomic(path: Path, data: bytes, overwrite: bool, exists: str = "") -> None:
    """Write through a temporary file beside ``path``, so readers see the old file or the new, never half.

    A link is kept and its target written. With ``overwrite`` false a file
    that appeared meanwhile is refused with the message ``exists``.
    """
    target = Path(os.path.realpath(path))
    temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            if target.exists():
                os.chmod(temp, stat.S_IMODE(target.stat().st_mode))
            os.replace(temp, target)
        else:
            _place_new(temp, target, exists)
    finally:
        if os.path.lexists(temp):
            os.unlink(temp)


def _place_new(temp: Path, target: Path, exists: str) -> None:
    """Give ``temp`` the name ``target`` unless that name is taken (a hard link fails if it is)."""
    try:
        os.link(temp, target)
    except FileExistsError:
        raise UsageError(exists) from None
    except OSError:  # a file system without hard links: check, then rename
        if os.path.lexists(target):
            raise UsageError(exists) from None
        os.replace(temp, target)
