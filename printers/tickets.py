"""The JSON job ticket written beside every print file.

A ticket tells the person (or RIP) at the device what the file is: which order item and
product, the finished and printed size, the process and device settings, the photo
resolutions, and a barcode value to scan when the job is done. It never holds the buyer's
name, address or text: the print file is the only place the design lives.

Fields follow `shared/specs/print-production.md` ("Job tickets"); `TICKET_VERSION` changes when
a field changes meaning, so RIP scripts written against a ticket keep working.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from printers.mirror import is_mirrored
from production.config.products import Product, SurfaceTemplate
from production.config.settings import Printer
from production.core.model import Customization, Option
from renderers.fonts import ResolvedFont
from renderers.pdf import ImageReport
from renderers.preflight import Finding, holds, warnings

__all__ = [
    "LOW_PPI_WARNING",
    "TICKET_VERSION",
    "JobIdentity",
    "job_identity",
    "surface_slug",
    "ticket",
    "ticket_bytes",
]

TICKET_VERSION = 1
LOW_PPI_WARNING = 300.0
"""Photos printed below this effective resolution get a warning (without a template's own)."""

_NOT_SLUG = re.compile(r"[^A-Za-z0-9-]+")


def surface_slug(name: str) -> str:
    """The surface name reduced to `[A-Za-z0-9-]` for file names ("Surface 1" → "Surface-1")."""
    return _NOT_SLUG.sub("-", name).strip("-") or "surface"


@dataclass(frozen=True, slots=True)
class JobIdentity:
    """How one surface of one order item is named in files, tickets and barcodes."""

    job_id: str  # also the barcode value: Code 128 takes it as is
    stem: str  # <orderId>_<orderItemId>_<surface>


def job_identity(customization: Customization, surface_name: str, taken: set[str]) -> JobIdentity:
    """A stable id (the same zip always gives the same ids), unique among `taken` stems."""
    item = customization.item
    slug = surface_slug(surface_name)
    stem = f"{item.order_id}_{item.order_item_id}_{slug}"
    number = 2
    base = slug
    while stem in taken:
        # Two surface names that reduce to the same slug ("Side 1" and "Side-1").
        slug = f"{base}-{number}"
        stem = f"{item.order_id}_{item.order_item_id}_{slug}"
        number += 1
    taken.add(stem)
    return JobIdentity(job_id=f"{item.order_item_id}-{slug}", stem=stem)


def ticket(
    *,
    identity: JobIdentity,
    customization: Customization,
    product: Product,
    template: SurfaceTemplate | None,
    printer: Printer | None,
    surface_name: str,
    file_name: str | None,
    images: Sequence[ImageReport] = (),
    fonts: Sequence[ResolvedFont] = (),
    findings: Sequence[Finding] = (),
    proof: dict[str, Any] | None = None,
    shop: str = "",
    ship_by: datetime | None = None,
    created: datetime | None = None,
    engrave: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The ticket of one job as a JSON-ready dict (`file_name` None: nothing to print).

    `file_name` is the file the device gets; `engrave` the laser settings of an engrave job.
    `findings` are the job's preflight findings: those of severity "hold" are its `hold`, the
    others its `warnings`; all of them, with the proof check's scores (`proof`), are its
    `preflight` block.
    """
    item = customization.item
    document: dict[str, Any] = {
        "ticket_version": TICKET_VERSION,
        "job_id": identity.job_id,
        "barcode": identity.job_id,
        "shop": shop,
        "order_id": item.order_id,
        "order_item_id": item.order_item_id,
        "asin": item.asin,
        "sku": item.sku,
        "quantity": item.quantity,
        "ship_by": _time(ship_by),
        "product": product.name,
        "surface": surface_name,
        "file": file_name,
    }
    if template is not None:
        print_w = template.width_mm + 2 * template.bleed_mm
        print_h = template.height_mm + 2 * template.bleed_mm
        document |= {
            "template": f"{product.name} / {template.name}",
            "process": template.process,
            "finished_size_mm": [_mm(template.width_mm), _mm(template.height_mm)],
            "print_size_mm": [_mm(print_w), _mm(print_h)],
            "bleed_mm": _mm(template.bleed_mm),
            "safe_margin_mm": _mm(template.safe_margin_mm),
        }
    if printer is not None:
        document |= {
            "printer": printer.id,
            "printer_name": printer.name,
            # Engrave photos are rastered at exactly this resolution; a RIP uses it as its own.
            "dpi": printer.dpi,
            # Whether the file in the hot folder is a mirror image (the master never is).
            "mirror": is_mirrored(template.process if template else None, printer),
            "format": printer.format,
        }
    if engrave is not None:
        document["engrave"] = engrave
    document |= {
        "white": "none",  # no white underbase layer is generated yet
        "spot_channels": [],
        "images": [_image(report, template) for report in images],
        "fonts": [_font(font) for font in fonts],
        "options": [_option(option) for option in customization.options],
        "warnings": warnings(findings),
        "hold": holds(findings),
        "preflight": {"findings": [f.as_dict() for f in findings], "proof": proof},
        "created": _time(created),
    }
    return document


def ticket_bytes(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _image(report: ImageReport, template: SurfaceTemplate | None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "member": report.member,
        "pixels": list(report.pixels),
        "printed_mm": [_mm(report.printed_mm[0]), _mm(report.printed_mm[1])],
        "ppi": round(report.ppi, 1),
    }
    limit = template.min_ppi_warn if template is not None else LOW_PPI_WARNING
    if report.ppi < limit:
        entry["warning"] = f"prints at {report.ppi:.0f} ppi, under {limit:.0f}"
    return entry


def _font(font: ResolvedFont) -> dict[str, Any]:
    return {
        "family": font.family,
        "file": font.path.name,
        "weight": font.weight,
        "italic": font.italic,
        "substituted_for": font.substituted_for,
    }


def _option(option: Option) -> dict[str, Any]:
    # Option values are the listing's own choices (a colour, a size), not the buyer's words.
    return {"label": option.label or option.name, "value": option.value}


def _mm(value: float) -> float:
    return round(value, 2)


def _time(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None
