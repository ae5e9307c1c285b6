"""Decide which pages exist, at which URL, with which template ("plan pages").

The plan is plain data; rendering and writing only follow it. Later stages
(incremental rebuilds, sitemaps, search) can read the same list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from explainer.linker import Linked
from explainer.model import COLLECTIONS, Entry, Event

INDEX_PAGES = {
    # collection: (index URL, index title, index template, entry template)
    "people": ("people/", "People", "people.html", "person.html"),
    "events": ("timeline/", "Timeline", "timeline.html", "event.html"),
    "claims": ("claims/", "Claims", "claims.html", "claim.html"),
    "questions": ("questions/", "Open questions", "questions.html", "question.html"),
}
SOURCES_URL = "sources/"
SEARCH_URL = "search/"
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
    url: str  # "" for the home page, else "path/" ; written to <url>index.html
    template: str
    title: str
    entry: Entry | None = None
    breadcrumbs: list[tuple[str, str]] = field(default_factory=list)  # (title, url) above this page
    previous: Event | None = None
    next: Event | None = None
    output: str | None = None  # a file name that is not <url>index.html (404.html)
    in_sitemap: bool = True

    @property
    def output_path(self) -> str:
        return self.output or f"{self.url}index.html"


def plan_pages(linked: Linked) -> list[Page]:
    """Every page of the site, home first, in a stable order."""
    story = linked.content.story
    home = Page("", "story.html", story.title if story else "Story")
    pages = [home]
    for collection in COLLECTIONS:
        index_url, index_title, index_template, entry_template = INDEX_PAGES[collection]
        pages.append(Page(index_url, index_template, index_title, breadcrumbs=[(home.title, "")]))
        crumbs = [(home.title, ""), (index_title, index_url)]
        entries = linked.timeline if collection == "events" else linked.content.entries[collection]
        for position, entry in enumerate(entries):
            page = Page(entry.url, entry_template, entry.title, entry, breadcrumbs=crumbs)
            if isinstance(entry, Event):
                page.previous = entries[position - 1] if position > 0 else None
                page.next = entries[position + 1] if position + 1 < len(entries) else None
            pages.append(page)
    pages.append(Page(SOURCES_URL, "sources.html", "Sources", breadcrumbs=[(home.title, "")]))
    if linked.content.settings.search:
        pages.append(Page(SEARCH_URL, "search.html", "Search", breadcrumbs=[(home.title, "")], in_sitemap=False))
    # Written once at the root, served for missing paths at any depth: links are
    # made as if from the root and, with base_url, pinned there by <base href>.
    pages.append(Page("", "404.html", "Page not found", output="404.html", in_sitemap=False))
    return pages
