"""Colour bitmap emoji: the PNG of a glyph from a CBDT/CBLC or an sbix font, and where it goes.

A bitmap font holds one or more strikes, each drawn for one size in pixels per em (Noto Color
Emoji has one, 109 ppem). The strike taken is the smallest one at least as fine as the print
needs, else the finest there is: a picture is scaled down, which stays sharp, rather than up.
The box it fills comes from the strike's own metrics, converted to font units, so a drawer
places it like any glyph (see `renderers.emoji_glyphs`).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from fontTools.ttLib import TTFont

from production.core.errors import RenderError

__all__ = ["EmojiBitmap", "bitmap_of", "has_bitmaps"]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_FORMATS = frozenset({17, 18, 19})  # CBDT image formats that hold a PNG
_SBIX_DUPE = "dupe"  # an sbix glyph that is a copy of another glyph's picture


@dataclass(frozen=True, slots=True)
class EmojiBitmap:
    """A glyph's picture: PNG bytes and the box it fills, in font units, y up from the origin.

    `x_min`/`x_max` run from the glyph's origin on the baseline to the right; `y_min`/`y_max`
    above the baseline (negative below it), as font outlines are measured.
    """

    png: bytes
    ppem: int  # pixels per em of the strike it comes from
    width_px: int
    height_px: int
    x_min: float
    y_min: float
    x_max: float
    y_max: float


def has_bitmaps(font: TTFont) -> bool:
    return ("CBDT" in font and "CBLC" in font) or "sbix" in font


def bitmap_of(font: TTFont, glyph_name: str, ppem: float) -> EmojiBitmap | None:
    """The glyph's picture from the strike best for `ppem`; None when the glyph has none."""
    if "CBDT" in font and "CBLC" in font:
        return _cbdt_bitmap(font, glyph_name, ppem)
    if "sbix" in font:
        return _sbix_bitmap(font, glyph_name, ppem)
    return None


def _pick(sizes: list[int], ppem: float) -> int:
    """The smallest strike at least `ppem` pixels per em, else the largest."""
    enough = [size for size in sizes if size >= ppem]
    return min(enough) if enough else max(sizes)


# -- CBDT/CBLC -----------------------------------------------------------------------------


def _cbdt_bitmap(font: TTFont, glyph_name: str, ppem: float) -> EmojiBitmap | None:
    strikes = font["CBLC"].strikes
    having = [i for i, strike in enumerate(strikes) if _index_subtable(strike, glyph_name)]
    if not having:
        return None
    sizes = {int(strikes[i].bitmapSizeTable.ppemY): i for i in having}
    size = _pick(list(sizes), ppem)
    index = sizes[size]
    glyph = font["CBDT"].strikeData[index].get(glyph_name)
    if glyph is None:
        return None
    image_format = _format_of(glyph)
    if image_format not in _PNG_FORMATS:
        raise RenderError(
            f"emoji glyph {glyph_name!r} is a CBDT bitmap of format {image_format}; only the "
            "PNG formats (17, 18, 19) are printed"
        )
    metrics = getattr(glyph, "metrics", None)
    if metrics is None:  # format 19: the metrics are in the CBLC index subtable
        metrics = _index_subtable(strikes[index], glyph_name).metrics
    png = bytes(glyph.imageData)
    return _placed(font, png, size, metrics.BearingX, metrics.BearingY)


def _format_of(glyph: Any) -> int:
    # fontTools names the classes cbdt_bitmap_format_17 … _19.
    return int(type(glyph).__name__.rsplit("_", 1)[-1])


def _index_subtable(strike: Any, glyph_name: str) -> Any:
    for subtable in strike.indexSubTables:
        if glyph_name in subtable.names:
            return subtable
    return None


def _placed(font: TTFont, png: bytes, ppem: int, bearing_x: float, bearing_y: float) -> EmojiBitmap:
    width_px, height_px = _png_size(png)
    units = font["head"].unitsPerEm / ppem
    # The metrics' width and height are the picture's; the PNG is trusted if they disagree.
    x_min, y_max = bearing_x * units, bearing_y * units
    return EmojiBitmap(
        png=png,
        ppem=ppem,
        width_px=width_px,
        height_px=height_px,
        x_min=x_min,
        y_min=y_max - height_px * units,
        x_max=x_min + width_px * units,
        y_max=y_max,
    )


# -- sbix ----------------------------------------------------------------------------------


def _sbix_bitmap(font: TTFont, glyph_name: str, ppem: float) -> EmojiBitmap | None:
    strikes = font["sbix"].strikes
    having = [size for size, strike in strikes.items() if _sbix_picture(font, strike, glyph_name)]
    if not having:
        return None
    size = _pick(having, ppem)
    glyph = _sbix_picture(font, strikes[size], glyph_name)
    if glyph is None:
        return None
    if glyph.graphicType != "png ":
        raise RenderError(
            f"emoji glyph {glyph_name!r} is an sbix picture of type "
            f"{glyph.graphicType.strip()!r}; only PNG pictures are printed"
        )
    png = bytes(glyph.imageData)
    _, height_px = _png_size(png)
    # sbix places the picture's bottom-left corner at the origin offset, in pixels.
    return _placed(font, png, size, glyph.originOffsetX, glyph.originOffsetY + height_px)


def _sbix_picture(font: TTFont, strike: Any, glyph_name: str) -> Any:
    glyph = strike.glyphs.get(glyph_name)
    if glyph is not None and glyph.graphicType == _SBIX_DUPE:
        # imageData holds the glyph id of the glyph whose picture this one repeats.
        (gid,) = struct.unpack(">H", glyph.imageData[:2])
        glyph = strike.glyphs.get(font.getGlyphName(gid))
    if glyph is None or not glyph.imageData or glyph.graphicType is None:
        return None
    return glyph


def _png_size(png: bytes) -> tuple[int, int]:
    if not png.startswith(_PNG_SIGNATURE) or png[12:16] != b"IHDR":
        raise RenderError("an emoji glyph's picture is not a PNG image")
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)
