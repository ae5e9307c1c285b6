"""What templates may ask of a linked story: ordered lists and backlink sections.

Templates stay declarative; ordering, grouping and the wording of
relationship headings are decided here, once, for every theme.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar, TypeVar

from explainer import i18n
from explainer.dates import PartialDate
from explainer.dependencies import derived
from explainer.diagram import WhoSaysWhat, who_says_what
from explainer.i18n import N_, _, ngettext
from explainer.linker import Linked
from explainer.living import CORRECTION, UPDATE, VERDICT, Change, chronicle_of
from explainer.model import (
    ANY_KIND,
    KINDS,
    PERSON_KIND_LABELS,
    PERSON_KINDS,
    Claim,
    Entry,
    Event,
    Kind,
    Person,
    Question,
    Source,
)
from explainer.pages import SOURCES_URL, citations_path, list_page_path, page_size

EntryType = TypeVar("EntryType", bound=Entry)

KEY_PEOPLE = 8  # people on the story page; the people page lists everyone
EMBED_EVENTS = 12  # events the timeline's embeddable card lists; it links to the full timeline for the rest
PERSON_KIND_PLURALS = {"person": N_("People"), "group": N_("Groups"), "organization": N_("Organizations")}


@dataclass
class TimelineRow:
    event: Event
    space: float  # rem of extra space before the event on wide screens
    gap: str | None  # "3 weeks later"
    span: str | None  # "lasted 4 days" for events with an end_date


def _days_between(first: PartialDate, second: PartialDate) -> int | None:
    if first.day is None or second.day is None or first.month is None or second.month is None:
        return None
    days = (date(second.year, second.month, second.day) - date(first.year, first.month, first.day)).days
    return days if days > 0 else None


def _rough_days_between(first: PartialDate, second: PartialDate) -> int | None:
    """The days between two dates known to the day; else, when either is known only to the month or the year, the
    whole months (or years) between them as days (30 a month): "2022-08" to "2022-10-21" is about 2 months, as a
    reader counts; the same month (or year) is no gap at all."""
    exact = _days_between(first, second)
    if exact is not None or (first.day is not None and second.day is not None):
        return exact
    if first.month is None or second.month is None:
        years = second.year - first.year
        return years * 365 if years > 0 else None
    months = (second.year - first.year) * 12 + second.month - first.month
    return months * 30 + (5 if months >= 12 else 0) if months > 0 else None  # 12 months: "1 year later"


def _gap_words(days: int) -> str:
    if days >= 365:
        return ngettext("%(num)s year later", "%(num)s years later", round(days / 365))
    if days >= 30:
        return ngettext("%(num)s month later", "%(num)s months later", round(days / 30))
    if days >= 7:
        return ngettext("%(num)s week later", "%(num)s weeks later", round(days / 7))
    if days >= 1:
        return ngettext("%(num)s day later", "%(num)s days later", days)
    return ""


def _span_words(event: Event) -> str | None:
    if event.end_date is None:
        return None
    days = _days_between(event.start, event.end_date)
    return ngettext("lasted %(num)s day", "lasted %(num)s days", days + 1) if days else None


@dataclass
class Section:
    """A titled list of related entries on an entry's page."""

    heading: str
    items: list[Entry | None]  # None stands for the story overview
    relation: str


class SiteView:
    """The template context's ``site``: every list and section a theme may ask for.

    Its helpers are :func:`~explainer.dependencies.derived`: a page records which it asked,
    and is rendered again only when one's answer changes.
    """

    _view_name: ClassVar[str] = "site"

    def __init__(self, linked: Linked, previous: SiteView | None = None, replaced: dict[int, Entry] | None = None):
        """``previous`` is the view of a story whose items had the same structure (see
        :func:`explainer.rebuild.item_digests`: every field but bodies alike), read again only where ``replaced``
        says (the id of each entry read again -> its new object): its orders and dates are taken over."""
        self.linked = linked
        self.content = linked.content
        self.story = linked.content.story
        settings = linked.content.settings
        self.title = settings.title or (self.story.title if self.story else "")
        self.language = i18n.site_language(self.content)[0]
        self.statuses = settings.statuses()  # built-in and house verdicts, in the order claims are grouped
        self.chronicle = chronicle_of(linked)
        if previous is not None and replaced is not None:
            self._take_over(previous, replaced)
            return
        # the story's last change (its own ``updated`` and every change since): "Updated …" on every page
        self.story_updated: PartialDate | None = self.chronicle.story_last_change()
        self.people = weighted(
            sorted(_of_type(self.content.entries["people"], Person), key=lambda p: (p.name.casefold(), p.slug))
        )
        self.timeline = linked.timeline
        self.claims = weighted(_of_type(self.content.entries["claims"], Claim))
        self.questions = weighted(_of_type(self.content.entries["questions"], Question))
        self.sources = self.content.sources
        # one global reading order: people by name, events by date, the rest as written
        ordered = [entry for collection in KINDS for entry in self.entries_of(collection)]
        self._rank = {entry.key: index for index, entry in enumerate(ordered)}

    def _take_over(self, previous: SiteView, replaced: dict[int, Entry]) -> None:
        """The orders and dates of ``previous`` (see :meth:`__init__`), naming the entries read again."""
        self.story_updated = object.__getattribute__(previous, "story_updated")
        for name in ("people", "claims", "questions"):
            before = object.__getattribute__(previous, name)
            setattr(self, name, [replaced.get(id(entry), entry) for entry in before] if replaced else [*before])
        self.timeline = self.linked.timeline
        self.sources = self.content.sources
        self._rank = object.__getattribute__(previous, "_rank")  # by key: the keys and orders are the same

    @derived
    def entries_of(self, collection: str) -> list[Entry]:
        """A kind's entries in reading order."""
        if collection == "people":
            return [*self.people]
        if collection == "events":
            return [*self.timeline]
        if collection == "claims":
            return [*self.claims]
        if collection == "questions":
            return [*self.questions]
        return weighted(self.content.entries[collection])

    # --- index pages ---------------------------------------------------------

    @derived
    def listing(self, collection: str) -> list[Entry | Source]:
        """What an index (or, for ``sources``, the sources page) lists, in its order, groups together."""
        if collection == "people":
            return [person for kind in PERSON_KINDS for person in self.people if person.person_kind == kind]
        if collection == "claims":
            return [claim for status in self.statuses.claim_ids for claim in self.claims if claim.status == status]
        if collection == "questions":
            return [q for status in self.statuses.question_ids for q in self.questions if q.status == status]
        if collection == "sources":  # in the order of the dates shown (oldest first), undated last, then by title
            return [*sorted(self.sources, key=_source_order)]
        return [*self.entries_of(collection)]

    @derived
    def listed(self, collection: str, number: int = 1) -> list[Entry | Source]:
        """The part of :meth:`listing` that page ``number`` of the index shows."""
        size = page_size(collection)
        return self.listing(collection)[(number - 1) * size : number * size]

    @derived
    def people_by_kind(self, number: int = 1) -> list[tuple[str, list[Person]]]:
        shown = _of_type(self.listed("people", number), Person)
        groups = [(_(PERSON_KIND_PLURALS[kind]), [p for p in shown if p.person_kind == kind]) for kind in PERSON_KINDS]
        return [(label, people) for label, people in groups if people]

    @derived
    def claims_by_status(self, number: int = 1) -> list[tuple[str, list[Claim]]]:
        shown = _of_type(self.listed("claims", number), Claim)
        groups = [(status, [c for c in shown if c.status == status]) for status in self.statuses.claim_ids]
        return [(status, claims) for status, claims in groups if claims]

    @derived
    def who_says_what(self) -> WhoSaysWhat | None:
        """The picture of who says what on each disputed point, and the same as a list; None: nothing to draw."""
        return who_says_what(self.claims, self.people, self.statuses, self.questions)

    @derived
    def questions_by_status(self, number: int = 1) -> list[tuple[str, list[Question]]]:
        shown = _of_type(self.listed("questions", number), Question)
        groups = [(status, [q for q in shown if q.status == status]) for status in self.statuses.question_ids]
        return [(status, questions) for status, questions in groups if questions]

    @derived
    def timeline_rows(self, events: list[Event]) -> list[TimelineRow]:
        """Events with the space before each drawn in proportion to the time that passed.

        The scale is logarithmic (a day, a month and a decade all stay visible on
        one page); a date known only to the month or year is measured in whole months or years; the gap is also
        said in words, so it reaches screen readers and print.
        """
        rows = []
        previous: Event | None = None
        for event in events:
            gap_days = _rough_days_between(previous.start, event.start) if previous else None
            space = round(math.log10(1 + gap_days) * 1.6, 2) if gap_days else 0.0
            rows.append(TimelineRow(event, space, _gap_words(gap_days) if gap_days else None, _span_words(event)))
            previous = event
        return rows

    @derived
    def timeline_by_year(self, number: int = 1) -> list[tuple[int, list[TimelineRow]]]:
        years: dict[int, list[TimelineRow]] = {}
        for row in self.timeline_rows(_of_type(self.listed("events", number), Event)):
            years.setdefault(row.event.start.year, []).append(row)
        return list(years.items())

    @derived
    def embed_timeline(self) -> tuple[list[Event], int]:
        """The events the timeline's embeddable card lists, in order, and how many it leaves out.

        A long timeline is cut to its key events when the story marks any, and to ``EMBED_EVENTS``."""
        events = [*self.timeline]
        if len(events) > EMBED_EVENTS and any(event.is_key for event in events):
            events = [event for event in events if event.is_key]
        shown = events[:EMBED_EVENTS]
        return shown, len(self.timeline) - len(shown)

    # --- the story overview --------------------------------------------------

    @derived
    def key_events(self) -> list[Event]:
        return [event for event in self.timeline if event.is_key]

    @derived
    def is_central(self, person: Person) -> bool:
        """Whether ``person`` is at the centre of the story: the lowest ``weight`` any person has (none when no
        person has one). Search ranks their page first for their surname."""
        lowest = self.lowest_weight()
        return lowest is not None and person.weight == lowest

    @derived
    def lowest_weight(self) -> int | None:
        """The lowest ``weight`` of any person, worked out once: every person's page asks (2,000 at 10,000
        entries, each reading every person's weight again made it grow with the square of the story)."""
        weights = [p.weight for p in self.people if p.weight is not None]
        return min(weights) if weights else None

    @derived
    def key_people(self) -> list[Person]:
        """People in the key events or named in the narrative (everyone if none are), the first
        ``KEY_PEOPLE`` in list order (weights first): the story page leads, the people page lists all."""
        keys = {ref.entry.key for event in self.key_events() for ref in event.people if ref.entry}
        keys |= {key for key, backlinks in self.linked.incoming.items() if any(b.origin is None for b in backlinks)}
        chosen = [person for person in self.people if person.key in keys]
        return (chosen or self.people)[:KEY_PEOPLE]

    # --- the living story ------------------------------------------------------

    @derived
    def change_dates(self, entry: Entry | None) -> tuple[str, str] | None:
        """(last change, first change) as ISO dates for an entry with recorded changes, else None; the first is ""
        when it is not known (a correction came first: see :meth:`Chronicle.first_change`), so it is never "New".

        List items carry them for the "since your last visit" script."""
        if entry is None or not self.chronicle.about(entry):
            return None
        first = self.chronicle.first_change(entry)
        last = self.chronicle.last_change(entry)
        if last is None:
            return None
        return last.iso(), first.iso() if first is not None else ""

    @derived
    def corrections_of(self, entry: Entry | None) -> list[Change]:
        """The corrections made to an entry (None: to the story itself), newest first."""
        if entry is None:
            return [change for change in self.chronicle.corrections if change.subject is None]
        return [change for change in self.chronicle.about(entry) if change.kind == CORRECTION]

    @derived
    def updates_about(self, entry: Entry) -> list[Change]:
        """The non-minor updates of the log that name ``entry``, newest first, but for those its page already tells.

        An update about an event that the page lists (one that refers to the entry, or one its ``about`` names),
        dated within that event's dates, tells the happening that the event's line gives with its date, title and
        summary: it is left out here, and stays on the event's own page, on the update log and in the feeds."""
        listed = {item.key: item for item in self._listed_events(entry)}

        def told(change: Change) -> bool:
            return any(
                other.key in listed and _within(change.date, listed[other.key])
                for other in change.about
                if other.key != entry.key
            )

        return [change for change in self.chronicle.about(entry) if change.kind == UPDATE and not told(change)]

    def _listed_events(self, entry: Entry) -> list[Event]:
        """The events an entry's page lists: those that refer to it, and those its ``about`` names."""
        referring = [item for section in self.backlink_sections(entry) for item in section.items]
        named = [ref.entry for ref in getattr(entry, "about", [])]
        return [item for item in [*referring, *named] if isinstance(item, Event) and item.date is not None]

    @derived
    def change_log(self, kind: str = "") -> list[Change]:
        """What a page of the update log lists, newest first: ``""`` every change readers are told about, ``"news"``
        the updates, ``"verdicts"`` the claims' verdicts, ``"minor"`` the small changes to the explainer itself (a
        group of their own on the log's pages)."""
        changes = self.chronicle.changes
        if kind == "minor":
            return [change for change in changes if change.minor]
        if kind == "news":
            return [change for change in changes if change.kind == UPDATE and not change.minor]
        if kind == "verdicts":
            return [change for change in changes if change.kind == VERDICT]
        return [change for change in changes if not change.minor]

    @derived
    def change_label(self, change: Change) -> str:
        """A change's kind in words: "Update", "Correction", "Rating changed: Disputed → False", "First rated: False"
        (the claim it concerns is on a line of its own)."""
        if change.kind == UPDATE:
            return _("Update")
        if change.kind == CORRECTION:
            return _("Correction")
        words = self.statuses.verdict_words(change.previous_status, change.status)
        if change.previous_status:
            return _("Rating changed: %(rating)s", rating=words)
        return _("First rated: %(rating)s", rating=words)

    @derived
    def news_dates(self) -> str:
        """The dates of every change readers are told about, newest first, for "since your last visit"."""
        return " ".join(change.date.iso() for change in self.chronicle.news)

    # --- entry pages ---------------------------------------------------------

    @derived
    def sources_of(self, item: Entry | Change) -> list[Source]:
        """The sources an entry or a change names (an unknown id is already reported)."""
        return self.linked.sources_named(item.sources)

    @derived
    def citations(self, source: Source) -> list[Entry]:
        return self._ordered(self.linked.citations.get(source.id, []))

    @derived
    def source_location(self, source: Source) -> str:
        """Where a source is listed: its item on the page of the sources list that holds it."""
        position = self._source_positions().get(source.id, 0)
        return f"{list_page_path(SOURCES_URL, position // page_size('sources') + 1)}#{source.anchor}"

    @derived
    def _source_positions(self) -> dict[str, int]:
        return {source.id: position for position, source in enumerate(sorted(self.sources, key=_source_order))}

    @staticmethod
    def citations_page(source: Source) -> str:
        """The page listing every entry that cites a source (made for every source that is cited)."""
        return citations_path(source.id)

    @derived
    def backlink_sections(self, entry: Entry) -> list[Section]:
        """Everything that refers to ``entry``, grouped by how and by kind.

        A reader cannot tell an ``about`` reference from a mention in a body, so a kind's mentions join its "about"
        section, or make one "Related claims" section; the story's own mention is left out (every page links it).
        """
        backlinks = self.linked.backlinks(entry)
        sections = []
        about: dict[str, Section] = {}  # the "about" section of each referring kind
        for relation, source_kind, heading in _headings(entry):
            items = [
                b.origin
                for b in backlinks
                if b.origin is not None and b.relation == relation and b.origin.collection == source_kind
            ]
            if items:
                sections.append(Section(heading, [*self._ordered(items)], relation))
                if relation == "about":
                    about[source_kind] = sections[-1]
        shown = {item.key for section in sections for item in section.items if item is not None}
        # a mention adds nothing where the same entry is already listed above
        mentions = [b.origin for b in backlinks if b.relation == "mention" and b.origin and b.origin.key not in shown]
        for kind in KINDS.values():
            items = [origin for origin in mentions if origin.collection == kind.collection]
            if not items:
                continue
            if kind.collection in about:
                section = about[kind.collection]
                listed = [item for item in section.items if item is not None]
                section.items = [*self._ordered([*listed, *items])]
            else:
                sections.append(Section(_related(kind), [*self._ordered(items)], "mention"))
        return sections

    @property
    def navigation(self) -> list[tuple[str, str]]:
        """(index URL, word) for every kind, in the order the site presents them."""
        return [(kind.path, kind.navigation) for kind in KINDS.values()]

    def _ordered(self, entries: list[Entry]) -> list[Entry]:
        return sorted(entries, key=lambda e: self._rank.get(e.key, 0))

    # --- words ---------------------------------------------------------------

    @derived
    def status_label(self, status: str) -> str:
        """A claim's or question's status as readers read it: the house's label, else the built-in word."""
        return self.statuses.label(status)

    @derived
    def status_meaning(self, status: str) -> str:
        """One sentence: what the status says (the house's meaning, else the built-in one)."""
        return self.statuses.meaning(status)

    @derived
    def status_mark(self, status: str) -> str:
        """The shape drawn before the status's word on its badge: a verdict is never colour alone."""
        return self.statuses.get(status).mark

    @derived
    def status_style(self, status: str) -> str:
        """The badge's look, as a class of the theme's style.css: ``status-<style>``."""
        return self.statuses.get(status).style

    @derived
    def status_badge(self, status: str) -> tuple[str, str, str]:
        """A status badge's :meth:`status_style`, :meth:`status_mark` and :meth:`status_label` at once: lists show
        one on nearly every line."""
        return self.status_style(status), self.status_mark(status), self.status_label(status)

    @staticmethod
    def person_kind_label(kind: str) -> str:
        return _(PERSON_KIND_LABELS[kind])


def _within(when: PartialDate, event: Event) -> bool:
    """Whether ``when`` falls within an event's dates (from its first moment to its end_date's, or its date's, last)."""
    first = event.start.period()[0]
    last = (event.end_date or event.start).period()[1]
    return first <= when.period()[0] <= last


def _source_order(source: Source) -> tuple:
    """The sources page's order: by the date shown, oldest first; undated sources last; then by title."""
    return (source.date is None, source.date.sort_key if source.date else (), source.title.casefold(), source.id)


def weighted(entries: list[EntryType]) -> list[EntryType]:
    """Entries with a ``weight`` first, lower weights first; then the others in the order given."""
    return sorted(entries, key=lambda entry: (entry.weight is None, entry.weight or 0))


def _of_type(entries: Sequence[object], cls: type[EntryType]) -> list[EntryType]:
    """The entries of one class (a collection holds only its kind's class; this tells the type checker)."""
    return [entry for entry in entries if isinstance(entry, cls)]


# Headings for references whose wording a person would choose; any other reference gets a plain one.
_HEADINGS = {
    ("people", "events"): N_("Events"),
    ("by", "claims"): N_("Claims made"),
    ("disputes", "claims"): N_("Disputed by"),
    ("supports", "claims"): N_("Supported by"),
}
# how a heading names the entry whose page it is on, when it is not a person named by name
_THIS = {"event": N_("this event"), "claim": N_("this claim"), "question": N_("this question")}


# the heading of the entries of a kind that mention an entry, where none is "about" it
_RELATED = {
    "people": N_("Related people"),
    "events": N_("Related events"),
    "claims": N_("Related claims"),
    "questions": N_("Related questions"),
}


def _related(kind: Kind) -> str:
    if kind.collection in _RELATED:
        return _(_RELATED[kind.collection])
    return _("Related: %(kind)s", kind=_(kind.label))


def _subject(entry: Entry) -> str:
    if isinstance(entry, Person):
        return entry.title
    return _(_THIS[entry.kind]) if entry.kind in _THIS else _("this %(kind)s", kind=entry.kind)


def _headings(entry: Entry) -> list[tuple[str, str, str]]:
    """(relation, kind of the referring entry, heading) for every field that can refer to ``entry``."""
    return _headings_for(entry.collection, _subject(entry), tuple(KINDS), i18n.active().digest)


@functools.lru_cache(maxsize=4096)
def _headings_for(collection: str, subject: str, _kinds: tuple[str, ...], _language: str) -> list[tuple[str, str, str]]:
    """The headings of :func:`_headings`, worked out once per kind (and person) and language; ``_kinds`` keys the
    registry."""
    headings = []
    for kind in KINDS.values():
        for attribute, target in kind.references():
            if target == collection:
                headings.append(
                    (
                        attribute,
                        kind.collection,
                        _(_HEADINGS[(attribute, kind.collection)])
                        if (attribute, kind.collection) in _HEADINGS
                        else _("%(kind)s (%(field)s)", kind=_(kind.label), field=attribute),
                    )
                )
    for kind in KINDS.values():
        for attribute, target in kind.references():
            if target == ANY_KIND:
                heading = (
                    _("%(kind)s about %(subject)s", kind=_(kind.label), subject=subject)
                    if attribute == "about"
                    else f"{_(kind.label)} {attribute} {subject}"
                )
                headings.append((attribute, kind.collection, heading))
    return headings
