"""Cut outlines for engraved products: a rectangle, a rounded rectangle, or the shop's SVG.

A template's `cut` says where the laser cuts the part free: "rect" (the trim box), "rounded:R"
(the trim box with R mm corners) or an SVG drawing of the outline. The SVG's viewBox is the
finished (trim) area; every subpath in it is one cut. Cuts inside another cut's bounds are
inner cuts (holes, slots) and are cut first, because a part cut free first can shift on the bed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from fontTools.svgLib.path import parse_path
from lxml import etree

from production.core.geometry import IDENTITY, MM, MM_PER_INCH, Box, Matrix, parse_transform
from production.core.xmlsafe import UnsafeXml, parse_xml
from renderers.vectors import PathPen, VectorPath, path_bounds, split_subpaths, transform_path

__all__ = ["CutDrawing", "CutFileError", "CutLines", "cut_lines", "read_cut_svg", "rounded_rect"]

KAPPA = 0.5522847498  # the cubic Bézier handle length of a quarter circle, per unit radius
_ROUNDED = re.compile(r"rounded:(\d+(?:\.\d+)?)")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_LENGTH = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([a-zA-Z%]*)\s*$")
_MM_PER_UNIT = {
    "mm": 1.0, "cm": 10.0, "in": MM_PER_INCH, "pt": 1 / MM, "pc": MM_PER_INCH / 6, "q": 0.25
}  # fmt: skip
_SKIPPED = frozenset(
    {"defs", "clipPath", "mask", "symbol", "pattern", "marker", "metadata", "title", "desc",
     "style", "linearGradient", "radialGradient", "filter"}
)  # fmt: skip
_UNSUPPORTED = frozenset({"use", "text", "image", "foreignObject", "switch"})
_MAX_DEPTH = 64


class CutFileError(ValueError):
    """The cut drawing cannot be read or holds nothing to cut."""


@dataclass(frozen=True, slots=True)
class CutDrawing:
    """A cut SVG as read: its paths in viewBox units, the viewBox and its size if it gives one."""

    paths: tuple[VectorPath, ...]
    view_box: Box
    size_mm: tuple[float, float] | None  # None: width/height missing or in px (scale unknown)


@dataclass(frozen=True, slots=True)
class CutLines:
    """Cut paths in page points, inner ones first: the order the laser cuts them."""

    inner: tuple[VectorPath, ...]
    outer: tuple[VectorPath, ...]

    @property
    def in_order(self) -> tuple[VectorPath, ...]:
        return self.inner + self.outer


def cut_lines(cut: str, trim: Box, *, read: bytes | None = None) -> CutLines:
    """The cuts of a template's `cut` on a page whose trim box is `trim` (points, y down).

    `read` is the SVG file's content when `cut` names one.
    """
    if cut == "rect":
        return CutLines((), (rounded_rect(trim, 0.0),))
    rounded = _ROUNDED.fullmatch(cut)
    if rounded is not None:
        return CutLines((), (rounded_rect(trim, float(rounded.group(1)) * MM),))
    if read is None:
        raise CutFileError(f"cut {cut!r} needs its SVG file")
    drawing = read_cut_svg(read)
    box = drawing.view_box
    to_trim = Matrix.translate(-box.x, -box.y).then(
        Matrix(trim.width / box.width, 0, 0, trim.height / box.height, trim.x, trim.y)
    )
    return classify([transform_path(path, to_trim) for path in drawing.paths])


def classify(paths: list[VectorPath]) -> CutLines:
    """Split cuts into inner (inside another cut's bounds) and outer, keeping the file's order."""
    bounds = [path_bounds(path) for path in paths]
    inner: list[VectorPath] = []
    outer: list[VectorPath] = []
    for index, (path, box) in enumerate(zip(paths, bounds, strict=True)):
        enclosed = box is not None and any(
            other is not None and other != box and _area(other) > _area(box) and other.contains(box)
            for n, other in enumerate(bounds)
            if n != index
        )
        (inner if enclosed else outer).append(path)
    return CutLines(tuple(inner), tuple(outer))


def rounded_rect(box: Box, radius: float) -> VectorPath:
    """A closed rectangle path, clockwise on screen, with quarter-circle corners of `radius`."""
    x0, y0, x1, y1 = box.x, box.y, box.right, box.bottom
    r = min(radius, box.width / 2, box.height / 2)
    if r <= 0:
        return (("M", (x0, y0)), ("L", (x1, y0)), ("L", (x1, y1)), ("L", (x0, y1)), ("Z", ()))
    k = r * (1 - KAPPA)  # the handle's distance from the corner
    return (
        ("M", (x0 + r, y0)),
        ("L", (x1 - r, y0)),
        ("C", (x1 - k, y0, x1, y0 + k, x1, y0 + r)),
        ("L", (x1, y1 - r)),
        ("C", (x1, y1 - k, x1 - k, y1, x1 - r, y1)),
        ("L", (x0 + r, y1)),
        ("C", (x0 + k, y1, x0, y1 - k, x0, y1 - r)),
        ("L", (x0, y0 + r)),
        ("C", (x0, y0 + k, x0 + k, y0, x0 + r, y0)),
        ("Z", ()),
    )


def read_cut_svg(data: bytes) -> CutDrawing:
    """Every shape of a cut SVG as paths in viewBox units; raise `CutFileError` if unusable."""
    try:
        root = parse_xml(data)
    except UnsafeXml as exc:
        raise CutFileError(str(exc)) from exc
    if etree.QName(root).localname != "svg":
        raise CutFileError("its root element is not <svg>")
    view_box, size_mm = _frame(root)
    try:
        paths = [part for path in _shapes(root, IDENTITY, 0) for part in split_subpaths(path)]
    except (ValueError, IndexError) as exc:
        raise CutFileError(f"a shape in it cannot be read ({exc})") from exc
    if not paths:
        raise CutFileError("it has no paths or shapes to cut")
    return CutDrawing(tuple(paths), view_box, size_mm)


def _frame(root: etree._Element) -> tuple[Box, tuple[float, float] | None]:
    width, height = _length(root.get("width")), _length(root.get("height"))
    size_mm = None
    if width is not None and height is not None and width[1] in _MM_PER_UNIT:
        size_mm = (width[0] * _MM_PER_UNIT[width[1]], height[0] * _MM_PER_UNIT[height[1]])
    raw = root.get("viewBox")
    if raw is not None:
        numbers = [float(v) for v in _NUMBER.findall(raw)]
        if len(numbers) != 4 or numbers[2] <= 0 or numbers[3] <= 0:
            raise CutFileError(f"its viewBox {raw!r} is malformed")
        return Box(*numbers), size_mm
    if width is None or height is None or width[0] <= 0 or height[0] <= 0:
        raise CutFileError("it has neither a viewBox nor a width and height")
    return Box(0, 0, width[0], height[0]), size_mm


def _length(raw: str | None) -> tuple[float, str] | None:
    """A root width or height as (number, unit); px and plain numbers are unit "px"."""
    if raw is None:
        return None
    match = _LENGTH.match(raw)
    if match is None or match.group(2) == "%":
        raise CutFileError(f"its width or height {raw!r} is not a length")
    return float(match.group(1)), (match.group(2).lower() or "px")


def _shapes(node: etree._Element, ctm: Matrix, depth: int) -> Iterator[VectorPath]:
    if depth > _MAX_DEPTH:
        raise CutFileError("its elements are nested too deeply")
    for child in node:
        if not isinstance(child.tag, str):
            continue
        tag = etree.QName(child).localname
        if tag in _SKIPPED or _hidden(child):
            continue
        if tag in _UNSUPPORTED:
            # A cut silently missing is a part never cut free: refuse instead.
            raise CutFileError(f"it uses <{tag}>; convert it to paths in the drawing program")
        matrix = parse_transform(child.get("transform") or "").then(ctm)
        data = _path_data(child, tag)
        if data is not None:
            pen = PathPen()
            parse_path(data, pen)
            yield transform_path(pen.path(), matrix)
        yield from _shapes(child, matrix, depth + 1)


def _path_data(node: etree._Element, tag: str) -> str | None:
    """An SVG shape as path data (arcs included: fontTools turns them into curves)."""
    get = node.get
    if tag == "path":
        return get("d") or None
    if tag == "rect":
        x, y, w, h = (_number(get(a), 0) for a in ("x", "y", "width", "height"))
        rx, ry = _number(get("rx"), -1), _number(get("ry"), -1)
        rx, ry = (ry if rx < 0 else rx), (rx if ry < 0 else ry)
        rx, ry = max(0.0, min(rx, w / 2)), max(0.0, min(ry, h / 2))
        if rx == 0 or ry == 0:
            return f"M{x},{y} H{x + w} V{y + h} H{x} Z"
        return (
            f"M{x + rx},{y} H{x + w - rx} A{rx},{ry} 0 0 1 {x + w},{y + ry} V{y + h - ry} "
            f"A{rx},{ry} 0 0 1 {x + w - rx},{y + h} H{x + rx} A{rx},{ry} 0 0 1 {x},{y + h - ry} "
            f"V{y + ry} A{rx},{ry} 0 0 1 {x + rx},{y} Z"
        )
    if tag in ("circle", "ellipse"):
        cx, cy = _number(get("cx"), 0), _number(get("cy"), 0)
        rx = _number(get("r") if tag == "circle" else get("rx"), 0)
        ry = _number(get("r") if tag == "circle" else get("ry"), 0)
        return f"M{cx - rx},{cy} A{rx},{ry} 0 1 0 {cx + rx},{cy} A{rx},{ry} 0 1 0 {cx - rx},{cy} Z"
    if tag == "line":
        x1, y1, x2, y2 = (_number(get(a), 0) for a in ("x1", "y1", "x2", "y2"))
        return f"M{x1},{y1} L{x2},{y2}"
    if tag in ("polyline", "polygon"):
        points = get("points") or ""
        if not _NUMBER.search(points):
            return None
        return f"M{points}" + (" Z" if tag == "polygon" else "")
    return None


def _number(raw: str | None, default: float) -> float:
    if raw is None:
        return default
    match = _LENGTH.match(raw)
    if match is None or match.group(2) not in ("", "px"):
        raise CutFileError(f"length {raw!r} is not in user units")
    value = float(match.group(1))
    if not math.isfinite(value):
        raise CutFileError("a length is not finite")
    return value


def _hidden(node: etree._Element) -> bool:
    style = (node.get("style") or "").replace(" ", "")
    return node.get("display") == "none" or "display:none" in style


def _area(box: Box) -> float:
    return box.width * box.height
