"""Deploy-ready output: any subpath, 404 at any depth, sitemap, feed, search and open data."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as etree
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import jsonschema
import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, playwright_session
from bs4 import BeautifulSoup
from conftest import FIXTURES, ROOT, BuiltSite, copy_project, copy_story

from explainer.build import build

SUBPATH = "/explainers/rust-shooting/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """A plain static host: files as they are, and the site's 404.html for anything missing."""

    def log_message(self, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / SUBPATH.strip("/") / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    """The bundled story built with base_url and served under a subpath, as a host would."""
    root = tmp_path_factory.mktemp("www")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(SiteHandler, directory=str(root)))
    base_url = f"http://127.0.0.1:{server.server_port}{SUBPATH}"
    build(copy_story(ROOT, tmp_path_factory.mktemp("story")), root / SUBPATH.strip("/"), base_url=base_url)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield base_url, BuiltSite(root / SUBPATH.strip("/"))
    server.shutdown()
    server.server_close()


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def crawl(start: str, base_url: str) -> dict[str, int]:
    """Follow every link and asset on the host from ``start``; the status of each URL seen."""
    seen: dict[str, int] = {}
    queue = [start]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        status, body = fetch(url)
        seen[url] = status
        if url.endswith((".html", "/")) or url == start:
            soup = BeautifulSoup(body, "html.parser")
            for element in soup.find_all(["a", "link", "img", "script"]):
                target = element.get("href") or element.get("src")
                if target:
                    absolute = urljoin(url, target).split("#")[0]
                    if urlsplit(absolute).netloc == urlsplit(base_url).netloc:
                        queue.append(absolute)
    return seen


def test_crawl_from_home_under_a_subpath(deployed):
    base_url, _ = deployed
    seen = crawl(base_url, base_url)
    assert {url: status for url, status in seen.items() if status != 200} == {}
    assert all(url.startswith(base_url) for url in seen)
    assert any("/static/style." in url for url in seen) and any(url.endswith("pagefind-ui.js") for url in seen)


@pytest.mark.parametrize("missing", ["no-such-page", "people/nobody/", "a/b/c/d/e/deep.html"])
def test_404_page_works_at_any_depth(deployed, missing):
    base_url, _ = deployed
    status, body = fetch(base_url + missing)
    assert status == 404
    soup = BeautifulSoup(body, "html.parser")
    assert soup.find("h1").get_text() == "Page not found"
    style = soup.find("style").string  # styled without a stylesheet request, CSS intact
    assert '"Segoe UI"' in style and "&#34;" not in style and "&quot;" not in style
    seen = crawl(base_url + missing, base_url)
    assert {url: status for url, status in seen.items() if status != 200 and url != base_url + missing} == {}
    assert base_url + "people/index.html" in seen


def test_sitemap_has_absolute_urls_and_lastmod(tmp_path):
    base_url = "https://news.example.org/explainers/bridge/"
    out = build(copy_project(FIXTURES / "complete", tmp_path), tmp_path / "site", base_url=base_url).out
    urls = {
        u.find(f"{SITEMAP}loc").text: u.find(f"{SITEMAP}lastmod") for u in etree.parse(out / "sitemap.xml").getroot()
    }
    assert all(loc.startswith(base_url) for loc in urls)
    assert base_url in urls and base_url + "people/mayor-jane-park/" in urls
    assert urls[base_url + "people/mayor-jane-park/"].text == "2024-03-05"
    assert urls[base_url].text == "2024-03-09T18:30+01:00"
    assert base_url + "search/" not in urls and not any(loc.endswith("404.html") for loc in urls)
    # every page but search, 404 and the update log's pages of one kind; /updates/, /corrections/ and each cited
    # source's citations included
    assert len(urls) == 27
    assert (out / "robots.txt").read_text() == f"User-agent: *\nAllow: /\nSitemap: {base_url}sitemap.xml\n"


def test_atom_feed_parses_newest_first_with_autodiscovery(tmp_path):
    base_url = "https://news.example.org/explainers/bridge/"
    out = build(copy_project(FIXTURES / "complete", tmp_path), tmp_path / "site", base_url=base_url).out
    feed = etree.parse(out / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 5 + 6 + 2  # events, claims, questions
    times = [e.find(f"{ATOM}updated").text for e in entries]
    assert times == sorted(times, reverse=True)
    assert all(e.find(f"{ATOM}id").text.startswith(base_url) for e in entries)
    assert feed.find(f"{ATOM}updated").text == "2024-03-09T18:30:00+01:00"
    for page in BuiltSite(out).site_pages():
        if page != "404.html":
            alternate = BuiltSite(out).soup(page).find("link", rel="alternate", type="application/atom+xml")
            assert alternate is not None, page


def test_canonical_and_open_graph_urls(deployed):
    base_url, site = deployed
    person = site.soup("people/halyna-hutchins/index.html")
    assert person.find("link", rel="canonical")["href"] == base_url + "people/halyna-hutchins/"
    assert person.find("meta", property="og:url")["content"] == base_url + "people/halyna-hutchins/"
    assert person.find("meta", property="og:title")["content"].startswith("Halyna Hutchins")


def test_without_base_url_the_build_says_what_it_left_out(tmp_path):
    # built from a copy: a build keeps its cache in the project, and other tests copy this one
    result = build(copy_project(Path(__file__).parent / "broken" / "_base", tmp_path), tmp_path / "site")
    assert not (result.out / "sitemap.xml").exists() and not (result.out / "feed.xml").exists()
    assert "Sitemap" not in (result.out / "robots.txt").read_text()
    assert any("left out sitemap.xml, feed.xml" in note for note in result.notes)
    assert BuiltSite(result.out).soup("index.html").find("link", rel="canonical") is None


def test_story_json_validates_against_its_schema(tmp_path):
    schema = json.loads((ROOT / "docs" / "story.schema.json").read_text())
    for project in (ROOT, FIXTURES / "complete"):
        story = copy_story(project, tmp_path / f"{project.name}-story")
        out = build(story, tmp_path / project.name, base_url="https://example.org/x/").out
        document = json.loads((out / "story.json").read_text())
        jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)
    claim = next(c for c in document["claims"] if c["slug"] == "bridge-unsafe")
    assert {"from": "claims/bridge-safe", "relation": "disputes"} in claim["backlinks"]
    assert claim["url"] == "https://example.org/x/claims/bridge-unsafe/"
    assert [e["slug"] for e in document["events"]][:2] == ["bridge-built", "inspection"]


def test_schema_rejects_a_broken_document():
    schema = json.loads((ROOT / "docs" / "story.schema.json").read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"format": "explainer-story", "version": 2}, schema)


def test_timeline_json_has_the_shape_timelinejs_documents(tmp_path):
    out = build(copy_project(FIXTURES / "complete", tmp_path), tmp_path / "site").out
    timeline = json.loads((out / "timeline.json").read_text())
    assert timeline["title"]["text"]["headline"] == "Why the harbour bridge closed"
    events = timeline["events"]
    assert [e["unique_id"] for e in events] == [
        "bridge-built",
        "inspection",
        "closure",
        "february-protests",
        "council-vote",
    ]
    for event in events:
        assert isinstance(event["start_date"]["year"], int)
        assert set(event["start_date"]) <= {"year", "month", "day", "hour", "minute", "display_date"}
        assert event["text"]["headline"]
    inspection = events[1]
    assert inspection["start_date"] == {"year": 2024, "month": 2, "display_date": "February 2024"}
    assert inspection["end_date"] == {"year": 2024, "month": 2, "day": 20, "display_date": "20 February 2024"}  # en-GB
    assert 'href="people/dana-lee/index.html"' in inspection["text"]["text"]


def test_assets_are_fingerprinted_by_content(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "complete", project)
    first = build(project, tmp_path / "one").out
    (project / "theme" / "static" / "extra.css").write_text("/* changed */\n")
    second = build(project, tmp_path / "two").out

    def published(out: Path, stem: str) -> str:
        (name,) = [p.name for p in (out / "static").iterdir() if p.name.startswith(stem + ".")]
        return name

    assert published(first, "style") == published(second, "style")  # style.css unchanged, same name
    assert published(first, "extra") != published(second, "extra")  # extra.css changed, new name
    stylesheet = BuiltSite(first).soup("index.html").find("link", rel="stylesheet")["href"]
    assert stylesheet == f"static/{published(first, 'style')}"


def test_search_finds_an_entry_in_chromium(deployed):
    base_url, _ = deployed
    with playwright_session() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(base_url + "search/index.html")
            box = page.locator(".pagefind-ui__search-input")
            box.focus()
            page.keyboard.type("Souza")
            result = page.locator(".pagefind-ui__result-link").first
            result.wait_for(timeout=10_000)
            href = result.get_attribute("href")
            assert href.startswith(SUBPATH), href
            result.click()
            page.wait_for_load_state()
            assert page.url.startswith(base_url)
            assert page.locator("h1").count() == 1
        finally:
            browser.close()
