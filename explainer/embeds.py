"""Embeddable cards: the oEmbed file of every page that has a card (``embeds`` in ``explainer.yml``).

The cards themselves are pages (planned in :mod:`explainer.pages`, drawn by the
theme's ``embed.html`` and ``timeline-embed.html``). Each page with a card names
its oEmbed file in a ``<link rel="alternate" type="application/json+oembed">``,
so a CMS given the page's address finds the card; the file is static JSON
(oEmbed 1.0, type ``rich``) beside the page, and needs ``base_url`` for the
absolute addresses oEmbed requires.

A card works at its default height without any script; ``static/embed.js``
reports its real height to the host page (see docs/newsrooms.md, "Embeds").
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from html import escape

from explainer.pages import Page

OEMBED_FILE = "oembed.json"  # beside the page it describes: <page path>oembed.json
EMBED_SCRIPT = "static/embed.js"
WIDTH = 600  # pixels: what the iframe asks for; it narrows with the column it is placed in
HEIGHTS = {  # pixels, per kind of card: enough for a typical card at WIDTH without its script
    "people": 260,
    "events": 240,
    "claims": 270,
    "questions": 270,
}
DEFAULT_HEIGHT = 260  # a card of any other kind
TIMELINE_HEIGHT = 560  # the timeline's card: a frame this tall scrolls when it has more to show


def enabled(embeds: bool, base_url: str | None) -> bool:
    """oEmbed files (and the links to them) are made when cards are on and the site has an absolute address."""
    return embeds and bool(base_url)


def oembed_path(page: Page) -> str:
    return page.path + OEMBED_FILE


def height(card: Page) -> int:
    """The card's default height in pixels (before its script reports the real one)."""
    if card.entry is None:
        return TIMELINE_HEIGHT
    return HEIGHTS.get(card.entry.collection, DEFAULT_HEIGHT)


def iframe(src: str, title: str, page_url: str, size: int) -> str:
    """The HTML a host page embeds: a borderless, lazily loaded frame at a sensible size, and a link to the page.

    The link is hidden: where a host strips the frame's attributes and hides the frame until its script
    reports in (WordPress, for a provider it does not know), it is what readers see until then.
    """
    return (
        f'<blockquote hidden><a href="{escape(page_url)}">{escape(title)}</a></blockquote>'
        f'<iframe src="{escape(src)}" title="{escape(title)}" width="{WIDTH}" height="{size}" loading="lazy" '
        f'frameborder="0" style="border:0;width:100%;max-width:{WIDTH}px"></iframe>'
    )


def oembed(page: Page, card: Page, base_url: str, site_title: str) -> bytes:
    """The oEmbed 1.0 JSON of ``page``, whose card is ``card``."""
    size = height(card)
    data = {
        "version": "1.0",
        "type": "rich",
        "title": page.title,
        "provider_name": site_title,
        "provider_url": base_url,
        "html": iframe(base_url + card.path, page.title, base_url + page.path, size),
        "width": WIDTH,
        "height": size,
    }
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def oembed_files(pages: Iterable[Page], base_url: str, site_title: str) -> dict[str, bytes]:
    """``<page path>oembed.json`` for every page with a card; each file depends only on its own page."""
    planned = list(pages)
    cards = {page.path: page for page in planned if page.is_embed}
    return {
        oembed_path(page): oembed(page, cards[page.embed], base_url, site_title)
        for page in planned
        if page.embed is not None and page.embed in cards
    }
