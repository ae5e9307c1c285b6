"""Embeddable cards, their oEmbed files and discovery links, and the script that sizes them in a host page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from browser import browser_page, serving
from bs4 import BeautifulSoup
from conftest import FIXTURES, ROOT, BuiltSite, built_site, copy_project, resolve
from test_complete_story import ENTRY_PAGES

from explainer.build import build

BASE_URL = "https://news.example.org/explainers/bridge/"  # the complete fixture's base_url
CARDS = {  # an entry page of each kind -> what its card says besides the title
    "people/mayor-jane-park/": "role",
    "events/inspection/": "date",
    "claims/bridge-unsafe/": "status",
    "questions/who-inspected/": "status",
}
HOST_SNIPPET = re.compile(r"```html\n(<script>\naddEventListener\(\"message\".*?</script>)\n```", re.S)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> BuiltSite:
    return built_site(tmp_path_factory, FIXTURES / "complete", "embeds")


def local(url: str) -> str:
    """The built file an absolute address of the site stands for."""
    assert url.startswith(BASE_URL), url
    path = url[len(BASE_URL) :].split("#")[0]
    return path + "index.html" if path.endswith("/") or not path else path


def card_link(site: BuiltSite, card: str) -> str:
    """Where the card's "Read the full page" link leads (it opens in the page around the card)."""
    links = [a for a in site.soup(card).find_all("a") if a.get_text(strip=True) == "Read the full page"]
    assert len(links) == 1, card
    assert links[0]["target"] == "_top"
    target = resolve(card, links[0]["href"])
    assert target is not None and (site.out / target).is_file(), target
    return target


@pytest.mark.parametrize("path,shows", CARDS.items())
def test_every_kind_has_a_card_with_title_status_or_role_summary_and_link(site, path, shows):
    card, full = f"{path}embed.html", f"{path}index.html"
    soup, page = site.soup(card), site.soup(full)
    title = page.find("title").get_text().rsplit(" · ", 1)[0]  # the display title (a claim says who made it)
    assert soup.find("h1").get_text(strip=True) == title
    assert soup.find("html")["lang"] == "en-GB"
    if shows == "status":
        data = json.loads((site.out / "story.json").read_text("utf-8"))
        status = next(item["status"] for item in data[path.split("/")[0]] if item["path"] == path)
        assert [badge["class"] for badge in soup.select(".status")] == [["status", f"status-{status}"]]
    elif shows == "role":
        assert page.select_one(".lead").get_text(strip=True) in soup.get_text(" ", strip=True)
    else:
        assert soup.find("time")["datetime"] == page.select_one(".facts time")["datetime"]
    summary = page.select_one(".summary, .answer-text")
    if summary is not None:
        assert summary.get_text(" ", strip=True) in soup.get_text(" ", strip=True)
    assert card_link(site, card) == full
    # a card of its own: no navigation or footer, not indexed, no share image; the theme's styles
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert soup.find("nav") is None and soup.find("footer") is None
    assert soup.find(attrs={"data-pagefind-body": True}) is None
    assert soup.find("meta", property="og:image") is None
    assert soup.find("base")["target"] == "_top"
    assert soup.find("link", rel="stylesheet")["href"].startswith("../../static/style.")
    assert "Harbour Bridge Closure" in soup.get_text()


def test_a_claim_pages_discovery_link_leads_to_oembed_json_framing_a_built_card(site):
    discovery = site.soup("claims/bridge-unsafe/index.html").find("link", type="application/json+oembed")
    assert discovery["rel"] == ["alternate"] and discovery["title"]
    data = json.loads((site.out / local(discovery["href"])).read_text("utf-8"))
    assert data["version"] == "1.0" and data["type"] == "rich"
    assert type(data["width"]) is int and type(data["height"]) is int and data["height"] > 100
    assert data["provider_name"] == "Harbour Bridge Closure" and data["provider_url"] == BASE_URL
    assert data["title"] == discovery["title"]
    frame = BeautifulSoup(data["html"], "html.parser").find("iframe")
    assert frame["title"] == data["title"] and frame["loading"] == "lazy" and "border:0" in frame["style"]
    assert (frame["width"], frame["height"]) == (str(data["width"]), str(data["height"]))
    card = local(frame["src"])
    assert card == "claims/bridge-unsafe/embed.html" and (site.out / card).is_file()
    # the fallback link WordPress shows until the card reports in: hidden anywhere else
    fallback = BeautifulSoup(data["html"], "html.parser").find("blockquote")
    assert fallback.has_attr("hidden") and local(fallback.a["href"]) == "claims/bridge-unsafe/index.html"


def test_every_card_has_its_oembed_file_and_discovery_link_and_none_is_in_the_sitemap(site):
    cards = [page for page in site.pages() if page.endswith("/embed.html")]
    assert len(cards) == len(list(site.out.rglob("oembed.json"))) == len(ENTRY_PAGES) + 1  # and the timeline
    for card in cards:
        full = card.removesuffix("embed.html") + "index.html"
        discovery = site.soup(full).find("link", type="application/json+oembed")
        assert local(discovery["href"]) == card.removesuffix("embed.html") + "oembed.json", full
        frame = BeautifulSoup(json.loads((site.out / local(discovery["href"])).read_text())["html"], "html.parser")
        assert local(frame.find("iframe")["src"]) == card
    others = [page for page in site.pages() if page.endswith("index.html")]
    others = [page for page in others if page.removesuffix("index.html") + "embed.html" not in cards]
    assert all(site.soup(page).find("link", type="application/json+oembed") is None for page in others)
    sitemap = (site.out / "sitemap.xml").read_text()
    assert "embed.html" not in sitemap and "claims/bridge-unsafe/" in sitemap
    assert site.broken_links() == []


def test_the_timeline_card_lists_events_with_dates_and_links_to_the_timeline(site):
    soup = site.soup("timeline/embed.html")
    items = soup.select("ol li")
    assert len(items) == 5
    assert all(item.find("time") and item.find("a", target="_top") for item in items)
    links = [resolve("timeline/embed.html", a["href"]) for a in soup.find_all("a")]
    assert "timeline/index.html" in links and "events/inspection/index.html" in links
    assert site.soup("timeline/index.html").find("link", type="application/json+oembed") is not None


def test_a_long_timelines_card_lists_its_key_events_and_says_how_many_more(bundled_site):
    soup = bundled_site.soup("timeline/embed.html")
    shown = len(soup.select("ol li"))
    total = len(bundled_site.soup("timeline/index.html").select(".timeline li"))
    assert 0 < shown <= 12 < total
    assert f"{total - shown} more events" in soup.get_text()


def edited(tmp_path, change) -> Path:
    project = copy_project(FIXTURES / "complete", tmp_path)
    settings = yaml.safe_load((project / "explainer.yml").read_text())
    change(settings)
    (project / "explainer.yml").write_text(yaml.safe_dump(settings))
    return project


def test_without_base_url_cards_are_built_but_no_oembed_files_or_links(tmp_path):
    project = edited(tmp_path, lambda settings: settings.pop("base_url"))
    result = build(project, tmp_path / "site")
    site = BuiltSite(result.out)
    assert (site.out / "claims/bridge-unsafe/embed.html").is_file()
    assert card_link(site, "claims/bridge-unsafe/embed.html") == "claims/bridge-unsafe/index.html"
    assert list(site.out.rglob("oembed.json")) == []
    assert all(site.soup(page).find("link", type="application/json+oembed") is None for page in site.pages())
    assert any("oEmbed" in note for note in result.notes)


def test_embeds_false_makes_no_cards_files_or_links(tmp_path):
    project = edited(tmp_path, lambda settings: settings.update(embeds=False))
    result = build(project, tmp_path / "site")
    site = BuiltSite(result.out)
    assert not [page for page in site.pages() if page.endswith("/embed.html")]
    assert list(site.out.rglob("oembed.json")) == []
    assert all(site.soup(page).find("link", type="application/json+oembed") is None for page in site.pages())


def test_editing_one_claim_rewrites_its_own_card_and_oembed_file_only(tmp_path):
    project = copy_project(FIXTURES / "complete", tmp_path)
    out = tmp_path / "site"
    build(project, out)
    claims = project / "content" / "claims.yml"
    claims.write_text(claims.read_text().replace("Repairs will cost millions.", "Repairs will cost billions."))
    result = build(project, out)
    written = {name for name in result.files if name.endswith(("/embed.html", "oembed.json"))}
    assert written == {"claims/costs-claim/embed.html", "claims/costs-claim/oembed.json"}
    assert "billions" in (out / "claims/costs-claim/oembed.json").read_text()


def host_snippet() -> str:
    """The snippet docs/newsrooms.md tells a host page to add."""
    found = HOST_SNIPPET.search((ROOT / "docs" / "newsrooms.md").read_text("utf-8"))
    assert found is not None, "docs/newsrooms.md shows no host snippet"
    return found.group(1)


def test_the_documented_host_snippet_sizes_the_frame_to_the_card(site, browser, tmp_path):
    card = (site.out / "questions/who-inspected/embed.html").as_uri()
    timeline = (site.out / "timeline/embed.html").as_uri()
    host = tmp_path / "host.html"
    host.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Host</title></head><body>'
        f'<p>An article.</p><iframe id="card" src="{card}" title="card" width="600" height="40"></iframe>'
        f'<iframe id="timeline" src="{timeline}" title="timeline" width="600" height="40"></iframe>'
        f"{host_snippet()}</body></html>"
    )
    for width in (600, 320):
        with browser_page(browser, "light", width + 40, 900) as page:
            page.goto(host.as_uri())
            for name in ("card", "timeline"):
                frame = page.frame_locator(f"#{name}")
                frame.locator("h1").wait_for()
                page.wait_for_function(f"document.getElementById('{name}').style.height !== ''")
                inner = page.locator(f"#{name}").element_handle().content_frame()
                wanted = inner.evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
                page.wait_for_function(
                    f"document.getElementById('{name}').getBoundingClientRect().height === {wanted} + 4"
                )  # the content's height, and the frame's default 2px border
                assert wanted > 120


@pytest.mark.parametrize("card", [*(path + "embed.html" for path in CARDS), "timeline/embed.html"])
def test_a_card_taller_than_its_frame_keeps_its_link_to_the_full_page_in_sight(site, browser, card):
    """A host that only pastes the oEmbed iframe keeps its default height: in a phone's column a card is taller
    than that, and scrolls inside its frame, with the link to the full page held at the frame's foot."""
    oembed = json.loads((site.out / card.replace("embed.html", "oembed.json")).read_text())
    with serving(site.out) as root, browser_page(browser, "light", 300, int(oembed["height"]) // 2) as page:
        page.goto(root + card)
        foot = page.locator(".card-foot a").first
        box = foot.bounding_box()
        assert box is not None and box["y"] + box["height"] <= page.viewport_size["height"], box
        assert page.evaluate("document.documentElement.scrollHeight") > page.viewport_size["height"]  # it is taller
        foot.click(trial=True)  # nothing covers it


def test_the_card_speaks_wordpress_messages_when_wordpress_gave_it_a_secret(site, browser):
    """WordPress frames a card from a provider it does not know in a sandbox, with a secret in its address."""
    with serving(site.out) as root, browser_page(browser) as page:
        card = root + "claims/bridge-unsafe/embed.html"
        page.set_content(
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Host</title></head><body>'
            f'<iframe src="{card}#?secret=Ab12Cd34Ef" sandbox="allow-scripts" title="card" width="600"></iframe>'
            "<script>window.got = []; addEventListener('message', e => window.got.push(e.data));</script></body></html>"
        )
        page.wait_for_function("window.got.some(m => m.message === 'height')")
        height = page.evaluate("window.got.find(m => m.message === 'height')")
        assert height["secret"] == "Ab12Cd34Ef" and height["value"] > 100
        page.frame_locator("iframe").get_by_role("link", name="Read the full page").click()
        page.wait_for_function("window.got.some(m => m.message === 'link')")
        link = page.evaluate("window.got.find(m => m.message === 'link')")
        assert link["secret"] == "Ab12Cd34Ef" and link["value"] == root + "claims/bridge-unsafe/index.html"
        assert page.url == "about:blank"  # the card asked; it did not navigate the host page itself
