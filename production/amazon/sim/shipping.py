"""confirmShipment: the rules the model states in prose, and what a package does to an order."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from production.amazon.sim.records import Package, Shipment, SimError, SimOrder

__all__ = ["package_from_json", "ship"]

_POSITIVE_NUMBER = re.compile(r"0*[1-9]\d*")


def package_from_json(detail: Mapping[str, Any]) -> Package:
    """The `packageDetail` of a body the model's schema already accepted, with the prose rules."""
    reference = str(detail["packageReferenceId"])
    if _POSITIVE_NUMBER.fullmatch(reference) is None:
        raise SimError(
            "Invalid request parameter `packageDetail.packageReferenceId`. "
            "Only positive numeric values are supported."
        )
    carrier_code = str(detail["carrierCode"])
    carrier_name = detail.get("carrierName")
    if carrier_code == "Other" and not carrier_name:
        raise SimError(
            "Missing request parameter: packageDetail.carrierName "
            '(required when carrierCode is "Other").'
        )
    items: Counter[str] = Counter()
    for index, entry in enumerate(detail["orderItems"]):
        if entry["quantity"] < 1:
            raise SimError(
                f"Invalid request parameter `packageDetail.orderItems[{index}].quantity`. "
                "Must be at least 1."
            )
        items[str(entry["orderItemId"])] += int(entry["quantity"])
    if not items:
        raise SimError("Invalid request parameter `packageDetail.orderItems`. Must not be empty.")
    return Package(
        package_reference_id=reference,
        carrier_code=carrier_code,
        carrier_name=None if carrier_name is None else str(carrier_name),
        shipping_method=_optional(detail.get("shippingMethod")),
        tracking_number=str(detail["trackingNumber"]),
        ship_date=str(detail["shipDate"]),
        items=tuple(sorted(items.items())),
    )


def ship(
    order: SimOrder, marketplace_id: str, package: Package, earlier: Sequence[Shipment]
) -> SimOrder | None:
    """The order once `package` has shipped; None if it repeats a confirmed package exactly."""
    if marketplace_id != order.marketplace_id:
        raise SimError(
            f"Invalid request parameter `marketplaceId`. Order {order.order_id} was placed in "
            f"marketplace {order.marketplace_id}.",
            order_id=order.order_id,
        )
    reference = package.package_reference_id
    for shipment in earlier:
        if shipment.package.package_reference_id == reference:
            if shipment.package.same_content(package):
                return None
            raise SimError(
                f"Package {reference} of order {order.order_id} was already confirmed with "
                "other items, carrier or tracking number; a new package needs a new "
                "packageReferenceId.",
                order_id=order.order_id,
            )
    if order.status == "Canceled":
        raise SimError(
            f"Order {order.order_id} was canceled; it cannot be shipped.", order_id=order.order_id
        )
    if order.status in ("Pending", "PendingAvailability"):
        raise SimError(
            f"Order {order.order_id} is pending; it cannot be shipped yet.", order_id=order.order_id
        )
    shipped = {item_id: _check_item(order, item_id, n) for item_id, n in package.items}
    items = tuple(
        replace(i, quantity_shipped=i.quantity_shipped + shipped.get(i.order_item_id, 0))
        for i in order.items
    )
    done = all(i.quantity_to_ship == 0 for i in items)
    return replace(order, items=items, status="Shipped" if done else "PartiallyShipped")


def _check_item(order: SimOrder, item_id: str, quantity: int) -> int:
    item = order.item(item_id)
    if item is None:
        raise SimError(
            "Invalid request parameter `packageDetail.orderItems`. "
            f"Order item {item_id} is not part of order {order.order_id}.",
            order_id=order.order_id,
            item_id=item_id,
        )
    if item.quantity_to_ship == 0:
        raise SimError(
            f"Order item {item_id} of order {order.order_id} has already been shipped "
            "in another package.",
            order_id=order.order_id,
            item_id=item_id,
        )
    if quantity > item.quantity_to_ship:
        raise SimError(
            f"Invalid request parameter `packageDetail.orderItems`. Quantity {quantity} of "
            f"order item {item_id} is more than the {item.quantity_to_ship} still to ship "
            f"(ordered {item.quantity}, shipped {item.quantity_shipped}).",
            order_id=order.order_id,
            item_id=item_id,
        )
    return quantity


def _optional(value: Any) -> str | None:
    return None if value is None else str(value)
