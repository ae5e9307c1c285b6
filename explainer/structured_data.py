"""schema.org JSON-LD for every page: what search engines and social cards read.

Every page carries a ``BreadcrumbList``; entry pages add their own type:
``NewsArticle`` for the story, ``Person`` or ``Organization``, ``Event``,
``ClaimReview`` of a ``Claim`` (the verdict's label as ``reviewRating.alternateName``, the textual rating
Google shows, its meaning as ``ratingExplanation`` and its id as ``identifier``) and ``Question``.

A living story adds what changed: ``dateModified`` from the derived dates
(``content-format.md``, "Derived dates"), corrections as ``correction``
lists of ``CorrectionComment`` (on the item itself where schema.org allows it,
a creative work; else on a ``WebPage`` about the entry), and an answered
question's ``answer`` as its ``acceptedAnswer``. A version-1 story's data
stays as it was.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from explainer.context import SiteView
from explainer.dates import PartialDate
from explainer.escaping import json_for_html
from explainer.i18n import _
from explainer.living import Change
from explainer.model import Claim, Entry, Event, Person, Question, Snippet
from explainer.pages import Page

TAGS = re.compile(r"<[^>]+>")
BLOCK_TAGS = re.compile(r"</?(?:p|br|li|ul|ol|dl|dt|dd|h[1-6]|blockquote|div|pre|table|tr|td|th|hr)\b[^>]*>", re.I)


def plain_text(markup: str) -> str:
    """Plain text from rendered body HTML, for descriptions."""
    return " ".join(html.unescape(TAGS.sub(" ", markup)).split())


def inline_text(markup: str) -> str:
    """Plain text from a short field's HTML: inline tags vanish without a trace ("the <a>plant</a>, and")."""
    return " ".join(html.unescape(TAGS.sub("", BLOCK_TAGS.sub(" ", markup))).split())


SnippetText = Callable[[Snippet], str]


def structured_data(
    page: Page,
    site: SiteView,
    absolute: Callable[[str], str],
    body_text: Callable[[Any], str],
    snippet_text: SnippetText,
) -> Markup:
    """The page's JSON-LD, safe to place inside a ``<script>`` element.

    ``body_text`` and ``snippet_text`` give a body and a short Markdown field (an answer, a correction) as
    plain text, converted once by the renderer however many pages show them.
    """
    graph: list[dict[str, Any]] = []
    text_of = snippet_text
    main = _main_item(page, site, absolute, body_text, text_of)
    if main is not None:
        graph.append(main)
        page_item = _entry_page(page, site, absolute, main, text_of)
        if page_item is not None:
            graph.append(page_item)
    log = _change_log(page, site, absolute)
    if log is not None:
        graph.append(log)
    # the 404 page has no address of its own: its trail is the home page alone
    crumbs = [*page.breadcrumbs, (page.title, page.path)] if not page.is_not_found else [(site.title, "")]
    if crumbs:
        graph.append(
            {
                "@type": "BreadcrumbList",
                "itemListElement": [
                    {"@type": "ListItem", "position": index, "name": name, "item": absolute(url)}
                    for index, (name, url) in enumerate(crumbs, start=1)
                ],
            }
        )
    return json_for_html({"@context": "https://schema.org", "@graph": graph})


# schema.org types whose items may carry ``correction`` (kinds of CreativeWork)
CREATIVE_WORKS = ("NewsArticle", "ClaimReview", "Question")


def _corrections(changes: list[Change], text_of: SnippetText) -> list[dict[str, Any]]:
    return [
        {"@type": "CorrectionComment", "datePublished": change.date.iso(), "text": text_of(change.text)}
        for change in changes
        if change.text is not None
    ]


def _story_modified(site: SiteView) -> PartialDate | None:
    """The story's last change (``content-format.md``, "Derived dates"), else when it was published."""
    story = site.story
    if story is None:
        return None
    return site.story_updated or story.published


def _entry_page(
    page: Page, site: SiteView, absolute: Callable[[str], str], main: dict[str, Any], text_of: SnippetText
) -> dict[str, Any] | None:
    """A ``WebPage`` carrying the corrections of an entry schema.org does not let carry them (a person, an event)."""
    entry = page.entry
    if entry is None or main["@type"] in CREATIVE_WORKS:
        return None
    corrections = _corrections(site.corrections_of(entry), text_of)
    if not corrections:
        return None
    item: dict[str, Any] = {
        "@type": "WebPage",
        "name": entry.display_title,
        "url": absolute(entry.path),
        "about": {"@type": main["@type"], "name": main.get("name", entry.display_title), "url": absolute(entry.path)},
        "correction": corrections,
    }
    if "dateModified" in main:
        item["dateModified"] = main["dateModified"]
    return item


def _change_log(page: Page, site: SiteView, absolute: Callable[[str], str]) -> dict[str, Any] | None:
    """The update log and the corrections page: a ``CollectionPage`` modified with its latest item."""
    if not (page.is_update_log or page.is_corrections):
        return None
    changes = site.chronicle.changes if page.is_update_log else site.chronicle.corrections
    if not changes:
        return None
    return {
        "@type": "CollectionPage",
        "name": page.title,
        "url": absolute(page.path),
        "dateModified": changes[0].date.iso(),
    }


def _main_item(
    page: Page,
    site: SiteView,
    absolute: Callable[[str], str],
    body_text: Callable[[Any], str],
    text_of: SnippetText,
) -> dict[str, Any] | None:
    entry = page.entry
    story = site.story
    if page.is_home and story is not None:
        modified = _story_modified(site) or story.published
        article = {
            "@type": "NewsArticle",
            "headline": story.title,
            "description": story.summary,
            "datePublished": story.published.iso(),
            "dateModified": modified.iso(),
            "inLanguage": site.language,
            "url": absolute(""),
            "mainEntityOfPage": absolute(""),
            "author": [{"@type": "Person", "name": name} for name in story.byline]
            or [{"@type": "Organization", "name": site.title}],
            "publisher": {"@type": "Organization", "name": site.title},
        }
        corrections = _corrections(site.corrections_of(None), text_of)
        if corrections:
            article["correction"] = corrections
        return article
    if entry is None:
        return None
    item: dict[str, Any] = {"url": absolute(entry.path)}
    if isinstance(entry, Person):
        item.update(
            {
                "@type": "Person" if entry.person_kind == "person" else "Organization",
                "name": entry.name,
                "description": entry.role,
            }
        )
        if entry.aliases:
            item["alternateName"] = entry.aliases
        if entry.links:
            item["sameAs"] = [url for _, url in sorted(entry.links.items())]
    elif isinstance(entry, Event):
        item.update(
            {
                "@type": "Event",
                "name": entry.title,
                "startDate": entry.start.iso(),
                "description": entry.summary or body_text(entry) or entry.title,
                "eventStatus": "https://schema.org/EventScheduled",
                "location": {"@type": "Place", "name": entry.place or _("Not given")},
            }
        )
        if entry.end_date:
            item["endDate"] = entry.end_date.iso()
        if entry.people:
            item["attendee"] = [_agent(ref.entry, absolute) for ref in entry.people if ref.entry]
    elif isinstance(entry, Claim):
        claim = {
            "@type": "Claim",
            "text": entry.claim,
            "author": [_agent(ref.entry, absolute) for ref in entry.by if ref.entry],
        }
        if entry.date:
            claim["datePublished"] = entry.date.iso()
        if entry.quote:
            claim["abstract"] = entry.quote
        item.update(
            {
                "@type": "ClaimReview",
                "claimReviewed": entry.claim,
                "itemReviewed": claim,
                "author": {"@type": "Organization", "name": site.title},
                "reviewRating": {
                    "@type": "Rating",
                    "alternateName": site.status_label(entry.status),  # the verdict readers see
                    "identifier": entry.status,  # the status id, as story.json and claim files have it
                    "ratingExplanation": site.status_meaning(entry.status),
                },
            }
        )
    elif isinstance(entry, Question):
        item.update(
            {
                "@type": "Question",
                "name": entry.question,
                "text": entry.question,
                "answerCount": 1 if entry.status == "answered" else 0,
            }
        )
        known = body_text(entry)
        if entry.summary:
            item["description"] = entry.summary
        if entry.status == "answered" and entry.answer is not None:  # the answer as it stands
            item["acceptedAnswer"] = {"@type": "Answer", "text": text_of(entry.answer)}
            if entry.answered:
                item["acceptedAnswer"]["dateCreated"] = entry.answered.iso()
        elif entry.status == "answered" and known:
            item["acceptedAnswer"] = {"@type": "Answer", "text": known}
            if entry.answered:
                item["acceptedAnswer"]["dateCreated"] = entry.answered.iso()
        elif known:
            item["suggestedAnswer"] = {"@type": "Answer", "text": known}
    else:  # a kind schema.org has no word for
        item.update(
            {
                "@type": "Thing",
                "name": entry.display_title,
                "description": entry.summary or body_text(entry) or entry.title,
            }
        )
    changed = site.chronicle.last_change(entry)  # a version-1 entry's own `updated`
    if changed is not None:
        item["dateModified"] = changed.iso()
    if item["@type"] in CREATIVE_WORKS:
        corrections = _corrections(site.corrections_of(entry), text_of)
        if corrections:
            item["correction"] = corrections
    return {"@type": item.pop("@type"), **item}


def _agent(person: Entry, absolute: Callable[[str], str]) -> dict[str, Any]:
    kind = "Person" if isinstance(person, Person) and person.person_kind == "person" else "Organization"
    return {"@type": kind, "name": person.title, "url": absolute(person.path)}
