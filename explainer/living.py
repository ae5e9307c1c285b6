"""The story as it moved on: every dated change, and the dates derived from them.

A *change* is a non-silent event in the story's life: an item of the update
log, a correction, or a claim's verdict. The update log page, the
corrections page, the feeds, "since your last visit", ``dateModified`` and
the sitemap all read the one :class:`Chronicle` built here, so an entry's
"last change" means the same thing everywhere (``content-format.md``,
"Derived dates").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from explainer.basics import build_date
from explainer.dates import PartialDate
from explainer.dependencies import derived
from explainer.diagnostics import Diagnostics
from explainer.linker import Linked
from explainer.model import Claim, Entry, Located, Question, Ref, Snippet

UPDATE, CORRECTION, VERDICT = "update", "correction", "verdict"


@dataclass(frozen=True)
class Change:
    """One dated change, wherever it was written."""

    _identity_prefix: ClassVar[str] = "change:"  # found again by its stable id

    kind: str  # UPDATE, CORRECTION or VERDICT
    date: PartialDate
    text: Snippet | None  # the update's summary, the correction's text, the verdict's note
    subject: Entry | None  # the corrected entry or the claim; None: the story itself (or an update about it)
    about: tuple[Entry, ...] = ()  # every entry an update names
    sources: tuple[Ref, ...] = ()
    minor: bool = False
    status: str | None = None  # a verdict: the status from then on
    previous_status: str | None = None  # a verdict: the status before (None for the first)
    id: str = ""  # stable across builds while earlier items stay as they are: feeds and anchors use it
    where: Located | None = None  # the item as written, for messages

    @property
    def concerns(self) -> tuple[Entry, ...]:
        """The entries whose pages and feeds show this change."""
        if self.kind == UPDATE:
            return self.about
        return (self.subject,) if self.subject is not None else ()

    @property
    def anchor(self) -> str:
        """An HTML id made from the stable id."""
        return "change-" + self.id.replace("/", "-")


def _latest(dates: list[PartialDate | None]) -> PartialDate | None:
    known = [found for found in dates if found is not None]
    return max(known, key=lambda found: found.instant_key) if known else None


def chronicle_of(linked: Linked) -> Chronicle:
    """The chronicle of ``linked``, made once for it (validating and rendering both need it)."""
    made = linked.__dict__.get("_chronicle")
    if made is None or made.linked is not linked:
        made = linked.__dict__["_chronicle"] = Chronicle(linked)
    return made


class Chronicle:
    """Every change of a linked story, newest first, and each entry's last change."""

    _view_name: ClassVar[str] = "chronicle"

    def __init__(self, linked: Linked):
        self.linked = linked
        found: list[Change] = []
        counts: dict[tuple[str, str, str], int] = defaultdict(int)

        def stable_id(kind: str, subject: str, when: PartialDate) -> str:
            counts[(kind, subject, when.iso())] += 1
            number = counts[(kind, subject, when.iso())]
            return f"{kind}/{subject}/{when.iso()}" + (f"/{number}" if number > 1 else "")

        for update in sorted(linked.content.updates, key=lambda item: item.order):
            about = tuple(ref.entry for ref in update.about if ref.entry is not None)
            found.append(
                Change(
                    UPDATE,
                    update.date,
                    update.summary,
                    about[0] if len(about) == 1 else None,
                    about,
                    tuple(update.sources),
                    update.minor,
                    id=stable_id(UPDATE, "story", update.date),
                    where=update,
                )
            )
        story = linked.content.story
        for correction in story.corrections if story else []:
            found.append(
                Change(
                    CORRECTION,
                    correction.date,
                    correction.text,
                    None,
                    id=stable_id(CORRECTION, "story", correction.date),
                    where=correction,
                )
            )
        for entry in linked.content.all_entries():
            for correction in entry.corrections:
                found.append(
                    Change(
                        CORRECTION,
                        correction.date,
                        correction.text,
                        entry,
                        id=stable_id(CORRECTION, entry.key, correction.date),
                        where=correction,
                    )
                )
            if isinstance(entry, Claim):
                previous: str | None = None
                for verdict in entry.status_history:
                    found.append(
                        Change(
                            VERDICT,
                            verdict.date,
                            verdict.note,
                            entry,
                            sources=tuple(verdict.sources),
                            status=verdict.status,
                            previous_status=previous,
                            id=stable_id(VERDICT, entry.key, verdict.date),
                            where=verdict,
                        )
                    )
                    previous = verdict.status
        # newest first; among changes of one date, the order they were written in
        order = {id(change): position for position, change in enumerate(found)}
        self.changes: list[Change] = sorted(found, key=lambda change: (change.date.instant_key, -order[id(change)]))
        self.changes.reverse()
        self.news: list[Change] = [change for change in self.changes if not change.minor]
        """The changes readers are told about (feeds, "what's new", the visit count): all but minor updates."""
        self.corrections: list[Change] = [change for change in self.changes if change.kind == CORRECTION]
        self._by_entry: dict[str, list[Change]] = defaultdict(list)
        for change in self.changes:
            if change.minor:
                continue
            for entry in change.concerns:
                self._by_entry[entry.key].append(change)

    # --- what readers are told -----------------------------------------------

    @derived
    def latest_updates(self, count: int = 3) -> list[Change]:
        """The newest non-minor updates, for the story page."""
        return [change for change in self.changes if change.kind == UPDATE and not change.minor][:count]

    @derived
    def about(self, entry: Entry) -> list[Change]:
        """The non-minor changes that concern ``entry``, newest first."""
        return self._by_entry.get(entry.key, [])

    # --- derived dates ---------------------------------------------------------

    @derived
    def last_change(self, entry: Entry) -> PartialDate | None:
        """The latest of the entry's ``updated``, its corrections, its verdicts and the updates naming it."""
        return _latest([entry.updated, *(change.date for change in self.about(entry))])

    @derived
    def first_change(self, entry: Entry) -> PartialDate | None:
        """The earliest recorded change of ``entry`` ("New" since a visit when even this is later); None when that
        is a correction, which says the entry was in the story before it, since when no one can tell."""
        changes = self.about(entry)
        if not changes:
            return None
        earliest = min(changes, key=lambda change: (change.date.instant_key, change.kind != CORRECTION))
        return None if earliest.kind == CORRECTION else earliest.date

    @derived
    def story_last_change(self) -> PartialDate | None:
        """The latest change anywhere in the story, its own ``updated`` included."""
        story = self.linked.content.story
        return _latest(
            [
                story.updated if story else None,
                *(change.date for change in self.news),
                *(entry.updated for entry in self.linked.content.all_entries()),
            ]
        )

    @property
    @derived
    def is_living(self) -> bool:
        """True once the story records any change readers are told about."""
        return bool(self.news)


def check_dates(chronicle: Chronicle, diagnostics: Diagnostics, today: date | None = None) -> None:
    """A date after the build's own date is most likely a typo (a warning; an error with --strict): a change's,
    and the dates a story's "Updated", ``dateModified`` and the sitemap are made of (the story's ``published`` and
    ``updated``, an entry's ``updated``, a question's ``answered``) or that say when a source was published. An
    event's date may be ahead (a trial set for next year), so it is not checked."""
    day = (today or build_date()).timetuple()[:3]
    content = chronicle.linked.content
    # (where it is written, its field, the date, the kind of change it dates: None for a field of its own)
    dated: list[tuple[Located, str, PartialDate, str | None]] = [
        (change.where, "date", change.date, change.kind) for change in chronicle.changes if change.where is not None
    ]
    fields: list[tuple[Located, str, PartialDate | None]] = []
    if (story := content.story) is not None:
        fields += [(story, "published", story.published), (story, "updated", story.updated)]
    for entry in content.all_entries():
        fields.append((entry, "updated", entry.updated))
        if isinstance(entry, Question):
            fields.append((entry, "answered", entry.answered))
    fields += [(source, "date", source.date) for source in content.sources]
    dated += [(item, name, when, None) for item, name, when in fields if when is not None]
    checked = []
    for item, name, when, change in dated:
        checked.append(when.utc_day())
        if checked[-1] > day:
            what, hint = (f"this {change} is dated", _CHANGE_AHEAD) if change else (f"'{name}' is", _AHEAD)
            diagnostics.warning(item.field_span(name), f"{what} {when.text}, which is after today", hint)
    # these findings hold while no checked day crosses the build's: from the latest day not after it to the first after
    passed, ahead = [d for d in checked if d <= day], [d for d in checked if d > day]
    diagnostics.holds_from = _iso_day(max(passed)) if passed else None
    diagnostics.holds_until = _iso_day(min(ahead)) if ahead else None


_AHEAD = "check the year (set SOURCE_DATE_EPOCH to build as of another day)"
_CHANGE_AHEAD = (
    "check the year: a change is dated when it was published (set SOURCE_DATE_EPOCH to build as of another day)"
)


def _iso_day(day: tuple[int, int, int]) -> str:
    return f"{day[0]:04d}-{day[1]:02d}-{day[2]:02d}"
