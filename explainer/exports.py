"""Open data: the whole story as ``story.json`` and the timeline as TimelineJS JSON.

``story.json`` follows ``docs/story.schema.json``; its ``version`` changes
only when a field is removed or changes meaning.
"""

from __future__ import annotations

import html
import json
from typing import Any

from explainer.dates import PartialDate
from explainer.linker import Linked
from explainer.model import Claim, Entry, Event, Person, Question

STORY_JSON = "story.json"
TIMELINE_JSON = "timeline.json"
STORY_SCHEMA_VERSION = 1


def _date(date: PartialDate | None) -> str | None:
    return date.iso() if date is not None else None


def _keys(refs) -> list[str]:  # noqa: ANN001 - a list of resolved Refs
    return [ref.entry.key for ref in refs if ref.entry is not None]


def _slugs(refs) -> list[str]:  # noqa: ANN001
    return [ref.entry.slug for ref in refs if ref.entry is not None]


def _entry(entry: Entry, linked: Linked, base_url: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {"slug": entry.slug, "path": entry.url}
    if base_url:
        data["url"] = base_url + entry.url
    if isinstance(entry, Person):
        data.update(name=entry.name, role=entry.role, kind=entry.person_kind, aliases=entry.aliases,
                    image=entry.image, image_alt=entry.image_alt, links=entry.links)
    elif isinstance(entry, Event):
        data.update(title=entry.title, date=_date(entry.date), end_date=_date(entry.end_date), place=entry.place,
                    people=_slugs(entry.people), key=entry.is_key)
    elif isinstance(entry, Claim):
        data.update(claim=entry.claim, by=_slugs(entry.by), date=_date(entry.date), status=entry.status,
                    quote=entry.quote, disputes=_slugs(entry.disputes), supports=_slugs(entry.supports),
                    about=_keys(entry.about))
    elif isinstance(entry, Question):
        data.update(question=entry.question, status=entry.status, answered=_date(entry.answered),
                    about=_keys(entry.about))
    data.update(sources=[ref.target for ref in entry.sources], updated=_date(entry.updated), body=entry.body,
                backlinks=[{"from": b.source.key if b.source is not None else "story", "relation": b.relation}
                           for b in linked.backlinks(entry)])
    return data


def story_json(linked: Linked, base_url: str | None) -> bytes:
    content = linked.content
    story = content.story
    document = {
        "format": "explainer-story",
        "version": STORY_SCHEMA_VERSION,
        "base_url": base_url,
        "story": {"title": story.title, "summary": story.summary, "published": _date(story.published),
                  "updated": _date(story.updated), "byline": story.byline, "language": story.language,
                  "body": story.body},
        "people": [_entry(e, linked, base_url) for e in content.entries["people"]],
        "events": [_entry(e, linked, base_url) for e in linked.timeline],
        "claims": [_entry(e, linked, base_url) for e in content.entries["claims"]],
        "questions": [_entry(e, linked, base_url) for e in content.entries["questions"]],
        "sources": [{"id": s.id, "title": s.title, "publisher": s.publisher, "url": s.url, "date": _date(s.date),
                     "cited_by": [e.key for e in linked.citations.get(s.id, [])]} for s in content.sources],
    }
    return _json(document)


def _timeline_date(date: PartialDate) -> dict[str, Any]:
    """TimelineJS date object: numbers for the parts written, and the date as shown."""
    parts = {"year": date.year, "month": date.month, "day": date.day, "hour": date.hour, "minute": date.minute}
    data = {name: value for name, value in parts.items() if value is not None}
    data["display_date"] = date.human()
    return data


def timeline_json(linked: Linked, body_html, base_url: str | None) -> bytes:  # noqa: ANN001
    """The timeline in Knight Lab TimelineJS's JSON format, ready for its embed."""
    story = linked.content.story
    events = []
    for event in linked.timeline:
        text = body_html(event)
        if base_url:
            text += f'<p><a href="{html.escape(base_url + event.url)}">Read more</a></p>'
        item: dict[str, Any] = {"unique_id": event.slug, "start_date": _timeline_date(event.date),
                                "text": {"headline": event.title, "text": text}}
        if event.end_date is not None:
            item["end_date"] = _timeline_date(event.end_date)
        if event.place:
            item["group"] = event.place
        events.append(item)
    document = {"title": {"text": {"headline": story.title, "text": story.summary}}, "events": events}
    return _json(document)


def _json(document: dict[str, Any]) -> bytes:
    """Compact JSON: on a big story, indenting would make the file a third larger and the build slower."""
    return (json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
