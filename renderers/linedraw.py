"""One laid-out line onto a print page: its text glyphs, its emoji, and how it reads back.

The text font's glyphs go through `renderers.glyphdraw.PageText`, the emoji through
`renderers.emoji_draw`, each emoji with an invisible glyph that reads as it
(`renderers.hiddentext`), the text cut into one text object per stretch between emoji, so
that a reader, which orders a line's text objects by where they start, reads each emoji in
its place. A line that needs an ActualText (`renderers.extractable`) gets one;
if it has emoji too, one per stretch of text between them, each over its own glyphs: pdfium
drops characters beyond U+FFFC from an ActualText, so the emoji are read from their invisible
glyphs, in their places, between the stretches.
"""

from __future__ import annotations

import bisect
from dataclasses import replace

from reportlab.pdfgen.canvas import Canvas

from renderers.extractable import needs_actual_text, page_order
from renderers.glyphdraw import PageText
from renderers.glyphruns import GlyphRun, PlacedGlyph
from renderers.linelayout import LaidLine

__all__ = ["draw_line"]


def draw_line(
    canvas: Canvas, page_text: PageText, laid: LaidLine, size: float, x: float, y: float
) -> None:
    """Draw `laid` at font size `size`, its baseline starting at (x, y) in y-down units."""
    run = laid.text
    if not needs_actual_text(laid.line, run.glyphs):
        for piece in _between_emoji(laid):
            page_text.draw(piece, size, x, y)
    else:
        for text, stretch in _stretches(laid):
            left = min(glyph.x for glyph in stretch.glyphs) * run.scale(size)
            page_text.open_actual_text(text, run.font, size, x + left, y)
            page_text.draw(stretch, size, x, y)
            page_text.close_actual_text()
    if laid.emoji:
        _draw_emoji(canvas, page_text, laid, size, x, y)


def _draw_emoji(
    canvas: Canvas, page_text: PageText, laid: LaidLine, size: float, x: float, y: float
) -> None:
    """Each emoji as a picture or paths, with its invisible glyph that reads as it."""
    from renderers.emoji_draw import draw_emoji  # loaded for a line that has emoji only

    run = laid.text
    for placed in laid.emoji:
        draw_emoji(canvas, placed, size, x, y, run.units_per_em)
        width = placed.run.width / placed.run.units_per_em
        start = x + placed.x * run.scale(size)
        page_text.draw_hidden(page_order(placed.text, rtl=placed.rtl), width, size, start, y)


def _between_emoji(laid: LaidLine) -> list[GlyphRun]:
    """The text glyphs cut where the emoji stand, left to right: one text object each.

    A reader orders the text objects of a line by where they start; a single object for the
    whole line would put every emoji (each its own object) after all of the text.
    """
    edges = sorted(placed.x for placed in laid.emoji)
    pieces: dict[int, list[PlacedGlyph]] = {}
    for glyph in laid.text.glyphs:
        pieces.setdefault(bisect.bisect_right(edges, glyph.x), []).append(glyph)
    return [replace(laid.text, glyphs=tuple(pieces[key])) for key in sorted(pieces)]


def _stretches(laid: LaidLine) -> list[tuple[str, GlyphRun]]:
    """The text between the emoji (logical order), each with its glyphs; none left empty."""
    cuts = sorted((e.start, e.start + len(e.text)) for e in laid.emoji)
    bounds, start = [], 0
    for cut_start, cut_end in cuts:
        bounds.append((start, cut_start))
        start = cut_end
    bounds.append((start, len(laid.line)))
    stretches = []
    for first, end in bounds:
        glyphs = tuple(g for g in laid.text.glyphs if first <= g.cluster < end)
        if glyphs:
            stretches.append((laid.line[first:end], replace(laid.text, glyphs=glyphs)))
    return stretches
