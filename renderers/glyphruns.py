"""A line of text as positioned glyphs: the record shaping produces and every drawer consumes.

The print renderer embeds these glyph ids (Identity-H) and the engraver outlines the same ids, so
what a laser cuts and what a printer prints come from one shaping of the buyer's line. Amazon's
tspan layout still decides where each line starts; a run only says where its glyphs go from
there.
"""

from __future__ import annotations

from dataclasses import dataclass

from renderers.fontfiles import font_program
from renderers.fonts import ResolvedFont

__all__ = ["GlyphRun", "PlacedGlyph", "glyph_run"]


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


def glyph_run(font: ResolvedFont, text: str) -> GlyphRun:
    """`text` as glyphs of `font`: every drawer (print, engrave, measure) takes its run from here.

    This is the hook where shaping plugs in (`renderers.shaping.shape`, HarfBuzz: ligatures,
    kerning, contextual forms, right-to-left runs). Until then each character maps through the
    font's cmap to one glyph, advancing by its hmtx width with no kerning, in logical order;
    a character the font lacks becomes glyph 0 (preflight holds the job for those).
    """
    program = font_program(font)
    glyphs = []
    pen = 0.0
    for char in text:
        gid = program.gid(char)
        advance = float(program.advances[gid])
        glyphs.append(PlacedGlyph(gid, pen, 0.0, advance, char))
        pen += advance
    return GlyphRun(font, tuple(glyphs), pen, program.units_per_em)
