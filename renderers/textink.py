"""Where a text puts ink: the bounds of its glyphs as the print draws them, and their outlines.

Preflight's extents and the proof check ask every text surface where its letters are; the
engraver (`renderers.outlines`) draws the same glyphs as paths. Both take the glyphs from the
face the print renderer embeds (`renderers.fontfiles`) and place them from one glyph run per
line, so the ink measured here is the ink printed or engraved. This module loads no emoji
machinery: a layout with emoji brings its glyphs along.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from production.core.errors import RenderError
from production.core.geometry import Box, Matrix, Point
from renderers.fontfiles import FontProgram, font_program
from renderers.fonts import ResolvedFont
from renderers.glyphbounds import ink_bounds
from renderers.textlayout import TextLayout

if TYPE_CHECKING:
    from renderers.emoji_glyphs import EmojiGlyph
    from renderers.vectors import VectorPath

__all__ = ["FaceGlyphs", "face_glyphs", "placed_emoji", "placed_glyphs", "text_ink"]


@dataclass(slots=True, eq=False)
class FaceGlyphs:
    """One face's glyph set, with every outline drawn so far (font units), by glyph id."""

    program: FontProgram
    drawn: dict[int, VectorPath] = field(default_factory=dict)
    bounds: dict[int, tuple[float, float, float, float] | None] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def outline(self, gid: int) -> VectorPath:
        with self.lock:
            path = self.drawn.get(gid)
            if path is None:
                from renderers.vectors import PathPen  # outlines: the engraver's, fontTools'

                glyph_set = self.program.glyph_set
                pen = PathPen(glyph_set)
                with self.program.lock:
                    glyph_set[self.program.glyph_order[gid]].draw(pen)
                path = self.drawn[gid] = pen.path()
            return path

    def ink(self, gid: int) -> tuple[float, float, float, float] | None:
        """The glyph's ink bounds (xMin, yMin, xMax, yMax, font units), None if it draws none."""
        with self.lock:
            if gid not in self.bounds:
                # Measured through HarfBuzz: no fontTools glyph set to read for a print.
                self.bounds[gid] = ink_bounds(self.program, gid)
            return self.bounds[gid]


def text_ink(font: ResolvedFont, layout: TextLayout) -> Box | None:
    """Where the layout's glyphs put ink, in preview units (the bounds of every glyph's box).

    Glyphs are placed as `renderers.outlines.text_outlines` places them, so this is the ink of
    the printed text exactly, up to the rotation of the glyph boxes; None when the lines draw
    nothing (spaces only).
    """
    glyphs = face_glyphs(font)
    corners: list[Point] = []
    for gid, place in placed_glyphs(layout):
        ink = glyphs.ink(gid)
        if ink is not None:
            corners += _corners(ink, place)
    for emoji, place in placed_emoji(layout):
        ink = _emoji_ink(emoji)
        if ink is not None:
            corners += _corners(ink, place)
    return Box.bounding(corners) if corners else None


def _corners(ink: tuple[float, float, float, float], place: Matrix) -> list[Point]:
    x0, y0, x1, y1 = ink
    return [place.apply(px, py) for px in (x0, x1) for py in (y0, y1)]


def placed_glyphs(layout: TextLayout) -> Iterator[tuple[int, Matrix]]:
    """Each text glyph of each line with its font units → preview units matrix."""
    for line, x, y in layout.spans:
        run = layout.laid(line).text
        scale = run.scale(layout.size)
        for glyph in run.glyphs:
            # Font units are y up from the baseline; span units are y down.
            origin_x, origin_y = x + glyph.x * scale, y - glyph.y * scale
            yield glyph.gid, Matrix(scale, 0, 0, -scale, origin_x, origin_y).then(layout.matrix)


def placed_emoji(layout: TextLayout) -> Iterator[tuple[EmojiGlyph, Matrix]]:
    """Each emoji glyph of each line with its emoji font units → preview units matrix."""
    if layout.emoji_font is None:
        return
    for line, x, y in layout.spans:
        laid = layout.laid(line)
        for placed in laid.emoji:
            s = placed.run.scale(layout.size)
            x0 = x + placed.x * layout.size / laid.text.units_per_em
            for glyph in placed.run.glyphs:
                place = Matrix(s, 0, 0, -s, x0 + glyph.x * s, y - glyph.y * s)
                yield glyph, place.then(layout.matrix)


def _emoji_ink(glyph: EmojiGlyph) -> tuple[float, float, float, float] | None:
    """The box an emoji glyph fills (font units, y up): its picture's, or its layers' bounds."""
    if glyph.picture is not None:
        p = glyph.picture
        return (p.x_min, p.y_min, p.x_max, p.y_max)
    points = [v for layer in glyph.layers for _, values in layer.path for v in values]
    if not points:
        return None
    xs, ys = points[0::2], points[1::2]
    return (min(xs), min(ys), max(xs), max(ys))


def face_glyphs(font: ResolvedFont) -> FaceGlyphs:
    """The glyphs of the face `font` names, read once per version of its file."""
    try:
        return _glyphs(font_program(font))
    except (OSError, KeyError, ValueError) as exc:
        raise RenderError(f"font file {font.path.name} cannot be read for outlines") from exc


@lru_cache(maxsize=32)
def _glyphs(program: FontProgram) -> FaceGlyphs:
    """The outlines drawn so far of one face (a new version of its file is a new program)."""
    return FaceGlyphs(program)
