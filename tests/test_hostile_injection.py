"""Hostile writer text never becomes live script in the built site, whatever the encoding trick.

A browser decodes character references in attributes (``java&#115;cript:``), skips tabs and
newlines inside a scheme and ignores leading spaces and control characters; every URL is checked
here the way a browser reads it. The story puts payloads in every place a writer controls text.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup

from explainer.build import build
from explainer.diagnostics import ContentError
from explainer.markdown_render import MarkdownRenderer, decode_attribute, url_is_safe

BASE = Path(__file__).resolve().parent / "broken" / "_base"
SAFE_SCHEMES = {"http", "https", "mailto", "tel"}
URL_ATTRIBUTES = (
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "srcset",
    "poster",
    "data",
    "background",
    "cite",
    "longdesc",
    "usemap",
    "ping",
    "manifest",
    "codebase",
    "lowsrc",
    "dynsrc",
    "icon",
)
CONTROLS = re.compile(r"[\x00-\x20\x7f]+")
SCHEME = re.compile(r"^([^:/?#]*):")

# Markdown a writer might put in any body: each must end up without a live script or unsafe URL.
PAYLOADS = [
    "[plain](javascript:alert(1))",
    "[mixed case](JaVaScRiPt:alert(1))",
    "[decimal entity](java&#115;cript:alert(1))",
    "[named colon](javascript&colon;alert(1))",
    "[first letter](&#106;avascript:alert(1))",
    "[hex entity](&#x6A;avascript:alert(1))",
    "[no semicolon](&#106avascript:alert(1))",
    "[zero padded](&#0000106;avascript:alert(1))",
    "[hex tab](jav&#x09;ascript:alert(1))",
    "[decimal tab](jav&#9;ascript:alert(1))",
    "[named tab](java&Tab;script:alert(1))",
    "[named newline](java&NewLine;script:alert(1))",
    "[raw tab](java\tscript:alert(1))",
    "[leading space](< javascript:alert(1)>)",
    "[leading entity space](&#32;javascript:alert(1))",
    "[leading control entity](&#1;javascript:alert(1))",
    "[escaped colon](javascript\\:alert(1))",
    "[percent](java%73cript:alert(1))",
    "[percent colon](javascript%3Aalert(1))",
    "[colon no semicolon](javascript&#58alert(1))",
    "[double encoded](&amp;#106;avascript:alert(1))",
    "[two entities](javas&#99;ript&#58;alert(1))",
    "[vbscript](vbscript:msgbox(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[data upper](DATA:text/html,<script>alert(1)</script>)",
    "[file](file:///etc/passwd)",
    '[with title](javascript:alert(1) "a title")',
    "[angle brackets](<javascript:alert(1)>)",
    '[title breakout](https://example.org/ "x\\" onmouseover=\\"alert(1)")',
    '[quote breakout](https://example.org/" onmouseover="alert(1))',
    "![image](javascript:alert(1))",
    "![image entity](java&#115;cript:alert(1))",
    "![svg](data:image/svg+xml,<svg onload=alert(1)>)",
    '![alt " onerror="alert(1)](https://example.org/a.png)',
    "[reference][evil-one]\n\n[evil-one]: java&#115;cript:alert(1)",
    "[reference angle][evil-two]\n\n[evil-two]: <javascript:alert(1)>",
    "![image reference][evil-three]\n\n[evil-three]: data:text/html,x",
    "[evil-four]\n\n[evil-four]: vbscript:msgbox(1)",
    "<javascript:alert(1)>",
    "<javascript://%0aalert(1)>",
    "<JAVASCRIPT://%0Aalert(1)>",
    "<vbscript://x>",
    "<data://text/html,x>",
    "[xref](xref:javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    '<a href="javascript:alert(1)">raw link</a>',
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">x</button></form>',
    "&lt;script&gt;alert(1)&lt;/script&gt; and &#60;img src=x onerror=alert(1)&#62;",
    "[<img src=x onerror=alert(1)>](https://example.org/)",
    "[[ann-lee|<script>alert(1)</script>]] and [[first-event|<img src=x onerror=alert(1)>]]",
    "`<script>alert(1)</script>` in code",
    "```\n<script>alert(1)</script>\n```",
    "<a@example.org> and <mailto:javascript:alert(1)@x>",
]
BREAKOUT_URL = 'https://example.org/x" onmouseover="alert(1)'  # valid http, trying to leave its attribute
# Plain-text fields: escaped by the templates, never Markdown.
TEXT = "<script>alert(1)</script><img src=x onerror=alert(1)> \" onmouseover=\"alert(1) ' onfocus='alert(1) </title>"


def yaml_string(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(value)


def hostile_project(tmp_path: Path) -> Path:
    """The small base story with payloads in every field and body a writer controls."""
    project = tmp_path / "story"
    shutil.copytree(BASE, project)
    body = "\n\n".join(PAYLOADS)
    content = project / "content"
    (content / "story.md").write_text(
        f"---\ntitle: {yaml_string('Story ' + TEXT)}\nsummary: {yaml_string('Summary ' + TEXT)}\n"
        f"published: 2024-05-01\nbyline: [{yaml_string('Writer ' + TEXT)}]\n---\n\n"
        f"[[Ann Lee]] saw the [[first-event]].\n\n{body}\n",
        "utf-8",
    )
    (content / "people/ann-lee.md").write_text(
        f"---\nname: Ann Lee\nrole: {yaml_string('Witness ' + TEXT)}\nimage: images/ann.png\n"
        f"image_alt: {yaml_string('Ann ' + TEXT)}\nlinks:\n"
        f"  {yaml_string('Profile ' + TEXT)}: {yaml_string('https://example.org/ann?a=1&b=<script>')}\n"
        f"  Breakout: {yaml_string(BREAKOUT_URL)}\n"
        f"sources: [report]\n---\n\n{body}\n",
        "utf-8",
    )
    (content / "people.yml").write_text(
        f"- slug: bob-stone\n  name: {yaml_string('Bob ' + TEXT)}\n  role: {yaml_string(TEXT)}\n"
        f"  aliases: [{yaml_string('Bobby ' + TEXT)}]\n  body: {yaml_string(body)}\n"
        f"- slug: the-council\n  name: The Council\n  kind: group\n  role: City council\n",
        "utf-8",
    )
    (content / "events/first-event.md").write_text(
        f"---\ntitle: {yaml_string('The first event ' + TEXT)}\ndate: 2024-04-02\nend_date: 2024-04-03\n"
        f"place: {yaml_string('Court ' + TEXT)}\npeople: [ann-lee]\nsources: [report]\nkey: true\n---\n\n{body}\n",
        "utf-8",
    )
    (content / "claims/main-claim.md").write_text(
        f"---\nclaim: {yaml_string('The event happened ' + TEXT)}\nby: [ann-lee]\nstatus: supported\n"
        f"quote: {yaml_string('Quote ' + TEXT)}\nabout: [events/first-event]\nsources: [report]\n---\n\n{body}\n",
        "utf-8",
    )
    (content / "questions/open-question.md").write_text(
        f"---\nquestion: {yaml_string('Why ' + TEXT + '?')}\nabout: [events/first-event]\nsources: [report]\n"
        f"---\n\n{body}\n",
        "utf-8",
    )
    (content / "sources.yml").write_text(
        f"- id: report\n  title: {yaml_string('The report ' + TEXT)}\n  publisher: {yaml_string('Press ' + TEXT)}\n"
        f"  url: {yaml_string(BREAKOUT_URL + '><script>alert(1)</script>')}\n",
        "utf-8",
    )
    return project


def readings(value: str) -> set[str]:
    """How a browser might read a URL: references decoded (once and twice), controls gone, lowercase, %-decoded."""
    once = html.unescape(value)
    found = {CONTROLS.sub("", reading).lower() for reading in (value, once, html.unescape(once))}
    return found | {unquote(reading) for reading in found}


def unsafe_url(value: str) -> bool:
    for reading in readings(value):
        scheme = SCHEME.match(reading)
        if scheme is not None and scheme.group(1) not in SAFE_SCHEMES:
            return True
    return False


def own_script(script) -> bool:
    """The site's own scripts: structured data, the search page's Pagefind UI, and a card's height script."""
    if script.get("type") == "application/ld+json":
        return True
    if re.fullmatch(r"(\.\./)*static/embed\.[0-9a-f]+\.js", script.get("src") or ""):
        return True
    return (script.get("src") or "").endswith("pagefind-ui.js") or "new PagefindUI(" in (script.string or "")


def problems_in(markup: str, where: str) -> list[str]:
    """Live script in a piece of HTML: foreign <script>, on* handlers, URLs with unsafe schemes."""
    soup = BeautifulSoup(markup, "html.parser")
    found = [f"{where}: foreign script {s}" for s in soup.find_all("script") if not own_script(s)]
    for element in soup.find_all(True):
        for name, value in element.attrs.items():
            values = value if isinstance(value, list) else [value]
            if name.lower().startswith("on"):
                found.append(f"{where}: event handler {name} on <{element.name}>")
            elif name.lower() in URL_ATTRIBUTES and any(unsafe_url(v) for v in values):
                if element.name == "link" and element.get("rel") == ["icon"] and value == "data:,":
                    continue  # the theme's own empty favicon, which stops browsers asking for /favicon.ico
                found.append(f"{where}: <{element.name} {name}={value!r}>")
    return found


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    project = hostile_project(tmp_path_factory.mktemp("hostile"))
    return build(project).out


def test_every_payload_is_in_the_fixture():
    assert len(PAYLOADS) >= 30


def test_no_page_has_live_script_or_unsafe_url(hostile_site):
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > 5
    found = [
        problem
        for page in pages
        for problem in problems_in(page.read_text("utf-8"), str(page.relative_to(hostile_site)))
    ]
    assert found == []


def test_payloads_reached_the_pages_as_text(hostile_site):
    """The check above means something only if the hostile text is really on the pages."""
    event = BeautifulSoup((hostile_site / "events/first-event/index.html").read_text("utf-8"), "html.parser")
    assert "<script>alert(1)</script>" in event.get_text()  # shown, as text
    body = event.find("section", class_="body") or event
    assert len(body.find_all("a")) >= 30  # the Markdown links survive, minus their unsafe addresses


def test_timeline_json_bodies_hold_no_live_script(hostile_site):
    """TimelineJS shows each event's text as HTML: the converted body must be as safe as on the pages."""
    timeline = json.loads((hostile_site / "timeline.json").read_text("utf-8"))
    assert timeline["events"]
    found = [
        problem
        for event in timeline["events"]
        for problem in problems_in(event["text"]["text"], f"timeline.json {event['unique_id']} text")
    ]
    assert found == []


def test_timeline_json_plain_fields_are_escaped_for_timelinejs(hostile_site):
    timeline = json.loads((hostile_site / "timeline.json").read_text("utf-8"))
    fields = [timeline["title"]["text"]["headline"], timeline["title"]["text"]["text"]]
    for event in timeline["events"]:
        fields += [event["text"]["headline"], event.get("group", "")]
    assert [problem for field in fields for problem in problems_in(field, "timeline.json")] == []


def test_story_json_urls_are_http(hostile_site):
    story = json.loads((hostile_site / "story.json").read_text("utf-8"))
    urls = []

    def walk(value, key=""):
        if isinstance(value, dict):
            for name, item in value.items():
                walk(item, name)
        elif isinstance(value, list):
            for item in value:
                walk(item, key)
        elif isinstance(value, str) and (key in ("url", "href", "src", "image") or key.endswith("_url")):
            urls.append(value)

    walk(story)
    assert urls and not [url for url in urls if unsafe_url(url)]


def test_structured_data_cannot_close_its_script(hostile_site):
    """JSON-LD text must not hold '</script', '<script' or '<!--', which end or confuse the script element.

    structured_data.py escapes '</' only; another change is fixing '<!--' and '<script'. This test names
    what is still left, and is expected to pass once that change lands.
    """
    found = []
    for page in sorted(hostile_site.rglob("*.html")):
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        for script in soup.find_all("script", type="application/ld+json"):
            text = (script.string or "").lower()
            found += [
                f"{page.relative_to(hostile_site)}: {marker}"
                for marker in ("</script", "<script", "<!--")
                if marker in text
            ]
    if found:
        pytest.xfail(f"JSON-LD escaping (structured_data.py, another change): {found[:3]}")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " javascript:alert(1)",
        "\tjavascript:alert(1)",
        "java&#115;cript:alert(1)",
        "&#104;ttps://example.org/",
        "https&#58;//example.org/",
        "http&colon;//example.org/",
        "data:text/html,x",
        "//example.org/",
        "example.org",
        "https:/\\example.org",
        "HTTPS:",
        "mailto:a@example.org",
        "ftp://example.org/",
    ],
)
def test_links_maps_take_only_http_and_https(tmp_path, url):
    project = tmp_path / "story"
    shutil.copytree(BASE, project)
    person = project / "content/people/ann-lee.md"
    person.write_text(person.read_text("utf-8").replace("https://example.org/ann", yaml_string(url)), "utf-8")
    with pytest.raises(ContentError) as caught:
        build(project)
    assert any("is not an http or https address" in d.message for d in caught.value.diagnostics)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_each_payload_converts_to_harmless_html(payload):
    converted = MarkdownRenderer({}).convert(payload)
    assert problems_in(converted, payload) == []


@pytest.mark.parametrize(
    "raw",
    [
        "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>",
        '<a href="javascript:alert(1)">x</a>',
        '<div onclick="alert(1)">x</div>',
        "<p>\n<script>alert(1)</script>\n</p>",
    ],
)
def test_raw_html_is_shown_as_text_in_safe_mode(raw):
    soup = BeautifulSoup(MarkdownRenderer({}).convert(raw), "html.parser")
    assert soup.find(["img", "script", "div"]) is None
    assert all(a.get("href") is None for a in soup.find_all("a"))
    assert "alert(1)" in soup.get_text()


@pytest.mark.parametrize(
    "value, expected",
    [
        ("java&#115;cript:alert(1)", "javascript:alert(1)"),
        ("&#106avascript:", "javascript:"),
        ("?a=1&not=2", "?a=1&not=2"),  # in an attribute, '&not' before '=' is not a reference
        ("?a=1&not;", "?a=1\u00ac"),
        ("&notit;", "&notit;"),
        ("a&amp;b", "a&b"),
    ],
)
def test_attributes_decode_as_browsers_decode_them(value, expected):
    assert decode_attribute(value) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/a?b=1&c=2",
        "http://x",
        "mailto:a@example.org",
        "tel:+1555",
        "#fragment",
        "../people/x/index.html",
        "page.html?x=a:b",
        "a/b:c",
        "?q=javascript:x",
    ],
)
def test_safe_urls_are_kept(url):
    assert url_is_safe(url)


@pytest.mark.parametrize(
    "markdown, href",
    [
        ("[a](https://example.org/?a=1&amp;b=2)", "https://example.org/?a=1&b=2"),
        ("[a](https://example.org/?a=1&not=2)", "https://example.org/?a=1&not=2"),
        ("[a](page&#35;part)", "page#part"),
        ("[a](page&#35part)", "page#part"),  # written back decoded: what the browser gets is what was checked
    ],
)
def test_the_written_address_is_the_checked_one(markdown, href):
    anchor = BeautifulSoup(MarkdownRenderer({}).convert(markdown), "html.parser").find("a")
    assert anchor["href"] == href


def test_safe_links_keep_their_html_unchanged():
    """Ordinary links, and the obfuscated mailto of an <address@example.org>, come out as they always did."""
    renderer = MarkdownRenderer({})
    assert (
        renderer.convert('[a](https://example.org/?a=1&b=2 "Title")')
        == '<p><a href="https://example.org/?a=1&amp;b=2" title="Title">a</a></p>'
    )
    mail = renderer.convert("<a@example.org>")
    assert "&#109;&#97;&#105;&#108;&#116;&#111;&#58;" in mail  # "mailto:" as entities, as Python-Markdown writes it
