"""schema.org JSON-LD for every page: what search engines and social cards read.

Every page carries a ``BreadcrumbList``; entry pages add their own type:
``NewsArticle`` for the story, ``Person`` or ``Organization``, ``Event``,
``ClaimReview`` of a ``Claim`` (the status as ``reviewRating.alternateName``)
and ``Question``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from explainer.context import SiteView
from explainer.escaping import json_for_html
from explainer.model import Claim, Entry, Event, Person, Question
from explainer.pages import Page

TAGS = re.compile(r"<[^>]+>")


def plain_text(markup: str) -> str:
    """Plain text from rendered body HTML, for descriptions."""
    return " ".join(html.unescape(TAGS.sub(" ", markup)).split())


def structured_data(
    page: Page, site: SiteView, absolute: Callable[[str], str], body_text: Callable[[Any], str]
) -> Markup:
    """The page's JSON-LD, safe to place inside a ``<script>`` element."""
    graph: list[dict[str, Any]] = []
    main = _main_item(page, site, absolute, body_text)
    if main is not None:
        graph.append(main)
    # the 404 page has no address of its own: its trail is the home page alone
    crumbs = [*page.breadcrumbs, (page.title, page.url)] if not page.is_not_found else [(site.title, "")]
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


def _main_item(
    page: Page, site: SiteView, absolute: Callable[[str], str], body_text: Callable[[Any], str]
) -> dict[str, Any] | None:
    entry = page.entry
    story = site.story
    if page.is_home and story is not None:
        article = {
            "@type": "NewsArticle",
            "headline": story.title,
            "description": story.summary,
            "datePublished": story.published.iso(),
            "dateModified": (story.updated or story.published).iso(),
            "inLanguage": site.language,
            "url": absolute(""),
            "mainEntityOfPage": absolute(""),
            "author": [{"@type": "Person", "name": name} for name in story.byline]
            or [{"@type": "Organization", "name": site.title}],
            "publisher": {"@type": "Organization", "name": site.title},
        }
        return article
    if entry is None:
        return None
    item: dict[str, Any] = {"url": absolute(entry.url)}
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
                "description": body_text(entry) or entry.title,
                "eventStatus": "https://schema.org/EventScheduled",
                "location": {"@type": "Place", "name": entry.place or "Not given"},
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
                    "alternateName": entry.status,
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
        if entry.status == "answered" and known:
            item["acceptedAnswer"] = {"@type": "Answer", "text": known}
            if entry.answered:
                item["acceptedAnswer"]["dateCreated"] = entry.answered.iso()
        elif known:
            item["suggestedAnswer"] = {"@type": "Answer", "text": known}
    else:  # a kind schema.org has no word for
        item.update({"@type": "Thing", "name": entry.title, "description": body_text(entry) or entry.title})
    if entry.updated:
        item["dateModified"] = entry.updated.iso()
    return {"@type": item.pop("@type"), **item}


def _agent(person: Entry, absolute: Callable[[str], str]) -> dict[str, Any]:
    kind = "Person" if isinstance(person, Person) and person.person_kind == "person" else "Organization"
    return {"@type": kind, "name": person.title, "url": absolute(person.url)}
