"""How a job is named in files, tickets and barcodes: `<orderId>_<orderItemId>_<surface>`.

Every file of a job shares its stem: the print file (`.pdf`, `.svg`), the ticket (`.json`,
`.xjdf`) and the two pictures for people that never reach a device (`.proof.png`,
`.compare.png`). The names come from Amazon's ids and the surface's name, never the buyer's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from production.core.model import Customization

__all__ = [
    "COMPARE_SUFFIX",
    "PROOF_SUFFIX",
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


def is_for_people(name: str) -> bool:
    """The proof and comparison pictures: they stay with the masters, no device wants them."""
    return name.endswith((PROOF_SUFFIX, COMPARE_SUFFIX))
