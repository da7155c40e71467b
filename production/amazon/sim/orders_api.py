"""Orders API handlers: searchOrders and getOrder (2026-01-01); getOrders, getOrder,
getOrderItems, getOrderItemsBuyerInfo and getOrderAddress (v0, where the customization URL
and the full shipping address are restricted data).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from starlette.responses import Response

from production.amazon.sim.dates import format_time, parse_time
from production.amazon.sim.operations import Call, Handler
from production.amazon.sim.orderviews import (
    STATUS_2026,
    address_v0,
    order_2026,
    order_items_v0,
    order_v0,
    zip_url,
)
from production.amazon.sim.records import ORDER_STATUSES, SimError, SimOrder
from production.amazon.sim.responses import ACCESS_DENIED, json_response
from production.amazon.sim.search import OrderQuery
from production.amazon.sim.state import SearchPage

__all__ = ["HANDLERS"]

BEFORE_MARGIN = timedelta(minutes=2)
""""Before" dates must be at least this far in the past (both Orders APIs say so in prose)."""

_V0_CHANNELS = ("AFN", "MFN")
_2026_TO_V0 = {
    new: tuple(old for old, mapped in STATUS_2026.items() if mapped == new)
    for new in set(STATUS_2026.values())
}
_CHANNEL_2026 = {"MERCHANT": "MFN", "AMAZON": "AFN"}

QueryBuilder = Callable[[Mapping[str, Any], datetime], OrderQuery]


def search_orders(call: Call) -> Response:
    query_args = call.inputs.query
    included = frozenset(query_args.get("includedData", ()))
    result = _search(call, query_args.get("paginationToken"), "paginationToken", _query_2026)
    found, token, bound_name, bound = result
    body: dict[str, Any] = {
        "orders": [_view_2026(call, order, included) for order in found],
    }
    if token is not None:
        body["pagination"] = {"nextToken": token}
    body[bound_name] = bound
    return json_response(body)


def get_order_2026(call: Call) -> Response:
    order = _order(call, call.inputs.path["orderId"])
    included = frozenset(call.inputs.query.get("includedData", ()))
    return json_response({"order": _view_2026(call, order, included)})


def get_orders_v0(call: Call) -> Response:
    found, token, bound_name, bound = _search(
        call, call.inputs.query.get("NextToken"), "NextToken", _query_v0
    )
    buyer, address = call.grants("buyerInfo"), call.grants("shippingAddress")
    payload: dict[str, Any] = {
        "Orders": [order_v0(o, buyer_info=buyer, address=address) for o in found]
    }
    if token is not None:
        payload["NextToken"] = token
    payload["LastUpdatedBefore" if bound_name == "lastUpdatedBefore" else "CreatedBefore"] = bound
    return json_response({"payload": payload})


def get_order_v0(call: Call) -> Response:
    order = _order(call, call.inputs.path["orderId"])
    buyer, address = call.grants("buyerInfo"), call.grants("shippingAddress")
    return json_response({"payload": order_v0(order, buyer_info=buyer, address=address)})


def get_order_items_v0(call: Call) -> Response:
    order = _order(call, call.inputs.path["orderId"])
    _check_item_token(call)
    items = order_items_v0(order, base_url=call.base_url, buyer_info=call.grants("buyerInfo"))
    return json_response({"payload": {"AmazonOrderId": order.order_id, "OrderItems": items}})


def get_order_items_buyer_info_v0(call: Call) -> Response:
    if not call.grants():
        raise SimError(ACCESS_DENIED, status=403, code="Unauthorized")
    order = _order(call, call.inputs.path["orderId"])
    _check_item_token(call)
    items = [
        {
            "OrderItemId": i.order_item_id,
            "BuyerCustomizedInfo": {"CustomizedURL": zip_url(call.base_url, i)},
        }
        for i in order.items
    ]
    return json_response({"payload": {"AmazonOrderId": order.order_id, "OrderItems": items}})


def get_order_address_v0(call: Call) -> Response:
    """The full address only with an RDT for `shippingAddress` (the MCF destination)."""
    order = _order(call, call.inputs.path["orderId"])
    payload: dict[str, Any] = {"AmazonOrderId": order.order_id}
    address = address_v0(order, full=call.grants("shippingAddress"))
    if address is not None:
        payload["ShippingAddress"] = address
    return json_response({"payload": payload})


HANDLERS: dict[str, Handler] = {
    "orders_2026-01-01.searchOrders": search_orders,
    "orders_2026-01-01.getOrder": get_order_2026,
    "ordersV0.getOrders": get_orders_v0,
    "ordersV0.getOrder": get_order_v0,
    "ordersV0.getOrderItems": get_order_items_v0,
    "ordersV0.getOrderItemsBuyerInfo": get_order_items_buyer_info_v0,
    "ordersV0.getOrderAddress": get_order_address_v0,
}


def _view_2026(call: Call, order: SimOrder, included: frozenset[str]) -> dict[str, Any]:
    shipments = call.state.shipments(order.order_id) if "PACKAGES" in included else []
    return order_2026(order, base_url=call.base_url, included=included, shipments=shipments)


def _order(call: Call, order_id: str) -> SimOrder:
    order = call.state.order(order_id)
    if order is None:
        raise SimError(f"Order {order_id} was not found.", status=404, code="NotFound")
    return order


def _check_item_token(call: Call) -> None:
    if call.inputs.query.get("NextToken") is not None:
        raise SimError("Invalid request parameter `NextToken`. The token is not valid.")


def _search(
    call: Call, token: str | None, token_name: str, build: QueryBuilder
) -> tuple[list[SimOrder], str | None, str, str]:
    """Run a search (or resume one); the last two values name and give its upper bound."""
    if token is not None:
        cursor = call.state.cursor(token)
        if cursor is None:
            raise SimError(f"Invalid request parameter `{token_name}`. The token is not valid.")
        query: OrderQuery = cursor.query
        result: SearchPage = call.state.search(query, cursor.after)
    else:
        query = build(call.inputs.query, call.state.now())
        result = call.state.search(query)
    found, next_token, horizon = result
    if query.created_after is not None:
        return found, next_token, "createdBefore", format_time(query.created_before or horizon)
    return found, next_token, "lastUpdatedBefore", format_time(query.updated_before or horizon)


def _query_2026(args: Mapping[str, Any], now: datetime) -> OrderQuery:
    names = ("createdAfter", "createdBefore", "lastUpdatedAfter", "lastUpdatedBefore")
    created_after, created_before, updated_after, updated_before = _window(args, names, now)
    statuses = args.get("fulfillmentStatuses")
    channels = args.get("fulfilledBy")
    return OrderQuery(
        created_after=created_after,
        created_before=created_before,
        updated_after=updated_after,
        updated_before=updated_before,
        statuses=None if statuses is None else frozenset(_v0_statuses(statuses)),
        channels=None if channels is None else frozenset(_CHANNEL_2026[c] for c in channels),
        marketplace_ids=_set(args.get("marketplaceIds")),
        page_size=_page_size(args.get("maxResultsPerPage"), "maxResultsPerPage"),
    )


def _query_v0(args: Mapping[str, Any], now: datetime) -> OrderQuery:
    names = ("CreatedAfter", "CreatedBefore", "LastUpdatedAfter", "LastUpdatedBefore")
    created_after, created_before, updated_after, updated_before = _window(args, names, now)
    statuses = _set(args.get("OrderStatuses"))
    _check_choices("OrderStatuses", statuses, ORDER_STATUSES)
    channels = _set(args.get("FulfillmentChannels"))
    _check_choices("FulfillmentChannels", channels, _V0_CHANNELS)
    return OrderQuery(
        created_after=created_after,
        created_before=created_before,
        updated_after=updated_after,
        updated_before=updated_before,
        statuses=statuses,
        channels=channels,
        marketplace_ids=_set(args.get("MarketplaceIds")),
        order_ids=_set(args.get("AmazonOrderIds")),
        page_size=_page_size(args.get("MaxResultsPerPage"), "MaxResultsPerPage"),
    )


def _window(
    args: Mapping[str, Any], names: tuple[str, str, str, str], now: datetime
) -> tuple[datetime | None, ...]:
    """The four dates, with the rules the models give in prose."""
    created_after, created_before, updated_after, updated_before = names
    dates = {name: _date(args, name) for name in names if args.get(name) is not None}
    if (created_after in dates) == (updated_after in dates):
        raise SimError(f"Exactly one of `{created_after}` and `{updated_after}` is required.")
    for after, other in ((created_after, updated_before), (updated_after, created_before)):
        if after in dates and other in dates:
            raise SimError(f"`{other}` cannot be set when `{after}` is set.")
    for after, before in ((created_after, created_before), (updated_after, updated_before)):
        if before not in dates:
            continue
        if after in dates and dates[before] < dates[after]:
            raise SimError(f"`{before}` must be equal to or after `{after}`.")
        if dates[before] > now - BEFORE_MARGIN:
            raise SimError(
                f"`{before}` must be at least two minutes before the time of the request."
            )
    return tuple(dates.get(name) for name in names)


def _date(args: Mapping[str, Any], name: str) -> datetime:
    moment = parse_time(str(args[name]))
    if moment is None:
        raise SimError(f"Invalid request parameter `{name}`. Must be an ISO 8601 date-time.")
    return moment


def _page_size(value: Any, name: str) -> int:
    if value is None:
        return 100
    if not 1 <= int(value) <= 100:
        raise SimError(f"Invalid request parameter `{name}`. Must be between 1 and 100.")
    return int(value)


def _v0_statuses(statuses: list[str]) -> list[str]:
    return [old for new in statuses for old in _2026_TO_V0[new]]


def _set(values: Any) -> frozenset[str] | None:
    return None if values is None else frozenset(str(v) for v in values)


def _check_choices(name: str, values: frozenset[str] | None, allowed: tuple[str, ...]) -> None:
    for value in sorted(values or ()):
        if value not in allowed:
            raise SimError(
                f"Invalid request parameter `{name}`. Must be one of [{', '.join(allowed)}]."
            )
