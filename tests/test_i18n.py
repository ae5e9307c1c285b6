"""The site in its readers' language: complete catalogs, the theme's words, dates, quotes and search in the
language, and a project that adds a language or changes one word from its theme folder."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from conftest import FIXTURES, ROOT, BuiltSite, built_site

from explainer.build import build
from explainer.i18n import SHIPPED_LANGUAGES

LOCALE = ROOT / "themes" / "default" / "locale"
GERMAN = FIXTURES / "german"


def extracted() -> dict[str, tuple[str, ...]]:
    """Every message the theme and the build ask for, as ``pybabel extract -F babel.cfg`` finds them."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: dict[str, tuple[str, ...]] = {}
    for _filename, _line, message, _comments, _context in extract_from_dir(str(ROOT), method_map, options_map):
        forms = (message,) if isinstance(message, str) else tuple(message)
        found[forms[0]] = forms
    return found


def catalog(language: str):
    with (LOCALE / language / "LC_MESSAGES" / "messages.po").open("rb") as stream:
        return read_po(stream)


@pytest.fixture(scope="module")
def messages() -> dict[str, tuple[str, ...]]:
    return extracted()


def test_extraction_finds_the_theme_and_the_builds_words(messages):
    assert len(messages) > 150
    for expected in ("Sources", "Latest updates", "Skip to content", "Not given", "%(num)s week later", "Kind"):
        assert expected in messages, expected


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_a_shipped_catalog_translates_every_message(language, messages):
    """A message the code asks for and a catalog lacks, leaves empty or marks fuzzy fails here, by name."""
    found = catalog(language)
    missing = [msgid for msgid in messages if found.get(msgid) is None]
    assert not missing, f"{language}: not in the catalog (run pybabel update, then translate): {missing}"
    untranslated, fuzzy = [], []
    for msgid in messages:
        message = found.get(msgid)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(msgid)
        if message.fuzzy:
            fuzzy.append(msgid)
    assert not untranslated, f"{language}: untranslated: {untranslated}"
    assert not fuzzy, f"{language}: fuzzy: {fuzzy}"
    problems = [(message.id, errors) for message, errors in found.check()]
    assert not problems, f"{language}: placeholders that do not match: {problems}"
    obsolete = [m.id for m in found if m.id and (m.id if isinstance(m.id, str) else m.id[0]) not in messages]
    assert not obsolete, f"{language}: messages nothing asks for any more: {obsolete}"


def test_the_template_for_translators_is_current(messages):
    """``messages.pot`` is what a newsroom translates from: it holds exactly what the code asks for."""
    with (LOCALE / "messages.pot").open("rb") as stream:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(stream) if m.id}
    assert template == set(messages), "run the pybabel extract command in babel.cfg"


# --- a German story ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def german(tmp_path_factory) -> BuiltSite:
    return built_site(tmp_path_factory, GERMAN, "german")


def visible_text(site: BuiltSite, page: str) -> str:
    soup = copy.copy(site.soup(page))  # the site's parsed page is shared: leave its scripts in it
    for hidden in soup(["script", "style"]):
        hidden.decompose()
    return soup.get_text(" ", strip=True)


# The theme's words in English, which a German page must not show (the fixture's content is German).
ENGLISH_WORDS = (
    "Skip to content",
    "Story",
    "People",
    "Timeline",
    "Claims",
    "Questions",
    "Sources",
    "Search",
    "Published",
    "Updated",
    "Corrections",
    "Open data",
    "Latest updates",
    "What we know",
    "What happened",
    "Key people",
    "Key events",
    "Open questions",
    "All updates",
    "Made by",
    "When",
    "Context",
    "Background",
    "The answer",
    "Still open",
    "Answered",
    "later",
    "says",
    "Mentioned in",
    "Page not found",
)


def test_a_german_story_shows_no_english_navigation_or_labels(german):
    for page in german.pages():
        text = visible_text(german, page)
        nav = [a.get_text(strip=True) for a in german.soup(page).select("nav a, .skip-link")]
        assert "Story" not in nav and "People" not in nav and "Sources" not in nav, (page, nav)
        for word in ENGLISH_WORDS:
            assert not re.search(rf"\b{re.escape(word)}\b", text), f"{page} shows English '{word}'"
        assert german.soup(page).html["lang"] == "de"


def test_a_german_story_writes_dates_and_quotes_in_german(german):
    story = visible_text(german, "index.html")
    assert "23. März 2021" in story
    assert "„Vorsichtsmaßnahme“" in german.soup("index.html").find(class_="body").get_text()
    event = visible_text(german, "events/sanierung-beraten/index.html")
    assert "Mai 2021" in event and "Juni 2021" in event
    claim = german.soup("claims/bruecke-sicher/index.html")
    assert claim.title.get_text().startswith("Mara Klein sagt: Die Brücke war bis zur Sperrung sicher.")
    assert claim.find("blockquote").get_text(strip=True) == "Niemand war je in Gefahr"
    assert "Mara Klein sagt" in visible_text(german, "claims/index.html")
    assert "Jonas Berg und Anwohnerinitiative Hafen sagen" in visible_text(german, "claims/index.html")


def test_a_house_verdict_shows_its_own_words_on_a_german_claim_page(german):
    text = visible_text(german, "claims/sanierung-teurer/index.html")
    assert "Irreführend" in text and "Teilweise richtig, erweckt aber einen falschen Eindruck." in text
    index = visible_text(german, "claims/index.html")
    assert "Umstritten" in index and "Belegt" in index  # the built-in words, in German


def test_shares_of_a_german_story_show_built_images(german):
    """The story, a claim and a person each name a built 1200×630 PNG, described in German."""
    from PIL import Image

    base_url = "https://zeitung.example.org/erklaert/bruecke/"
    for page in ("index.html", "claims/bruecke-sicher/index.html", "people/mara-klein/index.html"):
        soup = german.soup(page)
        image = soup.find("meta", property="og:image")["content"]
        assert image.startswith(base_url)
        with Image.open(german.out / image.removeprefix(base_url)) as png:
            assert png.format == "PNG" and png.size == (1200, 630)
    alt = german.soup("claims/bruecke-sicher/index.html").find("meta", property="og:image:alt")["content"]
    assert "Mara Klein sagt:" in alt and "Unsere Bewertung: Umstritten" in alt


def test_a_german_story_has_german_feeds_data_and_search(german):
    feed = (german.out / "feed.xml").read_text("utf-8")
    assert 'xml:lang="de"' in feed and "Korrektur" in feed
    scripts = [script.get_text() for script in german.soup("search/index.html").find_all("script")]
    search = next(script for script in scripts if "PagefindUI" in script)
    words = json.loads(re.search(r"translations: (\{.*?\}),\n", search).group(1))
    assert words["placeholder"] == "Suche" and "[SEARCH_TERM]" in words["zero_results"]
    assert re.search(r'openFilters: \["Art"\]', search)
    event = german.soup("events/die-brucke-wird-gesperrt/index.html")
    assert event.find("main")["data-pagefind-filter"] == "Art:Ereignisse"
    timeline = json.loads((german.out / "timeline.json").read_text("utf-8"))
    first = timeline["events"][0]
    assert first["start_date"]["display_date"] == "23. März 2021" and "Weiterlesen" in first["text"]["text"]


# --- a project's own words ---------------------------------------------------------------------------


def quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def write_po(path: Path, language: str, entries: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ['msgid ""', 'msgstr ""', f'"Language: {language}\\n"', '"Content-Type: text/plain; charset=utf-8\\n"', ""]
    for msgid, msgstr in entries.items():
        lines += [
            f"msgid {json.dumps(msgid, ensure_ascii=False)}",
            f"msgstr {json.dumps(msgstr, ensure_ascii=False)}",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")


def copy_german(tmp_path: Path, language: str | None = None) -> Path:
    project = tmp_path / "project"
    shutil.copytree(GERMAN, project)
    config = project / "explainer.yml"
    text = config.read_text("utf-8").replace("\nlanguage: de", f"\nlanguage: {language}" if language else "")
    config.write_text(text + "theme: haus\n", encoding="utf-8")
    (project / "haus").mkdir()
    return project


def test_a_project_overrides_one_word_and_keeps_the_rest(tmp_path):
    project = copy_german(tmp_path, "de")
    write_po(project / "haus/locale/de/LC_MESSAGES/messages.po", "de", {"Sources": "Quellenangaben"})
    out = tmp_path / "site"
    build(project, out)
    site = BuiltSite(out)
    nav = [a.get_text(strip=True) for a in site.soup("index.html").select(".site-nav a")]
    assert "Quellenangaben" in nav and "Chronik" in nav


def test_a_project_adds_a_language(tmp_path):
    project = copy_german(tmp_path, "pt-BR")
    write_po(project / "haus/locale/pt/LC_MESSAGES/messages.po", "pt", {"Sources": "Fontes", "Timeline": "Cronologia"})
    out = tmp_path / "site"
    build(project, out)
    site = BuiltSite(out)
    nav = [a.get_text(strip=True) for a in site.soup("index.html").select(".site-nav a")]
    assert "Fontes" in nav and "Cronologia" in nav and "People" in nav  # what it does not translate stays English
    assert "23 de março de 2021" in visible_text(site, "index.html")  # Babel knows Brazilian Portuguese dates
    assert site.soup("index.html").html["lang"] == "pt-BR"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "explainer", *args], capture_output=True, text=True, check=False)


def test_a_language_nobody_translates_is_a_warning_that_says_what_to_add(tmp_path):
    project = copy_german(tmp_path, "nl")
    result = run("check", str(project))
    assert result.returncode == 0
    assert re.search(r"explainer\.yml:\d+:\d+: warning: no theme translates 'nl'", result.stderr)
    assert "locale/nl/LC_MESSAGES/messages.po" in result.stderr


def test_a_broken_translation_is_an_error_at_its_line_and_loses_nothing(tmp_path):
    project = copy_german(tmp_path, "de")
    po = project / "haus/locale/de/LC_MESSAGES/messages.po"
    write_po(po, "de", {"Sources": "Quellen"})
    out = tmp_path / "site"
    build(project, out)  # a good build first
    before = (out / "index.html").read_bytes()
    write_po(po, "de", {"Sources": "Quellenangaben", "Published %(date)s": "Veröffentlicht %(datum)s"})
    result = run("build", str(project), "--out", str(out))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    line = po.read_text("utf-8").splitlines().index('msgid "Published %(date)s"') + 1
    assert re.search(rf"messages\.po:{line}:\d+: error: translation of 'Published %\(date\)s' is broken", result.stderr)
    assert (out / "index.html").read_bytes() == before


def test_editing_a_translation_rebuilds_the_pages_that_show_it(tmp_path):
    project = copy_german(tmp_path, "de")
    po = project / "haus/locale/de/LC_MESSAGES/messages.po"
    write_po(po, "de", {"Sources": "Quellenangaben"})
    out = tmp_path / "site"
    build(project, out)
    write_po(po, "de", {"Sources": "Belege"})
    build(project, out)
    site = BuiltSite(out)
    assert "Belege" in [a.get_text(strip=True) for a in site.soup("people/index.html").select(".site-nav a")]


@pytest.mark.parametrize(
    ("language", "day", "quote", "sources"),
    [
        ("es", "23 de marzo de 2021", "«Vorsichtsmaßnahme»", "Fuentes"),
        ("fr", "23 mars 2021", "«\u00a0Vorsichtsmaßnahme\u00a0»", "Sources"),
    ],
)
def test_spanish_and_french_write_their_own_dates_quotes_and_words(tmp_path, language, day, quote, sources):
    project = copy_german(tmp_path, language)
    out = tmp_path / "site"
    build(project, out)
    site = BuiltSite(out)
    assert day in visible_text(site, "index.html")
    assert quote in site.soup("index.html").find(class_="body").get_text()
    nav = [a.get_text(strip=True) for a in site.soup("index.html").select(".site-nav a")]
    assert sources in nav and "People" not in nav


def test_an_english_story_keeps_its_english_words_and_dates(tmp_path):
    project = copy_german(tmp_path, "en")
    out = tmp_path / "site"
    build(project, out)
    site = BuiltSite(out)
    text = visible_text(site, "index.html")
    assert "March 23, 2021" in text and "Latest updates" in text
    assert "“Vorsichtsmaßnahme”" in site.soup("index.html").find(class_="body").get_text()


def test_a_percent_sign_in_a_translation_is_an_error_at_its_line(tmp_path):
    """Every page fills in every message, so a lone '%' would break each page that shows it."""
    project = copy_german(tmp_path, "de")
    po = project / "haus/locale/de/LC_MESSAGES/messages.po"
    write_po(po, "de", {"Sources": "Quellen (100 %)"})
    result = run("build", str(project), "--out", str(tmp_path / "site"))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    line = po.read_text("utf-8").splitlines().index('msgid "Sources"') + 1
    assert re.search(rf"messages\.po:{line}:\d+: error: translation of 'Sources' is broken: .*'%%'", result.stderr)


def test_a_catalog_that_cannot_be_read_is_an_error_not_a_crash(tmp_path):
    project = copy_german(tmp_path, "de")
    po = project / "haus/locale/de/LC_MESSAGES/messages.po"
    write_po(po, "de", {"Sources": "Quellen"})
    po.write_bytes(po.read_bytes().replace(b"Quellen", "Qu\xe9llen".encode("latin-1")))  # not UTF-8
    result = run("check", str(project))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert re.search(r"messages\.po:1:1: error: the translations cannot be read", result.stderr)


def test_a_private_use_tag_keeps_its_languages_words_and_dates(tmp_path):
    project = copy_german(tmp_path, "de-x-zeitung")
    out = tmp_path / "site"
    build(project, out)
    text = visible_text(BuiltSite(out), "index.html")
    assert "23. März 2021" in text and "Quellen" in text


def test_feed_items_speak_the_sites_language(german):
    feed = (german.out / "feed.xml").read_text("utf-8")
    assert "Quellen:" in feed and "Sources:" not in feed and "About:" not in feed
