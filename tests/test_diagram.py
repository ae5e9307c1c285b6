"""Who says what: the picture of people and the claims they make, and the same as a list, on real builds.

Each test builds a small story, then reads the claims page as a reader's browser or screen reader
would: the inline SVG (role, title, description, names, verdicts in words), the list beside it, the
story page's link to it, and what a story without claims, a hostile name or a big story does to it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from browser import AXE, axe_violations, browser_page, require
from bs4 import Tag
from conftest import BuiltSite, resolve
from rebuilds import BASE, edit, serve_edit_equals_full_build

from explainer.build import build
from explainer.diagram import DOT_GAP, MAX_CLAIMS, MAX_POINTS, NAMES_WIDTH, TEXT, WIDTH, text_width, wrap
from explainer.i18n import typeset

CLAIMS = "claims/index.html"
STORY = "content/story.md"
SOURCES = "content/sources.yml"


def write(project: Path, files: dict[str, str]) -> Path:
    base = {
        STORY: "---\ntitle: The bridge\nsummary: Is the old bridge safe?\npublished: 2024-01-02\n---\n"
        "[[Ann Lee]] and [[Bob Stone]] disagree.\n",
        SOURCES: "- id: report\n  title: The report\n",
        "content/people/ann-lee.md": "---\nname: Ann Lee\nrole: Engineer\n---\n",
        "content/people/bob-stone.md": "---\nname: Bob Stone\nrole: Mayor\n---\n",
    }
    for name, text in {**base, **files}.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return project


def claim(text: str, by: str, status: str, links: str = "") -> str:
    return f"---\nclaim: {text}\nby: [{by}]\nstatus: {status}\nsources: [report]\n{links}---\n"


TWO_SIDES = {
    "content/claims/bridge-safe.md": claim("The bridge is safe for cars.", "ann-lee", "supported"),
    "content/claims/bridge-unsafe.md": claim(
        "The bridge must close at once.", "bob-stone", "disputed", "disputes: [bridge-safe]\n"
    ),
}


def built(tmp_path: Path, files: dict[str, str], name: str = "story") -> BuiltSite:
    project = write(tmp_path / name, files)
    return BuiltSite(build(project, tmp_path / f"{name}-site", search=False).out)


def words(element: Tag) -> str:
    return " ".join(element.get_text(" ", strip=True).split())


def picture(site: BuiltSite, page: str = CLAIMS) -> Tag:
    """The picture as a phone shows it; a wide screen shows the same drawings in two columns (``wide_of``)."""
    svgs = site.soup(page).select("main svg")
    # each picture: the drawing (an image), then the layer of links laid over it
    assert [svg["class"] for svg in svgs] == [["wsw-narrow"], ["wsw-links"], ["wsw-wide"], ["wsw-links"]], (
        f"{page} has {len(svgs)} pictures"
    )
    return svgs[0]


def links_of(drawing: Tag) -> Tag:
    """The layer of links laid over a drawing."""
    layer = drawing.find_next_sibling("svg")
    assert layer is not None and layer["class"] == ["wsw-links"]
    return layer


def wide_of(site: BuiltSite, page: str = CLAIMS) -> Tag:
    return site.soup(page).select_one("main svg.wsw-wide")


def listed(site: BuiltSite) -> list[tuple[str, str, str, str]]:
    """(point heading, side label, "who says:", claim page) for every item of the list beside the picture."""
    details = site.soup(CLAIMS).select_one("main .wsw details")
    rows = []
    heading = side = ""
    for element in details.find_all(["h3", "p", "li"]):
        if element.name == "h3":
            heading, side = words(element), ""
        elif element.name == "p" and "wsw-side" in element.get("class", []):
            side = words(element)
        elif element.name == "li" and element.a is not None:
            rows.append((heading, side, words(element.select_one(".claimant")), resolve(CLAIMS, element.a["href"])))
    return rows


# --- a story with two people and two claims disputing each other --------------------------------------------


@pytest.fixture(scope="module")
def two_sides(tmp_path_factory) -> BuiltSite:
    return built(tmp_path_factory.mktemp("two-sides"), TWO_SIDES)


def test_the_claims_page_draws_an_accessible_picture_of_both_sides(two_sides):
    svg = picture(two_sides)
    assert svg["role"] == "img" and not svg.find("a")  # the links lie in a layer of their own over it
    labels = [svg["aria-labelledby"], svg["aria-describedby"]]
    title, desc = (svg.find(id=label) for label in labels)
    assert title.name == "title" and desc.name == "desc", labels
    assert words(title) == "Who says what on each disputed point"
    assert "1 disputed point: 2 claims by 2 people" in words(desc)
    # a viewBox narrow enough for a phone, scaled by the theme's stylesheet
    assert svg["viewbox"].startswith(f"0 0 {WIDTH} ")
    texts = [words(text) for text in svg.find_all("text")]
    assert "Ann Lee" in texts and "Bob Stone" in texts
    assert "✓ Supported" in texts and "⇄ Disputed" in texts  # the verdict in words and a mark, not colour alone
    assert "versus" in texts
    tooltips = {words(title) for title in svg.find_all("title")}
    assert "Ann Lee says: The bridge is safe for cars. (Supported)" in tooltips
    assert "Bob Stone says: The bridge must close at once. (Disputed)" in tooltips
    # the sides: Ann's claim above the line marked versus, Bob's below it
    rows = {words(text): float(text["y"]) for text in svg.find_all("text")}
    assert rows["Ann Lee"] < rows["versus"] < rows["Bob Stone"]
    # colour comes from the theme (the status classes and currentColor), never a fixed colour
    assert svg.select(".status-supported rect") and svg.select(".status-disputed rect")
    assert not re.search(r"#[0-9a-f]{3,6}\b|rgb\(", str(svg), re.IGNORECASE)


def test_the_list_beside_the_picture_says_the_same(two_sides):
    assert listed(two_sides) == [  # a point no question or event names is named by its first claim
        ("Point 1: The bridge is safe for cars.", "One side:", "Ann Lee says:", "claims/bridge-safe/index.html"),
        (
            "Point 1: The bridge is safe for cars.",
            "The other side:",
            "Bob Stone says:",
            "claims/bridge-unsafe/index.html",
        ),
    ]
    # the same pairs of who and what as the picture's claims, whose tooltips give them in full
    svg = picture(two_sides)
    drawn = {words(title).rsplit(" (", 1)[0] for title in svg.find_all("title") if title.find_parent("g")}
    page = two_sides.soup(CLAIMS)
    items = {words(li).rsplit(" ", 1)[0] for li in page.select("main .wsw details li")}
    assert (
        drawn
        == items
        == {"Ann Lee says: The bridge is safe for cars.", "Bob Stone says: The bridge must close at once."}
    )
    # each item gives the verdict as a word too
    verdicts = [words(li.select_one(".status")) for li in page.select("main .wsw details li")]
    assert verdicts == ["Supported", "Disputed"]
    heading = page.find(id="who-says-what")
    assert heading.name == "h2" and words(heading) == "Who says what"


def test_the_story_page_links_to_the_picture(two_sides):
    story = two_sides.soup("index.html")
    link = story.find("a", string="Who says what: see the diagram")
    assert link is not None and link.find_parent("section").find(id="claims-glance")
    assert resolve("index.html", link["href"], keep_fragment=True) == "claims/index.html#who-says-what"
    assert not story.select("main svg")  # the picture itself stays on the claims page
    assert two_sides.broken_links() == []


def test_the_picture_is_the_same_bytes_in_every_build(tmp_path):
    first = built(tmp_path, TWO_SIDES, "first")
    second = built(tmp_path, TWO_SIDES, "second")
    assert (first.out / CLAIMS).read_bytes() == (second.out / CLAIMS).read_bytes()
    assert (first.out / "index.html").read_bytes() == (second.out / "index.html").read_bytes()


def test_search_leaves_the_picture_out(two_sides):
    section = two_sides.soup(CLAIMS).select_one("main .wsw")
    assert section["data-pagefind-ignore"] == "all"


# --- nothing to draw -----------------------------------------------------------------------------------------


def test_a_story_without_claims_shows_no_picture_and_no_link(tmp_path):
    site = built(tmp_path, {})
    for page in (CLAIMS, "index.html"):
        soup = site.soup(page)
        assert not soup.find("svg"), page
        assert not soup.find(id="who-says-what"), page
        assert "Who says what" not in soup.get_text(), page


def test_a_story_without_people_shows_no_picture(tmp_path):
    project = write(tmp_path / "story", {})
    for person in (project / "content/people").iterdir():
        person.unlink()
    (project / STORY).write_text(
        "---\ntitle: The bridge\nsummary: Is it safe?\npublished: 2024-01-02\n---\nNobody yet.\n", encoding="utf-8"
    )
    site = BuiltSite(build(project, tmp_path / "site", search=False).out)
    assert not site.soup(CLAIMS).find("svg")


def test_claims_that_answer_no_other_claim_are_still_drawn_with_who_makes_them(tmp_path):
    site = built(
        tmp_path,
        {
            "content/claims/bridge-old.md": claim("The bridge is old.", "ann-lee", "confirmed"),
            "content/claims/bridge-busy.md": claim("The bridge is busy.", "bob-stone", "unverified"),
        },
    )
    svg = picture(site)
    texts = [words(text) for text in svg.find_all("text")]
    assert "Ann Lee" in texts and "Bob Stone" in texts and "versus" not in texts
    assert words(svg.title) == "Who says what"
    assert [row[0] for row in listed(site)] == ["Claims", "Claims"]


# --- hostile words -------------------------------------------------------------------------------------------

HOSTILE_NAME = "<script>alert('name')</script> Smith & Sons"
HOSTILE_CLAIM = "The <b>bridge</b> & its </svg><script>alert(1)</script> ramps are fine."


def test_hostile_names_and_claims_are_escaped(tmp_path):
    site = built(
        tmp_path,
        {
            **TWO_SIDES,
            "content/people/ann-lee.md": f'---\nname: "{HOSTILE_NAME}"\nrole: Engineer\naliases: [Ann Lee]\n---\n',
            "content/claims/bridge-safe.md": claim(f"'{HOSTILE_CLAIM}'", "ann-lee", "supported"),
        },
    )
    html = (site.out / CLAIMS).read_text("utf-8")
    assert "<script>alert" not in html and "<b>bridge" not in html and "</svg><script>" not in html
    svg = picture(site)
    assert not svg.find("script") and not svg.find("b")
    name = typeset(HOSTILE_NAME)  # with the typography pages give every name: alert(‘name’)
    assert svg.find("title", string=f"{name} says: {HOSTILE_CLAIM} (Supported)")
    names = [unwrapped(text) for text in svg.find_all("text", x="0", attrs={"font-weight": "700"})]
    assert name in names  # drawn as text, wrapped over lines
    assert ("One side:", f"{name} says:", "claims/bridge-safe/index.html") in [row[1:] for row in listed(site)]
    # the only scripts on the page are the theme's own
    assert all(
        script.get("type") == "application/ld+json" or script.get("src") for script in site.soup(CLAIMS)("script")
    )


def unwrapped(text: Tag) -> str:
    """The words of a ``<text>`` drawn over several lines, as written (a line ending in "-" broke a word)."""
    lines = [words(line) for line in text.find_all("tspan")] or [words(text)]
    return "".join(line[:-1] if line.endswith("-") else line + " " for line in lines).strip()


# --- big stories ---------------------------------------------------------------------------------------------


def test_a_big_story_draws_a_bounded_picture_and_says_what_it_left_out(tmp_path):
    people = {
        f"content/people/p{n}.md": f"---\nname: Person number {n} of the city's bridge panel\nrole: Witness\n---\n"
        for n in range(30)
    }
    claims = {}
    long = "about the bridge, in a sentence long enough to fill every line a box has room for and then some more"
    for n in range(150):  # 50 points of three claims: two against one
        group = n // 3
        links = f"disputes: [c{group * 3}]\n" if n % 3 == 2 else f"supports: [c{group * 3}]\n" if n % 3 else ""
        claims[f"content/claims/c{n}.md"] = claim(f"Claim number {n} {long}.", f"p{n % 30}", "disputed", links)
    for n in range(150, 300):  # claims no other claim answers
        claims[f"content/claims/c{n}.md"] = claim(f"Claim number {n} about the road.", f"p{n % 30}", "unverified")
    site = built(tmp_path, {**people, **claims})
    svg = picture(site)
    boxes = svg.select("rect:not(.wsw-hit)")
    headings = [words(text) for text in svg.find_all("text") if text.get("font-size") == "15"]
    assert len(headings) <= MAX_POINTS and len(boxes) <= MAX_CLAIMS
    assert headings[0] == "Point 1: Claim number 0 about the bridge, in a sentence long enough…"
    assert "Other claims" not in headings
    assert len({row[3] for row in listed(site)}) == len(boxes)
    note = words(site.soup(CLAIMS).select("main .wsw details > p")[-1])
    assert note == (
        f"{50 - len(headings)} more disputed points and {300 - len(boxes)} more claims are not drawn: "
        "every claim is listed under its rating below."
    )
    # the picture and its list take a bounded share of the page, however long the claims (the wide picture adds
    # a link over each box and one over each box of the narrow one: about 8 KB for 20 claims)
    section = site.soup(CLAIMS).select_one("main .wsw")
    assert len(str(section).encode()) < 45_000


def test_many_claims_on_one_side_are_counted_not_drawn(tmp_path):
    people = {f"content/people/p{n}.md": f"---\nname: Person {n}\nrole: Witness\n---\n" for n in range(8)}
    # the claim a writer puts first (by weight) leads its point
    claims = {"content/claims/hub.md": claim("The bridge is safe.", "ann-lee", "disputed", "weight: 1\n")}
    for n in range(8):
        claims[f"content/claims/c{n}.md"] = claim(f"No, it is not ({n}).", f"p{n}", "unverified", "disputes: [hub]\n")
    site = built(tmp_path, {**people, **claims})
    svg = picture(site)
    assert len(svg.select("rect:not(.wsw-hit)")) == 6
    assert "and 3 more on this side" in [words(text) for text in svg.find_all("text")]
    assert words(svg.select_one("text")) == "Point 1: The bridge is safe."
    items = [words(li) for li in site.soup(CLAIMS).select("main .wsw details li")]
    assert items[-1] == "and 3 more on this side, listed under their ratings below"


# --- rebuilds -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("change", ["dispute removed", "dispute turned to support"])
def test_a_rebuild_after_a_link_between_claims_changes_redraws_the_picture(change, tmp_path):
    project = tmp_path / "story"
    shutil.copytree(BASE, project)
    other = project / "content/claims/other-claim.md"
    edits = {
        "dispute removed": lambda p: edit(other, "disputes: [main-claim]\n", ""),
        "dispute turned to support": lambda p: edit(other, "disputes: [main-claim]", "supports: [main-claim]"),
    }
    serve_edit_equals_full_build(project, edits[change], tmp_path)


# --- the layout ----------------------------------------------------------------------------------------------


def boxes_of(svg: Tag) -> list[tuple[float, float, float, float]]:
    return [
        (
            float(rect["x"]),
            float(rect["y"]),
            float(rect["x"]) + float(rect["width"]),
            float(rect["y"]) + float(rect["height"]),
        )
        for rect in svg.select("rect:not(.wsw-hit)")
    ]


def test_the_bundled_story_is_drawn_without_overlaps_inside_its_frame(bundled_site):
    svg = picture(bundled_site)
    width, height = (float(value) for value in svg["viewbox"].split()[2:])
    boxes = boxes_of(svg)
    assert len(boxes) == 19  # three disputed points and the claims no other claim answers: every claim
    assert words(svg.desc).startswith(
        "3 disputed points and the claims no other claim disputes or supports: 19 claims by 12 people."
    )
    for left, top, right, bottom in boxes:
        assert 0 <= left < right <= width and 0 <= top < bottom <= height
    ordered = sorted(boxes, key=lambda box: box[1])
    assert all(upper[3] < lower[1] for upper, lower in zip(ordered, ordered[1:], strict=False))
    # every line of text fits its box (a claim), its column (a name) or the picture, by the measure that wrapped it
    frames = {
        id(text): boxes_of(group)[0][2]
        for group in svg.find_all("g")
        for text in group.find_all("text")
        if group.find("title", recursive=False) and group.find("rect")
    }
    names = names_width(svg)
    for text in svg.find_all("text"):
        size, bold, start = float(text.get("font-size", TEXT)), text.get("font-weight") == "700", float(text["x"])
        edge = frames.get(id(text), names if start == 0 and size == TEXT else width)
        for line in text.find_all("tspan") or [text]:
            assert start + text_width(words(line), size, bold) <= edge, words(line)
            assert not words(line).endswith("-"), "no word is broken"
    # each point is named by the question the story asks about it
    headings = [" ".join(words(line) for line in text.find_all("tspan") or [text]) for text in svg.select("text")]
    headings = [heading for heading in headings if heading.startswith(("Point", "Other"))]
    assert headings == [
        "Point 1: Did Alec Baldwin pull the trigger?",
        "Point 2: Who is responsible for the fatal shooting?",
        "Point 3: Were there misfires and other warning signs on the set before the shooting?",
        "Other claims",
    ]


def names_width(svg: Tag) -> float:
    """How wide the picture's people column is: its lines start DOT_GAP after it."""
    return float(svg.find("circle")["cx"]) - DOT_GAP


def test_wrapping_breaks_only_a_word_that_cannot_fit_on_a_line_of_its_own():
    word = "Anwohnerinitiative"
    width = text_width(word, 14, bold=True)
    lines, cut = wrap(f"Die {word} Hafen", width, 14, 5, bold=True)
    assert (lines, cut) == (["Die", word, "Hafen"], False)  # to the next line whole, never "Anwohneri-nitiative"
    lines, _cut = wrap(f"Die {word}", width - 10, 14, 5, bold=True)
    assert lines[0] == "Die" and lines[1].endswith("-")  # too long for any line: broken where it must be
    # a hyphenated name breaks after its own hyphen, never inside a part
    assert wrap("Hannah Gutierrez-Reed", 100, 14, 3, bold=True) == (["Hannah", "Gutierrez-", "Reed"], False)


@pytest.mark.parametrize(
    "files,subject",
    [
        (  # a question about the point's claims names it
            {
                "content/questions/is-it-safe.md": "---\nquestion: Is the bridge safe?\n"
                "about: [claims/bridge-safe, claims/bridge-unsafe]\n---\n"
            },
            "Is the bridge safe?",
        ),
        (  # else the event its claims are about
            {
                "content/events/inspection.md": "---\ntitle: The spring inspection\ndate: 2024-03-01\n"
                "people: [ann-lee]\n---\n",
                "content/claims/bridge-safe.md": claim(
                    "The bridge is safe for cars.", "ann-lee", "supported", "about: [events/inspection]\n"
                ),
                "content/claims/bridge-unsafe.md": claim(
                    "The bridge must close at once.",
                    "bob-stone",
                    "disputed",
                    "disputes: [bridge-safe]\nabout: [events/inspection]\n",
                ),
            },
            "The spring inspection",
        ),
    ],
)
def test_a_point_is_named_by_what_it_is_about(tmp_path, files, subject):
    site = built(tmp_path, {**TWO_SIDES, **files})
    assert words(picture(site).select_one("text")) == f"Point 1: {subject}"
    assert {row[0] for row in listed(site)} == {f"Point 1: {subject}"}


def test_the_names_column_holds_a_long_word_whole(tmp_path):
    """A group's long name ("Anwohnerinitiative Hafen") widens the people's column rather than break a word."""
    person = "---\nname: Anwohnerinitiative Hafen\nkind: group\nrole: Residents\n---\n"
    site = built(tmp_path, {**TWO_SIDES, "content/people/ann-lee.md": person})
    svg = picture(site)
    name = svg.find("text", x="0", attrs={"font-weight": "700", "font-size": None})  # not the point's heading
    assert [words(line) for line in name.find_all("tspan")] == ["Anwohnerinitiative", "Hafen"]
    assert names_width(svg) > NAMES_WIDTH and text_width("Anwohnerinitiative", TEXT, bold=True) <= names_width(svg)
    for left, _top, right, _bottom in boxes_of(svg):  # the claims' boxes moved over to make room
        assert left > names_width(svg) and right <= WIDTH


def test_a_name_too_long_for_the_column_is_set_smaller_never_broken(tmp_path):
    """Our wrapping breaks no word of a name: one wider than the widest people's column is set in smaller type."""
    word = "Kreisverwaltungsreferat"  # 205 units wide at the names' size: wider than the widest column
    person = f"---\nname: {word} Huber\nrole: Captain\n---\n"
    site = built(tmp_path, {**TWO_SIDES, "content/people/ann-lee.md": person})
    svg = picture(site)
    name = next(text for text in svg.find_all("text", x="0") if word in words(text))
    assert [words(line) for line in name.find_all("tspan")] == [word, "Huber"]
    size = float(name["font-size"])
    assert size < TEXT and text_width(word, size, bold=True) <= names_width(svg)


def test_wrapping_breaks_long_words_and_marks_what_it_cut():
    lines, cut = wrap("a " + "x" * 80 + " end", 100, 14, 3)
    assert cut and len(lines) == 3 and lines[-1].endswith("…")
    assert all(text_width(line, 14) <= 100 for line in lines)
    lines, cut = wrap("Short and sweet.", 200, 14, 2)
    assert (lines, cut) == (["Short and sweet."], False)


# --- in a real browser ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_picture_reads_at_320_pixels(bundled_site, browser, scheme):
    with browser_page(browser, scheme, 320, 800) as page:
        page.goto((bundled_site.out / CLAIMS).as_uri())
        found = page.evaluate(
            """() => {
              const svg = document.querySelector('main svg');
              const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
              const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize));
              const smallest = Math.min(...sizes);
              const spill = [];
              for (const group of svg.querySelectorAll('g')) {
                const rect = group.querySelector(':scope > g > rect');
                if (!rect) continue;
                const frame = rect.getBBox();
                for (const text of group.querySelectorAll('text')) {
                  const box = text.getBBox();
                  if (box.x + box.width > frame.x + frame.width || box.y + box.height > frame.y + frame.height)
                    spill.push(text.textContent);
                }
              }
              const colours = new Set([...svg.querySelectorAll('rect')].map(r => getComputedStyle(r).stroke));
              return {scale, smallest, spill, colours: colours.size, text: getComputedStyle(svg).color,
                      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth};
            }"""
        )
        assert found["smallest"] * found["scale"] >= 11.5  # about 12 px, on the narrowest phone
        assert found["spill"] == []
        assert found["colours"] >= 3  # verdicts take the theme's colours in both schemes
        assert found["overflow"] <= 0
        assert found["text"] == ("rgb(29, 29, 31)" if scheme == "light" else "rgb(236, 237, 239)")


def test_the_picture_uses_a_wide_column_in_two_columns_of_points(bundled_site, browser):
    """On a desktop the same drawings stand in two columns of points across the whole column (the bundled story's
    picture was 480 px wide and 3,296 px tall in one), its words about the size of a caption's."""
    with browser_page(browser, "light", 1280, 900) as page:
        page.goto((bundled_site.out / CLAIMS).as_uri())
        found = page.evaluate(
            """() => {
              const shown = [...document.querySelectorAll('main svg')].filter(svg => svg.getBoundingClientRect().width);
              const svg = shown[0], box = svg.getBoundingClientRect();
              const scale = box.width / svg.viewBox.baseVal.width;
              const text = parseFloat(getComputedStyle(svg).fontSize) * scale;
              const uses = [...svg.querySelectorAll('use')].map(use => use.getBoundingClientRect().height);
              return {shown: shown.map(svg => svg.getAttribute('class')), width: box.width, height: box.height,
                      column: svg.parentElement.clientWidth, text, uses};
            }"""
        )
    assert found["shown"] == ["wsw-wide", "wsw-links"]  # the drawing, and its links laid over it
    assert found["width"] == found["column"] and found["height"] < 1600  # one column of 19 claims: about 3,600 px
    assert 13 <= found["text"] <= 16
    assert len(found["uses"]) == 4 and all(height > 100 for height in found["uses"])  # every point is drawn


def test_each_claim_box_links_to_its_claim_once_in_each_picture(bundled_site):
    soup = bundled_site.soup(CLAIMS)
    narrow, wide = picture(bundled_site), wide_of(bundled_site)
    claims = sorted(f"{link['href']}" for link in links_of(narrow).find_all("a"))
    assert len(claims) == 19 and claims == sorted(link["href"] for link in links_of(wide).find_all("a"))
    assert not narrow.find("a") and not wide.find("a")
    for layer in (links_of(narrow), links_of(wide)):  # laid exactly over its drawing, named like it
        drawing = layer.find_previous_sibling("svg")
        assert layer["viewbox"] == drawing["viewbox"] and layer["aria-labelledby"] == drawing["aria-labelledby"]
    for link in links_of(narrow).find_all("a"):  # relative, from disk or under a subpath alike
        assert link["href"].startswith("../claims/") and link["href"].endswith("/index.html")
        assert (bundled_site.out / "claims" / link["href"]).resolve().is_file()
        title = soup.find(id=link["aria-labelledby"])  # named by the box's title: who says what, and our rating
        assert title.name == "title" and " says: " in words(title) or " say: " in words(title)
    # the wide picture draws the narrow one's points by reference, with no link inside what it copies
    for use in wide.find_all("use"):
        drawn = narrow.find(id=use["href"].removeprefix("#"))
        assert drawn is not None and not drawn.find("a") and use["aria-hidden"] == "true"
    assert wide["aria-labelledby"] == narrow["aria-labelledby"] and wide["role"] == "img"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [320, 1280])
def test_the_picture_and_its_open_list_have_no_axe_violations(bundled_site, browser, scheme, width):
    require(AXE, "axe-core")
    with browser_page(browser, scheme, width, 800) as page:
        page.goto((bundled_site.out / CLAIMS).as_uri())
        page.locator("main .wsw summary").click()
        assert page.locator("main .wsw details li").first.is_visible()
        assert axe_violations(page) == []
        # the claims' links are reached by keyboard once each, in the picture shown, and show where focus is
        links = page.locator(".wsw svg:visible a")
        assert links.count() == 19
        links.first.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.closest('.wsw-pic').getAttribute('class')")
        assert focused == ("wsw-pic wsw-narrow-pic" if width < 640 else "wsw-pic wsw-wide-pic")
        # the link lies over its claim's box in the drawing shown
        over = page.evaluate(
            """() => { const link = document.activeElement.querySelector('rect').getBoundingClientRect();
                       const drawing = document.activeElement.closest('.wsw-pic').querySelector('svg')
                           .getBoundingClientRect();
                       return link.top >= drawing.top && link.bottom <= drawing.bottom
                           && link.left >= drawing.left && link.right <= drawing.right; }"""
        )
        assert over
        stroke = page.evaluate("getComputedStyle(document.activeElement.querySelector('rect')).strokeWidth")
        assert stroke == "4px"


def test_a_long_claim_is_drawn_whole(tmp_path):
    """Two full sentences fit in a box: a claim cut short mid-sentence would misread."""
    text = (
        "The bridge was inspected every year and no inspector ever found a crack in its piers. "
        "The closure was ordered for reasons that have nothing to do with its safety."
    )
    files = {**TWO_SIDES, "content/claims/bridge-safe.md": claim(text, "ann-lee", "supported")}
    site = built(tmp_path, files)
    drawn = " ".join(words(text) for text in picture(site).find_all("text") if text.get("font-size") != "15")
    assert "its safety." in drawn and "…" not in drawn  # (the point's heading names it shortened)
