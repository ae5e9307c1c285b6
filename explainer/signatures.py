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
from explainer.living import Change, Chronicle
from explainer.model import Claim, Entry, Event, Person, Question, Ref, Snippet, Source
from explainer.pages import CORRECTIONS_URL, INDEX_PAGES, SOURCES_URL, UPDATES_URL, Page
from explainer.render import snippet_key, theme_dirs

SKIPPED_FIELDS = {"span", "spans", "failed", "order", "body_span", "body_indent", "indent"}


def _plain(value: Any) -> Any:
    if isinstance(value, Ref):
        return (value.target, value.entry.key if value.entry is not None else None)
    if isinstance(value, PartialDate):
        return value.iso()
    if isinstance(value, Snippet):
        return value.text
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # a correction, a verdict: positions aside
        return tuple(
            (f.name, _plain(getattr(value, f.name))) for f in dataclasses.fields(value) if f.name not in SKIPPED_FIELDS
        )
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


def summary(entry: Entry | None, linked: Linked | None = None, chronicle: Chronicle | None = None) -> str:
    """What a list item or link shows of an entry, wherever it is listed.

    With the linked story and its chronicle, also what the living story adds to every list item: the
    answer (as its HTML depends on it), and the dates of the entry's changes.
    """
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
        answer = entry.answer
        shown = snippet_key(answer, linked) if answer is not None and linked is not None else _plain(answer)
        parts = (entry.question, entry.status, _plain(entry.answered), shown)
    else:
        parts = ()
    living: tuple[Any, ...] = (entry.display_title, entry.summary, entry.weight)
    if chronicle is not None:
        living += (_plain(chronicle.last_change(entry)), _plain(chronicle.first_change(entry)))
    return repr((entry.key, parts, living))


def change_digest(change: Change, linked: Linked) -> str:
    """Everything a listed change shows: its kind, date, text (with its links), what it concerns, its sources."""
    return repr(
        (
            change.kind,
            change.id,
            change.date.iso(),
            snippet_key(change.text, linked) if change.text is not None else None,
            change.minor,
            change.status,
            change.previous_status,
            change.subject.key if change.subject is not None else None,
            tuple((entry.key, entry.display_title) for entry in change.concerns),
            tuple(
                digest(linked.sources[ref.target]) if ref.target in linked.sources else ref.target
                for ref in change.sources
            ),
        )
    )


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
    # the living story: every page shows the story's last change and, once it records changes, the
    # "since your last visit" hooks; the update log, key points and the story's corrections are
    # shown on several pages and are edited rarely, so they count for every page
    chronicle = Chronicle(linked)
    parts.append(repr((_plain(chronicle.story_last_change()), chronicle.is_living)))
    if story is not None:
        parts += [repr(snippet_key(point, linked)) for point in story.key_points]
        parts += [repr((_plain(c.date), snippet_key(c.text, linked))) for c in story.corrections]
    parts += [change_digest(change, linked) for change in chronicle.changes if change.kind == "update"]
    for theme in theme_dirs(linked):
        for path in sorted((theme / "templates").glob("*.html")):
            parts.append(path.name + hashlib.sha256(path.read_bytes()).hexdigest())
    return hash_parts(parts)


class Memo:
    """Summaries and digests computed once per update, however many pages list an entry."""

    def __init__(self) -> None:
        self.summaries: dict[int, str] = {}
        self.digests: dict[int, str] = {}
        self.linked: Linked | None = None
        self.chronicle: Chronicle | None = None

    def use(self, linked: Linked) -> Chronicle:
        """The chronicle of ``linked``, made once (a memo serves one linked story at a time)."""
        if self.linked is not linked or self.chronicle is None:
            self.linked, self.chronicle = linked, Chronicle(linked)
            self.summaries = {}
        return self.chronicle

    def summary(self, entry: Entry | None) -> str:
        key = id(entry)
        if key not in self.summaries:
            self.summaries[key] = summary(entry, self.linked, self.chronicle)
        return self.summaries[key]

    def digest(self, item: Entry | Source) -> str:
        key = id(item)
        if key not in self.digests:
            self.digests[key] = digest(item)
        return self.digests[key]


def page_signature(page: Page, linked: Linked, asset_names: dict[str, str], memo: Memo | None = None) -> str:
    """Everything this page shows, as the default theme shows it."""
    memo = memo or Memo()
    chronicle = memo.use(linked)
    summary, digest = memo.summary, memo.digest
    content = linked.content
    entry = page.entry
    if entry is not None:
        parts = [digest(entry), summary(entry)]
        # its corrections, verdicts and the updates naming it, with the links and sources they show
        parts += [change_digest(change, linked) for change in chronicle.about(entry)]
        parts += [summary(concerned) for change in chronicle.about(entry) for concerned in change.concerns]
        for name in ("people", "by", "disputes", "supports", "about"):
            parts += [summary(ref.entry) for ref in getattr(entry, name, [])]
        parts += [summary(linked.wikilinks.get(target)) for target in wikilink_targets(entry)]
        parts += [f"{b.relation}:{summary(b.source)}" for b in linked.backlinks(entry)]
        parts += [digest(source) for source in linked.sources_named(entry.sources)]
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
    if page.output is None and page.url in (UPDATES_URL, CORRECTIONS_URL):  # the log, or its corrections
        changes = chronicle.changes if page.url == UPDATES_URL else chronicle.corrections
        return hash_parts([page.url, *(change_digest(change, linked) for change in changes)])
    if page.output is None and page.url == "":  # the overview lists a bit of everything
        story = content.story
        return hash_parts(
            [
                story.body if story else "",
                *(summary(e) for e in content.all_entries()),
                *(f"{k}:{b.relation}:{summary(b.source)}" for k, bs in sorted(linked.incoming.items()) for b in bs),
                *(digest(s) for s in content.sources),
                *(change_digest(change, linked) for change in chronicle.changes),
            ]
        )
    return ""  # search and 404: only what every page shows
