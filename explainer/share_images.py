"""Share images: a 1200×630 PNG per page, shown by social networks and chat apps beside a shared link.

An image is drawn from a :class:`Card`: the few texts it shows (the site's title, the page's title, who makes a
claim and its verdict, a person's role, an event's date). Its bytes depend on nothing else but the bundled fonts and
this code (:func:`environment`), so a card's :meth:`Card.digest` tells a later build whether its image must be
drawn again (``RenderState.images`` in :mod:`explainer.rebuild`).

Text is never drawn as empty boxes: whether a bundled font has a glyph for every character is read from the font's
character map (with fontTools). A page title the bold font cannot draw (Thai, Chinese, …) falls back to the site's
title; a name, role or date it cannot draw is left out. Scripts written right to left are left out too: they need
bidirectional layout (and Arabic, shaping), which Pillow's basic layout, the one that gives the same pixels on every
machine, does not do.

Drawing is cheap enough to leave on (``benchmarks/share_images.py``): the background is made once, each glyph is
rasterised once per font size and process and then only blended in, and the PNG is written here as a 16-colour
palette image (4 bits a pixel) with zlib's fastest level, in about a third of the time Pillow's PNG encoder takes
for the same image. The canvas is two pixels wider than the image and its first two columns stay at colour 0, so its
packed rows are already PNG's rows, each led by the zero byte of filter type "None".
"""

from __future__ import annotations

import functools
import hashlib
import json
import struct
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from explainer.i18n import _, labelled, quoted
from explainer.model import QUESTION_STATUSES, Claim, Entry, Event, Person, Question
from explainer.pages import SEARCH_URL, Page
from explainer.statuses import DEFAULT_STATUSES, UNKNOWN_MARK, Statuses

if TYPE_CHECKING:  # Pillow is imported where images are drawn: a build that draws none does not pay for it
    from PIL import Image, ImageDraw

WIDTH, HEIGHT = 1200, 630
FILE_NAME = "share.png"
FONTS = "fonts"
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
DESIGN = "1"  # raise when the drawing changes: every image is drawn again

_RIGHT_TO_LEFT = frozenset({"R", "AL", "RLE", "RLO", "RLI"})

# a 16-colour palette: 0-13 a ramp from the background to white (antialiased text blends along it), 14 the accent
_BACKGROUND, _WHITE, _ACCENT = (16, 33, 54), (255, 255, 255), (242, 180, 0)
_RAMP = 13
INK, SOFT, MUTED, RULE, ACCENT = _RAMP, 11, 8, 3, 14
_PALETTE = bytes(
    channel
    for index in range(16)
    for channel in (
        tuple(b + (w - b) * index // _RAMP for b, w in zip(_BACKGROUND, _WHITE, strict=True))
        if index <= _RAMP
        else _ACCENT
    )
)

_SHIFT = 2  # blank columns left of the image: see the module's docstring
_MARGIN = 72
_TEXT_WIDTH = WIDTH - 2 * _MARGIN
_TITLE_SIZES = (64, 56, 48, 42)
_MAX_TEXT = 600  # characters of a title worth wrapping: more never fits


@dataclass(frozen=True)
class Card:
    """What one share image shows, after falling back from what the fonts cannot draw."""

    site_title: str  # "" when the same as the title, or not drawable
    title: str
    kind: str  # "Claim", "Person", …; "" for the story and the index pages
    claimant: str  # "Alec Baldwin says:" on a claim, punctuated as the language does
    verdict: str  # a claim's verdict or a question's status
    verdict_word: str  # the status in words ("" when not drawable: the mark stays)
    detail: str  # a person's role, an event's date
    verdict_mark: str = ""  # the status's mark, drawn before its word (a verdict is never colour alone)

    @property
    def is_question(self) -> bool:
        """A question's status is shown in a box, a claim's verdict in a pill (as on the site)."""
        return self.verdict in QUESTION_STATUSES

    def digest(self) -> str:
        """Everything the image's bytes depend on."""
        return hashlib.sha256(json.dumps([environment(), *astuple(self)]).encode("utf-8")).hexdigest()

    @property
    def alt(self) -> str:
        """What the image shows, in words."""
        if self.claimant:  # "Ada Quinn says: …" says it is a claim (a "Claim:" before it would be a second colon)
            main = f"{self.claimant} {self.title}"
        else:
            main = labelled(self.kind, self.title) if self.kind else self.title
        if self.detail:
            main += f", {self.detail}"
        if self.verdict_word:
            main += f"{'' if main.endswith(('.', '?', '!', '…')) else '.'} "
            word = self.verdict_word
            if self.is_question:
                main += _("Status: %(status)s", status=word)
            else:
                main += _("Our rating: %(rating)s", rating=word)
        return f"{self.site_title} — {main}" if self.site_title else main


@dataclass(frozen=True)
class ShareImage:
    """What a page's template says about its share image (``share_image()``)."""

    url: str
    alt: str
    width: int = WIDTH
    height: int = HEIGHT
    type: str = "image/png"


def enabled(social_cards: bool, base_url: str | None) -> bool:
    """Share images are made when ``social_cards`` is on and the site has an absolute address to point them at."""
    return social_cards and bool(base_url)


def has_image(page: Page) -> bool:
    """Every page but the 404 page, the search page and the embeddable cards has one."""
    return not page.is_not_found and page.path != SEARCH_URL and not page.is_embed


def image_path(page: Page) -> str:
    return page.path + FILE_NAME


def card_for(page: Page, site_title: str, base_url: str | None, statuses: Statuses = DEFAULT_STATUSES) -> Card:
    """The card of one page (reads of its entry are recorded when called while the page renders).

    A verdict is drawn as the site's mark and label for it (``statuses``)."""
    fonts = _fonts()
    entry: Entry | None = page.entry
    title, kind, claimant, verdict, detail = page.title, "", "", "", ""
    if entry is not None:
        kind = entry.kind_word
    if isinstance(entry, Claim):
        title = quoted(entry.quote) if entry.quote else entry.claim
        claimant = _("%(label)s:", label=entry.attribution) if entry.by else ""
        verdict = entry.status
    elif isinstance(entry, Person):
        detail = entry.role
    elif isinstance(entry, Event):
        detail = entry.date.human() if entry.date is not None else ""
        if entry.end_date is not None:  # as the page gives it: "May 2021 to June 2021"
            detail = f"{detail} {_('to')} {entry.end_date.human()}"
    elif isinstance(entry, Question):
        verdict = entry.status
    site_title, title = _clean(site_title), _clean(title)
    if not fonts.bold.covers(title):
        host = urlsplit(base_url or "").hostname or ""
        title = next((text for text in (site_title, host) if text and fonts.bold.covers(text)), "")
    if not fonts.regular.covers(site_title) or site_title == title:
        site_title = ""
    status = statuses.get(verdict) if verdict else None
    word = status.label if status else ""
    mark = status.mark if status and fonts.bold.covers(status.mark) else UNKNOWN_MARK
    return Card(
        site_title,
        title,
        kind,
        _drawable(fonts.regular, claimant),
        verdict,
        _drawable(fonts.bold, word),
        _drawable(fonts.regular, detail),
        mark if verdict else "",
    )


def plan_cards(
    pages: Iterable[Page], site_title: str, base_url: str | None, statuses: Statuses = DEFAULT_STATUSES
) -> dict[str, Card]:
    """Every image path and its card."""
    return {image_path(page): card_for(page, site_title, base_url, statuses) for page in pages if has_image(page)}


def draw_cards(cards: Sequence[tuple[str, Card]]) -> dict[str, bytes]:
    """The images of ``cards`` (path, card), drawn in this process."""
    return {path: draw(card) for path, card in cards}


def _clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _drawable(font: _Font, text: str) -> str:
    text = _clean(text)
    return text if font.covers(text) else ""


# --- fonts -------------------------------------------------------------------------------------------------------


class _Font:
    """One bundled font: the characters it has glyphs for, and its faces by size."""

    def __init__(self, path: Path):
        self.path = path
        self.digest = hashlib.sha256(path.read_bytes()).hexdigest()
        from fontTools.ttLib import TTFont  # here: only a build that makes images pays for importing it

        self.characters = frozenset(TTFont(str(path), lazy=True).getBestCmap())
        self.faces: dict[int, _Face] = {}

    def covers(self, text: str) -> bool:
        """Whether every character can be drawn, left to right without shaping."""
        characters = self.characters
        return all(ord(c) in characters and unicodedata.bidirectional(c) not in _RIGHT_TO_LEFT for c in text)

    def face(self, size: int) -> _Face:
        if size not in self.faces:
            self.faces[size] = _Face(self.path, size)
        return self.faces[size]


@dataclass(frozen=True)
class _Fonts:
    regular: _Font
    bold: _Font


@functools.cache
def _fonts() -> _Fonts:
    folder = Path(str(files("explainer.themes") / "default" / FONTS))  # in the default theme, as installed
    return _Fonts(_Font(folder / REGULAR), _Font(folder / BOLD))


@functools.cache
def environment() -> str:
    """What besides a card an image's bytes depend on: this design, the fonts, and the rasteriser and compressor."""
    import PIL
    from PIL import features

    fonts = _fonts()
    parts = [DESIGN, fonts.regular.digest, fonts.bold.digest, PIL.__version__, features.version("freetype2")]
    return hashlib.sha256(repr([*parts, zlib.ZLIB_RUNTIME_VERSION]).encode("utf-8")).hexdigest()


class _Face:
    """A font at one size, with each glyph rasterised once and then only blended in."""

    def __init__(self, path: Path, size: int):
        from PIL import ImageFont

        # the basic layout (no shaping library) gives the same pixels on every machine
        self.font = ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)
        self.size = size
        self.line_height = round(size * 1.22)
        self.advances: dict[str, float] = {}
        self.glyphs: dict[str, tuple[int, int, Image.Image] | None] = {}

    def width(self, text: str) -> float:
        advances, total = self.advances, 0.0
        for char in text:
            step = advances.get(char)
            if step is None:
                step = advances[char] = self.font.getlength(char)
            total += step
        return total

    def draw(self, canvas: ImageDraw.ImageDraw, x: float, y: int, text: str, ink: int) -> None:
        """``text`` with its top-left at (x, y) of the image."""
        x += _SHIFT
        for char in text:
            if char not in self.glyphs:
                self.glyphs[char] = self._rasterise(char)
            glyph = self.glyphs[char]
            if glyph is not None:
                left, top, mask = glyph
                canvas.bitmap((round(x) + left, y + top), mask, fill=ink)
            x += self.width(char)

    def _rasterise(self, char: str) -> tuple[int, int, Image.Image] | None:
        left, top, right, bottom = self.font.getbbox(char)
        if right <= left or bottom <= top:
            return None  # a space
        from PIL import Image, ImageDraw

        mask = Image.new("L", (int(right - left), int(bottom - top)), 0)
        ImageDraw.Draw(mask).text((-left, -top), char, font=self.font, fill=255)
        return int(left), int(top), mask

    def wrap(self, text: str, width: float, max_lines: int) -> tuple[list[str], bool]:
        """``text`` in lines of at most ``width``; whether it fits in ``max_lines`` (if not, the last ends in …)."""
        lines: list[str] = []
        line, line_width, space = "", 0.0, self.width(" ")
        for word in text[:_MAX_TEXT].split(" "):
            word_width = self.width(word)
            if line and line_width + space + word_width <= width:
                line, line_width = f"{line} {word}", line_width + space + word_width
                continue
            if line:
                lines.append(line)
            line, line_width = word, word_width
            while line_width > width and len(line) > 1:  # a word longer than a line breaks where it must
                cut = self._fitting(line, width)
                lines.append(line[:cut])
                line = line[cut:]
                line_width = self.width(line)
            if len(lines) > max_lines:
                break
        if line:
            lines.append(line)
        if len(lines) <= max_lines and len(text) <= _MAX_TEXT:
            return lines, True
        lines = lines[:max_lines]
        lines[-1] = self.shorten(lines[-1] + "…", width, force=True)
        return lines, False

    def shorten(self, text: str, width: float, force: bool = False) -> str:
        """``text`` if it fits in ``width``, else as much as fits followed by an ellipsis."""
        if not force and self.width(text) <= width:
            return text
        text = text.rstrip("…")
        while text and self.width(text + "…") > width:
            text = text[:-1]
        return text.rstrip() + "…"

    def _fitting(self, text: str, width: float) -> int:
        total = 0.0
        for index, char in enumerate(text):
            total += self.width(char)
            if total > width:
                return max(1, index)
        return len(text)


# --- drawing ---------------------------------------------------------------------------------------------------


@functools.cache
def _background() -> Image.Image:
    """The canvas every image starts from: the background, the accent bar and the rule under the header."""
    from PIL import Image, ImageDraw

    image = Image.new("P", (WIDTH + _SHIFT, HEIGHT), 0)
    image.putpalette(_PALETTE)
    canvas = ImageDraw.Draw(image)
    canvas.rectangle((_SHIFT, 0, _SHIFT + WIDTH - 1, 11), fill=ACCENT)
    canvas.rectangle((_SHIFT + _MARGIN, 110, _SHIFT + WIDTH - _MARGIN - 1, 111), fill=RULE)
    return image


@functools.cache
def _pill_end(height: int, stroke: int, right: bool) -> Image.Image:
    """An antialiased half ring (drawn four times larger, then reduced), for the ends of a claim's verdict."""
    from PIL import Image, ImageDraw

    scale = 4
    big = Image.new("L", (height * scale, height * scale), 0)
    box = (0, 0, height * scale - 1, height * scale - 1)
    ImageDraw.Draw(big).ellipse(box, outline=255, width=stroke * scale)
    ring = big.resize((height, height), Image.Resampling.BOX)
    half = height // 2
    return ring.crop((half, 0, height, height)) if right else ring.crop((0, 0, half, height))


def draw(card: Card) -> bytes:
    """The card's image as PNG bytes."""
    from PIL import ImageDraw

    fonts = _fonts()
    image = _background().copy()
    canvas = ImageDraw.Draw(image)
    header = fonts.regular.face(28)
    kind_width = header.width(card.kind.upper()) if card.kind else 0.0
    if card.kind:
        header.draw(canvas, WIDTH - _MARGIN - kind_width, 56, card.kind.upper(), MUTED)
    if card.site_title:
        room = _TEXT_WIDTH - (kind_width + 40 if card.kind else 0)
        header.draw(canvas, _MARGIN, 56, header.shorten(card.site_title, room), MUTED)

    y, bottom = 150, HEIGHT - 64
    if card.verdict:
        bottom -= 104  # the verdict's row
    if card.claimant:
        face = fonts.regular.face(36)
        face.draw(canvas, _MARGIN, y, face.shorten(card.claimant, _TEXT_WIDTH), SOFT)
        y += 58
    detail_face = fonts.regular.face(34)
    detail_lines: list[str] = []
    if card.detail:
        detail_lines, _cut = detail_face.wrap(card.detail, _TEXT_WIDTH, 2)
        bottom -= len(detail_lines) * detail_face.line_height + 16

    lines, face = _fit_title(card.title, bottom - y)
    for line in lines:
        face.draw(canvas, _MARGIN, y, line, INK)
        y += face.line_height
    y += 16
    for line in detail_lines:
        detail_face.draw(canvas, _MARGIN, y, line, SOFT)
        y += detail_face.line_height
    if card.verdict:
        _draw_verdict(canvas, card)
    return _png(image)


def _fit_title(title: str, height: int) -> tuple[list[str], _Face]:
    """The largest title size whose lines fit the height left; the smallest, shortened, when none does."""
    bold = _fonts().bold
    for size in _TITLE_SIZES:
        face = bold.face(size)
        max_lines = max(1, height // face.line_height)
        lines, fits = face.wrap(title, _TEXT_WIDTH, max_lines)
        if fits:
            return lines, face
    return lines, face


def _draw_verdict(canvas: ImageDraw.ImageDraw, card: Card) -> None:
    """The verdict as its mark and word in an outline: a pill for a claim, a box for a question."""
    face = _fonts().bold.face(38)
    mark = card.verdict_mark or UNKNOWN_MARK
    height, stroke, padding = 80, 4, 36
    word = face.shorten(card.verdict_word, _TEXT_WIDTH - 2 * padding - face.width(mark + "  "))
    text_width = face.width(mark) + (face.width("  " + word) if word else 0)
    top, left = HEIGHT - 64 - height, _MARGIN + _SHIFT
    right = left + int(text_width) + 2 * padding
    if not card.is_question:
        half = height // 2
        canvas.bitmap((left, top), _pill_end(height, stroke, right=False), fill=INK)
        canvas.bitmap((right - half, top), _pill_end(height, stroke, right=True), fill=INK)
        canvas.rectangle((left + half, top, right - half - 1, top + stroke - 1), fill=INK)
        canvas.rectangle((left + half, top + height - stroke, right - half - 1, top + height - 1), fill=INK)
    else:
        canvas.rectangle((left, top, right, top + height - 1), outline=INK, width=stroke)
    text_top = top + (height - face.size) // 2 - 4
    face.draw(canvas, left - _SHIFT + padding, text_top, mark, INK)
    if word:
        face.draw(canvas, left - _SHIFT + padding + face.width(mark + "  "), text_top, word, INK)


# --- PNG ---------------------------------------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


_PNG_START = (
    b"\x89PNG\r\n\x1a\n"
    + _chunk(b"IHDR", struct.pack(">IIBBBBB", WIDTH, HEIGHT, 4, 3, 0, 0, 0))  # 4-bit palette, not interlaced
    + _chunk(b"PLTE", _PALETTE)
)
_PNG_END = _chunk(b"IEND", b"")


def _png(image: Image.Image) -> bytes:
    """The image as a PNG: its packed rows are PNG's filtered rows (two blank pixels make each row's zero byte)."""
    rows = image.tobytes("raw", "P;4")
    return _PNG_START + _chunk(b"IDAT", zlib.compress(rows, 1)) + _PNG_END
