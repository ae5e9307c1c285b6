"""Relative links from every kind of page address: a folder's (``a/b/``), the home page's and a file's (a card)."""

from __future__ import annotations

from posixpath import dirname, join, normpath

import pytest

from explainer.urls import relative, to_root


@pytest.mark.parametrize(
    "page_url,root",
    [
        ("", ""),
        ("claims/", "../"),
        ("claims/x/", "../../"),
        ("claims/x/embed.html", "../../"),
        ("timeline/embed.html", "../"),
    ],
)
def test_the_way_back_to_the_root_climbs_the_folders_above_the_page(page_url, root):
    assert to_root(page_url) == root


@pytest.mark.parametrize("page_url", ["", "claims/x/", "claims/x/embed.html", "timeline/embed.html"])
@pytest.mark.parametrize("target", ["", "claims/x/", "claims/x/embed.html", "static/style.css", "sources/#s-1"])
def test_a_link_from_any_page_reaches_its_target(page_url, target):
    """Followed as a browser does from the file the page is written to."""
    written = page_url if page_url.endswith(".html") else page_url + "index.html"
    link = relative(page_url, target)
    reached = normpath(join(dirname(written), link.partition("#")[0]))
    path, _, fragment = target.partition("#")
    assert reached == normpath(path + "index.html" if path == "" or path.endswith("/") else path)
    assert link.partition("#")[2] == fragment
