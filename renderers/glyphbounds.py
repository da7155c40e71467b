"""A glyph's ink bounds: its outline's tight box, curves at their extremes, not their handles.

HarfBuzz draws the outline (`hb.Font.draw_glyph_with_pen`, font units, y up) of any face the
shaper reads; `_BoundsPen` keeps the box of what it draws as fontTools' BoundsPen does: every
on-curve point, and a curve's extremes where its control points reach beyond the box. A glyph's
own `glyf` header box would not do: it holds the control points too, which may lie outside
the ink. Measuring with HarfBuzz needs no fontTools face, which took longer to load than a
text's whole check.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

from renderers.fontfiles import FontProgram, harfbuzz_face

__all__ = ["ink_bounds"]

Bounds = tuple[float, float, float, float]


def ink_bounds(program: FontProgram, gid: int) -> Bounds | None:
    """The glyph's ink (xMin, yMin, xMax, yMax, font units), None if it draws nothing."""
    pen = _BoundsPen()
    _font(program).draw_glyph_with_pen(gid, pen)
    return pen.bounds


@lru_cache(maxsize=32)
def _font(program: FontProgram) -> Any:
    """The face's HarfBuzz font at its own scale (font units); shared, as HarfBuzz allows."""
    import uharfbuzz as hb

    return hb.Font(harfbuzz_face(program))


class _BoundsPen:
    """The pen protocol HarfBuzz draws with, keeping the tight bounds of what it is given."""

    def __init__(self) -> None:
        self.bounds: Bounds | None = None
        self._at = (0.0, 0.0)

    def moveTo(self, pt: tuple[float, float]) -> None:
        self._add(pt)
        self._at = pt

    def lineTo(self, pt: tuple[float, float]) -> None:
        self._add(pt)
        self._at = pt

    def qCurveTo(self, *points: tuple[float, float]) -> None:
        # HarfBuzz hands over one control point per quadratic, the implied on-curves made.
        start = self._at
        for control, end in _quadratics(points):
            self._add(end)
            if not self._inside(control):
                for axis in (0, 1):
                    for t in _quadratic_extremes(start[axis], control[axis], end[axis]):
                        self._add(_quadratic_at(start, control, end, t))
            start = end
        self._at = points[-1]

    def curveTo(self, *points: tuple[float, float]) -> None:
        start = self._at
        for index in range(0, len(points) - 2, 3):
            c1, c2, end = points[index : index + 3]
            self._add(end)
            if not (self._inside(c1) and self._inside(c2)):
                for axis in (0, 1):
                    coords = (start[axis], c1[axis], c2[axis], end[axis])
                    for t in _cubic_extremes(*coords):
                        self._add(_cubic_at(start, c1, c2, end, t))
            start = end
        self._at = points[-1]

    def closePath(self) -> None:
        pass

    def endPath(self) -> None:
        pass

    def _add(self, pt: tuple[float, float]) -> None:
        x, y = float(pt[0]), float(pt[1])
        if self.bounds is None:
            self.bounds = (x, y, x, y)
            return
        x0, y0, x1, y1 = self.bounds
        self.bounds = (min(x0, x), min(y0, y), max(x1, x), max(y1, y))

    def _inside(self, pt: tuple[float, float]) -> bool:
        assert self.bounds is not None
        x0, y0, x1, y1 = self.bounds
        return x0 <= pt[0] <= x1 and y0 <= pt[1] <= y1


def _quadratics(
    points: tuple[tuple[float, float], ...],
) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """(control, end) of each quadratic in a TrueType run of off-curve points and its end."""
    pairs = []
    controls, end = points[:-1], points[-1]
    for index, control in enumerate(controls):
        if index + 1 < len(controls):
            after = controls[index + 1]
            pairs.append((control, ((control[0] + after[0]) / 2, (control[1] + after[1]) / 2)))
        else:
            pairs.append((control, end))
    return pairs


def _quadratic_extremes(a: float, b: float, c: float) -> list[float]:
    denominator = a - 2 * b + c
    if denominator == 0:
        return []
    t = (a - b) / denominator
    return [t] if 0 < t < 1 else []


def _quadratic_at(
    p0: tuple[float, float], p1: tuple[float, float], p2: tuple[float, float], t: float
) -> tuple[float, float]:
    u = 1 - t
    return (
        u * u * p0[0] + 2 * u * t * p1[0] + t * t * p2[0],
        u * u * p0[1] + 2 * u * t * p1[1] + t * t * p2[1],
    )


def _cubic_extremes(a: float, b: float, c: float, d: float) -> list[float]:
    """Where the cubic's derivative is 0, inside (0, 1)."""
    qa = -a + 3 * b - 3 * c + d
    qb = 2 * (a - 2 * b + c)
    qc = b - a
    if abs(qa) < 1e-12:
        roots = [-qc / qb] if abs(qb) > 1e-12 else []
    else:
        discriminant = qb * qb - 4 * qa * qc
        if discriminant < 0:
            return []
        root = math.sqrt(discriminant)
        roots = [(-qb + root) / (2 * qa), (-qb - root) / (2 * qa)]
    return [t for t in roots if 0 < t < 1]


def _cubic_at(
    p0: tuple[float, float],
    p1: tuple[float, float],
    p2: tuple[float, float],
    p3: tuple[float, float],
    t: float,
) -> tuple[float, float]:
    u = 1 - t
    a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
    return (
        a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
        a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
    )
