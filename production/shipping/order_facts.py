"""What a label and its packing slip need of the Amazon order, asked of Amazon when bought.

The job store keeps only the latest ship date (the floor plans by it). The latest delivery
date matters when a rate is chosen, and the gift message and the address only on the slip,
so they are read then, from getOrder (`deliverByWindow`, each item's `giftOption`) and, where
the shop prints addresses on slips, getOrderAddress. A rate that would arrive later than the
promised date is never bought: the buyer was promised it, and Buy Shipping's late-delivery
protection assumes it. Gift messages and addresses are the buyer's: kept in memory only until
the order's slip is drawn (`forget`), never logged.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from production.amazon.fulfillment_requests import DestinationAddress
from production.amazon.orders import parse_optional_time

__all__ = ["AmazonOrderFacts", "OrderFacts", "OrderReader", "gift_message", "latest_delivery"]

_KEPT = 256  # orders remembered; a label step sees a handful at a time


class OrderReader(Protocol):
    """What the facts need of the SP-API client."""

    def get_order(self, order_id: str, *, included_data: Sequence[str] = ...) -> dict[str, Any]: ...

    def get_order_address(self, order_id: str) -> DestinationAddress: ...


@dataclass(frozen=True, slots=True)
class OrderFacts:
    deliver_by: datetime | None  # the latest delivery date Amazon promised; None: none given
    gift_message: str | None = None  # the buyer's words (every item's, once each)


def latest_delivery(order: Mapping[str, Any]) -> datetime | None:
    """The end of the order's `fulfillment.deliverByWindow`, or None when Amazon gave none."""
    fulfillment = order.get("fulfillment")
    window = fulfillment.get("deliverByWindow") if isinstance(fulfillment, Mapping) else None
    if not isinstance(window, Mapping):
        return None
    return parse_optional_time(window.get("latestDateTime"))


def gift_message(order: Mapping[str, Any]) -> str | None:
    """The items' gift messages, each once, one per line; None when there is none."""
    found: list[str] = []
    for item in order.get("orderItems") or ():
        packing = _get(_get(item, "fulfillment"), "packing")
        text = _get(packing, "giftOption").get("giftMessage")
        if isinstance(text, str) and text.strip() and text.strip() not in found:
            found.append(text.strip())
    return "\n".join(found) or None


def _get(value: object, key: str) -> Mapping[str, Any]:
    inner = value.get(key) if isinstance(value, Mapping) else None
    return inner if isinstance(inner, Mapping) else {}


class AmazonOrderFacts:
    """`facts(order_id)`: asked of Amazon once per order, until `forget(order_id)`.

    Amazon failing raises (an `AmazonError`), so the label is tried again at the next step
    rather than bought without the check."""

    def __init__(self, orders: OrderReader) -> None:
        self._orders = orders
        self._known: OrderedDict[str, OrderFacts] = OrderedDict()

    def __call__(self, order_id: str) -> OrderFacts:
        if order_id in self._known:
            self._known.move_to_end(order_id)
            return self._known[order_id]
        order = self._orders.get_order(order_id, included_data=("FULFILLMENT",))
        facts = OrderFacts(latest_delivery(order), gift_message(order))
        self._known[order_id] = facts
        if len(self._known) > _KEPT:
            self._known.popitem(last=False)
        return facts

    def deliver_by(self, order_id: str) -> datetime | None:
        return self(order_id).deliver_by

    def address(self, order_id: str) -> DestinationAddress:
        """Where the order goes (getOrderAddress, with a restricted-data token); not kept."""
        return self._orders.get_order_address(order_id)

    def forget(self, order_id: str) -> None:
        self._known.pop(order_id, None)
