"""Where each line of a text element goes: one layout shared by the print PDF and the engraver.

The print renderer draws these lines as text in an embedded font; the engraver draws the same
lines as glyph outlines. Both start from this layout, so an engraved name lands exactly where
the printed one would. A layout names the emoji font its lines' emoji are drawn in, if any
(`renderers.linelayout`); a line's width, where the layout measures it, includes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from production.core.errors import RenderError
from production.core.geometry import IDENTITY, Box, Matrix
from production.core.model import TextElement
from renderers.fontfiles import font_program
from renderers.fonts import ResolvedFont
from renderers.linelayout import LaidLine, lay_line

__all__ = ["FABRIC_LINE_HEIGHT", "TextLayout", "font_notes", "layout_text"]

FABRIC_LINE_HEIGHT = 1.16
"""Fabric.js text line height, used only for text that has no SVG layout (old zips)."""


@dataclass(frozen=True, slots=True)
class TextLayout:
    """Lines of one text element: baseline starts in `matrix`'s units, at `size`."""

    font: ResolvedFont  # the face whose glyph runs (`shaping.shape`) the lines are drawn in
    size: float
    matrix: Matrix  # span units → preview units
    spans: tuple[tuple[str, float, float], ...]  # (line, x, y): baseline start, y down
    emoji_font: ResolvedFont | None = None  # the shop's emoji font, when a line has emoji

    def laid(self, line: str, *, ppem: float = 0.0) -> LaidLine:
        """One of the lines with its emoji placed (`ppem`: the print's pixels per em)."""
        return lay_line(self.font, line, self.emoji_font, ppem=ppem)


def layout_text(
    element: TextElement, font: ResolvedFont, emoji_font: ResolvedFont | None = None
) -> TextLayout:
    """The SVG's own tspan layout when it has one; old zips get their lines fitted to the box."""
    if element.svg is not None and element.tspans and element.font_size:
        spans = tuple((t.text, t.x, t.y) for t in element.tspans)
        return TextLayout(font, element.font_size, element.svg.matrix, spans, emoji_font)
    if element.box is not None:
        return _fit_into_box(font, element.lines, element.box, emoji_font)
    raise RenderError(f"text {element.label or element.name!r} has no place on the surface")


def _fit_into_box(
    font: ResolvedFont, lines: tuple[str, ...], box: Box, emoji_font: ResolvedFont | None
) -> TextLayout:
    """Centre the lines in the box at the largest size that fits."""
    # The font's whole height (ascent to descent) must fit, not just one em per line.
    program = font_program(font)
    ascent = program.ascent / program.units_per_em
    descent = program.descent / program.units_per_em  # negative: below the baseline
    extent = (len(lines) - 1) * FABRIC_LINE_HEIGHT + (ascent - descent)
    widths = [_em_width(font, line, emoji_font) for line in lines]  # at a size of 1
    widest = max(widths, default=0.0)
    size = box.height / extent
    if widest > 0:
        size = min(size, box.width / widest)
    top = box.y + (box.height - extent * size) / 2
    spans = []
    for index, line in enumerate(lines):
        width = widths[index] * size
        baseline = top + (ascent + index * FABRIC_LINE_HEIGHT) * size
        spans.append((line, box.x + (box.width - width) / 2, baseline))
    return TextLayout(font, size, IDENTITY, tuple(spans), emoji_font)


def _em_width(font: ResolvedFont, line: str, emoji_font: ResolvedFont | None) -> float:
    laid = lay_line(font, line, emoji_font, ppem=0.0)
    return laid.width / laid.text.units_per_em


def font_notes(element: TextElement, font: ResolvedFont) -> list[str]:
    """Warnings a person should see about the font chosen for `element`.

    Characters the font cannot draw are not among them: preflight holds the job for those.
    """
    notes = []
    if font.substituted_for:
        why = "metric-compatible substitute" if font.metric_compatible else "configured alias"
        notes.append(f"font {font.substituted_for!r} is printed as {font.family!r} ({why})")
    return notes
