"""Curly quotes, dashes and ellipses: the ``smarty`` extension's rules, applied in one cheap pass.

Python-Markdown's ``smarty`` extension runs a second inline stage over every text in a body's tree:
each of its rules (one expression each) is searched for in every text, and each match is stashed
twice, as an inline node and then as raw HTML whose placeholder is searched for in the finished page.
That was about a third of Markdown's time even on bodies without a single quote. :class:`Typographer`
takes the extension's own rules (expressions, order and replacements, so the site's quotation marks
too) and applies them to the same texts with the same result, but

- it skips a text in which no rule can match: every rule replaces a quote, ``--``, ``...``, ``<<`` or
  ``>>``, and a rule is only tried on a text holding its mark;
- a match becomes a short token that the later rules see exactly as they see smarty's placeholder
  (``\\x02`` first and ``\\x03`` last: no word character, space, hyphen or dot), and at the end each
  token becomes the text smarty would have written there, put straight into the tree when the
  serializer writes it unchanged (``&ldquo;``, ``„``, ``«`` and a no-break space), else stashed as
  smarty stashes it.

Not touched, as with smarty: code spans and blocks (their text is an ``AtomicString``), raw HTML and
entities (stashed before this stage), backslash-escaped characters (``\\"`` is a placeholder until
the later "unescape" stage) and attribute values (link URLs, titles, image alt text).
"""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass

import markdown
from markdown.extensions.smarty import SubstituteTextPattern
from markdown.serializers import RE_AMP  # how the serializer finds a bare "&"
from markdown.treeprocessors import Treeprocessor
from markdown.util import ETX, STX, AtomicString

# the mark each of smarty's rules replaces, by the rule's name in the extension's registry
MARKS = {
    "smarty-em-dashes": ("--",),
    "smarty-en-dashes": ("--",),
    "smarty-ellipses": ("...",),
    "smarty-left-angle-quotes": ("<<",),
    "smarty-right-angle-quotes": (">>",),
    **{f"smarty-quotes-{number}": ("'", '"') for number in range(15)},
}
TOKEN = re.compile(f"{STX}~([0-9]+){ETX}")  # a match, by number (Python-Markdown's own placeholders hold no '~')
ENTITY_START = re.compile(r"[0-9a-z#;]", re.I)  # what could complete a '&' written just before a mark


@dataclass(frozen=True)
class Stashed:
    """A mark the serializer would change (holding '<', say): stashed as raw HTML, as smarty stashes every mark."""

    html: str | etree.Element


@dataclass(frozen=True)
class Rule:
    """One of smarty's rules: where it matches, what it writes (a group of the match, or a mark), the marks it needs."""

    expression: re.Pattern[str]
    parts: tuple[int | str | Stashed, ...]
    needs: tuple[str, ...]

    @classmethod
    def of(cls, name: str, pattern: SubstituteTextPattern) -> Rule:
        expression = pattern.compiled_re
        quotes = tuple(quote for quote in ("'", '"') if quote in expression.pattern)  # a quote rule's own quotes
        needs = quotes if name.startswith("smarty-quotes-") and quotes else MARKS[name]
        parts = tuple(
            part if isinstance(part, int) or (isinstance(part, str) and writes_as_itself(part)) else Stashed(part)
            for part in pattern.replace
        )
        return cls(expression, parts, needs)


class Typographer(Treeprocessor):
    """smarty's rules applied to every text of the tree that smarty's own stage would go through."""

    def __init__(self, md: markdown.Markdown, rules: list[Rule]):
        super().__init__(md)
        self.rules = rules
        self.marks = tuple(sorted({mark for rule in rules for mark in rule.needs}))

    def run(self, root: etree.Element) -> None:
        elements = root.iter()
        next(elements)  # smarty's stage goes through the texts of the root's descendants, not the root's own
        for element in elements:
            text, tail = element.text, element.tail
            if text and not isinstance(text, AtomicString) and _holds(text, self.marks):
                element.text = self.educate(text)
            if tail and not isinstance(tail, AtomicString) and _holds(tail, self.marks):
                element.tail = self.educate(tail)

    def educate(self, text: str) -> str:
        """``text`` as smarty's stage leaves it (see :func:`educate`)."""
        return educate(text, self.rules, self._part)

    def _part(self, match: re.Match[str], part: int | str | Stashed) -> str:
        if isinstance(part, int):
            return match.group(part)
        return part if isinstance(part, str) else self.md.htmlStash.store(part.html)

    @classmethod
    def replace(cls, md: markdown.Markdown) -> None:
        """Swap the smarty extension's inline stage for a typographer with its rules.

        The stage is kept if its rules are not the ones this pass knows (another Python-Markdown, say).
        """
        rules = []
        for name, pattern in _smarty_patterns(md):  # in the order smarty tries them
            if name is None or type(pattern) is not SubstituteTextPattern or pattern.ANCESTOR_EXCLUDES:
                return  # a rule this pass does not know: keep smarty's own stage
            rules.append(Rule.of(name, pattern))
        if not rules:
            return
        md.treeprocessors.deregister("smarty")
        md.treeprocessors.register(cls(md, rules), "typography", 6)


def _holds(text: str, marks: tuple[str, ...]) -> bool:
    for mark in marks:  # noqa: SIM110 - a loop is quicker than any() or a regular expression here
        if mark in text:
            return True
    return False


def writes_as_itself(mark: str) -> bool:
    """Whether ``mark`` put in a text comes out of the serializer as smarty's raw HTML would: unchanged.

    It must hold no '<' or '>', no '&' that does not start a character reference, no placeholder
    characters, and must not start with what could end a '&' in the text just before it.
    """
    return (
        bool(mark)
        and not ENTITY_START.match(mark)
        and RE_AMP.search(mark) is None
        and not any(char in mark for char in "<>" + STX + ETX)
    )


@functools.lru_cache(maxsize=16)
def plain_rules(quotes: tuple[str, str]) -> list[Rule]:
    """smarty's quote rules for plain text (titles, summaries), with the language's double quotes as characters.

    Taken from the extension itself, as for bodies; dashes and ellipses are left as written in plain text.
    """
    md = markdown.Markdown(extensions=["smarty"], extension_configs={"smarty": smarty_config(quotes)})
    rules = []
    for name, pattern in _smarty_patterns(md):
        if name is not None and name.startswith("smarty-quotes-") and type(pattern) is SubstituteTextPattern:
            # the replacements as characters: plain text is escaped where it is printed, never stashed
            parts = tuple(
                html.unescape(part) if isinstance(part, str) else part if isinstance(part, int) else Stashed(part)
                for part in pattern.replace
            )
            rules.append(Rule(pattern.compiled_re, parts, Rule.of(name, pattern).needs))
    return rules


def smarty_config(quotes: tuple[str, str]) -> dict[str, dict[str, str]]:
    """The smarty extension's settings for a language's double quotes (« » in French); its single quotes stay
    ‘ ’, since the closing one is also the apostrophe every shipped language writes."""
    english = quotes == ("“", "”")
    return {"substitutions": {} if english else {"left-double-quote": quotes[0], "right-double-quote": quotes[1]}}


def _smarty_patterns(md: markdown.Markdown) -> list[tuple[str | None, object]]:
    """The smarty stage's rules in the order it tries them, each with its name in :data:`MARKS` (None: unknown);
    empty when there is no smarty stage to read."""
    stage = md.treeprocessors["smarty"] if "smarty" in md.treeprocessors else None  # noqa: SIM401 - a Registry has no get()
    registry = getattr(stage, "inlinePatterns", None)
    if registry is None:
        return []
    names = {id(registry[name]): name for name in MARKS if name in registry}
    return [(names.get(id(pattern)), pattern) for pattern in registry]


def typeset_plain(text: str, rules: list[Rule]) -> str:
    """Plain text with :func:`plain_rules` applied as bodies get theirs."""
    return educate(text, rules, lambda match, part: match.group(part) if isinstance(part, int) else str(part))


def educate(text: str, rules: list[Rule], write: Callable[[re.Match[str], int | str | Stashed], str]) -> str:
    """Each rule in turn, left to right, each match hidden from later rules as a token; then the tokens written.

    As in Python-Markdown 3.11's inline stage, a rule looks for its next match just past the one it
    replaced. Earlier versions look again from the start, which finds the same matches with smarty's
    rules: none can match just before a token where it did not match before the mark the token replaced.
    """
    written: list[str] = []
    for rule in rules:
        if not _holds(text, rule.needs):
            continue
        match = rule.expression.search(text)
        while match is not None:
            start = match.start()
            token = f"{STX}~{len(written)}{ETX}"
            written.append("".join(write(match, part) for part in rule.parts))
            text = text[:start] + token + text[match.end() :]
            match = rule.expression.search(text, start + len(token))
    return TOKEN.sub(lambda token: written[int(token.group(1))], text) if written else text
