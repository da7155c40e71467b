"""What the job store takes and gives back: frozen records of ids, never buyer content.

An item is one Amazon order item and the customization zip it came with; a job is one printable
surface of an item. Records hold ids, SKU/ASIN, quantities, surface and printer names, file names
the shop chose, and reasons — never buyer text, photos, names or addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from production.store.companions import CompanionOrder
from production.store.shipments import ShipmentRecord

__all__ = [
    "Approval",
    "AuditEntry",
    "ItemRecord",
    "JobRecord",
    "JobState",
    "NewItem",
    "NewJob",
    "OrderRecords",
]


class JobState(StrEnum):
    """Where a job is on the floor; the value is what the store writes."""

    RECEIVED = "received"
    RENDERED = "rendered"
    QUEUED = "queued"
    PRINTED = "printed"
    SHIPPED = "shipped"
    PURGED = "purged"
    HELD = "held"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class NewItem:
    """An order item as intake first sees it."""

    order_item_id: str
    order_id: str
    asin: str | None
    sku: str | None
    quantity: int
    zip_path: str
    digest: str  # sha256 hex of the zip, to recognise the same download again
    ship_by: datetime | None = None  # Amazon's latest ship date; None for zips dropped by hand


@dataclass(frozen=True, slots=True)
class ItemRecord:
    """An order item as the store holds it."""

    order_item_id: str
    order_id: str
    asin: str | None
    sku: str | None
    quantity: int
    zip_path: str  # "" once purged (or while the zip has not arrived)
    digest: str  # "" once purged: it is derived from the buyer's zip
    received_at: datetime
    ship_by: datetime | None = None


@dataclass(frozen=True, slots=True)
class NewJob:
    """One printable surface of an item, as the planner lays it out."""

    job_id: str  # "<orderItemId>-<surface>"
    surface: str
    printer: str | None
    stem: str  # output file stem "<orderId>_<orderItemId>_<surface>"


@dataclass(frozen=True, slots=True)
class Approval:
    """A person's decision to print a held job without the check that held it.

    It covers the holds the person saw (`held_for`, the job's reason when it was approved), for
    this job id: a render that finds the very same again is sent on, anything else holds.
    """

    by: str  # who: the desk ("desk") or the OS user of the command line
    reason: str  # why, in the person's words (the shop's, never the buyer's)
    at: datetime
    cause: str  # what held it: "proof" or "review"
    held_for: str  # the hold's reason as the person saw it

    def covers(self, cause: str, holds: str) -> bool:
        """Whether this approval lets a job held for `cause` with reason `holds` go on."""
        return cause == self.cause and holds == self.held_for


@dataclass(frozen=True, slots=True)
class JobRecord:
    """A job as the store holds it."""

    job_id: str
    order_id: str
    order_item_id: str
    surface: str
    printer: str | None
    stem: str
    state: JobState
    reason: str | None  # why the last change happened; None when none was given
    cause: str | None  # what a person must fix; set only while HELD
    hot_paths: tuple[str, ...]  # files delivered to a hot folder
    attempts: int  # how often a person released the job from HELD back to RECEIVED
    created_at: datetime
    updated_at: datetime
    approval: Approval | None = None  # sent on by a person despite a hold; kept from then on


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One state change; `from_state` is None when the job was created."""

    at: datetime
    job_id: str
    order_id: str
    from_state: JobState | None
    to_state: JobState
    reason: str


@dataclass(frozen=True, slots=True)
class OrderRecords:
    """Everything the store holds about one order, read in one go (the desk's order cards)."""

    order_id: str
    items: tuple[ItemRecord, ...]  # by arrival
    jobs: tuple[JobRecord, ...]  # by creation
    shipments: tuple[ShipmentRecord, ...]  # oldest first
    companions: tuple[CompanionOrder, ...]  # oldest first
    ready: bool  # as `JobStore.orders_ready_to_ship` would say
