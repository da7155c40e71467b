"""One order's packing slip as a PDF: what a packer needs to put the right goods in the box.

The order id as a Code 128 barcode (the desk's scan field takes it) and as text, the ship-by
date as the marketplace writes dates, every item with its product name, quantity, listing
options and a thumbnail of each printed surface, the gift message when the buyer wrote one, and
the buyer's name and address only when the caller passes them (the shop turns that on:
`[shipping] slip_address`). The default page is a 4×6 in label, printed with the shipping label;
A4 and Letter suit an office printer. An order too long for one page goes on over more.

Pure: a `PackingSlip` in, PDF bytes out. The thumbnails are PNG or JPEG bytes
(`renderers.thumbnails` makes them from the print files).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Literal

from PIL import Image
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.utils import ImageReader

from production.core.errors import RenderError
from production.core.marketplace_formats import format_ship_date
from renderers.barcodes import draw_code128
from renderers.slip_text import SlipCanvas, SlipFonts

__all__ = [
    "SLIP_SIZES",
    "PackingSlip",
    "SlipAddress",
    "SlipItem",
    "SlipSize",
    "SlipThumbnail",
    "draw_packing_slip",
]

SlipSize = Literal["4x6", "a4", "letter"]
SLIP_SIZES: dict[SlipSize, tuple[float, float]] = {
    "4x6": (288.0, 432.0),
    "a4": (float(A4[0]), float(A4[1])),
    "letter": (float(LETTER[0]), float(LETTER[1])),
}
"""Page sizes in points, portrait."""


@dataclass(frozen=True, slots=True)
class SlipAddress:
    """Where the order goes, as Amazon gives it: the buyer's name and the address lines."""

    name: str
    lines: tuple[str, ...]  # street lines, then city / region / postal code, then country


@dataclass(frozen=True, slots=True)
class SlipThumbnail:
    surface: str  # the surface's name, as the listing calls it
    image: bytes  # PNG or JPEG


@dataclass(frozen=True, slots=True)
class SlipItem:
    product_name: str
    quantity: int
    options: tuple[tuple[str, str], ...] = ()  # (label, value): the listing's own choices
    thumbnails: tuple[SlipThumbnail, ...] = ()
    sku: str | None = None


@dataclass(frozen=True, slots=True)
class PackingSlip:
    order_id: str
    marketplace_id: str | None  # dates are written as this marketplace writes them
    ship_by: date | None
    items: tuple[SlipItem, ...]
    shop_name: str = ""
    gift_message: str | None = None
    buyer: SlipAddress | None = None  # None unless the shop prints addresses on slips


@dataclass(frozen=True, slots=True)
class _Sizes:
    margin: float
    title: float
    text: float
    small: float
    barcode: float
    thumbnail: float


_SIZES: dict[SlipSize, _Sizes] = {
    "4x6": _Sizes(margin=14, title=11, text=9, small=7.5, barcode=44, thumbnail=54),
    "a4": _Sizes(margin=40, title=16, text=11, small=9, barcode=56, thumbnail=90),
    "letter": _Sizes(margin=40, title=16, text=11, small=9, barcode=56, thumbnail=90),
}


def draw_packing_slip(slip: PackingSlip, fonts: SlipFonts, *, size: SlipSize = "4x6") -> bytes:
    """The slip's PDF. `RenderError` if the order id cannot be a barcode on this page."""
    width, height = SLIP_SIZES[size]
    page = _Page(SlipCanvas(width, height, fonts, f"Packing slip {slip.order_id}"), _SIZES[size])
    page.header(slip)
    if slip.buyer is not None:
        page.address(slip.buyer)
    for item in slip.items:
        page.item(item)
    if slip.gift_message and slip.gift_message.strip():
        page.gift(slip.gift_message)
    return page.canvas.finish()


class _Page:
    """A cursor down the slip's pages: each block asks for its height before it is drawn."""

    def __init__(self, canvas: SlipCanvas, sizes: _Sizes) -> None:
        self.canvas = canvas
        self.s = sizes
        self.y = sizes.margin
        self.left = sizes.margin
        self.right = canvas.width - sizes.margin
        self.order_id = ""

    @property
    def room(self) -> float:
        return self.right - self.left

    def need(self, height: float) -> None:
        """Go on to a new page unless `height` fits below the cursor."""
        if self.y + height <= self.canvas.height - self.s.margin or self.y <= self.s.margin * 2:
            return
        self.canvas.new_page()
        self.y = self.s.margin
        self.text(f"{self.order_id} (continued)", self.s.small)

    def text(self, line: str, size: float, *, bold: bool = False, x: float | None = None) -> None:
        height = self.canvas.line_height(line, size)
        self.canvas.line(line, self.left if x is None else x, self.y + height * 0.8, size,
                         bold=bold, right=self.right)  # fmt: skip
        self.y += height

    def paragraph(self, text: str, size: float, *, indent: float = 0.0) -> None:
        for line in self.canvas.wrap(text, size, self.room - indent):
            self.need(self.canvas.line_height(line, size))
            self.text(line, size, x=self.left + indent)

    def header(self, slip: PackingSlip) -> None:
        s = self.s
        self.order_id = slip.order_id
        if slip.shop_name:
            self.text(slip.shop_name, s.small)
        self.text("Packing slip", s.title, bold=True)
        self.y += 2
        draw_code128(self.canvas.canvas, slip.order_id, self.left, self.y,
                     width=self.room, height=s.barcode)  # fmt: skip
        self.y += s.barcode + 2
        self.text(f"Order {slip.order_id}", s.text, bold=True)
        if slip.ship_by is not None:
            self.text(f"Ship by {format_ship_date(slip.ship_by, slip.marketplace_id)}", s.text)
        self.rule()

    def address(self, buyer: SlipAddress) -> None:
        self.need(self.canvas.line_height(buyer.name, self.s.text) * (2 + len(buyer.lines)))
        self.text("Ship to", self.s.small)
        self.paragraph(buyer.name, self.s.text)
        for line in buyer.lines:
            self.paragraph(line, self.s.text)
        self.rule()

    def item(self, item: SlipItem) -> None:
        s = self.s
        # The item's name is kept on the page of its first row of pictures.
        self.need(s.text * 1.5 + (self._row_height() if item.thumbnails else 0.0))
        self.paragraph(f"{item.quantity} × {item.product_name}", s.text)
        if item.sku:
            self.paragraph(f"SKU {item.sku}", s.small, indent=8)
        for label, value in item.options:
            self.paragraph(f"{label}: {value}", s.small, indent=8)
        self.thumbnails(item.thumbnails)
        self.y += 3

    def thumbnails(self, thumbnails: tuple[SlipThumbnail, ...]) -> None:
        """A row (or rows) of pictures, each over its surface's name."""
        s = self.s
        x = self.left + 8
        for thumbnail in thumbnails:
            picture = _picture(thumbnail.image)
            w, h = _fit(picture.size, s.thumbnail, s.thumbnail)
            if x + s.thumbnail > self.right:
                x = self.left + 8
                self.y += self._row_height()
            self.need(self._row_height())
            self.image(picture, x, self.y + 2, w, h)
            caption = self.canvas.wrap(thumbnail.surface, s.small, s.thumbnail)[0]
            self.canvas.line(caption, x, self.y + 2 + h + s.small * 1.2, s.small)
            x += s.thumbnail + 8
        if thumbnails:
            self.y += self._row_height()

    def _row_height(self) -> float:
        return self.s.thumbnail + self.s.small * 1.6 + 4

    def image(self, picture: Image.Image, x: float, top: float, w: float, h: float) -> None:
        canvas = self.canvas.canvas
        canvas.saveState()
        canvas.translate(x, top + h)
        canvas.scale(1, -1)  # pictures stand upright in the flipped space
        canvas.drawImage(ImageReader(picture), 0, 0, w, h)
        canvas.restoreState()

    def gift(self, message: str) -> None:
        s = self.s
        self.need(s.text * 4)
        self.rule()
        self.text("Gift message", s.small, bold=True)
        self.paragraph(message, s.text)

    def rule(self) -> None:
        self.y += 3
        canvas = self.canvas.canvas
        canvas.setLineWidth(0.5)
        canvas.line(self.left, self.y, self.right, self.y)
        self.y += 4


def _picture(data: bytes) -> Image.Image:
    try:
        picture = Image.open(io.BytesIO(data))
        picture.load()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise RenderError("a thumbnail for the packing slip is not a readable picture") from exc
    return picture.convert("RGB")


def _fit(pixels: tuple[int, int], width: float, height: float) -> tuple[float, float]:
    scale = min(width / max(pixels[0], 1), height / max(pixels[1], 1))
    return pixels[0] * scale, pixels[1] * scale
