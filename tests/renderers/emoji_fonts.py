"""Small emoji fonts made at test time with fontTools, for the formats no package ships.

Debian packages one colour emoji font (Noto Color Emoji, CBDT) and one monochrome one
(Symbola); COLR and sbix fonts are built here, each with a 'heart' glyph at U+2764 drawn from
squares whose corners the tests know.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import newTable
from fontTools.ttLib.tables import otTables as ot
from fontTools.ttLib.tables.sbixGlyph import Glyph as SbixGlyph
from fontTools.ttLib.tables.sbixStrike import Strike as SbixStrike
from PIL import Image

from renderers.fonts import ResolvedFont

__all__ = ["UPEM", "colr_font", "sbix_font", "square"]

UPEM = 1000
HEART = 0x2764


def square(x: int, y: int, size: int) -> Any:
    pen = TTGlyphPen(None)
    pen.moveTo((x, y))
    pen.lineTo((x, y + size))
    pen.lineTo((x + size, y + size))
    pen.lineTo((x + size, y))
    pen.closePath()
    return pen.glyph()


def _left(glyph: Any) -> int:
    if not glyph.numberOfContours:
        return 0
    glyph.recalcBounds(None)
    return int(glyph.xMin)


def _builder(family: str, glyphs: dict[str, Any]) -> FontBuilder:
    builder = FontBuilder(UPEM, isTTF=True)
    builder.setupGlyphOrder(list(glyphs))
    builder.setupCharacterMap({HEART: "heart"})
    builder.setupGlyf(glyphs)
    # The left side bearing is the outline's left edge, as fontTools draws glyf glyphs from it.
    builder.setupHorizontalMetrics({name: (UPEM, _left(glyph)) for name, glyph in glyphs.items()})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": family, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    return builder


def colr_font(tmp_path: Path, version: int, *, gradient: bool = False) -> ResolvedFont:
    """A COLR font: 'heart' is a red square under a half-transparent blue one.

    v0: the layers 'heart.0' (0,0)-(400,400) red and 'heart.1' (300,300)-(700,700) blue.
    v1: the same, the blue one drawn from 'heart.0' moved by (300, 300) (PaintTranslate), or
    filled with a linear gradient when `gradient`.
    """
    empty = TTGlyphPen(None).glyph()
    glyphs = {".notdef": empty, "heart": empty, "heart.0": square(0, 0, 400)}
    glyphs["heart.1"] = square(300, 300, 400)
    builder = _builder(f"Test COLRv{version}", glyphs)
    if version == 0:
        builder.setupCOLR({"heart": [("heart.0", 0), ("heart.1", 1)]}, version=0)
    else:
        builder.setupCOLR({"heart": _v1_heart(gradient)}, version=1)
    builder.setupCPAL([[(1.0, 0.0, 0.0, 1.0), (0.0, 0.0, 1.0, 0.5)]])
    path = tmp_path / f"colr{version}.ttf"
    builder.save(str(path))
    return ResolvedFont(path, f"Test COLRv{version}", 400, False)


def _v1_heart(gradient: bool) -> dict[str, Any]:
    solid = {"Format": ot.PaintFormat.PaintSolid, "PaletteIndex": 1, "Alpha": 1.0}
    fill = solid
    if gradient:
        stops = [{"StopOffset": 0.0, "PaletteIndex": 0}, {"StopOffset": 1.0, "PaletteIndex": 1}]
        fill = {
            "Format": ot.PaintFormat.PaintLinearGradient,
            "ColorLine": {"ColorStop": stops},
            "x0": 0, "y0": 0, "x1": 400, "y1": 0, "x2": 0, "y2": 400,
        }  # fmt: skip
    red = {"Format": ot.PaintFormat.PaintSolid, "PaletteIndex": 0, "Alpha": 1.0}
    blue = {"Format": ot.PaintFormat.PaintGlyph, "Glyph": "heart.0", "Paint": fill}
    return {
        "Format": ot.PaintFormat.PaintColrLayers,
        "Layers": [
            {"Format": ot.PaintFormat.PaintGlyph, "Glyph": "heart.0", "Paint": red},
            {"Format": ot.PaintFormat.PaintTranslate, "dx": 300, "dy": 300, "Paint": blue},
        ],
    }


def _png(size: int, rgba: tuple[int, int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (size, size), rgba).save(out, "PNG")
    return out.getvalue()


def sbix_font(tmp_path: Path, strikes: dict[int, tuple[int, int, int, int]]) -> ResolvedFont:
    """An sbix font whose 'heart' is a square picture per strike (ppem → its colour).

    Each picture is ppem × ppem pixels, its bottom-left corner at (0, -ppem / 5) pixels: an em
    square from the descender up.
    """
    empty = TTGlyphPen(None).glyph()
    builder = _builder("Test sbix", {".notdef": empty, "heart": empty})
    table = newTable("sbix")
    for ppem, rgba in strikes.items():
        strike = SbixStrike(ppem=ppem, resolution=72)
        strike.glyphs["heart"] = SbixGlyph(
            glyphName="heart", graphicType="png ", imageData=_png(ppem, rgba),
            originOffsetX=0, originOffsetY=-ppem // 5,
        )  # fmt: skip
        table.strikes[ppem] = strike
    builder.font["sbix"] = table
    path = tmp_path / "sbix.ttf"
    builder.save(str(path))
    return ResolvedFont(path, "Test sbix", 400, False)
