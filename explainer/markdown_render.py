"""Markdown bodies to HTML, with ``[[wikilinks]]`` and safe defaults.

Bodies are converted once, with internal links written as ``xref:`` markers;
:func:`explainer.urls.resolve_xrefs` turns the markers into relative URLs for
each page the HTML lands on, so the costly conversion is never repeated.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
import xml.etree.ElementTree as etree
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from html.entities import html5
from typing import Any
from urllib.parse import unquote

import markdown
from markdown import treeprocessors
from markdown.blockprocessors import BlockProcessor
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.smarty import SmartyExtension
from markdown.extensions.tables import TableExtension
from markdown.inlinepatterns import InlineProcessor, LinkInlineProcessor
from markdown.serializers import _escape_attrib_html  # type: ignore[attr-defined]  # how it writes attributes
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE, AtomicString

from explainer.linker import (
    BACKTICKS,
    WIKILINK,
    blank_code_spans,
    code_lines,
    normalise_name,
    split_wikilink,
)
from explainer.model import Entry, Person
from explainer.typography import Typographer, smarty_config
from explainer.urls import XREF

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})  # anything else (javascript:, data:...) is dropped
# attributes whose value a browser follows or loads; Python-Markdown itself writes only href and src
URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "action",
        "formaction",
        "xlink:href",
        "srcset",
        "poster",
        "cite",
        "background",
        "data",
        "longdesc",
        "usemap",
        "ping",
        "manifest",
        "codebase",
        "lowsrc",
        "dynsrc",
        "icon",
        "profile",
        "archive",
        "classid",
    }
)
SCHEME = re.compile(r"^([^:/?#]*):")  # a colon before any / ? or # ends a scheme; otherwise the URL is relative
CONTROL = re.compile(r"[\x00-\x20\x7f]+")  # browsers ignore these around (tab, newline: also inside) a URL
CONTROL_INSIDE = re.compile(r"[\x00-\x1f\x7f]+")  # never meaningful inside a URL; \x02 and \x03 are Markdown's
CHARREF = re.compile(r"&(?:#[xX]([0-9a-fA-F]+);?|#([0-9]+);?|([A-Za-z][A-Za-z0-9]*)(;?))")
LEGACY_NAMES = frozenset(name for name in html5 if not name.endswith(";"))  # valid without their ';'


class WikiLinkProcessor(InlineProcessor):
    """Turns ``[[target|text]]`` into a link to the entry the linker resolved."""

    def __init__(self, targets: dict[str, Entry]):
        super().__init__(WIKILINK.pattern)
        self.targets = targets

    def handleMatch(  # type: ignore[override]  # noqa: N802 - Python-Markdown's name and signature
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | None, int | None, int | None]:
        target, shown = split_wikilink(m.group(1))
        entry = self.targets.get(target)
        if entry is None:
            return None, None, None  # leave the text as written
        element = etree.Element("a", {"href": f"{XREF}{entry.path}", "class": "wikilink"})
        element.text = shown or _default_text(target, entry)
        return element, m.start(0), m.end(0)


def _default_text(target: str, entry: Entry) -> str:
    """Keep a name or alias as the writer wrote it; show the title for a slug."""
    names = [entry.title, *(entry.aliases if isinstance(entry, Person) else [])]
    if any(normalise_name(target) == normalise_name(name) for name in names):
        return target
    return entry.title


def decode_attribute(value: str) -> str:
    """An attribute value as a browser reads it: character references decoded by the HTML spec's rules.

    Unlike text, an attribute keeps a semicolon-less named reference followed by a letter, digit or
    ``=`` (``?a=1&not=2``) as written; numeric references decode with or without their ``;``.
    """

    def one(match: re.Match) -> str:
        name, semicolon = match.group(3), match.group(4)
        if name is None or (semicolon and name + ";" in html5):
            return html.unescape(match.group(0))
        prefix = next((name[:n] for n in range(min(len(name), 6), 1, -1) if name[:n] in LEGACY_NAMES), None)
        following = value[match.end() : match.end() + 1]
        if prefix is None or prefix != name or (not semicolon and following == "="):
            return match.group(0)
        return html5[prefix] + semicolon

    return CHARREF.sub(one, value)


def url_is_safe(value: str) -> bool:
    """Whether a URL is http(s), mailto, tel or relative however a browser might read it.

    Every reading is checked (entities decoded as in an attribute and as in text, with and without
    percent-decoding), with the whitespace and control characters browsers skip removed.
    """
    readings = {decode_attribute(value), html.unescape(value)}
    for reading in readings | {unquote(reading) for reading in readings}:
        scheme = SCHEME.match(CONTROL.sub("", reading))
        if scheme is not None and scheme.group(1).lower() not in SAFE_SCHEMES:
            return False
    return True


def _as_written(value: str) -> str:
    """What a browser will read from ``value`` once Python-Markdown has serialised it."""
    return decode_attribute(_escape_attrib_html(value).replace(AMP_SUBSTITUTE, "&"))


def _escaped(url: str) -> str:
    """``url`` for an attribute, so that the browser reads exactly ``url`` (every ``&`` written as ``&amp;``)."""
    return CONTROL_INSIDE.sub("", url).replace("&", AMP_SUBSTITUTE + "amp;")


class SafetyProcessor(Treeprocessor):
    """Drops URLs with schemes such as ``javascript:``, judged on the value the browser will read.

    Python-Markdown keeps character references (``java&#115;cript:``) in attributes and the browser
    decodes them, so the check runs on the decoded value; a value whose serialised form would read
    differently is rewritten as the decoded value it was checked as. Event handler attributes go too.
    """

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for attribute in list(element.attrib):
                if attribute.lower().startswith("on"):
                    del element.attrib[attribute]
                elif attribute.lower() in URL_ATTRIBUTES:
                    self._check(element, attribute)

    @staticmethod
    def _check(element: etree.Element, attribute: str) -> None:
        raw = element.get(attribute) or ""
        if attribute == "href" and raw.startswith(XREF) and element.get("class") == "wikilink":
            return  # made by WikiLinkProcessor from an entry's own URL
        value = decode_attribute(raw.replace(AMP_SUBSTITUTE, "&"))
        if not url_is_safe(value) or not url_is_safe(_as_written(raw)):
            del element.attrib[attribute]
        elif _as_written(raw) != value:
            element.set(attribute, _escaped(value))


class HeadingProcessor(Treeprocessor):
    """Bodies sit under the page's own h1 and h2, so their headings start at h3."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if len(element.tag) == 2 and element.tag[0] == "h" and element.tag[1].isdigit():
                element.tag = f"h{min(6, max(3, int(element.tag[1]) + 1))}"


# What a text must hold (one of these strings, at or after the position searched from) for a stock inline
# pattern's expression to match, by the expression's source; an expression not listed is always searched. The
# code span's expression starts with a look-behind, so the regex engine tries it at every character (some 90 µs
# for a paragraph with no backtick in it); looking for the character first takes well under one.
_NEEDED: dict[str, tuple[str, ...]] = {
    r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)": ("`",),  # a code span (an escaped backslash before one too)
    r"(?<!\!)\[": ("[",),  # a link or reference
    r"\!\[": ("![",),  # an image
    r"\*|_": ("*", "_"),  # emphasis
}


def bracketed_text(data: str, index: int) -> tuple[str, int, bool]:
    """What Python-Markdown's ``LinkInlineProcessor.getText`` gives (the text up to the ``]`` closing a ``[``
    opened just before ``index``, the index after it, and whether one was found), by searching for brackets
    instead of stepping through every character in Python: every link, image and reference pattern calls it
    wherever a ``[`` is."""
    if index >= len(data):
        return "", index, False
    depth, position = 1, index
    while True:
        closing = data.find("]", position)
        opening = data.find("[", position, len(data) if closing == -1 else closing)
        if opening != -1:
            depth, position = depth + 1, opening + 1
        elif closing == -1:
            return data[index:], len(data), False
        else:
            depth, position = depth - 1, closing + 1
            if depth == 0:
                return data[index:closing], position, True


class LinearInlineProcessor(treeprocessors.InlineProcessor):
    """Python-Markdown's inline stage, minus the costs that grow with the square of a body's size.

    The stock ``run`` finds each child's place with ``list(parent).index(child)`` and pops its work
    queue from the front of a list: a list of 20,000 items took 17 s. This is the same loop (same
    order, same output) with the position counted and a deque, and patterns tried only where their
    expression matches; the stock helpers do the work.
    """

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        self.stashed_nodes = {}
        self._patterns: list[Any] = list(self.inlinePatterns)
        self._expressions = [pattern.getCompiledRegExp() for pattern in self._patterns]
        self._needed = [_NEEDED.get(expression.pattern) for expression in self._expressions]
        tree_parents = [] if ancestors is None else ancestors[:]
        self.parent_map = {child: parent for parent in tree.iter() for child in parent}
        stack = deque([(tree, tree_parents)])
        self._InlineProcessor__build_ancestors(tree, tree_parents)  # type: ignore[attr-defined]
        while stack:
            element, parents = stack.popleft()
            self.ancestors = parents
            if element is not tree:
                self.ancestors.append(element.tag.lower())
            inserts = []
            index = 0
            while index < len(element):  # by position: children inserted after this one are visited too
                child = element[index]
                if child.text and not isinstance(child.text, AtomicString):
                    inserts.append((child, self._inline_text(child, child.text, stack)))
                if child.tail:
                    self._inline_tail(element, child, child.tail, index)
                if len(child):
                    self.parent_map[child] = element
                    stack.append((child, self.ancestors[:]))
                index += 1
            for child, results in inserts:
                for position, (new_child, _ancestors) in enumerate(results):
                    child.insert(position, new_child)
        return tree

    def _InlineProcessor__handleInline(self, data: str, pattern_index: int = 0) -> str:  # noqa: N802
        """The stock loop over the patterns, trying a pattern only where its expression can match.

        The stock loop calls every pattern on every text (some 3 µs each even when nothing matches,
        so 50 µs for a one-letter table cell); one regex search finds that "nothing" far sooner, and a look for the
        character the pattern needs (:data:`_NEEDED`) sooner still.
        """
        if isinstance(data, AtomicString):
            return data
        start = 0
        while pattern_index < len(self._patterns):
            pattern = self._patterns[pattern_index]
            if isinstance(pattern, InlineProcessor) and (
                (needed := self._needed[pattern_index]) is not None
                and all(data.find(text, start) < 0 for text in needed)
                or self._expressions[pattern_index].search(data, start) is None
            ):
                pattern_index, start = pattern_index + 1, 0  # what the stock __applyPattern returns on no match
                continue
            data, matched, start = self._InlineProcessor__applyPattern(  # type: ignore[attr-defined]
                pattern, data, pattern_index, start
            )
            if not matched:
                pattern_index += 1
        return data

    def _inline_text(self, child: etree.Element, text: str, stack: deque) -> list:
        self.ancestors.append(child.tag.lower())
        child.text = None
        results = self._InlineProcessor__processPlaceholders(  # type: ignore[attr-defined]
            self._InlineProcessor__handleInline(text), child
        )
        for new_child, _ancestors in results:
            self.parent_map[new_child] = child
        stack.extend(results)
        self.ancestors.pop()
        return results

    def _inline_tail(self, element: etree.Element, child: etree.Element, tail: str, index: int) -> None:
        holder = etree.Element("d")
        child.tail = None
        results = self._InlineProcessor__processPlaceholders(  # type: ignore[attr-defined]
            self._InlineProcessor__handleInline(tail), holder, False
        )
        if holder.tail:
            child.tail = holder.tail
        for new_child, _ancestors in reversed(results):
            self.parent_map[new_child] = element
            element.insert(index + 1, new_child)

    @classmethod
    def replace(cls, md: markdown.Markdown) -> None:
        """Swap the stock inline stages ("inline" at 20, and the smarty extension's at 6 if
        :class:`~explainer.typography.Typographer` left it) for this one."""
        if not all(
            hasattr(treeprocessors.InlineProcessor, f"_InlineProcessor__{name}")
            for name in ("handleInline", "applyPattern", "processPlaceholders", "build_ancestors")
        ):
            return  # a Python-Markdown whose internals differ: keep its own (slower) stage
        for name, priority in (("inline", 20), ("smarty", 6)):
            if name in md.treeprocessors:
                stock = md.treeprocessors[name]
                linear = cls(md)
                linear.inlinePatterns = stock.inlinePatterns  # type: ignore[attr-defined]
                md.treeprocessors.register(linear, name, priority)


class BlockQueue:
    """The block parser's list of blocks still to parse, stored back to front.

    Block processors take the first block with ``pop(0)`` and put text back with ``insert(0, ...)``;
    on a list each costs time in proportion to the blocks behind it, so a body of 100,000 short
    paragraphs spent seconds moving memory. Stored reversed, both are O(1); other indices still work.
    """

    def __init__(self, blocks: list[str]):
        self._reversed = blocks[::-1]

    def __len__(self) -> int:
        return len(self._reversed)

    def __iter__(self) -> Iterator[str]:
        return reversed(self._reversed)

    def _position(self, index: int) -> int:
        size = len(self._reversed)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError("block index out of range")
        return size - 1 - index

    def __getitem__(self, index: int) -> str:
        return self._reversed[-1] if index == 0 and self._reversed else self._reversed[self._position(index)]

    def __setitem__(self, index: int, block: str) -> None:
        self._reversed[self._position(index)] = block

    def pop(self, index: int = -1) -> str:
        return self._reversed.pop() if index == 0 and self._reversed else self._reversed.pop(self._position(index))

    def insert(self, index: int, block: str) -> None:
        if index == 0:
            self._reversed.append(block)
            return
        size = len(self._reversed)
        index = max(0, min(size, index + size if index < 0 else index))
        self._reversed.insert(size - index, block)

    @staticmethod
    def install(md: markdown.Markdown) -> None:
        """Make the parser split every chunk into a queue (its stock ``parseChunk`` makes a list)."""
        parser = md.parser

        def parse_chunk(parent: etree.Element, text: str) -> None:
            parser.parseBlocks(parent, BlockQueue(text.split("\n\n")))  # type: ignore[arg-type]  # list-like

        parser.parseChunk = parse_chunk  # type: ignore[method-assign]


# --- Bodies Python-Markdown would take minutes or hours on, found in linear time before converting ---
#
# Python-Markdown rescans text in places: from every unmatched "[" to the end of its paragraph, from
# every unclosed "](" and lone backtick run likewise; it rebuilds a paragraph's whole text for each
# mark (*, `, &, quotes...) it turns into HTML, and a block's for each heading or rule split off it.
# One 600 KB paragraph of "[" takes hours. ``markdown_problem`` estimates that work in nanoseconds
# (each constant is the worst measured, with Python-Markdown 3.11, of time / work on bodies made of
# one pattern, rounded up) and refuses a body whose estimate is far beyond what a normal body of its
# size needs, naming the place that costs the most. tests/test_hostile_resources.py holds the patterns.

MAX_NESTING = 100  # lists and quotes nested deeper cost a pass each; Python-Markdown itself fails near 250
BUDGET_PER_CHARACTER = 20_000  # ns; a normal body takes some 3,000 per character
BUDGET_FLOOR = 1_000_000_000  # ns: a small body may cost up to a second
COST_REBUILD = 4  # ns per mark per character of its paragraph (measured: up to 2.4)
COST_SCAN = 500  # ns per character scanned for a closing ']' or ')' (three link patterns scan each; measured 520)
COST_TICK_SCAN = 100  # ns per character scanned for a closing backtick run (measured: up to 60)
COST_SPLIT = 60  # ns per heading, rule or definition line per character of its block (measured: up to 60)
COST_CONCAT = 0.1  # ns per continuation line of a list per character of the list (copies at memory speed)
COST_FENCE = 2  # ns per fence line per character of the body (measured 1.7)
COST_TAG = 100  # ns per unclosed '<' per character of the body, raw HTML allowed (measured: 50 to 90)

MARK = re.compile(r"`+|\\.|!?\[|<|&|[*_]+|['\"]|--|\.\.\.|(?<! )  +$", re.M)
ESCAPED = re.compile(r"\\[\\`*_{}\[\]()>#+\-.!]")  # what Python-Markdown's escape pattern hides from links
BRACKETS = re.compile(r"[\[\]()]")
CONTAINER = re.compile(r"[ \t]*(?:>|(?:[*+-]|\d+\.)(?=[ \t]))")
NESTING = re.compile(rf"^(?:[ \t]*(?:>|(?:[*+-]|\d+\.)(?=[ \t]))){{{MAX_NESTING + 1},}}", re.M)
DEEP_ITEM = re.compile(rf"^ {{{4 * MAX_NESTING + 1},}}(?:[*+-]|\d+\.)[ \t]", re.M)  # 4 columns a level
RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
SPLIT_LINE = re.compile(r"^(?:#|[=-]+[ \t]*$| {0,3}[-*_](?:[ \t]*[-*_]){2,}[ \t]*$)", re.M)  # headings, rules
# a link reference definition on one line, which Python-Markdown takes out of any block but a table
REFERENCE = re.compile(r"^ {0,3}\[[^\[\]]*\]:[ ]*\S+[ ]*(?:([\"']).*\1[ ]*|\(.*\)[ ]*)?$", re.M)
FENCE_LINE = re.compile(r"^(`{3,}|~{3,})(.*)$", re.M)
INDENTED = re.compile(r"^ {4}", re.M)
BLANK_RUN = re.compile(r"\n(?:[ \t]*\n)+")
LIST_ITEMS = (re.compile(r" {0,3}[*+-] +"), re.compile(r" {0,3}\d+\. +"))  # with sane_lists, each its own kind
LIST_LINE = re.compile(r"^ {0,3}(?:[*+-]|\d+\.) ", re.M)
SMALL = 32  # characters: an inline text this short costs too little to look at closely
TABLE_MARK = re.compile(r"`+|\|")
TAG_BRACKET = re.compile(r"[<>]")


class PathologicalMarkdownError(Exception):
    """A body Markdown would take far too long to convert, with the place to fix (line within the body)."""

    def __init__(self, line_offset: int, column: int, message: str, hint: str):
        super().__init__(line_offset, column, message, hint)
        self.line_offset, self.column, self.message, self.hint = line_offset, column, message, hint

    def __str__(self) -> str:
        return f"line {self.line_offset + 1}, column {self.column}: {self.message}"


@dataclass
class _Cost:
    """One source of work: its estimate (ns), and where (offset in the tab-expanded body) and how to report it."""

    estimate: float
    position: int
    message: str
    hint: str


def markdown_problem(body: str, unsafe_html: bool = False) -> tuple[int, int, str, str] | None:
    """``(line_offset, column, message, hint)`` if converting ``body`` would take far too long, else None.

    Linear in the body's length. The line offset counts from the body's first line (0), the column from 1.
    """
    text = body.expandtabs(4) if "\t" in body else body  # as Python-Markdown reads it
    deep = _too_deep(text)
    if deep is not None:
        return _located(body, text, deep)
    worst = _worst_cost(text, unsafe_html, max(BUDGET_FLOOR, BUDGET_PER_CHARACTER * len(body)))
    return None if worst is None else _located(body, text, worst)


def _worst_cost(text: str, unsafe_html: bool, budget: float) -> _Cost | None:
    """The costliest place if the estimate exceeds ``budget``; cheap upper bounds first, details only if needed."""
    costs = _global_costs(text, unsafe_html)
    total = sum(cost.estimate for cost in costs)
    if total + _bound_of_rough_costs(text) <= budget:
        return None  # most bodies: even the blocks' rough costs, all at their largest, stay within the budget
    blocks = [(_rough_cost(text, start, end), start, end) for start, end in _blocks(text)]
    total += sum(rough for rough, _start, _end in blocks)
    for rough, start, end in sorted(blocks, reverse=True):
        if total <= budget:
            return None
        detailed = _block_costs(text, start, end)
        total += sum(cost.estimate for cost in detailed) - rough
        costs += detailed
    return max(costs, key=lambda cost: cost.estimate) if total > budget else None


def _located(body: str, text: str, cost: _Cost) -> tuple[int, int, str, str]:
    """(line offset, column in the line as written) of a cost's position in the tab-expanded text."""
    line = text.count("\n", 0, cost.position)
    expanded_column = cost.position - (text.rfind("\n", 0, cost.position) + 1)
    written = body.split("\n")[line]
    column = width = 0
    while column < len(written) and "\t" in written and width < expanded_column:  # count tabs as they expand
        width = (width // 4 + 1) * 4 if written[column] == "\t" else width + 1
        column += 1
    return line, (column if "\t" in written else expanded_column) + 1, cost.message, cost.hint


def _too_deep(text: str) -> _Cost | None:
    """The first line nesting more than MAX_NESTING lists or quotes (each level is a pass over the rest)."""
    item = DEEP_ITEM.search(text)
    for match in NESTING.finditer(text, 0, item.start() if item else len(text)):
        line_end = text.find("\n", match.start())
        line_end = len(text) if line_end == -1 else line_end
        if not RULE.match(text, match.start(), line_end):
            depth = len(CONTAINER.findall(text, match.start(), line_end))
            return _Cost(
                float("inf"),
                match.start(),
                f"the Markdown is nested too deeply to render: this line nests {depth:,} lists or quotes",
                f"use fewer levels of nested lists or quotes (at most {MAX_NESTING}), or write \\> for a literal '>'",
            )
    if item is not None:
        levels = (len(item.group()) - len(item.group().lstrip(" "))) // 4
        return _Cost(
            float("inf"),
            item.start(),
            f"the Markdown is nested too deeply to render: this list item is {levels:,} levels deep",
            f"use fewer levels of nested lists or quotes (at most {MAX_NESTING})",
        )
    return None


def _global_costs(text: str, unsafe_html: bool) -> list[_Cost]:
    costs = _fence_costs(text)
    return costs + _tag_costs(text) if unsafe_html else costs


def _fence_costs(text: str) -> list[_Cost]:
    """The fenced-code stage searches on from each fence line, rebuilding the text for each block."""
    fences = [match.start() for match in FENCE_LINE.finditer(text)]
    if not fences:
        return []
    return [
        _Cost(
            COST_FENCE * len(fences) * len(text),
            fences[0],
            f"this text has {len(fences):,} fence lines (``` or ~~~)",
            "merge the code blocks, or split the text into several entries",
        )
    ]


def _tag_costs(text: str) -> list[_Cost]:
    """With raw HTML allowed, each '<' that no '>' closes before the next '<' costs a pass over the rest."""
    marks = [(match.group(), match.start()) for match in TAG_BRACKET.finditer(text)]
    following = [char for char, _position in marks[1:]] + ["<"]  # the end of the text closes nothing
    unclosed = [
        position for (char, position), after in zip(marks, following, strict=False) if char == "<" and after == "<"
    ]
    if not unclosed:
        return []
    return [
        _Cost(
            COST_TAG * len(unclosed) * len(text),
            unclosed[0],
            f"this text has {len(unclosed):,} '<' that open no complete HTML tag",
            "write &lt; for a literal '<', and close every tag with '>'",
        )
    ]


def _blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of each run of text lines outside code: what the block parser takes at once."""
    if not FENCE_LINE.search(text) and not INDENTED.search(text):
        edges = [0, *(edge for match in BLANK_RUN.finditer(text) for edge in match.span()), len(text)]
        pairs = zip(edges[::2], edges[1::2], strict=True)
        return [(start, end) for start, end in pairs if text[start:end].strip(" \n")]
    lines = text.split("\n")
    blocks, offset, first = [], 0, None
    for line, is_code in zip([*lines, ""], [*code_lines(lines, plain_fences_only=True), True], strict=True):
        if not is_code and line.strip(" "):
            first = offset if first is None else first
        elif first is not None:
            blocks.append((first, offset - 1))
            first = None
        offset += len(line) + 1
    return blocks


def _bound_of_rough_costs(text: str) -> float:
    """At least the sum of :func:`_rough_cost` over the blocks of ``text``, from counts over the whole text.

    Each block's counts add up to at most the whole text's (its marks are at most its size; its heading, rule,
    definition and continuation lines at most its lines, and the blocks' lines at most the text's), and no block
    is longer than the text; the pipes' squares add up to at most the square of their sum.
    """
    size = len(text)
    scans = text.count("[") + text.count("(") + text.count("`")
    lines = text.count("\n") + 1
    pipes = text.count("|") + text.count("`")
    return (
        size * (COST_SCAN * scans + COST_REBUILD * size + (2 * COST_SPLIT + COST_CONCAT) * lines)
        + COST_SCAN * pipes * pipes / 4
    )


def _rough_cost(text: str, start: int, end: int) -> float:
    """An upper bound of ``_block_costs`` from a few counts: most blocks need no closer look."""
    size = end - start
    scans = text.count("[", start, end) + text.count("(", start, end) + text.count("`", start, end)
    marks = len(MARK.findall(text, start, end))
    continued = text.count("\n", start, end) + 1 - len(LIST_LINE.findall(text, start, end))
    splits = len(SPLIT_LINE.findall(text, start, end)) + len(REFERENCE.findall(text, start, end))
    pipes = text.count("|", start, end) + text.count("`", start, end)
    return (
        size * (COST_SCAN * scans + COST_REBUILD * marks + COST_SPLIT * splits + COST_CONCAT * continued)
        + COST_SCAN * pipes * pipes / 4
    )


def _block_costs(text: str, start: int, end: int) -> list[_Cost]:
    """The work one block costs: splitting it, the table check, then each inline text in it."""
    lines = text[start:end].split("\n")
    starts = list(itertools.accumulate((len(line) + 1 for line in lines[:-1]), initial=start))
    size = end - start
    references = [bool(REFERENCE.match(line)) for line in lines]
    splits = [
        number
        for number, line in enumerate(lines)
        if SPLIT_LINE.match(line) or references[number] and not (number and references[number - 1])
    ]  # each run of definitions
    costs = []
    if splits:
        costs.append(
            _Cost(
                COST_SPLIT * len(splits) * size,
                start,
                f"{len(splits):,} headings, rules or link definitions follow each other here without blank lines",
                "put a blank line between headings, rules, definitions and text",
            )
        )
    for number in range(min(2, len(lines))):  # the table check splits a block's first two lines
        costs += _table_line_costs(lines[number], starts[number])
    segments, kind = _segments(lines, bool(splits), costs)
    if kind == "table row":
        for number in range(2, len(lines)):
            costs += _table_line_costs(lines[number], starts[number])
    elif kind == "list item" and len(segments) < len(lines):
        continued = len(lines) - len(segments)
        costs.append(
            _Cost(
                COST_CONCAT * continued * size,
                start,
                f"this list has {continued:,} continuation lines",
                "start each line as its own list item, or put blank lines between the items",
            )
        )
    if kind != "table row":
        segments = _without_references(segments, references)
    small = 0
    for first, last in segments:
        segment_end = starts[last - 1] + len(lines[last - 1])
        if segment_end - starts[first] <= SMALL:
            small += (segment_end - starts[first]) ** 2
        else:
            costs += _inline_costs(text, starts[first], segment_end, kind)
    if small:  # each costs at most its square, and all of them no more than the whole block can
        costs.append(
            _Cost(
                min((COST_SCAN + COST_TICK_SCAN + COST_REBUILD) * small, _rough_cost(text, start, end)),
                start,
                f"this block has {len(segments):,} {kind}s",
                "split it with blank lines",
            )
        )
    return costs


def _segments(lines: list[str], split: bool, costs: list[_Cost]) -> tuple[list[tuple[int, int]], str]:
    """The block's inline texts as line ranges: one per list item or table row, else the whole block.

    Only when Markdown surely sees a list or a table; anything else counts as one paragraph, the costliest reading.
    """
    item = next((pattern for pattern in LIST_ITEMS if pattern.match(lines[0])), None)
    if item is not None and not split and not RULE.match(lines[0]):
        breaks = [number for number, line in enumerate(lines) if item.match(line)]
        return list(zip(breaks, [*breaks[1:], len(lines)], strict=True)), "list item"
    if (
        len(lines) > 1
        and sum(cost.estimate for cost in costs) < BUDGET_FLOOR
        and _table_check().test(etree.Element("div"), "\n".join(lines))
    ):
        return [(number, number + 1) for number in range(len(lines))], "table row"
    return [(0, len(lines))], "paragraph"


def _without_references(segments: list[tuple[int, int]], references: list[bool]) -> list[tuple[int, int]]:
    """The segments with link definition lines cut out: Markdown removes them before reading the text."""
    pieces = []
    for first, last in segments:
        piece_start = first
        for number in range(first, last + 1):
            if number == last or references[number]:
                if number > piece_start:
                    pieces.append((piece_start, number))
                piece_start = number + 1
    return pieces


@functools.cache
def _table_check() -> BlockProcessor:
    """Python-Markdown's own test for a table block (our renderer's settings do not change it)."""
    return markdown.Markdown(extensions=["tables"]).parser.blockprocessors["table"]


def _table_line_costs(line: str, start: int) -> list[_Cost]:
    """The table check pairs each of a line's backtick runs and pipes with the others."""
    marks = sum(1 for _ in TABLE_MARK.finditer(line))
    if marks < 16:
        return []
    return [
        _Cost(
            COST_SCAN * marks * marks / 4,
            start,
            f"this line has {marks:,} backtick runs and '|'",
            "write \\` or \\| for literal ones, or split the line",
        )
    ]


def _inline_costs(text: str, start: int, end: int, kind: str) -> list[_Cost]:
    """Rebuilding the text once per mark, and the scans for closing brackets, parentheses and backticks."""
    segment = text[start:end]
    costs = []
    marks = len(MARK.findall(segment))
    if marks:
        costs.append(
            _Cost(
                COST_REBUILD * marks * len(segment),
                start,
                f"this {kind} is {len(segment):,} characters long with {marks:,} Markdown marks "
                "(such as * _ ` [ & < or quotes)",
                "split it into shorter paragraphs with blank lines",
            )
        )
    runs = [match.span() for match in BACKTICKS.finditer(segment)]
    unmatched = _without_equal_run(runs)
    if unmatched:
        scanned = sum(len(segment) - position for position in unmatched)
        costs.append(
            _Cost(
                COST_TICK_SCAN * scanned,
                start + unmatched[0],
                f"this {kind} has {len(unmatched):,} backtick runs with no later run of the same length",
                "write \\` for a literal backtick, or split the paragraph with blank lines",
            )
        )
    visible = ESCAPED.sub("  ", blank_code_spans(segment) if runs else segment)
    return costs + _scan_costs(visible, start, kind)


def _without_equal_run(runs: list[tuple[int, int]]) -> list[int]:
    """Starts of the backtick runs no later run matches in length: a code span opening there is sought to the end.

    (Python-Markdown looks for an equal run first, then falls back to a shorter one; some of these are
    closing runs, which makes the estimate a little high, never low.)
    """
    seen: set[int] = set()
    unmatched = []
    for run_start, run_end in reversed(runs):
        if run_end - run_start not in seen:
            unmatched.append(run_start)
        seen.add(run_end - run_start)
    return unmatched[::-1]


def _scan_costs(visible: str, start: int, kind: str) -> list[_Cost]:
    """Each '[' is scanned to its ']' (or the end), each '(' after a matched ']' to its ')' (or the end)."""
    brackets, parens, closed_at = [], [], set()
    scanned = pairs = 0
    for match in BRACKETS.finditer(visible):
        char, position = match.group(), match.start()
        if char == "[":
            brackets.append(position)
        elif char == "]" and brackets:
            scanned, pairs = scanned + position - brackets.pop(), pairs + 1
            closed_at.add(position)
        elif char == "(":
            parens.append(position)
        elif char == ")" and parens:
            opened = parens.pop()
            scanned += position - opened if opened - 1 in closed_at else 0
    scanned += sum(len(visible) - position for position in brackets)
    costs = []
    if scanned:
        first = brackets[0] if brackets else max(0, visible.find("["))
        costs.append(
            _Cost(
                COST_SCAN * scanned,
                start + first,
                f"this {kind} has {len(brackets):,} '[' with no matching ']'"
                if brackets
                else f"this {kind} has {pairs:,} '[' ... ']' pairs nested in each other",
                "write \\[ for a literal bracket, or split the paragraph with blank lines",
            )
        )
    links = [position for position in parens if position - 1 in closed_at]
    if links:
        costs.append(
            _Cost(
                COST_SCAN * sum(len(visible) - position for position in links),
                start + links[0],
                f"this {kind} has {len(links):,} '](' whose ')' never comes",
                "close each link address with ')', or write \\( after a literal ']'",
            )
        )
    return costs


class MarkdownRenderer:
    """One configured converter, reused for every body with ``reset()``."""

    def __init__(self, targets: dict[str, Entry], unsafe_html: bool = False, quotes: tuple[str, str] = ("“", "”")):
        self.unsafe_html = unsafe_html
        self.md = markdown.Markdown(
            # the extensions themselves, not their names: a name is looked up among every installed package's entry
            # points (importlib.metadata), which cost a build after an edit 15-20 ms
            extensions=[
                TableExtension(),
                FencedCodeExtension(),
                SaneListExtension(),
                SmartyExtension(**smarty_config(quotes)),  # double quotes in the site's language
            ],
            output_format="html",
        )
        self.md.inlinePatterns.register(WikiLinkProcessor(targets), "wikilink", 75)
        if not unsafe_html:
            self.md.preprocessors.deregister("html_block")
            self.md.inlinePatterns.deregister("html")
            # after Python-Markdown's "unescape" (0), which turns backslash escapes back into characters
            self.md.treeprocessors.register(SafetyProcessor(self.md), "safety", -1)
        self.md.treeprocessors.register(HeadingProcessor(self.md), "headings", 1)
        Typographer.replace(self.md)  # smarty's rules without its costly second inline stage
        LinearInlineProcessor.replace(self.md)
        for pattern in self.md.inlinePatterns:
            if isinstance(pattern, LinkInlineProcessor):  # links, images and references, of this converter only
                pattern.getText = bracketed_text  # type: ignore[method-assign]
        BlockQueue.install(self.md)

    def convert(self, text: str) -> str:
        """The body as HTML; a body that would take far too long raises PathologicalMarkdownError, before any work."""
        problem = markdown_problem(text, self.unsafe_html)
        if problem is not None:
            raise PathologicalMarkdownError(*problem)
        self.md.reset()
        return self.md.convert(text)
