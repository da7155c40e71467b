"""A customization described once, written four ways: the JSON tree, `version3.0`, SVG, snapshot.

A sample is an `Order` of `Surface`s; a surface holds slots (`ImageSlot`, `TextSlot`,
`OptionSlot`) in the order the seller's template lists them, which is also the SVG z-order.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Protocol

from PIL import Image, ImageOps

from samples import snapshot
from samples.amazon_format import amazon_xml, jackson_json, write_zip
from samples.fabricjs import (
    IMAGE_STROKE,
    TEXT_STROKE,
    Box,
    Placement,
    SvgDocument,
    TextBlock,
    cover_scale,
    hex_to_rgb,
    js_value,
)

MERCHANT_ID = "ASAMPLESELLER1"
MARKETPLACE_ID = "ATVPDKIKX0DER"
# Amazon's default text size is 113·(box height)/N with N a per-template measure of the font
# (the reference files show N = 137, 139, 141, 161, 179, 181 for 129-unit boxes).
FONT_SIZE_NUMERATOR = 113


@dataclass(frozen=True)
class Upload:
    """A buyer's file as it sits in the zip."""

    member: str
    data: bytes
    buyer_filename: str

    @cached_property
    def oriented(self) -> Image.Image:
        """The picture the buyer saw, EXIF orientation applied: JSON and SVG sizes refer to it."""
        image = ImageOps.exif_transpose(Image.open(io.BytesIO(self.data)))
        image.load()
        return image


@dataclass(frozen=True)
class Font:
    family: str
    path: Path  # the TTF that measures and draws it (a stand-in for a seller-uploaded font)
    divisor: int  # N in the default size 113·height/N
    face_url: str | None = None  # seller-uploaded fonts come with an @font-face


@dataclass(frozen=True)
class Color:
    name: str
    value: str


class Slot(Protocol):
    def tree(self) -> dict[str, object]: ...
    def areas(self, svg_name: str, *, image_capable: bool) -> list[dict[str, object]]: ...
    def draw(self, svg: SvgDocument, layers: list[snapshot.Layer]) -> None: ...


def _clip(box: Box) -> snapshot.Rect:
    cx, cy = box.clip_center
    return cx - box.width / 2, cy - box.height / 2, box.width, box.height


def _v3_box(box: Box) -> dict[str, dict[str, int]]:
    return {
        "Dimensions": {"width": box.width, "height": box.height},
        "Position": {"x": box.x, "y": box.y},
    }


@dataclass(frozen=True)
class ImageSlot:
    name: str
    label: str
    image_label: str
    box: Box
    upload: Upload | None = None
    angle: float = 0.0
    zoom: float = 1.0  # 1 = the photo just covers the box (Amazon's initial fit)

    @cached_property
    def placement(self) -> Placement | None:
        if self.upload is None:
            return None
        width, height = self.upload.oriented.size
        scale = cover_scale(self.box, width, height, self.angle) * self.zoom
        return Placement.centred(
            self.box.center, width, height, scale=scale, angle=self.angle, stroke=IMAGE_STROKE
        )

    def tree(self) -> dict[str, object]:
        image: dict[str, object] = {
            "type": "ImageCustomization",
            "name": "",
            "label": self.image_label,
        }
        if self.upload is not None:
            image["image"] = {
                "imageName": self.upload.member,
                "buyerFilename": self.upload.buyer_filename,
            }
        node: dict[str, object] = {
            "type": "PlacementContainerCustomization",
            "name": self.name,
            "label": self.label,
            "children": [image],
            **self.box.to_json(),
        }
        if self.placement is not None:
            node["buyerPlacement"] = self.placement.to_json()
        return node

    def areas(self, svg_name: str, *, image_capable: bool) -> list[dict[str, object]]:
        return [
            {
                "customizationType": "ImagePrinting",
                **_v3_box(self.box),
                "name": self.name,
                "svgImage": svg_name,
            }
        ]

    def draw(self, svg: SvgDocument, layers: list[snapshot.Layer]) -> None:
        if self.upload is None or self.placement is None:
            return
        svg.image(self.upload.member, self.box, self.placement)
        layers.append(
            snapshot.image_layer(self.upload.oriented, self.placement.matrix, _clip(self.box))
        )


@dataclass(frozen=True)
class TextSlot:
    group_name: str
    group_label: str
    name: str
    label: str
    text_label: str
    box: Box
    font: Font
    color: Color
    text: str = ""
    angle: float = 0.0
    zoom: float = 1.0  # 1 = the text block just fits the box
    price_wrapper: bool = True  # TextCustomization inside FlatRatePriceDeltaContainerCustomization
    outline: bool = False  # precede it with a hidden editor outline, as some real SVGs do

    @cached_property
    def block(self) -> TextBlock:
        font_size = self.box.height * FONT_SIZE_NUMERATOR / self.font.divisor
        return TextBlock.measure(self.text, self.font.path, font_size)

    @cached_property
    def placement(self) -> Placement | None:
        if not self.text:
            return None
        block = self.block
        scale = min(self.box.width / block.width, self.box.height / block.height) * self.zoom
        return Placement.centred(
            self.box.center,
            block.width,
            block.height,
            scale=scale,
            angle=self.angle,
            stroke=TEXT_STROKE,
        )

    def tree(self) -> dict[str, object]:
        text: dict[str, object] = {
            "type": "TextCustomization",
            "name": "",
            "label": self.text_label,
            "inputValue": self.text,
        }
        inner = text
        if self.price_wrapper:
            inner = {"type": "FlatRatePriceDeltaContainerCustomization", "children": [text]}
            if self.text:
                inner["priceDelta"] = {"amount": 0}
        box: dict[str, object] = {
            "type": "PlacementContainerCustomization",
            "name": self.name,
            "label": self.label,
            "children": [inner],
            **self.box.to_json(),
        }
        if self.placement is not None:
            box["buyerPlacement"] = self.placement.to_json()
        return {
            "type": "ContainerCustomization",
            "name": self.group_name,
            "label": self.group_label,
            "children": [
                {
                    "type": "FontCustomization",
                    "name": "",
                    "label": "Font",
                    "fontSelection": {"family": self.font.family},
                },
                {
                    "type": "ColorCustomization",
                    "name": "",
                    "label": "Font Color",
                    "colorSelection": {
                        "name": self.color.name,
                        "value": self.color.value,
                        "colorModel": "rgb",
                    },
                },
                {"type": "ContainerCustomization", "children": [box]},
            ],
        }

    def areas(self, svg_name: str, *, image_capable: bool) -> list[dict[str, object]]:
        if self.text and image_capable:
            # The trap: filled text on an image-capable product is listed as an image, text gone.
            area: dict[str, object] = {"customizationType": "ImagePrinting", **_v3_box(self.box)}
            if self.price_wrapper:
                area["priceDelta"] = {"value": 0.0}
            return [{**area, "name": self.name, "svgImage": svg_name}]
        return [
            {
                "customizationType": "TextPrinting",
                "colorName": self.color.name,
                "fill": self.color.value,
                "fontFamily": self.font.family,
                **_v3_box(self.box),
                "name": self.name,
                "label": self.text_label,
                "text": self.text,
            }
        ]

    def draw(self, svg: SvgDocument, layers: list[snapshot.Layer]) -> None:
        if self.outline:
            svg.hidden_outline(self.box)
        if self.placement is None:
            return
        if self.font.face_url:
            svg.font_face(self.font.family, self.font.face_url)
        svg.text(self.block, self.font.family, self.color.value, self.box, self.placement)
        layers.append(
            snapshot.text_layer(
                self.block.tspans(),
                font_path=self.font.path,
                font_size=self.block.font_size,
                block_size=(self.block.width, self.block.height),
                fill=hex_to_rgb(self.color.value),
                matrix=self.placement.matrix,
                clip=_clip(self.box),
            )
        )


@dataclass(frozen=True)
class OptionSlot:
    name: str
    label: str
    value: str
    cost: float | None = None  # None: the node carries only `displayValue`
    currency: str | None = None
    overlay_url: str | None = None
    overlay_art: Image.Image | None = field(default=None, compare=False)  # snapshot stand-in

    def tree(self) -> dict[str, object]:
        node: dict[str, object] = {
            "type": "OptionCustomization",
            "name": self.name,
            "label": self.label,
        }
        if self.cost is not None:
            cost: dict[str, object] = {"amount": js_value(self.cost)}
            if self.currency:
                cost["currency"] = self.currency
            selection: dict[str, object] = {
                "name": self.value,
                "label": self.value,
                "additionalCost": cost,
            }
            if self.overlay_url:
                selection["overlayImage"] = {
                    "imageUrl": self.overlay_url,
                    "dimension": {"width": 3000, "height": 3000},
                }
            node["optionSelection"] = selection
        node["displayValue"] = self.value
        return node

    def areas(self, svg_name: str, *, image_capable: bool) -> list[dict[str, object]]:
        price: dict[str, object] = {"value": float(self.cost or 0)}
        if self.currency:
            price["currency"] = self.currency
        return [
            {
                "customizationType": "Options",
                "name": self.name,
                "label": self.label,
                "optionValue": self.value,
                "priceDelta": price,
                "optionImage": self.overlay_url or "",
            }
        ]

    def draw(self, svg: SvgDocument, layers: list[snapshot.Layer]) -> None:
        if not self.overlay_url:
            return
        svg.overlay(self.overlay_url)
        if self.overlay_art is not None:
            art = self.overlay_art.convert("RGBA")
            units = (snapshot.SIZE / art.width, snapshot.SIZE / art.height)
            layers.append(
                snapshot.Layer(art, (-200.0, -200.0), units, (1, 0, 0, 1, 200, 200), None)
            )


@dataclass(frozen=True)
class Surface:
    name: str
    label: str
    slots: tuple[Slot, ...]
    base_image_url: str
    svg_member: str
    snapshot_member: str
    first_clip_id: int = 1

    def tree(self) -> dict[str, object]:
        return {
            "type": "PreviewContainerCustomization",
            "name": self.name,
            "label": self.label,
            "children": [
                {
                    "type": "FlatContainerCustomization",
                    "children": [slot.tree() for slot in self.slots],
                }
            ],
            "baseImage": {
                "imageUrl": self.base_image_url,
                "dimension": {"width": 3000, "height": 3000},
            },
            "snapshot": {
                "imageName": self.snapshot_member,
                "dimension": {"width": snapshot.SIZE, "height": snapshot.SIZE},
            },
            "svg": self.svg_member,
        }

    def version3(self, *, image_capable: bool) -> dict[str, object]:
        areas = [
            area
            for slot in self.slots
            for area in slot.areas(self.svg_member, image_capable=image_capable)
        ]
        return {"name": self.label, "areas": areas}

    def render(self) -> tuple[bytes, bytes]:
        """(SVG bytes, snapshot JPEG bytes)."""
        svg = SvgDocument(first_clip_id=self.first_clip_id)
        layers: list[snapshot.Layer] = []
        for slot in self.slots:
            slot.draw(svg, layers)
        return svg.render().encode(), snapshot.to_jpeg(snapshot.draw(layers))

    def uploads(self) -> list[Upload]:
        return [
            slot.upload
            for slot in self.slots
            if isinstance(slot, ImageSlot) and slot.upload is not None
        ]


@dataclass(frozen=True)
class Order:
    order_id: str
    order_item_id: str
    asin: str
    title: str
    surfaces: tuple[Surface, ...]
    with_json: bool = True
    with_xml: bool = True

    @property
    def image_capable(self) -> bool:
        return any(isinstance(slot, ImageSlot) for s in self.surfaces for slot in s.slots)

    def document(self) -> dict[str, object]:
        capable = self.image_capable
        return {
            "orderId": self.order_id,
            "orderItemId": self.order_item_id,
            "merchantId": MERCHANT_ID,
            "marketplaceId": MARKETPLACE_ID,
            "asin": self.asin,
            "title": self.title,
            "quantity": 1,
            "vendorCode": {"empty": True, "present": False},
            "customizationData": {
                "type": "PageContainerCustomization",
                "children": [s.tree() for s in self.surfaces],
            },
            "version3.0": {
                "customizationInfo": {
                    "surfaces": [s.version3(image_capable=capable) for s in self.surfaces]
                }
            },
        }

    def zip_bytes(self) -> bytes:
        members: list[tuple[str, bytes]] = []
        if self.with_json:
            members.append((f"{self.order_item_id}.json", jackson_json(self.document())))
        if self.with_xml:
            members.append((f"{self.order_item_id}.xml", amazon_xml(self.document())))
        for surface in self.surfaces:
            svg, jpeg = surface.render()
            members += [(surface.svg_member, svg), (surface.snapshot_member, jpeg)]
        seen = {name for name, _ in members}
        for surface in self.surfaces:
            for upload in surface.uploads():
                if upload.member not in seen:
                    seen.add(upload.member)
                    members.append((upload.member, upload.data))
        return write_zip(members)
