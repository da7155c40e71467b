"""Shipping API v2 as typed records: what a package is rated with, rates, purchases, tracking.

Requests are built from `LabelPackage` and `ShipFrom` (the shop's address: no buyer data);
answers are read into `RateQuote`, `Rate`, `Purchase`, `LabelDocument` and `Tracking`. A
rate's `expires_at` is the client's clock at the answer plus ten minutes: Amazon's model
promises no expiry field, only `TOKEN_EXPIRED` for a purchase made later than that.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from production.amazon import readers as read
from production.amazon.session import malformed

__all__ = [
    "LABEL_FORMATS",
    "RATE_LIFETIME",
    "IneligibleRate",
    "LabelDocument",
    "LabelFormat",
    "LabelItem",
    "LabelPackage",
    "Purchase",
    "Rate",
    "RateQuote",
    "ShipFrom",
    "Tracking",
    "TrackingEvent",
]

LabelFormat = Literal["PDF", "ZPL"]
LABEL_FORMATS: tuple[LabelFormat, ...] = ("PDF", "ZPL")
RATE_LIFETIME = timedelta(minutes=10)
"""purchaseShipment's prose: within 10 minutes of rate creation, else TOKEN_EXPIRED."""


@dataclass(frozen=True, slots=True)
class ShipFrom:
    """The shop's address, where the carrier picks the package up."""

    name: str
    address_line1: str
    city: str
    state_or_region: str
    postal_code: str
    country_code: str
    address_line2: str = ""
    company_name: str = ""
    phone_number: str = ""

    def as_json(self) -> dict[str, str]:
        fields = {
            "name": self.name,
            "addressLine1": self.address_line1,
            "addressLine2": self.address_line2,
            "companyName": self.company_name,
            "city": self.city,
            "stateOrRegion": self.state_or_region,
            "postalCode": self.postal_code,
            "countryCode": self.country_code,
            "phoneNumber": self.phone_number,
        }
        return {name: value for name, value in fields.items() if value}


@dataclass(frozen=True, slots=True)
class LabelItem:
    order_item_id: str
    quantity: int


@dataclass(frozen=True, slots=True)
class LabelPackage:
    """One package of an order: its reference (kept for getShipmentDocuments), size, items."""

    reference: str
    weight_g: int
    length_mm: int
    width_mm: int
    height_mm: int
    items: tuple[LabelItem, ...]
    insured_value: Decimal = Decimal("0")
    currency: str = "USD"

    def as_json(self) -> dict[str, Any]:
        return {
            "packageClientReferenceId": self.reference,
            "weight": {"unit": "GRAM", "value": self.weight_g},
            "dimensions": {
                "length": self.length_mm / 10,
                "width": self.width_mm / 10,
                "height": self.height_mm / 10,
                "unit": "CENTIMETER",
            },
            "insuredValue": {"value": float(self.insured_value), "unit": self.currency},
            "items": [
                {"itemIdentifier": item.order_item_id, "quantity": item.quantity}
                for item in self.items
            ],
        }


@dataclass(frozen=True, slots=True)
class Rate:
    """One offer of getRates; bought with its `request_token` and `rate_id` before `expires_at`."""

    rate_id: str
    request_token: str
    carrier_id: str
    carrier_name: str
    service_id: str
    service_name: str
    cost: Decimal
    currency: str
    delivery_start: datetime | None
    delivery_end: datetime | None
    expires_at: datetime
    formats: tuple[str, ...] = ()

    @classmethod
    def parse(cls, raw: Mapping[str, Any], request_token: str, received: datetime) -> Rate:
        rate_id = read.text(raw.get("rateId"))
        charge = raw.get("totalCharge")
        cost = _decimal(charge.get("value")) if isinstance(charge, dict) else None
        if not rate_id or cost is None:
            raise malformed("getRates", "a rate without rateId or totalCharge")
        window = _delivery_window(raw)
        return cls(
            rate_id=rate_id,
            request_token=request_token,
            carrier_id=read.text(raw.get("carrierId")),
            carrier_name=read.text(raw.get("carrierName")),
            service_id=read.text(raw.get("serviceId")),
            service_name=read.text(raw.get("serviceName")),
            cost=cost,
            currency=read.text(charge.get("unit")) if isinstance(charge, dict) else "",
            delivery_start=read.time(window.get("start")),
            delivery_end=read.time(window.get("end")),
            expires_at=received + RATE_LIFETIME,
            formats=tuple(
                read.text(spec.get("format"))
                for spec in read.objects(raw.get("supportedDocumentSpecifications"))
            ),
        )


@dataclass(frozen=True, slots=True)
class IneligibleRate:
    """A service that will not take the package, with Amazon's reasons word for word."""

    carrier_id: str
    service_id: str
    service_name: str
    reasons: tuple[str, ...]

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> IneligibleRate:
        return cls(
            carrier_id=read.text(raw.get("carrierId")),
            service_id=read.text(raw.get("serviceId")),
            service_name=read.text(raw.get("serviceName")),
            reasons=tuple(
                f"{read.text(r.get('code'))}: {read.text(r.get('message'))}"
                for r in read.objects(raw.get("ineligibilityReasons"))
            ),
        )


@dataclass(frozen=True, slots=True)
class RateQuote:
    request_token: str
    rates: tuple[Rate, ...]
    ineligible: tuple[IneligibleRate, ...] = ()

    @classmethod
    def parse(cls, answer: Mapping[str, Any], received: datetime) -> RateQuote:
        token = read.text(answer.get("requestToken"))
        if not token or not isinstance(answer.get("rates"), list):
            raise malformed("getRates", "no requestToken or rates")
        return cls(
            request_token=token,
            rates=tuple(
                Rate.parse(raw, token, received) for raw in read.objects(answer.get("rates"))
            ),
            ineligible=tuple(
                IneligibleRate.parse(raw) for raw in read.objects(answer.get("ineligibleRates"))
            ),
        )


@dataclass(frozen=True, slots=True)
class LabelDocument:
    """A label as bytes: a PDF, or ZPL text for a Zebra printer."""

    format: str
    content: bytes
    package_reference: str
    tracking_id: str

    @classmethod
    def parse(cls, detail: Mapping[str, Any], operation: str) -> LabelDocument:
        documents = read.objects(detail.get("packageDocuments"))
        label = next((d for d in documents if read.text(d.get("type")) == "LABEL"), None)
        if label is None:
            raise malformed(operation, "no LABEL document")
        try:
            content = base64.b64decode(read.text(label.get("contents")), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise malformed(operation, "a label whose contents are not base64") from exc
        if not content:
            raise malformed(operation, "an empty label")
        return cls(
            format=read.text(label.get("format")),
            content=content,
            package_reference=read.text(detail.get("packageClientReferenceId")),
            tracking_id=read.text(detail.get("trackingId")),
        )


@dataclass(frozen=True, slots=True)
class Purchase:
    """A bought label. Amazon's answer names no carrier: `carrier_id` is the rate's, as given."""

    shipment_id: str
    tracking_id: str
    carrier_id: str
    label: LabelDocument
    delivery_end: datetime | None = None

    @classmethod
    def parse(cls, answer: Mapping[str, Any], carrier_id: str) -> Purchase:
        shipment_id = read.text(answer.get("shipmentId"))
        details = read.objects(answer.get("packageDocumentDetails"))
        if not shipment_id or not details:
            raise malformed("purchaseShipment", "no shipmentId or packageDocumentDetails")
        label = LabelDocument.parse(details[0], "purchaseShipment")
        if not label.tracking_id:
            raise malformed("purchaseShipment", "a package without trackingId")
        end = read.time(_delivery_window(answer).get("end"))
        return cls(shipment_id, label.tracking_id, carrier_id, label, end)


@dataclass(frozen=True, slots=True)
class TrackingEvent:
    code: str
    at: datetime | None


@dataclass(frozen=True, slots=True)
class Tracking:
    tracking_id: str
    status: str
    promised_delivery: datetime | None
    events: tuple[TrackingEvent, ...] = ()

    @classmethod
    def parse(cls, answer: Mapping[str, Any]) -> Tracking:
        tracking_id = read.text(answer.get("trackingId"))
        if not tracking_id:
            raise malformed("getTracking", "no trackingId")
        summary = answer.get("summary")
        return cls(
            tracking_id=tracking_id,
            status=read.text(summary.get("status")) if isinstance(summary, dict) else "",
            promised_delivery=read.time(answer.get("promisedDeliveryDate")),
            events=tuple(
                TrackingEvent(read.text(e.get("eventCode")), read.time(e.get("eventTime")))
                for e in read.objects(answer.get("eventHistory"))
            ),
        )


def _delivery_window(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    """`promise.deliveryWindow` of a rate or a purchase; empty when absent."""
    promise = raw.get("promise")
    window = promise.get("deliveryWindow") if isinstance(promise, dict) else None
    return window if isinstance(window, dict) else {}


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None
