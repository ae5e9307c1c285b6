"""Markdown bodies to HTML, with ``[[wikilinks]]`` and safe defaults.

Bodies are converted once, with internal links written as ``xref:`` markers;
:func:`explainer.urls.resolve_xrefs` turns the markers into relative URLs for
each page the HTML lands on, so the costly conversion is never repeated.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

import markdown
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from explainer.linker import WIKILINK, normalise_name, split_wikilink
from explainer.model import Entry, Person
from explainer.urls import XREF

SAFE_LINK = re.compile(r"^(?:https?:|mailto:|tel:|#|[^:]*$|[^:]*[/?#])", re.I)
CONTROL = re.compile(r"[\x00-\x20\x7f]+")


class WikiLinkProcessor(InlineProcessor):
    """Turns ``[[target|text]]`` into a link to the entry the linker resolved."""

    def __init__(self, targets: dict[str, Entry]):
        super().__init__(WIKILINK.pattern)
        self.targets = targets

    def handleMatch(self, m: re.Match, data: str):  # noqa: N802 - Python-Markdown's name
        target, shown = split_wikilink(m.group(1))
        entry = self.targets.get(target)
        if entry is None:
            return None, None, None  # leave the text as written
        element = etree.Element("a", {"href": f"{XREF}{entry.url}", "class": "wikilink"})
        element.text = shown or _default_text(target, entry)
        return element, m.start(0), m.end(0)


def _default_text(target: str, entry: Entry) -> str:
    """Keep a name or alias as the writer wrote it; show the title for a slug."""
    names = [entry.title, *(entry.aliases if isinstance(entry, Person) else [])]
    if any(normalise_name(target) == normalise_name(name) for name in names):
        return target
    return entry.title


class SafetyProcessor(Treeprocessor):
    """Drops link and image addresses with schemes such as ``javascript:``."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is None:
                    continue
                if value.startswith(XREF) and element.get("class") == "wikilink":
                    continue
                if not SAFE_LINK.match(CONTROL.sub("", value)):
                    del element.attrib[attribute]


class HeadingProcessor(Treeprocessor):
    """Bodies sit under the page's own h1 and h2, so their headings start at h3."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if len(element.tag) == 2 and element.tag[0] == "h" and element.tag[1].isdigit():
                element.tag = f"h{min(6, max(3, int(element.tag[1]) + 1))}"


class MarkdownRenderer:
    """One configured converter, reused for every body with ``reset()``."""

    def __init__(self, targets: dict[str, Entry], unsafe_html: bool = False):
        self.md = markdown.Markdown(extensions=["tables", "fenced_code", "sane_lists", "smarty"],
                                    output_format="html")
        self.md.inlinePatterns.register(WikiLinkProcessor(targets), "wikilink", 75)
        if not unsafe_html:
            self.md.preprocessors.deregister("html_block")
            self.md.inlinePatterns.deregister("html")
            self.md.treeprocessors.register(SafetyProcessor(self.md), "safety", 0)
        self.md.treeprocessors.register(HeadingProcessor(self.md), "headings", 1)

    def convert(self, text: str) -> str:
        self.md.reset()
        return self.md.convert(text)
