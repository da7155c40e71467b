"""From Amazon's 400-unit preview space to the physical print area: one affine map per surface.

The page is the trim area plus bleed on every side. The template's design box (by default the
union of the surface's placement boxes) is scaled uniformly onto the trim area and centred, so
a circle stays a circle and the design sits where the buyer saw it.

All page coordinates here are in PDF points, origin at the page's top-left corner, y downwards
(the SVG convention); the PDF writer flips y once, at the very end.
"""

from __future__ import annotations

from dataclasses import dataclass

from production.core.errors import RenderError
from production.core.geometry import MM, Box, Matrix
from production.core.model import Element, ImageElement, OverlayElement

__all__ = [
    "PageGeometry",
    "element_clip",
    "image_geometry",
    "image_unit_matrix",
    "overlay_unit_matrix",
    "page_geometry",
]

"""PDF points per millimetre."""


@dataclass(frozen=True, slots=True)
class PageGeometry:
    """The page of one surface, and where the design lands on it."""

    width_pt: float
    height_pt: float
    trim: Box  # points, top-left origin
    bleed: Box  # points: the whole page
    design_box: Box  # preview units
    to_page: Matrix  # preview units → page points (y down)
    mm_per_unit: float

    def to_pdf(self) -> Matrix:
        """Preview units → PDF user space (y up, origin bottom-left)."""
        return self.to_page.then(Matrix(1, 0, 0, -1, 0, self.height_pt))


def page_geometry(
    *, width_mm: float, height_mm: float, bleed_mm: float, design_box: Box
) -> PageGeometry:
    if design_box.width <= 0 or design_box.height <= 0:
        raise ValueError("the design box has no area")
    trim_w, trim_h = width_mm * MM, height_mm * MM
    bleed = bleed_mm * MM
    scale = min(trim_w / design_box.width, trim_h / design_box.height)
    offset_x = bleed + (trim_w - design_box.width * scale) / 2
    offset_y = bleed + (trim_h - design_box.height * scale) / 2
    to_page = (
        Matrix.translate(-design_box.x, -design_box.y)
        .then(Matrix.scale(scale))
        .then(Matrix.translate(offset_x, offset_y))
    )
    page_w, page_h = trim_w + 2 * bleed, trim_h + 2 * bleed
    return PageGeometry(
        width_pt=page_w,
        height_pt=page_h,
        trim=Box(bleed, bleed, trim_w, trim_h),
        bleed=Box(0, 0, page_w, page_h),
        design_box=design_box,
        to_page=to_page,
        mm_per_unit=scale / MM,
    )


# Where the stored pixels' unit square lands in the oriented picture, per EXIF orientation.
# PDF paints an image into the unit square with its first stored row at the top (t = 1);
# (a, b) below are the stored picture's normalised x and y (b down) and (p, q) the oriented ones.
_ORIENT: dict[int, Matrix] = {
    1: Matrix(1, 0, 0, 1, 0, 0),  # p = a, q = b
    2: Matrix(-1, 0, 0, 1, 1, 0),  # mirrored
    3: Matrix(-1, 0, 0, -1, 1, 1),  # turned 180°
    4: Matrix(1, 0, 0, -1, 0, 1),  # flipped
    5: Matrix(0, 1, 1, 0, 0, 0),  # transposed
    6: Matrix(0, 1, -1, 0, 1, 0),  # turned 90° clockwise
    7: Matrix(0, -1, -1, 0, 1, 1),  # transversed
    8: Matrix(0, -1, 1, 0, 0, 1),  # turned 90° anticlockwise
}
# PDF's unit square (s, t), t up, to the stored picture's normalised (a, b), b down.
_UNIT_TO_STORED = Matrix(1, 0, 0, -1, 0, 1)


def image_unit_matrix(image: ImageElement, rect: Box) -> Matrix:
    """The map from PDF's image unit square to the element's own units.

    The stored pixels are painted untouched (JPEG passthrough); EXIF orientation is applied by
    this matrix instead of by re-encoding.
    """
    oriented = _UNIT_TO_STORED.then(_ORIENT.get(image.exif_orientation, _ORIENT[1]))
    return oriented.then(Matrix(rect.width, 0, 0, rect.height, rect.x, rect.y))


def element_clip(element: Element) -> Box | None:
    """The box (preview units) an element is clipped to, if any."""
    if isinstance(element, OverlayElement):
        return element.svg.clip if element.svg else None
    if element.svg is not None and element.svg.clip is not None:
        return element.svg.clip
    # Text without a clip in the SVG is drawn unclipped, as the buyer saw it; images always
    # stay inside their placement box.
    return element.box if isinstance(element, ImageElement) else None


def image_geometry(element: ImageElement) -> tuple[Matrix, Box]:
    """The element matrix and the image rect in its units, from the SVG or else the JSON."""
    if element.svg is not None and element.svg_rect is not None:
        return element.svg.matrix, element.svg_rect
    width, height = element.pixel_size.width, element.pixel_size.height
    rect = Box(-width / 2, -height / 2, width, height)
    placement = element.buyer_placement
    if placement is not None:
        center = placement.center(0.0)
        matrix = (
            Matrix.scale(placement.scale, placement.scale_y)
            .then(Matrix.rotate(placement.rotation))
            .then(Matrix.translate(center.x, center.y))
        )
        return matrix, rect
    if element.box is not None:
        # No placement recorded: cover the box, centred, as Fabric's default does.
        box = element.box
        scale = max(box.width / width, box.height / height)
        return Matrix.scale(scale).then(Matrix.translate(box.center.x, box.center.y)), rect
    raise RenderError(f"image {element.member!r} has no place on the surface")


def overlay_unit_matrix(rect: Box) -> Matrix:
    """PDF's image unit square → an overlay's rect: seller art is drawn upright, never rotated."""
    return Matrix(rect.width, 0, 0, -rect.height, rect.x, rect.y + rect.height)
