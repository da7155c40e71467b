"""What an engrave file holds, before it is written: engrave operations, then cuts.

`renderers.engraving` collects a surface into an `EngraveDrawing`; `engrave_pdf` and
`engrave_svg` write it. Coordinates are page points, origin top-left, y down.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from production.core.geometry import Box
from renderers.placement import PageGeometry
from renderers.rasterize import Raster
from renderers.vectors import VectorPath

__all__ = ["CUT_RGB", "ENGRAVE_RGB", "HAIRLINE_MM", "EngraveDrawing", "Fill"]

HAIRLINE_MM = 0.025
"""Cut lines: 0.001 in, which laser drivers take as a vector cut, never as raster engraving."""
CUT_RGB = (255, 0, 0)  # colour is the operation: exact red cuts
ENGRAVE_RGB = (0, 0, 0)  # and exact black engraves


@dataclass(frozen=True, slots=True)
class Fill:
    """A black filled path (text outlines), clipped to `clip` (page points) if set."""

    path: VectorPath
    clip: Box | None = None


@dataclass(slots=True)
class EngraveDrawing:
    """One surface for the laser, in drawing order: engraving, inner cuts, outer cuts."""

    page: PageGeometry
    engrave: list[Fill | Raster] = field(default_factory=list)
    inner_cuts: list[VectorPath] = field(default_factory=list)
    outer_cuts: list[VectorPath] = field(default_factory=list)

    @property
    def cuts(self) -> tuple[VectorPath, ...]:
        """Every cut in the order the laser makes them."""
        return (*self.inner_cuts, *self.outer_cuts)
