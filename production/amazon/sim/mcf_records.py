"""What simulated Multi-Channel Fulfillment keeps: fulfillment orders, their lines and packages.

Records are immutable; a change to an order replaces it (see `McfState`). Statuses use the
model's CamelCase enum; the views may answer them upper case, as the model's examples do.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from production.amazon.sim.dates import format_time

__all__ = [
    "CANCELLABLE",
    "FINAL",
    "HOLD_LIFETIME",
    "MCF_STATUSES",
    "OPEN",
    "McfLine",
    "McfOrder",
    "McfPackage",
]

MCF_STATUSES = (
    "New",
    "Received",
    "Planning",
    "Processing",
    "Cancelled",
    "Complete",
    "CompletePartialled",
    "Unfulfillable",
    "Invalid",
)
OPEN = frozenset({"New", "Received", "Planning", "Processing"})  # units stay reserved
CANCELLABLE = frozenset({"Received", "Planning"})  # the model: "The seller can cancel…"
FINAL = frozenset({"Cancelled", "Complete", "CompletePartialled", "Unfulfillable", "Invalid"})
HOLD_LIFETIME = timedelta(days=14)  # FulfillmentPolicy: "Hold orders are automatically canceled"


@dataclass(frozen=True, slots=True)
class McfLine:
    """One item line: `quantity` units of a seller SKU."""

    sku: str
    item_id: str
    quantity: int
    cancelled: int = 0
    unfulfillable: int = 0

    @property
    def open(self) -> int:
        """Units still to ship (or shipped, once the order is complete)."""
        return self.quantity - self.cancelled - self.unfulfillable


@dataclass(frozen=True, slots=True)
class McfPackage:
    """A package that left the fulfillment center; it is delivered at `arrives_at`."""

    number: int
    carrier_code: str
    tracking_number: str
    amazon_tracking_number: str
    shipped_at: datetime
    arrives_at: datetime

    def delivered(self, now: datetime) -> bool:
        return now >= self.arrives_at


@dataclass(frozen=True, slots=True)
class McfOrder:
    """A fulfillment order as Amazon holds it; `request` is its create body, canonical JSON."""

    seller_fulfillment_order_id: str
    marketplace_id: str
    displayable_order_id: str
    displayable_order_date: str
    displayable_order_comment: str
    shipping_speed: str
    address: Mapping[str, str]
    action: str
    policy: str
    notification_emails: tuple[str, ...]
    lines: tuple[McfLine, ...]
    status: str
    received: datetime
    status_updated: datetime
    request: str
    packages: tuple[McfPackage, ...] = ()

    @property
    def held(self) -> bool:
        return self.action == "Hold" and self.status in ("New", "Received")

    @property
    def hold_expires(self) -> datetime:
        return self.received + HOLD_LIFETIME

    @property
    def shipment_id(self) -> str:
        """Amazon's shipment id (`DchKfcZ9N` in the model): stable per order."""
        digest = hashlib.sha256(self.seller_fulfillment_order_id.encode()).hexdigest()
        return "D" + digest[:8]

    def summary(self) -> dict[str, Any]:
        """The order as `/_sim/mcf` shows it (no address: the desk demo prints this)."""
        return {
            "sellerFulfillmentOrderId": self.seller_fulfillment_order_id,
            "status": self.status,
            "fulfillmentAction": self.action,
            "shippingSpeedCategory": self.shipping_speed,
            "receivedDate": format_time(self.received),
            "statusUpdatedDate": format_time(self.status_updated),
            "holdExpires": format_time(self.hold_expires) if self.held else None,
            "items": [
                {
                    "sellerSku": line.sku,
                    "sellerFulfillmentOrderItemId": line.item_id,
                    "quantity": line.quantity,
                    "cancelledQuantity": line.cancelled,
                    "unfulfillableQuantity": line.unfulfillable,
                }
                for line in self.lines
            ],
            "packages": [
                {
                    "packageNumber": p.number,
                    "carrierCode": p.carrier_code,
                    "trackingNumber": p.tracking_number,
                    "arrives": format_time(p.arrives_at),
                }
                for p in self.packages
            ],
        }
