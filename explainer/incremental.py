"""Rebuild only what an edit affects, in memory, for ``explainer serve``.

:class:`Session` keeps the last good build and, after each save, re-renders
only the pages whose signature (:mod:`explainer.signatures`) changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from explainer.build import add_passthrough, collect_assets, load, render_pages, site_files
from explainer.diagnostics import Diagnostic, Diagnostics
from explainer.pages import plan_pages
from explainer.reader import ReadCache
from explainer.render import Renderer, make_environment, theme_dirs
from explainer.signatures import Memo, global_signature, page_signature


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
        memo = Memo()
        signatures = {page.output_path: page_signature(page, linked, assets.names, memo) for page in pages}
        stale = [
            page for page in pages if full or signatures[page.output_path] != self.signatures.get(page.output_path)
        ]
        rendered = render_pages(renderer, stale, diagnostics)
        if diagnostics.errors:
            return self._failed(diagnostics)
        files = {
            page.output_path: rendered.get(page.output_path, self.files.get(page.output_path, b"")) for page in pages
        }
        files.update(assets.files)
        add_passthrough(self.project, files, diagnostics, set(signatures))
        if diagnostics.errors:
            return self._failed(diagnostics)
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
            self.bodies = {}  # edits leave old bodies behind; start afresh (a kept renderer keeps its own)
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
