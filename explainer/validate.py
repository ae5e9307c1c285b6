"""Rules that need the whole linked story (the "validate" stage).

Field types and references are checked while reading and linking; what is
left are rules between fields and entries, and likely mistakes (warnings).
Each kind of entry carries its own rules (``Entry.check``); the rules here are
the story's and the sources'.
"""

from __future__ import annotations

import re

from explainer import i18n
from explainer.config import Settings
from explainer.diagnostics import Diagnostics, Span
from explainer.linker import Linked
from explainer.living import check_dates, chronicle_of
from explainer.markdown_render import markdown_problem
from explainer.model import Claim, Snippet, check_url
from explainer.statuses import Statuses

SOURCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")


def validate(linked: Linked, diagnostics: Diagnostics, previous: Linked | None = None) -> None:
    """Check the rules between fields and entries.

    With ``previous``, the last validated link of the same project read again only where files changed
    (``serve``), an entry that is the same object as then (its file unchanged) is not checked again: its own
    checks' findings are as they were, given the same settings.
    """
    content = linked.content
    known = previous.checked if previous is not None and previous.content.settings == content.settings else {}
    story = content.story
    language, span = i18n.site_language(content)
    if not LANGUAGE_TAG.match(language):
        diagnostics.error(span, f"'{language}' is not a BCP 47 language tag", "use a tag such as en, en-GB or es")
    for source in content.sources:
        if not SOURCE_ID.match(source.id):
            diagnostics.error(
                source.field_span("id"),
                f"source id '{source.id}' may only hold letters, digits, '-', '_' and '.'",
                "pick a short id without spaces, e.g. nyt-2021-10-22",
            )
        if source.url is not None:
            check_url(source.url, source.field_span("url"), diagnostics)
    statuses = content.settings.statuses()
    unsafe = content.settings.unsafe_html
    checked = linked.checked
    for entry in content.all_entries():
        found = known.get(id(entry))
        if found is None or found[0] is not entry:
            own, snippets = Diagnostics(), Diagnostics()
            entry.check(content.project, own)
            if isinstance(entry, Claim):
                _check_statuses(entry, statuses, content.settings, own)
            _check_snippets(entry.snippets(), unsafe, snippets)
            found = (entry, own.items, snippets.items)
        checked[id(entry)] = found
        if found[1]:
            diagnostics.items.extend(found[1])
    check_dates(chronicle_of(linked), diagnostics)
    if story is not None and story.key_points and not 2 <= len(story.key_points) <= 6:
        diagnostics.warning(
            story.field_span("key_points"),
            f"the story has {len(story.key_points)} key point{'s' if len(story.key_points) != 1 else ''}; "
            "readers take in two to six",
            "keep the points that matter most" if len(story.key_points) > 6 else "add a second point, or drop the list",
        )
    for entry in content.all_entries():  # reported after the story's own checks, as a whole check reports them
        if problems := checked[id(entry)][2]:
            diagnostics.items.extend(problems)
    rest = content.story.snippets() if content.story else []
    _check_snippets([*rest, *(update.summary for update in content.updates)], unsafe, diagnostics)


def _check_statuses(claim: Claim, statuses: Statuses, settings: Settings, diagnostics: Diagnostics) -> None:
    """A claim's status and each verdict in its history must be one the site knows (built in or configured), and
    the history must end on the claim's status (unless a status is unknown: one mistake, one message; nor is a
    status unknown to settings that could not be read told again)."""
    written = [("status", claim.status, claim.field_span("status"))] if "status" in claim.spans else []
    written += [("status", change.status, change.field_span("status")) for change in claim.status_history]
    unknown = False
    for name, value, span in written:
        problem = statuses.unknown_claim_status(value)
        unknown = unknown or problem is not None
        if problem is not None and not (settings.statuses_unknown or value in settings.unreadable_statuses):
            message, hint = problem
            diagnostics.error(span, f"'{name}' {message}", hint)
    history = claim.status_history
    if history and history[-1].status != claim.status and "status" not in claim.failed and not unknown:
        diagnostics.error(
            history[-1].field_span("status"),
            f"the last status in status_history is '{history[-1].status}' but the claim's status is '{claim.status}'",
            f"the history ends with the verdict as it stands: set one of them to '{claim.status}' "
            f"or '{history[-1].status}'",
        )


def _check_snippets(snippets: list[Snippet], unsafe: bool, diagnostics: Diagnostics) -> None:
    """Short Markdown fields are converted like bodies, so the same pathological text is refused, at its line."""
    for snippet in snippets:
        problem = markdown_problem(snippet.text, unsafe)
        if problem is not None:
            line_offset, column, message, hint = problem
            start = snippet.span
            column += start.column - 1 if line_offset == 0 else snippet.indent
            diagnostics.error(Span(start.path, start.line + line_offset, column), message, hint)
