"""Open data: the whole story as ``story.json`` and the timeline as TimelineJS JSON.

``story.json`` follows ``docs/story.schema.json``. Version 2 (the living story) only adds to
version 1: the story's ``key_points``, ``corrections`` and ``last_change``; every entry's
``summary``, ``corrections``, ``weight`` and ``last_change``; a claim's ``status_history``; a
question's ``answer``; the ``updates`` log; and ``claim_statuses``, every claim status the site
knows (house verdicts from ``explainer.yml`` included) with its label and meaning. Every version-1
field keeps its name and meaning (``docs/open-data.md``). The version changes only when a field is
removed or changes meaning, or, as here, when the content format's own version does.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from explainer.basics import STORY_PART, TIMELINE_PART, part_key
from explainer.dates import PartialDate
from explainer.i18n import _
from explainer.linker import Linked
from explainer.living import Chronicle
from explainer.model import (
    ANY_KIND,
    KINDS,
    SOURCES,
    STORY_SCHEMA,
    UPDATE_SCHEMA,
    Entry,
    Event,
    FieldSpec,
    Records,
    Snippet,
)

STORY_JSON = "story.json"
TIMELINE_JSON = "timeline.json"
STORY_SCHEMA_VERSION = 2


def _date(date: PartialDate | None) -> str | None:
    return date.iso() if date is not None else None


def export_value(spec: FieldSpec, value: Any) -> Any:
    """A field's value as story.json carries it: dates as written, references as slugs, ``kind/slug`` or ids."""
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, Snippet):
        return value.text
    if isinstance(value, list) and value and isinstance(value[0], Snippet):
        return [snippet.text for snippet in value]
    if isinstance(spec.convert, Records):  # corrections, a verdict history: each item by its own fields
        return [
            {item.name: export_value(item, getattr(record, item.key)) for item in spec.convert.schema}
            for record in value
        ]
    if spec.refers_to == SOURCES:
        return [ref.target for ref in value]
    if spec.refers_to == ANY_KIND:
        return [ref.entry.key for ref in value if ref.entry is not None]
    if spec.refers_to is not None:
        return [ref.entry.slug for ref in value if ref.entry is not None]
    return value


def _entry(entry: Entry, linked: Linked, base_url: str | None, chronicle: Chronicle) -> dict[str, Any]:
    data: dict[str, Any] = {"slug": entry.slug, "path": entry.path}
    if base_url:
        data["url"] = base_url + entry.path
    for spec in KINDS[entry.collection].all_fields:
        data[spec.name] = export_value(spec, getattr(entry, spec.key))
    data.update(
        body=entry.body,
        backlinks=[{"from": b.origin_key, "relation": b.relation} for b in linked.backlinks(entry)],
        last_change=_date(chronicle.last_change(entry)),
    )
    return data


class Parts:
    """Each entry's part of ``story.json`` and ``timeline.json`` as the JSON text it is written as, kept between
    builds (in the render state) so a build after an edit encodes only the entries it may have changed.

    ``before`` are the last build's parts by name; an entry ``reusable`` says is unchanged since (its file is, and
    nothing any part shows of another entry changed: see :func:`explainer.rebuild.render_site`) takes its part
    from them. ``now`` are this build's parts; two entries with one key (never in a good build) make every
    part anew (:attr:`clash`)."""

    def __init__(
        self, before: Mapping[str, str] | None = None, reusable: Callable[[Entry], bool] | None = None
    ) -> None:
        self.before = before if before is not None and reusable is not None else {}
        self.reusable = reusable
        self.now: dict[str, str] = {}
        self.clash = False
        self.reused = 0

    def part(self, name: str, entry: Entry, make: Callable[[], Any]) -> str:
        key = part_key(name, entry.key)
        if key in self.now:
            self.clash = True
        text = self.before.get(key) if self.reusable is not None and self.reusable(entry) else None
        if text is None:
            text = json.dumps(make(), ensure_ascii=False, separators=(",", ":"))
        else:
            self.reused += 1
        self.now[key] = text
        return text


def _made_whole(make: Callable[[Parts], bytes], parts: Parts | None) -> bytes:
    """``make`` with ``parts`` (reusing what they allow), made again with none reused if two entries share a key."""
    if parts is None:
        return make(Parts())
    made = make(parts)
    if parts.clash:
        fresh = Parts()
        made = make(fresh)
        parts.now, parts.clash = {}, True  # nothing kept: the next build makes every part
    return made


def story_json(
    linked: Linked, base_url: str | None, chronicle: Chronicle | None = None, parts: Parts | None = None
) -> bytes:
    """``story.json`` (see :class:`Parts` for ``parts``)."""
    chronicle = chronicle if chronicle is not None else Chronicle(linked)
    return _made_whole(lambda kept: _story_json(linked, base_url, chronicle, kept), parts)


def _story_json(linked: Linked, base_url: str | None, chronicle: Chronicle, parts: Parts) -> bytes:
    content = linked.content
    story = linked.story
    entries = {
        collection: _array(
            parts.part(STORY_PART, e, partial(_entry, e, linked, base_url, chronicle))
            for e in (linked.timeline if collection == "events" else content.entries[collection])
        )
        for collection in KINDS
    }
    head = {
        "format": "explainer-story",
        "version": STORY_SCHEMA_VERSION,
        "base_url": base_url,
        "story": {
            **{spec.name: export_value(spec, getattr(story, spec.key)) for spec in STORY_SCHEMA},
            "body": story.body,
            "last_change": _date(chronicle.story_last_change() or story.published),
        },
    }
    tail = {
        "sources": [
            {
                "id": s.id,
                "title": s.title,
                "publisher": s.publisher,
                "url": s.url,
                "date": _date(s.date),
                "note": s.note,
                "cited_by": [e.key for e in linked.citations.get(s.id, [])],
            }
            for s in content.sources
        ],
        "updates": [
            {spec.name: export_value(spec, getattr(update, spec.key)) for spec in UPDATE_SCHEMA}
            for update in sorted(content.updates, key=lambda update: update.order)
        ],
        "claim_statuses": [
            {
                "id": status.id,
                "label": status.label,
                "meaning": status.meaning,
                "built_in": status.built_in,
                "like": status.like,
            }
            for status in content.settings.statuses().claims
        ],
    }
    return _joined([*_encoded(head), *entries.items(), *_encoded(tail)])


def _timeline_date(date: PartialDate) -> dict[str, Any]:
    """TimelineJS date object: numbers for the parts written, and the date as shown."""
    parts = {"year": date.year, "month": date.month, "day": date.day, "hour": date.hour, "minute": date.minute}
    data: dict[str, Any] = {name: value for name, value in parts.items() if value is not None}
    data["display_date"] = date.human()
    return data


def timeline_json(
    linked: Linked, body_html: Callable[[Entry], str], base_url: str | None, parts: Parts | None = None
) -> bytes:
    """The timeline in Knight Lab TimelineJS's JSON format, ready for its embed (see :class:`Parts` for ``parts``).

    TimelineJS shows every text field as HTML, so writers' plain text is escaped here; bodies are
    already safe HTML (converted in safe mode).
    """
    return _made_whole(lambda kept: _timeline_json(linked, body_html, base_url, kept), parts)


def _timeline_event(event: Event, body_html: Callable[[Entry], str], base_url: str | None) -> dict[str, Any]:
    text = body_html(event)
    if event.summary:  # one plain line, escaped: TimelineJS shows text fields as HTML
        text = f"<p>{html.escape(event.summary)}</p>" + text
    if base_url:
        more = html.escape(_("Read more"))
        text += f'<p><a href="{html.escape(base_url + event.path)}">{more}</a></p>'
    item: dict[str, Any] = {
        "unique_id": event.slug,
        "start_date": _timeline_date(event.start),
        "text": {"headline": html.escape(event.title), "text": text},
    }
    if event.end_date is not None:
        item["end_date"] = _timeline_date(event.end_date)
    if event.place:
        item["group"] = html.escape(event.place)
    return item


def _timeline_json(linked: Linked, body_html: Callable[[Entry], str], base_url: str | None, parts: Parts) -> bytes:
    story = linked.story
    events = _array(
        parts.part(TIMELINE_PART, event, partial(_timeline_event, event, body_html, base_url))
        for event in linked.timeline
    )
    title = {"text": {"headline": html.escape(story.title), "text": html.escape(story.summary)}}
    return _joined([*_encoded({"title": title}), ("events", events)])


def _encoded(document: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(name, [json.dumps(value, ensure_ascii=False, separators=(",", ":"))]) for name, value in document.items()]


def _enclosed(opening: str, members: Iterable[Iterable[str]], closing: str) -> list[str]:
    """Members (each in pieces of JSON text) separated by commas between ``opening`` and ``closing``, as pieces."""
    pieces = [opening]
    for member in members:
        pieces += (*member, ",")
    pieces[-1] = closing if len(pieces) > 1 else opening + closing
    return pieces


def _array(items: Iterable[str]) -> list[str]:
    """A JSON array of items that are JSON text already, as pieces for :func:`_joined`."""
    return _enclosed("[", ((item,) for item in items), "]")


def _joined(members: list[tuple[str, list[str]]]) -> bytes:
    """Compact JSON of an object whose members' values are JSON text already (in pieces), as ``json.dumps`` writes
    it (on a big story, indenting would make the file a third larger and the build slower). The pieces are joined
    once: at 10,000 entries ``story.json`` is some 16 MB, and every text made on the way to it is another copy."""
    named = ((json.dumps(name, ensure_ascii=False), ":", *value) for name, value in members)
    return "".join(_enclosed("{", named, "}\n")).encode("utf-8")
