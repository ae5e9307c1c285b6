"""Claim verdicts and question statuses: one registry of each status's id, label, meaning, mark and badge style.

The six built-in claim statuses and the two question statuses are defined here, once. A newsroom's
``claim_statuses`` in ``explainer.yml`` (read in :mod:`explainer.config`) adds statuses of its own or
relabels built-in ones; :func:`registry` merges them into a :class:`Statuses` that everything showing a
status reads: the theme (``site.status_label(id)``, ``site.status_meaning(id)``, ``site.status_mark(id)``,
``site.status_style(id)``), the diagram, share images, JSON-LD, feeds and ``story.json``.

Built-in labels and meanings are messages (marked ``N_``) translated where they are shown; a label or
meaning written in ``explainer.yml`` is shown as written, in the language the newsroom wrote it in.

A verdict is never colour alone: every badge shows a mark and a word. A configured status may borrow a
built-in status's badge (its mark, shape and colour) with ``like:``; one without gets the neutral badge
(``status-custom``) and a mark of its own that no built-in status and no other configured status uses.

Order: claims are grouped (the claims index, the story page) by status, the statuses listed in
``claim_statuses`` first in the order written, then the built-in statuses not listed, in their built-in order.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from explainer.i18n import N_, _

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # lowercase letters, digits, single hyphens between
CUSTOM_STYLE = "custom"  # the badge class (``status-custom``) of a configured status without ``like``
# marks for configured statuses without ``like``: shapes no built-in status uses, handed out in order
CUSTOM_MARKS = ("◆", "●", "■", "▲", "★", "◇", "○", "□", "△", "☆")
UNKNOWN_MARK = "?"


@dataclass(frozen=True)
class Status:
    """One status as readers see it. ``label`` and ``meaning`` are the shown texts (translated when built in)."""

    id: str
    mark: str  # drawn before the word: a verdict is a word and a shape, never colour alone
    style: str  # the badge's look: ``status-<style>`` in the theme's style.css (a built-in id or "custom")
    label_text: str
    meaning_text: str
    translate_label: bool = False  # a built-in message (translated when shown), not a newsroom's own words
    translate_meaning: bool = False
    built_in: bool = False
    like: str | None = None  # the built-in status whose badge a configured one borrows

    @property
    def label(self) -> str:
        return _(self.label_text) if self.translate_label else self.label_text

    @property
    def meaning(self) -> str:
        return _(self.meaning_text) if self.translate_meaning else self.meaning_text


def _built_in(status_id: str, mark: str, label: str, meaning: str) -> Status:
    return Status(status_id, mark, status_id, label, meaning, True, True, built_in=True)


BUILT_IN_CLAIM_STATUSES = (
    _built_in(
        "unverified",
        "?",
        N_("Unverified"),
        N_("Not yet checked: no independent evidence so far confirms or contradicts it."),
    ),
    _built_in(
        "disputed",
        "⇄",
        N_("Disputed"),
        N_("Contested: other people or evidence contradict it, and it has not been settled."),
    ),
    _built_in("supported", "✓", N_("Supported"), N_("Backed by evidence, though not yet fully confirmed.")),
    _built_in("confirmed", "✔", N_("Confirmed"), N_("Established by strong, independent evidence.")),
    _built_in("false", "✗", N_("False"), N_("Shown by the evidence to be untrue.")),
    _built_in("retracted", "↶", N_("Retracted"), N_("Withdrawn by whoever made it.")),
)
QUESTION_STATUS_LIST = (
    _built_in("open", "○", N_("Open"), N_("Still unanswered: what is known so far is below.")),
    _built_in("answered", "✓", N_("Answered"), N_("Answered: the answer is below.")),
)
CLAIM_STATUS_IDS = tuple(status.id for status in BUILT_IN_CLAIM_STATUSES)
QUESTION_STATUS_IDS = tuple(status.id for status in QUESTION_STATUS_LIST)


@dataclass(frozen=True)
class StatusSetting:
    """One entry of ``claim_statuses`` in ``explainer.yml``, as written (checked by :mod:`explainer.config`)."""

    id: str
    label: str | None = None
    meaning: str | None = None
    like: str | None = None


@dataclass(frozen=True)
class Statuses:
    """Every status a site knows: claims' in the order the site groups them, then questions'."""

    claims: tuple[Status, ...] = BUILT_IN_CLAIM_STATUSES
    questions: tuple[Status, ...] = QUESTION_STATUS_LIST

    @property
    def claim_ids(self) -> tuple[str, ...]:
        """The claim statuses in group order."""
        return tuple(status.id for status in self.claims)

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(status.id for status in self.questions)

    def get(self, status_id: str) -> Status:
        """The status ``status_id`` (an unknown one, already reported, stands as its id with a question mark)."""
        for status in (*self.claims, *self.questions):
            if status.id == status_id:
                return status
        return Status(status_id, UNKNOWN_MARK, CUSTOM_STYLE, status_id.capitalize(), "")

    def label(self, status_id: str) -> str:
        return self.get(status_id).label

    def meaning(self, status_id: str) -> str:
        return self.get(status_id).meaning

    def verdict_words(self, previous: str | None, status: str | None) -> str:
        """A verdict in words, not colour: "Disputed → False"; the first one alone ("Unverified")."""
        now = self.label(status) if status else ""
        return f"{self.label(previous)} → {now}" if previous else now

    def unknown_claim_status(self, value: str) -> tuple[str, str] | None:
        """(message, hint) when ``value`` is not a claim status this site knows, else None."""
        if value in self.claim_ids:
            return None
        allowed = ", ".join(self.claim_ids)
        close = difflib.get_close_matches(value.lower(), self.claim_ids, n=1)
        if close:
            hint = f"did you mean '{close[0]}'?"
        else:
            hint = "add it under claim_statuses in explainer.yml with a label and a meaning, or use one of those"
        return f"is '{value}', which is not one of the claim statuses: {allowed}", hint


DEFAULT_STATUSES = Statuses()


def registry(settings: tuple[StatusSetting, ...]) -> Statuses:
    """The site's statuses: the configured ones in the order written, then the built-ins not listed."""
    if not settings:
        return DEFAULT_STATUSES
    built_in = {status.id: status for status in BUILT_IN_CLAIM_STATUSES}
    configured = {setting.id for setting in settings}
    taken = {status.mark for status in built_in.values()}
    free_marks = [mark for mark in CUSTOM_MARKS if mark not in taken]
    claims = []
    for setting in settings:
        base = built_in.get(setting.id)
        if base is not None:  # a relabelled built-in: what is not given stays the built-in's (translated)
            claims.append(
                Status(
                    base.id,
                    base.mark,
                    base.style,
                    setting.label if setting.label is not None else base.label_text,
                    setting.meaning if setting.meaning is not None else base.meaning_text,
                    translate_label=setting.label is None,
                    translate_meaning=setting.meaning is None,
                    built_in=True,
                )
            )
            continue
        like = built_in.get(setting.like or "")
        if like is not None:
            mark, style = like.mark, like.style
        else:
            mark = free_marks.pop(0) if free_marks else UNKNOWN_MARK
            free_marks.append(mark)  # more new statuses than marks: they are told apart by their words
            style = CUSTOM_STYLE
        claims.append(Status(setting.id, mark, style, setting.label or "", setting.meaning or "", like=setting.like))
    claims += [status for status in BUILT_IN_CLAIM_STATUSES if status.id not in configured]
    return Statuses(tuple(claims))
