"""Text as glyph outlines: what a laser gets instead of fonts.

The outlines come from the very font file the print renderer embeds, read with fontTools, and
each glyph advances by the width reportlab gives that character. reportlab writes those widths
into the print PDF, so a viewer places the printed glyphs exactly where these outlines go.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from reportlab.pdfbase import pdfmetrics

from production.core.errors import RenderError
from production.core.geometry import Box, Matrix, Point
from renderers.fonts import ResolvedFont
from renderers.textlayout import TextLayout
from renderers.vectors import PathPen, Segment, VectorPath, transform_path

__all__ = ["text_ink", "text_outlines"]

_NBSP, _SPACE = 0xA0, 0x20


@dataclass(slots=True)
class _Glyphs:
    """One font file's glyph set and cmap, with every outline drawn so far (font units)."""

    glyph_set: Any
    cmap: dict[int, str]
    notdef: str
    units_per_em: int
    drawn: dict[str, VectorPath] = field(default_factory=dict)
    bounds: dict[str, tuple[float, float, float, float] | None] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def outline(self, name: str) -> VectorPath:
        with self.lock:
            path = self.drawn.get(name)
            if path is None:
                pen = PathPen(self.glyph_set)
                self.glyph_set[name].draw(pen)
                path = self.drawn[name] = pen.path()
            return path

    def ink(self, name: str) -> tuple[float, float, float, float] | None:
        """The glyph's ink bounds (xMin, yMin, xMax, yMax, font units), None if it draws none."""
        with self.lock:
            if name not in self.bounds:
                pen = BoundsPen(self.glyph_set)
                self.glyph_set[name].draw(pen)
                self.bounds[name] = pen.bounds
            return self.bounds[name]


def text_outlines(font: ResolvedFont, layout: TextLayout, to_page: Matrix) -> VectorPath:
    """Every glyph of the layout's lines as one path, mapped by `to_page` (span units → page)."""
    glyphs = _glyphs_of(font)
    scale = layout.size / glyphs.units_per_em
    segments: list[Segment] = []
    for line, x, y in layout.spans:
        pen_x = x
        for char in line:
            # reportlab prints a no-break space with the space glyph; so must the outline.
            code = _SPACE if ord(char) == _NBSP else ord(char)
            name = glyphs.cmap.get(code, glyphs.notdef)
            # Font units are y up from the baseline; span units are y down.
            place = Matrix(scale, 0, 0, -scale, pen_x, y).then(layout.matrix).then(to_page)
            segments += transform_path(glyphs.outline(name), place)
            pen_x += pdfmetrics.stringWidth(char, layout.font, layout.size)
    return tuple(segments)


def text_ink(font: ResolvedFont, layout: TextLayout) -> Box | None:
    """Where the layout's glyphs put ink, in preview units (the bounds of every glyph's box).

    Glyphs advance as in `text_outlines`, so this is the ink of the printed text exactly, up to
    the rotation of the glyph boxes; None when the lines draw nothing (spaces only).
    """
    glyphs = _glyphs_of(font)
    scale = layout.size / glyphs.units_per_em
    corners: list[Point] = []
    for line, x, y in layout.spans:
        pen_x = x
        for char in line:
            code = _SPACE if ord(char) == _NBSP else ord(char)
            ink = glyphs.ink(glyphs.cmap.get(code, glyphs.notdef))
            if ink is not None:
                x0, y0, x1, y1 = ink
                place = Matrix(scale, 0, 0, -scale, pen_x, y).then(layout.matrix)
                corners += [place.apply(px, py) for px in (x0, x1) for py in (y0, y1)]
            pen_x += pdfmetrics.stringWidth(char, layout.font, layout.size)
    return Box.bounding(corners) if corners else None


def _glyphs_of(font: ResolvedFont) -> _Glyphs:
    try:
        stat = font.path.stat()
        return _load(str(font.path), font.font_number, stat.st_mtime_ns, stat.st_size)
    except (OSError, KeyError, ValueError) as exc:
        raise RenderError(f"font file {font.path.name} cannot be read for outlines") from exc


@lru_cache(maxsize=32)
def _load(path: str, font_number: int, _mtime_ns: int, _size: int) -> _Glyphs:
    """A font's outlines, kept per file version (mtime and size are part of the key)."""
    font = TTFont(path, fontNumber=font_number, lazy=True)
    order: Iterable[str] = font.getGlyphOrder()
    return _Glyphs(
        glyph_set=font.getGlyphSet(),
        cmap=dict(font.getBestCmap() or {}),
        notdef=next(iter(order)),
        units_per_em=int(font["head"].unitsPerEm),
    )
