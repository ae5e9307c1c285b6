"""No body makes the build hang: each renders in near-linear time or is refused at the line to fix.

Python-Markdown's work grows with the square of some paragraphs (hours for 600 KB of "["). Each
pathological body below, some 200 KB, is timed against a normal body of the same size through the
same steps a build takes on a body (the wikilink scan, then the conversion and its pre-check): it
must cost at most a few times as much, and either convert or be refused naming its first line.
The measured growth of each pattern, before and after, is in the project notes (measure.py).
"""

from __future__ import annotations

import random
import re
import shutil
import time
from pathlib import Path

import markdown
import pytest
from bs4 import BeautifulSoup
from markdown.inlinepatterns import LinkInlineProcessor

from explainer.build import build, check
from explainer.diagnostics import ContentError, Span
from explainer.linker import find_wikilinks
from explainer.markdown_render import (
    BlockQueue,
    MarkdownRenderer,
    PathologicalMarkdownError,
    bracketed_text,
    markdown_problem,
)

SIZE = 200_000
RATIO = 10  # generous: the point is "not quadratic", not a benchmark
BASE = Path(__file__).resolve().parent / "broken" / "_base"
INTRO = "An ordinary opening paragraph, as a story starts.\n\nA second one, with a [[link]] in it.\n\n"
INTRO_LINES = INTRO.count("\n")


def rep(unit: str):
    return lambda size: unit * (size // len(unit))


def lines(unit: str):
    return lambda size: (unit + "\n") * (size // (len(unit) + 1))


def normal_body(size: int) -> str:
    """Realistic prose: paragraphs with links, emphasis and quotes, a list, a quote, a table and some code."""
    section = (
        "The council met on Tuesday and voted 5-2 to close the bridge, said [Ann Lee](https://example.org/ann) "
        "of the *Courier*. \"It's not safe,\" she said -- and the mayor's office agreed... mostly. See [[ann-lee]].\n\n"
        "- the inspection report, [published](https://example.org/report) in May;\n"
        "- the engineers' letter (**urgent**);\n- `bridge-7` in the city's records.\n\n"
        "> We were told nothing, wrote one resident & her neighbour.\n\n"
        "| Date | Event |\n|---|---|\n| 2 May | Inspection |\n| 9 May | Closure |\n\n"
        "```\nstatus: closed\n```\n\n"
    )
    return (section * (size // len(section) + 1))[:size].rsplit("\n\n", 1)[0] + "\n"


# name -> (body of about `size` characters, the line a refusal must name (where the costly run starts),
# or None for text that is merely unusual and must convert)
PATTERNS = {
    "unmatched [": (rep("[ "), 0),
    "unmatched [[": (rep("[[ "), 0),
    "unmatched ![": (rep("![ "), 0),
    "nested [": (lambda size: "[" * (size // 2) + "]" * (size // 2), 0),
    "unclosed ](": (rep("[x]( "), 0),
    "unclosed ](<": (rep("[x](<"), 0),
    "many []( ": (rep("[]("), 0),
    "backticks shrinking": (lambda size: "".join("`" * n + " " for n in range(int((2 * size) ** 0.5), 0, -1)), 0),
    "escaped backticks": (rep("\\`` "), 0),
    "backticks and pipes": (rep("`a` |"), 0),
    "quotes": (rep("'a "), 0),
    "emphasis": (rep("*a* "), 0),
    "escapes": (rep("\\* "), 0),
    "entities": (rep("&amp; "), 0),
    "ampersands": (rep("&"), 0),
    "angle brackets": (rep("<a "), 0),
    "hard breaks": (lines("a  "), 0),
    "ellipses and dashes": (rep("... -- "), 0),
    "headings": (lines("# a"), 0),
    "setext headings": (lines("a\n="), 0),
    "rules": (lines("* * *"), 0),
    "wide table": (lambda size: "".join(cell * (size // 6) + "|\n" for cell in ("|a", "|-", "|b")), 0),
    "long table": (lambda size: "|a|b|\n|-|-|\n" + "|c|'|\n" * (size // 6), None),
    "tight list": (lines("- an item"), None),
    "lazy list lines": (lambda size: "- item\n" + "lazy line\n" * (size // 10), None),
    "quotes nested inline": (lambda size: "> " * (size // 2) + "x", 0),
    "lists nested inline": (lambda size: "- " * (size // 2) + "x", 0),
    "quotes nested by line": (lambda size: "".join(">" * n + " x\n" for n in range(1, 200)), 100),
    "lists nested by indent": (lambda size: "".join("  " * n + "- x\n" for n in range(300)), 201),
    "fenced blocks": (lines("```\nx\n```"), 0),
    "unclosed fences": (lambda size: "````\n" + "```a\n" * (size // 5), 0),
    "tiny paragraphs": (lines("'\n"), None),
    "blank lines": (lambda size: "\n" * size, None),
    "one long line": (rep("word "), None),
    "one long word": (lambda size: "a" * size, None),
    "reference definitions": (
        lambda size: "".join(f"[r{n}]: https://example.org/{n}\n" for n in range(size // 32)),
        None,
    ),
    "definitions between lines": (
        lambda size: "".join(f"[r{n}]: https://example.org/{n}\ntext {n}\n" for n in range(size // 40)),
        0,
    ),
    "indented code": (lambda size: "text\n\n" + "    [ ` * code [[x]]\n" * (size // 22), None),
}


def timed(body: str) -> tuple[float, PathologicalMarkdownError | None]:
    """What a build does with one body: scan its wikilinks, then convert it (pre-check included)."""
    started = time.perf_counter()
    find_wikilinks.__wrapped__(body, Span(Path("body.md"), 1, 1))  # not the cached one: time the scan itself
    try:
        MarkdownRenderer({}).convert(body)
        refused = None
    except PathologicalMarkdownError as problem:
        refused = problem
    return time.perf_counter() - started, refused


@pytest.fixture(scope="module")
def normal_time() -> float:
    body = normal_body(SIZE)
    times = [timed(body) for _ in range(2)]
    assert all(refused is None for _, refused in times), "a normal body must never be refused"
    return max(seconds for seconds, _ in times)


@pytest.mark.parametrize("name", PATTERNS)
def test_pathological_body_converts_quickly_or_is_refused_at_its_line(name, normal_time):
    make, line = PATTERNS[name]
    body = INTRO + make(SIZE)
    seconds, refused = timed(body)
    if seconds > RATIO * normal_time:  # measured once more: a busy neighbour can stall one run
        seconds = min(seconds, timed(body)[0])
    assert seconds <= RATIO * normal_time, f"{name}: {seconds:.1f} s against {normal_time:.1f} s for a normal body"
    if line is None:
        assert refused is None, f"{name} should convert, but: {refused}"
    elif refused is not None:  # or it converted, in time
        assert refused.line_offset == INTRO_LINES + line, f"{name}: {refused}"
        assert refused.column >= 1 and refused.message and refused.hint


def test_the_refusal_says_what_and_how():
    problem = markdown_problem("Intro.\n\n" + "[ " * 8000)
    assert problem == (
        2,
        1,
        "this paragraph has 8,000 '[' with no matching ']'",
        "write \\[ for a literal bracket, or split the paragraph with blank lines",
    )


def test_the_refusal_column_counts_characters_as_written():
    line, column, _message, _hint = markdown_problem("Intro.\n\na\tb [x]( " + "[x]( " * 60_000)
    assert (line, column) == (2, 8)  # at the first "(": the tab is one character, though Markdown reads three spaces


def test_the_quick_bound_is_never_below_the_blocks_rough_costs():
    """A body within the quick bound is passed without a look at its blocks, so the bound must hold for any text."""
    from explainer.markdown_render import _blocks, _bound_of_rough_costs, _rough_cost

    rng = random.Random(17)
    alphabet = "[]()`|*_<>&'\"-.#=:\n\n\n    \tab1"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400))) for _ in range(3000)]
    texts += ["```\ncode\n```\n\n| a | b |\n|---|---|\n\n# Head\n[x]: https://e.org\n- a\n  b\n" * 3]
    for text in texts:
        text = text.expandtabs(4)
        rough = sum(_rough_cost(text, start, end) for start, end in _blocks(text))
        assert _bound_of_rough_costs(text) >= rough, repr(text)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(normal_body(600_000), id="normal prose"),
        pytest.param("Intro with [brackets] and [[wikilinks]].\n\n" * 10_000, id="many short paragraphs"),
        pytest.param("- item with *emphasis*\n" * 20_000, id="a long list"),
        pytest.param("```\n" + "[ [ [ ` * _ < &\n" * 30_000 + "```\n", id="marks in code"),  # never scanned
        pytest.param("| a | b |\n|---|---|\n" + "| [x](https://example.org) | `code` |\n" * 10_000, id="a long table"),
    ],
)
def test_large_ordinary_bodies_are_not_refused(body):
    assert markdown_problem(body) is None


def test_the_pre_check_is_linear():
    """Its own time grows with the body, not its square (the budget is generous against noise)."""
    small, large = "[ " * 25_000, "[ " * 100_000
    started = time.perf_counter()
    markdown_problem(small)
    small_time = time.perf_counter() - started
    started = time.perf_counter()
    markdown_problem(large)
    assert time.perf_counter() - started < 12 * max(small_time, 0.01)  # 4 times the size


@pytest.mark.parametrize("yaml_body", [False, True])
def test_check_reports_the_body_at_its_file_line_and_column(tmp_path, yaml_body):
    project = tmp_path / "story"
    shutil.copytree(BASE, project)
    hostile = "Fine.\n\nStill fine, then:\n" + "[ " * 20_000 + "\n"
    if yaml_body:
        path = project / "content/people.yml"
        indented = "".join(f"    {line}\n" if line else "\n" for line in hostile.split("\n"))
        path.write_text(path.read_text("utf-8") + "- name: Cara\n  role: Witness\n  body: |\n" + indented, "utf-8")
    else:
        path = project / "content/events/first-event.md"
        path.write_text(path.read_text("utf-8") + "\n" + hostile, "utf-8")
    text = path.read_text("utf-8")
    before = text[: text.index("[ [")]
    line, column = before.count("\n") + 1, len(before) - before.rfind("\n")  # where the first '[' stands
    with pytest.raises(ContentError) as caught:
        check(project)
    (problem,) = [d for d in caught.value.diagnostics if "with no matching ']'" in d.message]
    assert (problem.span.path.resolve(), problem.span.line, problem.span.column) == (path.resolve(), line, column)
    assert "write \\[" in (problem.hint or "")


# --- The wikilink scan: linear, and blind to exactly what Markdown shows as code ---


class Target:
    """Just what WikiLinkProcessor reads from an entry."""

    def __init__(self, slug: str):
        self.path, self.title = f"people/{slug}/", slug


CODE_AND_LINKS = [
    "para\n\n    [[in-code]] indented code\n\nafter [[outside]]",
    "    [[in-code]] at the very start\n\n[[outside]]",
    "# Heading\n    [[in-code]] right after a heading",
    "text\n\n\t[[in-code]] after a tab",
    "- item\n\n    continued paragraph with [[outside]]\n",
    "- item\n\n    continued [[outside]]\n\n    again [[outside-two]]\n\npara\n\n    [[in-code]]",
    "para\n    [[outside]] lazily continued",
    "```\n[[in-code]]\n```\n[[outside]]",
    "~~~~\n[[in-code]]\n~~~\n[[in-code-two]]\n~~~~\n[[outside]]",
    "`[[in-code]]` and [[outside]] and ``[[in-code-two]] ` `` and \\`[[outside-two]]`",
    "```[[in-code]]`` and [[outside]]",
    "> quoted [[outside]]\n\n    [[in-code]]",
    "1. one\n2. two\n\n    [[outside]] continues item two",
]


@pytest.mark.parametrize("body", CODE_AND_LINKS)
def test_the_scan_finds_exactly_the_wikilinks_markdown_links(body):
    found = [target for target, _shown, _span in find_wikilinks(body, Span(Path("body.md"), 1, 1))]
    names = ["in-code", "in-code-two", "outside", "outside-two"]
    linked = MarkdownRenderer({name: Target(name) for name in names}).convert(body)
    assert sorted(found) == sorted(re.findall(r'class="wikilink"[^>]*>([^<]*)<', linked))
    assert not [name for name in found if name.startswith("in-code")]


def test_a_wikilink_in_indented_code_is_shown_literally_and_not_resolved(tmp_path):
    project = tmp_path / "story"
    shutil.copytree(BASE, project)
    story = project / "content/story.md"
    story.write_text(
        story.read_text("utf-8") + "\n\nAn example of the syntax:\n\n    [[x]] links to x\n\n"
        "- A list item\n\n    whose second paragraph names [[first-event]].\n",
        "utf-8",
    )
    out = build(project, tmp_path / "site").out  # no "[[x]] does not match any entry"
    page = BeautifulSoup((out / "index.html").read_text("utf-8"), "html.parser")
    code = [pre.get_text() for pre in page.select("pre > code")]
    assert "[[x]] links to x\n" in code
    item = next(li for li in page.find_all("li") if "second paragraph" in li.get_text())
    assert item.find("a", class_="wikilink")["href"] == "events/first-event/index.html"


def test_the_scan_reports_positions_in_linear_time():
    many = "[[a]] " * 50_000  # each position used to be counted from the start: quadratic
    started = time.perf_counter()
    links = find_wikilinks.__wrapped__(many + "\n" + many, Span(Path("body.md"), 3, 1))
    assert time.perf_counter() - started < 5
    assert links[-1][2] == Span(Path("body.md"), 4, 6 * 49_999 + 3)


# --- The faster stages change no output ---

TOKENS = [
    "a",
    "b c",
    " ",
    "\n",
    "\n\n",
    "- ",
    "1. ",
    "> ",
    "    ",
    "\t",
    "*",
    "**",
    "_",
    "`",
    "``",
    "[",
    "]",
    "(",
    ")",
    "[[x]]",
    "[a](b)",
    "![i](s)",
    "<",
    ">",
    "&",
    "&amp;",
    "\\",
    "'",
    '"',
    "...",
    "--",
    "  \n",
    "# ",
    "|",
    "|-|",
    "```\n",
    "~~~\n",
    "<div>",
    "http://x.y",
    "<http://a>",
    "<a@b.c>",
    "[r]: http://r\n",
    "[r]",
    "---\n",
    "=\n",
]


def stock_renderer(unsafe_html: bool) -> MarkdownRenderer:
    """Our renderer with Python-Markdown's own inline stage and block list put back.

    (smarty's rules run in our typographer, compared with smarty's own stage in test_typography.py.)"""
    renderer = MarkdownRenderer({}, unsafe_html)
    stock = markdown.treeprocessors.InlineProcessor(renderer.md)
    stock.inlinePatterns = renderer.md.treeprocessors["inline"].inlinePatterns
    renderer.md.treeprocessors.register(stock, "inline", 20)
    del renderer.md.parser.parseChunk  # the class's own method again
    for pattern in renderer.md.inlinePatterns:
        if isinstance(pattern, LinkInlineProcessor):
            del pattern.getText  # likewise
    assert type(renderer.md.treeprocessors["inline"]) is markdown.treeprocessors.InlineProcessor
    return renderer


@pytest.mark.parametrize("unsafe_html", [False, True])
def test_linear_stages_write_exactly_what_the_stock_ones_write(unsafe_html):
    bodies = [path.read_text("utf-8") for path in sorted((BASE.parent.parent.parent / "docs").glob("*.md"))]
    bodies += [normal_body(20_000), *CODE_AND_LINKS]
    generator = random.Random(7)
    bodies += ["".join(generator.choice(TOKENS) for _ in range(generator.randint(1, 120))) for _ in range(400)]
    ours, stock = MarkdownRenderer({}, unsafe_html), stock_renderer(unsafe_html)
    assert [ours.convert(body) for body in bodies] == [stock.convert(body) for body in bodies]


def test_bracketed_text_is_what_python_markdown_finds():
    stock = LinkInlineProcessor(markdown.inlinepatterns.LINK_RE, markdown.Markdown())
    generator = random.Random(11)
    texts = ["".join(generator.choice("[]ab\\(") for _ in range(generator.randint(0, 40))) for _ in range(3000)]
    for text in [*texts, "", "[", "]", "a]b", "[[x]]]"]:
        for index in range(len(text) + 2):
            assert bracketed_text(text, index) == stock.getText(text, index), (text, index)


def test_the_block_queue_behaves_like_a_list():
    queue, plain = BlockQueue(["a", "b", "c"]), ["a", "b", "c"]
    for items in (queue, plain):
        items.insert(0, "z")
        items.insert(2, "y")
        items.insert(-1, "x")
        items.insert(99, "w")
    assert list(queue) == plain and len(queue) == len(plain) and queue[0] == plain[0] and queue[-1] == plain[-1]
    assert [queue.pop(0), queue.pop(), queue.pop(1)] == [plain.pop(0), plain.pop(), plain.pop(1)]
    assert list(queue) == plain
