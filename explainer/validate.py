"""Rules that need the whole linked story (the "validate" stage).

Field types and references are checked while reading and linking; what is
left are rules between fields and entries, and likely mistakes (warnings).
"""

from __future__ import annotations

import calendar
import re
from pathlib import Path

from explainer.dates import PartialDate
from explainer.diagnostics import Diagnostics, Span
from explainer.linker import Linked
from explainer.model import Claim, Event, Person, Question

SOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")
SAFE_SCHEMES = ("http://", "https://")


def period(date: PartialDate) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The first and last minute a partial date can mean."""
    month_first, month_last = (date.month, date.month) if date.month else (1, 12)
    last_day = calendar.monthrange(date.year, month_last)[1]
    day_first, day_last = (date.day, date.day) if date.day else (1, last_day)
    hour_first, hour_last = (date.hour, date.hour) if date.hour is not None else (0, 23)
    minute_first, minute_last = (date.minute, date.minute) if date.minute is not None else (0, 59)
    return ((date.year, month_first, day_first, hour_first, minute_first),
            (date.year, month_last, day_last, hour_last, minute_last))


def validate(linked: Linked, diagnostics: Diagnostics) -> None:
    content = linked.content
    story = content.story
    language = content.settings.language or (story.language if story else None)
    if language and not LANGUAGE_TAG.match(language):
        span = (story.field_span("language") if story and not content.settings.language
                else Span(content.project / "explainer.yml"))
        diagnostics.error(span,
                          f"'{language}' is not a BCP 47 language tag", "use a tag such as en, en-GB or es")
    for source in content.sources:
        if not SOURCE_ID.match(source.id):
            diagnostics.error(source.field_span("id"), f"source id '{source.id}' may only hold letters, digits, '-', '_' and '.'",
                              "pick a short id without spaces, e.g. nyt-2021-10-22")
        if source.url is not None:
            _check_url(source.url, source.field_span("url"), diagnostics)
    for entry in content.all_entries():
        _ENTRY_RULES[type(entry)](entry, content.project, diagnostics)


def _check_url(url: str, span: Span, diagnostics: Diagnostics) -> None:
    if not url.lower().startswith(SAFE_SCHEMES) or len(url) <= len("https://"):
        diagnostics.error(span, f"'{url}' is not an http or https address",
                          "links must start with http:// or https://")


def _person(person: Person, project: Path, diagnostics: Diagnostics) -> None:
    if person.image is not None:
        if not person.image_alt:
            diagnostics.error(person.field_span("image"), f"{person.name} has an image but no image_alt",
                              "describe the picture for readers who cannot see it: image_alt: ...")
        content_dir = (project / "content").resolve()
        image = (content_dir / person.image).resolve()
        if not image.is_relative_to(content_dir):
            diagnostics.error(person.field_span("image"), f"image '{person.image}' lies outside content/",
                              "keep images inside the content folder, e.g. images/name.jpg")
        elif not image.is_file():
            diagnostics.warning(person.field_span("image"), f"image '{person.image}' does not exist",
                                "give a path relative to content/, e.g. images/name.jpg")
    for url in person.links.values():
        _check_url(url, person.field_span("links"), diagnostics)


def _event(event: Event, project: Path, diagnostics: Diagnostics) -> None:
    if event.date and event.end_date and period(event.end_date)[1] < period(event.date)[0]:
        diagnostics.error(event.field_span("end_date"), f"end_date {event.end_date.text} is before date {event.date.text}",
                          "swap them, or correct the end date")
    if not event.people and "people" not in event.failed:  # a broken field has its own error
        diagnostics.warning(event.span, f"event '{event.slug}' names no people",
                            "add people: [slug, ...] so readers see who was involved")


def _claim(claim: Claim, project: Path, diagnostics: Diagnostics) -> None:
    for attribute in ("disputes", "supports"):
        for ref in getattr(claim, attribute):
            if ref.entry is claim:
                diagnostics.error(ref.span, f"a claim cannot {attribute[:-1]} itself",
                                  f"remove '{claim.slug}' from {attribute}")
    if not claim.sources and "sources" not in claim.failed:
        diagnostics.warning(claim.span, f"claim '{claim.slug}' cites no source",
                            "add sources: [id] so readers can check it")


def _question(question: Question, project: Path, diagnostics: Diagnostics) -> None:
    if question.status == "answered" and question.answered is None:
        diagnostics.error(question.field_span("status"), "an answered question needs the date it was answered",
                          "add answered: YYYY-MM-DD")
    if question.status == "open" and question.answered is not None:
        diagnostics.warning(question.field_span("answered"), "this question has an answered date but its status is open",
                            "set status: answered, or remove answered")
    if question.question and not question.question.endswith("?"):
        diagnostics.error(question.field_span("question"), "a question must end with '?'", f"write it as: {question.question}?")


_ENTRY_RULES = {Person: _person, Event: _event, Claim: _claim, Question: _question}

