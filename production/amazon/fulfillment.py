"""Multi-Channel Fulfillment answers (Fulfillment Outbound 2020-07-01) as typed records.

Parsed defensively: a missing or unfamiliar field becomes None, 0 or UNKNOWN instead of an
error, because a status poll must keep working when Amazon adds a value or drops an optional
field (listAllFulfillmentOrders is known to omit the required `marketplaceId`). Statuses are
compared case-insensitively: the model's enum is CamelCase, its own examples are upper case.

No record keeps the destination address: these records end up in logs, on the desk page
and in the job store. Package tracking is in `fulfillment_tracking`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from production.amazon import readers as read

__all__ = [
    "HOLD_LIFETIME",
    "HOLD_WARNING_AGE",
    "DeliveryDocument",
    "FulfillmentAction",
    "FulfillmentOrder",
    "FulfillmentOrderItem",
    "FulfillmentOrderStatus",
    "FulfillmentPreview",
    "FulfillmentShipment",
    "ShipmentPackage",
    "UnfulfillableItem",
]

HOLD_LIFETIME = timedelta(days=14)  # Amazon cancels an order still on hold this long after
HOLD_WARNING_AGE = timedelta(days=10)  # when the shop should hear about a hold running out


class FulfillmentOrderStatus(StrEnum):
    """FulfillmentOrderStatus of the model, plus UNKNOWN for a value it does not list."""

    NEW = "New"
    RECEIVED = "Received"
    PLANNING = "Planning"
    PROCESSING = "Processing"
    CANCELLED = "Cancelled"
    COMPLETE = "Complete"
    COMPLETE_PARTIALLED = "CompletePartialled"
    UNFULFILLABLE = "Unfulfillable"
    INVALID = "Invalid"
    UNKNOWN = "Unknown"

    @classmethod
    def parse(cls, value: object) -> FulfillmentOrderStatus:
        """The status whatever its case or underscores; "Canceled" too; UNKNOWN otherwise."""
        key = read.name_key(value)
        if key == "canceled":
            return cls.CANCELLED
        return next((status for status in cls if read.name_key(status.value) == key), cls.UNKNOWN)

    @property
    def cancellable(self) -> bool:
        """The model: the seller can cancel an order that is Received or Planning, no later."""
        return self in (FulfillmentOrderStatus.RECEIVED, FulfillmentOrderStatus.PLANNING)

    @property
    def final(self) -> bool:
        """Nothing more will happen to the order (a poll can stop)."""
        return self in _FINAL

    @property
    def shipped(self) -> bool:
        return self in (FulfillmentOrderStatus.COMPLETE, FulfillmentOrderStatus.COMPLETE_PARTIALLED)


_FINAL = frozenset(
    {
        FulfillmentOrderStatus.CANCELLED,
        FulfillmentOrderStatus.COMPLETE,
        FulfillmentOrderStatus.COMPLETE_PARTIALLED,
        FulfillmentOrderStatus.UNFULFILLABLE,
        FulfillmentOrderStatus.INVALID,
    }
)


class FulfillmentAction(StrEnum):
    SHIP = "Ship"
    HOLD = "Hold"

    @classmethod
    def parse(cls, value: object) -> FulfillmentAction | None:
        return next(
            (action for action in cls if read.name_key(action.value) == read.name_key(value)), None
        )


# Preview ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnfulfillableItem:
    seller_sku: str
    seller_item_id: str
    quantity: int
    reasons: tuple[str, ...]  # Amazon's codes, such as InventoryUnavailable


@dataclass(frozen=True, slots=True)
class FulfillmentPreview:
    """What Amazon would do with the items at one shipping speed."""

    shipping_speed: str
    fulfillable: bool
    unfulfillable_items: tuple[UnfulfillableItem, ...]
    reasons: tuple[str, ...]  # orderUnfulfillableReasons: DeliverySLAUnavailable…
    earliest_arrival: datetime | None
    latest_arrival: datetime | None

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> FulfillmentPreview:
        shipments = read.objects(raw.get("fulfillmentPreviewShipments"))
        arrivals = [read.time(s.get("earliestArrivalDate")) for s in shipments]
        latest = [read.time(s.get("latestArrivalDate")) for s in shipments]
        return cls(
            shipping_speed=read.text(raw.get("shippingSpeedCategory")),
            fulfillable=raw.get("isFulfillable") is True,
            unfulfillable_items=tuple(
                UnfulfillableItem(
                    seller_sku=read.text(item.get("sellerSku")),
                    seller_item_id=read.text(item.get("sellerFulfillmentOrderItemId")),
                    quantity=read.count(item.get("quantity")),
                    reasons=read.texts(item.get("itemUnfulfillableReasons")),
                )
                for item in read.objects(raw.get("unfulfillablePreviewItems"))
            ),
            reasons=read.texts(raw.get("orderUnfulfillableReasons")),
            earliest_arrival=min((a for a in arrivals if a), default=None),
            latest_arrival=max((a for a in latest if a), default=None),
        )


# Orders ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FulfillmentOrderItem:
    seller_sku: str
    seller_item_id: str
    quantity: int
    cancelled_quantity: int
    unfulfillable_quantity: int
    estimated_ship_date: datetime | None
    estimated_arrival_date: datetime | None


@dataclass(frozen=True, slots=True)
class DeliveryDocument:
    """Proof of delivery: `url` works for an hour; fetch the order again for a fresh one."""

    document_type: str  # DELIVERY_IMAGE, the only type the model names
    url: str


@dataclass(frozen=True, slots=True)
class ShipmentPackage:
    package_number: int  # what getPackageTrackingDetails takes
    carrier_code: str
    tracking_number: str | None
    amazon_tracking_number: str | None
    estimated_arrival: datetime | None
    delivery_documents: tuple[DeliveryDocument, ...]


@dataclass(frozen=True, slots=True)
class FulfillmentShipment:
    amazon_shipment_id: str
    status: str  # PENDING, SHIPPED, CANCELLED_BY_FULFILLER, CANCELLED_BY_SELLER (upper case)
    shipping_date: datetime | None
    estimated_arrival: datetime | None
    packages: tuple[ShipmentPackage, ...]


@dataclass(frozen=True, slots=True)
class FulfillmentOrder:
    """A fulfillment order (getFulfillmentOrder; listAllFulfillmentOrders has no items)."""

    seller_fulfillment_order_id: str
    displayable_order_id: str
    marketplace_id: str | None
    status: FulfillmentOrderStatus
    status_text: str  # as Amazon wrote it, for the desk page when status is UNKNOWN
    fulfillment_action: FulfillmentAction | None
    shipping_speed: str
    received_date: datetime | None
    status_updated_date: datetime | None
    items: tuple[FulfillmentOrderItem, ...] = ()
    shipments: tuple[FulfillmentShipment, ...] = ()

    @property
    def held(self) -> bool:
        """On hold and still waiting for a Ship (or for Amazon's 14-day cancellation)."""
        waiting = (FulfillmentOrderStatus.NEW, FulfillmentOrderStatus.RECEIVED)
        return self.fulfillment_action is FulfillmentAction.HOLD and self.status in waiting

    @property
    def hold_expires_at(self) -> datetime | None:
        """When Amazon cancels the order if it is still held; None when not held."""
        if not self.held or self.received_date is None:
            return None
        return self.received_date + HOLD_LIFETIME

    def hold_warning_due(self, now: datetime) -> bool:
        """The hold is at least ten days old: time to tell someone."""
        return bool(
            self.held and self.received_date and now - self.received_date >= HOLD_WARNING_AGE
        )

    @property
    def packages(self) -> tuple[ShipmentPackage, ...]:
        return tuple(package for shipment in self.shipments for package in shipment.packages)

    @property
    def proof_of_delivery(self) -> tuple[DeliveryDocument, ...]:
        """Every package's delivery images (links valid for an hour from the fetch)."""
        return tuple(document for p in self.packages for document in p.delivery_documents)

    @classmethod
    def parse(
        cls, raw: Mapping[str, Any], result: Mapping[str, Any] | None = None
    ) -> FulfillmentOrder:
        """`raw` is the `fulfillmentOrder`; `result` the whole getFulfillmentOrder payload."""
        status = raw.get("fulfillmentOrderStatus")
        whole = result or {}
        return cls(
            seller_fulfillment_order_id=read.text(raw.get("sellerFulfillmentOrderId")),
            displayable_order_id=read.text(raw.get("displayableOrderId")),
            marketplace_id=read.optional(raw.get("marketplaceId")),
            status=FulfillmentOrderStatus.parse(status),
            status_text=read.text(status),
            fulfillment_action=FulfillmentAction.parse(raw.get("fulfillmentAction")),
            shipping_speed=read.text(raw.get("shippingSpeedCategory")),
            received_date=read.time(raw.get("receivedDate")),
            status_updated_date=read.time(raw.get("statusUpdatedDate")),
            items=tuple(_order_item(i) for i in read.objects(whole.get("fulfillmentOrderItems"))),
            shipments=tuple(_shipment(s) for s in read.objects(whole.get("fulfillmentShipments"))),
        )


def _order_item(raw: Mapping[str, Any]) -> FulfillmentOrderItem:
    return FulfillmentOrderItem(
        seller_sku=read.text(raw.get("sellerSku")),
        seller_item_id=read.text(raw.get("sellerFulfillmentOrderItemId")),
        quantity=read.count(raw.get("quantity")),
        cancelled_quantity=read.count(raw.get("cancelledQuantity")),
        unfulfillable_quantity=read.count(raw.get("unfulfillableQuantity")),
        estimated_ship_date=read.time(raw.get("estimatedShipDate")),
        estimated_arrival_date=read.time(raw.get("estimatedArrivalDate")),
    )


def _shipment(raw: Mapping[str, Any]) -> FulfillmentShipment:
    return FulfillmentShipment(
        amazon_shipment_id=read.text(raw.get("amazonShipmentId")),
        status=read.text(raw.get("fulfillmentShipmentStatus")).upper(),
        shipping_date=read.time(raw.get("shippingDate")),
        estimated_arrival=read.time(raw.get("estimatedArrivalDate")),
        packages=tuple(
            _package(p)
            for p in read.objects(raw.get("fulfillmentShipmentPackage"))
            if read.is_number(p.get("packageNumber"))
        ),
    )


def _package(raw: Mapping[str, Any]) -> ShipmentPackage:
    delivery = raw.get("deliveryInformation")
    documents = (
        read.objects(delivery.get("deliveryDocumentList")) if isinstance(delivery, dict) else []
    )
    return ShipmentPackage(
        package_number=read.count(raw.get("packageNumber")),
        carrier_code=read.text(raw.get("carrierCode")),
        tracking_number=read.optional(raw.get("trackingNumber")),
        amazon_tracking_number=read.optional(raw.get("amazonFulfillmentTrackingNumber")),
        estimated_arrival=read.time(raw.get("estimatedArrivalDate")),
        delivery_documents=tuple(
            DeliveryDocument(read.text(d.get("documentType")), read.link(d.get("url")))
            for d in documents
            if read.link(d.get("url"))
        ),
    )
