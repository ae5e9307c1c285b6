"""Big stories stay light: at 10,000 entries every index page, every page of sources and the story page stay under
100 KB of HTML; long lists go on further pages linked to each other, and a much-cited source lists its citations on
a page of its own.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from explainer.build import build
from explainer.model import KINDS
from explainer.pages import LIST_PAGE_SIZE

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import generate

LIMIT = 100 * 1024


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("big") / "story"
    generate(10_000, project)
    build(project, search=False)
    return project / "build"


def listing_pages(out: Path, first: str) -> list[Path]:
    pages = [out / first / "index.html"]
    pages += sorted((out / first).glob("page_*/index.html"), key=lambda p: int(p.parent.name.split("_")[1]))
    return pages


def test_every_list_page_and_the_story_page_stay_under_100_kb(big):
    lists = [first for first in [*(kind.path for kind in KINDS.values()), "sources/"]]
    pages = [big / "index.html", *(page for first in lists for page in listing_pages(big, first))]
    pages += sorted(big.glob("sources/cited_*/index.html"))
    heavy = {str(page.relative_to(big)): page.stat().st_size for page in pages if page.stat().st_size >= LIMIT}
    assert heavy == {}
    assert len(listing_pages(big, "claims/")) > 1  # the limit is met by paging, not by leaving entries out


@pytest.mark.parametrize("collection", ["people", "events", "claims", "questions"])
def test_each_entry_is_listed_on_exactly_one_page_and_the_pages_link_to_each_other(big, collection):
    kind = KINDS[collection]
    pages = listing_pages(big, kind.path)
    folder = (big / collection).resolve()  # entry pages live at <collection>/<slug>/ (the index may be elsewhere)
    entries = sorted(p.parent.name for p in folder.glob("*/index.html") if not p.parent.name.startswith("page_"))
    listed: list[str] = []
    for number, page in enumerate(pages, 1):
        soup = BeautifulSoup(page.read_text(), "html.parser")
        main = soup.select_one("main")
        assert main is not None
        nav = main.select_one("nav.list-pages")
        assert nav is not None and nav.select_one("[aria-current=page]").get_text() == str(number)
        for link in nav.select("a"):
            assert (page.parent / link["href"]).resolve().is_file(), link["href"]  # works from disk
        for picture in main.select(".wsw"):
            picture.decompose()  # the claims page's picture names claims again
        for item in main.select("li"):
            for link in item.select("a[href]"):
                target = (page.parent / link["href"].split("#")[0]).resolve()
                if target.parent.parent == folder and not target.parent.name.startswith("page_"):
                    listed.append(target.parent.name)
                    break
    assert len(pages) == -(-len(entries) // LIST_PAGE_SIZE)
    assert sorted(listed) == entries  # each once


def test_a_source_cited_by_many_entries_links_to_its_own_page_of_citations(big):
    sources = BeautifulSoup((big / "sources/index.html").read_text(), "html.parser")
    link = sources.select_one(".cited-by a")
    assert link is not None and link.get_text().startswith("Cited on ")
    count = int(link.get_text().split()[2])
    target = (big / "sources" / link["href"]).resolve()
    page = BeautifulSoup(target.read_text(), "html.parser")
    assert len(page.select("main ul.entries > li")) == count
