"""The serve session: the last good build kept in memory and brought up to date save by save.

It renders through the same plan as ``explainer build`` (:func:`explainer.rebuild.render_site`),
keeping the render state in memory instead of in the build cache.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from explainer import i18n
from explainer.build import add_passthrough, build_day, load
from explainer.buildcache import Stamp, input_stamps, stamp, unchanged_inputs
from explainer.collection import Collector
from explainer.diagnostics import Diagnostic, Diagnostics
from explainer.linker import Linked
from explainer.reader import ReadCache
from explainer.rebuild import RenderState, render_site, site_files
from explainer.render import default_theme, make_environment, template_names, theme_dirs


@dataclass
class Update:
    ok: bool
    changed: set[str] = field(default_factory=set)  # output files added, changed or removed
    rendered: int = 0  # pages rendered for this update
    rendered_pages: set[str] = field(default_factory=set)  # their output paths
    diagnostics: list[Diagnostic] = field(default_factory=list)


class Session:
    """The last good build of a project, kept in memory and brought up to date edit by edit."""

    def __init__(self, project: Path, base_url: str | None = None, lazy_site_files: bool = False):
        build_day()  # stops the session at once on a SOURCE_DATE_EPOCH that is not a date
        self.project = project.resolve()
        self.base_url = base_url
        self.lazy_site_files = lazy_site_files
        self._site_files: tuple | None = None
        self._environments: dict[tuple, Any] = {}
        self.cache = ReadCache()
        self.bodies: dict[tuple, str] = {}
        self.files: dict[str, bytes] = {}
        self.state: RenderState | None = None
        self.linked: Linked | None = None  # the last link, good or not: the next one links only what changed
        self.inputs: dict[str, Stamp] = {}  # input files' stamps when the state was made
        self.unsettled: set[str] = set()  # files changed since then (by updates that failed)
        self._layout: tuple[set[str], set[str]] | None = None  # the pages' and share images' paths in files
        self._made: set[str] = set()  # the other files in files (assets, site files, static/), made each update
        self._themes: list[Path] = [default_theme()]
        self.generation = 0
        self.diagnostics: list[Diagnostic] = []
        self.ok = False

    def update(self, changed_paths: Iterable[Path] = ()) -> Update:
        """Re-read what changed, re-render the pages it affects, and keep the result if it is good."""
        changed = {_absolute(Path(p)) for p in changed_paths}
        self.cache.forget(changed)
        # the watcher's list is complete for files the last read read: only they are looked at again
        known = self.state is not None and self.cache.replayable(self.project, changed)
        known = known and all(str(path) in self.inputs for path in changed)
        unsettled = self.unsettled | {str(path) for path in changed}
        if known:
            inputs = dict(self.inputs)
            for name in unsettled:
                found = stamp(Path(name), follow=True)
                if found is not None:
                    inputs[name] = found
                else:
                    inputs.pop(name, None)
        else:  # taken before reading: a save meanwhile shows next time
            inputs = input_stamps(self.project, self._themes)
        diagnostics = Diagnostics()
        collector = Collector()
        if self.linked is None:  # the first read of every file: without the collector's passes, as a build reads
            collector.pause()
        try:
            linked = self.linked = load(
                self.project, diagnostics, self.base_url, self.cache, previous=self.linked, changed=changed
            )
        finally:
            collector.finish(collect=False)  # the few cycles it left are collected as the session goes on
        if diagnostics.errors:
            return self._failed(diagnostics, unsettled)
        # compiled templates are kept while the same files make the theme (Jinja2 reloads a changed file, but
        # would keep using the default theme's template after a project theme adds one of the same name)
        themes = tuple((str(theme), *template_names(theme)) for theme in theme_dirs(linked))
        if themes not in self._environments:
            self._environments = {themes: make_environment(theme_dirs(linked))}
        site = render_site(
            linked,
            diagnostics,
            previous=self.state,
            stable_paths=((inputs.keys() if known else unchanged_inputs(self.inputs, inputs)) - unsettled),
            environment=self._environments[themes],
            bodies=self.bodies,
            with_site_files=not self.lazy_site_files,
            keep_index=True,
            # only content files the reader reads changed, since the last good update too
            same_templates=known and self.cache.replayable(self.project, {Path(name) for name in unsettled}),
        )
        if diagnostics.errors:
            return self._failed(diagnostics, unsettled)
        if site.same_pages and self._layout is not None:  # the pages of the last good update, in its order
            page_paths = self._layout[0]
        else:
            page_paths = {page.output_path for page in site.pages}
        if self._layout == (page_paths, site.images):  # the same pages and images: only what was made now changed
            files = dict(self.files)
            for name in self._made - site.files.keys():
                del files[name]
            files.update(site.files)
            touched: set[str] | None = self._made | site.files.keys()
        else:
            files = {
                page.output_path: site.files.get(page.output_path) or self.files[page.output_path]
                for page in site.pages
            }
            files.update({name: self.files[name] for name in site.images if name not in site.files})  # kept
            files.update(site.files)
            touched = None
        passthrough = add_passthrough(self.project, files, diagnostics, page_paths)
        if diagnostics.errors:
            return self._failed(diagnostics, unsettled)
        if self.lazy_site_files:  # made when first asked for: a preview rarely needs story.json after each save
            self._site_files = (linked, site.pages, site.renderer, None)
        candidates = files.keys() | self.files.keys() if touched is None else touched | passthrough
        changed_files = {name for name in candidates if files.get(name) != self.files.get(name)}
        self._layout = (page_paths, set(site.images))
        self._made = (site.files.keys() - page_paths - site.images) | passthrough
        recovered = not self.ok  # a fix that restores the last good site still replaces the error page
        self.files, self.state = files, site.state
        self.inputs, self._themes, self.unsettled = inputs, theme_dirs(linked), set()
        self.diagnostics, self.ok = diagnostics.sorted(), True
        if changed_files or recovered:
            self.generation += 1
        if len(self.bodies) > 4 * max(1, len(linked.content.all_entries())):
            self.bodies = {}  # edits leave old bodies behind; start afresh (a kept renderer keeps its own)
        return Update(True, changed_files, len(site.stale), {page.output_path for page in site.stale}, self.diagnostics)

    def file(self, name: str) -> bytes | None:
        """One output file of the last good build (site files made on first request when lazy)."""
        if name in self.files:
            return self.files[name]
        if self._site_files is not None:
            linked, pages, renderer, made = self._site_files
            if made is None:
                i18n.activate(renderer.language)  # the last good build's language, whatever a failed one set
                made = site_files(linked, pages, renderer)
                self._site_files = (linked, pages, renderer, made)
            return made.get(name)
        return None

    def _failed(self, diagnostics: Diagnostics, changed: set[str]) -> Update:
        self.unsettled |= changed  # not yet in a good state's stamps
        self.ok = False
        self.diagnostics = diagnostics.sorted()
        self.generation += 1
        return Update(False, diagnostics=self.diagnostics)


def _absolute(path: Path) -> Path:
    """``path`` resolved; one that cannot be (a link that loops back on itself) is taken as it is, made absolute:
    reading it then reports what is wrong, as a build does, where resolving it raised."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):
        return Path(os.path.abspath(path))
