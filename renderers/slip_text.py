"""Text on packing slips and job sheets: any script the installed fonts have, shaped and embedded.

A slip quotes what the shop and Amazon wrote: product names, listing options, surface names,
and the buyer's gift message, which may be Japanese or Arabic. Each line is set in the first
family of `SLIP_FAMILIES` that has every one of its characters (DejaVu Sans covers Latin,
Greek, Cyrillic, Hebrew and Arabic; Noto Sans CJK JP covers Japanese and Chinese with Latin),
shaped by HarfBuzz and embedded like the print files' text (`renderers.linedraw`), so it reads
back from the PDF as written. A line none of them covers whole is set in the one that lacks the
fewest characters: a slip is never refused for a glyph, it is not the print.

Coordinates are PDF points, y down from the page's top: `SlipCanvas` flips the page once.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

import regex
from reportlab.pdfgen.canvas import Canvas

from production.core.errors import MissingFontError, RenderError
from renderers.bidi import embedding_levels
from renderers.emoji import split_emoji
from renderers.fontcoverage import missing_glyphs
from renderers.fontfiles import font_program
from renderers.fonts import FontIndex, ResolvedFont
from renderers.glyphdraw import PageText, page_canvas
from renderers.linedraw import draw_line
from renderers.linelayout import LaidLine, lay_line

__all__ = ["DEFAULT_EMOJI_FAMILY", "SLIP_FAMILIES", "SlipCanvas", "SlipFonts", "is_right_to_left"]

SLIP_FAMILIES: tuple[str, ...] = (
    "DejaVu Sans",  # fonts-dejavu-core
    "Noto Sans CJK JP",  # fonts-noto-cjk
    "Noto Sans",  # fonts-noto-core, as are the rest
    "Noto Naskh Arabic",
    "Noto Sans Hebrew",
    "Noto Sans Devanagari",
    "Noto Sans Thai",
)
"""The families slip text is set in, in the order they are tried for a line."""
DEFAULT_EMOJI_FAMILY = "Noto Color Emoji"  # fonts-noto-color-emoji
_EMOJI_PPEM = 72.0  # the bitmap strike an emoji is drawn from: sharp at 300 dpi on a slip

_WORD = regex.compile(r"\S+\s*|\s+")
_CLUSTER = regex.compile(r"\X", regex.DOTALL)


class SlipFonts:
    """Picks the face a line is set in from the families the machine has (cached per line).

    Emoji are drawn from `emoji` (the shop's emoji family, `[fonts] emoji`) when it is
    installed, as on the print files; without one they are the text font's (boxes, mostly).
    """

    def __init__(
        self,
        index: FontIndex,
        families: Sequence[str] = SLIP_FAMILIES,
        *,
        emoji: str | None = DEFAULT_EMOJI_FAMILY,
    ) -> None:
        self._faces: dict[bool, list[ResolvedFont]] = {}
        self._index = index
        self._families = tuple(families)
        self._chosen: dict[tuple[str, bool], ResolvedFont] = {}
        self._emoji_family = emoji
        self._emoji: ResolvedFont | bool | None = False  # False: not looked for yet

    def for_line(self, line: str, *, bold: bool = False) -> ResolvedFont:
        key = (line, bold)
        if key not in self._chosen:
            self._chosen[key] = self._choose(_without_emoji(line), bold)
        return self._chosen[key]

    @property
    def emoji(self) -> ResolvedFont | None:
        if self._emoji is False:
            try:
                family = self._emoji_family
                self._emoji = self._index.resolve(family) if family else None
            except MissingFontError:
                self._emoji = None
        return self._emoji if isinstance(self._emoji, ResolvedFont) else None

    def _choose(self, line: str, bold: bool) -> ResolvedFont:
        faces = self._installed(bold)
        best, fewest = faces[0], len(line) + 1
        for face in faces:
            missing = len(missing_glyphs(face, line))
            if missing == 0:
                return face
            if missing < fewest:
                best, fewest = face, missing
        return best

    def _installed(self, bold: bool) -> list[ResolvedFont]:
        if bold not in self._faces:
            faces = []
            for family in self._families:
                try:
                    faces.append(self._index.resolve(family, weight=700 if bold else 400))
                except MissingFontError:
                    if bold:  # a family without a bold face still sets the line
                        faces.extend(f for f in self._installed(False) if f.family == family)
            if not faces:
                raise RenderError(
                    f"none of the slip's fonts is installed ({', '.join(self._families)}): "
                    "install fonts-dejavu-core"
                )
            self._faces[bold] = faces
        return self._faces[bold]


@dataclass(slots=True)
class SlipCanvas:
    """One page being drawn, y down in points; `finish()` gives the PDF's bytes."""

    width: float
    height: float
    fonts: SlipFonts
    title: str
    _out: io.BytesIO = field(default_factory=io.BytesIO)
    canvas: Canvas = field(init=False)
    _text: PageText = field(init=False)

    def __post_init__(self) -> None:
        self.canvas = page_canvas(self._out, pagesize=(self.width, self.height), invariant=True)
        # The title names the order: the retention audit finds the file by it (as a print's).
        self.canvas.setTitle(self.title)
        self.canvas.setSubject(self.title)
        self.canvas.setAuthor("")
        self.canvas.setCreator("amazon-custom-production")
        self.canvas.setProducer("amazon-custom-production")
        self.canvas.transform(1, 0, 0, -1, 0, self.height)  # y down from here on
        self._text = PageText(self.canvas)

    def laid(self, line: str, *, bold: bool = False) -> LaidLine:
        font = self.fonts.for_line(line, bold=bold)
        return lay_line(font, line, self.fonts.emoji, ppem=_EMOJI_PPEM)

    def width_of(self, line: str, size: float, *, bold: bool = False) -> float:
        laid = self.laid(line, bold=bold)
        return laid.width * laid.text.scale(size)

    def line(
        self, line: str, x: float, y: float, size: float, *, bold: bool = False, right: float = 0
    ) -> None:
        """Draw `line` with its baseline at `y`, from `x`; a right-to-left line ends at `right`
        instead (when given), as it reads."""
        if not line.strip():
            return
        laid = self.laid(line, bold=bold)
        if right and is_right_to_left(line):
            x = right - laid.width * laid.text.scale(size)
        draw_line(self.canvas, self._text, laid, size, x, y)

    def line_height(self, line: str, size: float) -> float:
        program = font_program(self.fonts.for_line(line))
        return (program.ascent - program.descent) / program.units_per_em * size * 1.15

    def wrap(self, text: str, size: float, width: float, *, bold: bool = False) -> list[str]:
        """`text` in lines at most `width` wide: at spaces, or between characters for a word
        too long (Japanese has no spaces); the text's own line breaks kept."""
        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            lines.extend(self._wrap_paragraph(paragraph.strip(), size, width, bold))
        return lines

    def _wrap_paragraph(self, text: str, size: float, width: float, bold: bool) -> list[str]:
        lines: list[str] = []
        current = ""
        for word in _WORD.findall(text):
            if self.width_of((current + word).rstrip(), size, bold=bold) <= width:
                current += word
                continue
            if current.strip():
                lines.append(current.rstrip())
            current = ""
            for cluster in _CLUSTER.findall(word):
                if current and self.width_of(current + cluster, size, bold=bold) > width:
                    lines.append(current.rstrip())
                    current = ""
                current += cluster
        if current.strip() or not lines:
            lines.append(current.rstrip())
        return lines

    def new_page(self) -> None:
        """End this page (its text written) and go on to the next, y down again."""
        self._text.finish()
        self.canvas.showPage()
        self.canvas.transform(1, 0, 0, -1, 0, self.height)
        self._text = PageText(self.canvas)

    def finish(self) -> bytes:
        self._text.finish()
        self.canvas.showPage()
        self.canvas.save()
        return self._out.getvalue()


def _without_emoji(line: str) -> str:
    """The line's characters a text font must have (its emoji come from the emoji font)."""
    if line.isascii():
        return line
    return "".join(run for run, emoji in split_emoji(line) if not emoji)


def is_right_to_left(line: str) -> bool:
    """The line's paragraph direction (its first strong character's) is right to left."""
    levels = embedding_levels(line)
    return bool(levels) and min(levels) % 2 == 1
