"""Vector paths as the engraver draws them: move, line, cubic curve and close, in page points.

Glyph outlines and cut lines both become these paths; the PDF and SVG writers turn them into
their own path syntax. Coordinates are page points with the origin at the top-left, y down,
like `renderers.placement`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from fontTools.pens.basePen import BasePen

from production.core.geometry import Box, Matrix

__all__ = ["PathPen", "Segment", "VectorPath", "path_bounds", "split_subpaths", "transform_path"]

Segment = tuple[Literal["M", "L", "C", "Z"], tuple[float, ...]]
"""("M", (x, y)), ("L", (x, y)), ("C", (x1, y1, x2, y2, x, y)) or ("Z", ())."""

VectorPath = tuple[Segment, ...]


class PathPen(BasePen):  # type: ignore[misc]
    """A fontTools pen that records what it is drawn as segments (quadratics become cubics)."""

    def __init__(self, glyph_set: Any = None) -> None:
        super().__init__(glyph_set)
        self.segments: list[Segment] = []

    def _moveTo(self, pt: tuple[float, float]) -> None:
        self.segments.append(("M", (pt[0], pt[1])))

    def _lineTo(self, pt: tuple[float, float]) -> None:
        self.segments.append(("L", (pt[0], pt[1])))

    def _curveToOne(
        self, pt1: tuple[float, float], pt2: tuple[float, float], pt3: tuple[float, float]
    ) -> None:
        self.segments.append(("C", (*pt1, *pt2, *pt3)))

    def _closePath(self) -> None:
        self.segments.append(("Z", ()))

    def path(self) -> VectorPath:
        return tuple(self.segments)


def transform_path(path: Iterable[Segment], m: Matrix) -> VectorPath:
    """The path with every point mapped through `m` (as `Matrix.apply`, inlined: text outlines
    have thousands of points)."""
    a, b, c, d, e, f = m.a, m.b, m.c, m.d, m.e, m.f
    out: list[Segment] = []
    for op, values in path:
        mapped: list[float] = []
        for i in range(0, len(values), 2):
            x, y = values[i], values[i + 1]
            mapped += (a * x + c * y + e, b * x + d * y + f)
        out.append((op, tuple(mapped)))
    return tuple(out)


def path_bounds(path: Iterable[Segment]) -> Box | None:
    """The bounds of every point of the path (control points included: a safe over-estimate)."""
    coords = [values for _, values in path]
    xs = [x for values in coords for x in values[0::2]]
    ys = [y for values in coords for y in values[1::2]]
    if not xs:
        return None
    left, top = min(xs), min(ys)
    return Box(left, top, max(xs) - left, max(ys) - top)


def split_subpaths(path: Iterable[Segment]) -> list[VectorPath]:
    """One path per subpath (each starts at a move), dropping those that draw nothing."""
    parts: list[list[Segment]] = []
    for segment in path:
        if segment[0] == "M" or not parts:
            parts.append([])
        parts[-1].append(segment)
    return [tuple(part) for part in parts if any(op in ("L", "C") for op, _ in part)]
