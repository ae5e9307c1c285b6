"""Resolve every reference and compute the backlinks (the "link" stage).

References come in two shapes: typed fields in front matter (``by``,
``people``, ``about``...) and ``[[wikilinks]]`` in Markdown bodies. Both are
resolved here, once, so rendering never meets an unknown target.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import ClassVar, TypeVar

from explainer.diagnostics import Diagnostic, Diagnostics, Span
from explainer.model import (
    ANY_KIND,
    COLLECTIONS,
    KINDS,
    Claim,
    Entry,
    Event,
    Person,
    Ref,
    Snippet,
    Source,
    Story,
    Update,
    likely_collection,
)
from explainer.reader import NAME_MARK, NAMES_UNKNOWN, Content
from explainer.slugs import slugify

# A wikilink may wrap onto the next line, as editors wrap prose, but not cross a blank line.
# (Linear: from each "[[" the match runs at most to the next bracket or blank line.)
WIKILINK = re.compile(r"\[\[((?:[^\[\]\n]|\n(?![ \t]*\n))+?)\]\]")
# Python-Markdown's fenced_code: an opening fence at the margin, with a language, {attributes} or hl_lines
FENCE_OPENING = re.compile(r"(`{3,}|~{3,}) *(?:\{.*\}|\.?[\w#.+-]* *(?:hl_lines=([\"']).*?\2 *)?)$")
PLAIN_FENCE_OPENING = re.compile(r"(`{3,}|~{3,}) *\.?[\w#.+-]* *$")
FENCE_CLOSING = re.compile(r"(`{3,}|~{3,}) *$")
BACKTICKS = re.compile(r"`+")
BLANK_LINES = re.compile(r"\n[ \t]*\n")  # what ends a paragraph, and so a code span
LIST_ITEM = re.compile(r" {0,3}(?:[*+-]|\d+\.) +")  # Python-Markdown's list markers (tabs expanded)
# a line after which an indented line starts a code block, as after a blank line: a heading or a rule
BLOCK_END = re.compile(r" {0,3}#{1,6}(?: |$)| {0,3}([-*_])(?: *\1){2,} *$|[=-]+ *$")

Item = TypeVar("Item", Entry, Source)

STORY = "story"  # how the story narrative is named where an entry's key would stand (exports, digests)


@dataclass(frozen=True)
class Backlink:
    """``origin`` refers to an entry through ``relation``; None means the story overview."""

    origin: Entry | None
    relation: str  # people, by, disputes, supports, about, mention

    @property
    def origin_key(self) -> str:
        return self.origin.key if self.origin is not None else STORY


@dataclass
class Linked:
    """The content with every reference resolved, ready for page planning."""

    _opaque: ClassVar[bool] = True  # a page that reads it whole is rendered every time (explainer.dependencies)

    content: Content
    sources: dict[str, Source]
    incoming: dict[str, list[Backlink]] = field(default_factory=lambda: defaultdict(list))
    citations: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    wikilinks: dict[str, Entry] = field(default_factory=dict)  # target text -> entry
    timeline: list[Event] = field(default_factory=list)
    updates_about: dict[str, list[Update]] = field(default_factory=lambda: defaultdict(list))  # key -> updates
    state: _LinkState | None = field(default=None, repr=False, compare=False)  # for the next link (see link)
    # what validating found per entry, by the id of the entry object: (entry, its checks' findings, its snippets')
    checked: dict[int, tuple[Entry, list[Diagnostic], list[Diagnostic]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def updates_of(self, entry: Entry) -> list[Update]:
        """The updates that name ``entry`` in their ``about``, in log order."""
        return self.updates_about.get(entry.key, [])

    def backlinks(self, entry: Entry) -> list[Backlink]:
        return self.incoming.get(entry.key, [])

    def sources_named(self, refs: list[Ref] | tuple[Ref, ...]) -> list[Source]:
        """The sources a list of references names, in order (an unknown id is reported by :func:`link`)."""
        return [self.sources[ref.target] for ref in refs if ref.target in self.sources]

    @property
    def story(self) -> Story:
        """The story; a build stops at validation when it could not be read, so later stages always have it."""
        if self.content.story is None:
            raise LookupError("the story could not be read")
        return self.content.story


def normalise_name(text: str) -> str:
    return " ".join(text.split()).casefold()


def _names(entry: Entry) -> list[str]:
    """The names a wikilink may find ``entry`` by, each once and sorted: its title (a person's name) and a person's
    aliases (most entries have their title alone, found without a set)."""
    if isinstance(entry, Person) and entry.aliases:
        return sorted({normalise_name(name) for name in [entry.title, *entry.aliases]})
    return [normalise_name(entry.title)]


class Resolver:
    """Finds the entry a reference means, or explains why it cannot."""

    def __init__(self, entries: list[Entry], unreadable: AbstractSet[str] = frozenset()):
        # keys of entries (or whole collections) that failed to read, and their names: their own error
        # says what is wrong, so references to them are not reported again
        self.unreadable = unreadable
        # a wikilink may name an entry whose names could not be read (a whole collection, or front matter)
        self.names_unknown = NAMES_UNKNOWN in unreadable or any(name in COLLECTIONS for name in unreadable)
        self.unread_names = {normalise_name(n[len(NAME_MARK) :]) for n in unreadable if n.startswith(NAME_MARK)}
        self._wikilinks: dict[str, tuple[Entry | None, str | None, str | None]] = {}  # answers by target text
        self.by_key: dict[str, Entry] = {}
        self.by_slug: dict[str, list[Entry]] = defaultdict(list)
        self.by_name: dict[str, list[Entry]] = defaultdict(list)
        by_key, by_slug, by_name = self.by_key, self.by_slug, self.by_name
        for entry in entries:  # unique by key already
            by_key[entry.key] = entry
            by_slug[entry.slug].append(entry)
            for name in _names(entry):
                by_name[name].append(entry)

    def replacing(self, entries: list[Entry], unreadable: AbstractSet[str]) -> Resolver:
        """A copy finding ``entries`` in place of the entries of the same keys, names and aliases."""
        copy = Resolver([], unreadable)
        copy.by_key = dict(self.by_key)
        copy.by_slug = defaultdict(list, self.by_slug)
        copy.by_name = defaultdict(list, self.by_name)
        for entry in entries:
            copy.by_key[entry.key] = entry
            copy.by_slug[entry.slug] = [entry if e.key == entry.key else e for e in copy.by_slug[entry.slug]]
            for name in _names(entry):
                copy.by_name[name] = [entry if e.key == entry.key else e for e in copy.by_name[name]]
        return copy

    def in_collection(self, target: str, collection: str) -> tuple[Entry | None, str | None, str | None]:
        """A bare slug of one kind (``by: [alec-baldwin]``)."""
        slug = target.removeprefix(f"{collection}/")
        entry = self.by_key.get(f"{collection}/{slug}")
        if entry is not None or f"{collection}/{slug}" in self.unreadable or collection in self.unreadable:
            return entry, None, None
        kind = KINDS[collection].singular
        elsewhere = [e.key for e in self.by_slug.get(slug, [])]
        if elsewhere:
            return None, f"'{target}' is not a {kind}; it is {_a(elsewhere[0])}", f"only {collection} slugs belong here"
        slugs = [e.slug for e in self.by_key.values() if e.collection == collection]
        return (
            None,
            f"unknown {kind} '{target}'",
            _did_you_mean(slug, slugs, collection, f"add content/{collection}/{slug or 'slug'}.md"),
        )

    def by_kind_slug(self, target: str) -> tuple[Entry | None, str | None, str | None]:
        """A ``kind/slug`` reference (``about: [people/alec-baldwin]``)."""
        if "/" not in target:
            matches = self.by_slug.get(target, [])
            hint = (
                f"write it as {' or '.join(e.key for e in matches)}"
                if matches
                else "write it as kind/slug, e.g. people/" + (target or "name")
            )
            return None, f"'{target}' needs its kind: about takes kind/slug", hint
        collection, _, slug = target.partition("/")
        if collection not in COLLECTIONS:
            meant = likely_collection(collection)
            hint = (
                f"did you mean '{meant}/{slug}'?"
                if meant in COLLECTIONS
                else f"the kinds are: {', '.join(COLLECTIONS)}"
            )
            return None, f"unknown kind '{collection}' in '{target}'", hint
        return self.in_collection(slug, collection)

    def wikilink(self, target: str) -> tuple[Entry | None, str | None, str | None]:
        """``[[slug]]``, ``[[kind/slug]]`` or ``[[Name or alias]]`` (each text answered once: the tables stay)."""
        found = self._wikilinks.get(target)
        if found is None:
            found = self._wikilinks[target] = self._wikilink(target)
        return found

    def _wikilink(self, target: str) -> tuple[Entry | None, str | None, str | None]:
        target = target.strip()
        if "/" in target:
            return self.by_kind_slug(target)
        for candidates in (
            self.by_slug.get(target, []),
            self.by_name.get(normalise_name(target), []),
            self.by_slug.get(slugify(target), []),
        ):
            if len(candidates) == 1:
                return candidates[0], None, None
            if len(candidates) > 1:
                keys = sorted(entry.key for entry in candidates)
                return (
                    None,
                    f"[[{target}]] is ambiguous: it could be {', '.join(keys)}",
                    f"write one of [[{']], [['.join(keys)}]]",
                )
        if (
            self.names_unknown
            or normalise_name(target) in self.unread_names
            or any(key.endswith("/" + slugify(target)) for key in self.unreadable)
        ):
            return None, None, None
        known = [*self.by_key, *(e.slug for e in self.by_key.values()), *(e.title for e in self.by_key.values())]
        close = difflib.get_close_matches(target, known, n=3, cutoff=0.6)
        hint = (
            f"did you mean {' or '.join(f'[[{c}]]' for c in close)}?"
            if close
            else "link to a slug, kind/slug, or an entry's name, title or alias"
        )
        return None, f"[[{target}]] does not match any entry", hint


def _a(key: str) -> str:
    kind = KINDS[key.split("/")[0]].singular
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} ({key})"


def _did_you_mean(value: str, candidates: list[str], collection: str, where_to_add: str) -> str:
    close = difflib.get_close_matches(value, candidates, n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    if not candidates:
        return f"there are no {collection} yet; {where_to_add}"
    return f"known {collection}: {', '.join(sorted(candidates)[:8])}{' ...' if len(candidates) > 8 else ''}"


def split_wikilink(text: str) -> tuple[str, str | None]:
    """``target|shown`` -> (target, shown), with wrapped whitespace collapsed."""
    target, _, shown = text.partition("|")
    return " ".join(target.split()), (" ".join(shown.split()) or None)


Found = list[tuple[str, str | None, Span]]  # what find_wikilinks gives: (target, shown text, target's position)

# What an earlier build found in a body, given back with its file's stored read (explainer.reader), by the id of
# the body's start (held, so the id stays its own): taken by the first find_wikilinks of that very body and start,
# so a body read from the build cache is not scanned again
_known: dict[int, tuple[Span, str, int, Found]] = {}
_KNOWN_MOST = 65536  # as many as the cache below holds; past that, the oldest are dropped


def know_wikilinks(body: str, start: Span, indent: int, found: Found) -> None:
    """Tell :func:`find_wikilinks` what it finds in ``body`` at ``start`` (it was found there before)."""
    if len(_known) >= _KNOWN_MOST:
        del _known[next(iter(_known))]
    _known[id(start)] = (start, body, indent, found)


@functools.lru_cache(maxsize=65536)  # bodies rarely change between rebuilds
def find_wikilinks(body: str, start: Span, indent: int = 0) -> Found:
    """Every ``[[target|text]]`` outside code, with the position of its target (see :func:`scan_wikilinks`)."""
    if _known:
        known = _known.pop(id(start), None)
        if known is not None and known[0] is start and known[1] is body and known[2] == indent:
            return known[3]
    return scan_wikilinks(body, start, indent)


def scan_wikilinks(body: str, start: Span, indent: int = 0) -> Found:
    """Every ``[[target|text]]`` outside code, with the position of its target.

    Code blocks (fenced or indented) and backtick spans are blanked out first, as Markdown shows
    them literally; ``start`` is where the body begins in its file, and ``indent`` how far a YAML
    block indents each of its lines. Linear in the body's length, however it is written.
    """
    if _may_hold_code(body):
        lines = body.split("\n")
        for number, is_code in enumerate(code_lines(lines)):
            if is_code:
                lines[number] = " " * len(lines[number])
        visible = blank_code_spans("\n".join(lines))
    else:  # most bodies: nothing to blank out (this was half the cost of linking a story)
        visible = body
    found = []
    line_index, line_start, counted = 0, 0, 0
    for match in WIKILINK.finditer(visible):
        target, shown = split_wikilink(match.group(1))
        offset = match.start() + 2
        line_index += visible.count("\n", counted, offset)  # counted on from the previous link, not from 0
        line_start = max(line_start, visible.rfind("\n", counted, offset) + 1)
        counted = offset
        column = offset - line_start + 1
        column += start.column - 1 if line_index == 0 else indent
        found.append((target, shown, Span(start.path, start.line + line_index, column)))
    return found


find_wikilinks.__wrapped__ = scan_wikilinks  # the scan itself, uncached


def _may_hold_code(body: str) -> bool:
    """False when ``body`` has no code for Markdown: no backtick or tilde (no code span or fence) and no line
    indented by a tab or four spaces (no indented block)."""
    return "`" in body or "~" in body or "\t" in body or "\n    " in body or body.startswith("    ")


def code_lines(lines: list[str], plain_fences_only: bool = False) -> list[bool]:
    """Which lines Markdown shows as code: fenced blocks, and indented blocks as Python-Markdown sees them.

    An indented block (4 spaces or a tab) is code when it starts the body or follows a blank line, a
    heading or a rule, and does not continue a list item; indented lines right after text continue it.
    A fenced block becomes one line of placeholder text, which no indented code can follow.
    """
    code = fenced_lines(lines, plain_fences_only)
    may_start, in_list, in_code = True, False, False
    for number, line in enumerate(lines):
        if code[number]:  # a fenced block: to the block parser, one line of placeholder text
            in_list = in_list and not (may_start and not (number and code[number - 1]))
            may_start = in_code = False
            continue
        if not line.strip(" \t"):
            may_start = True
            continue
        expanded = line.expandtabs(4) if "\t" in line else line
        indented = len(expanded) - len(expanded.lstrip(" ")) >= 4
        if indented and (in_code or (may_start and not in_list)):
            code[number] = in_code = True
            may_start = False
            continue
        in_code = False
        ends_block = bool(BLOCK_END.match(expanded))
        if may_start and not indented:  # a block starting at the margin: is it a list?
            in_list = not ends_block and bool(LIST_ITEM.match(expanded))
        may_start = ends_block
    return code


def fenced_lines(lines: list[str], plain_only: bool = False) -> list[bool]:
    """Lines of fenced code blocks by the fenced_code extension's rule, in linear time.

    A block opens with ``` or ~~~ (3 or more) at the margin and an optional language, ``{attributes}``
    or ``hl_lines``, and closes at the next line holding exactly the same fence; an unclosed fence is
    text. ``plain_only`` accepts only a language (the other forms are fences only if they parse).
    """
    closers: dict[str, list[int]] = defaultdict(list)
    for number, line in enumerate(lines):
        if line[:3] in ("```", "~~~") and (closing := FENCE_CLOSING.match(line)) is not None:
            closers[closing.group(1)].append(number)
    opening_fence = PLAIN_FENCE_OPENING if plain_only else FENCE_OPENING
    fenced, after = [False] * len(lines), 0
    for number, line in enumerate(lines):
        if number < after or line[:3] not in ("```", "~~~") or (opening := opening_fence.match(line)) is None:
            continue
        candidates = closers.get(opening.group(1), [])
        at = bisect.bisect_right(candidates, number)
        if at < len(candidates):  # the first closing fence, as the extension's lazy expression finds it
            fenced[number : candidates[at] + 1] = [True] * (candidates[at] + 1 - number)
            after = candidates[at] + 1
    return fenced


def blank_code_spans(text: str) -> str:
    """``text`` with every backtick code span replaced by spaces (newlines kept); spans end at a blank line."""
    spans: list[tuple[int, int]] = []
    paragraph: list[tuple[int, int]] = []  # the backtick runs of the paragraph being read
    for run in BACKTICKS.finditer(text):
        if paragraph and BLANK_LINES.search(text, paragraph[-1][1], run.start()):
            spans.extend(pair_backticks(text, paragraph))
            paragraph = []
        paragraph.append(run.span())
    spans.extend(pair_backticks(text, paragraph))
    if not spans:
        return text
    pieces, done = [], 0
    for span_start, span_end in spans:
        pieces.append(text[done:span_start])
        pieces.append(re.sub(r"[^\n]", " ", text[span_start:span_end]))
        done = span_end
    pieces.append(text[done:])
    return "".join(pieces)


def _escaped(text: str, position: int) -> int:
    """1 if the character at ``position`` is escaped by a backslash (an odd number of them before it), else 0."""
    before = position
    while before and text[before - 1] == "\\":
        before -= 1
    return (position - before) % 2


def pair_backticks(text: str, runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Code spans among one paragraph's backtick runs, paired as Python-Markdown pairs them, in linear time.

    An opening run (its first backtick not escaped) closes at the next run of the same length; failing
    that, at the first longest later run if that is shorter (its extra backticks become code text).
    """
    lengths = [end - start for start, end in runs]
    by_length: dict[int, list[int]] = defaultdict(list)
    for index, length in enumerate(lengths):
        by_length[length].append(index)
    longest_after = [0] * (len(runs) + 1)  # index of the first longest run from here on
    longest_after[len(runs)] = len(runs)
    for index in range(len(runs) - 1, -1, -1):
        later = longest_after[index + 1]
        longest_after[index] = index if later == len(runs) or lengths[index] >= lengths[later] else later
    spans, index = [], 0
    while index < len(runs):
        start, end = runs[index]
        ticks = lengths[index] - _escaped(text, start)
        same = by_length.get(ticks, [])
        at = bisect.bisect_right(same, index)
        if ticks and at < len(same):
            spans.append((start, runs[same[at]][1]))
            index = same[at] + 1
            continue
        later = longest_after[index + 1]
        if ticks and later < len(runs) and lengths[later] < ticks:
            spans.append((start, runs[later][1]))
            index = later + 1
            continue
        index += 1
    return spans


def wikilink_targets(item: Entry | Story) -> list[str]:
    """The targets of an entry's (or the story's) wikilinks, from the cached scan the linker made."""
    if not item.body or item.body_span is None:
        return []
    indent = item.body_indent if isinstance(item, Entry) else 0
    return [target for target, _shown, _span in find_wikilinks(item.body, item.body_span, indent)]


@dataclass
class _Outgoing:
    """What one origin (an entry, or the story) contributes to the link, so a later link can reuse it."""

    backlinks: list[tuple[str, str]] = field(default_factory=list)  # (target key, relation), first of each
    cited: list[str] = field(default_factory=list)  # source ids, first of each
    wikilinks: list[tuple[str, str]] = field(default_factory=list)  # (target text, entry key), as found
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass
class _LinkState:
    """What :func:`link` keeps beside its result so the next link can redo only the entries that changed."""

    entries: list[Entry]  # every entry read, in order (all unique: a story with duplicates is linked whole)
    source_ids: list[str]
    unreadable: frozenset[str]
    resolver: Resolver
    outgoing: dict[str, _Outgoing]  # by entry key, then STORY
    story: Story | None
    targets_of: dict[str, set[str]]  # entry key -> the wikilink texts that have resolved to it
    unique: bool  # no duplicate entry key or source id
    mentioned: dict[str, Entry]  # the wikilinks of entries and the story (the update log's are added each time)
    uses: dict[str, int]  # how many of their links use each text
    order: dict[str, int]  # entry key -> its place among the origins (the story's, under STORY, is last)


def link(content: Content, diagnostics: Diagnostics, previous: Linked | None = None) -> Linked:
    """Resolve references, report the broken ones, and gather backlinks.

    With the ``previous`` link of the same project, when no entry was added, removed or renamed (the same keys,
    names and aliases, the same source ids and unreadable files), only the entries read again since (new objects)
    and the story are linked again; every other entry's links are reused. The result, diagnostics included, is
    the same as a whole link's.
    """
    if previous is not None and previous.state is not None:
        linked = _relink(content, diagnostics, previous, previous.state)
        if linked is not None:
            return linked
    entries = _unique_entries(content, diagnostics)
    sources = _unique_sources(content, diagnostics)
    resolver = Resolver(entries, content.unreadable)
    linked = Linked(content, sources)
    outgoing: dict[str, _Outgoing] = {}
    references = _references()
    for entry in entries:
        outgoing[entry.key] = _link_entry(entry, resolver, sources, content.unreadable, references)
    story = content.story
    if story is not None:
        outgoing[STORY] = _link_story(story, resolver)
    targets_of: dict[str, set[str]] = defaultdict(set)
    mentioned: dict[str, Entry] = {}
    uses: dict[str, int] = {}
    by_key, incoming, citations = resolver.by_key, linked.incoming, linked.citations
    for key, out in outgoing.items():
        origin = by_key.get(key)  # None for the story
        if out.diagnostics:
            diagnostics.items.extend(out.diagnostics)
        for target_key, relation in out.backlinks:
            incoming[target_key].append(Backlink(origin, relation))
        if origin is not None:
            for source_id in out.cited:
                citations[source_id].append(origin)
        for text, target_key in out.wikilinks:
            mentioned[text] = by_key[target_key]
            uses[text] = uses.get(text, 0) + 1
            targets_of[target_key].add(text)
    linked.wikilinks = dict(mentioned)
    _link_updates(linked, resolver, diagnostics)
    linked.timeline = _timeline(entries)
    unique = len(entries) == len(content.all_entries()) and len(sources) == len(content.sources)
    linked.state = _LinkState(
        entries, [s.id for s in content.sources], frozenset(content.unreadable), resolver, outgoing, story,
        dict(targets_of), unique, mentioned, uses, {**{key: n for n, key in enumerate(outgoing)}, STORY: len(entries)},
    )  # fmt: skip
    _known.clear()  # every body linked has been found by now; what is left (a duplicate's) is not asked for again
    return linked


def _identity(entry: Entry) -> tuple:
    """What other entries' references and wikilinks may resolve by: its key, title (name) and aliases."""
    return entry.key, entry.title, tuple(entry.aliases) if isinstance(entry, Person) else ()


def _relink(content: Content, diagnostics: Diagnostics, previous: Linked, state: _LinkState) -> Linked | None:
    """:func:`link` redone for the entries that are new objects since ``previous``; None when it must be whole."""
    if not state.unique or content.unreadable != state.unreadable:
        return None
    if [source.id for source in content.sources] != state.source_ids:
        return None
    entries = content.all_entries()
    if len(entries) != len(state.entries):
        return None
    changed: list[Entry] = []
    replaced: list[tuple[Entry, Entry]] = []
    for entry, was in zip(entries, state.entries, strict=True):
        if entry is not was:
            if type(entry) is not type(was) or _identity(entry) != _identity(was):
                return None
            changed.append(entry)
            replaced.append((entry, was))
    sources = {source.id: source for source in content.sources}
    resolver = state.resolver.replacing(changed, content.unreadable)
    linked = Linked(content, sources)
    outgoing = dict(state.outgoing)
    changed_keys = {entry.key for entry in changed}
    relinked: dict[str, _Outgoing] = {}  # origin key -> its new links (the story's under STORY)
    references = _references()
    for entry in changed:
        relinked[entry.key] = _link_entry(entry, resolver, sources, content.unreadable, references)
    story = content.story
    if story is not state.story:
        if story is not None:
            relinked[STORY] = _link_story(story, resolver)
        else:
            relinked[STORY] = _Outgoing()
    order = state.order  # the same keys in the same order
    incoming = defaultdict(list, previous.incoming)
    citations = defaultdict(list, previous.citations)
    mentioned, uses = dict(state.mentioned), dict(state.uses)
    targets_of = dict(state.targets_of)
    touched_targets: set[str] = set()
    touched_sources: set[str] = set()
    for key, out in relinked.items():
        before = outgoing.get(key, _Outgoing())
        touched_targets.update(target for target, _ in before.backlinks)
        touched_targets.update(target for target, _ in out.backlinks)
        touched_sources.update(before.cited)
        touched_sources.update(out.cited)
        if key == STORY and story is None:
            outgoing.pop(STORY, None)
        else:
            outgoing[key] = out
    # each touched list: the unchanged origins' items as they were, the changed origins' new ones, in origin order
    for target in touched_targets:
        kept = [b for b in incoming.get(target, []) if b.origin_key not in relinked]
        added = [
            Backlink(resolver.by_key.get(key), relation)
            for key, out in relinked.items()
            for target_key, relation in out.backlinks
            if target_key == target
        ]
        merged = sorted(kept + added, key=lambda backlink: order[backlink.origin_key])  # stable: keeps each order
        if merged:
            incoming[target] = merged
        else:
            incoming.pop(target, None)
    for source_id in touched_sources:
        kept_entries = [entry for entry in citations.get(source_id, []) if entry.key not in relinked]
        added_entries = [
            resolver.by_key[key] for key, out in relinked.items() if key != STORY if source_id in out.cited
        ]
        cited = sorted(kept_entries + added_entries, key=lambda entry: order[entry.key])
        if cited:
            citations[source_id] = cited
        else:
            citations.pop(source_id, None)
    # references and wikilinks of unchanged entries that name a changed one: to its new object
    for key in changed_keys:
        entry = resolver.by_key[key]
        for backlink in incoming.get(key, []):
            origin = backlink.origin
            if origin is None or origin.key in relinked or backlink.relation == "mention":
                continue
            for ref in getattr(origin, backlink.relation):
                if ref.entry is not None and ref.entry.key == key:
                    ref.entry = entry
        for text in targets_of.get(key, ()):
            if text in mentioned:
                mentioned[text] = entry
    # wikilink texts: counted over every origin's links; a text no longer used by any goes
    for key, out in relinked.items():
        for text, _ in state.outgoing.get(key, _Outgoing()).wikilinks:
            uses[text] -= 1
            if not uses[text]:
                del uses[text], mentioned[text]
        for text, target_key in out.wikilinks:
            uses[text] = uses.get(text, 0) + 1
            mentioned[text] = resolver.by_key[target_key]
            if text not in targets_of.get(target_key, ()):
                targets_of[target_key] = {*targets_of.get(target_key, ()), text}
    wikilinks = dict(mentioned)
    linked.incoming, linked.citations, linked.wikilinks = incoming, citations, wikilinks
    for out in outgoing.values():
        diagnostics.items.extend(out.diagnostics)
    _link_updates(linked, resolver, diagnostics)
    retimed = _retimed(previous.timeline, replaced)
    linked.timeline = _timeline(entries) if retimed is None else retimed
    linked.state = _LinkState(
        entries, state.source_ids, frozenset(content.unreadable), resolver, outgoing, story, targets_of, True,
        mentioned, uses, order,
    )  # fmt: skip
    return linked


def _references() -> dict[str, list[tuple[str, str]]]:
    """Each kind's referring fields (see :meth:`Kind.references`), worked out once a link."""
    return {collection: kind.references() for collection, kind in KINDS.items()}


def _link_entry(
    entry: Entry,
    resolver: Resolver,
    sources: dict[str, Source],
    unreadable: AbstractSet[str],
    references: dict[str, list[tuple[str, str]]] | None = None,
) -> _Outgoing:
    """One entry's typed references, citations and wikilinks (its backlinks are made from them)."""
    out = _Outgoing()
    found = Diagnostics(out.diagnostics)
    seen: set[tuple[str, str]] = set()
    backlinks = out.backlinks
    fields = references[entry.collection] if references is not None else KINDS[entry.collection].references()
    for attribute, collection in fields:
        for ref in getattr(entry, attribute):
            resolved = _resolve(ref, collection, attribute, resolver, found)
            if resolved is not None and resolved is not entry:
                pair = (resolved.key, attribute)
                if pair not in seen:
                    seen.add(pair)
                    backlinks.append(pair)
    refs = entry.sources
    if isinstance(entry, Claim) and entry.status_history:
        refs = list(refs)
        for change in entry.status_history:
            refs.extend(change.sources)
    if refs:
        cited: set[str] = set()
        for source_id in _cite(refs, sources, unreadable, found):
            if source_id not in cited:
                cited.add(source_id)
                out.cited.append(source_id)
    texts = [(entry.body, entry.body_span, entry.body_indent), *_snippet_texts(entry.snippets())]
    for target, target_entry in _mentions(texts, resolver, found):
        key = target_entry.key
        out.wikilinks.append((target, key))
        if target_entry is not entry:
            pair = (key, "mention")
            if pair not in seen:
                seen.add(pair)
                backlinks.append(pair)
    return out


def _link_story(story: Story, resolver: Resolver) -> _Outgoing:
    """The story's wikilinks: each names an entry the overview mentions."""
    out = _Outgoing()
    found = Diagnostics(out.diagnostics)
    seen: set[str] = set()
    for target, target_entry in _mentions(
        [(story.body, story.body_span, 0), *_snippet_texts(story.snippets())], resolver, found
    ):
        out.wikilinks.append((target, target_entry.key))
        if target_entry.key not in seen:
            seen.add(target_entry.key)
            out.backlinks.append((target_entry.key, "mention"))
    return out


def _link_updates(linked: Linked, resolver: Resolver, diagnostics: Diagnostics) -> None:
    """The update log's ``about`` references, citations and wikilinks (an update makes no backlink)."""
    for update in linked.content.updates:
        for ref in update.about:
            found = _resolve(ref, ANY_KIND, "about", resolver, diagnostics)
            if found is not None:
                linked.updates_about[found.key].append(update)
        _cite(update.sources, linked.sources, linked.content.unreadable, diagnostics)
        for target, target_entry in _mentions(_snippet_texts([update.summary]), resolver, diagnostics):
            linked.wikilinks[target] = target_entry


def _resolve(ref: Ref, collection: str, attribute: str, resolver: Resolver, diagnostics: Diagnostics) -> Entry | None:
    if collection == ANY_KIND:
        found, problem, hint = resolver.by_kind_slug(ref.target)
    else:
        found, problem, hint = resolver.in_collection(ref.target, collection)
    ref.entry = found
    if problem:
        diagnostics.error(ref.span, f"in '{attribute}': {problem}", hint)
    return found


def _cite(
    refs: list[Ref], sources: dict[str, Source], unreadable: AbstractSet[str], diagnostics: Diagnostics
) -> list[str]:
    """The ids of the known sources ``refs`` name; an unknown one is reported (unless sources.yml, or that source,
    could not be read)."""
    known = []
    for ref in refs:
        if ref.target in sources:
            known.append(ref.target)
        elif "sources" not in unreadable and f"sources/{ref.target}" not in unreadable:
            hint = _did_you_mean(
                ref.target, list(sources), "sources", f"add an item with id: {ref.target} to content/sources.yml"
            )
            diagnostics.error(ref.span, f"unknown source '{ref.target}'", hint)
    return known


def _mentions(
    texts: list[tuple[str, Span | None, int]], resolver: Resolver, diagnostics: Diagnostics
) -> Iterator[tuple[str, Entry]]:
    for text, start, indent in texts:
        yield from _body_links(text, start, indent, resolver, diagnostics)


def _retimed(timeline: list[Event], replaced: list[tuple[Entry, Entry]]) -> list[Event] | None:
    """``timeline`` with each replaced event (new, was) in its place, when none has moved (else None)."""
    moved: dict[int, Event] = {}
    for entry, was in replaced:
        if isinstance(entry, Event) and isinstance(was, Event):
            if (entry.date is None) != (was.date is None):
                return None
            if entry.date is not None and was.date is not None and entry.timeline_key != was.timeline_key:
                return None
            moved[id(was)] = entry
    return [moved.get(id(event), event) for event in timeline] if moved else list(timeline)


def _timeline(entries: list[Entry]) -> list[Event]:
    events = [entry for entry in entries if isinstance(entry, Event) and entry.date is not None]
    return sorted(events, key=lambda event: event.timeline_key)


def _snippet_texts(snippets: list[Snippet]) -> list[tuple[str, Span | None, int]]:
    return [(snippet.text, snippet.span, snippet.indent) for snippet in snippets]


def _body_links(
    body: str, start: Span | None, indent: int, resolver: Resolver, diagnostics: Diagnostics
) -> Iterator[tuple[str, Entry]]:
    if not body or start is None:
        return
    for target, _shown, span in find_wikilinks(body, start, indent):
        found, problem, hint = resolver.wikilink(target)
        if problem:
            diagnostics.error(span, problem, hint)
        elif found is not None:
            yield target, found


def _unique_entries(content: Content, diagnostics: Diagnostics) -> list[Entry]:
    return list(
        _first_of_each(
            content.all_entries(),
            lambda e: e.key,
            lambda e: f"{e.kind} slug '{e.slug}'",
            "rename one of them; every slug must be unique in its kind",
            diagnostics,
        ).values()
    )


def _unique_sources(content: Content, diagnostics: Diagnostics) -> dict[str, Source]:
    return _first_of_each(
        content.sources, lambda s: s.id, lambda s: f"source id '{s.id}'", "give every source its own id", diagnostics
    )


def _first_of_each(
    items: list[Item], key: Callable[[Item], str], describe: Callable[[Item], str], hint: str, diagnostics: Diagnostics
) -> dict[str, Item]:
    """Keep the first item per key; report every later one with both places."""
    kept: dict[str, Item] = {}
    for item in items:
        first = kept.get(key(item))
        if first is None:
            kept[key(item)] = item
        else:
            diagnostics.error(
                item.span, f"duplicate {describe(item)}: it is also defined at {first.span.display()}", hint
            )
    return kept
