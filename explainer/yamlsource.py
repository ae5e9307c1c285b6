"""Read text files and YAML while keeping the file, line and column of every value.

We build the tree ourselves from PyYAML's stream of parse events instead of
calling ``safe_load`` or its composer, so that every value keeps its
:class:`Span`, duplicate keys are caught, merge keys (``<<``) follow the YAML
rules whatever PyYAML version is installed, and alias bombs or absurd nesting
are refused at the exact place they start. The tree is built with a loop and
an explicit stack, never by recursion, so no nesting depth can exhaust
Python's stack, and the result is the same with libyaml or without it.

Files are read only when they are regular files (a named pipe would block the
build forever), and text that no page may show (control characters, broken
surrogates) is refused at its exact line and column.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    MappingStartEvent,
    ScalarEvent,
    StreamEndEvent,
)

from explainer.diagnostics import Diagnostics, Span

MAX_NODES = 200_000
MAX_DEPTH = 64
NESTING_HINT = "a story needs only a few levels of lists and mappings"
MAX_FILE_BYTES = 8 * 1024 * 1024  # far above any real story file; keeps parsing time bounded
MAX_NUMBER_LENGTH = 1000  # longer numbers stay text (Python refuses or slowly converts very long ones)

# Which parser reads YAML: libyaml (PyYAML's C binding, inside PyYAML's wheels; several times faster), or PyYAML's
# own pure-Python parser, which decides every document that is not plainly fine: one libyaml rejects, finds any
# problem in, or may read more loosely (a tab taken for a space) is parsed again with it, in its words. So the
# tree, positions and messages are the same with either. EXPLAINER_YAML_PARSER=pure makes explainer use only the
# pure-Python parser; the tests run every YAML case under both (switching USE_LIBYAML, or setting the variable
# for the command in a subprocess).
USE_LIBYAML = bool(yaml.__with_libyaml__) and os.environ.get("EXPLAINER_YAML_PARSER", "").strip().lower() != "pure"


@dataclass
class Node:
    """A YAML value with its position.

    ``value`` is a plain scalar, a ``list[Node]`` or a ``dict[str, Node]``;
    ``raw`` is the scalar exactly as written (dates are parsed from it, so
    ``2021-10`` and ``2021-10-21`` keep their precision).
    """

    value: Any
    span: Span
    raw: str | None = None
    key_span: Span | None = None
    tag: str = ""
    indent: int = 0  # for a block scalar (| or >): the indentation of its text lines

    @property
    def text_span(self) -> Span:
        """Where the scalar's text itself begins (the line after a | or > indicator)."""
        if self.indent:
            return Span(self.span.path, self.span.line + 1, self.indent + 1)
        return self.span

    @property
    def is_map(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)

    @property
    def is_scalar(self) -> bool:
        return not (self.is_map or self.is_list)

    def plain(self) -> Any:
        """The value with positions stripped, for places that need none."""
        if self.is_map:
            return {key: child.plain() for key, child in self.value.items()}
        if self.is_list:
            return [child.plain() for child in self.value]
        return self.value


# Only YAML's own plain types; a tag such as !!python/object is refused, never built.
_YAML = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL, TIMESTAMP, VALUE, MERGE, SEQ, MAP = (
    _YAML + name for name in ("str", "int", "float", "bool", "null", "timestamp", "value", "merge", "seq", "map")
)
SCALAR_TAGS = {STR, INT, FLOAT, BOOL, NULL, TIMESTAMP, VALUE, MERGE}
ALLOWED_TAGS = SCALAR_TAGS | {SEQ, MAP}
TAG_HINT = "remove the tag; values are plain text, numbers, lists and mappings"
MERGE_HINT = "'<<' merges mappings into this one: write <<: *name, or <<: [*one, *two]"


# --- characters no page may show -----------------------------------------------------------------------------

# C0 controls but tab, line feed and carriage return; DEL and the C1 controls; lone surrogates (only YAML escapes
# can make them); the non-characters U+FFFE and U+FFFF; and a byte order mark anywhere but at the very start.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
_FORBIDDEN_IN_VALUES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")  # "\\ufeff" is text
_YAML_LINE_BREAKS = re.compile("[\u2028\u2029]")  # YAML reads these as line breaks; editors and we do not
_CONTROL_NAMES = {
    0x00: "NUL",
    0x07: "bell",
    0x08: "backspace",
    0x0B: "vertical tab",
    0x0C: "form feed",
    0x1B: "escape",
    0x7F: "delete",
    0x85: "next line",
    0x2028: "line separator",
    0x2029: "paragraph separator",
}
PASTED = "it often comes from pasting from a word processor"
PASTE_HINT = "delete it; " + PASTED


def _character(char: str) -> tuple[str, str]:
    """What a forbidden character is, in words, and what to do about it."""
    code = ord(char)
    label = f"U+{code:04X}"
    if code == 0xFEFF:
        return (
            f"a byte order mark ({label}) after the start of the file",
            "delete it; it often comes from joining two files or pasting text",
        )
    if 0xD800 <= code <= 0xDFFF:
        return (
            f"half of a UTF-16 surrogate pair ({label}), which is not a character",
            "write the character itself, or \\U and eight hex digits, e.g. \\U0001F600",
        )
    if code in (0xFFFE, 0xFFFF):
        return (
            f"{label}, which is not a character",
            "delete it; it often comes from text converted from another encoding",
        )
    name = _CONTROL_NAMES.get(code)
    return f"the control character {label}" + (f" ({name})" if name else ""), PASTE_HINT


def _first_forbidden(text: str, start: int = 0) -> int | None:
    found = _FORBIDDEN.search(text, start)
    return found.start() if found else None


def _text_position(text: str, index: int) -> tuple[int, int]:
    """The 1-based line and column of ``text[index]`` (lines split at '\\n')."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """The line and column, in characters, of byte ``offset`` in undecoded file data, whatever its line endings."""
    before = data[:offset].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    line_start = before.rfind(b"\n") + 1
    current = before[line_start:]
    if line_start == 0 and current.startswith(b"\xef\xbb\xbf"):
        current = current[3:]  # the byte order mark is not shown by editors
    return before.count(b"\n") + 1, len(current.decode("utf-8", "replace")) + 1


# --- reading files -------------------------------------------------------------------------------------------


def path_kind(path: Path) -> str:
    """What is at ``path``, following links: 'file', 'folder', 'missing', 'broken link', 'link loop',
    'named pipe', 'socket', 'device', 'special file' or 'unreadable' (it cannot be looked at)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "link loop"
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return "broken link" if os.path.islink(path) else "missing"
        return "unreadable"
    except ValueError:  # a name the operating system cannot take
        return "unreadable"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


def kind_problem(path: Path, kind: str, wanted: str = "file") -> tuple[str, str]:
    """The message and hint for a ``path_kind`` that is not the ``wanted`` 'file' or 'folder'."""
    name = path.name
    if kind == "broken link":
        try:
            target = f" ('{os.readlink(path)}')"
        except OSError:
            target = ""
        return (f"'{name}' is a link to a missing {wanted}{target}", "restore what it points to, or delete the link")
    if kind == "link loop":
        return (
            f"'{name}' is a link that loops back on itself and never reaches a {wanted}",
            f"delete the link, or point it at a real {wanted}",
        )
    if wanted == "folder":
        return f"'{name}' is not a folder (it is a {kind}) and was not read", "replace it with a folder, or delete it"
    return (
        f"'{name}' is not a regular file (it is a {kind}) and was not read",
        "replace it with an ordinary file, or delete it",
    )


class UnreadableFileError(Exception):
    """Not a regular file, or too large: a message and hint for a diagnostic at the file."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message = message
        self.hint = hint


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def _too_large(size: int, limit: int) -> UnreadableFileError:
    return UnreadableFileError(
        f"file is too large ({size / 1048576:.1f} MiB; the limit is {limit // 1048576} MiB)",
        "split it into smaller files",
    )


def read_file_bytes(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file, never blocking: a named pipe, device or socket is refused.

    Raises ``OSError`` when the file cannot be read, and ``UnreadableFileError`` (a message
    and hint) when it is not a regular file or is larger than ``limit`` (``MAX_FILE_BYTES``). The file
    is checked before it is opened and, in case it was swapped for something
    else in between, again once it is open (opened without blocking, so even a
    named pipe put there at the last moment cannot hang the build).
    """
    limit = MAX_FILE_BYTES if limit is None else limit
    kind = path_kind(path)
    if kind not in ("file", "unreadable", "missing"):  # missing or unreadable: let open() say why
        raise UnreadableFileError(*kind_problem(path, kind))
    descriptor = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            kind = (
                "folder"
                if stat.S_ISDIR(info.st_mode)
                else "named pipe"
                if stat.S_ISFIFO(info.st_mode)
                else ("special file")
            )
            raise UnreadableFileError(*kind_problem(path, kind))
        if info.st_size > limit:
            raise _too_large(info.st_size, limit)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(descriptor, min(1 << 20, limit + 1 - total))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # it grew while being read
                raise _too_large(total, limit)
    finally:
        os.close(descriptor)


def read_text(path: Path, diagnostics: Diagnostics) -> str | None:
    """Read a UTF-8 file with normalised newlines, reporting exactly where it cannot be text."""
    try:
        data = read_file_bytes(path)
    except UnreadableFileError as exc:
        diagnostics.error(Span(path), exc.message, exc.hint)
        return None
    except OSError as exc:
        diagnostics.error(
            Span(path), f"cannot read the file: {exc.strerror or exc}", "check that it exists and that you may read it"
        )
        return None
    if b"\x00" in data:
        line, column = byte_position(data, data.index(b"\x00"))
        diagnostics.error(
            Span(path, line, column), "file contains a NUL byte: it is not a text file", "save it as plain UTF-8 text"
        )
        return None
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0  # a byte order mark at the start is no text
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = byte_position(data, bom + exc.start)
        diagnostics.error(
            Span(path, line, column), "file is not valid UTF-8 text", "save the file as UTF-8 in your editor"
        )
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    index = _first_forbidden(text)
    if index is not None:
        what, hint = _character(text[index])
        diagnostics.error(Span(path, *_text_position(text, index)), f"file contains {what}", hint)
        return None
    return text


# --- reading YAML --------------------------------------------------------------------------------------------


class _RefusedError(Exception):
    def __init__(self, span: Span, message: str, hint: str | None, limit: bool = False):
        super().__init__(message)
        self.span = span
        self.message = message
        self.hint = hint
        self.limit = limit  # a size or depth limit: reading on is exactly the work the limit is there to spare


@dataclass
class _Source:
    path: Path
    line_offset: int
    text: str
    lines: list[str]

    def span(self, mark: Any) -> Span:
        return Span(self.path, mark.line + 1 + self.line_offset, mark.column + 1)

    def index_span(self, index: int) -> Span:
        line, column = _text_position(self.text, index)
        return Span(self.path, line + self.line_offset, column)


def load_yaml(text: str, path: Path, diagnostics: Diagnostics, line_offset: int = 0) -> Node | None:
    """Parse one YAML document; on any problem record it and return None.

    An empty document reads as an empty mapping.

    ``line_offset`` maps lines of an embedded document (front matter) back to
    the lines of the file that holds it.
    """
    source = _Source(path, line_offset, text, text.split("\n"))
    index = _first_forbidden(text, 1 if text.startswith("\ufeff") else 0)
    if index is not None:
        what, hint = _character(text[index])
        diagnostics.error(source.index_span(index), f"file contains {what}", hint)
        return None
    found = _YAML_LINE_BREAKS.search(text)
    if found:
        diagnostics.error(
            source.index_span(found.start()),
            f"YAML reads U+{ord(found.group()):04X} ({_CONTROL_NAMES[ord(found.group())]}) as a line break",
            "replace it with an ordinary line break or a space; " + PASTED,
        )
        return None
    if USE_LIBYAML:
        # libyaml's result is used only for a document it reads without any problem, in a way PyYAML's own
        # parser agrees with; anything else is parsed again and decided, in PyYAML's own words, by that parser
        found_here = Diagnostics()
        try:
            root = _read(yaml.CSafeLoader(text), source, found_here)
        except (yaml.YAMLError, _RefusedError):
            pass
        else:
            if not found_here.items:
                return root if root is not None else Node({}, Span(path, 1 + line_offset, 1))
    found_here = Diagnostics()
    try:
        root = _read(yaml.SafeLoader(text), source, found_here)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        span = source.span(mark) if mark else Span(path, 1 + line_offset, 1)
        problem = exc.problem or "malformed YAML"
        context = f" ({exc.context})" if exc.context else ""
        hint = (
            "YAML indents with spaces, never tabs"
            if "\\t" in problem or "\t" in problem
            else (
                "in double quotes, \\x takes two hex digits, \\u four and \\U eight (at most 0010FFFF); "
                "a backslash itself is written \\\\"
                if "escape" in problem
                else "check the indentation and quoting on this line and the one before it"
            )
        )
        diagnostics.error(span, f"invalid YAML: {problem}{context}", hint)
        return None
    except yaml.YAMLError as exc:
        diagnostics.error(Span(path, 1 + line_offset, 1), f"invalid YAML: {exc}")
        return None
    except _RefusedError as exc:
        diagnostics.items.extend(found_here.items)
        diagnostics.error(exc.span, exc.message, exc.hint)
        return None
    diagnostics.items.extend(found_here.items)
    return root if root is not None else Node({}, Span(path, 1 + line_offset, 1))


class _LibyamlDiffers(yaml.YAMLError):
    """libyaml accepts what PyYAML's own parser may refuse (tabs as spaces, '?' inside [...]): ask that one."""


def _read(loader: Any, source: _Source, found: Diagnostics) -> Node | None:
    try:
        return _Builder(loader, source, found).document()
    finally:
        loader.dispose()


class _Open:
    """A list or mapping whose end event has not come yet."""

    __slots__ = ("event", "span", "tag", "anchor", "items", "is_map", "key", "merges", "size", "height")

    def __init__(self, event: Any, span: Span, tag: str):
        self.event, self.span, self.tag, self.anchor = event, span, tag, event.anchor
        self.is_map = isinstance(event, MappingStartEvent)
        self.items: Any = {} if self.is_map else []
        self.key: Node | None = None  # a mapping's key, until its value comes
        self.merges: list[list[Node]] = []  # the mappings each '<<' key brings in, in order
        self.size = 1  # this value and every value below it, aliases counted in full
        self.height = 1  # levels, this one included


class _Builder:
    """Builds the located tree from parse events with an explicit stack.

    Mirrors PyYAML's composer and SafeConstructor (same tag resolution, same
    errors for undefined aliases, duplicate anchors and extra documents), but
    keys are taken as written, duplicates are reported, and every limit is
    checked where the offending value starts.
    """

    def __init__(self, loader: Any, source: _Source, found: Diagnostics):
        self.loader, self.source, self.found = loader, source, found
        self.pure = not isinstance(loader, getattr(yaml, "CSafeLoader", ()))
        self.tabs = not self.pure and "\t" in source.text  # check where libyaml took a tab for a space
        self.checked = 0  # the text before this index has been checked for such tabs
        self.stack: list[_Open] = []
        self.anchors: dict[str, tuple[Node, int, int] | None] = {}  # None while the anchored value is still open
        self.anchor_marks: dict[str, Any] = {}
        self.count = 0
        self.root_mark: Any = None

    def next_event(self) -> Any:
        try:
            return self.loader.get_event()
        except (ValueError, OverflowError) as exc:
            # PyYAML's own scanner lets chr() fail on an escape such as "\U00110000" (libyaml reports it)
            mark = self.loader.get_mark() if self.pure else None
            if mark is not None:
                line = self.source.lines[mark.line] if mark.line < len(self.source.lines) else ""
                column = line.rfind("\\", 0, mark.column)
                mark = yaml.Mark(
                    mark.name, mark.index, mark.line, column if column >= 0 else mark.column, mark.buffer, mark.pointer
                )
            raise yaml.scanner.ScannerError(
                "while scanning a double-quoted scalar", None, "found invalid Unicode character escape code", mark
            ) from exc

    def document(self) -> Node | None:
        self.next_event()  # stream start
        event = self.next_event()
        if isinstance(event, StreamEndEvent):
            return None
        try:
            root = self.value()
        except _RefusedError as refused:
            if not refused.limit:
                self.drain()  # a YAML syntax error later in the file is reported instead, as the parser would
            raise
        self.next_event()  # document end
        self.expect_stream_end()
        if self.tabs and self.source.text.find("\t", self.checked) >= 0:
            raise _LibyamlDiffers()
        return root

    def expect_stream_end(self) -> None:
        event = self.next_event()
        if not isinstance(event, StreamEndEvent):
            raise yaml.composer.ComposerError(
                "expected a single document in the stream",
                self.root_mark,
                "but found another document",
                event.start_mark,
            )

    def drain(self) -> None:
        """Read the rest of the stream without building, for the errors PyYAML's composer would raise.

        Stops, leaving the refusal to be reported, where nesting passes the limit: parsing ever deeper
        nesting slows PyYAML's own parser down quadratically."""
        depth = len(self.stack)
        while True:
            event = self.next_event()
            mark: Any = event.start_mark
            if isinstance(event, StreamEndEvent):
                return
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
            if isinstance(event, DocumentStartEvent):
                raise yaml.composer.ComposerError(
                    "expected a single document in the stream", self.root_mark, "but found another document", mark
                )
            if isinstance(event, AliasEvent):
                if event.anchor not in self.anchor_marks:
                    raise yaml.composer.ComposerError(None, None, f"found undefined alias {event.anchor!r}", mark)
            elif isinstance(event, (ScalarEvent, CollectionStartEvent)):
                self.note_anchor(event)

    def note_anchor(self, event: Any) -> None:
        anchor = event.anchor
        if anchor is None:
            return
        if anchor in self.anchor_marks:
            raise yaml.composer.ComposerError(
                f"found duplicate anchor {anchor!r}; first occurrence",
                self.anchor_marks[anchor],
                "second occurrence",
                event.start_mark,
            )
        self.anchor_marks[anchor] = event.start_mark

    def value(self) -> Node:
        """The root value: every event up to the end of the document's one node."""
        stack = self.stack
        while True:
            event = self.next_event()
            if self.root_mark is None:
                self.root_mark = event.start_mark
            if self.tabs:
                self.check_tabs(event)
            if isinstance(event, ScalarEvent):
                node, size, height = self.scalar(event), 1, 1
            elif isinstance(event, CollectionStartEvent):
                self.start(event)
                continue
            elif isinstance(event, AliasEvent):
                node, size, height = self.alias(event)
            else:  # the end of a list or mapping
                node, size, height = self.close(stack.pop())
            if not stack:
                return node
            self.attach(stack[-1], node, size, height)

    # --- one event each

    def check_tabs(self, event: Any) -> None:
        """Give up on libyaml where a tab lies between tokens or in a plain value: PyYAML refuses most of those."""
        text, start, end = self.source.text, event.start_mark.index, event.end_mark.index
        if isinstance(event, ScalarEvent) and event.style in ("|", ">"):
            header_end = text.find("\n", start, end)  # the text below the | or > may hold tabs
            end = end if header_end < 0 else header_end
        elif isinstance(event, ScalarEvent) and event.style not in (None, ""):
            end = start  # a quoted value may hold tabs
        if text.find("\t", self.checked, end) >= 0:
            raise _LibyamlDiffers()
        self.checked = max(self.checked, event.end_mark.index)

    def in_key(self) -> bool:
        return bool(self.stack) and self.stack[-1].is_map and self.stack[-1].key is None

    def check_limits(self, span: Span, size: int, height: int) -> None:
        """Count ``size`` more values (aliases in full) and check the depth their deepest one reaches."""
        self.count += size
        if self.count > MAX_NODES:
            raise _RefusedError(
                span,
                f"YAML document is too large (more than {MAX_NODES:,} values, counting aliases)",
                "write the value out in full instead of using anchors and aliases",
                limit=True,
            )
        if len(self.stack) + height - 1 > MAX_DEPTH:
            raise _RefusedError(span, f"YAML is nested more than {MAX_DEPTH} levels deep", NESTING_HINT, limit=True)

    def scalar(self, event: Any) -> Node:
        self.note_anchor(event)
        span = self.source.span(event.start_mark)
        raw = event.value
        tag = event.tag
        implicit = tag is None or tag == "!"
        if implicit:  # a '!' tag reads as untagged, as PyYAML's own parser has it (libyaml would make it text)
            tag = self.loader.resolve(yaml.ScalarNode, raw, (True, False) if tag == "!" else event.implicit)
        if tag not in SCALAR_TAGS:
            what = "a single value" if tag in ALLOWED_TAGS else None
            raise _refused_tag(span, tag, what)
        if not self.in_key():
            self.check_limits(span, 1, 1)
        in_flow = bool(self.stack) and self.stack[-1].event.flow_style
        if not self.pure and in_flow and "?" in raw and event.style in (None, ""):
            raise _LibyamlDiffers()  # PyYAML ends a plain value at '?' inside [...] or {...}; libyaml reads on
        if event.style == '"':  # only escapes can bring in characters the file itself may not hold
            self.check_escapes(event, raw)
        node = Node(
            self.construct(event, tag, implicit, span),
            span,
            raw=raw,
            tag=tag,
            indent=_block_indent(event, self.source.lines),
        )
        if event.anchor is not None:
            self.anchors[event.anchor] = (node, 1, 1)
        return node

    def construct(self, event: Any, tag: str, implicit: bool, span: Span) -> Any:
        raw = event.value
        if tag in (STR, TIMESTAMP, VALUE, MERGE):  # dates are parsed from the text, keeping their precision;
            return raw  # a '<<' that is not a key is just text
        if tag == NULL:
            return None
        try:
            if tag in (INT, FLOAT) and len(raw) > MAX_NUMBER_LENGTH:
                raise ValueError("too long")
            node = yaml.ScalarNode(tag, raw, event.start_mark, event.end_mark, style=event.style)
            return self.loader.yaml_constructors[tag](self.loader, node)
        except (ValueError, KeyError, IndexError, OverflowError, yaml.YAMLError):
            if implicit:  # PyYAML resolved it as a number it cannot convert (say 0x_): it stays text
                return raw
            short = "!!" + tag[len(_YAML) :]
            raise _RefusedError(
                span, f"'{_shorten(raw)}' cannot be read as {short}", f"remove the tag {short}, or write a valid value"
            ) from None

    def check_escapes(self, event: Any, value: str) -> None:
        """Refuse a double-quoted value whose escapes give a character no page may show, at that escape."""
        found = _FORBIDDEN_IN_VALUES.search(value)
        if found is None:
            return
        for escape in _ESCAPE.finditer(self.source.text, event.start_mark.index, event.end_mark.index):
            code = escape.group(1)
            char = _ESCAPES.get(code, "") if len(code) == 1 else chr(min(int(code[1:], 16), 0x10FFFF))
            if char and _FORBIDDEN_IN_VALUES.fullmatch(char):
                what, hint = _character(char)
                if not 0xD800 <= ord(char) <= 0xDFFF:
                    hint = "remove the escape; text cannot hold control characters or non-characters"
                raise _RefusedError(
                    self.source.index_span(escape.start()), f"the escape '{escape.group()}' gives {what}", hint
                )
        what, hint = _character(found.group())  # not found in the source: report it at the value
        raise _RefusedError(self.source.span(event.start_mark), f"this value holds {what}", hint)

    def start(self, event: Any) -> None:
        self.note_anchor(event)
        span = self.source.span(event.start_mark)
        is_map = isinstance(event, MappingStartEvent)
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.MappingNode if is_map else yaml.SequenceNode, None, event.implicit)
        if tag != (MAP if is_map else SEQ):
            raise _refused_tag(span, tag, ("a mapping" if is_map else "a list") if tag in ALLOWED_TAGS else None)
        if self.in_key():
            if len(self.stack) > MAX_DEPTH:
                raise _RefusedError(span, f"YAML is nested more than {MAX_DEPTH} levels deep", NESTING_HINT, limit=True)
        else:
            self.check_limits(span, 1, 1)
        if event.anchor is not None:
            self.anchors[event.anchor] = None
        self.stack.append(_Open(event, span, tag))

    def alias(self, event: Any) -> tuple[Node, int, int]:
        span = self.source.span(event.start_mark)
        name = event.anchor
        if name not in self.anchors:
            raise yaml.composer.ComposerError(None, None, f"found undefined alias {name!r}", event.start_mark)
        anchored = self.anchors[name]
        if anchored is None:
            raise _RefusedError(
                span,
                f"the alias '*{name}' is inside the value it repeats",
                "an alias repeats a value written out in full before it, never its own container",
            )
        node, size, height = anchored
        if self.in_key():  # a key is where it is written
            return replace(node, key_span=None, span=span), size, height
        self.check_limits(span, size, height)
        return replace(node, key_span=None), size, height

    def close(self, open_: _Open) -> tuple[Node, int, int]:
        items = open_.items
        if open_.merges:
            # PyYAML's order (and YAML's rule): a later '<<' overrides an earlier one, a mapping earlier in a
            # '<<' list overrides one later in it, and the mapping's own keys override them all.
            merged: dict[str, Node] = {}
            for sources in open_.merges:
                for mapping in reversed(sources):
                    merged.update(mapping.value)
            merged.update(items)
            items = merged
        node = Node(items, open_.span, tag=open_.tag)
        if open_.anchor is not None:
            self.anchors[open_.anchor] = (node, open_.size, open_.height)
        return node, open_.size, open_.height

    def attach(self, parent: _Open, node: Node, size: int, height: int) -> None:
        if not parent.is_map:
            parent.items.append(node)
        elif parent.key is None:
            parent.key = node
            return
        else:
            key, parent.key = parent.key, None
            if not self.pair(parent, key, node):
                return
        parent.size += size
        parent.height = max(parent.height, height + 1)

    def pair(self, mapping: _Open, key: Node, value: Node) -> bool:
        """Add one key and its value to a mapping; False when the pair is left out."""
        if not key.is_scalar:
            self.found.error(key.span, "a key must be a plain name, not a list or mapping")
            return False
        if key.tag == MERGE:
            sources = value.value if value.is_list else [value]
            for source in sources:
                if not source.is_map:
                    expected = "a mapping" if value.is_list else "a mapping or list of mappings"
                    raise _RefusedError(
                        source.span,
                        f"invalid YAML: expected {expected} for merging, but found "
                        f"{'sequence' if source.is_list else 'scalar'} (while constructing a "
                        "mapping)",
                        MERGE_HINT,
                    )
            mapping.merges.append(sources)
            return True
        if key.value is None:
            if key.raw:
                self.found.error(
                    key.span,
                    f"a key must be a plain name; '{key.raw}' means null (no value) in YAML",
                    f"quote it if you mean the word: '{key.raw}':",
                )
            else:
                self.found.error(key.span, "a key must be a plain name, not empty", "write the name before the colon")
            return False
        name = key.raw
        first = mapping.items.get(name)
        if first is not None:
            self.found.error(
                key.span,
                f"duplicate key '{name}'",
                f"it is already set on line {first.key_span.line}; keep only one" if first.key_span else None,
            )
            return False
        value.key_span = key.span
        mapping.items[name] = value
        return True


_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.DOTALL)
_ESCAPES = {"0": "\0", "a": "\x07", "b": "\x08", "v": "\x0b", "f": "\x0c", "e": "\x1b", "N": "\x85"}  # the bad ones


def _refused_tag(span: Span, tag: str, fits_not: str | None) -> _RefusedError:
    if fits_not:
        return _RefusedError(span, f"the YAML tag '{tag}' cannot be used on {fits_not}", TAG_HINT)
    return _RefusedError(span, f"the YAML tag '{tag}' is not allowed", TAG_HINT)


def _shorten(text: str, length: int = 40) -> str:
    return text if len(text) <= length else text[:length] + "..."


def _block_indent(event: Any, lines: list[str]) -> int:
    """The indentation of a block scalar's first text line (the line after its | or >)."""
    if event.style not in ("|", ">") or event.start_mark.line + 1 >= len(lines):
        return 0
    line = lines[event.start_mark.line + 1]
    return len(line) - len(line.lstrip(" "))


@dataclass
class MarkdownSource:
    """A Markdown entry split into its front matter and its body."""

    front_matter: Node | None
    body: str
    body_line: int  # the file line on which the body starts


def split_front_matter(text: str, path: Path, diagnostics: Diagnostics) -> MarkdownSource | None:
    """Separate ``---`` front matter from the Markdown body."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        diagnostics.error(
            Span(path, 1, 1),
            "missing front matter",
            "start the file with a line of three dashes (---), the fields, then another ---",
        )
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            yaml_text = "\n".join(lines[1:index])
            front = load_yaml(yaml_text, path, diagnostics, line_offset=1)
            body = "\n".join(lines[index + 1 :])
            return MarkdownSource(front, body, index + 2)
    diagnostics.error(
        Span(path, 1, 1), "front matter never closes", "add a line of three dashes (---) after the last field"
    )
    return None
