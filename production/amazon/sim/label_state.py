"""Simulated Shipping API v2: rate quotes, label purchases, hand-over to the carrier, voids.

A purchase ships the order's items at once (as Amazon marks an order shipped when its label
is bought through the Shipping API; no confirmShipment follows), and voiding the label puts
them back. The state shares the lock of `SimState`, whose orders it ships, so a purchase and
the order it changes are one step.

Idempotency, as decided here (Amazon documents only "a unique value which the server uses to
recognize subsequent retries of the same request"): a purchase repeating a key already used,
with the same request, answers the first purchase — also once the rates have expired, also
after a void; the same key with another request is a 400. A request token buys one label:
a second purchase from it, under another key or none, is a 400 naming the first shipment.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from production.amazon.sim.label_records import LabelShipment, Quote, QuotedRate
from production.amazon.sim.label_services import (
    SERVICES,
    Service,
    billed_kg,
    delivery_window,
    price,
    tracking_number,
)
from production.amazon.sim.records import SimError

__all__ = ["TOKEN_EXPIRED", "LabelState", "OrderShipping", "PackageFacts"]

TOKEN_EXPIRED = "TOKEN_EXPIRED"
FIRST_SHIPMENT = 87852211788100
_PICKUP = timedelta(hours=8)


class OrderShipping(Protocol):
    """What the label state needs of the orders: `SimState` provides it."""

    def ship_label(self, shipment: LabelShipment) -> None: ...

    def void_label(self, shipment: LabelShipment) -> None: ...


PackageFacts = tuple[float, float, float, float]
"""Weight in kg, length, width and height in cm."""


class LabelState:
    """Quotes by request token and labels by shipment id, on the simulator's clock and lock."""

    def __init__(
        self,
        *,
        now: Callable[[], datetime],
        lock: threading.RLock,
        orders: OrderShipping,
    ) -> None:
        self.now = now
        self._lock = lock
        self._orders = orders
        self._clear()

    def _clear(self) -> None:
        self._quotes: dict[str, Quote] = {}
        self._shipments: dict[str, LabelShipment] = {}
        self._by_key: dict[str, str] = {}
        self._by_token: dict[str, str] = {}
        self._count = 0

    def reset(self) -> None:
        with self._lock:
            self._clear()

    def quote(
        self,
        *,
        order_id: str,
        marketplace_id: str,
        currency: str,
        package_reference: str,
        items: Sequence[tuple[str, int]],
        facts: PackageFacts,
        ship_from: Mapping[str, Any],
        ship_date: datetime | None,
    ) -> tuple[Quote, list[Service]]:
        """Rates for one package: every service that takes its weight; the others ineligible."""
        now = self.now()
        shipped = ship_date or now
        billed = billed_kg(*facts)
        offered = [s for s in SERVICES if billed <= s.max_kg]
        rates = tuple(
            QuotedRate(
                rate_id=f"amzn1.rate.{secrets.token_hex(12)}",
                service=s,
                charge=price(s, billed),
                billed_kg=round(billed, 3),
                pickup=(shipped, shipped + _PICKUP),
                delivery=delivery_window(s, shipped),
            )
            for s in offered
        )
        quote = Quote(
            request_token=f"amzn1.rq.{secrets.token_hex(16)}",
            order_id=order_id,
            marketplace_id=marketplace_id,
            currency=currency,
            created=now,
            package_reference=package_reference,
            items=tuple(items),
            ship_from=dict(ship_from),
            rates=rates,
        )
        with self._lock:
            self._quotes[quote.request_token] = quote
        return quote, [s for s in SERVICES if s not in offered]

    def purchase(
        self,
        *,
        request_token: str,
        rate_id: str,
        label_format: str,
        dpi: int,
        idempotency_key: str | None,
        fingerprint: str,
        expired: bool = False,
    ) -> LabelShipment:
        """Buy the label (or answer the purchase this key already made); `expired` forces it."""
        with self._lock:
            if idempotency_key is not None and idempotency_key in self._by_key:
                first = self._shipments[self._by_key[idempotency_key]]
                if first.fingerprint != fingerprint:
                    raise SimError(
                        "The x-amzn-IdempotencyKey was already used for a different "
                        "purchaseShipment request; a new purchase needs a new key."
                    )
                return first
            quote = self._quotes.get(request_token)
            if quote is None:
                raise SimError(f"The requestToken {request_token} is not valid.")
            now = self.now()
            if expired or quote.expired(now):
                raise SimError(
                    "The requestToken has expired: a purchase must be made within 10 minutes "
                    "of the rates. Get the rates for the shipment again.",
                    code=TOKEN_EXPIRED,
                )
            rate = quote.rate(rate_id)
            if rate is None:
                raise SimError(f"The rateId {rate_id} is not a rate of this requestToken.")
            if request_token in self._by_token:
                raise SimError(
                    f"A label was already purchased with this requestToken (shipment "
                    f"{self._by_token[request_token]}); get new rates to buy another."
                )
            shipment = self._new_shipment(quote, rate, label_format, dpi, now)
            shipment = replace(shipment, fingerprint=fingerprint, idempotency_key=idempotency_key)
            self._orders.ship_label(shipment)
            self._shipments[shipment.shipment_id] = shipment
            self._by_token[request_token] = shipment.shipment_id
            if idempotency_key is not None:
                self._by_key[idempotency_key] = shipment.shipment_id
            return shipment

    def cancel(self, shipment_id: str) -> LabelShipment:
        """Void the label while the carrier does not have the package; a repeat changes nothing."""
        with self._lock:
            shipment = self._require(shipment_id)
            if shipment.status == "Cancelled":
                return shipment
            if shipment.status == "HandedOver":
                raise SimError(
                    f"Shipment {shipment_id} was already handed over to the carrier; it can no "
                    "longer be cancelled."
                )
            cancelled = shipment.cancelled(self.now())
            self._orders.void_label(cancelled)
            self._shipments[shipment_id] = cancelled
            return cancelled

    def hand_over(self, shipment_id: str) -> LabelShipment:
        """The carrier picked the package up (a simulator control; Amazon learns it by a scan)."""
        with self._lock:
            shipment = self._require(shipment_id)
            if shipment.status == "Cancelled":
                raise SimError(f"Shipment {shipment_id} was cancelled; nothing to hand over.")
            if shipment.status == "Purchased":
                shipment = shipment.handed_over(self.now())
                self._shipments[shipment_id] = shipment
            return shipment

    def shipment(self, shipment_id: str) -> LabelShipment | None:
        with self._lock:
            return self._shipments.get(shipment_id)

    def by_tracking(self, tracking_id: str, carrier_id: str) -> LabelShipment | None:
        with self._lock:
            return next(
                (
                    s
                    for s in self._shipments.values()
                    if s.tracking_id == tracking_id and s.rate.service.carrier_id == carrier_id
                ),
                None,
            )

    def shipments(self, order_id: str | None = None) -> list[LabelShipment]:
        with self._lock:
            return [s for s in self._shipments.values() if order_id in (None, s.quote.order_id)]

    def _require(self, shipment_id: str) -> LabelShipment:
        shipment = self._shipments.get(shipment_id)
        if shipment is None:
            raise SimError(f"Shipment {shipment_id} was not found.", status=404, code="NotFound")
        return shipment

    def _new_shipment(
        self,
        quote: Quote,
        rate: QuotedRate,
        label_format: str,
        dpi: int,
        now: datetime,
    ) -> LabelShipment:
        self._count += 1
        return LabelShipment(
            shipment_id=str(FIRST_SHIPMENT + self._count),
            quote=quote,
            rate=rate,
            tracking_id=tracking_number(rate.service, self._count),
            label_format=label_format,
            dpi=dpi,
            purchased_at=now,
            fingerprint="",
            idempotency_key=None,
        )
