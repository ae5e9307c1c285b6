"""What each page shows, as digests: the knowledge of which pages an edit affects.

A page's *signature* digests everything it shows: its entry, the one-line
summaries of every entry it lists or links, its backlinks, its sources, and
for events the neighbours on the timeline. After an edit, only pages whose
signature changed need rendering again; everything every page shows (the
story's header, the settings, the theme, explainer's version) is one global
signature whose change re-renders all pages. A project theme may show
anything, so with one every page is re-rendered.

``explainer serve`` (:mod:`explainer.incremental`) compares signatures in
memory; ``explainer build`` (:mod:`explainer.buildcache`) keeps them on disk.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from typing import Any

from explainer import __version__
from explainer.dates import PartialDate
from explainer.linker import Linked, wikilink_targets
from explainer.model import Claim, Entry, Event, Person, Question, Ref, Source
from explainer.pages import INDEX_PAGES, SOURCES_URL, Page
from explainer.render import theme_dirs

SKIPPED_FIELDS = {"span", "spans", "failed", "order", "body_span", "body_indent"}


def _plain(value: Any) -> Any:
    if isinstance(value, Ref):
        return (value.target, value.entry.key if value.entry is not None else None)
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, (list, tuple)):
        return tuple(_plain(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((key, _plain(item)) for key, item in value.items()))
    return value


def digest(entry: Entry | Source) -> str:
    """Everything written in an entry (or source), positions aside."""
    return repr(
        tuple(
            (f.name, _plain(getattr(entry, f.name))) for f in dataclasses.fields(entry) if f.name not in SKIPPED_FIELDS
        )
    )


def summary(entry: Entry | None) -> str:
    """What a list item or link shows of an entry, wherever it is listed."""
    if entry is None:
        return "story"
    parts: tuple[Any, ...]
    if isinstance(entry, Person):
        parts = (entry.name, entry.role, entry.person_kind)
    elif isinstance(entry, Event):
        parts = (entry.title, _plain(entry.date), _plain(entry.end_date), entry.place, entry.is_key)
    elif isinstance(entry, Claim):
        parts = (entry.claim, entry.status, tuple(ref.entry.title for ref in entry.by if ref.entry))
    elif isinstance(entry, Question):
        parts = (entry.question, entry.status, _plain(entry.answered))
    else:
        parts = ()
    return repr((entry.key, parts))


def hash_parts(parts: Iterable[str]) -> str:
    """One digest of many strings (NUL-separated, so no two lists share one)."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def global_signature(linked: Linked, asset_names: dict[str, str]) -> str:
    """What every page shows or depends on."""
    settings = linked.content.settings
    story = linked.content.story
    parts = [__version__, repr(dataclasses.astuple(settings)), repr(sorted(asset_names.items()))]
    if story is not None:
        parts.append(
            repr(
                (
                    story.title,
                    story.summary,
                    _plain(story.published),
                    _plain(story.updated),
                    tuple(story.byline),
                    story.language,
                )
            )
        )
    for theme in theme_dirs(linked):
        for path in sorted((theme / "templates").glob("*.html")):
            parts.append(path.name + hashlib.sha256(path.read_bytes()).hexdigest())
    return hash_parts(parts)


class Memo:
    """Summaries and digests computed once per update, however many pages list an entry."""

    def __init__(self) -> None:
        self.summaries: dict[int, str] = {}
        self.digests: dict[int, str] = {}

    def summary(self, entry: Entry | None) -> str:
        key = id(entry)
        if key not in self.summaries:
            self.summaries[key] = summary(entry)
        return self.summaries[key]

    def digest(self, item: Entry | Source) -> str:
        key = id(item)
        if key not in self.digests:
            self.digests[key] = digest(item)
        return self.digests[key]


def page_signature(page: Page, linked: Linked, asset_names: dict[str, str], memo: Memo | None = None) -> str:
    """Everything this page shows, as the default theme shows it."""
    memo = memo or Memo()
    summary, digest = memo.summary, memo.digest
    content = linked.content
    entry = page.entry
    if entry is not None:
        parts = [digest(entry)]
        for name in ("people", "by", "disputes", "supports", "about"):
            parts += [summary(ref.entry) for ref in getattr(entry, name, [])]
        parts += [summary(linked.wikilinks.get(target)) for target in wikilink_targets(entry)]
        parts += [f"{b.relation}:{summary(b.source)}" for b in linked.backlinks(entry)]
        parts += [digest(linked.sources[ref.target]) for ref in entry.sources if ref.target in linked.sources]
        parts += [summary(page.previous), summary(page.next)] if isinstance(entry, Event) else []
        if isinstance(entry, Person) and entry.image:
            parts += [repr(sorted(asset_names.items()))]
        return hash_parts(parts)
    index = {urls[0]: collection for collection, urls in INDEX_PAGES.items()}
    if page.output is None and page.url in index:
        listed = linked.timeline if index[page.url] == "events" else content.entries[index[page.url]]
        return hash_parts(summary(e) for e in listed)
    if page.output is None and page.url == SOURCES_URL:
        return hash_parts(
            [digest(s) + repr([summary(e) for e in linked.citations.get(s.id, [])]) for s in content.sources]
        )
    if page.output is None and page.url == "":  # the overview lists a bit of everything
        story = content.story
        return hash_parts(
            [
                story.body if story else "",
                *(summary(e) for e in content.all_entries()),
                *(f"{k}:{b.relation}:{summary(b.source)}" for k, bs in sorted(linked.incoming.items()) for b in bs),
                *(digest(s) for s in content.sources),
            ]
        )
    return ""  # search and 404: only what every page shows
