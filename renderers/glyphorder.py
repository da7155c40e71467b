"""Glyph names by glyph id, for faces whose post table names none.

fontTools makes names up from the cmap (uni0041, A, …) and the Adobe glyph list when a face has
no names of its own: a third of the time a face takes to read, for names nobody here needs.
Subsets are written without glyph names (post format 3) and everything else addresses glyphs
by id, so such a face is given the names fontTools itself gives a glyph the cmap does not reach.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont

__all__ = ["name_by_number"]


def name_by_number(font: TTFont) -> None:
    """Name the glyphs of a TrueType face without glyph names .notdef, glyph00001, …"""
    if "glyf" not in font or "maxp" not in font:
        return
    if "post" in font and font["post"].formatType != 3:
        return  # names of its own (format 2) or the standard Macintosh order (format 1)
    count = font["maxp"].numGlyphs
    font.setGlyphOrder([".notdef", *(f"glyph{gid:05d}" for gid in range(1, count))])
