"""Companion items on the desk page: what Amazon is doing with them, in the packer's words.

The packer needs to know whether the stock items Amazon sends (Multi-Channel Fulfillment) are
held until the custom order is printed, released, shipped (carrier, tracking number, tracking
page, proof of delivery), cancelled with the order, or in trouble: Amazon cannot send them (the
custom jobs are held), refused a cancel (they ship anyway), or a hold is about to run out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from urllib.parse import quote

from production.amazon.fulfillment import HOLD_LIFETIME, FulfillmentOrder
from production.store import CompanionOrder, CompanionPackage, CompanionState

__all__ = [
    "CompanionView",
    "ProofSource",
    "companion_view",
    "needs_attention",
    "proof_path",
    "tracking_words",
]

_S = CompanionState
_WORDS = {
    _S.CHECKING: "checking with Amazon",
    _S.UNFULFILLABLE: "Amazon cannot send them",
    _S.CREATING: "ordering from Amazon",
    _S.HELD: "held at Amazon until the order is printed",
    _S.RELEASING: "releasing to Amazon",
    _S.RELEASED: "released: Amazon is packing them",
    _S.SHIPPED: "shipped by Amazon",
    _S.DELIVERED: "delivered by Amazon",
    _S.CANCELLING: "cancelling at Amazon",
    _S.CANCELLED: "cancelled at Amazon",
    _S.CANCEL_REFUSED: "Amazon did not cancel them: they ship anyway",
}
_TROUBLE = frozenset({_S.UNFULFILLABLE, _S.CANCEL_REFUSED})
_TRACKING_WORDS = {"IN_TRANSIT": "in transit", "OUT_FOR_DELIVERY": "out for delivery"}


class ProofSource(Protocol):
    """What the proof-of-delivery link needs of the SP-API client."""

    def get_fulfillment_order(
        self, seller_fulfillment_order_id: str, *, order_id: str | None = ...
    ) -> FulfillmentOrder: ...


@dataclass(frozen=True, slots=True)
class CompanionView:
    record: CompanionOrder
    words: str  # what is happening, in a few words
    kind: str  # "ok", "warning" or "error": how the page colours it
    detail: str | None  # Amazon's words, or the warning
    packages: tuple[CompanionPackage, ...]

    @property
    def items(self) -> str:
        return ", ".join(f"{quantity} × {sku}" for sku, quantity in self.record.items)

    @property
    def order_id(self) -> str:
        return self.record.order_id

    @property
    def fulfillment_order_id(self) -> str:
        return self.record.seller_fulfillment_order_id


def companion_view(record: CompanionOrder) -> CompanionView:
    words = _WORDS[record.state]
    if record.amazon_status and record.state in (_S.RELEASED, _S.CANCEL_REFUSED):
        words = f"{words} ({record.amazon_status} at Amazon)"
    kind, detail = "ok", record.message
    if record.state in _TROUBLE or (record.state is _S.RELEASING and record.message):
        kind = "error"
    elif record.state is _S.HELD and record.warned_at is not None and record.held_since:
        kind = "warning"
        detail = (
            f"held since {_day(record.held_since)}: Amazon cancels the hold on "
            f"{_day(record.held_since + HOLD_LIFETIME)} unless the order is printed by then"
        )
    elif record.state is _S.CHECKING and record.message:
        kind = "warning"
    return CompanionView(record, words, kind, detail, record.packages)


def needs_attention(record: CompanionOrder) -> bool:
    """Shown at the top of the board: trouble, or a hold running out."""
    return companion_view(record).kind != "ok" and record.state is not _S.CANCELLED


def proof_path(record: CompanionOrder, package: CompanionPackage) -> str:
    """The desk's own link: it asks Amazon for a fresh photo link (they last an hour)."""
    return (
        f"/companions/{quote(record.seller_fulfillment_order_id, safe='')}"
        f"/packages/{package.number}/proof"
    )


def tracking_words(status: str) -> str:
    return _TRACKING_WORDS.get(status, status.replace("_", " ").lower())


def _day(moment: datetime) -> str:
    return moment.strftime("%a %Y-%m-%d")
