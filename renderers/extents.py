"""Where each element of a rendered surface puts ink, in preview units: what preflight measures.

A photo's extent is its picture's rectangle under the element matrix (a rotated photo is a
rotated rectangle); a text's is the box around its glyphs as they were laid out in the chosen
font (not the placement box, which Fabric.js sizes by font size and line height). Either may be
clipped by the element's placement box; `visible` is what is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from production.core.geometry import Box, Point
from production.core.model import ImageElement, Surface, TextElement
from renderers.pdf import TextReport
from renderers.placement import element_clip, image_geometry
from renderers.textink import text_ink

__all__ = ["Extent", "element_name", "surface_extents"]


@dataclass(frozen=True, slots=True)
class Extent:
    """The ink of one element: a convex outline (preview units) and the box it is clipped to."""

    kind: Literal["text", "photo"]
    name: str  # how a message names the element: never the buyer's words
    outline: tuple[Point, ...]
    clip: Box | None
    measured: bool = True  # False: a converter drew the text; its clip box stands in for its ink
    color: tuple[int, int, int] | None = None  # a text's colour in the design
    substitute: str | None = None  # a text: the family a configured alias printed it for
    opaque: bool = True  # a photo that covers its rectangle (a JPEG; a PNG may be see-through)

    @property
    def bounds(self) -> Box:
        return Box.bounding(self.outline)

    @property
    def visible(self) -> Box | None:
        """The bounds of what the clip leaves of the ink; None if it leaves nothing."""
        shown = self._shown()
        return Box.bounding(shown) if len(shown) >= 3 else None

    @property
    def visible_share(self) -> float:
        """The part of the ink's area left inside the clip (1.0 when nothing is clipped)."""
        total = _area(self.outline)
        if total <= 0:
            return 1.0
        return min(1.0, _area(self._shown()) / total)

    def _shown(self) -> tuple[Point, ...]:
        return self.outline if self.clip is None else _clip_polygon(self.outline, self.clip)


def element_name(element: TextElement | ImageElement) -> str:
    """`text 'Text 1'` or `photo '<uuid>.jpg'`: the seller's label or the zip member's name."""
    if isinstance(element, ImageElement):
        return f"photo {element.member!r}"
    label = element.label or element.name
    return f"text {label!r}" if label else "text"


def surface_extents(surface: Surface, texts: Sequence[TextReport]) -> list[Extent]:
    """The extents of the surface's texts and photos, bottom first (overlays are seller art)."""
    drawn = {id(report.element): report for report in texts}
    extents: list[Extent] = []
    for element in surface.elements:
        if isinstance(element, ImageElement):
            extents.append(_photo(element))
        elif isinstance(element, TextElement):
            extent = _text(element, drawn.get(id(element)))
            if extent is not None:
                extents.append(extent)
    return extents


def _photo(element: ImageElement) -> Extent:
    matrix, rect = image_geometry(element)
    corners = [(rect.x, rect.y), (rect.right, rect.y), (rect.right, rect.bottom)]
    corners.append((rect.x, rect.bottom))
    outline = tuple(matrix.apply(x, y) for x, y in corners)
    opaque = element.media_type == "image/jpeg"
    return Extent("photo", element_name(element), outline, element_clip(element), opaque=opaque)


def _text(element: TextElement, report: TextReport | None) -> Extent | None:
    clip = element_clip(element)
    color = element.color.rgb if element.color is not None else (0, 0, 0)
    if report is None:
        # Drawn by the general converter: where its glyphs went is not known here.
        if clip is None:
            return None
        return Extent(
            "text", element_name(element), _corners(clip), clip, measured=False, color=color
        )
    ink = text_ink(report.font, report.layout)
    if ink is None:
        return None  # spaces only: nothing is printed
    return Extent(
        "text",
        element_name(element),
        _corners(ink),
        clip,
        color=color,
        substitute=report.font.substituted_for,
    )


def _corners(box: Box) -> tuple[Point, ...]:
    return (
        Point(box.x, box.y),
        Point(box.right, box.y),
        Point(box.right, box.bottom),
        Point(box.x, box.bottom),
    )


def _clip_polygon(points: Sequence[Point], box: Box) -> tuple[Point, ...]:
    """Sutherland–Hodgman: the convex polygon cut to the box, one edge of the box at a time."""
    result = list(points)
    for axis, limit, keep_above in (
        ("x", box.x, True),
        ("x", box.right, False),
        ("y", box.y, True),
        ("y", box.bottom, False),
    ):
        if not result:
            break
        current, result = result, []
        previous = current[-1]
        for point in current:
            inside = _inside(point, axis, limit, keep_above)
            if inside != _inside(previous, axis, limit, keep_above):
                result.append(_crossing(previous, point, axis, limit))
            if inside:
                result.append(point)
            previous = point
    return tuple(result)


def _inside(point: Point, axis: str, limit: float, keep_above: bool) -> bool:
    value = point.x if axis == "x" else point.y
    return value >= limit if keep_above else value <= limit


def _crossing(p: Point, q: Point, axis: str, limit: float) -> Point:
    """Where the segment p–q crosses the line `axis` = `limit`."""
    if axis == "x":
        t = (limit - p.x) / (q.x - p.x)
        return Point(limit, p.y + t * (q.y - p.y))
    t = (limit - p.y) / (q.y - p.y)
    return Point(p.x + t * (q.x - p.x), limit)


def _area(points: Sequence[Point]) -> float:
    """The shoelace formula: the area of a simple polygon."""
    total = 0.0
    for index, p in enumerate(points):
        q = points[(index + 1) % len(points)]
        total += p.x * q.y - q.x * p.y
    return abs(total) / 2
