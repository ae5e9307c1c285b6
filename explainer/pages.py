"""Decide which pages exist, at which URL, with which template ("plan pages").

The plan is plain data; rendering and writing only follow it. Later stages
(incremental rebuilds, sitemaps, search) can read the same list.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from explainer.i18n import N_, _, quoted
from explainer.linker import Linked
from explainer.model import KINDS, Entry, Event, Source
from explainer.slugs import is_valid_slug


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
# the update log's pages of one kind of change each, beside the whole log: (page path, what it shows, title)
UPDATE_LOG_KINDS = (("news", "news", N_("News")), ("verdicts", "verdicts", N_("Ratings")))
CORRECTIONS_URL = "corrections/"
MEDIA_DIR = "media"
LIST_PAGE_SIZE = 200  # entries an index page lists; more go on further pages, so big stories stay light
SOURCES_PAGE_SIZE = 100  # sources a page of sources lists, each with a count of the pages citing it
CITED_INLINE = 0  # a source cited by more entries lists them on a page of its own: every cited source
# beside a page, in its own folder: its embeddable card (a file, not a folder of its own: making a folder costs a
# file system several times what writing a file does, and a card for every entry would double the folders)
EMBED_FILE = "embed.html"


def page_size(collection: str) -> int:
    """How many items one page of a listing holds."""
    return SOURCES_PAGE_SIZE if collection == "sources" else LIST_PAGE_SIZE


def list_page_path(first: str, number: int) -> str:
    """Where page ``number`` of a listing starting at ``first`` lives (an underscore: never an entry's slug)."""
    return first if number == 1 else f"{first}page_{number}/"


def citations_path(source_id: str) -> str:
    """Where the entries citing a source are listed (an id that is not a slug is named by its digest)."""
    name = source_id if is_valid_slug(source_id) else "id_" + hashlib.sha256(source_id.encode("utf-8")).hexdigest()[:12]
    return f"{SOURCES_URL}cited_{name}/"


def embed_path(path: str) -> str:
    """Where the embeddable card of the page at ``path`` lives (inside its folder: never another page's)."""
    return f"{path}{EMBED_FILE}"


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
    # "" for the home page, else "a/b/" (relative to the site root), written to <path>index.html; an embeddable
    # card's is the file it is written to ("a/b/embed.html")
    path: str
    template: str
    title: str
    entry: Entry | None = None
    breadcrumbs: list[tuple[str, str]] = field(default_factory=list)  # (title, path) above this page
    previous: Event | None = None
    next: Event | None = None
    output: str | None = None  # a file name that is not <path>index.html (404.html)
    in_sitemap: bool = True
    listing: str | None = None  # on an index page, the collection it lists
    number: int = 1  # of a listing split over pages (LIST_PAGE_SIZE items each)
    siblings: list[str] = field(default_factory=list)  # every page of that listing, first to last, when several
    source: Source | None = None  # on a source's page of citations
    embed: str | None = None  # on a page that has an embeddable card: the card's path
    card_of: str | None = None  # on an embeddable card: the path of the page it stands for
    log: str = ""  # on a page of the update log: the kind of change it shows ("news", "verdicts"; "": every kind)

    @functools.cached_property  # asked for many times per page and build; a page's path is never changed
    def output_path(self) -> str:
        if self.output is not None:
            return self.output
        return self.path if self.card_of is not None else f"{self.path}index.html"

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
    def is_embed(self) -> bool:
        """An embeddable card: a page of its own, shown inside other sites' pages."""
        return self.card_of is not None

    @property
    def is_update_log(self) -> bool:
        return self.path == UPDATES_URL and self.output is None

    @property
    def is_corrections(self) -> bool:
        return self.path == CORRECTIONS_URL and self.output is None


def plan_pages(linked: Linked) -> list[Page]:
    """Every page of the site, home first, in a stable order."""
    story = linked.content.story
    home = Page("", "story.html", story.title if story else _("Story"))
    pages = [home]
    embeds = linked.content.settings.embeds
    for kind in KINDS.values():
        entries: list[Entry] = (
            [*linked.timeline] if kind.collection == "events" else linked.content.entries[kind.collection]
        )
        pages += _listing_pages(
            kind.path, kind.index_template, kind.title, len(entries), [(home.title, "")], listing=kind.collection
        )
        crumbs = [(home.title, ""), (kind.title, kind.path)]
        for entry in entries:
            pages.append(Page(entry.path, kind.entry_template, entry.display_title, entry, breadcrumbs=crumbs))
        if kind.collection == "events":  # neighbours on the timeline
            event_pages = pages[-len(entries) :] if entries else []
            for position, page in enumerate(event_pages):
                page.previous = linked.timeline[position - 1] if position > 0 else None
                page.next = linked.timeline[position + 1] if position + 1 < len(entries) else None
    sources = linked.content.sources
    pages += _listing_pages(
        SOURCES_URL, "sources.html", _("Sources"), len(sources), [(home.title, "")], size=SOURCES_PAGE_SIZE
    )
    crumbs = [(home.title, ""), (_("Sources"), SOURCES_URL)]
    for source in sources:
        if len(linked.citations.get(source.id, [])) > CITED_INLINE:
            title = _("Pages that cite %(source)s", source=quoted(source.title))
            pages.append(Page(citations_path(source.id), "citations.html", title, breadcrumbs=crumbs, source=source))
    # the living story's pages exist for every story (an empty log says so), so links to them never break
    pages.append(Page(UPDATES_URL, "updates.html", _("Updates"), breadcrumbs=[(home.title, "")]))
    for folder, shown, title in UPDATE_LOG_KINDS:  # the same log, one kind of change at a time
        crumbs = [(home.title, ""), (_("Updates"), UPDATES_URL)]
        pages.append(
            Page(f"{UPDATES_URL}{folder}/", "updates.html", _(title), breadcrumbs=crumbs, in_sitemap=False, log=shown)
        )
    pages.append(Page(CORRECTIONS_URL, "corrections.html", _("Corrections"), breadcrumbs=[(home.title, "")]))
    if linked.content.settings.search:
        pages.append(Page(SEARCH_URL, "search.html", _("Search"), breadcrumbs=[(home.title, "")], in_sitemap=False))
    if embeds:  # a card for every entry page and the timeline, after every other page
        pages += [_card(page) for page in pages if page.entry is not None or page.path == INDEX_PAGES["events"][0]]
    # Written once at the root, served for missing paths at any depth: links are
    # made as if from the root and, with base_url, pinned there by <base href>.
    pages.append(Page("", "404.html", _("Page not found"), output="404.html", in_sitemap=False))
    return pages


def _card(page: Page) -> Page:
    """The embeddable card of ``page`` (which learns where its card is)."""
    page.embed = embed_path(page.path)
    template = "embed.html" if page.entry is not None else "timeline-embed.html"
    return Page(page.embed, template, page.title, page.entry, in_sitemap=False, card_of=page.path)


def _listing_pages(
    first: str,
    template: str,
    title: str,
    count: int,
    crumbs: list[tuple[str, str]],
    listing: str | None = None,
    size: int = LIST_PAGE_SIZE,
) -> list[Page]:
    """A listing's pages: one, or one per ``size`` items, linked to each other."""
    total = max(1, -(-count // size))
    paths = [list_page_path(first, number) for number in range(1, total + 1)]
    return [
        Page(
            path,
            template,
            title
            if number == 1
            else _("%(title)s, page %(number)s of %(count)s", title=title, number=number, count=total),
            breadcrumbs=crumbs if number == 1 else [*crumbs, (title, first)],
            listing=listing,
            number=number,
            siblings=paths if total > 1 else [],
        )
        for number, path in enumerate(paths, 1)
    ]
