"""How a job is named in files, tickets and barcodes: `<orderId>_<orderItemId>_<surface>`.

Every file of a job shares its stem: the print file (`.pdf`, `.svg`), the ticket (`.json`,
`.xjdf`) and the two pictures for people that never reach a device (`.proof.png`,
`.compare.png`). The names come from Amazon's ids and the surface's name, never the buyer's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from anyascii import anyascii

from production.core.model import Customization

__all__ = [
    "COMPARE_SUFFIX",
    "PROOF_SUFFIX",
    "SHEET_SUFFIX",
    "SLIP_SUFFIX",
    "TICKET_SUFFIX",
    "XJDF_SUFFIX",
    "JobIdentity",
    "is_for_people",
    "job_identity",
    "surface_slug",
]

PROOF_SUFFIX = ".proof.png"  # the print file rasterised, as the proof check compared it
COMPARE_SUFFIX = ".compare.png"  # ours beside Amazon's preview and their difference
TICKET_SUFFIX = ".json"
XJDF_SUFFIX = ".xjdf"
SHEET_SUFFIX = ".sheet.pdf"  # the job sheet, for printers with `job_sheet = true`
SLIP_SUFFIX = ".slip.pdf"  # an order's packing slip: `<orderId>.slip.pdf`

_NOT_SLUG = re.compile(r"[^A-Za-z0-9-]+")


def surface_slug(name: str) -> str:
    """The surface name in `[A-Za-z0-9-]` for file names: "Surface 1" → "Surface-1", and
    other scripts transliterated so that front and back stay apart ("正面" → "ZhengMian",
    "背面" → "BeiMian"); "" when nothing of it can be written so."""
    return _NOT_SLUG.sub("-", anyascii(name)).strip("-")


@dataclass(frozen=True, slots=True)
class JobIdentity:
    """How one surface of one order item is named in files, tickets and barcodes."""

    job_id: str  # also the barcode value: Code 128 takes it as is
    stem: str  # <orderId>_<orderItemId>_<surface>


def job_identity(customization: Customization, surface_name: str, taken: set[str]) -> JobIdentity:
    """A stable id (the same zip always gives the same ids), unique among `taken` stems."""
    item = customization.item
    # A name of symbols only has no letters to keep: the surface's place on the product
    # (s1, s2, …) names it instead; the ticket still carries the name itself.
    slug = surface_slug(surface_name) or f"s{_position(customization, surface_name)}"
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


def is_for_people(name: str) -> bool:
    """The proof and comparison pictures: they stay with the masters, no device wants them."""
    return name.endswith((PROOF_SUFFIX, COMPARE_SUFFIX))


def _position(customization: Customization, surface_name: str) -> int:
    names = [surface.name for surface in customization.surfaces]
    return names.index(surface_name) + 1 if surface_name in names else len(names) + 1
