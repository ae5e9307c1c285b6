"""Curly quotes, dashes and ellipses come out exactly as Python-Markdown's smarty extension wrote them.

Our typographer (explainer/typography.py) replaced smarty's own inline stage for speed (issue 17). Every
text here is converted twice, by the renderer a build uses and by the same renderer with smarty's stock
stage in place of the typographer, and the HTML must be the same byte for byte: the bundled story, every
fixture, generated stories, the project's documentation, a corpus of hard cases in the four shipped
languages, and random strings of quotes, dashes, dots, spaces, letters and Markdown marks.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import markdown
import pytest
from conftest import FIXTURES, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown.extensions.smarty import SubstituteTextPattern
from markdown.treeprocessors import InlineProcessor

from explainer.diagnostics import Diagnostics
from explainer.i18n import SHIPPED_LANGUAGES, load_language
from explainer.linker import link
from explainer.markdown_render import MarkdownRenderer
from explainer.reader import read_project
from explainer.render import default_theme
from explainer.typography import Typographer

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate

QUOTES = {tag: load_language(tag, [default_theme()]).quotes() for tag in SHIPPED_LANGUAGES}


@contextmanager
def smarty_kept():
    with mock.patch.object(Typographer, "replace", classmethod(lambda cls, md: None)):
        yield


def smarty_renderer(targets: dict, unsafe_html: bool = False, quotes: tuple[str, str] = QUOTES["en"]):
    """The renderer as it was before the typographer: smarty's stock inline stage (for this test only)."""
    with smarty_kept():
        renderer = MarkdownRenderer(targets, unsafe_html, quotes)
    stock = InlineProcessor(renderer.md)
    stock.inlinePatterns = renderer.md.treeprocessors["smarty"].inlinePatterns
    renderer.md.treeprocessors.register(stock, "smarty", 6)
    assert "typography" not in renderer.md.treeprocessors
    return renderer


def pair(targets: dict, unsafe_html: bool = False, quotes: tuple[str, str] = QUOTES["en"]):
    ours = MarkdownRenderer(targets, unsafe_html, quotes)
    assert "typography" in ours.md.treeprocessors and "smarty" not in ours.md.treeprocessors
    return ours, smarty_renderer(targets, unsafe_html, quotes)


def assert_same(texts: list[str], targets: dict | None = None, unsafe_html: bool = False, quotes=QUOTES["en"]):
    ours, smarty = pair(targets or {}, unsafe_html, quotes)
    for text in texts:
        assert ours.convert(text) == smarty.convert(text), text


def story_texts(project: Path) -> tuple[list[str], dict]:
    """A project's Markdown texts (bodies, key points, corrections, notes, answers, updates) and link targets."""
    diagnostics = Diagnostics()
    content = read_project(project, diagnostics)
    linked = link(content, diagnostics)
    items = [item for item in [content.story, *content.all_entries()] if item is not None]
    texts = [item.body for item in items if item.body.strip()]
    texts += [snippet.text for item in items for snippet in item.snippets()]
    texts += [update.summary.text for update in content.updates]
    return texts, linked.wikilinks


PROJECTS = {"bundled": ROOT, **{path.name: path for path in sorted(FIXTURES.iterdir()) if path.is_dir()}}


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_every_story_we_ship_and_test_reads_the_same(name):
    texts, targets = story_texts(PROJECTS[name])
    assert texts
    for quotes in QUOTES.values():
        for unsafe_html in (False, True):
            assert_same(texts, targets, unsafe_html, quotes)


@pytest.mark.parametrize(("entries", "seed"), [(2000, 1), (300, 2), (100, 3)])
def test_generated_stories_read_the_same(tmp_path, entries, seed):
    generate(entries, tmp_path / "story", seed)
    texts, targets = story_texts(tmp_path / "story")
    assert len(texts) > entries
    assert_same(texts, targets)
    assert_same(texts[:200], targets, quotes=QUOTES["fr"])


def test_the_documentation_reads_the_same():
    texts = [path.read_text("utf-8") for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]]
    for unsafe_html in (False, True):
        assert_same(texts, unsafe_html=unsafe_html)


HARD_CASES = [
    # quotes next to punctuation, at the start and end of a text
    '"Hello," she said. "Goodbye."',
    "\"Yes!\" 'No?' \"Well...\" '(aside)'",
    '"',
    "'",
    '""',
    "''",
    "\"'",
    "'\"",
    '"\'"',
    'a""b',
    "a''b",
    '",", \'.\' "." "?" ";"',
    "\"'Quoted' words in a larger quote.\"",
    "'\"Quoted\" words,' he said.",
    "He said, \"'Quoted' words.\" '\"Double\" inside.'",
    "\"nested 'single' quotes\" and 'nested \"double\" quotes'",
    # apostrophes, contractions, decades, possessives
    "It's the crew's gun; they'd've known. Don't, won't, y'all, rock 'n' roll.",
    "In the '90s and the '20s, not the 1990's; '80s-style '70s'.",
    "'Tis the season, 'twas said; the Joneses' house; James' car.",
    "l'été, dell'arte, Ann's naïve café's 'Ünïcödé' „x“ «y»",
    "Baldwin's, Hutchins’s, O'Neill 'Souza' 'a' 'ab' '1' '12s' '123'",
    # dashes and ellipses
    'a--b a---b a----b a-----b -- --- ---- - -a- --"x" ---"x" "x"-- "x"---',
    'wait... wait.... wait.. ... .... ..... \'...\' "..." ..."x" x"...',
    "2020--2021, pages 10--12, then---suddenly---silence.",
    'quote after a dash:--"word" —"word" –\'word\' &mdash;"word" &ndash;\'word\' &#8212;"x" &#8211;\'x\'',
    '&nbsp;"x" &nbsp;\'x\' \u00a0"x" \u2009\'x\' \t"tab"',
    # backslash escapes and entities
    '\\"not curly\\" and \\\'not curly\\\' but "curly"',
    '\\-- \\--- \\... -\\- .\\.. \\\\"x\\\\"',
    "&ldquo;already&rdquo; &amp; &quot;x&quot; &#39;y&#39; AT&T's &copy;'s &x\" &#\"",
    # inside emphasis, links, code, wikilinks and raw HTML
    '"*emphasised*" *"inside"* **"strong"** _\'under\'_ "hi *there*" "*hi*". *"a"*b',
    '"[a link](http://example.com "it\'s a title")" [it\'s "here"](http://x.y/it\'s) ![it\'s "alt"](i.png "t\'s")',
    '"`code`" `"code"` ``it\'s -- ...`` "`x`"s',
    '"[[Alec Baldwin]]" [[Alec Baldwin|Baldwin\'s "gun"]] [[people/alec-baldwin]]\'s "[[missing]]"',
    '<span title="it\'s">"raw"</span> <b>\'x\'</b> "<i>x</i>" <!-- "comment" --> <http://a.b/it\'s>',
    '    code block with "quotes" -- and ... dots\n\nafter',
    '```\nfenced "code" -- ...\n```\n\n"after"',
    # paragraph and line starts, headings, tables, lists, quotes
    '"First line\n"second line\n\'third',
    '# "Heading" it\'s\n\n## \'Second\' -- heading...\n\nHeading "setext"\n---',
    '| "a" | \'b\' |\n| --- | --- |\n| it\'s | "c"... |\n| -- | --- |',
    "- \"item\"\n- 'item'\n- it's -- ok...\n\n1. \"one\"\n2. 'two'",
    '> "quoted"\n> it\'s\n>\n> > \'nested\' -- "deep"',
    '*"a"*\n\n"b\n\n\'c',
    '"a"  \n"b" (hard break)',
    "line ending in a quote\"\nline ending in an apostrophe'\n",
    # what smarty leaves alone
    "<<angled>> << >> -> <- =>",
    "'single' “already curly” ‘already’ ″ ′ ` ´",
]


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
@pytest.mark.parametrize("unsafe_html", [False, True])
def test_hard_cases_read_the_same(language, unsafe_html, bundled_targets):
    assert_same(HARD_CASES, bundled_targets, unsafe_html, QUOTES[language])
    assert_same(["\n\n".join(HARD_CASES)], bundled_targets, unsafe_html, QUOTES[language])


@pytest.fixture(scope="module")
def bundled_targets():
    return story_texts(ROOT)[1]


PIECES = list("'\"-. \naAé1s*_`[]()<>&\\|#!,;:?") + [
    "--",
    "---",
    "...",
    "'s",
    "'90s",
    "&mdash;",
    "&nbsp;",
    "&amp;",
    "\u00a0",
    "—",
    "–",
    "\n\n",
    "\n> ",
    "\n- ",
    "\n    ",
    "[[x]]",
    "*a*",
    "`c`",
    "[l](u)",
    "<b>",
]
FUZZ = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RENDERERS = {
    (language, unsafe_html): pair({}, unsafe_html, QUOTES[language])
    for language in ("en", "fr")
    for unsafe_html in (False, True)
}


@FUZZ
@given(
    text=st.lists(st.sampled_from(PIECES), min_size=1, max_size=24).map("".join),
    setting=st.sampled_from(sorted(RENDERERS)),
)
def test_random_strings_read_the_same(text, setting):
    ours, smarty = RENDERERS[setting]
    assert ours.convert(text) == smarty.convert(text)


@pytest.mark.parametrize(
    "quotes",
    [("<q>", "</q>"), ("&quot;", "&quot;"), ('"', '"'), ("'", "'"), ("", ""), ("&", "&amp"), ("1;", ";"), ("x", "...")],
)
def test_any_quotation_marks_a_theme_translates_read_the_same(quotes):
    """A project's theme may translate the marks to anything; those the serializer would change are stashed."""
    for unsafe_html in (False, True):
        assert_same(HARD_CASES + ['a &#"x" &amp\'x\' &#1"2;'], unsafe_html=unsafe_html, quotes=quotes)


def test_every_option_of_smarty_reads_the_same():
    """The typographer follows the extension's own rules, whatever its options (angled quotes too)."""
    for config in [{"smart_angled_quotes": True}, {"smart_quotes": False}, {"smart_dashes": False}, {}]:
        stock = markdown.Markdown(extensions=["smarty"], extension_configs={"smarty": config})
        ours = markdown.Markdown(extensions=["smarty"], extension_configs={"smarty": config})
        Typographer.replace(ours)
        assert "smarty" not in ours.treeprocessors
        for text in [*HARD_CASES, "<<a>> <<\"b\">> >>'c'<<"]:
            stock.reset()
            ours.reset()
            assert ours.convert(text) == stock.convert(text), (config, text)


def test_a_rule_the_typographer_does_not_know_keeps_smartys_stage():
    """Another Python-Markdown might add a rule: then smarty's own stage stays, and still writes the marks."""
    md = markdown.Markdown(extensions=["smarty"])
    md.treeprocessors["smarty"].inlinePatterns.register(SubstituteTextPattern(r"\(c\)", ("&copy;",), md), "copy", 5)
    Typographer.replace(md)
    assert "smarty" in md.treeprocessors and "typography" not in md.treeprocessors
    assert md.convert('"a" (c) it\'s') == "<p>&ldquo;a&rdquo; &copy; it&rsquo;s</p>"


def test_what_smarty_gets_wrong_is_kept():
    """Intended sameness: smarty decides each text between two inline elements on its own, so a quote
    after emphasis or a link at the end of a text opens instead of closing, and a quote before '...'
    closes; a leading apostrophe opens. Our typographer writes these exactly as smarty did."""
    ours = MarkdownRenderer({})
    assert ours.convert('"hi *there*"') == "<p>&ldquo;hi <em>there</em>&ldquo;</p>"
    assert ours.convert('"..."') == "<p>&rdquo;&hellip;&rdquo;</p>"
    assert ours.convert("'Tis") == "<p>&lsquo;Tis</p>"


def test_marks_are_written_in_the_sites_language():
    german, french = MarkdownRenderer({}, quotes=QUOTES["de"]), MarkdownRenderer({}, quotes=QUOTES["fr"])
    assert german.convert('Er sagte "ja" -- und ging...') == "<p>Er sagte „ja“ &ndash; und ging&hellip;</p>"
    assert french.convert('Il a dit "oui" et c\'est tout.') == "<p>Il a dit «\u00a0oui\u00a0» et c&rsquo;est tout.</p>"
