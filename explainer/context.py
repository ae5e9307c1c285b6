"""What templates may ask of a linked story: ordered lists and backlink sections.

Templates stay declarative; ordering, grouping and the wording of
relationship headings are decided here, once, for every theme.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from explainer.dates import PartialDate
from explainer.linker import Backlink, Linked
from explainer.model import CLAIM_STATUSES, COLLECTIONS, PERSON_KINDS, Claim, Entry, Event, Person, Question, Source

STATUS_MEANINGS = {
    "unverified": "Not yet checked: no independent evidence so far confirms or contradicts it.",
    "disputed": "Contested: other people or evidence contradict it, and it has not been settled.",
    "supported": "Backed by evidence, though not yet fully confirmed.",
    "confirmed": "Established by strong, independent evidence.",
    "false": "Shown by the evidence to be untrue.",
    "retracted": "Withdrawn by whoever made it.",
}
QUESTION_STATUS_MEANINGS = {
    "open": "Still unanswered: what is known so far is below.",
    "answered": "Answered: the answer is below.",
}
PERSON_KIND_LABELS = {"person": "Person", "group": "Group", "organization": "Organization"}
PERSON_KIND_PLURALS = {"person": "People", "group": "Groups", "organization": "Organizations"}
COLLECTION_LABELS = {"people": "People", "events": "Events", "claims": "Claims", "questions": "Questions"}


@dataclass
class TimelineRow:
    event: Event
    space: float  # rem of extra space before the event on wide screens
    gap: str | None  # "3 weeks later"
    span: str | None  # "lasted 4 days" for events with an end_date


def _days_between(first: PartialDate, second: PartialDate) -> int | None:
    if first.day is None or second.day is None:
        return None
    days = (date(second.year, second.month, second.day) - date(first.year, first.month, first.day)).days
    return days if days > 0 else None


def _gap_words(days: int) -> str:
    for size, unit in ((365, "year"), (30, "month"), (7, "week"), (1, "day")):
        if days >= size:
            count = round(days / size)
            return f"{count} {unit}{'s' if count != 1 else ''} later"
    return ""


def _span_words(event: Event) -> str | None:
    if event.end_date is None:
        return None
    days = _days_between(event.date, event.end_date)
    return f"lasted {days + 1} days" if days else None


@dataclass
class Section:
    """A titled list of related entries on an entry's page."""

    heading: str
    items: list[Entry | None]  # None stands for the story overview
    relation: str


class SiteView:
    def __init__(self, linked: Linked):
        self.linked = linked
        self.content = linked.content
        self.story = linked.content.story
        settings = linked.content.settings
        self.title = settings.title or (self.story.title if self.story else "")
        self.language = settings.language or (self.story.language if self.story else "en")
        self.people = sorted(self.content.entries["people"], key=lambda p: (p.name.casefold(), p.slug))
        self.timeline = linked.timeline
        self.claims = self.content.entries["claims"]
        self.questions = self.content.entries["questions"]
        self.sources = self.content.sources
        # one global reading order: people by name, events by date, the rest as written
        ordered = [*self.people, *self.timeline, *self.claims, *self.questions]
        self._rank = {entry.key: index for index, entry in enumerate(ordered)}

    # --- index pages ---------------------------------------------------------

    def people_by_kind(self) -> list[tuple[str, list[Person]]]:
        groups = [(PERSON_KIND_PLURALS[kind], [p for p in self.people if p.person_kind == kind]) for kind in PERSON_KINDS]
        return [(label, people) for label, people in groups if people]

    def claims_by_status(self) -> list[tuple[str, list[Claim]]]:
        groups = [(status, [c for c in self.claims if c.status == status]) for status in CLAIM_STATUSES]
        return [(status, claims) for status, claims in groups if claims]

    def questions_by_status(self) -> list[tuple[str, list[Question]]]:
        groups = [(status, [q for q in self.questions if q.status == status]) for status in ("open", "answered")]
        return [(status, questions) for status, questions in groups if questions]

    def timeline_rows(self, events: list[Event]) -> list[TimelineRow]:
        """Events with the space before each drawn in proportion to the time that passed.

        The scale is logarithmic (a day, a month and a decade all stay visible on
        one page) and only dates known to the day are measured; the gap is also
        said in words, so it reaches screen readers and print.
        """
        rows = []
        previous: Event | None = None
        for event in events:
            gap_days = _days_between(previous.date, event.date) if previous else None
            space = round(math.log10(1 + gap_days) * 1.6, 2) if gap_days else 0.0
            rows.append(TimelineRow(event, space, _gap_words(gap_days) if gap_days else None,
                                    _span_words(event)))
            previous = event
        return rows

    def timeline_by_year(self) -> list[tuple[int, list[TimelineRow]]]:
        years: dict[int, list[TimelineRow]] = {}
        for row in self.timeline_rows(self.timeline):
            years.setdefault(row.event.date.year, []).append(row)
        return list(years.items())

    # --- the story overview --------------------------------------------------

    def key_events(self) -> list[Event]:
        return [event for event in self.timeline if event.is_key]

    def key_people(self) -> list[Person]:
        """People in the key events or named in the narrative; everyone if none are."""
        keys = {ref.entry.key for event in self.key_events() for ref in event.people if ref.entry}
        keys |= {key for key, backlinks in self.linked.incoming.items() if any(b.source is None for b in backlinks)}
        chosen = [person for person in self.people if person.key in keys]
        return chosen or self.people

    # --- entry pages ---------------------------------------------------------

    def sources_of(self, entry: Entry) -> list[Source]:
        return [self.linked.sources[ref.target] for ref in entry.sources if ref.target in self.linked.sources]

    def citations(self, source: Source) -> list[Entry]:
        return self._ordered(self.linked.citations.get(source.id, []))

    def backlink_sections(self, entry: Entry) -> list[Section]:
        """Everything that refers to ``entry``, grouped by how and by kind."""
        backlinks = self.linked.backlinks(entry)
        sections = []
        for relation, source_kind, heading in _headings(entry):
            items = [b.source for b in backlinks if b.relation == relation and _collection(b) == source_kind]
            if items:
                sections.append(Section(heading, self._ordered(items), relation))
        shown = {item.key for section in sections for item in section.items}
        # a mention adds nothing where the same entry is already listed above
        mentions = [b for b in backlinks if b.relation == "mention" and (b.source is None or b.source.key not in shown)]
        if any(b.source is None for b in mentions):
            sections.append(Section("Mentioned in the story", [None], "mention"))
        for collection in COLLECTIONS:
            items = [b.source for b in mentions if b.source is not None and b.source.collection == collection]
            if items:
                sections.append(Section(f"Mentioned in {COLLECTION_LABELS[collection].lower()}",
                                        self._ordered(items), "mention"))
        return sections

    def _ordered(self, entries: list[Entry]) -> list[Entry]:
        return sorted(entries, key=lambda e: self._rank.get(e.key, 0))

    # --- words ---------------------------------------------------------------

    @staticmethod
    def status_meaning(status: str) -> str:
        return STATUS_MEANINGS.get(status) or QUESTION_STATUS_MEANINGS.get(status, "")

    @staticmethod
    def person_kind_label(kind: str) -> str:
        return PERSON_KIND_LABELS[kind]


def _collection(backlink: Backlink) -> str | None:
    return backlink.source.collection if backlink.source is not None else None


def _headings(entry: Entry) -> list[tuple[str, str, str]]:
    """(relation, kind of the referring entry, heading) in the order pages show them."""
    subject = entry.title if isinstance(entry, Person) else f"this {entry.kind}"
    headings = []
    if isinstance(entry, Person):
        headings += [("people", "events", "Events"), ("by", "claims", "Claims made")]
    if isinstance(entry, Claim):
        headings += [("disputes", "claims", "Disputed by"), ("supports", "claims", "Supported by")]
    headings += [("about", "claims", f"Claims about {subject}"), ("about", "questions", f"Questions about {subject}")]
    return headings
