"""Confirming a shipment: record the package, tell Amazon, mark the jobs shipped.

The package is written to the store before Amazon is called, under the reference it will carry,
so a retry after a crash or a timeout repeats the same package instead of creating a second.
Amazon's 400 answers are kept on the package and shown word for word: they say what to fix.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Protocol

from production.amazon.errors import InvalidInputError, RequestValidationError
from production.core.errors import AmazonError, ProductionError
from production.shipping.carriers import CarrierError, amazon_carrier, choose_carrier, compact
from production.store import (
    ItemRecord,
    JobRecord,
    JobState,
    JobStore,
    ShipmentRecord,
    ShipmentState,
)

__all__ = ["ShipmentConfirmer", "Shipping", "ShippingError"]

_CLOSED = (JobState.SHIPPED, JobState.PURGED, JobState.CANCELLED)
_DONE_PACKAGES = (ShipmentState.CONFIRMED, ShipmentState.MANUAL)


class ShippingError(ProductionError):
    """An order cannot be shipped as asked (unknown, not printed, wrong items)."""

    cause = "shipping"


class ShipmentConfirmer(Protocol):
    """What shipping needs of the SP-API client."""

    def confirm_shipment(
        self, order_id: str, *, marketplace_id: str, package_detail: dict[str, object]
    ) -> None: ...


class Shipping:
    def __init__(
        self,
        store: JobStore,
        *,
        amazon: ShipmentConfirmer | None,
        marketplace_id: str | None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.amazon = amazon
        self.marketplace_id = marketplace_id
        self.clock = clock

    def ship(
        self,
        order_id: str,
        *,
        carrier: str = "",
        tracking: str,
        ship_date: datetime | None = None,
        package_ref: str | None = None,
        items: Sequence[tuple[str, int]] | None = None,
    ) -> ShipmentRecord:
        """Confirm one package of an order; the same call again is the same package.

        The carrier may be left out when the tracking number's format names it; a carrier
        that contradicts the number is refused (`production.shipping.carriers`).
        """
        tracking = compact(tracking)
        if not tracking:
            raise ShippingError("a tracking number is needed", order_id=order_id)
        try:
            carrier = choose_carrier(carrier, tracking)
        except CarrierError as exc:
            raise CarrierError(exc.message, order_id=order_id) from None
        again = self._same_package(order_id, tracking, package_ref)
        chosen = list(again.items) if again is not None else self._items(order_id, items)
        package = self.store.add_shipment(
            order_id,
            carrier=carrier,
            tracking=tracking,
            ship_date=ship_date or self.clock(),
            items=chosen,
            package_ref=package_ref,
        )
        if package.state in _DONE_PACKAGES:
            return package  # confirmed before: nothing to repeat
        if self.amazon is None:
            package = self.store.finish_shipment(
                order_id, package.package_ref, state=ShipmentState.MANUAL
            )
        else:
            package = self._confirm(package)
        self._mark_shipped(package)
        return package

    def _same_package(
        self, order_id: str, tracking: str, package_ref: str | None
    ) -> ShipmentRecord | None:
        """The package recorded before under this tracking number: a retry, or a double scan."""
        for package in self.store.shipments(order_id=order_id):
            if package.tracking == tracking and package_ref in (None, package.package_ref):
                return package
        return None

    def _confirm(self, package: ShipmentRecord) -> ShipmentRecord:
        assert self.amazon is not None
        if not self.marketplace_id:
            raise ShippingError(
                "no marketplace id is configured ([amazon] marketplace_ids in shop.toml)",
                order_id=package.order_id,
            )
        code, name = amazon_carrier(package.carrier)
        detail: dict[str, object] = {
            "packageReferenceId": package.package_ref,
            "carrierCode": code,
            **({"carrierName": name} if name else {}),
            "trackingNumber": package.tracking,
            "shipDate": package.ship_date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "orderItems": [{"orderItemId": i, "quantity": q} for i, q in package.items],
        }
        try:
            self.amazon.confirm_shipment(
                package.order_id, marketplace_id=self.marketplace_id, package_detail=detail
            )
        except AmazonError as exc:
            if isinstance(exc, InvalidInputError | RequestValidationError):
                # Amazon refused it: the message says what to fix; a retry would be refused too.
                self.store.finish_shipment(
                    package.order_id,
                    package.package_ref,
                    state=ShipmentState.FAILED,
                    message=exc.message,
                )
            raise  # anything else stays pending: the same call can simply be made again
        return self.store.finish_shipment(
            package.order_id, package.package_ref, state=ShipmentState.CONFIRMED
        )

    def _items(
        self, order_id: str, items: Sequence[tuple[str, int]] | None
    ) -> list[tuple[str, int]]:
        known = {item.order_item_id: item for item in self.store.items(order_id=order_id)}
        if not known:
            raise ShippingError("no such order in the job store", order_id=order_id)
        jobs = self.store.jobs(order_id=order_id)
        if items is None:
            # The whole order, less what has left already (shipped) or will not (cancelled).
            chosen = [(i, item.quantity) for i, item in known.items() if _open(item, jobs)]
            if not chosen:
                raise ShippingError(self._closed(order_id, jobs), order_id=order_id)
        else:
            chosen = list(items)
            for item_id, quantity in chosen:
                if item_id not in known:
                    raise ShippingError(f"item {item_id} is not in this order", order_id=order_id)
                if not 0 < quantity <= known[item_id].quantity:
                    raise ShippingError(
                        f"item {item_id}: quantity {quantity} is not 1…{known[item_id].quantity}",
                        order_id=order_id,
                    )
        waiting = [
            job.job_id
            for job in jobs
            if job.order_item_id in dict(chosen) and job.state not in (JobState.PRINTED, *_CLOSED)
        ]
        if waiting:
            raise ShippingError(
                f"not printed yet: {', '.join(waiting)} (mark them done first)", order_id=order_id
            )
        return chosen

    def _closed(self, order_id: str, jobs: Sequence[JobRecord]) -> str:
        """Why an order whose every item is closed has nothing left to ship, in words."""
        packages = [p for p in self.store.shipments(order_id=order_id) if p.state in _DONE_PACKAGES]
        if packages:
            sent = "; ".join(
                f"package {p.package_ref} on {p.ship_date:%Y-%m-%d} ({p.carrier} {p.tracking})"
                for p in packages
            )
            return f"already shipped: {sent}"
        if any(job.state is JobState.SHIPPED for job in jobs):
            return "already shipped"
        if all(job.state is JobState.CANCELLED for job in jobs):
            return "the order was cancelled: there is nothing to ship"
        return "already closed (shipped or cancelled) and its buyer data deleted: nothing to ship"

    def _mark_shipped(self, package: ShipmentRecord) -> None:
        shipped = {item_id for item_id, _ in package.items}
        reason = f"shipped in package {package.package_ref} ({package.carrier})"
        for job in self.store.jobs(order_id=package.order_id, state=JobState.PRINTED):
            if job.order_item_id in shipped:
                self.store.transition(
                    job.job_id, JobState.SHIPPED, reason=reason, expect={JobState.PRINTED}
                )


def _open(item: ItemRecord, jobs: Sequence[JobRecord]) -> bool:
    """True while some job of the item has still to leave (or it has none yet)."""
    mine = [job for job in jobs if job.order_item_id == item.order_item_id]
    return not mine or any(job.state not in _CLOSED for job in mine)
