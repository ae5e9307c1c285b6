"""Site settings from ``explainer.yml``; every key has a default."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from explainer.basics import CONFIG_FILE
from explainer.diagnostics import Diagnostics, Span
from explainer.model import FieldProblem, FieldProblems, FieldSpec, as_bool, as_choice, as_text, convert_fields
from explainer.slugs import slugify
from explainer.statuses import CLAIM_STATUS_IDS, ID_PATTERN, QUESTION_STATUS_IDS, Statuses, StatusSetting, registry
from explainer.yamlsource import Node, load_yaml, read_text

# the keys of one entry of claim_statuses
STATUS_SCHEMA = (
    FieldSpec("label", as_text, meaning="the word or short phrase on the badge"),
    FieldSpec("meaning", as_text, meaning="one sentence: what the verdict says about the claim"),
    FieldSpec(
        "like", as_choice(CLAIM_STATUS_IDS), meaning="a built-in status whose badge (mark, shape, colour) it takes"
    ),
)


def as_claim_statuses(node: Node) -> tuple[StatusSetting, ...]:
    """``claim_statuses``: a map of status id to ``{label, meaning, like}``; every mistake reported at its place."""
    if node.value is None:
        return ()
    if not node.is_map:
        raise FieldProblem(
            "must be a map of status id to {label, meaning}",
            "write one status per line, e.g. misleading: {label: Misleading, meaning: ..., like: false}",
        )
    found = Diagnostics()
    settings = []
    for status_id, value in node.value.items():
        setting = _status_setting(status_id, value, found)
        if setting is not None:
            settings.append(setting)
    if found.items:
        raise FieldProblems(found)
    return tuple(settings)


def _status_setting(status_id: str, node: Node, diagnostics: Diagnostics) -> StatusSetting | None:
    key_span = node.key_span or node.span
    built_in = status_id in CLAIM_STATUS_IDS
    if not ID_PATTERN.match(status_id):
        suggestion = slugify(status_id) or "misleading"
        diagnostics.error(
            key_span,
            f"claim status id '{status_id}' may only hold lowercase letters, digits and hyphens",
            f"write it as '{suggestion}' (claims then say status: {suggestion})",
        )
        return None
    if status_id in QUESTION_STATUS_IDS:
        diagnostics.error(
            key_span,
            f"'{status_id}' is a question's status, not a claim's",
            "give the claim status another id, e.g. 'unresolved'",
        )
        return None
    if node.value is None and built_in:  # listed only to take its place in the order
        return StatusSetting(status_id)
    before = len(diagnostics.items)
    values = convert_fields(node, STATUS_SCHEMA, f"claim status '{status_id}'", diagnostics)
    if values is None:
        return None
    if built_in and "like" in values:
        diagnostics.error(
            node.value["like"].key_span or node.span,
            f"'{status_id}' is a built-in status with a badge of its own; 'like' is for new statuses",
            "remove the like line, or give your status a new id",
        )
    if not built_in:
        for name, what in (("label", "the word readers see on the badge"), ("meaning", "one sentence readers see")):
            if name not in node.value:
                diagnostics.error(
                    key_span,
                    f"the new claim status '{status_id}' has no {name}",
                    f"add {name}: ... ({what}); only a built-in status may leave it out",
                )
    if len(diagnostics.items) > before:
        return None
    return StatusSetting(status_id, values.get("label"), values.get("meaning"), values.get("like"))


SETTINGS_SCHEMA = (
    FieldSpec("title", as_text),
    FieldSpec("base_url", as_text),
    FieldSpec("language", as_text),
    FieldSpec("theme", as_text),
    FieldSpec("unsafe_html", as_bool),
    FieldSpec("search", as_bool),
    FieldSpec("social_cards", as_bool),
    FieldSpec("claim_statuses", as_claim_statuses),
    FieldSpec("embeds", as_bool),
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
    claim_statuses: tuple[StatusSetting, ...] = ()  # house verdicts, as written (see explainer.statuses)
    # the ids written under claim_statuses when it could not be read: claims using them are not told again
    unreadable_statuses: tuple[str, ...] = ()
    # explainer.yml (or its claim_statuses) could not be read at all: any status may be a house verdict, so no
    # claim is told its status is unknown until the settings' own error is fixed
    statuses_unknown: bool = False
    embeds: bool = True  # an embeddable card per entry and for the timeline (oEmbed files only with base_url)
    theme_span: Span | None = None
    language_span: Span | None = None  # where explainer.yml sets the language, for messages about it

    def statuses(self) -> Statuses:
        """The site's claim and question statuses, house verdicts included, in group order."""
        return registry(self.claim_statuses)


def load_settings(project: Path, diagnostics: Diagnostics) -> Settings:
    path = project / CONFIG_FILE
    if not os.path.lexists(path):  # anything else there (a pipe, a broken link) is reported by read_text
        return Settings()
    text = read_text(path, diagnostics)
    node = load_yaml(text, path, diagnostics) if text is not None else None
    if node is None or not node.is_map:
        if node is not None:
            convert_fields(node, SETTINGS_SCHEMA, CONFIG_FILE, diagnostics)  # says it is not a mapping
        return Settings(statuses_unknown=True)
    values = convert_fields(node, SETTINGS_SCHEMA, CONFIG_FILE, diagnostics) or {}
    settings = Settings(**{key: value for key, value in values.items() if key != "theme"})
    if "language" in values:
        settings.language_span = node.value["language"].span
    written = node.value.get("claim_statuses")
    if written is not None and "claim_statuses" not in values:
        if written.is_map:  # as written, and as the slug a claim would use ('Not Rated' for not-rated)
            ids = {name: None for written_id in written.value for name in (written_id, slugify(written_id))}
            settings.unreadable_statuses = tuple(ids)
        else:
            settings.statuses_unknown = True
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
