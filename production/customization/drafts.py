"""What the JSON (or XML) says about a surface, before the SVG and the images are joined in."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from production.core.geometry import Box
from production.core.model import BuyerPlacement, Color, Item, Option, Source

__all__ = ["DraftCustomization", "DraftImage", "DraftSurface", "DraftText"]


@dataclass(frozen=True, slots=True)
class DraftText:
    name: str
    label: str
    lines: tuple[str, ...]
    font_family: str | None
    color: Color | None
    box: Box | None
    buyer_placement: BuyerPlacement | None
    price_delta: Decimal | None = None


@dataclass(frozen=True, slots=True)
class DraftImage:
    name: str
    label: str
    member: str
    box: Box | None
    buyer_placement: BuyerPlacement | None


@dataclass(slots=True)
class DraftSurface:
    name: str
    label: str
    svg_member: str | None = None
    snapshot_member: str | None = None
    base_image_url: str | None = None
    texts: list[DraftText] = field(default_factory=list)
    images: list[DraftImage] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    # Image placements known only by their box (version3.0 `ImagePrinting`): the SVG fills them in.
    image_boxes: list[tuple[str, Box]] = field(default_factory=list)


@dataclass(slots=True)
class DraftCustomization:
    item: Item
    source: Source
    surfaces: list[DraftSurface]
    warnings: list[str] = field(default_factory=list)
