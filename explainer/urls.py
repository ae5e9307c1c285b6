"""Relative URLs, so a built site works from disk and under any subpath.

Every page lives at ``<path>/index.html`` (but an embeddable card, a file beside its page:
``<page path>embed.html``); links name that file explicitly because a browser
opening ``file://`` folders will not pick index.html itself.
"""

from __future__ import annotations

import re

XREF = "xref:"  # marks an internal link inside converted Markdown
_XREF_HREF = re.compile(r'href="xref:([^"]*)"')


def to_root(page_url: str) -> str:
    """The prefix that leads from a page back to the site root ("../../"): one step up for each folder above it
    (a page URL ends in "/", a file's names the file after its last "/")."""
    return "../" * page_url.lstrip("/").count("/")


def relative(page_url: str, target: str) -> str:
    """Link from the page at ``page_url`` to ``target`` (a page URL or a file path).

    Page URLs end in "/" (or are "" for the home page) and get index.html; a file's (an embeddable card's) is
    kept as it is, and so is a fragment ("sources/#source-x").
    """
    return from_root(to_root(page_url), target)


def from_root(root: str, target: str) -> str:
    """:func:`relative`, for a page whose way back to the root (:func:`to_root`) is worked out already."""
    path, hash_mark, fragment = target.partition("#")
    if path == "" and hash_mark:
        return f"#{fragment}"
    if path == "" or path.endswith("/"):
        path += "index.html"
    return root + path + (f"#{fragment}" if hash_mark else "")


def resolve_xrefs(html: str, page_url: str) -> str:
    """Replace ``xref:`` markers with links relative to ``page_url``; a link to that page itself (a person's update
    naming the person, on their page) becomes its plain text: no page links to itself."""
    own = f'href="{XREF}{page_url}"'
    if page_url and own in html:
        html = re.sub(r"<a\b[^>]*\b" + re.escape(own) + r"[^>]*>(.*?)</a>", r"\1", html, flags=re.DOTALL)
    root = to_root(page_url)
    return _XREF_HREF.sub(lambda m: f'href="{from_root(root, m.group(1))}"', html)
