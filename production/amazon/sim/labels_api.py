"""Shipping API v2 handlers: getRates, purchaseShipment, getShipmentDocuments, cancelShipment,
getTracking, on `state.labels`.

The model has validated each request's schema before a handler runs; what its prose adds is
checked here: one package per request, items of the order being rated, a document
specification among those the rate supports, and the ten-minute life of a request token
(`TOKEN_EXPIRED`). The `rate_token_expired` fault makes purchaseShipment answer as if the
rates were ten minutes old. Answers carry their data in `payload`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from starlette.responses import Response

from production.amazon.sim.dates import parse_time
from production.amazon.sim.label_records import LabelShipment
from production.amazon.sim.label_state import PackageFacts
from production.amazon.sim.label_views import (
    DPIS,
    FORMATS,
    documents_result,
    purchase_result,
    rates_result,
    tracking_result,
)
from production.amazon.sim.operations import Call, Handler
from production.amazon.sim.records import SimError
from production.amazon.sim.responses import json_response
from production.core.regions import marketplace

__all__ = ["HANDLERS", "IDEMPOTENCY_HEADER"]

API = "shippingV2"
IDEMPOTENCY_HEADER = "x-amzn-idempotencykey"
_KG = {"GRAM": 0.001, "KILOGRAM": 1.0, "OUNCE": 0.028349523125, "POUND": 0.45359237}
_CM = {"CENTIMETER": 1.0, "INCH": 2.54}
_LABEL_CM = (4 * 2.54, 6 * 2.54)
_NOT_SHIPPABLE = ("Canceled", "Pending", "PendingAvailability")


def get_rates(call: Call) -> Response:
    body = call.inputs.body
    channel = body["channelDetails"]
    if channel["channelType"] != "AMAZON":
        raise SimError("The simulator rates shipments of Amazon orders only (channelType AMAZON).")
    details = channel.get("amazonOrderDetails") or {}
    order_id = str(details.get("orderId") or "")
    if not order_id:
        raise SimError("Missing request parameter: channelDetails.amazonOrderDetails.orderId.")
    order = call.state.order(order_id)
    if order is None:
        raise SimError(f"Order {order_id} was not found.", status=404, code="NotFound")
    if order.status in _NOT_SHIPPABLE:
        raise SimError(f"Order {order_id} is {order.status}; it cannot be shipped.")
    packages = body["packages"]
    if len(packages) != 1:
        raise SimError("Invalid request parameter `packages`. The simulator rates one package.")
    package = packages[0]
    items = _items(package, lambda item_id: order.item(item_id) is not None)
    known = marketplace(order.marketplace_id)
    ship_date = body.get("shipDate")
    quote, ineligible = call.state.labels.quote(
        order_id=order_id,
        marketplace_id=order.marketplace_id,
        currency=known.currency if known is not None else "USD",
        package_reference=str(package["packageClientReferenceId"]),
        items=items,
        facts=_facts(package),
        ship_from=body["shipFrom"],
        ship_date=None if ship_date is None else parse_time(str(ship_date)),
    )
    return _payload(rates_result(quote, ineligible))


def purchase_shipment(call: Call) -> Response:
    body = call.inputs.body
    spec = body["requestedDocumentSpecification"]
    label_format, dpi = _document_spec(spec)
    faults = call.state.faults
    hit = faults.applies_to(call.op.operation_id, call.op.key)
    shipment = call.state.labels.purchase(
        request_token=str(body["requestToken"]),
        rate_id=str(body["rateId"]),
        label_format=label_format,
        dpi=dpi,
        idempotency_key=call.inputs.headers.get(IDEMPOTENCY_HEADER),
        fingerprint=json.dumps(body, sort_keys=True, separators=(",", ":")),
        expired=hit and call.state.roll(faults.rate_token_expired),
    )
    return _payload(purchase_result(shipment))


def get_shipment_documents(call: Call) -> Response:
    shipment = _shipment(call)
    reference = str(call.inputs.query["packageClientReferenceId"])
    if reference != shipment.quote.package_reference:
        raise SimError(
            f"Invalid request parameter `packageClientReferenceId`. Shipment "
            f"{shipment.shipment_id} has no package {reference}."
        )
    label_format = str(call.inputs.query.get("format") or shipment.label_format)
    if label_format not in FORMATS:
        raise SimError(f"Invalid request parameter `format`. One of {', '.join(FORMATS)}.")
    raw_dpi = call.inputs.query.get("dpi")
    dpi = shipment.dpi if raw_dpi is None else round(float(raw_dpi))
    if dpi not in DPIS:
        raise SimError(f"Invalid request parameter `dpi`. One of {', '.join(map(str, DPIS))}.")
    return _payload(documents_result(shipment, label_format, dpi))


def cancel_shipment(call: Call) -> Response:
    call.state.labels.cancel(call.inputs.path["shipmentId"])
    return _payload({})


def get_tracking(call: Call) -> Response:
    tracking_id = str(call.inputs.query["trackingId"])
    found = call.state.labels.by_tracking(tracking_id, str(call.inputs.query["carrierId"]))
    if found is None:
        raise SimError(
            f"No shipment with tracking id {tracking_id} for this carrier.",
            status=404,
            code="NotFound",
        )
    return _payload(tracking_result(found))


HANDLERS: dict[str, Handler] = {
    f"{API}.getRates": get_rates,
    f"{API}.purchaseShipment": purchase_shipment,
    f"{API}.getShipmentDocuments": get_shipment_documents,
    f"{API}.cancelShipment": cancel_shipment,
    f"{API}.getTracking": get_tracking,
}


def _shipment(call: Call) -> LabelShipment:
    shipment_id = call.inputs.path["shipmentId"]
    shipment = call.state.labels.shipment(shipment_id)
    if shipment is None:
        raise SimError(f"Shipment {shipment_id} was not found.", status=404, code="NotFound")
    return shipment


def _items(package: Mapping[str, Any], known: Callable[[str], bool]) -> list[tuple[str, int]]:
    """The package's items as (order item id, quantity): `itemIdentifier` names the item."""
    items = []
    for index, item in enumerate(package["items"]):
        item_id = str(item.get("itemIdentifier") or "")
        if not known(item_id):
            raise SimError(
                f"Invalid request parameter `packages[0].items[{index}].itemIdentifier`. "
                "Give an order item id of the order."
            )
        if int(item["quantity"]) < 1:
            raise SimError(
                f"Invalid request parameter `packages[0].items[{index}].quantity`. "
                "Must be at least 1."
            )
        items.append((item_id, int(item["quantity"])))
    if not items:
        raise SimError("Invalid request parameter `packages[0].items`. Must not be empty.")
    return items


def _facts(package: Mapping[str, Any]) -> PackageFacts:
    weight, size = package["weight"], package["dimensions"]
    kg = float(weight["value"]) * _KG[str(weight["unit"])]
    cm = _CM[str(size["unit"])]
    sides = [float(size[side]) * cm for side in ("length", "width", "height")]
    if kg <= 0 or min(sides) <= 0:
        raise SimError("Invalid request parameter `packages[0]`. Weight and sides must be > 0.")
    return kg, sides[0], sides[1], sides[2]


def _document_spec(spec: Mapping[str, Any]) -> tuple[str, int]:
    """Format and dpi, if the rates support them: PDF or ZPL, 4×6 in, 203 or 300 dpi."""
    label_format = str(spec["format"])
    if label_format not in FORMATS:
        raise SimError(
            f"Invalid request parameter `requestedDocumentSpecification.format`. {label_format} "
            f"is not among the supported document specifications ({', '.join(FORMATS)})."
        )
    size = spec["size"]
    cm = _CM[str(size["unit"])]
    given = (float(size["width"]) * cm, float(size["length"]) * cm)
    if any(abs(a - b) > 0.05 for a, b in zip(given, _LABEL_CM, strict=True)):
        raise SimError(
            "Invalid request parameter `requestedDocumentSpecification.size`. The supported "
            "label size is 4 x 6 INCH."
        )
    dpi = int(spec.get("dpi") or DPIS[0])
    if dpi not in DPIS:
        raise SimError(
            "Invalid request parameter `requestedDocumentSpecification.dpi`. One of "
            f"{', '.join(map(str, DPIS))}."
        )
    if "LABEL" not in spec["requestedDocumentTypes"]:
        raise SimError(
            "Invalid request parameter `requestedDocumentSpecification.requestedDocumentTypes`. "
            "LABEL is mandatory."
        )
    return label_format, dpi


def _payload(data: Any) -> Response:
    return json_response({"payload": data})
