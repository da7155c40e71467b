"""Code 128 barcodes on slips and job sheets, drawn by reportlab's own barcode module.

Code 128 takes the ids as they are (digits, dashes, letters) and switches to its compact digit
set for runs of digits, so an Amazon order id fits a 4-inch label with room to spare. The bars
are as wide as the space allows up to `MAX_BAR_PT` and never narrower than `MIN_BAR_PT`: on a
203 dpi label printer a bar under two dots is smudged into its neighbours.
"""

from __future__ import annotations

from reportlab.graphics.barcode.code128 import Code128
from reportlab.pdfgen.canvas import Canvas

from production.core.errors import RenderError

__all__ = ["MAX_BAR_PT", "MIN_BAR_PT", "code128_width", "draw_code128"]

MAX_BAR_PT = 1.2  # the narrowest bar, in points, when there is room (0.42 mm)
MIN_BAR_PT = 0.71  # two dots at 203 dpi


def code128_width(value: str, *, bar: float = MIN_BAR_PT) -> float:
    """How wide `value`'s barcode is with bars `bar` points wide, quiet zones included."""
    return float(Code128(value, barWidth=bar, humanReadable=False).width)


def draw_code128(
    canvas: Canvas, value: str, x: float, top: float, *, width: float, height: float
) -> float:
    """Draw `value` in a box `width` wide from (x, top) down (the canvas is y down), centred,
    quiet zones included; the barcode's width. `RenderError` if it cannot be made that narrow."""
    if not value or not value.isascii():
        raise RenderError(f"a Code 128 barcode takes ASCII characters, not {value!r}")
    unit = Code128(value, barWidth=1.0, barHeight=height, humanReadable=False)
    bar = min(MAX_BAR_PT, width / unit.width)
    if bar < MIN_BAR_PT:
        raise RenderError(f"barcode {value!r} does not fit {width:.0f} pt at a readable size")
    barcode = Code128(value, barWidth=bar, barHeight=height, humanReadable=False)
    # Bars are symmetric top to bottom: drawn in the flipped space, they hang down from `top`.
    barcode.drawOn(canvas, x + (width - barcode.width) / 2, top)
    return float(barcode.width)
