"""Fulfillment Outbound 2020-07-01 handlers (Multi-Channel Fulfillment), on `state.mcf`.

getFulfillmentPreview, createFulfillmentOrder, updateFulfillmentOrder, getFulfillmentOrder,
cancelFulfillmentOrder, getPackageTrackingDetails, listAllFulfillmentOrders and the sandbox's
submitFulfillmentOrderStatusUpdate. The model has validated each body's schema before a
handler runs; the rules the model states only in prose are checked here. Answers carry their
data in `payload`; create, update, cancel and the status update answer `{}`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.responses import Response

from production.amazon.sim.dates import parse_time
from production.amazon.sim.mcf_documents import delivery_image_url
from production.amazon.sim.mcf_records import McfLine, McfOrder
from production.amazon.sim.mcf_views import (
    ALL_SPEEDS,
    order_header,
    order_result,
    preview,
    tracking,
)
from production.amazon.sim.operations import Call, Handler
from production.amazon.sim.records import SimError
from production.amazon.sim.responses import json_response

__all__ = ["HANDLERS"]

API = "fulfillmentOutbound_2020-07-01"
MAX_LINES = 100
MAX_UNITS = 250
# updateFulfillmentOrder's fields → what they change on the order.
_UPDATABLE = {
    "displayableOrderId": "displayable_order_id",
    "displayableOrderDate": "displayable_order_date",
    "displayableOrderComment": "displayable_order_comment",
    "shippingSpeedCategory": "shipping_speed",
    "destinationAddress": "address",
    "fulfillmentPolicy": "policy",
    "notificationEmails": "notification_emails",
}


def get_fulfillment_preview(call: Call) -> Response:
    body = call.inputs.body
    lines = _lines(body["items"])
    speeds = body.get("shippingSpeedCategories") or list(ALL_SPEEDS)
    reasons = call.state.mcf.shortfalls([(line.sku, line.quantity) for line in lines])
    marketplace = str(body.get("marketplaceId") or call.state.marketplace_id)
    previews = [
        preview(
            speed,
            lines,
            reasons,
            address_ok=_address_ok(body["address"]),
            marketplace_id=marketplace,
            now=call.state.now(),
        )
        for speed in speeds
    ]
    return _payload({"fulfillmentPreviews": previews})


def create_fulfillment_order(call: Call) -> Response:
    body = call.inputs.body
    lines = _lines(body["items"])
    action = str(body.get("fulfillmentAction") or "Ship")  # Amazon's default
    speed = str(body["shippingSpeedCategory"])
    _check_hold(action, speed)
    _check_displayable_id(str(body["displayableOrderId"]))
    now = call.state.now()
    order = McfOrder(
        seller_fulfillment_order_id=str(body["sellerFulfillmentOrderId"]),
        marketplace_id=str(body.get("marketplaceId") or call.state.marketplace_id),
        displayable_order_id=str(body["displayableOrderId"]).strip(),
        displayable_order_date=str(body["displayableOrderDate"]),
        displayable_order_comment=str(body["displayableOrderComment"]),
        shipping_speed=speed,
        address=dict(body["destinationAddress"]),
        action=action,
        policy=str(body.get("fulfillmentPolicy") or "FillOrKill"),
        notification_emails=tuple(body.get("notificationEmails") or ()),
        lines=tuple(lines),
        status="Received" if action == "Hold" else "Planning",
        received=now,
        status_updated=now,
        request=json.dumps(body, sort_keys=True, separators=(",", ":")),
    )
    call.state.mcf.create(order)
    return json_response({})


def update_fulfillment_order(call: Call) -> Response:
    order_id = call.inputs.path["sellerFulfillmentOrderId"]
    body: Mapping[str, Any] = call.inputs.body or {}
    if body.get("items"):
        raise SimError(
            "The simulator does not change the items of a fulfillment order; cancel it and "
            "create another."
        )
    current = call.state.mcf.order(order_id)
    if current is None:
        raise SimError("Requested order not found.", status=404, code="NotFound")
    action = body.get("fulfillmentAction")
    _check_hold(
        str(action or current.action),
        str(body.get("shippingSpeedCategory") or current.shipping_speed),
    )
    if body.get("displayableOrderId") is not None:
        _check_displayable_id(str(body["displayableOrderId"]))
    changes = {
        attribute: body[name]
        for name, attribute in _UPDATABLE.items()
        if body.get(name) is not None
    }
    if "notification_emails" in changes:
        changes["notification_emails"] = tuple(changes["notification_emails"])
    call.state.mcf.update(order_id, action=None if action is None else str(action), changes=changes)
    return json_response({})


def get_fulfillment_order(call: Call) -> Response:
    order = call.state.mcf.order(call.inputs.path["sellerFulfillmentOrderId"])
    if order is None:
        raise SimError("Requested order not found.", status=404, code="NotFound")
    now, secret = call.state.now(), call.state.document_secret

    def image_url(number: int) -> str:
        return delivery_image_url(call.base_url, number, secret=secret, now=now)

    upper = call.state.mcf.upper_case_statuses
    return _payload(order_result(order, now=now, upper_case=upper, image_url=image_url))


def cancel_fulfillment_order(call: Call) -> Response:
    call.state.mcf.cancel(call.inputs.path["sellerFulfillmentOrderId"])
    return json_response({})


def get_package_tracking_details(call: Call) -> Response:
    number = int(call.inputs.query["packageNumber"])
    found = call.state.mcf.package(number)
    if found is None:
        raise SimError(f"Package {number} was not found.", status=404, code="NotFound")
    order, package = found
    return _payload(tracking(order, package, now=call.state.now()))


def list_all_fulfillment_orders(call: Call) -> Response:
    start = call.inputs.query.get("queryStartDate")
    since = None if start is None else parse_time(str(start))
    orders, token = call.state.mcf.page(since, call.inputs.query.get("nextToken"))
    upper = call.state.mcf.upper_case_statuses
    payload: dict[str, Any] = {
        "fulfillmentOrders": [order_header(o, upper_case=upper) for o in orders]
    }
    if token is not None:
        payload["nextToken"] = token
    return _payload(payload)


def submit_fulfillment_order_status_update(call: Call) -> Response:
    """The sandbox's hook: move an order to Processing, Complete… as a test needs."""
    status = (call.inputs.body or {}).get("fulfillmentOrderStatus")
    if status is None:
        raise SimError("Missing request parameter: fulfillmentOrderStatus.")
    call.state.mcf.set_status(call.inputs.path["sellerFulfillmentOrderId"], str(status))
    return json_response({})


HANDLERS: dict[str, Handler] = {
    f"{API}.getFulfillmentPreview": get_fulfillment_preview,
    f"{API}.createFulfillmentOrder": create_fulfillment_order,
    f"{API}.updateFulfillmentOrder": update_fulfillment_order,
    f"{API}.getFulfillmentOrder": get_fulfillment_order,
    f"{API}.cancelFulfillmentOrder": cancel_fulfillment_order,
    f"{API}.getPackageTrackingDetails": get_package_tracking_details,
    f"{API}.listAllFulfillmentOrders": list_all_fulfillment_orders,
    f"{API}.submitFulfillmentOrderStatusUpdate": submit_fulfillment_order_status_update,
}


def _lines(items: Sequence[Mapping[str, Any]]) -> list[McfLine]:
    """The items, with the prose rules: 1 to 100 lines, 250 units, distinct item ids."""
    if not 1 <= len(items) <= MAX_LINES:
        raise SimError(f"Invalid request parameter `items`. Give 1 to {MAX_LINES} items.")
    lines, seen = [], set()
    for index, item in enumerate(items):
        item_id = str(item["sellerFulfillmentOrderItemId"])
        if item_id in seen:
            raise SimError(
                f"Invalid request parameter `items[{index}].sellerFulfillmentOrderItemId`. "
                "Each item needs its own id."
            )
        if int(item["quantity"]) < 1:
            raise SimError(
                f"Invalid request parameter `items[{index}].quantity`. Must be at least 1."
            )
        seen.add(item_id)
        lines.append(
            McfLine(sku=str(item["sellerSku"]), item_id=item_id, quantity=int(item["quantity"]))
        )
    if sum(line.quantity for line in lines) > MAX_UNITS:
        raise SimError(f"Invalid request parameter `items`. At most {MAX_UNITS} units per order.")
    return lines


def _check_hold(action: str, speed: str) -> None:
    if action == "Hold" and speed == "ScheduledDelivery":
        raise SimError(
            "Invalid request parameter `fulfillmentAction`. Hold is not valid when "
            "shippingSpeedCategory is ScheduledDelivery."
        )


def _check_displayable_id(value: str) -> None:
    if not value.strip() or "  " in value:
        raise SimError(
            "Invalid request parameter `displayableOrderId`. 1 to 40 characters, without two "
            "spaces in a row."
        )


def _address_ok(address: Mapping[str, Any]) -> bool:
    """What the simulator can check of an address: a two-letter country, a postal code."""
    country = str(address.get("countryCode") or "")
    return (
        len(country) == 2
        and country.isalpha()
        and bool(str(address.get("postalCode") or "").strip())
    )


def _payload(data: Any) -> Response:
    return json_response({"payload": data})
