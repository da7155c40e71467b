"""The simulator's own controls under `/_sim/`: no token, loopback callers only.

GET  /_sim/orders                   every order, current version
POST /_sim/orders                   body: a customization zip → the item added (201)
                                    query: purchaseDate (ISO 8601), status (v0 name)
POST /_sim/orders/{orderId}/cancel  the order is canceled
PUT  /_sim/orders/{orderId}/status  body {"status": "Unshipped"}
GET  /_sim/faults                   the fault switches
PUT  /_sim/faults                   body: the switches to change, e.g. {"internal_error": 0.2}
GET  /_sim/shipments                every confirmed package
GET  /_sim/throttled                429 answers so far, by operation
POST /_sim/reset                    forget everything; faults off; buckets full
GET  /_sim/mcf                      MCF inventory (sellable, reserved, available) and orders
PUT  /_sim/mcf/inventory            body {"SKU-1": 12, …}: sellable units per seller SKU
PUT  /_sim/mcf/orders/{id}/status   body {"status": "Complete"}: as the sandbox's status update
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from production.amazon.sim.dates import parse_time
from production.amazon.sim.records import SimError
from production.amazon.sim.responses import Endpoint, json_response
from production.amazon.sim.state import SimState
from production.core.errors import CustomizationError

__all__ = ["admin_routes"]

_Action = Callable[[Request, SimState], Awaitable[Any]]


def admin_routes(state: SimState) -> list[Route]:
    table: list[tuple[str, str, _Action]] = [
        ("/_sim/orders", "GET", _list_orders),
        ("/_sim/orders", "POST", _add_order),
        ("/_sim/orders/{order_id}/cancel", "POST", _cancel),
        ("/_sim/orders/{order_id}/status", "PUT", _set_status),
        ("/_sim/faults", "GET", _get_faults),
        ("/_sim/faults", "PUT", _set_faults),
        ("/_sim/shipments", "GET", _shipments),
        ("/_sim/labels", "GET", _labels),
        ("/_sim/labels/{shipment_id}/handover", "POST", _hand_over),
        ("/_sim/throttled", "GET", _throttled),
        ("/_sim/reset", "POST", _reset),
        ("/_sim/mcf", "GET", _mcf),
        ("/_sim/mcf/inventory", "PUT", _stock),
        ("/_sim/mcf/orders/{order_id}/status", "PUT", _mcf_status),
    ]
    return [Route(path, _endpoint(state, action), methods=[m]) for path, m, action in table]


def _endpoint(state: SimState, action: _Action) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        if not _loopback(request):
            return json_response({"error": "the simulator's controls answer loopback only"}, 403)
        try:
            result = await action(request, state)
        except (SimError, CustomizationError, ValueError) as error:
            status = getattr(error, "status", 400)
            message = getattr(error, "message", str(error))
            return json_response({"error": message}, status)
        return result if isinstance(result, Response) else json_response(result)

    return endpoint


def _loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in ("localhost", "testclient")


async def _list_orders(request: Request, state: SimState) -> Any:
    return {"orders": [o.summary() for o in state.orders()]}


async def _add_order(request: Request, state: SimState) -> Response:
    data = await request.body()
    purchase = request.query_params.get("purchaseDate")
    purchase_date = None if purchase is None else parse_time(purchase)
    if purchase is not None and purchase_date is None:
        raise ValueError("purchaseDate must be an ISO 8601 date-time")
    status = request.query_params.get("status", "Unshipped")
    days = request.query_params.get("deliveryDays", "5")
    if not days.isdigit():
        raise ValueError("deliveryDays must be a whole number of days")
    gift = request.query_params.get("giftMessage")
    item = state.add_order(
        data, purchase_date=purchase_date, status=status, delivery_days=int(days),
        gift_message=gift,
    )  # fmt: skip
    order = state.order(item.order_id)
    assert order is not None
    return json_response(
        {"orderId": item.order_id, "orderItemId": item.order_item_id, "order": order.summary()},
        201,
    )


async def _cancel(request: Request, state: SimState) -> Any:
    return state.cancel(request.path_params["order_id"]).summary()


async def _set_status(request: Request, state: SimState) -> Any:
    body = await _json(request)
    return state.set_status(request.path_params["order_id"], str(body.get("status"))).summary()


async def _get_faults(request: Request, state: SimState) -> Any:
    return state.faults.as_json()


async def _set_faults(request: Request, state: SimState) -> Any:
    return state.change_faults(**await _json(request)).as_json()


async def _shipments(request: Request, state: SimState) -> Any:
    order_id = request.query_params.get("orderId")
    return {"shipments": [s.as_json() for s in state.shipments(order_id)]}


async def _labels(request: Request, state: SimState) -> Any:
    order_id = request.query_params.get("orderId")
    return {"labels": [s.summary() for s in state.labels.shipments(order_id)]}


async def _hand_over(request: Request, state: SimState) -> Any:
    return state.labels.hand_over(request.path_params["shipment_id"]).summary()


async def _throttled(request: Request, state: SimState) -> Any:
    return {"throttled": state.throttled()}


async def _reset(request: Request, state: SimState) -> Any:
    state.reset()
    return {"reset": True}


async def _mcf(request: Request, state: SimState) -> Any:
    return {
        "inventory": state.mcf.inventory(),
        "orders": [order.summary() for order in state.mcf.orders()],
    }


async def _stock(request: Request, state: SimState) -> Any:
    for sku, units in (await _json(request)).items():
        state.mcf.stock(sku, units)
    return {"inventory": state.mcf.inventory()}


async def _mcf_status(request: Request, state: SimState) -> Any:
    body = await _json(request)
    order = state.mcf.set_status(request.path_params["order_id"], str(body.get("status")))
    return order.summary()


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError as error:
        raise ValueError("the body must be a JSON object") from error
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body
