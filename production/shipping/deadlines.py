"""The latest delivery date Amazon promised the buyer, asked of Amazon when a label is bought.

The job store keeps only the latest ship date (it is what the floor plans by); the delivery
date matters only when a rate is chosen, so it is read then, from getOrder's `deliverByWindow`,
and kept for the few orders a label step handles. A rate that would arrive later is never
bought: the buyer was promised that date, and Buy Shipping's late-delivery protection assumes it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from production.amazon.orders import parse_optional_time

__all__ = ["DeliveryDeadlines", "OrderReader", "latest_delivery"]

_KEPT = 256  # orders remembered; a label step sees a handful at a time


class OrderReader(Protocol):
    """What the deadlines need of the SP-API client (Orders 2026-01-01 getOrder)."""

    def get_order(self, order_id: str, *, included_data: Sequence[str] = ...) -> dict[str, Any]: ...


def latest_delivery(order: Mapping[str, Any]) -> datetime | None:
    """The end of the order's `fulfillment.deliverByWindow`, or None when Amazon gave none."""
    fulfillment = order.get("fulfillment")
    window = fulfillment.get("deliverByWindow") if isinstance(fulfillment, Mapping) else None
    if not isinstance(window, Mapping):
        return None
    return parse_optional_time(window.get("latestDateTime"))


class DeliveryDeadlines:
    """`deadlines(order_id)`: the order's latest delivery date, asked of Amazon once per order.

    Amazon failing raises (an `AmazonError`), so the label is tried again at the next step
    rather than bought without the check."""

    def __init__(self, orders: OrderReader) -> None:
        self._orders = orders
        self._known: OrderedDict[str, datetime | None] = OrderedDict()

    def __call__(self, order_id: str) -> datetime | None:
        if order_id in self._known:
            self._known.move_to_end(order_id)
            return self._known[order_id]
        deadline = latest_delivery(self._orders.get_order(order_id, included_data=("FULFILLMENT",)))
        self._known[order_id] = deadline
        if len(self._known) > _KEPT:
            self._known.popitem(last=False)
        return deadline
