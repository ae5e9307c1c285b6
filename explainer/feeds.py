"""The files search engines and feed readers ask for: sitemap, robots.txt, Atom.

Sitemaps and feeds need absolute URLs, so they exist only when ``base_url``
is set; the build says so when it leaves them out.

A living story (one whose :class:`~explainer.living.Chronicle` records news)
gets a feed of its changes at ``feed.xml`` and one feed per entry at
``<kind>/<slug>/feed.xml`` for readers who follow that entry; a version-1
story keeps its feed of entries, byte for byte.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from html import escape, unescape
from urllib.parse import urljoin

from markupsafe import Markup

from explainer import i18n
from explainer.dates import PartialDate
from explainer.i18n import N_, _, dashed, labelled, quoted, shortened, typeset
from explainer.linker import Linked
from explainer.living import CORRECTION, UPDATE, VERDICT, Change, Chronicle
from explainer.model import Claim, Entry, Event, Snippet
from explainer.pages import UPDATES_URL, Page  # the log's items carry id=change.anchor
from explainer.statuses import Statuses
from explainer.structured_data import inline_text

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
ATOM_NS = "http://www.w3.org/2005/Atom"
XML_NS = "http://www.w3.org/XML/1998/namespace"
FEED_FILE = "feed.xml"
SITEMAP_FILE = "sitemap.xml"
FEED_ITEMS = 100  # the newest changes a feed holds: feed readers poll often; the full log is /updates/
TITLE_LENGTH = 110  # an update's title in feed readers: its summary, cut at a word near this length


def _xml(root: etree.Element) -> bytes:
    etree.indent(root)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def sitemap(pages: list[Page], base_url: str, chronicle: Chronicle) -> bytes:
    """Every public page, with ``lastmod`` from the derived dates (``content-format.md``, "Derived dates").

    An entry's last change, the story's last change for the home page, the latest change listed for
    the update log and the corrections page.
    """
    urlset = etree.Element("urlset", xmlns=SITEMAP_NS)
    for page in pages:
        if not page.in_sitemap:
            continue
        url = etree.SubElement(urlset, "url")
        etree.SubElement(url, "loc").text = base_url + page.path
        changed = _lastmod(page, chronicle)
        if changed is not None:
            etree.SubElement(url, "lastmod").text = changed.iso()
    return _xml(urlset)


def _lastmod(page: Page, chronicle: Chronicle) -> PartialDate | None:
    story = chronicle.linked.content.story
    if page.entry is not None:
        return chronicle.last_change(page.entry)
    if page.is_home:
        return chronicle.story_last_change() or (story.published if story else None)
    if page.is_update_log:  # the log lists minor updates too
        return chronicle.changes[0].date if chronicle.changes else None
    if page.is_corrections:
        return chronicle.corrections[0].date if chronicle.corrections else None
    return None


def robots(base_url: str | None) -> bytes:
    lines = ["User-agent: *", "Allow: /"]
    if base_url:
        lines.append(f"Sitemap: {base_url}{SITEMAP_FILE}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def timestamp(date: PartialDate) -> str:
    """An RFC 3339 moment for a partial date: the start of its period, in UTC unless written."""
    text = (
        f"{date.year:04d}-{date.month or 1:02d}-{date.day or 1:02d}T{date.hour or 0:02d}:{date.minute or 0:02d}:"
        f"{date.second or 0:02d}"
    )
    if date.offset and date.offset != "Z":
        return text + (date.offset if ":" in date.offset else f"{date.offset[:3]}:{date.offset[3:]}")
    return text + "Z"


def atom(linked: Linked, base_url: str, title: str) -> bytes:
    """The story's updates: events, claims and questions, newest first."""
    story = linked.story
    published = story.published

    def changed(entry: Entry) -> PartialDate:
        return entry.updated or published

    statuses = linked.content.settings.statuses()
    entries = [e for name in ("events", "claims", "questions") for e in linked.content.entries[name]]
    entries.sort(key=lambda e: (timestamp(changed(e)), e.key), reverse=True)
    feed = etree.Element("feed", xmlns=ATOM_NS)
    # what feed readers show people is typeset as pages are (curly quotes); story.json keeps the text as written
    etree.SubElement(feed, "title").text = typeset(title)
    etree.SubElement(feed, "subtitle").text = typeset(story.summary)
    etree.SubElement(feed, "id").text = base_url
    etree.SubElement(feed, "link", href=base_url)
    etree.SubElement(feed, "link", rel="self", type="application/atom+xml", href=base_url + FEED_FILE)
    newest = max([timestamp(story.updated or published), *(timestamp(changed(e)) for e in entries)])
    etree.SubElement(feed, "updated").text = newest
    for name in story.byline or [title]:
        etree.SubElement(etree.SubElement(feed, "author"), "name").text = name
    for entry in entries:
        item = etree.SubElement(feed, "entry")
        etree.SubElement(item, "title").text = typeset(labelled(_(entry.kind.capitalize()), entry.title))
        etree.SubElement(item, "id").text = base_url + entry.path
        etree.SubElement(item, "link", href=base_url + entry.path)
        etree.SubElement(item, "updated").text = timestamp(changed(entry))
        etree.SubElement(item, "summary").text = typeset(_summary(entry, statuses))
    return _xml(feed)


def _summary(entry: Entry, statuses: Statuses) -> str:
    if isinstance(entry, Event):
        return labelled(f"{entry.start.human()}{f', {entry.place}' if entry.place else ''}", entry.title)
    if isinstance(entry, Claim):
        rating = _("Our rating: %(rating)s.", rating=statuses.label(entry.status))
        title = entry.display_title
        return f"{title}{'' if title.endswith(('.', '?', '!', '…')) else '.'} {rating}"
    status = getattr(entry, "status", None)
    return f"{entry.title} ({statuses.label(status)})" if status else entry.title


# --- a living story: feeds of changes ---------------------------------------------------------------

SnippetHtml = Callable[[Snippet | None, str], Markup]  # Renderer.snippet_html: a short field as HTML
_URL_ATTRIBUTE = re.compile(r'\b(href|src)="([^"]*)"')
_BLOCK_START = re.compile(r"\s*<(p|ul|ol|dl|blockquote|h[1-6]|pre|table|div|hr|figure)\b")


def entry_feed_path(entry: Entry) -> str:
    """Where an entry's own feed is written: beside its page (``people/ada-quinn/feed.xml``)."""
    return entry.path + FEED_FILE


def absolute_links(html: str, base_url: str) -> str:
    """HTML whose links are relative to the site root, with every ``href`` and ``src`` made absolute.

    A page's link loses its ``index.html`` (wanted on disk, not on the web): feed readers get the
    canonical address.
    """

    def absolute(match: re.Match[str]) -> str:
        url = urljoin(base_url, unescape(match.group(2)))
        path, hash_mark, fragment = url.partition("#")
        if path.startswith(base_url) and path.endswith("/index.html"):
            url = path.removesuffix("index.html") + hash_mark + fragment
        return f'{match.group(1)}="{escape(url, quote=True)}"'

    return _URL_ATTRIBUTE.sub(absolute, html)


class ChangeFeeds:
    """The Atom feeds of a living story: the whole story's, and one per entry.

    Every item is one non-minor change of the :class:`Chronicle`; its id is the change's stable
    id as a URL on the update log (``<base_url>updates/#change-…``), the same in every feed that
    carries it, so a reader following both the story and an entry sees it once.
    """

    def __init__(self, chronicle: Chronicle, base_url: str, title: str, snippet_html: SnippetHtml):
        self.chronicle = chronicle
        self.linked = chronicle.linked
        self.base_url = base_url
        self.title = title
        self.snippet_html = snippet_html
        story = self.linked.content.story
        if story is None:
            raise ValueError("a feed needs a story")
        self.story = story
        self.language = i18n.site_language(self.linked.content)[0]
        self.statuses = self.linked.content.settings.statuses()

    # --- the feeds -------------------------------------------------------------------------------

    def story_feed(self) -> bytes:
        """``feed.xml``: every change readers are told about, newest first."""
        newest = self.chronicle.story_last_change() or self.story.published
        return self._feed(
            self.title, self.story.summary, "", FEED_FILE, newest, self.chronicle.news, feed_id=self.base_url
        )

    def entry_feed(self, entry: Entry) -> bytes:
        """``<kind>/<slug>/feed.xml``: the changes that concern one entry (valid, and empty, when there are none)."""
        newest = self.chronicle.last_change(entry) or self.story.published
        subtitle = entry.summary or _(
            "Updates about %(title)s in %(story)s",
            title=quoted(entry.display_title) if isinstance(entry, Claim) else entry.display_title,
            story=quoted(self.story.title),
        )
        return self._feed(
            f"{entry.display_title} — {self.title}",
            subtitle,
            entry.path,
            entry_feed_path(entry),
            newest,
            self.chronicle.about(entry),
        )

    def _feed(
        self,
        title: str,
        subtitle: str,
        page: str,
        path: str,
        newest: PartialDate,
        changes: list[Change],
        feed_id: str | None = None,
    ) -> bytes:
        feed = etree.Element("feed", {"xmlns": ATOM_NS, f"{{{XML_NS}}}lang": self.language})
        etree.SubElement(feed, "title").text = typeset(title)
        etree.SubElement(feed, "subtitle").text = typeset(subtitle)
        etree.SubElement(feed, "id").text = feed_id or self.base_url + path
        etree.SubElement(feed, "link", rel="alternate", type="text/html", href=self.base_url + page)
        etree.SubElement(feed, "link", rel="self", type="application/atom+xml", href=self.base_url + path)
        etree.SubElement(feed, "updated").text = timestamp(newest)
        for name in self.story.byline or [self.title]:
            etree.SubElement(etree.SubElement(feed, "author"), "name").text = name
        for change in changes[:FEED_ITEMS]:
            self._item(feed, change)
        return _xml(feed)

    # --- one change ------------------------------------------------------------------------------

    def item_id(self, change: Change) -> str:
        return f"{self.base_url}{UPDATES_URL}#{change.anchor}"

    def item_title(self, change: Change) -> str:
        """What happened, in plain text: "Update: …", "Correction to Alec Baldwin — An earlier version …",
        "Rating changed to False — Ada Quinn says: …". A claim's title has a colon of its own ("Ada Quinn says: …"),
        so a title that embeds it sets it off with a dash; corrections made the same day to the same page differ by
        their own first words."""
        if change.kind == CORRECTION:
            subject = change.subject
            if subject is None:
                corrected = _("Correction to the story")
            elif isinstance(subject, Claim):
                corrected = _("Correction to a claim by %(names)s", names=subject.claimants or subject.attribution)
            else:
                corrected = _("Correction to %(title)s", title=subject.title)
            words = inline_text(str(self.snippet_html(change.text, ""))) if change.text is not None else ""
            return dashed(corrected, shortened(words, TITLE_LENGTH)) if words else corrected
        if change.kind == VERDICT:
            claim = change.subject.display_title if change.subject else ""
            rating = self.statuses.label(change.status) if change.status else ""
            if change.previous_status:
                return dashed(_("Rating changed to %(rating)s", rating=rating), claim)
            return dashed(_("Rated %(rating)s", rating=rating), claim)
        return _("Update: %(text)s", text=shortened(inline_text(str(self.snippet_html(change.text, ""))), TITLE_LENGTH))

    def item_link(self, change: Change) -> str:
        """The page the change concerns; the update log's item when it concerns several pages, or none."""
        if change.kind == CORRECTION and change.subject is None:
            return self.base_url  # a correction to the story itself
        if len(change.concerns) == 1:
            return self.base_url + change.concerns[0].path
        return self.item_id(change)

    def item_html(self, change: Change) -> str:
        """The change as HTML with absolute links: the verdict moved, the text, the sources."""
        parts = []
        if change.kind == VERDICT:
            words = self.statuses.verdict_words(change.previous_status, change.status)
            parts.append(f"<p>{escape(labelled(_('Our rating'), words))}.</p>")
        if change.text is not None:
            text = str(self.snippet_html(change.text, ""))
            parts.append(text if _BLOCK_START.match(text) else f"<p>{text}</p>")
        if change.kind == UPDATE and len(change.concerns) > 1:
            links = "".join(
                f'<li><a href="{escape(entry.path, quote=True)}">{escape(typeset(entry.display_title))}</a></li>'
                for entry in change.concerns
            )
            parts.append(f"<p>{escape(_('More on this:'))}</p><ul>{links}</ul>")
        cited = self.linked.sources_named(change.sources)
        if cited:
            names = ", ".join(
                f'<a href="{escape(source.url, quote=True)}">{escape(typeset(source.title))}</a>'
                if source.url
                else escape(typeset(source.title))
                for source in cited
            )
            parts.append(f"<p>{escape(_('Sources:'))} {names}.</p>")
        return absolute_links("\n".join(parts), self.base_url)

    def _item(self, feed: etree.Element, change: Change) -> None:
        item = etree.SubElement(feed, "entry")
        etree.SubElement(item, "title").text = typeset(self.item_title(change))
        etree.SubElement(item, "id").text = self.item_id(change)
        etree.SubElement(item, "link", rel="alternate", type="text/html", href=self.item_link(change))
        for entry in change.concerns if len(change.concerns) > 1 else ():
            etree.SubElement(item, "link", rel="related", type="text/html", href=self.base_url + entry.path)
        when = timestamp(change.date)
        etree.SubElement(item, "published").text = when
        etree.SubElement(item, "updated").text = when
        etree.SubElement(item, "category", term=change.kind, label=_(_CATEGORY_LABELS[change.kind]))
        etree.SubElement(item, "content", type="html").text = self.item_html(change)


_CATEGORY_LABELS = {UPDATE: N_("Update"), CORRECTION: N_("Correction"), VERDICT: N_("Rating")}


def change_feeds(chronicle: Chronicle, base_url: str, title: str, snippet_html: SnippetHtml) -> dict[str, bytes]:
    """A living story's feeds by output path: the story's and every entry's."""
    feeds = ChangeFeeds(chronicle, base_url, title, snippet_html)
    files = {FEED_FILE: feeds.story_feed()}
    for entry in chronicle.linked.content.all_entries():
        files[entry_feed_path(entry)] = feeds.entry_feed(entry)
    return files
