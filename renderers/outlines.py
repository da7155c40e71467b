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

from production.core.geometry import Matrix
from renderers.fonts import ResolvedFont
from renderers.textink import face_glyphs, placed_emoji, placed_glyphs, text_ink
from renderers.textlayout import TextLayout
from renderers.vectors import Segment, VectorPath, transform_path

__all__ = ["emoji_pictures", "text_ink", "text_outlines"]


def text_outlines(font: ResolvedFont, layout: TextLayout, to_page: Matrix) -> VectorPath:
    """Every glyph of the layout's lines as one path, mapped by `to_page` (span units → page)."""
    glyphs = face_glyphs(font)
    segments: list[Segment] = []
    for gid, place in placed_glyphs(layout):
        segments += transform_path(glyphs.outline(gid), place.then(to_page))
    for emoji, place in placed_emoji(layout):
        for layer in emoji.layers:
            segments += transform_path(layer.path, place.then(to_page))
    return tuple(segments)


def emoji_pictures(layout: TextLayout) -> bool:
    """Whether an emoji of the layout is a colour picture only, which has no outline."""
    return any(emoji.picture is not None and not emoji.layers for emoji, _ in placed_emoji(layout))
