"""Colour vector emoji: a COLR glyph as coloured outline layers, painted bottom first.

COLR v0 is a list of (outline glyph, palette colour) layers. COLR v1 is a paint graph; the part
of it that is flat colour is drawn here (layers, glyphs filled with a solid colour, other colour
glyphs reused, and the affine transforms between them), which covers flat-design emoji. A glyph
that needs more of it (gradients, blend modes, variations) raises `RenderError` naming what it
needs: the job is held rather than printed with parts missing.

Paths are in font units, y up, from the glyph's origin, like every outline (`PathPen`). A
layer's colour is RGBA from 0 to 1 out of the font's first palette (CPAL), or None for the
text's own colour (palette index 0xFFFF, and every layer of a monochrome emoji font).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fontTools.ttLib import TTFont

from production.core.errors import RenderError
from production.core.geometry import Matrix
from renderers.vectors import PathPen, VectorPath, transform_path

__all__ = ["RGBA", "ColorLayer", "colr_layers", "has_colr", "outline_layer"]

RGBA = tuple[float, float, float, float]

_FOREGROUND = 0xFFFF  # the palette index that means "the text's colour"
_MAX_DEPTH = 32  # a paint graph deeper than this is a loop in a broken font


@dataclass(frozen=True, slots=True)
class ColorLayer:
    """One filled outline of an emoji glyph (nonzero winding, as TrueType and CFF fill)."""

    path: VectorPath  # font units, y up, from the glyph's origin
    rgba: RGBA | None  # None: the colour the text is printed in


def has_colr(font: TTFont) -> bool:
    return "COLR" in font


def outline_layer(font: TTFont, glyph_name: str) -> tuple[ColorLayer, ...]:
    """The glyph's plain outline as one layer in the text's colour; () for an empty glyph."""
    path = _outline(font, glyph_name)
    return (ColorLayer(path, None),) if path else ()


def colr_layers(font: TTFont, glyph_name: str) -> tuple[ColorLayer, ...] | None:
    """The glyph's COLR layers, bottom first; None when the glyph is not a colour glyph."""
    colr = font["COLR"]
    if colr.version == 0:
        records = colr.ColorLayers.get(glyph_name)
        if records is None:
            return None
        return tuple(_v0_layer(font, r.name, r.colorID) for r in records)
    table = colr.table
    paint = _v1_paint(table, glyph_name)
    if paint is not None:
        return tuple(_Painter(font, table).layers(paint, Matrix(), 0))
    v0 = _v0_records(table, glyph_name)
    if v0 is None:
        return None
    return tuple(_v0_layer(font, r.LayerGlyph, r.PaletteIndex) for r in v0)


def _v0_layer(font: TTFont, glyph_name: str, palette_index: int) -> ColorLayer:
    return ColorLayer(_outline(font, glyph_name), _color(font, palette_index, 1.0))


def _v0_records(table: Any, glyph_name: str) -> list[Any] | None:
    """A COLR v1 table's v0 part: the layer records of `glyph_name`, if it has any."""
    base = getattr(table, "BaseGlyphRecordArray", None)
    layers = getattr(table, "LayerRecordArray", None)
    if base is None or layers is None:
        return None
    for record in base.BaseGlyphRecord:
        if record.BaseGlyph == glyph_name:
            first = record.FirstLayerIndex
            return list(layers.LayerRecord[first : first + record.NumLayers])
    return None


def _v1_paint(table: Any, glyph_name: str) -> Any:
    paints = getattr(table, "BaseGlyphList", None)
    for record in paints.BaseGlyphPaintRecord if paints is not None else ():
        if record.BaseGlyph == glyph_name:
            return record.Paint
    return None


class _Painter:
    """Walks a COLR v1 paint graph, collecting the solid-filled glyphs it paints."""

    def __init__(self, font: TTFont, table: Any) -> None:
        self.font, self.table = font, table

    def layers(self, paint: Any, matrix: Matrix, depth: int) -> Iterator[ColorLayer]:
        if depth > _MAX_DEPTH:
            raise RenderError("an emoji glyph's COLR paint graph nests too deep (a broken font)")
        kind = paint.getFormatName()
        if kind == "PaintColrLayers":
            layers = self.table.LayerList.Paint
            for child in layers[paint.FirstLayerIndex : paint.FirstLayerIndex + paint.NumLayers]:
                yield from self.layers(child, matrix, depth + 1)
        elif kind == "PaintGlyph":
            yield self._filled(paint, matrix)
        elif kind == "PaintColrGlyph":
            child = _v1_paint(self.table, paint.Glyph)
            if child is None:
                raise RenderError(f"emoji glyph {paint.Glyph!r} is painted but has no paint")
            yield from self.layers(child, matrix, depth + 1)
        else:
            # The outer transform applies after this one: `outer @ inner`.
            yield from self.layers(paint.Paint, matrix @ _transform(paint, kind), depth + 1)

    def _filled(self, paint: Any, matrix: Matrix) -> ColorLayer:
        fill = paint.Paint
        if fill.getFormatName() != "PaintSolid":
            raise _unsupported(fill.getFormatName())
        path = transform_path(_outline(self.font, paint.Glyph), matrix)
        return ColorLayer(path, _color(self.font, fill.PaletteIndex, fill.Alpha))


def _transform(paint: Any, kind: str) -> Matrix:
    """The matrix a transform paint applies to what it paints (font units, y up)."""
    if kind == "PaintTransform":
        t = paint.Transform
        return Matrix(t.xx, t.yx, t.xy, t.yy, t.dx, t.dy)
    if kind == "PaintTranslate":
        return Matrix.translate(paint.dx, paint.dy)
    if kind == "PaintScale":
        return Matrix.scale(paint.scaleX, paint.scaleY)
    if kind == "PaintScaleUniform":
        return Matrix.scale(paint.scale)
    raise _unsupported(kind)


def _unsupported(kind: str) -> RenderError:
    return RenderError(
        f"an emoji glyph's COLR v1 paint uses {kind}, which is not printed yet (flat colours "
        "only); name a COLR v0 or bitmap emoji font under [fonts] emoji in shop.toml"
    )


def _outline(font: TTFont, glyph_name: str) -> VectorPath:
    glyph_set = font.getGlyphSet()
    pen = PathPen(glyph_set)
    glyph_set[glyph_name].draw(pen)
    return pen.path()


def _color(font: TTFont, palette_index: int, alpha: float) -> RGBA | None:
    if palette_index == _FOREGROUND:
        return None
    if "CPAL" not in font or not font["CPAL"].palettes:
        raise RenderError("a COLR emoji font has no colour palette (CPAL table)")
    palette = font["CPAL"].palettes[0]
    if not 0 <= palette_index < len(palette):
        raise RenderError(f"a COLR emoji glyph names colour {palette_index}, not in its palette")
    c = palette[palette_index]
    return (c.red / 255, c.green / 255, c.blue / 255, c.alpha / 255 * alpha)
