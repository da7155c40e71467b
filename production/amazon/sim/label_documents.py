"""The label of a simulated purchase: a 4×6 in PDF drawn with reportlab, or ZPL for a Zebra.

Both show the carrier and service, the ship-from and ship-to addresses, the tracking number as
a Code 128 barcode and in text, and say plainly that the label is simulated. The PDF is made
with reportlab's invariant mode, so the same shipment always gives the same bytes: a retried
purchase returns the very label the first one did.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

from production.amazon.sim.label_records import LabelShipment
from production.amazon.sim.orderviews import ADDRESS

__all__ = ["LABEL_SIZE_INCHES", "SIMULATED", "label_document", "pdf_label", "zpl_label"]

LABEL_SIZE_INCHES = (4.0, 6.0)
SIMULATED = "SIMULATED LABEL - NOT VALID FOR SHIPPING"
_MARGIN = 0.2 * inch


def label_document(shipment: LabelShipment, label_format: str, dpi: int) -> bytes:
    """The label in `label_format` (PDF or ZPL) at `dpi`."""
    if label_format == "ZPL":
        return zpl_label(shipment, dpi).encode("ascii", "replace")
    return pdf_label(shipment)


def pdf_label(shipment: LabelShipment) -> bytes:
    width, height = LABEL_SIZE_INCHES[0] * inch, LABEL_SIZE_INCHES[1] * inch
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(width, height), invariant=1)
    canvas.setTitle(f"Label {shipment.tracking_id}")
    service = shipment.rate.service
    y = height - _MARGIN - 14
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(_MARGIN, y, service.service_name.upper())
    y = _address_block(canvas, "FROM", shipment.quote.ship_from, y - 26, size=8)
    y = _address_block(canvas, "SHIP TO", ADDRESS, y - 14, size=12)
    barcode = Code128(shipment.tracking_id, barHeight=1.1 * inch, barWidth=1.3, quiet=False)
    scale = min(1.0, (width - 2 * _MARGIN) / barcode.width)
    canvas.saveState()
    canvas.translate((width - barcode.width * scale) / 2, y - 1.1 * inch - 20)
    canvas.scale(scale, 1.0)
    barcode.drawOn(canvas, 0, 0)
    canvas.restoreState()
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawCentredString(width / 2, y - 1.1 * inch - 36, f"TRACKING # {shipment.tracking_id}")
    canvas.setFont("Helvetica", 7)
    canvas.drawString(_MARGIN, _MARGIN + 12, f"Order {shipment.quote.order_id}")
    canvas.drawString(_MARGIN, _MARGIN + 3, f"Shipment {shipment.shipment_id}")
    canvas.drawRightString(width - _MARGIN, _MARGIN + 3, SIMULATED)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _address_block(
    canvas: Canvas, title: str, address: Mapping[str, Any], y: float, *, size: int
) -> float:
    canvas.setFont("Helvetica-Bold", size - 1)
    canvas.drawString(_MARGIN, y, title)
    canvas.setFont("Helvetica", size)
    for line in _address_lines(address):
        y -= size + 2
        canvas.drawString(_MARGIN + 8, y, line)
    return y


def _address_lines(address: Mapping[str, Any]) -> list[str]:
    place = " ".join(
        str(address.get(key) or "") for key in ("city", "stateOrRegion", "postalCode")
    ).strip()
    lines = [
        address.get("name"),
        address.get("companyName"),
        address.get("addressLine1"),
        address.get("addressLine2"),
        place,
        address.get("countryCode"),
    ]
    return [str(line) for line in lines if line]


def zpl_label(shipment: LabelShipment, dpi: int) -> str:
    """ZPL II for a 4×6 in label at `dpi` dots per inch (203 or 300)."""
    dots = dpi / 203.0

    def d(value: float) -> int:
        return round(value * dots)

    service = shipment.rate.service
    lines = [
        "^XA",
        "^CI28",
        f"^PW{round(LABEL_SIZE_INCHES[0] * dpi)}",
        f"^LL{round(LABEL_SIZE_INCHES[1] * dpi)}",
        f"^FO{d(30)},{d(30)}^A0N,{d(40)},{d(40)}^FD{_zpl(service.service_name.upper())}^FS",
    ]
    y = 100
    for title, address, size in (
        ("FROM", shipment.quote.ship_from, 22),
        ("SHIP TO", ADDRESS, 32),
    ):
        lines.append(f"^FO{d(30)},{d(y)}^A0N,{d(size)},{d(size)}^FD{title}^FS")
        for text in _address_lines(address):
            y += size + 6
            lines.append(f"^FO{d(50)},{d(y)}^A0N,{d(size)},{d(size)}^FD{_zpl(text)}^FS")
        y += size + 30
    lines += [
        f"^FO{d(40)},{d(y)}^BY{max(2, d(3))}^BCN,{d(200)},N,N,N^FD{shipment.tracking_id}^FS",
        f"^FO{d(40)},{d(y + 220)}^A0N,{d(30)},{d(30)}^FDTRACKING # {shipment.tracking_id}^FS",
        f"^FO{d(30)},{d(1150)}^A0N,{d(18)},{d(18)}^FDOrder {shipment.quote.order_id}^FS",
        f"^FO{d(30)},{d(1175)}^A0N,{d(18)},{d(18)}^FD{SIMULATED}^FS",
        "^XZ",
    ]
    return "\n".join(lines) + "\n"


def _zpl(text: str) -> str:
    """Field data without ZPL's command characters (^ and ~)."""
    return text.replace("^", " ").replace("~", " ")
