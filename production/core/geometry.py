"""Plane geometry shared by the readers and the renderers: points, sizes, boxes, affine matrices.

Coordinates follow SVG: x to the right, y downwards. A `Matrix` is the SVG `matrix(a b c d e f)`,
mapping (x, y) to (a·x + c·y + e, b·x + d·y + f).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "IDENTITY",
    "MM",
    "MM_PER_INCH",
    "Box",
    "Matrix",
    "Point",
    "Size",
    "TransformError",
    "parse_transform",
]

MM_PER_INCH = 25.4
MM = 72.0 / MM_PER_INCH
"""PDF points in one millimetre: every length in the project is millimetres until drawn."""

_TRANSFORM = re.compile(r"(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


class TransformError(ValueError):
    """An SVG `transform` attribute that is not SVG, or one of its parts is malformed."""


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class Size:
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned rectangle: top-left corner and size."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def center(self) -> Point:
        return Point(self.x + self.width / 2, self.y + self.height / 2)

    def union(self, other: Box) -> Box:
        x0, y0 = min(self.x, other.x), min(self.y, other.y)
        x1, y1 = max(self.right, other.right), max(self.bottom, other.bottom)
        return Box(x0, y0, x1 - x0, y1 - y0)

    def contains(self, other: Box, tolerance: float = 0.0) -> bool:
        return (
            other.x >= self.x - tolerance
            and other.y >= self.y - tolerance
            and other.right <= self.right + tolerance
            and other.bottom <= self.bottom + tolerance
        )

    def inset(self, margin: float) -> Box:
        return Box(
            self.x + margin, self.y + margin, self.width - 2 * margin, self.height - 2 * margin
        )

    @staticmethod
    def union_of(boxes: Iterable[Box]) -> Box | None:
        result: Box | None = None
        for box in boxes:
            result = box if result is None else result.union(box)
        return result

    @staticmethod
    def bounding(points: Iterable[Point]) -> Box:
        pts = list(points)
        xs = [p.x for p in pts]
        ys = [p.y for p in pts]
        return Box(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


@dataclass(frozen=True, slots=True)
class Matrix:
    a: float = 1.0
    b: float = 0.0
    c: float = 0.0
    d: float = 1.0
    e: float = 0.0
    f: float = 0.0

    @staticmethod
    def translate(tx: float, ty: float = 0.0) -> Matrix:
        return Matrix(1, 0, 0, 1, tx, ty)

    @staticmethod
    def scale(sx: float, sy: float | None = None) -> Matrix:
        return Matrix(sx, 0, 0, sx if sy is None else sy, 0, 0)

    @staticmethod
    def rotate(degrees: float) -> Matrix:
        """Rotation by `degrees`, clockwise on screen (y down), as SVG's rotate()."""
        r = math.radians(degrees)
        cos, sin = math.cos(r), math.sin(r)
        return Matrix(cos, sin, -sin, cos, 0, 0)

    def then(self, other: Matrix) -> Matrix:
        """The matrix that applies `self` first and `other` after it."""
        return Matrix(
            a=other.a * self.a + other.c * self.b,
            b=other.b * self.a + other.d * self.b,
            c=other.a * self.c + other.c * self.d,
            d=other.b * self.c + other.d * self.d,
            e=other.a * self.e + other.c * self.f + other.e,
            f=other.b * self.e + other.d * self.f + other.f,
        )

    def __matmul__(self, other: Matrix) -> Matrix:
        """`outer @ inner`: SVG nesting order (the inner transform is applied first)."""
        return other.then(self)

    def apply(self, x: float, y: float) -> Point:
        return Point(self.a * x + self.c * y + self.e, self.b * x + self.d * y + self.f)

    def map_box(self, box: Box) -> Box:
        """The axis-aligned bounds of `box` after this transform."""
        corners = [
            self.apply(box.x, box.y),
            self.apply(box.right, box.y),
            self.apply(box.x, box.bottom),
            self.apply(box.right, box.bottom),
        ]
        return Box.bounding(corners)

    @property
    def determinant(self) -> float:
        return self.a * self.d - self.b * self.c

    def inverse(self) -> Matrix:
        det = self.determinant
        if det == 0:
            raise ValueError("singular matrix")
        return Matrix(
            a=self.d / det,
            b=-self.b / det,
            c=-self.c / det,
            d=self.a / det,
            e=(self.c * self.f - self.d * self.e) / det,
            f=(self.b * self.e - self.a * self.f) / det,
        )

    @property
    def is_axis_aligned(self) -> bool:
        """True when the matrix maps rectangles to axis-aligned rectangles (no rotation or skew)."""
        return (abs(self.b) < 1e-12 and abs(self.c) < 1e-12) or (
            abs(self.a) < 1e-12 and abs(self.d) < 1e-12
        )

    @property
    def scale_x(self) -> float:
        return math.hypot(self.a, self.b)

    @property
    def rotation_degrees(self) -> float:
        """The rotation part, clockwise on screen, in (-180, 180]."""
        return math.degrees(math.atan2(self.b, self.a))

    def as_tuple(self) -> tuple[float, float, float, float, float, float]:
        return (self.a, self.b, self.c, self.d, self.e, self.f)


IDENTITY = Matrix()


def parse_transform(text: str) -> Matrix:
    """An SVG `transform` attribute as one matrix (the list applies right to left)."""
    result = IDENTITY
    for name, args in _TRANSFORM.findall(text):
        values = [float(v) for v in _NUMBER.findall(args)]
        result = result @ _one_transform(name, values)
    if text.strip() and not _TRANSFORM.search(text):
        raise TransformError(f"transform {text[:60]!r} is not SVG")
    return result


def _one_transform(name: str, v: list[float]) -> Matrix:
    try:
        if name == "matrix" and len(v) == 6:
            return Matrix(*v)
        if name == "translate" and len(v) in (1, 2):
            return Matrix.translate(v[0], v[1] if len(v) == 2 else 0.0)
        if name == "scale" and len(v) in (1, 2):
            return Matrix.scale(v[0], v[1] if len(v) == 2 else None)
        if name == "rotate" and len(v) in (1, 3):
            rotation = Matrix.rotate(v[0])
            if len(v) == 3:
                return Matrix.translate(v[1], v[2]) @ rotation @ Matrix.translate(-v[1], -v[2])
            return rotation
        if name == "skewX" and len(v) == 1:
            return Matrix(1, 0, math.tan(math.radians(v[0])), 1, 0, 0)
        if name == "skewY" and len(v) == 1:
            return Matrix(1, math.tan(math.radians(v[0])), 0, 1, 0, 0)
    except (ValueError, OverflowError):
        pass
    raise TransformError(f"transform {name}({', '.join(map(str, v))}) is malformed")
