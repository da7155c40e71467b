"""How a surface is engraved: plain data, apart from the engraver so tickets need not load it.

The engraver (`renderers.engraving`) draws text as outlines and rasterises photos, which loads
the outline and raster machinery; a ticket or a print surface only needs these settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from production.core.templates import Dither

__all__ = ["EngraveSettings"]


@dataclass(frozen=True, slots=True)
class EngraveSettings:
    """How one surface is engraved: the laser's DPI and the template's or laser's choices."""

    dpi: int
    dither: Dither = "none"
    invert: bool = False  # photos only: text and cuts are marked as they are
    cut: str | None = None  # "rect", "rounded:R_MM" or the path of an SVG file
    svg: bool = False  # the laser takes SVG: write it beside the PDF
