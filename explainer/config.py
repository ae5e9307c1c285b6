"""Site settings from ``explainer.yml``; every key has a default."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from explainer.basics import CONFIG_FILE
from explainer.diagnostics import Diagnostics, Span
from explainer.model import FieldSpec, as_bool, as_text, convert_fields
from explainer.yamlsource import load_yaml, read_text

SETTINGS_SCHEMA = (
    FieldSpec("title", as_text),
    FieldSpec("base_url", as_text),
    FieldSpec("language", as_text),
    FieldSpec("theme", as_text),
    FieldSpec("unsafe_html", as_bool),
    FieldSpec("search", as_bool),
    FieldSpec("social_cards", as_bool),
)


@dataclass
class Settings:
    """Values left as None fall back to the story's own (title, language)."""

    title: str | None = None
    base_url: str | None = None
    language: str | None = None
    theme: Path | None = None
    unsafe_html: bool = False
    search: bool = True  # build the Pagefind index and the search page
    social_cards: bool = True  # a share image per page (made only with base_url)
    theme_span: Span | None = None


def load_settings(project: Path, diagnostics: Diagnostics) -> Settings:
    path = project / CONFIG_FILE
    if not os.path.lexists(path):  # anything else there (a pipe, a broken link) is reported by read_text
        return Settings()
    text = read_text(path, diagnostics)
    node = load_yaml(text, path, diagnostics) if text is not None else None
    if node is None:
        return Settings()
    values = convert_fields(node, SETTINGS_SCHEMA, CONFIG_FILE, diagnostics) or {}
    settings = Settings(**{key: value for key, value in values.items() if key != "theme"})
    if "theme" in values:
        settings.theme = (project / values["theme"]).resolve()
        settings.theme_span = node.value["theme"].span
        if not settings.theme.is_dir():
            diagnostics.error(
                settings.theme_span,
                f"theme folder '{values['theme']}' does not exist",
                "give a folder relative to the project that holds templates/ and static/",
            )
            settings.theme = None
    if settings.base_url is not None:
        problem = base_url_problem(settings.base_url)
        if problem:
            diagnostics.error(
                node.value["base_url"].span, problem, "write it in full, e.g. https://example.org/explainers/rust/"
            )
        settings.base_url = normalise_base_url(settings.base_url)
    return settings


# what may not appear in an address that is written into pages, feeds and robots.txt as it is
_URL_FORBIDDEN = re.compile(r"[\x00-\x20\x7f-\x9f\"'<>\\^`{|}]")


def base_url_problem(url: str) -> str | None:
    bad = _URL_FORBIDDEN.search(url)
    if bad:
        return (
            f"base_url '{url.encode('unicode_escape').decode('ascii')}' contains {repr(bad.group())}, which an "
            "address may not hold (percent-encode it, e.g. %20 for a space)"
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"base_url '{url}' is not an absolute http(s) address"
    if parts.query or parts.fragment:
        return f"base_url '{url}' must not have a query or fragment"
    return None


def normalise_base_url(url: str) -> str:
    """Always ends in '/', so page paths can be appended."""
    return url if url.endswith("/") else url + "/"
