"""The domain model: what a buyer chose, as one set of immutable dataclasses.

Every reader (the `customizationData` tree, `version3.0`, the 2018 `version 2.0` files, the XML
backup, the per-surface SVG) produces these. Geometry is in Amazon's 400×400 preview units; no
I/O happens here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from production.core.geometry import Box, Matrix, Point, Size

__all__ = [
    "PREVIEW_SIZE",
    "BuyerPlacement",
    "Color",
    "Customization",
    "Element",
    "ImageElement",
    "Item",
    "Option",
    "Order",
    "OverlayElement",
    "SellerFont",
    "Source",
    "Surface",
    "SvgPlacement",
    "TextElement",
    "Tspan",
]

PREVIEW_SIZE = 400.0
"""Amazon's design space is a 400×400 square (the SVG viewBox, the snapshot, every box)."""

Source = Literal["customizationData", "version3.0", "version2.0", "xml"]
"""Which part of the zip the customization was read from."""

TEXT_STROKE_WIDTH = 1.0
"""Fabric.js text objects carry a 1-unit stroke that counts in their bounding box; images none."""


@dataclass(frozen=True, slots=True)
class Item:
    """The order item a zip belongs to."""

    order_id: str
    order_item_id: str
    asin: str | None = None
    sku: str | None = None
    quantity: int = 1
    title: str | None = None
    marketplace_id: str | None = None
    merchant_id: str | None = None


@dataclass(frozen=True, slots=True)
class BuyerPlacement:
    """Where the buyer put an element, as Fabric.js reports it.

    `position` is the top-left corner of the rotated object, `size` its natural size (image pixels,
    or the text block's size before scaling), `scale` the uniform scale, `rotation` in degrees,
    clockwise.
    """

    position: Point
    size: Size
    scale: float
    rotation: float
    scale_y: float | None = None

    def placed_size(self, stroke_width: float) -> Size:
        sy = self.scale if self.scale_y is None else self.scale_y
        return Size(
            (self.size.width + stroke_width) * self.scale, (self.size.height + stroke_width) * sy
        )

    def center(self, stroke_width: float) -> Point:
        """The centre of the placed object: position + R(θ)·(w/2, h/2)."""
        size = self.placed_size(stroke_width)
        r = math.radians(self.rotation)
        hw, hh = size.width / 2, size.height / 2
        return Point(
            self.position.x + hw * math.cos(r) - hh * math.sin(r),
            self.position.y + hw * math.sin(r) + hh * math.cos(r),
        )


@dataclass(frozen=True, slots=True)
class SvgPlacement:
    """How the SVG draws an element: its full matrix to preview units and its clip box."""

    matrix: Matrix
    clip: Box | None = None


@dataclass(frozen=True, slots=True)
class Color:
    value: str  # "#rrggbb", lower case
    name: str | None = None

    @property
    def rgb(self) -> tuple[int, int, int]:
        return (int(self.value[1:3], 16), int(self.value[3:5], 16), int(self.value[5:7], 16))


@dataclass(frozen=True, slots=True)
class Tspan:
    """One line of text as the SVG lays it out: baseline start in the element's own units."""

    text: str
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class TextElement:
    name: str
    label: str
    lines: tuple[str, ...]
    font_family: str | None = None
    color: Color | None = None
    font_size: float | None = None  # in the element's own units (before its matrix)
    font_style: str = "normal"
    font_weight: str = "normal"
    box: Box | None = None  # the placement box, preview units
    buyer_placement: BuyerPlacement | None = None
    svg: SvgPlacement | None = None
    tspans: tuple[Tspan, ...] = ()
    price_delta: Decimal | None = None

    kind: Literal["text"] = field(default="text", init=False)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True, slots=True)
class ImageElement:
    """A buyer's photo, stored in the zip as `member`."""

    name: str
    label: str
    member: str
    media_type: str  # "image/jpeg" | "image/png"
    pixel_size: Size  # after EXIF orientation: what the buyer and the SVG see
    stored_size: Size  # as the pixels are stored in the file
    exif_orientation: int = 1
    box: Box | None = None
    buyer_placement: BuyerPlacement | None = None
    svg: SvgPlacement | None = None
    svg_rect: Box | None = None  # the <image> x, y, width, height in the element's own units

    kind: Literal["image"] = field(default="image", init=False)


@dataclass(frozen=True, slots=True)
class OverlayElement:
    """A seller image drawn over the design (an option overlay): a URL, never fetched here."""

    url: str
    svg: SvgPlacement | None = None
    svg_rect: Box | None = None
    size: Size | None = None

    kind: Literal["overlay"] = field(default="overlay", init=False)

    @property
    def file_name(self) -> str:
        return self.url.rsplit("/", 1)[-1].split("?", 1)[0]


Element = TextElement | ImageElement | OverlayElement


@dataclass(frozen=True, slots=True)
class Option:
    name: str
    label: str
    value: str
    price_delta: Decimal | None = None
    currency: str | None = None
    overlay_url: str | None = None
    overlay_size: Size | None = None
    thumbnail_url: str | None = None
    option_id: str | None = None


@dataclass(frozen=True, slots=True)
class SellerFont:
    """A font the seller uploaded, declared by `@font-face` in the SVG."""

    family: str
    url: str


@dataclass(frozen=True, slots=True)
class Surface:
    name: str
    label: str
    elements: tuple[Element, ...] = ()  # z-order, bottom first
    options: tuple[Option, ...] = ()
    boxes: tuple[Box, ...] = ()  # every placement box of the surface, filled or not
    svg_member: str | None = None
    snapshot_member: str | None = None
    base_image_url: str | None = None
    fonts: tuple[SellerFont, ...] = ()
    # What the SVG draws outside Amazon's subset; the renderer then falls back to a full converter.
    svg_unsupported: tuple[str, ...] = ()

    @property
    def texts(self) -> tuple[TextElement, ...]:
        return tuple(e for e in self.elements if isinstance(e, TextElement))

    @property
    def images(self) -> tuple[ImageElement, ...]:
        return tuple(e for e in self.elements if isinstance(e, ImageElement))

    @property
    def overlays(self) -> tuple[OverlayElement, ...]:
        return tuple(e for e in self.elements if isinstance(e, OverlayElement))

    @property
    def design_box(self) -> Box | None:
        """The default print area in preview units: the union of the placement boxes."""
        return Box.union_of(self.boxes)

    @property
    def is_printable(self) -> bool:
        return any(not isinstance(e, OverlayElement) for e in self.elements)


@dataclass(frozen=True, slots=True)
class Customization:
    """Everything one customization zip says about one order item."""

    item: Item
    surfaces: tuple[Surface, ...]
    source: Source
    warnings: tuple[str, ...] = ()

    @property
    def options(self) -> tuple[Option, ...]:
        return tuple(o for s in self.surfaces for o in s.options)

    @property
    def is_options_only(self) -> bool:
        return not any(s.is_printable for s in self.surfaces)


@dataclass(frozen=True, slots=True)
class Order:
    """An Amazon order: the customized items that share an order id."""

    order_id: str
    items: tuple[Customization, ...] = ()
