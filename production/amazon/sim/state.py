"""Everything the simulated Amazon knows, behind one lock: orders, shipments, tokens, reports.

Multi-Channel Fulfillment (inventory, fulfillment orders) is `SimState.mcf`, with its own lock.

An order is a list of versions; each change appends one with a later `last_updated`. Searches
see an order only as its newest version that is at least `visibility_delay` seconds old, so an
order shows up (or shows a change) that long after it happened — about two minutes on Amazon,
none by default here. Direct reads (`getOrder`, `getOrderItems`) see the current version.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from production.amazon.sim.dates import format_time, utcnow
from production.amazon.sim.faults import FaultDice, Faults
from production.amazon.sim.label_records import LabelShipment
from production.amazon.sim.label_state import LabelState
from production.amazon.sim.mcf_state import McfState
from production.amazon.sim.ratelimit import RateLimiter
from production.amazon.sim.records import (
    ORDER_STATUSES,
    IssuedToken,
    Package,
    RestrictedResource,
    Shipment,
    SimError,
    SimItem,
    SimOrder,
    SimReport,
)
from production.amazon.sim.search import Cursor, OrderQuery, SortKey, new_page_token, page
from production.amazon.sim.shipping import ship
from production.amazon.sim.zips import read_item

__all__ = ["DEFAULT_MARKETPLACE", "SearchPage", "SimState"]

DEFAULT_MARKETPLACE = "ATVPDKIKX0DER"  # amazon.com
TOKEN_LIFETIME = 3600.0
_TICK = timedelta(milliseconds=1)
_MAX_PAGE_TOKENS = 10_000

SearchPage = tuple[list[SimOrder], str | None, datetime]
"""Orders of one page, the token of the next (None on the last), and the search's horizon."""


class SimState:
    """The simulated seller account. Safe to use from the server's thread and a test's."""

    def __init__(
        self,
        *,
        visibility_delay: float = 0.0,
        rate_scale: float = 1.0,
        faults: Faults | None = None,
        token_lifetime: float = TOKEN_LIFETIME,
        report_delay: float = 0.0,
        marketplace_id: str = DEFAULT_MARKETPLACE,
        now: Callable[[], datetime] = utcnow,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.visibility_delay = visibility_delay
        self.token_lifetime = token_lifetime
        self.report_delay = report_delay
        self.marketplace_id = marketplace_id
        self.now = now
        self.limiter = RateLimiter(scale=rate_scale, monotonic=monotonic)
        self.document_secret = secrets.token_bytes(32)
        self._lock = threading.RLock()
        self._faults = faults or Faults()
        self._dice = FaultDice(self._faults.seed, self._faults.max_hits)
        # Multi-Channel Fulfillment keeps its own books, on this state's clock.
        self.mcf = McfState(now=lambda: self.now())
        # Shipping v2 labels ship orders, so they share this state's lock.
        self.labels = LabelState(now=lambda: self.now(), lock=self._lock, orders=self)
        self._clear()

    def _clear(self) -> None:
        self._orders: dict[str, list[SimOrder]] = {}
        self._zips: dict[str, bytes] = {}
        self._shipments: list[Shipment] = []
        self._tokens: dict[str, IssuedToken] = {}
        self._reports: dict[str, SimReport] = {}
        self._cursors: OrderedDict[str, Cursor] = OrderedDict()

    def reset(self) -> None:
        """Forget every order, shipment, token, report and MCF order; full buckets; no faults."""
        with self._lock:
            self._clear()
            self.mcf.reset()
            self.labels.reset()
            self.limiter.reset()
            self.set_faults(Faults())

    # Orders ----------------------------------------------------------------------------------

    def add_order(
        self,
        zip_bytes: bytes,
        *,
        purchase_date: datetime | None = None,
        status: str = "Unshipped",
        delivery_days: int = 5,
        gift_message: str | None = None,
    ) -> SimItem:
        """An order item from a customization zip; a zip of an order already here adds an item.

        The order is to be delivered at the latest `delivery_days` after its latest ship date;
        `gift_message` is the buyer's for this item."""
        _check_status(status)
        info = read_item(zip_bytes)
        with self._lock:
            current = self._current(info.order_id)
            if current is not None and current.item(info.order_item_id) is not None:
                raise SimError(
                    "the order already has this item",
                    order_id=info.order_id,
                    item_id=info.order_item_id,
                )
            item = SimItem(
                order_id=info.order_id,
                order_item_id=info.order_item_id,
                asin=info.asin,
                sku=info.sku,
                title=info.title,
                quantity=info.quantity,
                quantity_shipped=0,
                zip_token=secrets.token_urlsafe(18),
                url_withheld=self._dice.roll(self._faults.empty_customized_url),
                gift_message=gift_message,
            )
            self._zips[item.zip_token] = zip_bytes
            if current is None:
                stamp = self.now()
                order = SimOrder(
                    order_id=info.order_id,
                    marketplace_id=info.marketplace_id or self.marketplace_id,
                    purchase_date=purchase_date or stamp,
                    last_updated=stamp,
                    status=status,
                    items=(item,),
                    delivery_days=delivery_days,
                )
            else:
                reopened = "PartiallyShipped" if current.status == "Shipped" else current.status
                order = replace(current, items=(*current.items, item), status=reopened)
            self._record(order)
            return item

    def cancel(self, order_id: str) -> SimOrder:
        """The buyer or Amazon cancels the order (not once it has shipped)."""
        with self._lock:
            order = self._require(order_id)
            if order.status == "Canceled":
                return order
            if any(i.quantity_shipped for i in order.items):
                raise SimError("a shipped order cannot be canceled", order_id=order_id)
            return self._record(replace(order, status="Canceled"))

    def set_status(self, order_id: str, status: str) -> SimOrder:
        """Move an order to any status (Pending → Unshipped when payment clears, say)."""
        _check_status(status)
        with self._lock:
            return self._record(replace(self._require(order_id), status=status))

    def order(self, order_id: str) -> SimOrder | None:
        with self._lock:
            return self._current(order_id)

    def orders(self) -> list[SimOrder]:
        with self._lock:
            return [versions[-1] for versions in self._orders.values()]

    def search(self, query: OrderQuery, after: SortKey | None = None) -> SearchPage:
        """One page of what a search sees now; the horizon is the newest change it must see."""
        with self._lock:
            now = self.now()
            horizon = now - timedelta(seconds=self.visibility_delay)
            visible = [v for v in map(self._visible_at(horizon), self._orders.values()) if v]
            found, next_after = page(visible, query, after)
            token = None if next_after is None else self._save_cursor(Cursor(query, next_after))
            return found, token, horizon

    def cursor(self, token: str) -> Cursor | None:
        with self._lock:
            return self._cursors.get(token)

    def zip_bytes(self, token: str) -> bytes | None:
        with self._lock:
            return self._zips.get(token)

    # Shipments -------------------------------------------------------------------------------

    def confirm_shipment(self, order_id: str, marketplace_id: str, package: Package) -> bool:
        """Record a shipped package; False if it repeats one already confirmed (nothing changes)."""
        with self._lock:
            order = self._current(order_id)
            if order is None:
                raise SimError(f"Order {order_id} was not found.", status=404, code="NotFound")
            earlier = [s for s in self._shipments if s.order_id == order_id]
            shipped = ship(order, marketplace_id, package, earlier)
            if shipped is None:
                return False
            self._record(shipped)
            self._shipments.append(Shipment(order_id, marketplace_id, package, self.now()))
            return True

    def ship_label(self, shipment: LabelShipment) -> None:
        """A label bought through Shipping v2 ships its items, as a confirmed package would."""
        with self._lock:
            quote = shipment.quote
            order = self._require(quote.order_id)
            service = shipment.rate.service
            package = Package(
                package_reference_id=shipment.shipment_id,
                carrier_code=service.carrier_name,
                carrier_name=None,
                shipping_method=service.service_name,
                tracking_number=shipment.tracking_id,
                ship_date=format_time(shipment.purchased_at),
                items=_merged(quote.items),
            )
            earlier = [s for s in self._shipments if s.order_id == order.order_id]
            shipped = ship(order, order.marketplace_id, package, earlier)
            if shipped is not None:
                self._record(shipped)
                self._shipments.append(
                    Shipment(order.order_id, order.marketplace_id, package, self.now())
                )

    def void_label(self, shipment: LabelShipment) -> None:
        """A voided label's items are to ship again; its package is no longer confirmed."""
        with self._lock:
            order = self._require(shipment.quote.order_id)
            back = dict(_merged(shipment.quote.items))
            items = tuple(
                replace(
                    i,
                    quantity_shipped=max(0, i.quantity_shipped - back.get(i.order_item_id, 0)),
                )
                for i in order.items
            )
            shipped_any = any(i.quantity_shipped for i in items)
            status = order.status
            if status in ("Shipped", "PartiallyShipped"):
                status = "PartiallyShipped" if shipped_any else "Unshipped"
            self._record(replace(order, items=items, status=status))
            self._shipments = [
                s
                for s in self._shipments
                if not (
                    s.order_id == order.order_id
                    and s.package.package_reference_id == shipment.shipment_id
                )
            ]

    def shipments(self, order_id: str | None = None) -> list[Shipment]:
        with self._lock:
            return [s for s in self._shipments if order_id in (None, s.order_id)]

    # Tokens ----------------------------------------------------------------------------------

    def issue_access_token(self) -> IssuedToken:
        return self._issue(
            IssuedToken(f"Atza|{secrets.token_urlsafe(48)}", "access", self._expiry())
        )

    def issue_rdt(self, resources: Sequence[RestrictedResource]) -> IssuedToken:
        value = f"Atz.sprdt|{secrets.token_urlsafe(48)}"
        return self._issue(IssuedToken(value, "rdt", self._expiry(), tuple(resources)))

    def token(self, value: str) -> IssuedToken | None:
        with self._lock:
            return self._tokens.get(value)

    def expire_token(self, value: str) -> None:
        with self._lock:
            token = self._tokens.get(value)
            if token is not None:
                self._tokens[value] = replace(token, expires_at=self.now() - _TICK)

    # Reports ---------------------------------------------------------------------------------

    def add_report(self, make: Callable[[str, str, datetime], SimReport]) -> SimReport:
        """Store the report `make(report_id, document_id, now)` builds."""
        with self._lock:
            number = len(self._reports) + 1
            report = make(
                f"{5013001000 + number}", f"amzn1.spdoc.1.4.na.sim{number:08d}", self.now()
            )
            self._reports[report.report_id] = report
            return report

    def report(self, report_id: str) -> SimReport | None:
        with self._lock:
            return self._reports.get(report_id)

    def report_by_document(self, document_id: str) -> SimReport | None:
        with self._lock:
            return next((r for r in self._reports.values() if r.document_id == document_id), None)

    # Faults and quotas -----------------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        with self._lock:
            return self._faults

    def set_faults(self, faults: Faults) -> None:
        """Switch faults on or off; the dice are re-seeded with `faults.seed`."""
        with self._lock:
            self._faults = faults
            self._dice = FaultDice(faults.seed, faults.max_hits)

    def change_faults(self, **changes: Any) -> Faults:
        """`change_faults(internal_error=0.5)`: the other switches stay as they are."""
        with self._lock:
            self.set_faults(self._faults.changed(changes))
            return self._faults

    def roll(self, probability: float) -> bool:
        return self._dice.roll(probability)

    @property
    def rate_scale(self) -> float:
        return self.limiter.scale

    @rate_scale.setter
    def rate_scale(self, scale: float) -> None:
        if scale <= 0:
            raise ValueError("rate_scale must be positive")
        self.limiter.scale = scale

    def throttled(self) -> dict[str, int]:
        """429 answers so far, by operation (`ordersV0.getOrderItems`)."""
        return self.limiter.refused()

    # Internals -------------------------------------------------------------------------------

    def _current(self, order_id: str) -> SimOrder | None:
        versions = self._orders.get(order_id)
        return versions[-1] if versions else None

    def _require(self, order_id: str) -> SimOrder:
        order = self._current(order_id)
        if order is None:
            raise SimError(f"Order {order_id} was not found.", status=404, code="NotFound")
        return order

    def _record(self, order: SimOrder) -> SimOrder:
        """Append a version, stamped now but always after the previous one."""
        previous = self._current(order.order_id)
        stamp = self.now()
        if previous is not None:
            stamp = max(stamp, previous.last_updated + _TICK)
        order = replace(order, last_updated=stamp)
        self._orders.setdefault(order.order_id, []).append(order)
        return order

    @staticmethod
    def _visible_at(horizon: datetime) -> Callable[[list[SimOrder]], SimOrder | None]:
        def newest(versions: list[SimOrder]) -> SimOrder | None:
            return next((v for v in reversed(versions) if v.last_updated <= horizon), None)

        return newest

    def _save_cursor(self, cursor: Cursor) -> str:
        token = new_page_token()
        self._cursors[token] = cursor
        while len(self._cursors) > _MAX_PAGE_TOKENS:
            self._cursors.popitem(last=False)
        return token

    def _expiry(self) -> datetime:
        return self.now() + timedelta(seconds=self.token_lifetime)

    def _issue(self, token: IssuedToken) -> IssuedToken:
        with self._lock:
            self._tokens[token.value] = token
            return token


def _merged(items: Sequence[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    totals: dict[str, int] = {}
    for item_id, quantity in items:
        totals[item_id] = totals.get(item_id, 0) + quantity
    return tuple(sorted(totals.items()))


def _check_status(status: str) -> None:
    if status not in ORDER_STATUSES:
        raise SimError(f"unknown order status {status!r}; one of {', '.join(ORDER_STATUSES)}")
