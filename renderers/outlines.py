"""Text as glyph outlines: what a laser gets instead of fonts.

The outlines come from the very face the print renderer embeds (`renderers.fontfiles`), and
both take their glyphs from one glyph run per line (`renderers.shaping.shape`): the same
glyph ids at the same positions, so what a laser engraves is exactly what a printer prints.

Emoji come from the emoji font (`renderers.linelayout`) as the print has them: a monochrome
emoji font's outlines, or a COLR font's layers all merged into one shape (a laser has one
colour). A colour picture has no outline: it is left out (`emoji_pictures` says when, and the
engraver holds the job).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from fontTools.pens.boundsPen import BoundsPen

from production.core.errors import RenderError
from production.core.geometry import Box, Matrix, Point
from renderers.emoji_glyphs import EmojiGlyph
from renderers.fontfiles import FontProgram, font_program
from renderers.fonts import ResolvedFont
from renderers.textlayout import TextLayout
from renderers.vectors import PathPen, Segment, VectorPath, transform_path

__all__ = ["emoji_pictures", "text_ink", "text_outlines"]


@dataclass(slots=True, eq=False)
class _Glyphs:
    """One face's glyph set, with every outline drawn so far (font units), by glyph id."""

    program: FontProgram
    drawn: dict[int, VectorPath] = field(default_factory=dict)
    bounds: dict[int, tuple[float, float, float, float] | None] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def outline(self, gid: int) -> VectorPath:
        with self.lock:
            path = self.drawn.get(gid)
            if path is None:
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
                glyph_set = self.program.glyph_set
                pen = BoundsPen(glyph_set)
                with self.program.lock:
                    glyph_set[self.program.glyph_order[gid]].draw(pen)
                self.bounds[gid] = pen.bounds
            return self.bounds[gid]


def text_outlines(font: ResolvedFont, layout: TextLayout, to_page: Matrix) -> VectorPath:
    """Every glyph of the layout's lines as one path, mapped by `to_page` (span units → page)."""
    glyphs = _glyphs_of(font)
    segments: list[Segment] = []
    for gid, place in _placed_glyphs(layout):
        segments += transform_path(glyphs.outline(gid), place.then(to_page))
    for emoji, place in _placed_emoji(layout):
        for layer in emoji.layers:
            segments += transform_path(layer.path, place.then(to_page))
    return tuple(segments)


def emoji_pictures(layout: TextLayout) -> bool:
    """Whether an emoji of the layout is a colour picture only, which has no outline."""
    return any(emoji.picture is not None and not emoji.layers for emoji, _ in _placed_emoji(layout))


def text_ink(font: ResolvedFont, layout: TextLayout) -> Box | None:
    """Where the layout's glyphs put ink, in preview units (the bounds of every glyph's box).

    Glyphs are placed as in `text_outlines`, so this is the ink of the printed text exactly, up
    to the rotation of the glyph boxes; None when the lines draw nothing (spaces only).
    """
    glyphs = _glyphs_of(font)
    corners: list[Point] = []
    for gid, place in _placed_glyphs(layout):
        ink = glyphs.ink(gid)
        if ink is not None:
            corners += _corners(ink, place)
    for emoji, place in _placed_emoji(layout):
        ink = _emoji_ink(emoji)
        if ink is not None:
            corners += _corners(ink, place)
    return Box.bounding(corners) if corners else None


def _corners(ink: tuple[float, float, float, float], place: Matrix) -> list[Point]:
    x0, y0, x1, y1 = ink
    return [place.apply(px, py) for px in (x0, x1) for py in (y0, y1)]


def _placed_glyphs(layout: TextLayout) -> Iterator[tuple[int, Matrix]]:
    """Each text glyph of each line with its font units → preview units matrix."""
    for line, x, y in layout.spans:
        run = layout.laid(line).text
        scale = run.scale(layout.size)
        for glyph in run.glyphs:
            # Font units are y up from the baseline; span units are y down.
            origin_x, origin_y = x + glyph.x * scale, y - glyph.y * scale
            yield glyph.gid, Matrix(scale, 0, 0, -scale, origin_x, origin_y).then(layout.matrix)


def _placed_emoji(layout: TextLayout) -> Iterator[tuple[EmojiGlyph, Matrix]]:
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


def _glyphs_of(font: ResolvedFont) -> _Glyphs:
    try:
        return _glyphs(font_program(font))
    except (OSError, KeyError, ValueError) as exc:
        raise RenderError(f"font file {font.path.name} cannot be read for outlines") from exc


@lru_cache(maxsize=32)
def _glyphs(program: FontProgram) -> _Glyphs:
    """The outlines drawn so far of one face (a new version of its file is a new program)."""
    return _Glyphs(program)
