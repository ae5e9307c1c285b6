"""Who says what: the story's people and the claims they make, point by point, drawn as inline SVG.

A *disputed point* is a set of claims joined by ``disputes`` and ``supports``: claims that
support each other stand on one side, claims that dispute each other on opposite sides. The
picture is a small layered layout written here: on each point, the people in one column, the
claims they make in the next, a line from each person to each of their claims, and a line marked
"versus" between the two sides. No layout library is used: every box's size comes from wrapping
its text, which a graph layout library does not do, and with people beside their own claims and
each person's claims kept together no lines cross that a crossing-minimiser would have to untangle.

The picture is the same bytes for the same story, never needs JavaScript, reads at 320 px (a
narrow ``viewBox`` scaled to the column, text of 13 to 15 units: about 12 px there), and on a wide screen shows
the same drawings in two columns of points (``WhoSaysWhat.wide_svg``). Each claim's box is a link to its page,
so the picture is an image (``role="img"``, its title and description) with a layer of links over it. It says
every rating in words and a mark as well as in colour, sets a name whose longest word is wider than the people's column
smaller rather than break the word, takes its colours from the theme's custom properties
(``currentColor`` and the ``status-*`` classes), and escapes every writer's word. Templates show
the same points as a list (``WhoSaysWhat.points``), for screen readers and for anyone who cannot
see the picture. A big story draws at most ``MAX_POINTS`` points and ``MAX_CLAIMS`` claims, and
says what it left out.
"""

from __future__ import annotations

import math
import unicodedata
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from explainer.i18n import _, labelled, ngettext, shortened, typeset
from explainer.model import Claim, Event, Person, Question
from explainer.statuses import DEFAULT_STATUSES, Statuses

MAX_POINTS = 12  # blocks drawn, the "other claims" one included
MAX_CLAIMS = 20  # claims drawn in all: with its list and links, the pictures stay under 45 KB however long the words
MAX_PER_SIDE = 5  # claims drawn on one side of a point; the rest are counted
MAX_OTHER = 8  # claims no other claim disputes or supports, drawn only when there are this few


TITLE_ID = "who-says-what-title"
DESC_ID = "who-says-what-desc"
ID_PREFIX = "wsw-"  # of each point's drawing ("wsw-point-1") and each claim's title ("wsw-claim-<slug>")

# geometry, in viewBox units: the picture is WIDTH wide and scaled to the column
WIDTH = 320
TEXT = 14  # names and claims
SMALL = 13  # verdicts, "versus", "and 2 more"
HEAD = 15  # a point's heading
LINE = 18  # line height of TEXT
NAMES_WIDTH = 98  # the people's column, from x=0; wider when a name holds a longer word, up to MAX_NAMES_WIDTH
MAX_NAMES_WIDTH = 164  # the widest the column grows (claims keep 126 units): a longer word is broken
DOT_GAP = 6  # from the people's column to where a person's lines start
BOX_GAP = 28  # from the people's column to the claims' column
SUBJECT_LENGTH = 60  # a point named by its first claim: the claim cut at a word near this length
PADDING = 8  # inside a claim's box
GAP = 8  # between boxes, and between names
NAME_LINES = 3  # at least; a name beside several claims may take the lines their height allows
CLAIM_LINES = 8  # enough for a claim of two sentences: a box cut short misleads
SMALLEST_NAME = 9  # a name whose longest word is wider than the people's column is set smaller, down to this
COLUMN_GAP = 40  # between the wide picture's two columns of points
WIDE = 2 * WIDTH + COLUMN_GAP  # the wide picture: two columns of points, for screens with room for them


@dataclass(frozen=True)
class Columns:
    """Where the picture's columns are: the people's, from x=0, and the claims' boxes after it."""

    names: int = NAMES_WIDTH

    @property
    def dot(self) -> int:
        """Where a person's lines start."""
        return self.names + DOT_GAP

    @property
    def box(self) -> int:
        """Where the claims' boxes start."""
        return self.names + BOX_GAP

    @property
    def box_width(self) -> int:
        return WIDTH - self.box - 2

    @classmethod
    def fitting(cls, names: list[str]) -> Columns:
        """Columns whose people's column holds the longest word of ``names`` unbroken, up to MAX_NAMES_WIDTH."""
        widest = max((text_width(word, TEXT, bold=True) for name in names for word in name.split()), default=0)
        return cls(min(MAX_NAMES_WIDTH, max(NAMES_WIDTH, math.ceil(widest))))


@dataclass
class Side:
    """Claims on one side of a point, each person's claims together, and how many more were left out."""

    claims: list[Claim]
    more: int = 0

    @property
    def total(self) -> int:
        return len(self.claims) + self.more


@dataclass
class Point:
    """A disputed point (``number`` from 1) with its one or two sides, or the claims no other claim answers."""

    number: int | None  # None: the other claims
    sides: list[Side]
    others: bool = False
    subject: str = ""  # what the point is about, in words (see :func:`_subject`)

    @property
    def heading(self) -> str:
        """ "Point 1: Did Ann Lee pull the lever?", "Other claims"."""
        if self.number is None:
            return _("Other claims") if self.others else _("Claims")
        return _("Point %(number)s: %(subject)s", number=self.number, subject=self.subject)

    def side_label(self, index: int) -> str:
        """How the list names a side: "One side", "The other side" ("" when the point has one)."""
        if len(self.sides) < 2:
            return ""
        return _("One side") if index == 0 else _("The other side")


@dataclass(frozen=True)
class Hit:
    """Where a claim's box was drawn, and the page it links to: the wide picture lays a link over it."""

    point: int  # index of the point in the picture
    x: int
    y: int
    width: int
    height: int
    href: str
    label: str  # the id of the claim's <title>, which names its link


@dataclass
class WhoSaysWhat:
    """What the picture shows, the picture itself, and what a big story left out of both.

    ``svg`` is drawn for a column as narrow as a phone's (one point under another); ``wide_svg`` shows the same
    drawings, two columns of points side by side, for wide screens, by reference (``<use>``) to ``svg``'s, with
    a link over each claim's box: a few hundred bytes more. A page shows one of the two (CSS), never both."""

    points: list[Point]
    svg: Markup
    wide_svg: Markup = Markup("")
    people: list[Person] = field(default_factory=list)  # everyone drawn, in order of appearance
    points_left_out: int = 0  # disputed points not drawn
    claims_left_out: int = 0  # claims not drawn, on points drawn or not, or answered by no other claim

    @property
    def disputed_points(self) -> int:
        return sum(1 for point in self.points if point.number is not None)


def who_says_what(
    claims: list[Claim],
    people: list[Person],
    statuses: Statuses = DEFAULT_STATUSES,
    questions: Sequence[Question] = (),
) -> WhoSaysWhat | None:
    """The picture of who says what for ``claims`` in reading order; None when there are no claims or people.

    Each claim's verdict is drawn as its mark and label from ``statuses`` (the site's); each disputed point is
    named by the question about it, else the event its claims are about, else its first claim (``questions``
    in reading order)."""
    if not claims or not people:
        return None
    groups = _groups(claims)
    linked = [group for group in groups if len(group[0]) + len(group[1]) > 1]
    lone = [group[0][0] for group in groups if len(group[0]) + len(group[1]) == 1]
    points: list[Point] = []
    drawn = 0
    for first, second in linked:
        sides = [_side(first), *([_side(second)] if second else [])]
        size = sum(len(side.claims) for side in sides)
        if len(points) == MAX_POINTS or drawn + size > MAX_CLAIMS:
            break
        points.append(Point(len(points) + 1, sides, subject=_subject([*first, *second], questions)))
        drawn += size
    if lone and len(points) < MAX_POINTS and (not points or len(lone) <= MAX_OTHER):
        side = _side(lone, limit=min(MAX_OTHER, MAX_CLAIMS - drawn))
        if side.claims:
            points.append(Point(None, [side], others=bool(linked)))
            drawn += len(side.claims)
    if not points:
        return None
    shown = [person for point in points for side in point.sides for person in _speakers(side.claims)]
    everyone = list(dict.fromkeys(shown))
    narrow, wide = _svg(points, everyone, statuses)
    return WhoSaysWhat(
        points=points,
        svg=narrow,
        wide_svg=wide,
        people=everyone,
        points_left_out=len(linked) - sum(1 for point in points if point.number is not None),
        claims_left_out=len(claims) - drawn,
    )


# --- the points ---------------------------------------------------------------------------------


def _groups(claims: list[Claim]) -> list[tuple[list[Claim], list[Claim]]]:
    """Every set of claims joined by disputes or supports, as its two sides, in reading order.

    Sides come from walking the links breadth first from the set's first claim: a claim that
    supports another stands with it, one that disputes it stands opposite. Where the links
    contradict each other (A supports B, B disputes C, C supports A) a claim stays on the side
    it was first reached from; the list under the picture names every claim either way.
    """
    rank = {claim.key: index for index, claim in enumerate(claims)}
    links: dict[str, list[tuple[int, Claim, bool]]] = {claim.key: [] for claim in claims}
    for claim in claims:
        for attribute, together in (("disputes", False), ("supports", True)):
            for ref in getattr(claim, attribute):
                other = ref.entry
                if isinstance(other, Claim) and other.key in links and other is not claim:
                    links[claim.key].append((rank[other.key], other, together))
                    links[other.key].append((rank[claim.key], claim, together))
    side_of: dict[str, int] = {}
    groups = []
    for start in claims:
        if start.key in side_of:
            continue
        side_of[start.key] = 0
        members = [start]
        queue = deque([start])
        while queue:
            claim = queue.popleft()
            for _rank, other, together in sorted(links[claim.key], key=lambda link: (link[0], not link[2])):
                if other.key not in side_of:
                    side_of[other.key] = side_of[claim.key] ^ (0 if together else 1)
                    members.append(other)
                    queue.append(other)
        members.sort(key=lambda claim: rank[claim.key])
        groups.append(
            (
                [claim for claim in members if side_of[claim.key] == 0],
                [claim for claim in members if side_of[claim.key] == 1],
            )
        )
    return groups


def _speakers(claims: list[Claim]) -> list[Person]:
    """The people who make ``claims``, in order of first appearance."""
    found = [ref.entry for claim in claims for ref in claim.by if isinstance(ref.entry, Person)]
    return list(dict.fromkeys(found))


def _side(claims: list[Claim], limit: int = MAX_PER_SIDE) -> Side:
    """Claims in reading order, regrouped so that each person's claims sit together; at most ``limit`` drawn."""
    first_seen: dict[str, int] = {}
    for index, claim in enumerate(claims):
        for ref in claim.by:
            first_seen.setdefault(ref.target, index)
    order = {claim.key: index for index, claim in enumerate(claims)}

    def place(claim: Claim) -> tuple[int, int]:
        lead = first_seen[claim.by[0].target] if claim.by else order[claim.key]
        return lead, order[claim.key]

    ordered = sorted(claims, key=place)
    return Side(ordered[:limit], len(ordered) - len(ordered[:limit]))


def _subject(claims: list[Claim], questions: Sequence[Question]) -> str:
    """What a point is about: the question naming most of its claims in ``about``; else the event most of its
    claims name in ``about``, when at least two do; else its first claim, shortened."""
    keys = {claim.key for claim in claims}
    best: tuple[int, str] = (0, "")
    for question in questions:
        named = sum(1 for ref in question.about if ref.entry is not None and ref.entry.key in keys)
        if named > best[0]:
            best = (named, question.question)
    if best[1]:
        return best[1]
    events: dict[str, tuple[int, int, Event]] = {}  # key -> (claims naming it, first seen, event)
    for claim in claims:
        about = {ref.entry.key: ref.entry for ref in claim.about if isinstance(ref.entry, Event)}
        for key, event in about.items():
            count, seen, _event = events.get(key, (0, len(events), event))
            events[key] = (count + 1, seen, event)
    named_most = max(events.values(), key=lambda found: (found[0], -found[1]), default=None)
    if named_most is not None and named_most[0] >= 2:
        return named_most[2].title
    return shortened(claims[0].claim, SUBJECT_LENGTH)


# --- text ---------------------------------------------------------------------------------------

# em widths by kind of character, those of DejaVu Sans (Chromium's sans-serif on Linux, and one of the
# widest system fonts) rounded up, so that lines measured with them fit in narrower fonts too
_WIDTHS = (
    (set("ijlIJ,.:;/\\|'’ "), 0.34),
    (set("ftr!-()[]"), 0.43),
    (set('szc?"*_`'), 0.56),
    (set("w"), 0.84),
    (set("mMW@%…"), 1.0),
)
BOLD = 1.13  # DejaVu Sans Bold against its regular weight


def text_width(text: str, size: float, bold: bool = False) -> float:
    """How wide ``text`` is likely to be at ``size`` in a sans-serif system font, leaning wide.

    No font is at hand at build time: this adds up widths by kind of character, a little wider
    than the widest common system font has them, so wrapped lines fit whichever one a reader has.
    """
    total = 0.0
    for char in text:
        if unicodedata.east_asian_width(char) in ("W", "F"):
            total += 1.0
            continue
        for chars, em in _WIDTHS:
            if char in chars:
                total += em
                break
        else:
            total += 0.8 if char.isupper() else 0.65 if char.isalnum() else 0.84
    return total * size * (BOLD if bold else 1.0)


def wrap(text: str, width: float, size: float, max_lines: int, bold: bool = False) -> tuple[list[str], bool]:
    """``text`` in lines no wider than ``width``, at most ``max_lines`` (the last then ends in "…").

    Returns the lines and whether anything was cut."""

    def fits(line: str) -> bool:
        return text_width(line, size, bold) <= width

    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if fits(candidate):
            current = candidate
            continue
        if current:
            lines.append(current)
        while not fits(word) and "-" in word[:-1]:  # a hyphenated word breaks after its own hyphen first
            cut = max((n + 1 for n, char in enumerate(word[:-1]) if char == "-" and fits(word[: n + 1])), default=0)
            if not cut:
                break
            lines.append(word[:cut])
            word = word[cut:]
        while not fits(word) and len(word) > 1:  # a word longer than a line is broken where it must be
            cut = max(1, max((n for n in range(1, len(word)) if fits(word[:n] + "-")), default=1))
            lines.append(word[:cut] + "-")
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    if len(lines) <= max_lines:
        return lines, False
    whole = last = lines[max_lines - 1]
    while last and not fits(last + "…"):
        last = last[:-1]
    if len(last) < len(whole) and whole[len(last)] != " " and " " in last:  # cut at a word's end where one is near
        last = last[: last.rindex(" ")]
    lines = [*lines[: max_lines - 1], last.rstrip(" ,;:.-") + "…"]
    return lines, True


# --- the picture --------------------------------------------------------------------------------


def _text(x: int, y: int, lines: list[str], size: int = TEXT, extra: str = "") -> str:
    """One ``<text>`` element (the picture's own size, TEXT, unsaid); lines after the first are ``<tspan>`` rows."""
    sized = "" if size == TEXT else f' font-size="{size}"'
    rows = "".join(
        f"<tspan>{escape(line)}</tspan>" if index == 0 else f'<tspan x="{x}" dy="{LINE}">{escape(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    return f'<text x="{x}" y="{y}"{sized}{extra}>{rows if len(lines) > 1 else escape(lines[0])}</text>'


def _draw_side(
    side: Side, top: int, parts: list[str], statuses: Statuses, columns: Columns, hits: list[Hit], point: int
) -> int:
    """Draw one side's claims and the people who make them from ``top``; returns the bottom.

    Each claim's box is recorded in ``hits``: the picture lays a link to the claim's page over it (see
    :func:`_links`), named by the box's title: who says it, the claim and our rating."""
    centres: dict[str, int] = {}
    spans: dict[str, tuple[int, int]] = {}
    boxes: list[str] = []
    y = top
    box, box_width, dot = columns.box, columns.box_width, columns.dot
    # a narrower box holds as many words in more lines
    claim_lines = max(CLAIM_LINES, math.ceil(CLAIM_LINES * Columns().box_width / box_width))
    for claim in side.claims:
        lines, _cut = wrap(typeset(claim.claim), box_width - 2 * PADDING, TEXT, claim_lines)
        height = 45 + (len(lines) - 1) * LINE
        centres[claim.key] = y + height // 2
        spans[claim.key] = (y, y + height)
        status = statuses.get(claim.status)
        full = typeset(f"{labelled(claim.attribution, claim.claim)} ({status.label})")
        rating, _cut = wrap(f"{status.mark} {status.label}", box_width - 2 * PADDING, SMALL, 1, bold=True)
        label = f"{ID_PREFIX}claim-{claim.slug}"
        href = escape(f"xref:{claim.path}")
        hits.append(Hit(point, box, y + 1, box_width, height - 2, href, label))
        boxes.append(
            f'<g><title id="{label}">{escape(full)}</title>'
            f'<g class="status-{escape(status.style)}" data-status="{escape(status.id)}">'
            f'<rect x="{box}" y="{y + 1}" width="{box_width}" height="{height - 2}" rx="6" fill="none" '
            f'stroke="currentColor" stroke-width="1.5"/>'
            + _text(box + PADDING, y + 18, rating, SMALL, ' font-weight="700" fill="currentColor"')
            + "</g>"
            + _text(box + PADDING, y + 36, lines)
            + "</g>"
        )
        y += height + GAP
    bottom = y - GAP
    # people beside the middle of their claims, pushed down where they would overlap
    people = _speakers(side.claims)
    wanted = []
    for index, person in enumerate(people):
        mine = [claim.key for claim in side.claims if any(ref.entry is person for ref in claim.by)]
        room = max(spans[key][1] for key in mine) - min(spans[key][0] for key in mine)
        wanted.append((sum(centres[key] for key in mine) // len(mine), index, person, max(NAME_LINES, room // LINE)))
    below = top
    names: list[str] = []
    joins: list[str] = []
    for centre, _order, person, most in sorted(wanted, key=lambda item: (item[0], item[1])):
        name = typeset(person.title)
        size = _name_size(name, columns.names)
        lines, cut = wrap(name, columns.names, size, most, bold=True)
        height = len(lines) * LINE
        name_top = max(centre - height // 2, below)
        middle = name_top + height // 2
        title = f"<title>{escape(name)}</title>" if cut else ""
        names.append(f"<g>{title}" + _text(0, name_top + 13, lines, size, ' font-weight="700"') + "</g>")
        names.append(f'<circle cx="{dot}" cy="{middle}" r="3"/>')
        for claim in side.claims:
            if any(ref.entry is person for ref in claim.by):
                end = centres[claim.key]
                joins.append(f"M{dot} {middle}C{dot + 12} {middle} {box - 12} {end} {box} {end}")
        below = name_top + height + GAP
        bottom = max(bottom, name_top + height)
    if joins:
        parts.append(f'<path d="{"".join(joins)}" fill="none" stroke="currentColor" stroke-opacity=".6"/>')
    parts.extend(names)
    parts.extend(boxes)
    if side.more:
        more = ngettext("and %(num)s more on this side", "and %(num)s more on this side", side.more)
        parts.append(_text(box + PADDING, bottom + 20, [more], SMALL, ' font-style="italic"'))
        bottom += 28
    return bottom


def _name_size(name: str, width: int) -> int:
    """The size a name is set at: TEXT, or smaller when its longest word would not fit the people's column
    whole (our wrapping never breaks a name's word: "Anwohnerinitiative", not "Anwohneriniti-ative")."""
    widest = max((text_width(word, TEXT, bold=True) for word in name.split()), default=0)
    if widest <= width:
        return TEXT
    return max(SMALLEST_NAME, math.floor(TEXT * width / widest))


def _draw_point(
    point: Point, drawn: int, top: int, parts: list[str], statuses: Statuses, columns: Columns, hits: list[Hit]
) -> int:
    """Draw a point's heading, its sides and the line between them from ``top``; returns the bottom. ``drawn``:
    how many points are drawn above it."""
    parts.append(f'<g id="{ID_PREFIX}point-{drawn + 1}">')
    heading, _cut = wrap(typeset(point.heading), WIDTH, HEAD, 3, bold=True)
    parts.append(_text(0, top + 15, heading, HEAD, ' font-weight="700"'))
    rule = top + 15 + (len(heading) - 1) * LINE + 9
    parts.append(f'<path d="M0 {rule}H{WIDTH}" stroke="currentColor" stroke-opacity=".35"/>')
    y = rule + 12
    for index, side in enumerate(point.sides):
        if index:
            middle = y + 16
            versus = _("versus")
            half = int(text_width(versus, SMALL) / 2) + 8
            parts.append(
                f'<path d="M0 {middle}H{WIDTH // 2 - half}M{WIDTH // 2 + half} {middle}H{WIDTH}" '
                f'stroke="currentColor" stroke-width="1.5" stroke-dasharray="5 4"/>'
            )
            parts.append(
                f'<text x="{WIDTH // 2}" y="{middle + 5}" font-size="{SMALL}" font-style="italic" '
                f'text-anchor="middle">{escape(versus)}</text>'
            )
            y += 32
        y = _draw_side(side, y, parts, statuses, columns, hits, drawn) + 12
    parts.append("</g>")
    return y - 12


def _svg(points: list[Point], people: list[Person], statuses: Statuses) -> tuple[Markup, Markup]:
    """The picture for a narrow column, and the same drawings in two columns for a wide one."""
    parts: list[str] = []
    hits: list[Hit] = []
    spans: list[tuple[int, int]] = []  # each point's top and bottom in the narrow picture
    y = 0
    columns = Columns.fitting([typeset(person.title) for person in people])
    for index, point in enumerate(points):
        bottom = _draw_point(point, index, y, parts, statuses, columns, hits)
        spans.append((y, bottom))
        y = bottom + 28
    height = y - 28 + 2
    claims = sum(len(side.claims) for point in points for side in point.sides)
    disputed = sum(1 for point in points if point.number is not None)
    counts = " ".join(
        (
            ngettext("%(num)s claim", "%(num)s claims", claims),
            ngettext("by %(num)s person.", "by %(num)s people.", len(people)),
        )
    )
    if disputed:
        title = _("Who says what on each disputed point")
        about = ngettext("%(num)s disputed point", "%(num)s disputed points", disputed)
        if disputed < len(points):
            about = _("%(points)s and the claims no other claim disputes or supports", points=about)
        how = _(
            "Each name is joined by a line to the claims that person makes, each claim shows our rating of it "
            "in words, and a line marked versus divides the two sides of a point."
        )
    else:
        title = _("Who says what")
        about = _("The claims in this story")
        how = _(
            "Each name is joined by a line to the claims that person makes, each claim shows our rating of it in words."
        )
    same = _("The list below says the same.")
    desc = f"{labelled(about, counts)} {how} {same}"
    # an image, named by its title and described by its description; the links to the claims lie in a layer of
    # their own over it (an image's content is hidden from assistive technology, a link in it would be too)
    named = f'role="img" aria-labelledby="{TITLE_ID}" aria-describedby="{DESC_ID}"'
    narrow = _picture(
        "wsw-narrow",
        WIDTH,
        height,
        named,
        f'<title id="{TITLE_ID}">{escape(title)}</title><desc id="{DESC_ID}">{escape(desc)}</desc>' + "".join(parts),
        _links(hits, [(0, 0)] * len(spans)),
    )
    return narrow, _wide(spans, hits, named)


def _picture(kind: str, width: int, height: int, named: str, drawing: str, links: str) -> Markup:
    """The drawing as an image, and over it a layer of the same size holding a link over each claim's box."""
    size = f'viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
    return Markup(
        f'<div class="wsw-pic {kind}-pic">'
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{kind}" {size} {named} fill="currentColor" '
        f'font-size="{TEXT}">{drawing}</svg>'
        f'<svg xmlns="http://www.w3.org/2000/svg" class="wsw-links" {size} role="group" '
        f'aria-labelledby="{TITLE_ID}">{links}</svg></div>'
    )


def _links(hits: list[Hit], offsets: list[tuple[int, int]]) -> str:
    """A link over each claim's box, to its page (``xref:`` marks it, resolved for the page that shows the
    picture), named by the box's title, each point's moved by its offset. The links are laid over the drawings,
    not put in them: the wide picture shows the drawings by reference (``<use>``), and a link inside them would be
    focusable there a second time."""
    return "".join(
        f'<a href="{hit.href}" aria-labelledby="{hit.label}"><rect class="wsw-hit" x="{hit.x + offsets[hit.point][0]}" '
        f'y="{hit.y + offsets[hit.point][1]}" width="{hit.width}" height="{hit.height}" rx="6" fill="transparent"/></a>'
        for hit in hits
    )


def _wide(spans: list[tuple[int, int]], hits: list[Hit], named: str) -> Markup:
    """Two columns of points: each point goes under the shorter column, in order, drawn by reference to the
    narrow picture's drawing of it, with a link over each claim's box (named by the same title)."""
    tops = [0, 0]
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    for index, (top, bottom) in enumerate(spans):
        column = 0 if tops[0] <= tops[1] else 1
        dx, dy = column * (WIDTH + COLUMN_GAP), tops[column] - top
        parts.append(f'<use href="#{ID_PREFIX}point-{index + 1}" x="{dx}" y="{dy}" aria-hidden="true"/>')
        offsets.append((dx, dy))
        tops[column] += bottom - top + 28
    height = max(tops) - 28 + 2
    return _picture("wsw-wide", WIDE, height, named, "".join(parts), _links(hits, offsets))
