"""Typed entries built from located YAML, one class per kind of entry.

Each kind declares its fields once (:data:`SCHEMAS`); the same declaration
drives conversion, "unknown field" hints, required-field errors and the
scaffolding of new files, so the content format lives in one place.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from explainer.dates import FORMS, DateFormatError, PartialDate, parse_date
from explainer.diagnostics import Diagnostics, Span
from explainer.slugs import MAX_SLUG_LENGTH, is_valid_slug, slugify
from explainer.yamlsource import Node

# The four collections, in the order the site presents them.
COLLECTIONS = ("people", "events", "claims", "questions")
SINGULAR = {"people": "person", "events": "event", "claims": "claim", "questions": "question"}
# other names writers reach for, mapped to the collection they mean
COLLECTION_NAMES = {**{name: name for name in COLLECTIONS}, **{v: k for k, v in SINGULAR.items()},
                    "persons": "people", "timeline": "events", "sources": "sources"}


def likely_collection(name: str) -> str | None:
    """The collection a misspelled or singular kind most likely means."""
    name = name.lower().removesuffix(".md").removesuffix(".yml").removesuffix(".yaml")
    if name in COLLECTION_NAMES:
        return COLLECTION_NAMES[name]
    close = difflib.get_close_matches(name, list(COLLECTION_NAMES), n=1, cutoff=0.6)
    return COLLECTION_NAMES[close[0]] if close else None

PERSON_KINDS = ("person", "group", "organization")
CLAIM_STATUSES = ("unverified", "disputed", "supported", "confirmed", "false", "retracted")
QUESTION_STATUSES = ("open", "answered")


@dataclass
class Located:
    """Anything read from a file: where it starts and where each field's value is."""

    span: Span
    spans: dict[str, Span] = field(default_factory=dict, kw_only=True)
    failed: frozenset[str] = field(default=frozenset(), kw_only=True)  # fields written but not readable

    def field_span(self, name: str) -> Span:
        """Where a field's value was written, else where the item starts."""
        return self.spans.get(name, self.span)


@dataclass
class Ref:
    """A reference as written; the linker fills in ``entry`` once it resolves."""

    target: str
    span: Span
    entry: "Entry | None" = None


@dataclass
class Entry(Located):
    """What every person, event, claim and question has in common."""

    collection: str
    slug: str
    body: str = ""
    body_span: Span | None = None  # where the body's first character is
    body_indent: int = 0  # columns every body line is indented by (YAML block text)
    updated: PartialDate | None = None
    sources: list[Ref] = field(default_factory=list)
    order: tuple = ()

    @property
    def title(self) -> str:
        raise NotImplementedError

    @property
    def kind(self) -> str:
        """The singular name of the collection ("person", "claim")."""
        return SINGULAR[self.collection]

    @property
    def key(self) -> str:
        """``kind/slug`` as used in ``about`` references and wikilinks."""
        return f"{self.collection}/{self.slug}"

    @property
    def url(self) -> str:
        return f"{self.collection}/{self.slug}/"

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Entry) and other.key == self.key


@dataclass(eq=False)
class Person(Entry):
    name: str = ""
    role: str = ""
    person_kind: str = "person"
    aliases: list[str] = field(default_factory=list)
    image: str | None = None
    image_alt: str | None = None
    links: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.name


@dataclass(eq=False)
class Event(Entry):
    event_title: str = ""
    date: PartialDate | None = None
    end_date: PartialDate | None = None
    place: str | None = None
    people: list[Ref] = field(default_factory=list)
    is_key: bool = False

    @property
    def title(self) -> str:
        return self.event_title

    @property
    def timeline_key(self) -> tuple:
        """Chronological position: a partial date sits late in its period, never after its end_date."""
        key = self.date.sort_key
        if self.end_date is not None:
            key = min(key, self.end_date.sort_key)
        return (key, self.order)


@dataclass(eq=False)
class Claim(Entry):
    claim: str = ""
    by: list[Ref] = field(default_factory=list)
    date: PartialDate | None = None
    status: str = "unverified"
    quote: str | None = None
    disputes: list[Ref] = field(default_factory=list)
    supports: list[Ref] = field(default_factory=list)
    about: list[Ref] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.claim


@dataclass(eq=False)
class Question(Entry):
    question: str = ""
    status: str = "open"
    answered: PartialDate | None = None
    about: list[Ref] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.question


@dataclass
class Source(Located):
    id: str
    title: str
    publisher: str | None = None
    url: str | None = None
    date: PartialDate | None = None

    @property
    def anchor(self) -> str:
        return f"source-{self.id}"


@dataclass
class Story(Located):
    title: str
    summary: str
    published: PartialDate
    updated: PartialDate | None = None
    byline: list[str] = field(default_factory=list)
    language: str = "en"
    body: str = ""
    body_span: Span | None = None


# --- field conversion -------------------------------------------------------


class FieldProblem(Exception):
    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


def as_text(node: Node) -> str:
    # text is taken as written, so `status: false` or `name: Yes` stay words
    if not node.is_scalar:
        raise FieldProblem("must be a piece of text", _scalar_hint(node))
    if node.value is None or not str(node.raw).strip():
        raise FieldProblem("is empty", "write the text after the colon, or remove the field if it is optional")
    return str(node.raw).strip()


def _scalar_hint(node: Node) -> str | None:
    if node.is_list:
        return "it is written as a list; give a single value"
    if node.is_map:
        return "it is written as a mapping; quote the text if it contains ': '"
    return None


def as_date(node: Node) -> PartialDate:
    text = as_text(node)
    try:
        return parse_date(text)
    except DateFormatError as exc:
        raise FieldProblem(f"has a bad date: {exc}", f"write the date as {FORMS}") from None


def as_bool(node: Node) -> bool:
    if not isinstance(node.value, bool):
        raise FieldProblem("must be true or false", "write true or false without quotes")
    return node.value


def as_text_list(node: Node) -> list[str]:
    return [as_text(item) for item in _items(node)]


def _items(node: Node) -> list[Node]:
    if node.value is None:
        return []
    if not node.is_list:
        example = node.raw if node.is_scalar else "..."
        raise FieldProblem("must be a list", f"write it as a list, for example [{example}]")
    return node.value


def as_refs(node: Node) -> list[Ref]:
    refs = []
    for item in _items(node):
        try:
            refs.append(Ref(as_text(item), item.span))
        except FieldProblem as problem:
            raise _at(problem, item) from None
    return refs


def as_links(node: Node) -> dict[str, str]:
    if node.value is None:
        return {}
    if not node.is_map:
        raise FieldProblem("must be a mapping of label to URL", "write one 'Label: https://...' per line")
    return {label: as_text(value) for label, value in node.value.items()}


def as_choice(choices: tuple[str, ...]) -> Callable[[Node], str]:
    def convert(node: Node) -> str:
        value = as_text(node)
        if value not in choices:
            close = difflib.get_close_matches(value.lower(), choices, n=1)
            hint = f"did you mean '{close[0]}'?" if close else None
            raise FieldProblem(f"is '{value}', which is not one of: {', '.join(choices)}", hint)
        return value
    return convert


class _Located(FieldProblem):
    def __init__(self, problem: FieldProblem, span: Span):
        super().__init__(problem.message, problem.hint)
        self.span = span


def _at(problem: FieldProblem, node: Node) -> _Located:
    return problem if isinstance(problem, _Located) else _Located(problem, node.span)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    convert: Callable[[Node], Any]
    required: bool = False
    attribute: str | None = None  # the Python attribute, when it differs from the field name
    help: str = ""  # placeholder text for scaffolding and docs


COMMON = (
    FieldSpec("updated", as_date, help="2021-10-22"),
    FieldSpec("sources", as_refs, help="[source-id]"),
)

SCHEMAS: dict[str, tuple[FieldSpec, ...]] = {
    "people": (
        FieldSpec("name", as_text, required=True),
        FieldSpec("role", as_text, required=True),
        FieldSpec("kind", as_choice(PERSON_KINDS), attribute="person_kind"),
        FieldSpec("aliases", as_text_list),
        FieldSpec("image", as_text),
        FieldSpec("image_alt", as_text),
        FieldSpec("links", as_links),
        *COMMON,
    ),
    "events": (
        FieldSpec("title", as_text, required=True, attribute="event_title"),
        FieldSpec("date", as_date, required=True),
        FieldSpec("end_date", as_date),
        FieldSpec("place", as_text),
        FieldSpec("people", as_refs),
        FieldSpec("key", as_bool, attribute="is_key"),
        *COMMON,
    ),
    "claims": (
        FieldSpec("claim", as_text, required=True),
        FieldSpec("by", as_refs, required=True),
        FieldSpec("date", as_date),
        FieldSpec("status", as_choice(CLAIM_STATUSES), required=True),
        FieldSpec("quote", as_text),
        FieldSpec("disputes", as_refs),
        FieldSpec("supports", as_refs),
        FieldSpec("about", as_refs),
        *COMMON,
    ),
    "questions": (
        FieldSpec("question", as_text, required=True),
        FieldSpec("status", as_choice(QUESTION_STATUSES)),
        FieldSpec("answered", as_date),
        FieldSpec("about", as_refs),
        *COMMON,
    ),
}

STORY_SCHEMA = (
    FieldSpec("title", as_text, required=True),
    FieldSpec("summary", as_text, required=True),
    FieldSpec("published", as_date, required=True),
    FieldSpec("updated", as_date),
    FieldSpec("byline", as_text_list),
    FieldSpec("language", as_text),
)

SOURCE_SCHEMA = (
    FieldSpec("id", as_text, required=True),
    FieldSpec("title", as_text, required=True),
    FieldSpec("publisher", as_text),
    FieldSpec("url", as_text),
    FieldSpec("date", as_date),
)

ENTRY_CLASSES: dict[str, type[Entry]] = {"people": Person, "events": Event, "claims": Claim, "questions": Question}

# The field whose text names an entry, used to make slugs in YAML lists.
TITLE_FIELDS = {"people": "name", "events": "title", "claims": "claim", "questions": "question"}


def convert_fields(mapping: Node, schema: tuple[FieldSpec, ...], where: str, diagnostics: Diagnostics,
                   extra: tuple[str, ...] = (), extra_hint: str | None = None) -> dict[str, Any] | None:
    """Check a mapping against a schema and return attribute values.

    Every problem is recorded; None is returned only when the mapping could
    not be read at all, so other fields are still checked after one fails.
    """
    if not mapping.is_map:
        diagnostics.error(mapping.span, f"{where} must be a mapping of field: value",
                          "write one 'field: value' per line")
        return None
    known = {spec.name: spec for spec in schema}
    values: dict[str, Any] = {}
    for name, node in mapping.value.items():
        if name in extra:
            continue
        spec = known.get(name)
        key_span = node.key_span or node.span
        if spec is None:
            close = difflib.get_close_matches(name, [*known, *extra], n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"known fields are: {', '.join(known)}"
            if name in ("slug", "body") and extra_hint:
                hint = extra_hint
            diagnostics.error(key_span, f"unknown field '{name}' in {where}", hint)
            continue
        try:
            value = spec.convert(node)
            if spec.required and value in ([], {}):
                raise FieldProblem("is empty", f"give at least one value, e.g. {spec.name}: [slug]")
            values[spec.attribute or spec.name] = value
        except _Located as problem:
            diagnostics.error(problem.span, f"'{name}' {problem.message}", problem.hint)
        except FieldProblem as problem:
            diagnostics.error(node.span, f"'{name}' {problem.message}", problem.hint)
    for spec in schema:
        if spec.required and spec.name not in mapping.value:
            diagnostics.error(mapping.span, f"{where} is missing the required field '{spec.name}'",
                              f"add a line '{spec.name}: ...'")
    return values


def entry_slug(collection: str, mapping: Node, path: Path, in_list: bool, diagnostics: Diagnostics) -> str | None:
    """The slug: the file name for Markdown, else ``slug`` or the slugified title."""
    if not in_list:
        slug = path.stem
        if not is_valid_slug(slug):
            diagnostics.error(Span(path, 1, 1), f"file name '{path.name}' is not a valid slug",
                              f"use lowercase letters, digits and hyphens, e.g. '{slugify(slug) or 'my-entry'}.md'")
            return None
        if len(slug) > MAX_SLUG_LENGTH:
            diagnostics.error(Span(path, 1, 1), f"file name is {len(slug)} characters long; a slug may have at most "
                              f"{MAX_SLUG_LENGTH}", f"rename the file to a shorter slug, e.g. '{_shortened(slug)}.md'")
            return None
        return slug
    values = mapping.value if mapping.is_map else {}
    slug_node = values.get("slug")
    if slug_node is not None:
        slug = str(slug_node.raw or "").strip() if slug_node.is_scalar else ""
        if len(slug) > MAX_SLUG_LENGTH:
            diagnostics.error(slug_node.span, f"slug is {len(slug)} characters long; the limit is {MAX_SLUG_LENGTH}",
                              f"use a shorter slug, e.g. '{_shortened(slugify(slug))}'")
            return None
        if not is_valid_slug(slug):
            diagnostics.error(slug_node.span, f"slug '{slug}' is not valid",
                              f"use lowercase letters, digits and hyphens, e.g. '{slugify(slug) or 'my-entry'}'")
            return None
        return slug
    title_node = values.get(TITLE_FIELDS[collection])
    if title_node is not None and title_node.is_scalar and title_node.raw:
        slug = slugify(title_node.raw)
        if len(slug) > MAX_SLUG_LENGTH:
            diagnostics.error(title_node.span, f"this {TITLE_FIELDS[collection]} is too long to make a slug from "
                              f"({len(slug)} characters; the limit is {MAX_SLUG_LENGTH})",
                              f"add a shorter slug field, e.g. slug: {_shortened(slug)}")
            return None
        if slug:
            return slug
        diagnostics.error(title_node.span, f"cannot make a slug from '{title_node.raw}'",
                          "add a 'slug' field of lowercase letters, digits and hyphens")
    return None


def _shortened(slug: str, length: int = 60) -> str:
    """A slug cut at a hyphen to about ``length`` characters, for hints."""
    if len(slug) <= length:
        return slug or "my-entry"
    cut = slug[:length].rsplit("-", 1)[0]
    return cut or slug[:length]


def build_entry(collection: str, mapping: Node, path: Path, body: str, body_span: Span | None,
                in_list: bool, order: tuple, diagnostics: Diagnostics) -> Entry | None:
    """Turn one located mapping into a typed entry, recording every problem."""
    where = f"this {SINGULAR[collection]}"
    extra = ("slug", "body") if in_list else ()
    hint = None if in_list else "in a Markdown file the slug is the file name and the body follows the closing ---"
    values = convert_fields(mapping, SCHEMAS[collection], where, diagnostics, extra, hint)
    slug = entry_slug(collection, mapping, path, in_list, diagnostics)
    if values is None or slug is None:
        return None
    body_indent = 0
    if in_list and "body" in mapping.value:
        body_node = mapping.value["body"]
        if body_node.is_scalar and body_node.value is not None:
            body = str(body_node.raw)
            body_span = body_node.text_span
            body_indent = body_node.indent
        elif not body_node.is_scalar:
            diagnostics.error(body_node.span, "'body' must be Markdown text", "use 'body: |' and indent the text")
    cls = ENTRY_CLASSES[collection]
    span = Span(path, 1, 1) if not in_list else mapping.span
    known = {spec.name: spec.attribute or spec.name for spec in SCHEMAS[collection]}
    failed = frozenset(name for name in mapping.value if name in known and known[name] not in values)
    return cls(collection=collection, slug=slug, span=span, body=body, body_span=body_span,
               body_indent=body_indent, order=order, spans=_field_spans(mapping), failed=failed, **values)


def build_source(mapping: Node, diagnostics: Diagnostics) -> Source | None:
    values = convert_fields(mapping, SOURCE_SCHEMA, "this source", diagnostics)
    if values is None or "id" not in values or "title" not in values:
        return None
    return Source(span=mapping.span, spans=_field_spans(mapping), **values)


def build_story(mapping: Node, path: Path, body: str, body_span: Span, diagnostics: Diagnostics) -> Story | None:
    values = convert_fields(mapping, STORY_SCHEMA, "the story", diagnostics,
                            extra_hint="the story's narrative is the Markdown after the closing ---")
    if values is None or not {"title", "summary", "published"} <= values.keys():
        return None
    return Story(span=Span(path, 1, 1), spans=_field_spans(mapping), body=body, body_span=body_span, **values)


def _field_spans(mapping: Node) -> dict[str, Span]:
    return {name: node.span for name, node in mapping.value.items()}
