"""What the simulated Shipping API v2 keeps: rate quotes and the labels bought from them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from production.amazon.sim.dates import format_time
from production.amazon.sim.label_services import Service

__all__ = ["RATE_LIFETIME", "LabelShipment", "Quote", "QuotedRate"]

RATE_LIFETIME = timedelta(minutes=10)
"""purchaseShipment's prose: "within 10 minutes of rate creation", else TOKEN_EXPIRED."""


@dataclass(frozen=True, slots=True)
class QuotedRate:
    rate_id: str
    service: Service
    charge: Decimal
    billed_kg: float
    pickup: tuple[datetime, datetime]
    delivery: tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class Quote:
    """One getRates answer: its request token, the package it rated and the offers."""

    request_token: str
    order_id: str
    marketplace_id: str
    currency: str
    created: datetime
    package_reference: str
    items: tuple[tuple[str, int], ...]  # order item id, quantity
    ship_from: dict[str, Any]
    rates: tuple[QuotedRate, ...]

    def rate(self, rate_id: str) -> QuotedRate | None:
        return next((r for r in self.rates if r.rate_id == rate_id), None)

    def expired(self, now: datetime) -> bool:
        return now >= self.created + RATE_LIFETIME


@dataclass(frozen=True, slots=True)
class LabelShipment:
    """A label bought with purchaseShipment; handed to the carrier or cancelled later."""

    shipment_id: str
    quote: Quote
    rate: QuotedRate
    tracking_id: str
    label_format: str
    dpi: int
    purchased_at: datetime
    fingerprint: str  # the purchase request, canonical: a retry must repeat it exactly
    idempotency_key: str | None
    handed_over_at: datetime | None = None
    cancelled_at: datetime | None = None

    @property
    def status(self) -> str:
        if self.cancelled_at is not None:
            return "Cancelled"
        return "Purchased" if self.handed_over_at is None else "HandedOver"

    def handed_over(self, at: datetime) -> LabelShipment:
        return replace(self, handed_over_at=at)

    def cancelled(self, at: datetime) -> LabelShipment:
        return replace(self, cancelled_at=at)

    def summary(self) -> dict[str, Any]:
        """The label as `/_sim/labels` shows it."""
        service = self.rate.service
        return {
            "shipmentId": self.shipment_id,
            "orderId": self.quote.order_id,
            "status": self.status,
            "carrierId": service.carrier_id,
            "serviceName": service.service_name,
            "trackingId": self.tracking_id,
            "cost": {"value": float(self.rate.charge), "unit": self.quote.currency},
            "format": self.label_format,
            "dpi": self.dpi,
            "items": [{"orderItemId": i, "quantity": q} for i, q in self.quote.items],
            "packageClientReferenceId": self.quote.package_reference,
            "idempotencyKey": self.idempotency_key,
            "purchasedAt": format_time(self.purchased_at),
            "handedOverAt": _time(self.handed_over_at),
            "cancelledAt": _time(self.cancelled_at),
        }


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else format_time(moment)
