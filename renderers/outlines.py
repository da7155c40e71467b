"""Text as glyph outlines: what a laser gets instead of fonts.

The outlines come from the very face the print renderer embeds (`renderers.fontfiles`), and
both take their glyphs from one glyph run per line (`renderers.shaping.shape`): the same
glyph ids at the same positions, so what a laser engraves is exactly what a printer prints.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from fontTools.pens.boundsPen import BoundsPen

from production.core.errors import RenderError
from production.core.geometry import Box, Matrix, Point
from renderers.fontfiles import FontProgram, font_program
from renderers.fonts import ResolvedFont
from renderers.shaping import shape
from renderers.textlayout import TextLayout
from renderers.vectors import PathPen, Segment, VectorPath, transform_path

__all__ = ["text_ink", "text_outlines"]


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
    for gid, place in _placed_glyphs(font, layout):
        segments += transform_path(glyphs.outline(gid), place.then(to_page))
    return tuple(segments)


def text_ink(font: ResolvedFont, layout: TextLayout) -> Box | None:
    """Where the layout's glyphs put ink, in preview units (the bounds of every glyph's box).

    Glyphs are placed as in `text_outlines`, so this is the ink of the printed text exactly, up
    to the rotation of the glyph boxes; None when the lines draw nothing (spaces only).
    """
    glyphs = _glyphs_of(font)
    corners: list[Point] = []
    for gid, place in _placed_glyphs(font, layout):
        ink = glyphs.ink(gid)
        if ink is not None:
            x0, y0, x1, y1 = ink
            corners += [place.apply(px, py) for px in (x0, x1) for py in (y0, y1)]
    return Box.bounding(corners) if corners else None


def _placed_glyphs(font: ResolvedFont, layout: TextLayout) -> Iterator[tuple[int, Matrix]]:
    """Each glyph of each line with its font units → preview units matrix."""
    for line, x, y in layout.spans:
        run = shape(font, line)
        scale = run.scale(layout.size)
        for glyph in run.glyphs:
            # Font units are y up from the baseline; span units are y down.
            origin_x, origin_y = x + glyph.x * scale, y - glyph.y * scale
            yield glyph.gid, Matrix(scale, 0, 0, -scale, origin_x, origin_y).then(layout.matrix)


def _glyphs_of(font: ResolvedFont) -> _Glyphs:
    try:
        return _glyphs(font_program(font))
    except (OSError, KeyError, ValueError) as exc:
        raise RenderError(f"font file {font.path.name} cannot be read for outlines") from exc


@lru_cache(maxsize=32)
def _glyphs(program: FontProgram) -> _Glyphs:
    """The outlines drawn so far of one face (a new version of its file is a new program)."""
    return _Glyphs(program)
