"""Decide which pages exist, at which URL, with which template ("plan pages").

The plan is plain data; rendering and writing only follow it. Later stages
(incremental rebuilds, sitemaps, search) can read the same list.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from explainer.linker import Linked
from explainer.model import KINDS, Entry, Event


class _IndexPages(Mapping[str, tuple[str, str, str, str]]):
    """collection -> (index URL, index title, index template, entry template), read live from the kind registry."""

    def __getitem__(self, collection: str) -> tuple[str, str, str, str]:
        kind = KINDS[collection]
        return (kind.path, kind.title, kind.index_template, kind.entry_template)

    def __iter__(self) -> Iterator[str]:
        return iter(KINDS)

    def __len__(self) -> int:
        return len(KINDS)


INDEX_PAGES = _IndexPages()
SOURCES_URL = "sources/"
SEARCH_URL = "search/"
UPDATES_URL = "updates/"
CORRECTIONS_URL = "corrections/"
MEDIA_DIR = "media"


def media_path(content_dir: Path, image: str) -> str | None:
    """Where an image given relative to content/ is published; None for one outside content/.

    The name comes from where the file really is, not from the text as written,
    so ``..`` or a link can never place a file outside the output folder, and
    two spellings of one file publish it once.
    """
    root = content_dir.resolve()
    real = (root / image).resolve()
    if real == root or not real.is_relative_to(root):
        return None
    return f"{MEDIA_DIR}/{real.relative_to(root).as_posix()}"


@dataclass
class Page:
    path: str  # "" for the home page, else "a/b/" (relative to the site root); written to <path>index.html
    template: str
    title: str
    entry: Entry | None = None
    breadcrumbs: list[tuple[str, str]] = field(default_factory=list)  # (title, path) above this page
    previous: Event | None = None
    next: Event | None = None
    output: str | None = None  # a file name that is not <path>index.html (404.html)
    in_sitemap: bool = True
    listing: str | None = None  # on an index page, the collection it lists

    @property
    def output_path(self) -> str:
        return self.output or f"{self.path}index.html"

    @property
    def is_home(self) -> bool:
        """The story overview (the 404 page shares its empty URL but is written elsewhere)."""
        return self.path == "" and self.output is None

    @property
    def is_index(self) -> bool:
        return self.listing is not None

    @property
    def is_not_found(self) -> bool:
        return self.output is not None

    @property
    def is_update_log(self) -> bool:
        return self.path == UPDATES_URL and self.output is None

    @property
    def is_corrections(self) -> bool:
        return self.path == CORRECTIONS_URL and self.output is None


def plan_pages(linked: Linked) -> list[Page]:
    """Every page of the site, home first, in a stable order."""
    story = linked.content.story
    home = Page("", "story.html", story.title if story else "Story")
    pages = [home]
    for kind in KINDS.values():
        pages.append(
            Page(kind.path, kind.index_template, kind.title, breadcrumbs=[(home.title, "")], listing=kind.collection)
        )
        crumbs = [(home.title, ""), (kind.title, kind.path)]
        entries: list[Entry] = (
            [*linked.timeline] if kind.collection == "events" else linked.content.entries[kind.collection]
        )
        for entry in entries:
            pages.append(Page(entry.path, kind.entry_template, entry.display_title, entry, breadcrumbs=crumbs))
        if kind.collection == "events":  # neighbours on the timeline
            event_pages = pages[-len(entries) :] if entries else []
            for position, page in enumerate(event_pages):
                page.previous = linked.timeline[position - 1] if position > 0 else None
                page.next = linked.timeline[position + 1] if position + 1 < len(entries) else None
    pages.append(Page(SOURCES_URL, "sources.html", "Sources", breadcrumbs=[(home.title, "")]))
    # the living story's pages exist for every story (an empty log says so), so links to them never break
    pages.append(Page(UPDATES_URL, "updates.html", "Updates", breadcrumbs=[(home.title, "")]))
    pages.append(Page(CORRECTIONS_URL, "corrections.html", "Corrections", breadcrumbs=[(home.title, "")]))
    if linked.content.settings.search:
        pages.append(Page(SEARCH_URL, "search.html", "Search", breadcrumbs=[(home.title, "")], in_sitemap=False))
    # Written once at the root, served for missing paths at any depth: links are
    # made as if from the root and, with base_url, pinned there by <base href>.
    pages.append(Page("", "404.html", "Page not found", output="404.html", in_sitemap=False))
    return pages
