"""Resolve every reference and compute the backlinks (the "link" stage).

References come in two shapes: typed fields in front matter (``by``,
``people``, ``about``...) and ``[[wikilinks]]`` in Markdown bodies. Both are
resolved here, once, so rendering never meets an unknown target.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field

from explainer.diagnostics import Diagnostics, Span
from explainer.model import (COLLECTIONS, SINGULAR, Claim, Entry, Event, Person, Question, Ref, Source, Story,
                              likely_collection)
from explainer.reader import Content
from explainer.slugs import slugify

# A wikilink may wrap onto the next line, as editors wrap prose, but not cross a blank line.
WIKILINK = re.compile(r"\[\[((?:[^\[\]\n]|\n(?![ \t]*\n))+?)\]\]")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+)(?:(?!\n[ \t]*\n).)+?\1", re.S)

STORY = "story"  # the relation source used for mentions in the story narrative


@dataclass(frozen=True)
class Backlink:
    """``source`` refers to an entry through ``relation``; None means the story overview."""

    source: Entry | None
    relation: str  # people, by, disputes, supports, about, mention


@dataclass
class Linked:
    """The content with every reference resolved, ready for page planning."""

    content: Content
    by_key: dict[str, Entry]
    sources: dict[str, Source]
    incoming: dict[str, list[Backlink]] = field(default_factory=lambda: defaultdict(list))
    citations: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    wikilinks: dict[str, Entry] = field(default_factory=dict)  # target text -> entry
    timeline: list[Event] = field(default_factory=list)

    def backlinks(self, entry: Entry) -> list[Backlink]:
        return self.incoming.get(entry.key, [])


def normalise_name(text: str) -> str:
    return " ".join(text.split()).casefold()


class Resolver:
    """Finds the entry a reference means, or explains why it cannot."""

    def __init__(self, entries: list[Entry], unreadable: set[str] = frozenset()):
        # keys of entries (or whole collections) that failed to read: their own error
        # says what is wrong, so references to them are not reported again
        self.unreadable = unreadable
        self.by_key: dict[str, Entry] = {}
        self.by_slug: dict[str, list[Entry]] = defaultdict(list)
        self.by_name: dict[str, list[Entry]] = defaultdict(list)
        for entry in entries:  # unique by key already
            self.by_key[entry.key] = entry
            self.by_slug[entry.slug].append(entry)
            names = {normalise_name(name) for name in [entry.title, *(entry.aliases if isinstance(entry, Person) else [])]}
            for name in sorted(names):
                self.by_name[name].append(entry)

    def in_collection(self, target: str, collection: str) -> tuple[Entry | None, str | None, str | None]:
        """A bare slug of one kind (``by: [alec-baldwin]``)."""
        slug = target.removeprefix(f"{collection}/")
        entry = self.by_key.get(f"{collection}/{slug}")
        if entry is not None or f"{collection}/{slug}" in self.unreadable or collection in self.unreadable:
            return entry, None, None
        kind = SINGULAR[collection]
        elsewhere = [e.key for e in self.by_slug.get(slug, [])]
        if elsewhere:
            return None, f"'{target}' is not a {kind}; it is {_a(elsewhere[0])}", f"only {collection} slugs belong here"
        slugs = [e.slug for e in self.by_key.values() if e.collection == collection]
        return None, f"unknown {kind} '{target}'", _did_you_mean(
            slug, slugs, collection, f"add content/{collection}/{slug or 'slug'}.md")

    def by_kind_slug(self, target: str) -> tuple[Entry | None, str | None, str | None]:
        """A ``kind/slug`` reference (``about: [people/alec-baldwin]``)."""
        if "/" not in target:
            matches = self.by_slug.get(target, [])
            hint = (f"write it as {' or '.join(e.key for e in matches)}" if matches
                    else "write it as kind/slug, e.g. people/" + (target or "name"))
            return None, f"'{target}' needs its kind: about takes kind/slug", hint
        collection, _, slug = target.partition("/")
        if collection not in COLLECTIONS:
            meant = likely_collection(collection)
            hint = (f"did you mean '{meant}/{slug}'?" if meant in COLLECTIONS
                    else f"the kinds are: {', '.join(COLLECTIONS)}")
            return None, f"unknown kind '{collection}' in '{target}'", hint
        return self.in_collection(slug, collection)

    def wikilink(self, target: str) -> tuple[Entry | None, str | None, str | None]:
        """``[[slug]]``, ``[[kind/slug]]`` or ``[[Name or alias]]``."""
        target = target.strip()
        if "/" in target:
            return self.by_kind_slug(target)
        for candidates in (self.by_slug.get(target, []), self.by_name.get(normalise_name(target), []),
                           self.by_slug.get(slugify(target), [])):
            if len(candidates) == 1:
                return candidates[0], None, None
            if len(candidates) > 1:
                keys = sorted(entry.key for entry in candidates)
                return None, f"[[{target}]] is ambiguous: it could be {', '.join(keys)}", \
                    f"write one of [[{']], [['.join(keys)}]]"
        if any(key.endswith("/" + slugify(target)) for key in self.unreadable):
            return None, None, None
        known = [*self.by_key, *(e.slug for e in self.by_key.values()),
                 *(e.title for e in self.by_key.values())]
        close = difflib.get_close_matches(target, known, n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(f'[[{c}]]' for c in close)}?" if close else \
            "link to a slug, kind/slug, or an entry's name, title or alias"
        return None, f"[[{target}]] does not match any entry", hint


def _a(key: str) -> str:
    kind = SINGULAR[key.split("/")[0]]
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


@functools.lru_cache(maxsize=65536)  # bodies rarely change between rebuilds
def find_wikilinks(body: str, start: Span, indent: int = 0) -> list[tuple[str, str | None, Span]]:
    """Every ``[[target|text]]`` outside code, with the position of its target.

    Fenced blocks and backtick spans are blanked out first, as Markdown shows
    them literally; ``start`` is where the body begins in its file, and
    ``indent`` how far a YAML block indents each of its lines.
    """
    lines = body.split("\n")
    fence: str | None = None
    for number, line in enumerate(lines):
        opening = FENCE.match(line)
        if fence is not None:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            lines[number] = " " * len(line)
        elif opening:
            fence = opening.group(1)
            lines[number] = " " * len(line)
    visible = CODE_SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), "\n".join(lines))
    found = []
    for match in WIKILINK.finditer(visible):
        target, shown = split_wikilink(match.group(1))
        offset = match.start() + 2
        line_index = visible.count("\n", 0, offset)
        column = offset - (visible.rfind("\n", 0, offset) + 1) + 1
        column += start.column - 1 if line_index == 0 else indent
        found.append((target, shown, Span(start.path, start.line + line_index, column)))
    return found


def wikilink_targets(item: Entry | Story) -> list[str]:
    """The targets of an entry's (or the story's) wikilinks, from the cached scan the linker made."""
    if not item.body or item.body_span is None:
        return []
    indent = item.body_indent if isinstance(item, Entry) else 0
    return [target for target, _shown, _span in find_wikilinks(item.body, item.body_span, indent)]


TYPED_FIELDS: dict[type, tuple[tuple[str, str | None], ...]] = {
    # attribute, and the collection its references must name (None: kind/slug)
    Person: (),
    Event: (("people", "people"),),
    Claim: (("by", "people"), ("disputes", "claims"), ("supports", "claims"), ("about", None)),
    Question: (("about", None),),
}


def link(content: Content, diagnostics: Diagnostics) -> Linked:
    """Resolve references, report the broken ones, and gather backlinks."""
    entries = _unique_entries(content, diagnostics)
    sources = _unique_sources(content, diagnostics)
    resolver = Resolver(entries, content.unreadable)
    linked = Linked(content, resolver.by_key, sources)

    seen: set[tuple[str, str, str]] = set()
    cited: set[tuple[str, str]] = set()

    def add(target: Entry | None, source: Entry | None, relation: str) -> None:
        if target is None or target is source:
            return
        marker = (target.key, source.key if source is not None else STORY, relation)
        if marker not in seen:
            seen.add(marker)
            linked.incoming[target.key].append(Backlink(source, relation))

    for entry in entries:
        for attribute, collection in TYPED_FIELDS[type(entry)]:
            for ref in getattr(entry, attribute):
                if collection is None:
                    found, problem, hint = resolver.by_kind_slug(ref.target)
                else:
                    found, problem, hint = resolver.in_collection(ref.target, collection)
                ref.entry = found
                if problem:
                    diagnostics.error(ref.span, f"in '{attribute}': {problem}", hint)
                add(found, entry, attribute)
        for ref in entry.sources:
            source = sources.get(ref.target)
            if source is None and "sources" not in content.unreadable:
                hint = _did_you_mean(ref.target, list(sources), "sources",
                                     f"add an item with id: {ref.target} to content/sources.yml")
                diagnostics.error(ref.span, f"unknown source '{ref.target}'", hint)
            elif source is not None and (source.id, entry.key) not in cited:
                cited.add((source.id, entry.key))
                linked.citations[source.id].append(entry)
        for target, found in _body_links(entry.body, entry.body_span, entry.body_indent, resolver, diagnostics):
            linked.wikilinks[target] = found
            add(found, entry, "mention")
    story = content.story
    if story is not None:
        for target, found in _body_links(story.body, story.body_span, 0, resolver, diagnostics):
            linked.wikilinks[target] = found
            add(found, None, "mention")
    events = [entry for entry in entries if isinstance(entry, Event) and entry.date is not None]
    linked.timeline = sorted(events, key=lambda event: event.timeline_key)
    return linked


def _body_links(body: str, start: Span | None, indent: int, resolver: Resolver, diagnostics: Diagnostics):
    if not body or start is None:
        return
    for target, _shown, span in find_wikilinks(body, start, indent):
        found, problem, hint = resolver.wikilink(target)
        if problem:
            diagnostics.error(span, problem, hint)
        elif found is not None:
            yield target, found


def _unique_entries(content: Content, diagnostics: Diagnostics) -> list[Entry]:
    return list(_first_of_each(content.all_entries(), lambda e: e.key, lambda e: f"{e.kind} slug '{e.slug}'",
                               "rename one of them; every slug must be unique in its kind", diagnostics).values())


def _unique_sources(content: Content, diagnostics: Diagnostics) -> dict[str, Source]:
    return _first_of_each(content.sources, lambda s: s.id, lambda s: f"source id '{s.id}'",
                          "give every source its own id", diagnostics)


def _first_of_each(items: list, key, describe, hint: str, diagnostics: Diagnostics) -> dict:  # noqa: ANN001
    """Keep the first item per key; report every later one with both places."""
    kept: dict = {}
    for item in items:
        first = kept.get(key(item))
        if first is None:
            kept[key(item)] = item
        else:
            diagnostics.error(item.span, f"duplicate {describe(item)}: it is also defined at {first.span.display()}",
                              hint)
    return kept
