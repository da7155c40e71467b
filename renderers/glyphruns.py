"""A line of text as positioned glyphs: the record shaping produces and every drawer consumes.

The print renderer embeds these glyph ids (Identity-H) and the engraver outlines the same ids, so
what a laser cuts and what a printer prints come from one shaping of the buyer's line. Amazon's
tspan layout still decides where each line starts; a run only says where its glyphs go from
there. Runs are made by `renderers.shaping.shape` (HarfBuzz).
"""

from __future__ import annotations

from dataclasses import dataclass

from renderers.fonts import ResolvedFont

__all__ = ["GlyphRun", "PlacedGlyph"]


@dataclass(frozen=True, slots=True)
class PlacedGlyph:
    """One glyph of a run, in the font's units (`GlyphRun.units_per_em` to an em)."""

    gid: int  # glyph id in the font file (not a name: shaped glyphs often have no cmap entry)
    x: float  # the glyph's origin, from the run's start, x to the right
    y: float  # the glyph's origin above the baseline (marks, superscripts)
    advance: float  # how far the pen moves after this glyph
    text: str  # the characters it stands for; "" for the 2nd+ glyph of one cluster
    # Where in the line (a character index) the characters of its cluster start: sorting a
    # run's glyphs by it puts them in logical order, so their `text` joined gives the line back.
    cluster: int = 0
    rtl: bool = False  # shaped in a right-to-left run (its cluster's characters run leftward)


@dataclass(frozen=True, slots=True)
class GlyphRun:
    """Glyphs of one font in visual order, left to right, whatever the script's direction."""

    font: ResolvedFont
    glyphs: tuple[PlacedGlyph, ...]
    width: float  # the run's total advance, font units
    units_per_em: int

    def scale(self, size: float) -> float:
        """Font units → text-space units at font size `size`."""
        return size / self.units_per_em
