"""The built site works served under any subpath and opened straight from disk."""

from __future__ import annotations

import shutil
import urllib.request
from urllib.parse import urljoin, urlsplit

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, playwright_session, serving
from bs4 import BeautifulSoup
from conftest import is_card


@pytest.fixture()
def served_under_subpath(bundled_site, tmp_path):
    """Serve the built site at http://127.0.0.1:PORT/explainers/rust-shooting/."""
    root = tmp_path / "www"
    shutil.copytree(bundled_site.out, root / "explainers" / "rust-shooting")
    with serving(root) as url:
        yield url + "explainers/rust-shooting/", bundled_site


def test_crawl_under_a_subpath_finds_no_missing_page(served_under_subpath):
    base, site = served_under_subpath
    seen: set[str] = set()
    # from the home page, and from every embeddable card (reached from other sites' pages)
    queue = [base, *(base + page for page in site.pages() if is_card(page))]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        with urllib.request.urlopen(url, timeout=10) as response:  # raises on 404
            assert response.status == 200
            body = response.read()
        if not url.endswith((".html", "/")):
            continue
        soup = BeautifulSoup(body, "html.parser")
        for element in soup.find_all(["a", "link", "img"]):
            target = element.get("href") or element.get("src")
            if not target:
                continue
            absolute = urljoin(url, target).split("#")[0]
            if urlsplit(absolute).netloc == urlsplit(base).netloc:
                assert absolute.startswith(base), f"{url} links outside the subpath: {target}"
                queue.append(absolute)
    assert len(seen) >= 38 + 5  # and the cards
    assert {url.removeprefix(base) for url in seen} >= {"timeline/embed.html", "claims/set-not-chaotic/embed.html"}


@pytest.mark.parametrize("width", [320, 375, 1280])
def test_file_url_navigation_in_chromium(bundled_site, width):
    with playwright_session() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 800})
            page.goto((bundled_site.out / "index.html").as_uri())
            assert page.locator("h1").inner_text().startswith("The Rust shooting")
            page.get_by_role("link", name="Halyna Hutchins").first.click()
            page.wait_for_load_state()
            assert page.url.endswith("/people/halyna-hutchins/index.html")
            assert page.locator("h1").inner_text() == "Halyna Hutchins"
            font = page.evaluate("getComputedStyle(document.body).fontFamily")
            assert "system-ui" in font, "the stylesheet did not load from disk"
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"horizontal scrolling at {width}px"
            page.get_by_role("navigation", name="Sections").get_by_role("link", name="Timeline").click()
            page.wait_for_load_state()
            assert page.locator("h1").inner_text() == "Timeline"
        finally:
            browser.close()
