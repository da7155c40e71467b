"""One laid-out line onto a print page: its text glyphs, its emoji, and how it reads back.

The text font's glyphs go through `renderers.glyphdraw.PageText`, the emoji through
`renderers.emoji_draw`, each emoji with an invisible glyph that reads as it
(`renderers.hiddentext`). A line that needs an ActualText (`renderers.extractable`) gets one;
if it has emoji too, one per stretch of text between them, each over its own glyphs: pdfium
drops characters beyond U+FFFC from an ActualText, so the emoji are read from their invisible
glyphs, in their places, between the stretches.
"""

from __future__ import annotations

from dataclasses import replace

from reportlab.pdfgen.canvas import Canvas

from renderers.emoji_draw import draw_emoji
from renderers.extractable import needs_actual_text, page_order
from renderers.glyphdraw import PageText
from renderers.glyphruns import GlyphRun
from renderers.linelayout import LaidLine

__all__ = ["draw_line"]


def draw_line(
    canvas: Canvas, page_text: PageText, laid: LaidLine, size: float, x: float, y: float
) -> None:
    """Draw `laid` at font size `size`, its baseline starting at (x, y) in y-down units."""
    run = laid.text
    if not needs_actual_text(laid.line, run.glyphs):
        page_text.draw(run, size, x, y)
    else:
        for text, stretch in _stretches(laid):
            left = min(glyph.x for glyph in stretch.glyphs) * run.scale(size)
            page_text.open_actual_text(text, run.font, size, x + left, y)
            page_text.draw(stretch, size, x, y)
            page_text.close_actual_text()
    for placed in laid.emoji:
        draw_emoji(canvas, placed, size, x, y, run.units_per_em)
        width = placed.run.width / placed.run.units_per_em
        start = x + placed.x * run.scale(size)
        page_text.draw_hidden(page_order(placed.text, rtl=placed.rtl), width, size, start, y)


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
