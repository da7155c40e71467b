"""Simulated MCF orders, previews and tracking in the Fulfillment Outbound model's shapes.

Dates are the simulator's clock; delivery and tracking move with it (a package shipped at t
is out for delivery at its arrival minus eight hours, delivered at its arrival). With
`upper_case` the statuses come as the model's own examples write them (`RECEIVED`,
`COMPLETE_PARTIALLED`) rather than as its enum does, which clients must read alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from production.amazon.sim.dates import format_time
from production.amazon.sim.mcf_records import McfLine, McfOrder, McfPackage

__all__ = [
    "ALL_SPEEDS",
    "SPEEDS",
    "order_header",
    "order_result",
    "preview",
    "status_text",
    "tracking",
]

# Days to ship, earliest and latest arrival. ScheduledDelivery exists in JP only.
SPEEDS = {"Standard": (1.0, 3.0, 5.0), "Expedited": (1.0, 2.0, 3.0), "Priority": (0.5, 1.0, 2.0)}
ALL_SPEEDS = (*SPEEDS, "ScheduledDelivery")
FULFILLMENT_CENTER = ("PHX7", "Phoenix", "AZ", "US")
UNIT_FEE = "3.50"  # FBAPerUnitFulfillmentFee, USD, the same for every SKU here
_OUT_FOR_DELIVERY = timedelta(hours=8)
# (counted from; hours; code; description; where the scan happens)
_EVENTS = (
    ("shipped", 0.0, "EVENT_101", "Carrier notified to pick up package.", "origin"),
    ("shipped", 2.0, "EVENT_102", "Shipment picked up from seller's facility.", "origin"),
    ("shipped", 12.0, "EVENT_202", "Departure scan.", "origin"),
    ("arrives", -14.0, "EVENT_201", "Arrival scan.", "destination"),
    ("arrives", -8.0, "EVENT_302", "Out for delivery.", "destination"),
    ("arrives", 0.0, "EVENT_301", "Delivered.", "destination"),
)


def status_text(status: str, upper_case: bool) -> str:
    """`CompletePartialled`, or `COMPLETE_PARTIALLED` as the model's examples spell it."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", status).upper() if upper_case else status


def preview(
    speed: str,
    lines: Sequence[McfLine],
    reasons: Sequence[tuple[str, ...]],
    *,
    address_ok: bool,
    marketplace_id: str,
    now: datetime,
) -> dict[str, Any]:
    """One FulfillmentPreview: fulfillable with dates and fees, or the reasons it is not."""
    order_reasons = [] if address_ok else ["InvalidDestinationAddress"]
    if speed not in SPEEDS:
        order_reasons.append("DeliverySLAUnavailable")
    data: dict[str, Any] = {
        "shippingSpeedCategory": speed,
        "isFulfillable": not order_reasons and not any(reasons),
        "isCODCapable": False,
        "marketplaceId": marketplace_id,
    }
    blocked = [(line, why) for line, why in zip(lines, reasons, strict=True) if why]
    if order_reasons:
        data["orderUnfulfillableReasons"] = order_reasons
    if blocked:
        data["unfulfillablePreviewItems"] = [
            {**_line_ids(line), "quantity": line.quantity, "itemUnfulfillableReasons": list(why)}
            for line, why in blocked
        ]
    if data["isFulfillable"]:
        ship, earliest, latest = (timedelta(days=d) for d in SPEEDS[speed])
        data["estimatedShippingWeight"] = {"unit": "POUNDS", "value": f"{0.5 * _units(lines):.1f}"}
        data["estimatedFees"] = [_fee(_units(lines))]
        data["fulfillmentPreviewShipments"] = [
            {
                "earliestShipDate": format_time(now),
                "latestShipDate": format_time(now + ship),
                "earliestArrivalDate": format_time(now + earliest),
                "latestArrivalDate": format_time(now + latest),
                "fulfillmentPreviewItems": [
                    {**_line_ids(line), "quantity": line.quantity} for line in lines
                ],
            }
        ]
    return data


def order_header(order: McfOrder, *, upper_case: bool) -> dict[str, Any]:
    """A FulfillmentOrder (what listAllFulfillmentOrders lists)."""
    data: dict[str, Any] = {
        "sellerFulfillmentOrderId": order.seller_fulfillment_order_id,
        "marketplaceId": order.marketplace_id,
        "displayableOrderId": order.displayable_order_id,
        "displayableOrderDate": order.displayable_order_date,
        "displayableOrderComment": order.displayable_order_comment,
        "shippingSpeedCategory": order.shipping_speed,
        "destinationAddress": dict(order.address),
        "fulfillmentAction": order.action,
        "fulfillmentPolicy": order.policy,
        "receivedDate": format_time(order.received),
        "fulfillmentOrderStatus": status_text(order.status, upper_case),
        "statusUpdatedDate": format_time(order.status_updated),
    }
    if order.notification_emails:
        data["notificationEmails"] = list(order.notification_emails)
    return data


def order_result(
    order: McfOrder, *, now: datetime, upper_case: bool, image_url: Callable[[int], str]
) -> dict[str, Any]:
    """A GetFulfillmentOrderResult: the order, its items, shipments and packages."""
    ship, _, latest = SPEEDS.get(order.shipping_speed, SPEEDS["Standard"])
    estimated = order.status in ("Received", "Planning", "Processing")
    items = []
    for line in order.lines:
        item = {
            **_line_ids(line),
            "quantity": line.quantity,
            "cancelledQuantity": line.cancelled,
            "unfulfillableQuantity": line.unfulfillable,
            "orderItemDisposition": "Sellable",
        }
        if estimated:
            item["estimatedShipDate"] = format_time(now + timedelta(days=ship))
            item["estimatedArrivalDate"] = format_time(now + timedelta(days=latest))
        items.append(item)
    shipments = [_shipment(order, p, now, image_url) for p in order.packages]
    if order.status == "Processing":
        shipments.append(_pending_shipment(order, now + timedelta(days=ship)))
    return {
        "fulfillmentOrder": order_header(order, upper_case=upper_case),
        "fulfillmentOrderItems": items,
        "fulfillmentShipments": shipments,
        "returnItems": [],
        "returnAuthorizations": [],
    }


def tracking(order: McfOrder, package: McfPackage, *, now: datetime) -> dict[str, Any]:
    """PackageTrackingDetails as of `now`: events so far, newest first (as in the model)."""
    events = [e for e in _events(order.address, package) if e[0] <= now]
    if package.delivered(now):
        status, description = "DELIVERED", "Delivered to the destination address"
    elif now >= package.arrives_at - _OUT_FOR_DELIVERY:
        status, description = "OUT_FOR_DELIVERY", "Out for Delivery"
    else:
        status, description = "IN_TRANSIT", "In transit to the destination address"
    data: dict[str, Any] = {
        "packageNumber": package.number,
        "trackingNumber": package.tracking_number,
        "customerTrackingLink": f"https://www.swiship.com/track?id={package.amazon_tracking_number}",
        "carrierCode": package.carrier_code,
        "carrierPhoneNumber": "1-800-742-5877",
        "carrierURL": "https://www.ups.com",
        "shipDate": format_time(package.shipped_at),
        "estimatedArrivalDate": format_time(package.arrives_at),
        "shipToAddress": _place(order.address),
        "currentStatus": status,
        "currentStatusDescription": description,
        "trackingEvents": [
            {
                "eventDate": format_time(at),
                "eventAddress": where,
                "eventCode": code,
                "eventDescription": text,
            }
            for at, code, text, where in reversed(events)
        ],
    }
    if package.delivered(now):
        data["signedForBy"] = str(order.address.get("name", ""))
        data["additionalLocationInfo"] = "FRONT_DOOR"
    return data


def _shipment(
    order: McfOrder, package: McfPackage, now: datetime, image_url: Callable[[int], str]
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "packageNumber": package.number,
        "carrierCode": package.carrier_code,
        "trackingNumber": package.tracking_number,
        "amazonFulfillmentTrackingNumber": package.amazon_tracking_number,
        "estimatedArrivalDate": format_time(package.arrives_at),
    }
    if package.delivered(now):
        data["deliveryInformation"] = {
            "deliveryDocumentList": [
                {"documentType": "DELIVERY_IMAGE", "url": image_url(package.number)}
            ],
            "dropOffLocation": {"type": "FRONT_DOOR"},
        }
    return {
        "amazonShipmentId": f"{order.shipment_id}{package.number % 100:02d}",
        "fulfillmentCenterId": FULFILLMENT_CENTER[0],
        "fulfillmentShipmentStatus": "SHIPPED",
        "shippingDate": format_time(package.shipped_at),
        "estimatedArrivalDate": format_time(package.arrives_at),
        "fulfillmentShipmentItem": [
            {**_line_ids(line), "quantity": line.open, "packageNumber": package.number}
            for line in order.lines
            if line.open
        ],
        "fulfillmentShipmentPackage": [data],
    }


def _pending_shipment(order: McfOrder, ships: datetime) -> dict[str, Any]:
    return {
        "amazonShipmentId": order.shipment_id,
        "fulfillmentCenterId": FULFILLMENT_CENTER[0],
        "fulfillmentShipmentStatus": "PENDING",
        "shippingDate": format_time(ships),
        "fulfillmentShipmentItem": [
            {**_line_ids(line), "quantity": line.open} for line in order.lines if line.open
        ],
    }


def _events(
    address: Mapping[str, str], package: McfPackage
) -> list[tuple[datetime, str, str, dict[str, str]]]:
    origin = dict(zip(("city", "state", "country"), FULFILLMENT_CENTER[1:], strict=True))
    destination = _place(address)
    events = []
    for since, hours, code, text, where in _EVENTS:
        start = package.shipped_at if since == "shipped" else package.arrives_at
        place = origin if where == "origin" else destination
        events.append((start + timedelta(hours=hours), code, text, place))
    return sorted(events, key=lambda event: event[0])


def _place(address: Mapping[str, str]) -> dict[str, str]:
    """A TrackingAddress: city, state and country only."""
    return {
        "city": str(address.get("city") or "UNKNOWN")[:150],
        "state": str(address.get("stateOrRegion") or "")[:150],
        "country": str(address.get("countryCode") or "")[:6],
    }


def _line_ids(line: McfLine) -> dict[str, str]:
    return {"sellerSku": line.sku, "sellerFulfillmentOrderItemId": line.item_id}


def _units(lines: Sequence[McfLine]) -> int:
    return sum(line.quantity for line in lines)


def _fee(units: int) -> dict[str, Any]:
    amount = f"{float(UNIT_FEE) * units:.2f}"
    return {"name": "FBAPerUnitFulfillmentFee", "amount": {"currencyCode": "USD", "value": amount}}
