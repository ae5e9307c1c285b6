"""Rebuild only what an edit affects: the knowledge of which pages show what.

A page's *signature* digests everything it shows: its entry, the one-line
summaries of every entry it lists or links, its backlinks, its sources, and
for events the neighbours on the timeline. After an edit, only pages whose
signature changed are rendered again; everything every page shows (the
story's header, the settings, the theme, explainer's version) is one global
signature whose change re-renders all pages. A project theme may show
anything, so with one every page is re-rendered.

:class:`Session` keeps the last good build in memory; ``explainer serve``
uses it, and a persistent build cache can use the same signatures.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from explainer import __version__
from explainer.build import collect_assets, load, render_pages, site_files
from explainer.dates import PartialDate
from explainer.diagnostics import Diagnostic, Diagnostics
from explainer.linker import Linked, wikilink_targets
from explainer.model import Claim, Entry, Event, Person, Question, Ref, Source
from explainer.pages import INDEX_PAGES, SOURCES_URL, Page, plan_pages
from explainer.reader import ReadCache
from explainer.render import Renderer, make_environment, theme_dirs

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
    return repr(tuple((f.name, _plain(getattr(entry, f.name))) for f in dataclasses.fields(entry)
                      if f.name not in SKIPPED_FIELDS))


def summary(entry: Entry | None) -> str:
    """What a list item or link shows of an entry, wherever it is listed."""
    if entry is None:
        return "story"
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


def _hash(parts: Iterable[str]) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def global_signature(linked: Linked, asset_names: dict[str, str]) -> str:
    """What every page shows or depends on."""
    settings = linked.content.settings
    story = linked.content.story
    parts = [__version__, repr(dataclasses.astuple(settings)), repr(sorted(asset_names.items()))]
    if story is not None:
        parts.append(repr((story.title, story.summary, _plain(story.published), _plain(story.updated),
                           tuple(story.byline), story.language)))
    for theme in theme_dirs(linked):
        for path in sorted((theme / "templates").glob("*.html")):
            parts.append(path.name + hashlib.sha256(path.read_bytes()).hexdigest())
    return _hash(parts)


class _Memo:
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


def page_signature(page: Page, linked: Linked, asset_names: dict[str, str], memo: _Memo | None = None) -> str:
    """Everything this page shows, as the default theme shows it."""
    memo = memo or _Memo()
    summary, digest = memo.summary, memo.digest  # noqa: F811 - the memoised forms
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
        return _hash(parts)
    index = {urls[0]: collection for collection, urls in INDEX_PAGES.items()}
    if page.output is None and page.url in index:
        listed = linked.timeline if index[page.url] == "events" else content.entries[index[page.url]]
        return _hash(summary(e) for e in listed)
    if page.output is None and page.url == SOURCES_URL:
        return _hash([digest(s) + repr([summary(e) for e in linked.citations.get(s.id, [])]) for s in content.sources])
    if page.output is None and page.url == "":  # the overview lists a bit of everything
        story = content.story
        return _hash([story.body if story else "", *(summary(e) for e in content.all_entries()),
                      *(f"{k}:{b.relation}:{summary(b.source)}" for k, bs in sorted(linked.incoming.items())
                        for b in bs), *(digest(s) for s in content.sources)])
    return ""  # search and 404: only what every page shows


@dataclass
class Update:
    ok: bool
    changed: set[str] = field(default_factory=set)  # output files added, changed or removed
    rendered: int = 0  # pages rendered for this update
    diagnostics: list[Diagnostic] = field(default_factory=list)


class Session:
    """The last good build of a project, kept in memory and brought up to date edit by edit."""

    def __init__(self, project: Path, base_url: str | None = None, lazy_site_files: bool = False):
        self.project = project.resolve()
        self.base_url = base_url
        self.lazy_site_files = lazy_site_files
        self._site_files: tuple | None = None
        self._environments: dict[str, Any] = {}
        self.cache = ReadCache()
        self.bodies: dict[tuple, str] = {}
        self.files: dict[str, bytes] = {}
        self.signatures: dict[str, str] = {}
        self.global_signature: str | None = None
        self.generation = 0
        self.diagnostics: list[Diagnostic] = []
        self.ok = False

    def update(self, changed_paths: Iterable[Path] = ()) -> Update:
        """Re-read what changed, re-render the pages it affects, and keep the result if it is good."""
        self.cache.forget(Path(p).resolve() for p in changed_paths)
        diagnostics = Diagnostics()
        linked = load(self.project, diagnostics, self.base_url, self.cache)
        if diagnostics.errors:
            return self._failed(diagnostics)
        pages = plan_pages(linked)
        assets = collect_assets(linked)
        everything = global_signature(linked, assets.names)
        if everything not in self._environments:
            self._environments = {everything: make_environment(theme_dirs(linked))}
        renderer = Renderer(linked, assets, self.bodies, self._environments[everything])
        full = everything != self.global_signature or linked.content.settings.theme is not None
        memo = _Memo()
        signatures = {page.output_path: page_signature(page, linked, assets.names, memo) for page in pages}
        stale = [page for page in pages if full or signatures[page.output_path] != self.signatures.get(page.output_path)]
        rendered = render_pages(renderer, stale, diagnostics)
        if diagnostics.errors:
            return self._failed(diagnostics)
        files = {page.output_path: rendered.get(page.output_path, self.files.get(page.output_path, b""))
                 for page in pages}
        files.update(assets.files)
        if self.lazy_site_files:  # made when first asked for: a preview rarely needs story.json after each save
            self._site_files = (linked, pages, renderer, None)
        else:
            files.update(site_files(linked, pages, renderer))
        changed = {name for name in files.keys() | self.files.keys() if files.get(name) != self.files.get(name)}
        recovered = not self.ok  # a fix that restores the last good site still replaces the error page
        self.files, self.signatures, self.global_signature = files, signatures, everything
        self.diagnostics, self.ok = diagnostics.sorted(), True
        if changed or recovered:
            self.generation += 1
        if len(self.bodies) > 4 * max(1, len(linked.content.all_entries())):
            self.bodies.clear()  # edits leave old bodies behind; start afresh now and then
        return Update(True, changed, len(stale), self.diagnostics)

    def file(self, name: str) -> bytes | None:
        """One output file of the last good build (site files made on first request when lazy)."""
        if name in self.files:
            return self.files[name]
        if self._site_files is not None:
            linked, pages, renderer, made = self._site_files
            if made is None:
                made = site_files(linked, pages, renderer)
                self._site_files = (linked, pages, renderer, made)
            return made.get(name)
        return None

    def _failed(self, diagnostics: Diagnostics) -> Update:
        self.ok = False
        self.diagnostics = diagnostics.sorted()
        self.generation += 1
        return Update(False, diagnostics=self.diagnostics)
