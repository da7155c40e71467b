"""Simulated Multi-Channel Fulfillment: sellable inventory per seller SKU and fulfillment orders.

Time moves orders on by itself, read lazily from the injected clock whenever the state is
touched: an order on Hold is cancelled 14 days after it was received (as Amazon does), and an
order in Planning reaches Processing after `planning_seconds`. Everything else is a call: the
seller's create, update and cancel, or the sandbox's status update (Complete ships a package,
delivered `transit` later). Units of open orders are reserved; a completed order uses them up.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from production.amazon.sim.mcf_records import (
    CANCELLABLE,
    FINAL,
    MCF_STATUSES,
    OPEN,
    McfOrder,
    McfPackage,
)
from production.amazon.sim.records import SimError

__all__ = ["INVALID_SKU", "NO_INVENTORY", "McfState"]

PLANNING_SECONDS = 900.0  # Planning → Processing: picking starts a quarter of an hour later
TRANSIT = timedelta(days=3)  # shipped → delivered
FIRST_PACKAGE = 100_001
PAGE_SIZE = 50
CARRIER = "UPS"
INVALID_SKU = "InvalidSKU"
NO_INVENTORY = "InventoryUnavailable"
_RANK = {"New": 0, "Received": 1, "Planning": 2, "Processing": 3}  # statuses only move forward


class McfState:
    """The seller's MCF inventory and orders; thread-safe, on the simulator's clock."""

    def __init__(
        self,
        *,
        now: Callable[[], datetime],
        planning_seconds: float = PLANNING_SECONDS,
        transit: timedelta = TRANSIT,
        upper_case_statuses: bool = False,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.now = now
        self.planning_seconds = planning_seconds
        self.transit = transit
        self.upper_case_statuses = upper_case_statuses  # answer as the model's examples spell
        self.page_size = page_size
        self._lock = threading.RLock()
        self._clear()

    def _clear(self) -> None:
        self._sellable: dict[str, int] = {}
        self._orders: dict[str, McfOrder] = {}
        self._next_package = FIRST_PACKAGE
        self._pages: dict[str, tuple[datetime | None, int]] = {}

    def reset(self) -> None:
        with self._lock:
            self._clear()

    # Inventory -------------------------------------------------------------------------------

    def stock(self, seller_sku: str, quantity: int) -> None:
        """Set the sellable units of a SKU at Amazon (0 keeps the SKU known, but empty)."""
        if not seller_sku or isinstance(quantity, bool) or not isinstance(quantity, int):
            raise SimError("stock needs a seller SKU and a whole number of units")
        if quantity < 0:
            raise SimError(f"the stock of {seller_sku} cannot be negative")
        with self._lock:
            self._sellable[seller_sku] = quantity

    def inventory(self) -> dict[str, dict[str, int]]:
        """Per SKU: `sellable`, `reserved` by open orders, and `available` for new ones."""
        with self._lock:
            self._advance()
            reserved = self._reserved()
            return {
                sku: {
                    "sellable": units,
                    "reserved": reserved.get(sku, 0),
                    "available": max(0, units - reserved.get(sku, 0)),
                }
                for sku, units in sorted(self._sellable.items())
            }

    def shortfalls(self, lines: Sequence[tuple[str, int]]) -> list[tuple[str, ...]]:
        """Why each (sku, units) line cannot be filled now: () if it can."""
        with self._lock:
            self._advance()
            reserved = self._reserved()
            asked: dict[str, int] = {}
            for sku, units in lines:
                asked[sku] = asked.get(sku, 0) + units
            reasons: list[tuple[str, ...]] = []
            for sku, _ in lines:
                if sku not in self._sellable:
                    reasons.append((INVALID_SKU,))
                elif asked[sku] > self._sellable[sku] - reserved.get(sku, 0):
                    reasons.append((NO_INVENTORY,))
                else:
                    reasons.append(())
            return reasons

    # Orders ----------------------------------------------------------------------------------

    def create(self, order: McfOrder) -> tuple[McfOrder, bool]:
        """Store a new order; (the order, False) when it repeats an existing one exactly."""
        order_id = order.seller_fulfillment_order_id
        with self._lock:
            self._advance()
            existing = self._orders.get(order_id)
            if existing is not None:
                if existing.request == order.request:
                    return existing, False
                raise SimError(
                    f"A fulfillment order with sellerFulfillmentOrderId {order_id} already "
                    "exists with different content; a new order needs a new "
                    "sellerFulfillmentOrderId."
                )
            for line in order.lines:
                if line.sku not in self._sellable:
                    raise SimError(f"The SellerSKU for Item Id: {line.item_id} is invalid.")
            wanted = [(line.sku, line.quantity) for line in order.lines]
            if any(self.shortfalls(wanted)):  # the model's "Invalid": not enough inventory
                lines = tuple(replace(line, unfulfillable=line.quantity) for line in order.lines)
                order = replace(order, status="Invalid", lines=lines)
            self._orders[order_id] = order
            return order, True

    def update(self, order_id: str, *, action: str | None, changes: Mapping[str, Any]) -> McfOrder:
        """updateFulfillmentOrder: release a hold (Ship), or change an order still Received."""
        with self._lock:
            order = self._require(order_id)
            if order.status in FINAL:
                raise SimError(
                    f"Fulfillment order {order_id} is {order.status}; it can no longer be updated."
                )
            changed = {key: value for key, value in changes.items() if getattr(order, key) != value}
            if changed and order.status not in ("New", "Received"):
                raise SimError(
                    f"Fulfillment order {order_id} is {order.status}; only an order that is "
                    "still Received can be changed."
                )
            order = replace(order, **changed)
            if action == "Hold" and order.action != "Hold":
                raise SimError(
                    f"Fulfillment order {order_id} is already being fulfilled; it cannot be "
                    "put on hold."
                )
            if action == "Ship" and order.action == "Hold":
                released = "Planning" if order.status in ("New", "Received") else order.status
                order = self._moved(replace(order, action="Ship"), released)
            return self._store(order)

    def cancel(self, order_id: str) -> McfOrder:
        """cancelFulfillmentOrder: only while Received or Planning; a repeat changes nothing."""
        with self._lock:
            order = self._require(order_id)
            if order.status == "Cancelled":
                return order
            if order.status not in CANCELLABLE:
                raise SimError(
                    f"Fulfillment order {order_id} cannot be cancelled: its status is "
                    f"{order.status}. Only orders with status Received or Planning can be "
                    "cancelled."
                )
            return self._store(self._moved(order, "Cancelled"))

    def set_status(self, order_id: str, status: str) -> McfOrder:
        """The sandbox's submitFulfillmentOrderStatusUpdate: move an order on (never back)."""
        if status not in MCF_STATUSES:
            raise SimError(
                "Invalid request parameter `fulfillmentOrderStatus`. "
                f"Must be one of [{', '.join(MCF_STATUSES)}]."
            )
        with self._lock:
            order = self._require(order_id)
            if status == order.status:
                return order
            if order.status in FINAL:
                raise SimError(
                    f"Fulfillment order {order_id} is {order.status}; its status can no "
                    "longer change."
                )
            if status not in FINAL and _RANK[status] < _RANK[order.status]:
                raise SimError(
                    f"Fulfillment order {order_id} is {order.status}; it cannot go back to "
                    f"{status}."
                )
            return self._store(self._moved(order, status))

    def order(self, order_id: str) -> McfOrder | None:
        with self._lock:
            self._advance()
            return self._orders.get(order_id)

    def orders(self) -> list[McfOrder]:
        with self._lock:
            self._advance()
            return list(self._orders.values())

    def package(self, number: int) -> tuple[McfOrder, McfPackage] | None:
        with self._lock:
            self._advance()
            for order in self._orders.values():
                for package in order.packages:
                    if package.number == number:
                        return order, package
            return None

    def page(self, since: datetime | None, token: str | None) -> tuple[list[McfOrder], str | None]:
        """listAllFulfillmentOrders: orders changed at or after `since`, a page at a time."""
        with self._lock:
            self._advance()
            start = 0
            if token is not None:
                if token not in self._pages:
                    raise SimError("Invalid request parameter `nextToken`. The token is not valid.")
                since, start = self._pages.pop(token)
            found = sorted(
                (o for o in self._orders.values() if since is None or o.status_updated >= since),
                key=lambda o: (o.status_updated, o.seller_fulfillment_order_id),
            )
            end = start + self.page_size
            following = None
            if end < len(found):
                following = secrets.token_urlsafe(24)
                self._pages[following] = (since, end)
            return found[start:end], following

    # Internals -------------------------------------------------------------------------------

    def _require(self, order_id: str) -> McfOrder:
        self._advance()
        order = self._orders.get(order_id)
        if order is None:
            raise SimError("Requested order not found.", status=404, code="NotFound")
        return order

    def _store(self, order: McfOrder) -> McfOrder:
        self._orders[order.seller_fulfillment_order_id] = order
        return order

    def _reserved(self) -> dict[str, int]:
        reserved: dict[str, int] = {}
        for order in self._orders.values():
            if order.status in OPEN:
                for line in order.lines:
                    reserved[line.sku] = reserved.get(line.sku, 0) + line.open
        return reserved

    def _advance(self) -> None:
        """What the clock did since the last look: holds expired, planning became picking."""
        now = self.now()
        for order in list(self._orders.values()):
            if order.held and now >= order.hold_expires:
                self._store(self._moved(order, "Cancelled", at=order.hold_expires))
            elif order.status == "Planning":
                picking = order.status_updated + timedelta(seconds=self.planning_seconds)
                if now >= picking:
                    self._store(self._moved(order, "Processing", at=picking))

    def _moved(self, order: McfOrder, status: str, *, at: datetime | None = None) -> McfOrder:
        """The order in `status` from `at` on, with what that status does to lines and stock."""
        at = at or self.now()
        lines, packages = order.lines, order.packages
        if status in ("Cancelled", "Unfulfillable", "Invalid"):
            field = "cancelled" if status == "Cancelled" else "unfulfillable"
            lines = tuple(
                replace(line, **{field: getattr(line, field) + line.open}) for line in lines
            )
        elif status in ("Complete", "CompletePartialled"):
            if status == "CompletePartialled":  # half of every line ships, the rest is cancelled
                lines = tuple(
                    replace(line, cancelled=line.cancelled + line.open // 2) for line in lines
                )
            for line in lines:
                self._sellable[line.sku] = max(0, self._sellable.get(line.sku, 0) - line.open)
            packages = (*packages, self._new_package(at))
        return replace(order, status=status, status_updated=at, lines=lines, packages=packages)

    def _new_package(self, at: datetime) -> McfPackage:
        number, self._next_package = self._next_package, self._next_package + 1
        return McfPackage(
            number=number,
            carrier_code=CARRIER,
            tracking_number=f"1Z999AA1{number:010d}",
            amazon_tracking_number=f"TBA{number:012d}",
            shipped_at=at,
            arrives_at=at + self.transit,
        )
