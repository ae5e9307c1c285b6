"""Read YAML while keeping the file, line and column of every value.

PyYAML's composer already knows where each node starts; we walk its node tree
ourselves instead of calling ``safe_load`` so that every value keeps its
:class:`Span`, duplicate keys are caught, and alias bombs or absurd nesting
are refused instead of exhausting memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from explainer.diagnostics import Diagnostics, Span

MAX_NODES = 200_000
MAX_DEPTH = 64
NESTING_HINT = "a story needs only a few levels of lists and mappings"
MAX_FILE_BYTES = 8 * 1024 * 1024  # far above any real story file; keeps parsing time bounded


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
ALLOWED_TAGS = {f"tag:yaml.org,2002:{name}" for name in
                ("str", "int", "float", "bool", "null", "timestamp", "value", "seq", "map", "merge")}


class _Refused(Exception):
    def __init__(self, span: Span, message: str, hint: str):
        self.span = span
        self.message = message
        self.hint = hint


def _span(mark: yaml.Mark, path: Path, line_offset: int) -> Span:
    return Span(path, mark.line + 1 + line_offset, mark.column + 1)


def load_yaml(text: str, path: Path, diagnostics: Diagnostics, line_offset: int = 0) -> Node | None:
    """Parse one YAML document; on any problem record it and return None.

    An empty document reads as an empty mapping.

    ``line_offset`` maps lines of an embedded document (front matter) back to
    the lines of the file that holds it.
    """
    loader = None
    try:
        try:
            loader, root = _compose(text, fast=True)
        except yaml.YAMLError:  # parse again to report the problem in the words of PyYAML's own parser
            loader, root = _compose(text, fast=False)
        if root is None:  # an empty document is an empty mapping
            return Node({}, Span(path, 1 + line_offset, 1))
        counter = [0]
        return _convert(root, loader, _Source(path, line_offset, text.split("\n")), 0, counter, diagnostics)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        span = _span(mark, path, line_offset) if mark else Span(path, 1 + line_offset, 1)
        problem = exc.problem or "malformed YAML"
        context = f" ({exc.context})" if exc.context else ""
        hint = "YAML indents with spaces, never tabs" if "\\t" in problem or "\t" in problem else (
            "check the indentation and quoting on this line and the one before it")
        diagnostics.error(span, f"invalid YAML: {problem}{context}", hint)
        return None
    except yaml.YAMLError as exc:
        diagnostics.error(Span(path, 1 + line_offset, 1), f"invalid YAML: {exc}")
        return None
    except _Refused as exc:
        diagnostics.error(exc.span, exc.message, exc.hint)
        return None
    except RecursionError:
        diagnostics.error(Span(path, 1 + line_offset, 1), "YAML is nested too deeply to read", NESTING_HINT)
        return None
    finally:
        if loader is not None:
            loader.dispose()


def _compose(text: str, fast: bool) -> tuple[Any, yaml.Node | None]:
    """The node tree, from libyaml when asked and PyYAML has it (ten times faster), else PyYAML's parser."""
    loader = (yaml.CSafeLoader if fast and yaml.__with_libyaml__ else yaml.SafeLoader)(text)
    try:
        return loader, loader.get_single_node()
    except BaseException:
        loader.dispose()
        raise


@dataclass
class _Source:
    path: Path
    line_offset: int
    lines: list[str]


def _convert(node: yaml.Node, loader: yaml.SafeLoader, source: _Source, depth: int,
             counter: list[int], diagnostics: Diagnostics) -> Node:
    path, line_offset = source.path, source.line_offset
    span = _span(node.start_mark, path, line_offset)
    if node.tag not in ALLOWED_TAGS:
        raise _Refused(span, f"the YAML tag '{node.tag}' is not allowed",
                       "remove the tag; values are plain text, numbers, lists and mappings")
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise _Refused(span, f"YAML document is too large (more than {MAX_NODES:,} values, counting aliases)",
                       "write the value out in full instead of using anchors and aliases")
    if depth > MAX_DEPTH:
        raise _Refused(span, f"YAML is nested more than {MAX_DEPTH} levels deep", NESTING_HINT)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolves "<<" merge keys
        mapping: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key_span = _span(key_node.start_mark, path, line_offset)
            if not isinstance(key_node, yaml.ScalarNode):
                diagnostics.error(key_span, "a key must be a plain name, not a list or mapping")
                continue
            key = key_node.value
            if key in mapping:
                first = mapping[key].key_span
                diagnostics.error(key_span, f"duplicate key '{key}'",
                                  f"it is already set on line {first.line}; keep only one" if first else None)
                continue
            child = _convert(value_node, loader, source, depth + 1, counter, diagnostics)
            child.key_span = key_span
            mapping[key] = child
        return Node(mapping, span, tag=node.tag)
    if isinstance(node, yaml.SequenceNode):
        items = [_convert(item, loader, source, depth + 1, counter, diagnostics) for item in node.value]
        return Node(items, span, tag=node.tag)
    if node.tag.endswith((":timestamp", ":value")):
        value = node.value  # dates are parsed from the text, keeping their precision
    else:
        value = loader.construct_object(node)
    return Node(value, span, raw=node.value, tag=node.tag, indent=_block_indent(node, source.lines))


def _block_indent(node: yaml.ScalarNode, lines: list[str]) -> int:
    """The indentation of a block scalar's first text line (the line after its | or >)."""
    if node.style not in ("|", ">") or node.start_mark.line + 1 >= len(lines):
        return 0
    line = lines[node.start_mark.line + 1]
    return len(line) - len(line.lstrip(" "))


@dataclass
class MarkdownSource:
    """A Markdown entry split into its front matter and its body."""

    front_matter: Node | None
    body: str
    body_line: int  # the file line on which the body starts


def read_text(path: Path, diagnostics: Diagnostics) -> str | None:
    """Read a UTF-8 file with normalised newlines, reporting where decoding fails."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            diagnostics.error(Span(path), f"file is too large ({size / 1048576:.1f} MiB; the limit is "
                              f"{MAX_FILE_BYTES // 1048576} MiB)", "split it into smaller files")
            return None
        data = path.read_bytes()
    except OSError as exc:
        diagnostics.error(Span(path), f"cannot read the file: {exc.strerror or exc}",
                          "check that it exists and that you may read it")
        return None
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        diagnostics.error(Span(path, line, 1), "file contains a NUL byte: it is not a text file",
                          "save it as plain UTF-8 text")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        diagnostics.error(Span(path, line, column), "file is not valid UTF-8 text",
                          "save the file as UTF-8 in your editor")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_front_matter(text: str, path: Path, diagnostics: Diagnostics) -> MarkdownSource | None:
    """Separate ``---`` front matter from the Markdown body."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        diagnostics.error(Span(path, 1, 1), "missing front matter",
                          "start the file with a line of three dashes (---), the fields, then another ---")
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            yaml_text = "\n".join(lines[1:index])
            front = load_yaml(yaml_text, path, diagnostics, line_offset=1)
            body = "\n".join(lines[index + 1:])
            return MarkdownSource(front, body, index + 2)
    diagnostics.error(Span(path, 1, 1), "front matter never closes",
                      "add a line of three dashes (---) after the last field")
    return None
