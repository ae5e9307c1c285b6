"""The site in its readers' language: the theme's words from gettext catalogs, dates and numbers from Babel.

Catalogs are ``.po`` files in a theme folder (``locale/<language>/LC_MESSAGES/messages.po``), read and
compiled in memory with Babel, so a project adds a language or overrides one string by dropping a ``.po``
file in its theme, with no compile step. The project's catalog is asked first, then the default theme's;
a string neither has stays in English.

Pages render with one language active (:func:`activate`); the theme's templates call ``_()`` through
Jinja2's i18n extension, the build's own Python code calls :func:`_` here.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING

from explainer.diagnostics import Diagnostics, Span

if TYPE_CHECKING:  # Babel is imported where it is used: a build after no change never is
    from babel import Locale

    from explainer.reader import Content

DEFAULT_LANGUAGE = "en"
SHIPPED_LANGUAGES = ("en", "de", "es", "fr")
LOCALE_DIR = "locale"
DOMAIN = "messages"


def N_(message: str) -> str:  # noqa: N802  (gettext's conventional name for a marker)
    """Marks a message for the catalogs where it is defined; it is translated where it is shown."""
    return message


def catalog_path(theme: Path, locale: str) -> Path:
    """Where a theme keeps one language's catalog (``locale`` as gettext spells it: ``de``, ``pt_BR``)."""
    return theme / LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def candidates(tag: str) -> list[str]:
    """Catalog names for a BCP 47 tag, most specific first: ``de-AT`` → ``de_AT``, ``de``."""
    parts = tag.replace("_", "-").split("-")
    names = []
    for end in range(len(parts), 0, -1):
        head = [parts[0].lower(), *(part.upper() if len(part) == 2 else part for part in parts[1:end])]
        names.append("_".join(head))
    return names


@dataclass
class Language:
    """One site language: its translations, Babel's locale data, and a digest of the catalogs read."""

    tag: str
    locale: Locale
    translations: gettext.NullTranslations
    digest: str = ""
    # the opening and closing quotation marks, from the catalog: looked up once, as every body's cache key holds them
    quote_marks: tuple[str, str] = field(init=False)
    # numbers, days and months as Babel wrote them: the same answer for the same value, asked for on many pages
    _written: dict[tuple, str] = field(init=False, default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.quote_marks = (self.gettext(OPENING_QUOTE), self.gettext(CLOSING_QUOTE))

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.translations.ngettext(singular, plural, count)

    def number(self, value: int | float) -> str:
        key = ("number", type(value), value)
        found = self._written.get(key)
        if found is None:
            from babel.numbers import format_decimal

            found = self._written[key] = format_decimal(value, locale=self.locale)
        return found

    def day(self, value: date) -> str:
        """A day in full, as the language writes it ("23. März 2021")."""
        key = ("day", value)
        found = self._written.get(key)
        if found is None:
            from babel.dates import format_date

            found = self._written[key] = format_date(value, "long", locale=self.locale)
        return found

    def month(self, value: date) -> str:
        """A month and year ("März 2021")."""
        key = ("month", value)
        found = self._written.get(key)
        if found is None:
            from babel.dates import format_skeleton

            found = self._written[key] = format_skeleton("yMMMM", value, locale=self.locale)
        return found

    def clock(self, value: time) -> str:
        """A time of day in 24 hours ("14:05"), which every language reads."""
        from babel.dates import format_time

        return format_time(value, "HH:mm", locale=self.locale)

    def quotes(self) -> tuple[str, str]:
        """The language's opening and closing quotation marks, from its catalog."""
        return self.quote_marks

    def preload(self) -> None:
        """Read Babel's data for dates and numbers now (its tables for every locale, about 2 MiB of objects, and
        this language's), as writing the first date or number would: a process about to fork workers reads them
        once for all of them, instead of each worker reading its own copy. Nothing written is kept."""
        from babel.dates import format_date, format_skeleton, format_time
        from babel.numbers import format_decimal

        day = date(2000, 1, 1)
        format_date(day, "long", locale=self.locale)
        format_skeleton("yMMMM", day, locale=self.locale)
        format_decimal(1, locale=self.locale)
        format_time(time(0, 0), "HH:mm", locale=self.locale)


# Translators: the opening and closing double quotation marks of your language (« and » in French, with a
# no-break space inside; „ and “ in German); quotations in the story's text and titles use them.
OPENING_QUOTE = N_("“")
# Translators: see the opening quotation mark above.
CLOSING_QUOTE = N_("”")


def english() -> Language:
    from babel import Locale

    return Language(DEFAULT_LANGUAGE, Locale.parse(DEFAULT_LANGUAGE), gettext.NullTranslations())


_active: Language | None = None  # English until a language is activated (made when first asked for)


def activate(language: Language) -> None:
    """Make ``language`` the one the build's own words are written in (until the next call)."""
    global _active
    _active = language


def active() -> Language:
    global _active
    if _active is None:
        _active = english()
    return _active


def _(message: str, **values: object) -> str:
    """``message`` in the active language, with ``%(name)s`` placeholders filled from ``values``."""
    return active().gettext(message) % values  # as templates do: a literal % is always written %%


def ngettext(singular: str, plural: str, count: int, **values: object) -> str:
    """The singular or plural form for ``count`` in the active language; ``%(num)s`` is the count."""
    language = active()
    text = language.ngettext(singular, plural, count)
    return text % {"num": language.number(count), **values}


def labelled(label: str, text: str) -> str:
    """``label: text``, as the active language punctuates it ("Statut : …" in French)."""
    return _("%(label)s: %(text)s", label=label, text=text)


def dashed(label: str, text: str) -> str:
    """``label — text``: a label before a text that may have a colon of its own (a claim's "Ada Quinn says: …")."""
    return _("%(label)s — %(text)s", label=label, text=text)


def quoted(text: str) -> str:
    """``text`` between the active language's quotation marks."""
    opening, closing = active().quotes()
    return f"{opening}{text}{closing}"


def shortened(text: str, length: int) -> str:
    """``text`` cut at the last word break within ``length`` characters, with "…" (unchanged when it fits)."""
    if len(text) <= length:
        return text
    cut = text[: length + 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return (cut or text[:length]) + "…"


# --- typography of plain text ------------------------------------------------------------------------
#
# Markdown bodies get curly quotes and apostrophes from Python-Markdown's smarty extension, with the double
# quotes in the site's language. Plain-text fields (titles, summaries, names, labels) are shown beside them,
# so pages give them smarty's quote rules too (explainer.typography), a title reading as it would in a body.
# Only what pages show is typeset; story.json and timeline.json keep the writer's text as written.


@functools.lru_cache(maxsize=65536)
def _typeset(text: str, quotes: tuple[str, str]) -> str:
    from explainer.typography import plain_rules, typeset_plain  # Markdown's rules: imported when pages render

    return typeset_plain(text, plain_rules(quotes))


def typeset(text: str) -> str:
    """Plain text with curly apostrophes and quotes, the double ones in the active language ("crew's" → "crew’s",
    ``"Rust"`` → „Rust“ in German), by the rules Markdown bodies follow. A pure function of the text and the
    language."""
    if ("'" not in text and '"' not in text) or "\x02" in text or "\x03" in text:
        return text
    return _typeset(text, active().quotes())


def site_language(content: Content) -> tuple[str, Span]:
    """The site's language tag (``explainer.yml`` first, then the story's, else English) and where it is set."""
    settings, story = content.settings, content.story
    if settings.language:
        return settings.language, settings.language_span or Span(content.project / "explainer.yml")
    if story is not None and "language" in story.spans:
        return story.language, story.field_span("language")
    return DEFAULT_LANGUAGE, Span(content.project / "explainer.yml")


def load_language(
    tag: str, themes: list[Path], diagnostics: Diagnostics | None = None, span: Span | None = None
) -> Language:
    """The language ``tag`` with every theme's catalog for it (``themes`` in lookup order, the project's first).

    A catalog entry whose placeholders do not match the English ones is reported and left out, so a page
    never fails to render over a translation; a language no theme translates is reported as a warning."""
    from babel import __version__ as babel_version
    from babel.support import Translations

    locale = _locale(tag)
    if locale is None:
        locale = _locale(DEFAULT_LANGUAGE)
        if diagnostics is not None:
            diagnostics.warning(
                span or Span(Path(tag)),
                f"dates and numbers for '{tag}' are not known: they are written in English",
                "use a language tag such as de, de-AT, pt-BR or es-419",
            )
    assert locale is not None
    found = [path for theme in themes for name in candidates(tag) if (path := catalog_path(theme, name)).is_file()]
    translations: gettext.NullTranslations = gettext.NullTranslations()
    chain: list[gettext.NullTranslations] = []
    # the catalogs and Babel's own version: another Babel may write dates another way
    digest = hashlib.sha256(f"{tag}\0{babel_version}".encode())
    for path in found:
        try:
            stat = path.stat()
            compiled, problems = _compile(path, stat.st_size, stat.st_mtime_ns)
            catalog = Translations(io.BytesIO(compiled), domain=DOMAIN)
        except (OSError, ValueError, LookupError, UnicodeError, SyntaxError) as exc:
            if diagnostics is not None:
                diagnostics.error(
                    Span(path), f"the translations cannot be read: {exc}", "save it as UTF-8 gettext .po text"
                )
            continue
        digest.update(compiled)
        if diagnostics is not None:
            for line, message, hint in problems:
                diagnostics.error(Span(path, line), message, hint)
        chain.append(catalog)
    if chain:
        translations = chain[0]
        for fallback in chain[1:]:
            translations.add_fallback(fallback)
    elif diagnostics is not None and candidates(tag)[-1] != DEFAULT_LANGUAGE:
        diagnostics.warning(
            span or Span(Path(tag)),
            f"no theme translates '{tag}': the site's own words (navigation, headings, labels) stay in English",
            f"add {LOCALE_DIR}/{candidates(tag)[0]}/LC_MESSAGES/{DOMAIN}.po to your theme folder "
            f"(translations ship for {', '.join(SHIPPED_LANGUAGES)})",
        )
    return Language(tag, locale, translations, digest.hexdigest())


def _locale(tag: str) -> Locale | None:
    """Babel's data for the most specific form of ``tag`` it knows (``de-DE-u-co-phonebk`` → ``de_DE``)."""
    from babel import Locale, UnknownLocaleError

    for name in candidates(tag):
        try:
            return Locale.parse(name)
        except (UnknownLocaleError, ValueError, TypeError):
            continue
    return None


_COMPILED_HEADER = b"explainer compiled catalog 2\n"


@functools.lru_cache(maxsize=32)
def _compile(path: Path, _size: int, _mtime: int) -> tuple[bytes, list[tuple[int, str, str]]]:
    """A ``.po`` file as ``.mo`` bytes, without its fuzzy or broken entries; (line, problem, hint) for each broken
    one and for whatever the parser had to skip.

    Each process used to parse every catalog again (with Babel's checkers: a tenth of a second, a tenth of a build
    after an edit); the result is kept in the user's own cache folder beside the compiled templates, named by the
    catalog's digest and Babel's version and signed with the build cache's key (see :mod:`explainer.compiled`):
    a file that does not match is ignored and the catalog compiled again."""
    from babel import __version__ as babel_version

    from explainer import __version__
    from explainer.buildcache import key_folder, read_signed, signing_key, write_signed

    data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")  # a byte-order mark would hide the header
    folder, key = key_folder(), signing_key()
    if folder is None or key is None:
        return _compile_po(data)
    name = hashlib.sha256(f"{__version__}\0{babel_version}\0".encode() + data).hexdigest()
    target = folder / "catalogs" / f"{name}.mo"
    found = _kept_compiled(read_signed(target, _COMPILED_HEADER, key))
    if found is not None:
        return found
    compiled, problems = _compile_po(data)
    head = json.dumps(problems, ensure_ascii=True).encode("ascii") + b"\n"
    write_signed(target, _COMPILED_HEADER, key, head + compiled)
    return compiled, problems


def _kept_compiled(payload: bytes | None) -> tuple[bytes, list[tuple[int, str, str]]] | None:
    """A catalog :func:`_compile` kept (its signed payload), if it is in shape (else None)."""
    if payload is None:
        return None
    head, newline, compiled = payload.partition(b"\n")
    try:
        problems = json.loads(head) if newline else None
    except (ValueError, RecursionError):
        return None
    if type(problems) is not list or not all(
        type(found) is list
        and len(found) == 3
        and type(found[0]) is int
        and type(found[1]) is str
        and type(found[2]) is str
        for found in problems
    ):
        return None
    return compiled, [(line, problem, hint) for line, problem, hint in problems]


def _compile_po(data: bytes) -> tuple[bytes, list[tuple[int, str, str]]]:
    """:func:`_compile` of a catalog's bytes."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    skipped = io.StringIO()
    with contextlib.redirect_stdout(skipped):  # Babel prints what it cannot parse instead of raising
        catalog = read_po(io.BytesIO(data), abort_invalid=False)
    problems = [
        (int(line), f"this line of the translations was skipped: {what.strip()}", "fix the .po syntax on this line")
        for line, what in re.findall(r"WARNING: Problem on line (\d+): (.*)", skipped.getvalue())
    ]
    broken = [(message, str(errors[0])) for message, errors in catalog.check()]
    for message in catalog:
        strings = [message.string] if isinstance(message.string, str) else list(message.string or ())
        if message.id and not message.python_format and any(text and not _formats(text) for text in strings):
            broken.append((message, "it holds a '%' that is not written '%%'"))
    for message, error in broken:
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        hint = "use the msgid's %(name)s placeholders; write a literal % as %%"
        problems.append((message.lineno or 1, f"translation of '{msgid}' is broken: {error}", hint))
        if message.id in catalog:
            catalog.delete(message.id, message.context)
    output = io.BytesIO()
    write_mo(output, catalog)
    return output.getvalue(), problems


def _formats(text: str) -> bool:
    """Whether a translation of a message without placeholders can be filled in, as every page fills it."""
    try:
        text % {}
    except (ValueError, TypeError, KeyError):
        return False
    return True
