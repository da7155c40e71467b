"""Companion orders: stock items that ship with a custom order through Multi-Channel Fulfillment.

A product may list companions (a leash with an engraved tag). When an order of it arrives, the
companions are ordered from Amazon's stock on Hold; they are released (Ship) once every custom
job of the order is printed, and cancelled with the order. A record is written before each call
to Amazon, naming what the call is about to do (`CHECKING`, `CREATING`, `RELEASING`,
`CANCELLING`), so that after a crash the same call is repeated, or found to have happened.

A record holds ids, seller SKUs, quantities, Amazon's statuses and messages, carriers and
tracking numbers; never an address (it is fetched again whenever a call needs it) and never a
proof-of-delivery link (those expire after an hour).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = ["CompanionOrder", "CompanionPackage", "CompanionState", "NewCompanionOrder"]


class CompanionState(StrEnum):
    """Where a companion order is; the value is what the store writes."""

    CHECKING = "checking"  # recorded; Amazon is asked whether it can fulfil the items
    UNFULFILLABLE = "unfulfillable"  # Amazon cannot (message says why): the custom jobs are held
    CREATING = "creating"  # fulfillable; the order on Hold is being created
    HELD = "held"  # on Hold at Amazon until the custom jobs are printed
    RELEASING = "releasing"  # printed: the order is being released (Ship)
    RELEASED = "released"  # Amazon is picking and packing it
    SHIPPED = "shipped"  # Amazon shipped it; its packages are tracked until delivered
    DELIVERED = "delivered"  # every package delivered (or tracked long enough)
    CANCELLING = "cancelling"  # the custom order was cancelled: so is this one
    CANCELLED = "cancelled"
    CANCEL_REFUSED = "cancel refused"  # too late to cancel (message says why): it ships anyway

    @property
    def final(self) -> bool:
        """Nothing more will be done about it."""
        return self in (CompanionState.DELIVERED, CompanionState.CANCELLED)

    @property
    def at_amazon(self) -> bool:
        """Amazon has (or may have, after a crash) a fulfillment order for it."""
        return self not in (CompanionState.CHECKING, CompanionState.UNFULFILLABLE)


@dataclass(frozen=True, slots=True)
class CompanionPackage:
    """A package Amazon shipped, as far as tracking goes; the proof of delivery is not kept."""

    number: int  # Amazon's package number (for getPackageTrackingDetails)
    carrier: str
    tracking_number: str | None
    status: str  # a tracking status such as IN_TRANSIT or DELIVERED; UNKNOWN before the first look
    tracking_link: str | None  # the carrier's (or Amazon's) tracking page
    proof_of_delivery: bool = False  # Amazon has a delivery photo (fetched fresh when asked for)


@dataclass(frozen=True, slots=True)
class NewCompanionOrder:
    """The companions of some items of an order, as they are first recorded (CHECKING)."""

    order_id: str
    batch: str  # "" for the order's first companions; the first order item id of a later batch
    seller_fulfillment_order_id: str
    items: tuple[tuple[str, int], ...]  # (seller SKU, quantity)
    order_item_ids: tuple[str, ...]  # the custom items they ship with
    displayable_date: datetime  # the order date printed on the packing slip, the same on retries


@dataclass(frozen=True, slots=True)
class CompanionOrder:
    """A companion order as the store holds it."""

    order_id: str
    batch: str
    seller_fulfillment_order_id: str
    items: tuple[tuple[str, int], ...]
    order_item_ids: tuple[str, ...]
    displayable_date: datetime
    state: CompanionState
    attempt: int  # 1, then one more for each new fulfillment order after Amazon dropped one
    amazon_status: str | None  # the fulfillment order's status as Amazon last wrote it
    message: str | None  # Amazon's words on the last refusal or failure; never an address
    packages: tuple[CompanionPackage, ...]
    held_since: datetime | None  # when Amazon received the order on Hold (it cancels at 14 days)
    warned_at: datetime | None  # when the shop was told the hold is running out
    retries_seen: int  # the custom jobs' retry count when they were held for the companions
    polled_at: datetime | None  # when Amazon was last asked for its status
    created_at: datetime
    updated_at: datetime

    @property
    def units(self) -> int:
        return sum(quantity for _, quantity in self.items)
