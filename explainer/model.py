"""Typed entries built from located YAML, one class per kind of entry.

Each kind of entry is declared once, as a :class:`Kind` in :data:`KINDS`: its
class (with its own rules, ``check``), its fields, its title field, its
reference fields, its URLs, templates and labels. Conversion, "unknown field"
hints, required-field errors, linking, page planning, the scaffolding of new
files, the docs' field tables and the JSON schema all derive from it, so the
content format lives in one place.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from explainer.dates import FORMS, DateFormatError, PartialDate, parse_date
from explainer.diagnostics import Diagnostics, Span
from explainer.i18n import N_, _, labelled, shortened
from explainer.slugs import MAX_SLUG_LENGTH, is_valid_slug, slugify
from explainer.statuses import CLAIM_STATUS_IDS, ID_PATTERN, QUESTION_STATUS_IDS
from explainer.yamlsource import Node, kind_problem, path_kind

ANY_KIND = "*"  # a reference field that takes kind/slug (about)
SOURCES = "sources"  # a reference field that takes source ids


def collection_names() -> dict[str, str]:
    """Every name writers reach for (plural, singular, common slips), mapped to the collection it means."""
    names = {SOURCES: SOURCES, "persons": "people", "timeline": "events"}
    for kind in KINDS.values():
        names[kind.collection] = names[kind.singular] = kind.collection
    return names


def likely_collection(name: str) -> str | None:
    """The collection a misspelled or singular kind most likely means."""
    name = name.lower().removesuffix(".md").removesuffix(".yml").removesuffix(".yaml")
    names = collection_names()
    if name in names:
        return names[name]
    close = difflib.get_close_matches(name, list(names), n=1, cutoff=0.6)
    return names[close[0]] if close else None


PERSON_KINDS = ("person", "group", "organization")
PERSON_KIND_LABELS = {"person": N_("Person"), "group": N_("Group"), "organization": N_("Organization")}
CLAIM_STATUSES = CLAIM_STATUS_IDS  # the built-in ones; explainer.yml's claim_statuses may add more
QUESTION_STATUSES = QUESTION_STATUS_IDS
SHORT_CLAIM = 70  # a claim in a browser tab's title: cut at a word near this many characters (when 15 more)


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
    entry: Entry | None = field(default=None, metadata={"linked": True})  # not stored in the build cache


@dataclass
class Entry(Located):
    """What every person, event, claim and question has in common."""

    _identity_prefix: ClassVar[str] = ""  # found again by its key (see explainer.dependencies)

    collection: str
    slug: str
    body: str = ""
    body_span: Span | None = None  # where the body's first character is
    body_indent: int = 0  # columns every body line is indented by (YAML block text)
    updated: PartialDate | None = None
    sources: list[Ref] = field(default_factory=list)
    summary: str | None = None
    corrections: list[Correction] = field(default_factory=list)
    weight: int | None = None
    order: tuple = ()

    @property
    def title(self) -> str:
        raise NotImplementedError

    @property
    def display_title(self) -> str:
        """The title readers see in tabs, headings, breadcrumbs, feeds and shares (a claim says who makes it)."""
        return self.title

    def snippets(self) -> list[Snippet]:
        """Every short Markdown text the entry holds besides its body (wikilinks are found in these too)."""
        return [correction.text for correction in self.corrections]

    @property
    def kind(self) -> str:
        """The singular name of the collection ("person", "claim")."""
        return KINDS[self.collection].singular

    @property
    def kind_label(self) -> str:
        """The plural noun readers know the kind by ("People", "Claims"), as in headings and the search filter."""
        return _(KINDS[self.collection].label)

    @property
    def kind_word(self) -> str:
        """The kind as a page's kicker, cards and share images name it, singular ("Claim"; a person's "Group")."""
        return _(self.kind.capitalize())

    def check(self, project: Path, diagnostics: Diagnostics) -> None:
        """Rules between this entry's own fields, once references are resolved (the validate stage)."""

    @property
    def key(self) -> str:
        """``kind/slug`` as used in ``about`` references and wikilinks."""
        return f"{self.collection}/{self.slug}"

    @property
    def path(self) -> str:
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

    @property
    def kind_word(self) -> str:
        return _(PERSON_KIND_LABELS[self.person_kind])

    def check(self, project: Path, diagnostics: Diagnostics) -> None:
        if self.image is not None:
            if not self.image_alt:
                diagnostics.error(
                    self.field_span("image"),
                    f"{self.name} has an image but no image_alt",
                    "describe the picture for readers who cannot see it: image_alt: ...",
                )
            content_dir = (project / "content").resolve()
            image = (content_dir / self.image).resolve()
            if not image.is_relative_to(content_dir):
                diagnostics.error(
                    self.field_span("image"),
                    f"image '{self.image}' lies outside content/",
                    "keep images inside the content folder, e.g. images/name.jpg",
                )
            elif (found := path_kind(image)) == "missing":
                diagnostics.warning(
                    self.field_span("image"),
                    f"image '{self.image}' does not exist",
                    "give a path relative to content/, e.g. images/name.jpg",
                )
            elif found != "file":
                message, hint = kind_problem(image, found)
                diagnostics.error(self.field_span("image"), f"image {message}", hint)
        for url in self.links.values():
            check_url(url, self.field_span("links"), diagnostics)


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
    def start(self) -> PartialDate:
        """The date, which is required: only events with one reach the timeline and the pages."""
        if self.date is None:
            raise LookupError(f"event '{self.slug}' has no date")
        return self.date

    @property
    def timeline_key(self) -> tuple:
        """Chronological position: a partial date sits late in its period, never after its end_date."""
        key = self.date.sort_key if self.date is not None else ()
        if self.end_date is not None:
            key = min(key, self.end_date.sort_key)
        return (key, self.order)

    def check(self, project: Path, diagnostics: Diagnostics) -> None:
        if self.date and self.end_date and self.end_date.ends_before(self.date):
            diagnostics.error(
                self.field_span("end_date"),
                f"end_date {self.end_date.text} is before date {self.date.text}",
                "swap them, or correct the end date",
            )
        if not self.people and "people" not in self.failed:  # a broken field has its own error
            diagnostics.warning(
                self.span,
                f"event '{self.slug}' names no people",
                "add people: [slug, ...] so readers see who was involved",
            )


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
    status_history: list[StatusChange] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.claim

    @property
    def claimants(self) -> str:
        """Who makes the claim, as readers read it: "Alec Baldwin", "A and B", "A, B and C"."""
        names = [ref.entry.title for ref in self.by if ref.entry is not None] or [ref.target for ref in self.by]
        if len(names) < 2:
            return names[0] if names else ""
        return _("%(names)s and %(last)s", names=", ".join(names[:-1]), last=names[-1])

    @property
    def said_by_many(self) -> bool:
        """Whether the claim's speakers take "say" rather than "says": several, or a group."""
        return len(self.by) > 1 or any(
            isinstance(ref.entry, Person) and ref.entry.person_kind == "group" for ref in self.by
        )

    @property
    def attribution(self) -> str:
        """ "Alec Baldwin says" / "The crew who quit say": a claim is never the site's own statement."""
        if not self.by:
            return _("Claimed")
        return (
            _("%(names)s say", names=self.claimants) if self.said_by_many else _("%(names)s says", names=self.claimants)
        )

    @property
    def short_title(self) -> str:
        """:attr:`display_title` with the claim cut at a word near ``SHORT_CLAIM`` characters, for the browser tab
        (the heading, the breadcrumb, shares and search results keep it whole)."""
        claim = self.claim if len(self.claim) <= SHORT_CLAIM + 15 else shortened(self.claim, SHORT_CLAIM)
        return labelled(self.attribution, claim)  # (a claim a few words over is not cut for so little)

    @property
    def display_title(self) -> str:
        """Who says it, then the claim, as the page's heading reads: one name for a claim everywhere (its exact
        words, ``quote``, are shown as a quotation on its page)."""
        return labelled(self.attribution, self.claim)

    def snippets(self) -> list[Snippet]:
        return [*super().snippets(), *(change.note for change in self.status_history if change.note)]

    def check(self, project: Path, diagnostics: Diagnostics) -> None:
        for attribute in ("disputes", "supports"):
            for ref in getattr(self, attribute):
                if ref.entry is self:
                    diagnostics.error(
                        ref.span, f"a claim cannot {attribute[:-1]} itself", f"remove '{self.slug}' from {attribute}"
                    )
        if not self.sources and "sources" not in self.failed:
            diagnostics.warning(
                self.span, f"claim '{self.slug}' cites no source", "add sources: [id] so readers can check it"
            )
        history = self.status_history
        for earlier, later in zip(history, history[1:], strict=False):
            if later.date.instant_key < earlier.date.instant_key:
                diagnostics.error(
                    later.field_span("date"),
                    f"status_history is out of date order: {later.date.text} is listed after {earlier.date.text}",
                    "list the verdicts oldest first, each with the date it was given",
                )
        # statuses themselves (known to the site, the history ending on the claim's) are checked where the
        # site's statuses are known: explainer.validate


@dataclass(eq=False)
class Question(Entry):
    question: str = ""
    status: str = "open"
    answered: PartialDate | None = None
    about: list[Ref] = field(default_factory=list)
    answer: Snippet | None = None

    @property
    def title(self) -> str:
        return self.question

    def snippets(self) -> list[Snippet]:
        return [*super().snippets(), *([self.answer] if self.answer else [])]

    def check(self, project: Path, diagnostics: Diagnostics) -> None:
        if self.status == "answered" and self.answered is None:
            diagnostics.error(
                self.field_span("status"),
                "an answered question needs the date it was answered",
                "add answered: YYYY-MM-DD",
            )
        if self.status == "open" and self.answered is not None and "status" not in self.failed:  # as written
            diagnostics.warning(
                self.field_span("answered"),
                "this question has an answered date but its status is open",
                "set status: answered, or remove answered",
            )
        if self.status == "answered" and self.answer is None and "answer" not in self.failed:
            diagnostics.warning(
                self.field_span("status"),
                "this question is answered but gives no answer",
                "add answer: one or two sentences readers see wherever the question is listed",
            )
        if self.question and not self.question.endswith("?"):
            diagnostics.error(
                self.field_span("question"), "a question must end with '?'", f"write it as: {self.question}?"
            )


SAFE_SCHEMES = ("http://", "https://")


def check_url(url: str, span: Span, diagnostics: Diagnostics) -> None:
    """Addresses writers give (links, sources) must be plain web addresses."""
    if not url.lower().startswith(SAFE_SCHEMES) or len(url) <= len("https://"):
        diagnostics.error(span, f"'{url}' is not an http or https address", "links must start with http:// or https://")


@dataclass
class Source(Located):
    _identity_prefix: ClassVar[str] = "source:"

    id: str
    title: str
    publisher: str | None = None
    url: str | None = None
    date: PartialDate | None = None
    note: str | None = None

    @property
    def anchor(self) -> str:
        return f"source-{self.id}"


@dataclass
class Story(Located):
    _identity_prefix: ClassVar[str] = "story"

    title: str
    summary: str
    published: PartialDate
    updated: PartialDate | None = None
    byline: list[str] = field(default_factory=list)
    language: str = "en"
    key_points: list[Snippet] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    body: str = ""
    body_span: Span | None = None

    def snippets(self) -> list[Snippet]:
        return [*self.key_points, *(correction.text for correction in self.corrections)]


# --- the living story: corrections, verdict changes, updates -----------------


@dataclass
class Snippet:
    """A short Markdown text held in a field (an answer, a correction, a note), with where it starts.

    ``indent`` is how far a YAML block scalar indents its lines, so a wikilink on a later line is
    reported at its real column."""

    text: str
    span: Span
    indent: int = 0

    def __str__(self) -> str:
        return self.text


@dataclass
class Correction(Located):
    """What was wrong and what is right, dated: never silent."""

    date: PartialDate
    text: Snippet


@dataclass
class StatusChange(Located):
    """One verdict in a claim's history: the status it took on a date, and why."""

    date: PartialDate
    status: str
    note: Snippet | None = None
    sources: list[Ref] = field(default_factory=list)


@dataclass
class Update(Located):
    """One item of the story's update log (``content/updates.yml``)."""

    date: PartialDate
    summary: Snippet
    about: list[Ref] = field(default_factory=list)
    sources: list[Ref] = field(default_factory=list)
    minor: bool = False
    order: int = 0  # position in the log, for a stable order and ids among updates of one date


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


def as_markdown(node: Node) -> Snippet:
    """Short Markdown text, kept with its position so its wikilinks are reported where they are."""
    return Snippet(as_text(node), node.text_span, node.indent)


def as_markdown_list(node: Node) -> list[Snippet]:
    snippets = []
    for item in _items(node):
        try:
            snippets.append(as_markdown(item))
        except FieldProblem as problem:
            raise _at(problem, item) from None
    return snippets


def as_whole_number(node: Node) -> int:
    if isinstance(node.value, bool) or not isinstance(node.value, int):
        raise FieldProblem("must be a whole number", "write a number such as 1, 10 or -5, without quotes")
    return node.value


@dataclass(frozen=True)
class Records:
    """A converter for a list of small mappings (corrections, a verdict history, updates).

    Every item is checked against its own fields; all problems are reported, each at its place."""

    schema: tuple[FieldSpec, ...]
    record_class: type[Located]
    where: str  # "this correction"

    def __call__(self, node: Node) -> list[Any]:
        found = Diagnostics()
        records = [self.build(item, found) for item in _items(node)]
        if found.items:
            raise FieldProblems(found)
        return [record for record in records if record is not None]

    def build(self, item: Node, diagnostics: Diagnostics) -> Any:
        values = convert_fields(item, self.schema, self.where, diagnostics)
        required = {spec.key for spec in self.schema if spec.required}
        if values is None or not required <= values.keys():
            return None
        return self.record_class(span=item.span, spans=_field_spans(item), **values)


@dataclass(frozen=True)
class Choice:
    """A converter for a field that takes one of a few words (the words are also the docs' and the schema's)."""

    choices: tuple[str, ...]

    def __call__(self, node: Node) -> str:
        value = as_text(node)
        if value not in self.choices:
            close = difflib.get_close_matches(value.lower(), self.choices, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"write one of those words, e.g. {self.choices[0]}"
            raise FieldProblem(f"is '{value}', which is not one of: {', '.join(self.choices)}", hint)
        return value


def as_choice(choices: tuple[str, ...]) -> Choice:
    return Choice(choices)


@dataclass(frozen=True)
class OpenChoice(Choice):
    """A word from a list a site may extend (a claim's status: ``claim_statuses`` in explainer.yml).

    Read as any well-formed id; whether the site knows it is checked in the validate stage, where the
    settings are known (:func:`explainer.validate.validate`). ``choices`` are the built-in words."""

    def __call__(self, node: Node) -> str:
        value = as_text(node)
        if not ID_PATTERN.match(value):
            close = difflib.get_close_matches(value.lower(), self.choices, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "a status is a lowercase word, e.g. unverified"
            raise FieldProblem(f"is '{value}', which is not a status id (lowercase letters, digits, hyphens)", hint)
        return value


class FieldProblems(FieldProblem):
    """Several problems inside one field's value (items of a list of mappings), each at its own place."""

    def __init__(self, diagnostics: Diagnostics):
        super().__init__("has problems")
        self.diagnostics = diagnostics


class _Located(FieldProblem):
    def __init__(self, problem: FieldProblem, span: Span):
        super().__init__(problem.message, problem.hint)
        self.span = span


def _at(problem: FieldProblem, node: Node) -> _Located:
    return problem if isinstance(problem, _Located) else _Located(problem, node.span)


@dataclass(frozen=True)
class FieldSpec:
    """One field of the content format: how it is read, and what writers are told about it."""

    name: str
    convert: Callable[[Node], Any]
    required: bool = False
    attribute: str | None = None  # the Python attribute, when it differs from the field name
    meaning: str = ""  # one line for the docs' field tables and the JSON schema
    refers_to: str | None = None  # a reference field: the collection it names, ANY_KIND or SOURCES
    scaffold: str | None = None  # the value a new file shows (commented out unless required or recommended)
    recommended: bool = False  # optional, but a build warns without it: new files ask for it

    @property
    def key(self) -> str:
        return self.attribute or self.name


CORRECTION_SCHEMA = (
    FieldSpec("date", as_date, required=True, meaning="when the correction was made"),
    FieldSpec("text", as_markdown, required=True, meaning="what was wrong and what is right, in Markdown"),
)
as_corrections = Records(CORRECTION_SCHEMA, Correction, "this correction")

STATUS_CHANGE_SCHEMA = (
    FieldSpec("date", as_date, required=True, meaning="when the verdict was given"),
    FieldSpec("status", OpenChoice(CLAIM_STATUSES), required=True, meaning="the verdict from that date on"),
    FieldSpec("note", as_markdown, meaning="one Markdown sentence: why"),
    FieldSpec("sources", as_refs, meaning="list of source ids", refers_to=SOURCES),
)

UPDATE_SCHEMA = (
    FieldSpec("date", as_date, required=True, meaning="date or datetime of the update (see [Dates](#dates))"),
    FieldSpec(
        "summary", as_markdown, required=True, meaning="one or two Markdown sentences: what is new (wikilinks allowed)"
    ),
    FieldSpec(
        "about",
        as_refs,
        refers_to=ANY_KIND,
        meaning="list of `kind/slug` references the update concerns (it then shows on their pages and feeds)",
    ),
    FieldSpec("sources", as_refs, meaning="list of source ids", refers_to=SOURCES),
    FieldSpec("minor", as_bool, meaning="`true`: listed on `/updates/` only, left out of what's new and the feeds"),
)
as_updates = Records(UPDATE_SCHEMA, Update, "this update")

COMMON = (
    FieldSpec(
        "summary",
        as_text,
        meaning="one plain line shown wherever the entry is listed (lists, search results, feeds, cards)",
        scaffold="One line readers see wherever it is listed",
    ),
    FieldSpec("updated", as_date, meaning="date of the entry's latest update", scaffold="YYYY-MM-DD"),
    FieldSpec("sources", as_refs, meaning="list of source ids", refers_to=SOURCES, scaffold="[source-id]"),
    FieldSpec(
        "corrections",
        as_corrections,
        meaning="list of `{date, text}`: what was wrong and what is right; shown on the page, on "
        "`/corrections/` and in the feeds",
    ),
    FieldSpec(
        "weight",
        as_whole_number,
        meaning="whole number: lower weights come first in lists not in date order, then the rest alphabetically",
    ),
)


@dataclass(frozen=True)
class Kind:
    """Everything about one kind of entry, declared once: the rest of the pipeline derives from it.

    Reading (fields, slugs from ``title_field``), linking (reference fields),
    validating (``entry_class.check``), planning pages (URLs, templates),
    rendering (labels), scaffolding, the docs' field tables and the JSON
    schema all read this declaration; a new kind is one :func:`register_kind`.
    """

    collection: str  # folder, YAML list file and URL prefix: "people"
    singular: str  # "person": `explainer new person`, feed titles, messages
    entry_class: type[Entry]
    fields: tuple[FieldSpec, ...]  # the kind's own fields; COMMON ones are added
    title_field: str  # the field that names an entry; YAML list slugs are made from it
    label: str  # "People": the plural noun, in headings and index titles
    nav_label: str = ""  # the navigation's word for the index page; default: the label
    description: str = ""  # the docs' heading, e.g. "People, groups and organizations"
    body: str = "in Markdown"  # what the Markdown body holds
    index_url: str = ""  # default: "<collection>/"
    index_title: str = ""  # default: the label
    index_template: str = "collection.html"
    entry_template: str = "entry.html"

    @property
    def all_fields(self) -> tuple[FieldSpec, ...]:
        return (*self.fields, *COMMON)

    @property
    def path(self) -> str:
        return self.index_url or f"{self.collection}/"

    @property
    def title(self) -> str:
        """The index page's title, in the site's language."""
        return _(self.index_title or self.label)

    @property
    def navigation(self) -> str:
        """The navigation's word for the index page, in the site's language."""
        return _(self.nav_label or self.label)

    def references(self) -> list[tuple[str, str]]:
        """(attribute, what it names) for every field that refers to other entries (sources aside)."""
        return [(spec.key, spec.refers_to) for spec in self.all_fields if spec.refers_to not in (None, SOURCES)]


KINDS: dict[str, Kind] = {}  # by collection, in the order the site presents them
COLLECTIONS = KINDS.keys()  # a live view: a kind registered later is included


def register_kind(kind: Kind) -> Kind:
    """Add a kind of entry to the content format."""
    if kind.collection in KINDS or kind.collection in (SOURCES, "story") or kind.singular in collection_names():
        raise ValueError(f"a kind named '{kind.collection}' or '{kind.singular}' already exists")
    if kind.title_field not in {spec.name for spec in kind.all_fields}:
        raise ValueError(f"{kind.collection}: title field '{kind.title_field}' is not one of its fields")
    KINDS[kind.collection] = kind
    return kind


register_kind(
    Kind(
        "people",
        "person",
        Person,
        (
            FieldSpec("name", as_text, required=True, meaning="display name", scaffold="{title}"),
            FieldSpec(
                "role",
                as_text,
                required=True,
                meaning="one line: who they are in this story",
                scaffold="One line on who they are in this story",
            ),
            FieldSpec(
                "kind",
                as_choice(PERSON_KINDS),
                attribute="person_kind",
                meaning="`person` (default), `group` or `organization`",
                scaffold="person",
            ),
            FieldSpec(
                "aliases", as_text_list, meaning="other names writers may use in wikilinks", scaffold="[Other name]"
            ),
            FieldSpec(
                "image",
                as_text,
                meaning="path under `content/` of a picture; published under `media/`",
                scaffold="images/name.jpg",
            ),
            FieldSpec(
                "image_alt",
                as_text,
                meaning="the picture described for readers who cannot see it (required when image is set)",
                scaffold="What the picture shows",
            ),
            FieldSpec("links", as_links, meaning="map of label to `http(s)` URL", scaffold="{Website: https://}"),
        ),
        title_field="name",
        label=N_("People"),
        description="People, groups and organizations",
        body="background, in Markdown",
        index_template="people.html",
        entry_template="person.html",
    )
)

register_kind(
    Kind(
        "events",
        "event",
        Event,
        (
            FieldSpec(
                "title",
                as_text,
                required=True,
                attribute="event_title",
                meaning="what happened, in a few words",
                scaffold="{title}",
            ),
            FieldSpec("date", as_date, required=True, meaning="see [Dates](#dates)", scaffold="{today}"),
            FieldSpec("end_date", as_date, meaning="same forms; must not be before `date`", scaffold="YYYY-MM-DD"),
            FieldSpec("place", as_text, meaning="where", scaffold="Where it happened"),
            FieldSpec(
                "people",
                as_refs,
                meaning="list of people slugs involved",
                refers_to="people",
                scaffold="[{person}]",
                recommended=True,
            ),
            FieldSpec(
                "key",
                as_bool,
                attribute="is_key",
                meaning="`true` puts the event on the story page's short timeline",
                scaffold="true",
            ),
        ),
        title_field="title",
        label=N_("Events"),
        nav_label=N_("Timeline"),
        description="Events",
        body="what happened, in Markdown",
        index_url="timeline/",
        index_title=N_("Timeline"),
        index_template="timeline.html",
        entry_template="event.html",
    )
)

register_kind(
    Kind(
        "claims",
        "claim",
        Claim,
        (
            FieldSpec("claim", as_text, required=True, meaning="the claim as one plain sentence", scaffold="{title}"),
            FieldSpec(
                "by",
                as_refs,
                required=True,
                refers_to="people",
                meaning="list of people slugs (a person, group or organization) who made it",
                scaffold="[{person}]",
            ),
            FieldSpec("date", as_date, meaning="when it was made", scaffold="YYYY-MM-DD"),
            FieldSpec(
                "status",
                OpenChoice(CLAIM_STATUSES),
                required=True,
                meaning="`unverified`, `disputed`, `supported`, `confirmed`, `false` or `retracted`, or a status "
                "added in `explainer.yml` (`claim_statuses`)",
                scaffold="unverified",
            ),
            FieldSpec(
                "quote", as_text, meaning="the exact words, when the claim is a quotation", scaffold="The exact words"
            ),
            FieldSpec(
                "disputes",
                as_refs,
                refers_to="claims",
                meaning='claim slugs this claim contradicts (shown on both: "Disputes" / "Disputed by")',
                scaffold="[claim-slug]",
            ),
            FieldSpec(
                "supports",
                as_refs,
                refers_to="claims",
                meaning='claim slugs this claim backs up (shown on both: "Supports" / "Supported by")',
                scaffold="[claim-slug]",
            ),
            FieldSpec(
                "about",
                as_refs,
                refers_to=ANY_KIND,
                meaning="list of `kind/slug` references the claim is about",
                scaffold="[events/slug]",
            ),
            FieldSpec(
                "status_history",
                Records(STATUS_CHANGE_SCHEMA, StatusChange, "this verdict"),
                meaning="list of `{date, status, note, sources}`, oldest first: each time the verdict changed and "
                "why; the last `status` must equal `status`",
            ),
        ),
        title_field="claim",
        label=N_("Claims"),
        description="Claims",
        body="context: what the evidence says",
        index_template="claims.html",
        entry_template="claim.html",
    )
)

register_kind(
    Kind(
        "questions",
        "question",
        Question,
        (
            FieldSpec("question", as_text, required=True, meaning="the question, ending in `?`", scaffold="{title}"),
            FieldSpec(
                "status", as_choice(QUESTION_STATUSES), meaning="`open` (default) or `answered`", scaffold="answered"
            ),
            FieldSpec(
                "answered", as_date, meaning="date answered; required when status is `answered`", scaffold="YYYY-MM-DD"
            ),
            FieldSpec(
                "about", as_refs, refers_to=ANY_KIND, meaning="list of `kind/slug` references", scaffold="[people/slug]"
            ),
            FieldSpec(
                "answer",
                as_markdown,
                meaning="one or two Markdown sentences: the answer as it stands, shown wherever the question is listed",
                scaffold="The answer as it stands, in a sentence or two",
            ),
        ),
        title_field="question",
        label=N_("Questions"),
        description="Questions",
        body="what is known so far, or the answer",
        index_template="questions.html",
        entry_template="question.html",
    )
)


STORY_SCHEMA = (
    FieldSpec("title", as_text, required=True, meaning="headline of the explainer"),
    FieldSpec("summary", as_text, required=True, meaning="one or two sentences: what this story is about"),
    FieldSpec("published", as_date, required=True, meaning="date first published"),
    FieldSpec("updated", as_date, meaning="date or datetime of the latest update"),
    FieldSpec("byline", as_text_list, meaning="list of author names"),
    FieldSpec("language", as_text, meaning="BCP 47 tag, default `en`"),
    FieldSpec(
        "key_points", as_markdown_list, meaning='list of 2–6 short Markdown sentences: "what we know", shown first'
    ),
    FieldSpec("corrections", as_corrections, meaning="list of `{date, text}`: corrections to the story itself"),
)

SOURCE_SCHEMA = (
    FieldSpec(
        "id", as_text, required=True, meaning="short identifier cited by entries: letters, digits, `-`, `_`, `.`"
    ),
    FieldSpec("title", as_text, required=True, meaning="title of the article, video, post or document"),
    FieldSpec("publisher", as_text, meaning="outlet or platform"),
    FieldSpec("url", as_text, meaning="`http` or `https` only"),
    FieldSpec("date", as_date, meaning="publication date"),
    FieldSpec(
        "note",
        as_text,
        meaning="one plain line shown with the source on the sources page: what readers should know about it "
        "(why it has no outlet or date, say)",
    ),
)


def convert_fields(
    mapping: Node,
    schema: tuple[FieldSpec, ...],
    where: str,
    diagnostics: Diagnostics,
    extra: tuple[str, ...] = (),
    extra_hint: str | None = None,
) -> dict[str, Any] | None:
    """Check a mapping against a schema and return attribute values.

    Every problem is recorded; None is returned only when the mapping could
    not be read at all, so other fields are still checked after one fails.
    """
    if not mapping.is_map:
        diagnostics.error(
            mapping.span, f"{where} must be a mapping of field: value", "write one 'field: value' per line"
        )
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
        except FieldProblems as problems:
            diagnostics.items.extend(problems.diagnostics.items)
        except _Located as problem:
            diagnostics.error(problem.span, f"'{name}' {problem.message}", problem.hint)
        except FieldProblem as problem:
            diagnostics.error(node.span, f"'{name}' {problem.message}", problem.hint)
    for spec in schema:
        if spec.required and spec.name not in mapping.value:
            diagnostics.error(
                mapping.span, f"{where} is missing the required field '{spec.name}'", f"add a line '{spec.name}: ...'"
            )
    return values


def entry_slug(collection: str, mapping: Node, path: Path, in_list: bool, diagnostics: Diagnostics) -> str | None:
    """The slug: the file name for Markdown, else ``slug`` or the slugified title."""
    if not in_list:
        slug = path.stem
        if not is_valid_slug(slug):
            diagnostics.error(
                Span(path, 1, 1),
                f"file name '{path.name}' is not a valid slug",
                f"use lowercase letters, digits and hyphens, e.g. '{slugify(slug) or 'my-entry'}.md'",
            )
            return None
        if len(slug) > MAX_SLUG_LENGTH:
            diagnostics.error(
                Span(path, 1, 1),
                f"file name is {len(slug)} characters long; a slug may have at most {MAX_SLUG_LENGTH}",
                f"rename the file to a shorter slug, e.g. '{_shortened(slug)}.md'",
            )
            return None
        return slug
    values = mapping.value if mapping.is_map else {}
    slug_node = values.get("slug")
    if slug_node is not None:
        if not slug_node.is_scalar:
            diagnostics.error(slug_node.span, "'slug' must be a piece of text", _scalar_hint(slug_node))
            return None
        slug = str(slug_node.raw or "").strip()
        if len(slug) > MAX_SLUG_LENGTH:
            diagnostics.error(
                slug_node.span,
                f"slug is {len(slug)} characters long; the limit is {MAX_SLUG_LENGTH}",
                f"use a shorter slug, e.g. '{_shortened(slugify(slug))}'",
            )
            return None
        if not is_valid_slug(slug):
            diagnostics.error(
                slug_node.span,
                f"slug '{slug}' is not valid",
                f"use lowercase letters, digits and hyphens, e.g. '{slugify(slug) or 'my-entry'}'",
            )
            return None
        return slug
    title_field = KINDS[collection].title_field
    title_node = values.get(title_field)
    if title_node is not None and title_node.is_scalar and title_node.raw:
        slug = slugify(title_node.raw)
        if len(slug) > MAX_SLUG_LENGTH:
            diagnostics.error(
                title_node.span,
                f"this {title_field} is too long to make a slug from "
                f"({len(slug)} characters; the limit is {MAX_SLUG_LENGTH})",
                f"add a shorter slug field, e.g. slug: {_shortened(slug)}",
            )
            return None
        if slug:
            return slug
        diagnostics.error(
            title_node.span,
            f"cannot make a slug from '{title_node.raw}'",
            "add a 'slug' field of lowercase letters, digits and hyphens",
        )
    return None


def _shortened(slug: str, length: int = 60) -> str:
    """A slug cut at a hyphen to about ``length`` characters, for hints."""
    if len(slug) <= length:
        return slug or "my-entry"
    cut = slug[:length].rsplit("-", 1)[0]
    return cut or slug[:length]


def build_entry(
    collection: str,
    mapping: Node,
    path: Path,
    body: str,
    body_span: Span | None,
    in_list: bool,
    order: tuple,
    diagnostics: Diagnostics,
) -> Entry | None:
    """Turn one located mapping into a typed entry, recording every problem."""
    kind = KINDS[collection]
    where = f"this {kind.singular}"
    extra = ("slug", "body") if in_list else ()
    hint = None if in_list else "in a Markdown file the slug is the file name and the body follows the closing ---"
    values = convert_fields(mapping, kind.all_fields, where, diagnostics, extra, hint)
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
    span = Span(path, 1, 1) if not in_list else mapping.span
    known = {spec.name: spec.key for spec in kind.all_fields}
    failed = frozenset(name for name in mapping.value if name in known and known[name] not in values)
    return kind.entry_class(
        collection=collection,
        slug=slug,
        span=span,
        body=body,
        body_span=body_span,
        body_indent=body_indent,
        order=order,
        spans=_field_spans(mapping),
        failed=failed,
        **values,
    )


def build_source(mapping: Node, diagnostics: Diagnostics) -> Source | None:
    values = convert_fields(mapping, SOURCE_SCHEMA, "this source", diagnostics)
    if values is None or "id" not in values or "title" not in values:
        return None
    return Source(span=mapping.span, spans=_field_spans(mapping), **values)


def build_story(mapping: Node, path: Path, body: str, body_span: Span, diagnostics: Diagnostics) -> Story | None:
    values = convert_fields(
        mapping,
        STORY_SCHEMA,
        "the story",
        diagnostics,
        extra_hint="the story's narrative is the Markdown after the closing ---",
    )
    if values is None or not {"title", "summary", "published"} <= values.keys():
        return None
    return Story(span=Span(path, 1, 1), spans=_field_spans(mapping), body=body, body_span=body_span, **values)


def _field_spans(mapping: Node) -> dict[str, Span]:
    return {name: node.span for name, node in mapping.value.items()}
