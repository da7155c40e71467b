"""The Shipping API v2 operations of `SpApiClient`: rates, buying a label, documents, voids.

Buying is exactly once when the caller makes it so: it records the request token, the rate id
and an idempotency key before `purchase_shipment`, and after any doubt (a timeout, a crash)
calls it again with the same three. The key goes in `x-amzn-IdempotencyKey` on every attempt,
the session's own retries included, so a retry gets the first purchase's answer back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from production.amazon.errors import RequestValidationError
from production.amazon.labels import (
    LABEL_FORMATS,
    LabelDocument,
    LabelFormat,
    LabelPackage,
    Purchase,
    RateQuote,
    ShipFrom,
    Tracking,
)
from production.amazon.session import Session, malformed
from production.amazon.validation import timestamp

__all__ = ["IDEMPOTENCY_KEY_HEADER", "LABEL_DPIS", "SHIPPING_PATH", "ShippingLabels"]

SHIPPING_PATH = "/shipping/v2"
IDEMPOTENCY_KEY_HEADER = "x-amzn-IdempotencyKey"
LABEL_DPIS = (203, 300)
_SHIPMENTS = f"{SHIPPING_PATH}/shipments"
_LABEL_INCHES = (4, 6)


class ShippingLabels:
    """Shipping API v2; mixed into `SpApiClient`, whose session and clock it uses."""

    _session: Session
    _now: Callable[[], datetime]

    def get_rates(
        self,
        order_id: str,
        package: LabelPackage,
        ship_from: ShipFrom,
        *,
        ship_date: datetime | None = None,
    ) -> RateQuote:
        """getRates for one package of an Amazon order (channelType AMAZON)."""
        if not package.items or any(item.quantity < 1 for item in package.items):
            raise _invalid("a package needs items, each at least once", order_id)
        if min(package.weight_g, package.length_mm, package.width_mm, package.height_mm) <= 0:
            raise _invalid("a package needs a weight and three sides above zero", order_id)
        body: dict[str, Any] = {
            "shipFrom": ship_from.as_json(),
            "packages": [package.as_json()],
            "channelDetails": {
                "channelType": "AMAZON",
                "amazonOrderDetails": {"orderId": order_id},
            },
        }
        if ship_date is not None:
            body["shipDate"] = timestamp(ship_date, name="ship_date")
        answer = self._shipping("getRates", "POST", f"{_SHIPMENTS}/rates", order_id, json=body)
        return RateQuote.parse(answer, self._now())

    def purchase_shipment(
        self,
        request_token: str,
        rate_id: str,
        *,
        idempotency_key: str,
        label_format: LabelFormat = "PDF",
        dpi: int = 203,
        carrier_id: str = "",
        order_id: str | None = None,
    ) -> Purchase:
        """purchaseShipment: the label (4×6 in) bought from a rate of `get_rates`.

        `idempotency_key` is required: the same key again answers the first purchase. Amazon's
        answer names no carrier, so `carrier_id` (the rate's) is carried into the `Purchase`.
        `RateExpiredError` means the rates are over ten minutes old: get new ones.
        """
        if not idempotency_key.strip():
            raise _invalid("idempotency_key must not be empty", order_id)
        if not request_token or not rate_id:
            raise _invalid("request_token and rate_id come from get_rates", order_id)
        _check_document(label_format, dpi, order_id)
        width, length = _LABEL_INCHES
        body = {
            "requestToken": request_token,
            "rateId": rate_id,
            "requestedDocumentSpecification": {
                "format": label_format,
                "size": {"width": width, "length": length, "unit": "INCH"},
                "dpi": dpi,
                "needFileJoining": False,
                "requestedDocumentTypes": ["LABEL"],
            },
        }
        answer = self._shipping(
            "purchaseShipment",
            "POST",
            _SHIPMENTS,
            order_id,
            json=body,
            headers={IDEMPOTENCY_KEY_HEADER: idempotency_key},
        )
        return Purchase.parse(answer, carrier_id)

    def get_shipment_documents(
        self,
        shipment_id: str,
        package_reference: str,
        *,
        label_format: LabelFormat | None = None,
        dpi: int | None = None,
        order_id: str | None = None,
    ) -> LabelDocument:
        """getShipmentDocuments: the label again (a reprint), in another format or dpi if asked."""
        params = {"packageClientReferenceId": package_reference}
        if label_format is not None or dpi is not None:
            _check_document(label_format or "PDF", dpi or LABEL_DPIS[0], order_id)
        if label_format is not None:
            params["format"] = label_format
        if dpi is not None:
            params["dpi"] = str(dpi)
        path = f"{_SHIPMENTS}/{_segment(shipment_id, order_id)}/documents"
        answer = self._shipping("getShipmentDocuments", "GET", path, order_id, params=params)
        detail = answer.get("packageDocumentDetail")
        if not isinstance(detail, dict):
            raise malformed("getShipmentDocuments", "no packageDocumentDetail", order_id=order_id)
        return LabelDocument.parse(detail, "getShipmentDocuments")

    def cancel_shipment(self, shipment_id: str, *, order_id: str | None = None) -> None:
        """cancelShipment: void the label; refused (InvalidInputError) once the carrier has it."""
        path = f"{_SHIPMENTS}/{_segment(shipment_id, order_id)}/cancel"
        self._shipping("cancelShipment", "PUT", path, order_id)

    def get_tracking(
        self, tracking_id: str, carrier_id: str, *, order_id: str | None = None
    ) -> Tracking:
        """getTracking: the package's status and events."""
        params = {"trackingId": tracking_id, "carrierId": carrier_id}
        answer = self._shipping(
            "getTracking", "GET", f"{SHIPPING_PATH}/tracking", order_id, params=params
        )
        return Tracking.parse(answer)

    def _shipping(
        self,
        operation: str,
        method: str,
        path: str,
        order_id: str | None,
        *,
        params: Mapping[str, str] | None = None,
        json: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        return self._session.call(
            operation,
            method,
            path,
            params=params,
            json=json,
            envelope=True,
            order_id=order_id,
            headers=headers,
        )


def _check_document(label_format: str, dpi: int, order_id: str | None) -> None:
    if label_format not in LABEL_FORMATS:
        raise _invalid(f"label_format must be one of {', '.join(LABEL_FORMATS)}", order_id)
    if dpi not in LABEL_DPIS:
        raise _invalid(f"dpi must be one of {', '.join(map(str, LABEL_DPIS))}", order_id)


def _segment(value: str, order_id: str | None) -> str:
    if not value or not value.strip():
        raise _invalid("shipment_id must not be empty", order_id)
    return quote(value, safe="")


def _invalid(message: str, order_id: str | None) -> RequestValidationError:
    return RequestValidationError(message, order_id=order_id, source="SP-API request")
