"""Shipping API v2 answers in the model's shapes: rates, purchases, documents, tracking."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from production.amazon.sim.dates import format_time
from production.amazon.sim.label_documents import LABEL_SIZE_INCHES, label_document
from production.amazon.sim.label_records import LabelShipment, Quote, QuotedRate
from production.amazon.sim.label_services import Service

__all__ = [
    "DPIS",
    "FORMATS",
    "documents_result",
    "purchase_result",
    "rates_result",
    "tracking_result",
]

FORMATS = ("PDF", "ZPL")
"""The label formats the simulated carriers print (the model also names PNG)."""
DPIS = (203, 300)


def rates_result(quote: Quote, ineligible: list[Service]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "requestToken": quote.request_token,
        "rates": [_rate(rate, quote.currency) for rate in quote.rates],
    }
    if ineligible:
        result["ineligibleRates"] = [
            {
                "serviceId": s.service_id,
                "serviceName": s.service_name,
                "carrierName": s.carrier_name,
                "carrierId": s.carrier_id,
                "ineligibilityReasons": [
                    {
                        "code": "WEIGHT_RESTRICTIONS",
                        "message": f"The package is heavier than the {s.max_kg:g} kg "
                        f"{s.service_name} takes.",
                    }
                ],
            }
            for s in ineligible
        ]
    return result


def _rate(rate: QuotedRate, currency: str) -> dict[str, Any]:
    s = rate.service
    return {
        "rateId": rate.rate_id,
        "carrierId": s.carrier_id,
        "carrierName": s.carrier_name,
        "serviceId": s.service_id,
        "serviceName": s.service_name,
        "billedWeight": {"unit": "KILOGRAM", "value": rate.billed_kg},
        "totalCharge": {"value": float(rate.charge), "unit": currency},
        "promise": _promise(rate),
        "supportedDocumentSpecifications": [_specification(f) for f in FORMATS],
        "requiresAdditionalInputs": False,
    }


def _specification(label_format: str) -> dict[str, Any]:
    width, length = LABEL_SIZE_INCHES
    return {
        "format": label_format,
        "size": {"width": width, "length": length, "unit": "INCH"},
        "printOptions": [
            {
                "supportedDPIs": list(DPIS),
                "supportedPageLayouts": ["DEFAULT"],
                "supportedFileJoiningOptions": [False],
                "supportedDocumentDetails": [{"name": "LABEL", "isMandatory": True}],
            }
        ],
    }


def _promise(rate: QuotedRate) -> dict[str, Any]:
    return {
        "deliveryWindow": _window(*rate.delivery),
        "pickupWindow": _window(*rate.pickup),
    }


def _window(start: datetime, end: datetime) -> dict[str, str]:
    return {"start": format_time(start), "end": format_time(end)}


def purchase_result(shipment: LabelShipment) -> dict[str, Any]:
    return {
        "shipmentId": shipment.shipment_id,
        "packageDocumentDetails": [_document_detail(shipment, shipment.label_format, shipment.dpi)],
        "promise": _promise(shipment.rate),
    }


def documents_result(shipment: LabelShipment, label_format: str, dpi: int) -> dict[str, Any]:
    return {
        "shipmentId": shipment.shipment_id,
        "packageDocumentDetail": _document_detail(shipment, label_format, dpi),
    }


def _document_detail(shipment: LabelShipment, label_format: str, dpi: int) -> dict[str, Any]:
    contents = base64.b64encode(label_document(shipment, label_format, dpi)).decode("ascii")
    return {
        "packageClientReferenceId": shipment.quote.package_reference,
        "packageDocuments": [{"type": "LABEL", "format": label_format, "contents": contents}],
        "trackingId": shipment.tracking_id,
    }


def tracking_result(shipment: LabelShipment) -> dict[str, Any]:
    """PreTransit until the carrier has it, InTransit after; a void cancels the pickup."""
    events = [_event("ReadyForReceive", shipment.purchased_at)]
    status = "PreTransit"
    if shipment.handed_over_at is not None:
        events.append(_event("PickupDone", shipment.handed_over_at))
        status = "InTransit"
    if shipment.cancelled_at is not None:
        events.append(_event("PickupCancelled", shipment.cancelled_at))
        status = "PickupCancelled"
    return {
        "trackingId": shipment.tracking_id,
        "alternateLegTrackingId": "",
        "eventHistory": events,
        "promisedDeliveryDate": format_time(shipment.rate.delivery[1]),
        "summary": {"status": status},
    }


def _event(code: str, at: datetime) -> dict[str, Any]:
    return {"eventCode": code, "eventTime": format_time(at)}
