"""Add to writers' files in place: `explainer new update` and `explainer correct`.

An update or a correction is appended as text, so every other byte of the
file (comments, quoting, order) stays as the writer left it. The new text is
read back before it is written and the project is read again after: a file
that would not read as the old data plus exactly the new item is refused, or
put back as it was.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from explainer.diagnostics import Diagnostic, Diagnostics, Span, UsageError, display_path
from explainer.linker import Linked, Resolver, link
from explainer.model import KINDS
from explainer.reader import CONTENT_DIR, UPDATES_FILE, Content, read_project
from explainer.scaffold import clean_line, describe_os_error, quote_yaml, write_atomic
from explainer.yamlsource import Node, load_yaml, read_text, split_front_matter


@dataclass(frozen=True)
class Written:
    """What `new update` or `correct` added, and where: the first line of it in the file."""

    path: Path
    line: int
    text: str  # the lines added, as they read in the file

    def report(self, what: str) -> str:
        shown = "\n".join("  " + line for line in self.text.rstrip("\n").split("\n"))
        return f"{display_path(self.path)}:{self.line}: added {what}:\n{shown}"


class _Refused(Exception):
    """A file this command cannot safely add to: where, what is wrong, what to do."""

    def __init__(self, span: Span, message: str, hint: str | None = None):
        super().__init__(message)
        self.span, self.message, self.hint = span, message, hint


class _Text:
    """A file's text, split into lines that keep their own line endings, for edits that change nothing else."""

    def __init__(self, path: Path, data: bytes):
        self.path = path
        self.data = data
        self.bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
        self.text = data[len(self.bom) :].decode("utf-8")
        self.lines: list[str] = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z", self.text)
        ending = re.search(r"\r\n|\r|\n", self.text)
        self.newline = ending.group() if ending else "\n"

    @property
    def normalised(self) -> str:
        """The text as the reader sees it."""
        return self.text.replace("\r\n", "\n").replace("\r", "\n")

    def line(self, number: int) -> str:
        """Line ``number`` (from 1) without its line ending; empty past the end."""
        return self.lines[number - 1].rstrip("\r\n") if 0 < number <= len(self.lines) else ""

    def offset(self, line: int, column: int = 1) -> int:
        """The index in the text of a line and column (from 1); past the last line: the end."""
        return sum(len(text) for text in self.lines[: line - 1]) + column - 1

    def char(self, span: Span) -> str:
        return self.line(span.line)[span.column - 1 : span.column]

    def insert_lines(self, line: int, block: str) -> tuple[str, int]:
        """The text with ``block`` (lines ending in \\n) put before ``line``, and the line it starts on."""
        at = self.offset(line) if line <= len(self.lines) else len(self.text)
        before = self.text[:at]
        if before and not before.endswith(("\n", "\r")):
            before += self.newline  # a last line without a line ending gets one
        return before + block.replace("\n", self.newline) + self.text[at:], min(line, len(self.lines) + 1)

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode("utf-8")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block_end(text: _Text, first: int, end: int, indent: int) -> int:
    """The line after the last line of a block that starts on ``first`` and ends before ``end``.

    Trailing blank lines, and comments indented less than the block's own
    lines (``indent``), belong to what follows it, so new lines go above them.
    """
    while end > first + 1:
        line = text.line(end - 1)
        if line.strip() and not (line.lstrip().startswith("#") and _indent(line) < indent):
            break
        end -= 1
    return end


def _block_item(pairs: list[tuple[str, str]], dash: int, key: int) -> str:
    """A mapping as a block list item, its dash at column ``dash`` and its keys at ``key`` (from 0)."""
    key = max(key, dash + 2)
    lines = [" " * dash + "-" + " " * (key - dash - 1) + f"{pairs[0][0]}: {pairs[0][1]}"]
    lines += [" " * key + f"{name}: {value}" for name, value in pairs[1:]]
    return "\n".join(lines) + "\n"


def _flow_item(values: dict[str, str]) -> str:
    """A mapping written inside [...]: every value double-quoted (JSON strings are YAML ones)."""
    return "{" + ", ".join(f"{name}: {json.dumps(value, ensure_ascii=False)}" for name, value in values.items()) + "}"


def _flow_end(yaml_text: str, line_offset: int, node: Node) -> Span:
    """Where the ] closing the flow list that starts at ``node`` is."""
    depth = -1
    for event in yaml.parse(yaml_text, Loader=yaml.SafeLoader):
        mark = event.start_mark
        if mark is None:
            continue
        if depth < 0:
            if isinstance(event, yaml.SequenceStartEvent) and (
                mark.line + 1 + line_offset,
                mark.column + 1,
            ) == (node.span.line, node.span.column):
                depth = 0
            continue
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            if depth == 0:
                return Span(node.span.path, mark.line + 1 + line_offset, mark.column + 1)
            depth -= 1
    raise _Refused(node.span, "cannot find where this [...] list ends")


def _append_item(
    text: _Text,
    node: Node,
    values: dict[str, str],
    block_values: list[tuple[str, str]],
    end: int,
    yaml_text: str,
    line_offset: int,
    empty_indent: int,
) -> tuple[str, int, str]:
    """The text with one item appended to the list ``node``; the line it starts on; the lines added.

    ``end`` is the line after the list's last possible line; ``empty_indent`` the column (from 0) of
    the dash when a ``[]`` becomes a block list.
    """
    if text.char(node.span) != "[":  # a block list: one more item after the last
        dash = node.span.column - 1
        first = node.value[0] if node.value else None
        key = first.span.column - 1 if first is not None and first.span.line == node.span.line else dash + 2
        block = _block_item(block_values, dash, key)
        new, line = text.insert_lines(_block_end(text, node.span.line, end, dash), block)
        return new, line, block
    close = _flow_end(yaml_text, line_offset, node)
    start_at, close_at = text.offset(node.span.line, node.span.column), text.offset(close.line, close.column)
    if node.value:  # [a, b] -> [a, b, {new}]
        inside = text.text[start_at + 1 : close_at].rstrip()
        added = ("" if inside.endswith(",") else ", ") + _flow_item(values)
        return text.text[:close_at] + added + text.text[close_at:], close.line, added
    # [] -> a block list on the lines after it
    number = node.span.line
    line_start, whole = text.offset(number), text.lines[number - 1]
    content = text.line(number)
    ending = whole[len(content) :] or text.newline
    column, close_column = node.span.column - 1, close.column - 1
    rest = (content[:column].rstrip(" ") + content[close_column + 1 :]).rstrip(" ")
    block = _block_item(block_values, empty_indent, empty_indent + 2).replace("\n", text.newline)
    after = text.text[line_start + len(whole) :]
    if close.line != number:
        raise _Refused(node.span, "this empty list [ ] spans several lines", "write it as [] on one line")
    if not rest.strip():  # the [] stood alone on its line: the block takes its place
        return text.text[:line_start] + block + after, number, block
    return text.text[:line_start] + rest + ending + block + after, number + 1, block


def _refuse(action: str, problem: _Refused | Diagnostic) -> UsageError:
    text = f"cannot {action}: {problem.span.display()}: {problem.message}; nothing was written"
    return UsageError(text + (f"\n  hint: {problem.hint}" if problem.hint else ""))


def _read_for_edit(path: Path, action: str, project: Path) -> tuple[_Text, Node]:
    """A YAML file's text and what it reads as; refuse a file the build could not read either.

    A link out of the project is refused before anything is written through it: the build would not read it."""
    if not path.resolve().is_relative_to(project.resolve()):
        raise _Refused(
            Span(path), "this file links to a place outside the project", "copy the file into the project instead"
        )
    diagnostics = Diagnostics()
    text = read_text(path, diagnostics)
    node = load_yaml(text, path, diagnostics) if text is not None else None
    if text is None or node is None:
        raise _refuse(action, diagnostics.errors[0])
    return _Text(path, path.read_bytes()), node


def _reparse(data: bytes, path: Path) -> Node | None:
    text = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    return load_yaml(text, path, Diagnostics())


def _content_dir(project: Path) -> Path:
    content_dir = project / CONTENT_DIR
    if not content_dir.is_dir():
        raise UsageError(f"{display_path(project)} has no content/ folder: run explainer init first, or pass --project")
    return content_dir


Problem = tuple[str, str | None]  # a message and a hint


def _write_checked(path: Path, old: bytes | None, new: bytes, action: str, check: Callable[[], Problem | None]) -> None:
    """Write ``new`` to ``path``, then read the project again; put the old bytes back if it does not read as meant.

    A file this user may not write is refused: replacing it would change its owner and break its hard links."""
    if old is not None and not os.access(path, os.W_OK):
        raise UsageError(f"cannot {action}: you may not write {display_path(path)}\n  hint: check its permissions")
    write_atomic(path, new, overwrite=old is not None, exists=f"{display_path(path)} appeared meanwhile; try again")
    try:
        problem = check()
    except BaseException:
        _restore(path, old)
        raise
    if problem is not None:
        _restore(path, old)
        message, hint = problem
        raise UsageError(
            f"cannot {action}: {message}; the file was left as it was" + (f"\n  hint: {hint}" if hint else "")
        )


def _restore(path: Path, old: bytes | None) -> None:
    if old is None:
        path.unlink(missing_ok=True)
    else:
        write_atomic(path, old, overwrite=True)


def _new_problems(project: Path, path: Path, first: int, count: int) -> tuple[Linked, Problem | None]:
    """The project read and linked again, and the first error within the ``count`` lines added at ``first``."""
    diagnostics = Diagnostics()
    content = read_project(project, diagnostics)
    linked = link(content, diagnostics)
    for problem in diagnostics.errors:
        if os.path.realpath(problem.span.path) == os.path.realpath(path) and first <= problem.span.line < first + count:
            return linked, (problem.message, problem.hint)
    return linked, None


# --- explainer new update ------------------------------------------------------


def new_update(project: Path, summary: str, now: datetime | None = None) -> Written:
    """Append an update dated now (to the minute, with the UTC offset) to ``content/updates.yml``."""
    summary = clean_line(
        summary, "summary", 'explainer new update "The council voted to close the bridge."', plural="summaries"
    )
    content_dir = _content_dir(project)
    path = content_dir / UPDATES_FILE
    action = "add the update"
    stamp = (now or datetime.now()).astimezone().isoformat(timespec="minutes")
    values = {"date": stamp, "summary": summary}
    block_values = [("date", stamp), ("summary", quote_yaml(summary))]
    try:
        if not os.path.lexists(path):
            old = None
            block = _block_item(block_values, 0, 2)
            new, line = block.encode("utf-8"), 1
            items: list[Any] = []
        else:
            text, root = _read_for_edit(path, action, project)
            old = text.data
            if root.is_map and not root.value and text.char(root.span) != "{":  # empty, or only comments
                added, line = text.insert_lines(len(text.lines) + 1, _block_item(block_values, 0, 2))
                block, items = _block_item(block_values, 0, 2), []
            elif root.is_list:
                added, line, block = _append_item(
                    text, root, values, block_values, len(text.lines) + 1, text.normalised, 0, 0
                )
                items = root.plain()
            else:
                raise _Refused(
                    root.span,
                    f"{UPDATES_FILE} is not a list of updates",
                    "write each update as an item that starts with '- date: ...' at the beginning of a line",
                )
            new = text.encode(added)
        reread = _reparse(new, path)
        if reread is None or not reread.is_list or reread.plain() != [*items, values]:
            raise _Refused(Span(path), f"adding an update would not leave {UPDATES_FILE} a readable list", _BY_HAND)

        def check() -> Problem | None:
            linked, problem = _new_problems(project, path, line, block.count("\n") or 1)
            updates = sorted(linked.content.updates, key=lambda update: update.order)
            if problem is None and not (updates and updates[-1].summary.text == summary):
                problem = (f"{display_path(path)} does not read back with the new update last", _BY_HAND)
            return problem

        path.parent.mkdir(exist_ok=True)
        _write_checked(path, old, new, action, check)
    except _Refused as refused:
        raise _refuse(action, refused) from None
    except OSError as exc:
        raise UsageError(f"cannot {action}: {describe_os_error(exc, path)}; nothing was written") from None
    return Written(path, line, block)


_BY_HAND = "add it by hand, as the format documentation shows"


# --- explainer correct ------------------------------------------------------------


def correct_entry(project: Path, target: str, text: str, today: date | None = None) -> Written:
    """Append a correction dated today to the story or to one entry, changing nothing else in its file."""
    text = clean_line(text, "correction", 'explainer correct people/jordan-lee "Jordan Lee is 54, not 45."')
    target = target.strip()
    content_dir = _content_dir(project)
    action = f"correct {target or 'the entry'}"
    when = (today or date.today()).isoformat()
    values = {"date": when, "text": text}
    block_values = [("date", when), ("text", quote_yaml(text))]
    content = read_project(project, Diagnostics())
    path, index = _where(content, content_dir, target)
    try:
        file_text = _Text(path, path.read_bytes())
        if index is None:
            new, line, block = _correct_markdown(file_text, values, block_values)
        else:
            new, line, block = _correct_list_item(file_text, index, values, block_values)
        data = file_text.encode(new)
        key = target if target == "story" else _entry_at(content, path, index)

        def check() -> Problem | None:
            linked, problem = _new_problems(project, path, line, block.count("\n") or 1)
            story = linked.content.story
            found = (
                story
                if key == "story"
                else next((e for e in linked.content.all_entries() if e.key == key and e.span.path == path), None)
            )
            if problem is None and not (found and found.corrections and found.corrections[-1].text.text == text):
                problem = (f"{display_path(path)} does not read back with the new correction last", _BY_HAND)
            return problem

        _write_checked(path, file_text.data, data, action, check)
    except _Refused as refused:
        raise _refuse(action, refused) from None
    except OSError as exc:
        raise UsageError(f"cannot {action}: {describe_os_error(exc, path)}; nothing was written") from None
    return Written(path, line, block)


def _entry_at(content: Content, path: Path, index: int | None) -> str:
    for entry in content.all_entries():
        if entry.span.path == path and (index is None or entry.order[1] == index):
            return str(entry.key)
    return ""


def _where(content: Content, content_dir: Path, target: str) -> tuple[Path, int | None]:
    """The file that holds ``target`` and, in a YAML list, the item's index; refuse an unknown target."""
    if target == "story":
        path = content_dir / "story.md"
        if content.story is None:
            raise UsageError(
                f"cannot correct the story: {display_path(path)} does not read; run explainer check to see why"
            )
        return path, None
    entries = content.all_entries()
    kind, _, slug = target.partition("/")
    singular = {k.singular: name for name, k in KINDS.items()}
    collection = singular.get(kind, kind)
    if not slug:
        keys = sorted(e.key for e in entries if e.slug == target)
        hint = f"write it as {' or '.join(keys)}" if keys else "write it as kind/slug, e.g. people/jordan-lee, or story"
        raise UsageError(f"cannot correct '{target}': say which entry, as kind/slug\n  hint: {hint}")
    key = f"{collection}/{slug}"
    found = [e for e in entries if e.key == key]
    if len(found) > 1:
        places = " and ".join(e.span.display() for e in found)
        raise UsageError(f"cannot correct {key}: it is defined twice, at {places}\n  hint: keep only one of them")
    if not found:
        if key in content.unreadable or collection in content.unreadable:
            raise UsageError(f"cannot correct {key}: its file does not read; run explainer check to see why")
        _entry, message, advice = Resolver(entries, content.unreadable).by_kind_slug(key)
        if collection in KINDS and message and message.startswith("unknown"):
            slugs = sorted(e.slug for e in entries if e.collection == collection)
            close = difflib.get_close_matches(slug, slugs, n=3) or [s for s in slugs if slug and s.startswith(slug)][:3]
            advice = "did you mean " + " or ".join(f"{collection}/{c}" for c in close) + "?" if close else advice
        raise UsageError(
            f"cannot correct {target}: {message or 'no such entry'}" + (f"\n  hint: {advice}" if advice else "")
        )
    entry = found[0]
    return entry.span.path, (entry.order[1] if entry.span.path.suffix != ".md" else None)


def _correct_markdown(text: _Text, values: dict[str, str], block_values: list[tuple[str, str]]) -> tuple[str, int, str]:
    """Add the correction to a Markdown file's front matter."""
    normalised = text.normalised
    lines = normalised.split("\n")
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    source = split_front_matter(normalised, text.path, Diagnostics())
    if closing is None or source is None or source.front_matter is None or not source.front_matter.is_map:
        raise _Refused(Span(text.path), "the front matter does not read", "run explainer check to see why")
    yaml_text = "\n".join(lines[1:closing])
    mapping = source.front_matter
    indent = mapping.span.column - 1 if mapping.value else 0
    new, line, block = _add_correction(text, mapping, closing + 1, indent, yaml_text, 1, values, block_values)
    reread = split_front_matter(new.replace("\r\n", "\n").replace("\r", "\n"), text.path, Diagnostics())
    expected = _with_correction(mapping, values)
    if reread is None or reread.front_matter is None or reread.front_matter.plain() != expected:
        raise _Refused(mapping.span, "adding a correction here would change more than the corrections", _BY_HAND)
    if reread.body != source.body:
        raise _Refused(mapping.span, "adding a correction here would change the body", _BY_HAND)
    return new, line, block


def _correct_list_item(
    text: _Text, index: int, values: dict[str, str], block_values: list[tuple[str, str]]
) -> tuple[str, int, str]:
    """Add the correction to item ``index`` of a YAML list file."""
    root = load_yaml(text.normalised, text.path, Diagnostics())
    if root is None or not root.is_list or index >= len(root.value):
        raise _Refused(Span(text.path), "the file does not read as a list", "run explainer check to see why")
    item = root.value[index]
    if text.char(item.span) == "{":
        raise _Refused(
            item.span,
            "this entry is written as {...} on one line, which a correction cannot be added to",
            "write its fields one per line, or add the correction by hand",
        )
    end = len(text.lines) + 1
    if index + 1 < len(root.value):
        end = root.value[index + 1].span.line
        if text.line(end - 1).strip() == "-":  # the next item's mapping starts on the line after its dash
            end -= 1
    new, line, block = _add_correction(text, item, end, item.span.column - 1, text.normalised, 0, values, block_values)
    reread = _reparse(text.encode(new), text.path)
    expected = root.plain()
    expected[index] = _with_correction(item, values)
    if reread is None or reread.plain() != expected:
        raise _Refused(item.span, "adding a correction here would change more than the corrections", _BY_HAND)
    return new, line, block


def _with_correction(mapping: Node, values: dict[str, str]) -> dict[str, Any]:
    expected = mapping.plain()
    earlier = expected.get("corrections") or []
    expected["corrections"] = [*earlier, values]
    return expected


def _add_correction(
    text: _Text,
    mapping: Node,
    end: int,
    indent: int,
    yaml_text: str,
    line_offset: int,
    values: dict[str, str],
    block_values: list[tuple[str, str]],
) -> tuple[str, int, str]:
    """The text with the correction added to ``mapping`` (whose keys are at column ``indent``, from 0)."""
    node = mapping.value.get("corrections")
    if node is None:  # a new corrections: block after the last field
        block = " " * indent + "corrections:\n" + _block_item(block_values, indent + 2, indent + 4)
        new, line = text.insert_lines(_block_end(text, mapping.span.line, end, indent), block)
        return new, line, block
    key_line = node.key_span.line if node.key_span else node.span.line
    after = [n.key_span.line for n in mapping.value.values() if n.key_span and n.key_span.line > key_line]
    value_end = min(after, default=end)
    if node.is_list:
        return _append_item(text, node, values, block_values, value_end, yaml_text, line_offset, indent + 2)
    if node.is_scalar and node.value is None and not node.raw:  # "corrections:" with nothing after it
        block = _block_item(block_values, indent + 2, indent + 4)
        new, line = text.insert_lines(key_line + 1, block)
        return new, line, block
    raise _Refused(
        node.span,
        "'corrections' is not a list",
        "write it as a list of items, each '- date: YYYY-MM-DD' and 'text: ...'",
    )
