"""The files search engines and feed readers ask for: sitemap, robots.txt, Atom.

Sitemaps and feeds need absolute URLs, so they exist only when ``base_url``
is set; the build says so when it leaves them out.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from explainer.dates import PartialDate
from explainer.linker import Linked
from explainer.model import Claim, Entry, Event
from explainer.pages import Page

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_FILE = "feed.xml"
SITEMAP_FILE = "sitemap.xml"


def _xml(root: etree.Element) -> bytes:
    etree.indent(root)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def sitemap(pages: list[Page], linked: Linked, base_url: str) -> bytes:
    """Every public page, with ``lastmod`` from its entry's (or the story's) update date."""
    story = linked.content.story
    urlset = etree.Element("urlset", xmlns=SITEMAP_NS)
    for page in pages:
        if not page.in_sitemap:
            continue
        url = etree.SubElement(urlset, "url")
        etree.SubElement(url, "loc").text = base_url + page.url
        changed = (
            page.entry.updated
            if page.entry is not None
            else ((story.updated or story.published) if page.is_home and story else None)
        )
        if changed is not None:
            etree.SubElement(url, "lastmod").text = changed.iso()
    return _xml(urlset)


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

    entries = [e for name in ("events", "claims", "questions") for e in linked.content.entries[name]]
    entries.sort(key=lambda e: (timestamp(changed(e)), e.key), reverse=True)
    feed = etree.Element("feed", xmlns=ATOM_NS)
    etree.SubElement(feed, "title").text = title
    etree.SubElement(feed, "subtitle").text = story.summary
    etree.SubElement(feed, "id").text = base_url
    etree.SubElement(feed, "link", href=base_url)
    etree.SubElement(feed, "link", rel="self", type="application/atom+xml", href=base_url + FEED_FILE)
    newest = max([timestamp(story.updated or published), *(timestamp(changed(e)) for e in entries)])
    etree.SubElement(feed, "updated").text = newest
    for name in story.byline or [title]:
        etree.SubElement(etree.SubElement(feed, "author"), "name").text = name
    for entry in entries:
        item = etree.SubElement(feed, "entry")
        etree.SubElement(item, "title").text = f"{entry.kind.capitalize()}: {entry.title}"
        etree.SubElement(item, "id").text = base_url + entry.url
        etree.SubElement(item, "link", href=base_url + entry.url)
        etree.SubElement(item, "updated").text = timestamp(changed(entry))
        etree.SubElement(item, "summary").text = _summary(entry)
    return _xml(feed)


def _summary(entry: Entry) -> str:
    if isinstance(entry, Event):
        return f"{entry.start.human()}{f', {entry.place}' if entry.place else ''}: {entry.title}"
    if isinstance(entry, Claim):
        names = ", ".join(ref.entry.title for ref in entry.by if ref.entry)
        return f"{names} claim: {entry.title} Status: {entry.status}."
    status = getattr(entry, "status", None)
    return f"{entry.title} ({status})" if status else entry.title
