"""Search that finds the right page, breadcrumbs that fit a phone, and print that reads as one document.

One story, written here, is built once and served under a subpath; Chromium
searches it through the real search page (Pagefind's UI and index) in light and
dark, and looks at its pages at 320 px and in print. The story is made to be
hard on ranking: one person's name is inside another entry's name ("Mara
Quint's lawyer"), in an event's title, in the titles of the claims she makes,
and shared in part by two other people.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import re
import textwrap
import threading

import pytest
from browser import AXE, QuietHandler, axe_violations, browser_page, require
from conftest import BuiltSite

from explainer.build import build

SUBPATH = "ledger/"
SITE_WORD = "Quillfeather"  # only in the site's title: the header, the footer and <title>, never in content
STORY_TITLE = "The harbour master, the cracked pier and the two years of arguments that followed in Port Ellery"

FILES = {
    "explainer.yml": f"title: {SITE_WORD} Ledger\n",
    "content/story.md": f"""\
        ---
        title: {STORY_TITLE}
        summary: Port Ellery's north pier cracked; who knew, and who pays, is still argued.
        published: 2023-04-01
        ---

        The harbour master [[Mara Quint]] resigned after cracks were found in the north pier.
        """,
    "content/people.yml": """\
        - name: Mara Quint
          role: Harbour master of Port Ellery until 2023
          weight: 1
          summary: The harbour master who says she warned the council about the pier.
          links:
            Council profile: https://example.org/council/people/quint
          sources: [gazette]
          body: |
            Mara Quint ran the harbour for eleven years. She says she wrote to the council about
            the north pier in 2021; the council says no letter arrived. The inquiry's
            [published minutes](https://example.org/council/minutes) record her evidence.

            Before the harbour she worked as a marine surveyor along the coast, and she trained
            two of the engineers who later inspected the pier. Colleagues describe her as careful
            and stubborn; critics say she should have closed the pier herself.
        - slug: mara-quints-lawyer
          name: Mara Quint's lawyer
          role: Lawyer for Mara Quint at the council's inquiry
          body: |
            Mara Quint's lawyer told the inquiry that Mara Quint acted on every report. Mara Quint,
            the lawyer said, had asked Mara Quint's deputy to copy the letter to the council.
        - name: Tobias Quint
          role: Dock engineer; Mara Quint's brother
        - name: Mara Holt
          role: Reporter at the Ellery Gazette
        - slug: port-council
          name: Port Ellery council
          kind: group
          role: The town council that owns the pier
        """,
    "content/events.yml": """\
        - slug: pier-cracks
          title: Cracks are found in the north pier
          date: 2022-05-10
          people: [tobias-quint]
          summary: Tobias Quint's survey finds cracks in three piles.
        - slug: inquiry-opens
          title: The council opens an inquiry into Mara Quint's decisions
          date: 2022-09-01
          people: [mara-quint, port-council]
        - slug: quint-resigns
          title: Mara Quint resigns as harbour master
          date: 2023-03-01
          people: [mara-quint]
          sources: [gazette]
        """,
    "content/claims.yml": """\
        - slug: quint-warned
          claim: Mara Quint warned the council about the cracks in 2021.
          by: [mara-quint]
          status: disputed
        - slug: never-warned
          claim: The council was never warned about the cracks.
          by: [port-council]
          status: disputed
          disputes: [quint-warned]
        - slug: acted-on-every-report
          claim: Mara Quint acted on every engineering report she received.
          by: [mara-quints-lawyer]
          status: unverified
        - slug: holt-saw-letter
          claim: A copy of the 2021 letter was shown to the Gazette.
          by: [mara-holt]
          status: supported
          supports: [quint-warned]
        """,
    "content/questions.yml": """\
        - slug: did-quint-know
          question: Did Mara Quint know the pier was unsafe?
          about: [people/mara-quint]
        - slug: who-pays
          question: Who pays for the new pier?
        """,
    "content/updates.yml": """\
        - date: 2023-03-02
          summary: Mara Quint resigned the day after the inquiry's first hearing.
          about: [people/mara-quint]
          sources: [gazette]
        """,
    "content/sources.yml": """\
        - id: gazette
          title: Harbour master resigns
          publisher: Ellery Gazette
          url: https://example.org/gazette/quint-resigns
          date: 2023-03-01
        """,
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The story built once and served under a subpath: (its root URL, the built site)."""
    project = tmp_path_factory.mktemp("search-story")
    for name, text in FILES.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(textwrap.dedent(text))
    root = tmp_path_factory.mktemp("www")
    out = build(project, root / SUBPATH.strip("/")).out
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/{SUBPATH}", BuiltSite(out)
    server.shutdown()
    server.server_close()


@pytest.fixture()
def tab(browser):
    """A new tab with its own colour scheme and width: tab(scheme, width)."""
    with contextlib.ExitStack() as tabs:
        yield lambda scheme="light", width=1280: tabs.enter_context(browser_page(browser, scheme, width))


def in_site(url: str) -> str:
    """A result's address as a path inside the site ("people/ann/"): the UI's carry the subpath, the index's not."""
    return url.removeprefix("/").removeprefix(SUBPATH)


def shown_results(page) -> list[str]:
    return [in_site(href) for href in page.locator(".pagefind-ui__result-link").evaluate_all(LINKS)]


LINKS = "links => links.map(a => a.getAttribute('href'))"


def search(page, words: str) -> list[str]:
    """Type into the search page and wait for its results; the pages shown, in order."""
    page.locator(".pagefind-ui__search-input").fill(words)
    return wait_for_results(page, words)


def wait_for_results(page, words: str, count: int | None = None) -> list[str]:
    """Wait until the results for ``words`` (``count`` of them, if given) are all shown; the pages, in order."""
    number = str(count) if count is not None else r"\d+"
    message = re.compile(rf"^{number} results? for {re.escape(words)}$")
    page.locator(".pagefind-ui__message", has_text=message).wait_for(timeout=10_000)
    page.wait_for_function(  # each result shows its link once its own data has loaded
        """() => { const results = [...document.querySelectorAll('.pagefind-ui__result')];
                   return results.length && results.every(r => r.querySelector('.pagefind-ui__result-link')); }""",
        timeout=10_000,
    )
    return shown_results(page)


def index_search(page, words: str, kind: str | None = None) -> list[str]:
    """Every page Pagefind's index finds for ``words`` (optionally of one kind), site-relative."""
    found = page.evaluate(
        """async ([words, kind]) => {
             const pagefind = await import("../pagefind/pagefind.js");
             const found = await pagefind.search(words, kind ? {filters: {Kind: kind}} : {});
             return Promise.all(found.results.map(async (result) => (await result.data()).url));
           }""",
        [words, kind],
    )
    return [in_site(url) for url in found]


def test_a_surname_finds_people_before_claims_and_the_central_person_first(site, tab):
    """ "Quint" is in two people's names, and in claims, events and a question that name Mara Quint: the people
    come first, Mara Quint (the story's central person, the lowest weight) before her brother."""
    base_url, _ = site
    page = tab()
    page.goto(base_url + "search/index.html")
    found = search(page, "Quint")
    assert found[:2] == ["people/mara-quint/", "people/tobias-quint/"]
    assert page.locator(".pagefind-ui__result-tag").count() == 0  # neither ranking field is shown


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [320, 1280])
def test_a_full_name_finds_that_person_first_readably_in_light_and_dark(site, tab, scheme, width):
    require(AXE, "axe-core")
    base_url, _ = site
    page = tab(scheme, width)
    page.goto(base_url + "search/index.html")
    found = search(page, "Mara Quint")
    assert found[0] == "people/mara-quint/"
    assert len(found) == len(set(found)), "one result per page"
    assert page.locator(".pagefind-ui__result-nested").count() == 0, "no sub-results under a page"
    assert page.locator(".pagefind-ui__result-tag").count() == 0, "the ranking-only name field is not shown"
    excerpt = page.locator(".pagefind-ui__result-excerpt").first.inner_text()
    assert "Harbour master of Port Ellery" in excerpt and SITE_WORD not in excerpt
    assert axe_violations(page) == []  # color-contrast included, with results, filters and the input showing
    colours = page.evaluate(
        """() => [document.body, document.querySelector('.pagefind-ui__search-input'),
                  document.querySelector('.pagefind-ui__result-link'), document.querySelector('.site-footer a')]
                 .map(e => getComputedStyle(e)).map(s => [s.backgroundColor, s.color])"""
    )
    (page_background, text), (input_background, input_text), (_, result_link), (_, link) = colours
    assert input_background == page_background and input_text == text  # no white box on dark
    assert result_link == link  # a result's title looks like the link it is
    if scheme == "dark":
        assert page_background != "rgb(255, 255, 255)"


def test_every_name_puts_its_own_page_first(site, tab):
    """People named inside other names, sharing a first name or a surname, each come first for their own name."""
    base_url, _ = site
    page = tab()
    page.goto(base_url + "search/index.html")
    for name, slug in [
        ("Mara Quint", "mara-quint"),
        ("mara quint", "mara-quint"),
        ("Mara Quint's lawyer", "mara-quints-lawyer"),
        ("Tobias Quint", "tobias-quint"),
        ("Mara Holt", "mara-holt"),
        ("Port Ellery council", "port-council"),
    ]:
        assert search(page, name)[0] == f"people/{slug}/", name
    # a claim is found first by its own words, and its result is titled with who makes it
    assert search(page, "Mara Quint warned the council about the cracks in 2021")[0] == "claims/quint-warned/"
    assert page.locator(".pagefind-ui__result-link").first.inner_text().startswith("Mara Quint")


def test_results_can_be_narrowed_to_one_kind(site, tab):
    base_url, _ = site
    page = tab(width=320)
    page.goto(base_url + "search/index.html")
    search(page, "Quint")
    assert {url.split("/")[0] for url in index_search(page, "Quint")} >= {"people", "events", "claims", "questions"}
    panel = page.locator(".pagefind-ui__filter-panel")
    assert panel.locator(".pagefind-ui__filter-name").inner_text().strip() == "Kind"
    labels = panel.locator(".pagefind-ui__filter-label").all_inner_texts()
    kinds = {"People", "Events", "Claims", "Questions", "Story and reference"}  # every result has a kind
    assert {re.sub(r" \(\d+\)$", "", label) for label in labels} == kinds
    claims = index_search(page, "Quint", "Claims")
    assert sorted(claims) == ["claims/acted-on-every-report/", "claims/quint-warned/"]
    panel.get_by_text(f"Claims ({len(claims)})").wait_for(timeout=10_000)  # counted for this search
    panel.get_by_label(re.compile(r"^Claims")).check()
    assert sorted(wait_for_results(page, "Quint", len(claims))) == claims


def test_only_what_pages_say_is_indexed(site, tab):
    """Header, footer, navigation and the lists of other pages stay out of the index; entries and the story are in."""
    base_url, built = site
    home = built.soup("index.html")
    assert SITE_WORD in home.find("header").get_text() and SITE_WORD in home.find("footer").get_text()
    assert SITE_WORD not in home.find("main").get_text()
    page = tab()
    page.goto(base_url + "search/index.html")
    assert index_search(page, SITE_WORD) == []
    assert index_search(page, "Skip") == []  # the skip link
    found = index_search(page, "Quint")
    assert "people/mara-quint/" in found and "" in found  # an entry, and the story page
    index_pages = {f"{path}/" for path in ("people", "timeline", "claims", "questions", "search")}
    assert index_pages.isdisjoint(found), "index pages only list other pages"
    # pages that name her only in their lists of related entries are not found by her name
    for listing in ("claims/never-warned/", "people/port-council/"):
        assert "Quint" in built.soup(listing + "index.html").find("main").get_text()
        assert listing not in found


BREADCRUMB_PAGES = ["claims/quint-warned/index.html", "people/mara-quints-lawyer/index.html", "people/index.html"]


@pytest.mark.parametrize("path", BREADCRUMB_PAGES)
def test_breadcrumbs_fit_one_line_on_a_320px_phone(site, tab, path):
    base_url, _ = site
    page = tab(width=320)
    page.goto(base_url + path)
    crumbs = page.evaluate(
        """() => {
             const list = document.querySelector('.breadcrumbs ol');
             const shown = [...list.children].filter(li => li.getClientRects().length);
             return {height: list.getBoundingClientRect().height,
                     line: parseFloat(getComputedStyle(list).lineHeight),
                     right: Math.max(...shown.map(li => li.getBoundingClientRect().right)),
                     width: document.documentElement.clientWidth,
                     texts: shown.map(li => li.innerText),
                     heading: document.querySelector('h1').innerText};
           }"""
    )
    assert crumbs["height"] < 1.5 * crumbs["line"], crumbs
    assert crumbs["right"] <= crumbs["width"], crumbs
    assert not any(crumbs["heading"] in text for text in crumbs["texts"]), "the page's heading is not repeated"
    assert crumbs["texts"][0].startswith("The harbour master")  # the story's crumb, cut short
    # on a wide screen the full trail shows, the page itself included
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.locator('.breadcrumbs [aria-current="page"]').is_visible()


PRINT_PAGES = [
    "index.html",
    "people/mara-quint/index.html",
    "claims/quint-warned/index.html",
    "questions/did-quint-know/index.html",
    "timeline/index.html",
    "updates/index.html",
    "sources/index.html",
]


def test_print_uses_one_type_scale(site, tab):
    """Printed body text, in paragraphs and lists alike, is 11pt; smaller notes and the lead are steps of it."""
    base_url, _ = site
    page = tab()
    seen: set[float] = set()
    for path in PRINT_PAGES:
        page.goto(base_url + path)
        page.emulate_media(media="print")
        sizes = page.evaluate(
            """() => [...document.querySelectorAll('main p, main li, main dt, main dd')]
                 .filter(e => e.getClientRects().length)
                 .map(e => [e.tagName + (e.className ? '.' + e.className : ''),
                            parseFloat(getComputedStyle(e).fontSize)])"""
        )
        sizes = [(name, round(px * 0.75, 1)) for name, px in sizes]  # in pt
        plain = {size for name, size in sizes if name in ("P", "LI", "DT", "DD")}
        assert plain <= {11.0}, (path, sorted({tuple(item) for item in sizes}))
        seen |= plain
        for name, size in sizes:
            top = 13.2 if "lead" in name or "quote" in name else 11.0  # the lead is one step up
            assert 8 <= size <= top, (path, name, size)
    assert seen == {11.0}


def test_printed_pages_show_source_addresses(site, tab):
    base_url, _ = site
    page = tab()

    def printed_addresses(path: str) -> list[str]:
        """The addresses a printout shows: print-only text, and the text print adds after links."""
        page.goto(base_url + path)
        page.emulate_media(media="print")
        return page.evaluate(
            """() => [...document.querySelectorAll('main .print-only, main a')]
                 .filter(e => e.getClientRects().length)
                 .map(e => e.matches('a') ? getComputedStyle(e, '::after').content : e.innerText)
                 .filter(text => text.includes('https://'))"""
        )

    def expect(found: list[str], address: str) -> None:
        assert any(address in text for text in found), (address, found)

    person = printed_addresses("people/mara-quint/index.html")
    expect(person, "https://example.org/gazette/quint-resigns")  # its sources, and the sources of its updates
    expect(person, "https://example.org/council/minutes")  # a link in its text
    expect(person, "https://example.org/council/people/quint")  # its links
    expect(printed_addresses("updates/index.html"), "https://example.org/gazette/quint-resigns")
    expect(printed_addresses("sources/index.html"), "https://example.org/gazette/quint-resigns")
    expect(printed_addresses("index.html"), "https://example.org/gazette/quint-resigns")
    page.goto(base_url + "people/mara-quint/index.html")
    page.emulate_media(media="screen")
    assert page.locator(".print-only").first.is_hidden()
    shown = page.evaluate("() => getComputedStyle(document.querySelector('main a[href^=\"http\"]'), '::after').content")
    assert "https://" not in shown


def test_built_pages_mark_search_fields(site):
    """What Pagefind reads from a page: its body, its title as readers see it, its kind; not the lists of others."""
    _, built = site
    claim = built.soup("claims/quint-warned/index.html").find("main")
    assert claim.has_attr("data-pagefind-body") and claim["data-pagefind-filter"] == "Kind:Claims"
    assert claim["data-pagefind-meta"].startswith("title:Mara Quint")
    lawyer = built.soup("people/mara-quints-lawyer/index.html")
    assert lawyer.find("article")["data-pagefind-meta"] == "name:lawyer"  # ranks for its own word, not Mara Quint
    assert built.soup("people/mara-quint/index.html").find("article")["data-pagefind-meta"] == "name:Mara Quint"
    related = built.soup("people/mara-quint/index.html").select("section.related")
    assert related and all(section.has_attr("data-pagefind-ignore") for section in related)
    for index in ("people/index.html", "claims/index.html", "timeline/index.html", "search/index.html"):
        assert not built.soup(index).find("main").has_attr("data-pagefind-body"), index
