"""What the simulated Amazon keeps: orders and their items, shipments, tokens, reports.

All records are immutable; a change to an order is a new version of it (see `SimState`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from production.amazon.sim.dates import format_time
from production.core.errors import ProductionError

__all__ = [
    "ORDER_STATUSES",
    "IssuedToken",
    "Package",
    "RestrictedResource",
    "Shipment",
    "SimError",
    "SimItem",
    "SimOrder",
    "SimReport",
]

ORDER_STATUSES = (
    "PendingAvailability",
    "Pending",
    "Unshipped",
    "PartiallyShipped",
    "Shipped",
    "InvoiceUnconfirmed",
    "Canceled",
    "Unfulfillable",
)
"""Order statuses as Orders v0 names them (the 2026-01-01 names are derived from these)."""


class SimError(ProductionError):
    """A call the simulated Amazon refuses: answered as `{"errors": [{code, message}]}`."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        code: str = "InvalidInput",
        order_id: str | None = None,
        item_id: str | None = None,
    ) -> None:
        super().__init__(message, order_id=order_id, item_id=item_id, source="SP-API simulator")
        self.status = status
        self.code = code


@dataclass(frozen=True, slots=True)
class SimItem:
    """One order item; `zip_token` names its customization zip at `/downloads/<token>.zip`."""

    order_id: str
    order_item_id: str
    asin: str | None
    sku: str | None
    title: str | None
    quantity: int
    quantity_shipped: int
    zip_token: str
    url_withheld: bool = False  # the `empty_customized_url` fault hit this item
    gift_message: str | None = None  # the buyer's gift message for this item, if any

    @property
    def quantity_to_ship(self) -> int:
        return self.quantity - self.quantity_shipped


@dataclass(frozen=True, slots=True)
class SimOrder:
    """One version of an order: every change makes a new one with a later `last_updated`."""

    order_id: str
    marketplace_id: str
    purchase_date: datetime
    last_updated: datetime
    status: str
    items: tuple[SimItem, ...]
    fulfillment_channel: str = "MFN"
    delivery_days: int = 5  # the latest delivery date is this many days after the latest ship date

    def item(self, order_item_id: str) -> SimItem | None:
        return next((i for i in self.items if i.order_item_id == order_item_id), None)

    def summary(self) -> dict[str, Any]:
        """The order as the admin endpoints show it."""
        return {
            "orderId": self.order_id,
            "status": self.status,
            "marketplaceId": self.marketplace_id,
            "purchaseDate": format_time(self.purchase_date),
            "lastUpdatedTime": format_time(self.last_updated),
            "items": [
                {
                    "orderItemId": i.order_item_id,
                    "asin": i.asin,
                    "quantity": i.quantity,
                    "quantityShipped": i.quantity_shipped,
                    "zipToken": i.zip_token,
                    "customizedUrlWithheld": i.url_withheld,
                }
                for i in self.items
            ],
        }


@dataclass(frozen=True, slots=True)
class Package:
    """The `packageDetail` of a shipment confirmation; `items` merged by id and sorted."""

    package_reference_id: str
    carrier_code: str
    carrier_name: str | None
    shipping_method: str | None
    tracking_number: str
    ship_date: str
    items: tuple[tuple[str, int], ...]

    def same_content(self, other: Package) -> bool:
        """Same package, items, carrier and tracking: a retry (the ship date may differ)."""
        return (
            self.package_reference_id,
            self.carrier_code,
            self.carrier_name,
            self.shipping_method,
            self.tracking_number,
            self.items,
        ) == (
            other.package_reference_id,
            other.carrier_code,
            other.carrier_name,
            other.shipping_method,
            other.tracking_number,
            other.items,
        )


@dataclass(frozen=True, slots=True)
class Shipment:
    """A confirmed package of an order."""

    order_id: str
    marketplace_id: str
    package: Package
    confirmed_at: datetime

    def as_json(self) -> dict[str, Any]:
        package = self.package
        return {
            "orderId": self.order_id,
            "marketplaceId": self.marketplace_id,
            "packageReferenceId": package.package_reference_id,
            "carrierCode": package.carrier_code,
            "carrierName": package.carrier_name,
            "shippingMethod": package.shipping_method,
            "trackingNumber": package.tracking_number,
            "shipDate": package.ship_date,
            "items": [{"orderItemId": i, "quantity": q} for i, q in package.items],
            "confirmedAt": format_time(self.confirmed_at),
        }


@dataclass(frozen=True, slots=True)
class RestrictedResource:
    """A method and path an RDT opens; `{name}` segments stand for any value."""

    method: str
    path: str
    data_elements: frozenset[str] = frozenset()

    def covers(self, method: str, path: str) -> bool:
        if method.upper() != self.method.upper():
            return False
        mine, theirs = self.path.strip("/").split("/"), path.strip("/").split("/")
        return len(mine) == len(theirs) and all(
            a == b or (a.startswith("{") and a.endswith("}"))
            for a, b in zip(mine, theirs, strict=True)
        )


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """An LWA access token or a Restricted Data Token the simulator handed out."""

    value: str
    kind: Literal["access", "rdt"]
    expires_at: datetime
    resources: tuple[RestrictedResource, ...] = ()

    def resource_for(self, method: str, path: str) -> RestrictedResource | None:
        return next((r for r in self.resources if r.covers(method, path)), None)


@dataclass(frozen=True, slots=True)
class SimReport:
    """A report and its one document (gzip-compressed), ready from `ready_at` on."""

    report_id: str
    report_type: str
    marketplace_ids: tuple[str, ...]
    created: datetime
    ready_at: datetime
    document_id: str
    document: bytes
    data_start: str | None = None
    data_end: str | None = None

    def status(self, now: datetime) -> str:
        if now >= self.ready_at:
            return "DONE"
        halfway = self.created + (self.ready_at - self.created) / 2
        return "IN_PROGRESS" if now >= halfway else "IN_QUEUE"
