"""A job's printed face: a small sheet with the job's barcode, for operators who scan jobs done.

It goes into the printer's hot folder beside the print file and the ticket
(`[[printer]] job_sheet = true`), and says what the ticket says that a person at the device
needs: the job id as a Code 128 barcode and as text, the order, the product, the surface, the
printer and the quantity. Like the ticket it never holds the buyer's name, address or text.
"""

from __future__ import annotations

from dataclasses import dataclass

from renderers.barcodes import MAX_BAR_PT, code128_width, draw_code128
from renderers.slip_text import SlipCanvas, SlipFonts

__all__ = ["JOB_SHEET_SIZE", "JobSheet", "draw_job_sheet"]

JOB_SHEET_SIZE = (288.0, 216.0)
"""4 × 3 in: half a 4×6 label, or a corner of an office sheet; wider for a job id whose
barcode needs it (a long surface name), never a barcode too narrow to scan."""

_MARGIN = 12.0
_BARCODE_HEIGHT = 48.0


@dataclass(frozen=True, slots=True)
class JobSheet:
    job_id: str  # the barcode's value, as the ticket's `barcode`
    order_id: str
    product: str
    surface: str
    printer: str  # the printer's name, as printers.toml gives it
    quantity: int
    ship_by: str | None = None  # already written as the marketplace writes dates


def draw_job_sheet(sheet: JobSheet, fonts: SlipFonts) -> bytes:
    """The sheet's PDF; `RenderError` for a job id Code 128 cannot take (not ASCII)."""
    height = JOB_SHEET_SIZE[1]
    width = max(JOB_SHEET_SIZE[0], code128_width(sheet.job_id, bar=MAX_BAR_PT) + 2 * _MARGIN)
    canvas = SlipCanvas(width, height, fonts, f"Job {sheet.job_id}")
    room = width - 2 * _MARGIN
    draw_code128(canvas.canvas, sheet.job_id, _MARGIN, _MARGIN, width=room, height=_BARCODE_HEIGHT)
    y = _MARGIN + _BARCODE_HEIGHT + 4
    lines = [
        (sheet.job_id, 11.0, True),
        (f"Order {sheet.order_id}", 9.0, False),
        (f"{sheet.quantity} × {sheet.product}", 10.0, True),
        (f"Surface: {sheet.surface}", 9.0, False),
        (f"Printer: {sheet.printer}", 9.0, False),
    ]
    if sheet.ship_by:
        lines.append((f"Ship by {sheet.ship_by}", 9.0, False))
    for text, size, bold in lines:
        for line in canvas.wrap(text, size, room, bold=bold):
            line_height = canvas.line_height(line, size)
            if y + line_height > height - _MARGIN / 2:
                break  # a name too long for the sheet is cut; the ticket has it whole
            canvas.line(
                line, _MARGIN, y + line_height * 0.8, size, bold=bold, right=width - _MARGIN
            )
            y += line_height
    return canvas.finish()
