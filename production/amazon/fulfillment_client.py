"""The Fulfillment Outbound operations (Multi-Channel Fulfillment) of `SpApiClient`.

MCF answers wrap their data in `payload`; create, update and cancel answer with no data, so
their bodies are not read. A request that carries a destination address has the address's
values cut out of any error it raises: a refusal may quote what it refused, and errors are
logged and shown on the desk page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from urllib.parse import quote

from production.amazon import readers as read
from production.amazon.errors import InvalidInputError, NotFoundError, RequestValidationError
from production.amazon.fulfillment import FulfillmentOrder, FulfillmentPreview
from production.amazon.fulfillment_requests import (
    DEFAULT_ORDER_COMMENT,
    DestinationAddress,
    FulfillmentItem,
    order_body,
    preview_body,
    update_body,
)
from production.amazon.fulfillment_tracking import PackageTracking
from production.amazon.session import Session, malformed, objects
from production.amazon.validation import timestamp
from production.core.errors import AmazonError

__all__ = ["MCF_PATH", "FulfillmentOutbound"]

MCF_PATH = "/fba/outbound/2020-07-01"
_ORDERS = f"{MCF_PATH}/fulfillmentOrders"
_REDACTED = "[address]"
_MAX_PACKAGE_NUMBER = 2**31 - 1  # the model's int32


class FulfillmentOutbound:
    """Multi-Channel Fulfillment; mixed into `SpApiClient`, whose session it calls through."""

    _session: Session

    def get_fulfillment_preview(
        self,
        address: DestinationAddress,
        items: Sequence[FulfillmentItem],
        *,
        shipping_speed_categories: Sequence[str] = ("Standard",),
        marketplace_id: str | None = None,
        order_id: str | None = None,
    ) -> list[FulfillmentPreview]:
        """getFulfillmentPreview: one preview per shipping speed (`fulfillable`, reasons…)."""
        body = preview_body(
            address,
            items,
            speeds=shipping_speed_categories,
            marketplace_id=marketplace_id,
            order_id=order_id,
        )
        with _address_kept_out(address):
            answer = self._call(
                "getFulfillmentPreview", "POST", f"{_ORDERS}/preview", order_id, json=body
            )
        previews = objects(
            answer.get("fulfillmentPreviews"), "getFulfillmentPreview", "fulfillmentPreviews"
        )
        return [FulfillmentPreview.parse(preview) for preview in previews]

    def create_fulfillment_order(
        self,
        seller_fulfillment_order_id: str,
        *,
        destination_address: DestinationAddress,
        items: Sequence[FulfillmentItem],
        displayable_order_date: datetime,
        displayable_order_id: str | None = None,
        displayable_order_comment: str = DEFAULT_ORDER_COMMENT,
        shipping_speed_category: str = "Standard",
        fulfillment_action: str = "Hold",
        fulfillment_policy: str | None = None,
        marketplace_id: str | None = None,
        notification_emails: Sequence[str] = (),
        order_id: str | None = None,
    ) -> None:
        """createFulfillmentOrder (on Hold unless told otherwise).

        Amazon takes a repeat of the same id with the same content as success, so a retry after
        a crash is safe as long as every argument is the same again (derive the id with
        `seller_fulfillment_order_id()` and the date from the Amazon order, not from now).
        """
        body = order_body(
            seller_fulfillment_order_id,
            address=destination_address,
            items=items,
            displayable_order_id=displayable_order_id or seller_fulfillment_order_id,
            displayable_order_date=displayable_order_date,
            displayable_order_comment=displayable_order_comment,
            shipping_speed=shipping_speed_category,
            action=fulfillment_action,
            policy=fulfillment_policy,
            marketplace_id=marketplace_id,
            notification_emails=notification_emails,
            order_id=order_id,
        )
        with _address_kept_out(destination_address):
            self._call("createFulfillmentOrder", "POST", _ORDERS, order_id, json=body, empty=True)

    def update_fulfillment_order(
        self,
        seller_fulfillment_order_id: str,
        *,
        fulfillment_action: str | None = "Ship",
        displayable_order_comment: str | None = None,
        shipping_speed_category: str | None = None,
        marketplace_id: str | None = None,
        order_id: str | None = None,
    ) -> None:
        """updateFulfillmentOrder; by default releases a held order (`fulfillmentAction` Ship)."""
        body = update_body(
            action=fulfillment_action,
            displayable_order_comment=displayable_order_comment,
            shipping_speed=shipping_speed_category,
            marketplace_id=marketplace_id,
            order_id=order_id,
        )
        path = f"{_ORDERS}/{_segment(seller_fulfillment_order_id, order_id)}"
        self._call("updateFulfillmentOrder", "PUT", path, order_id, json=body, empty=True)

    def get_fulfillment_order(
        self, seller_fulfillment_order_id: str, *, order_id: str | None = None
    ) -> FulfillmentOrder:
        """getFulfillmentOrder: status, items, shipments with packages and proof of delivery."""
        path = f"{_ORDERS}/{_segment(seller_fulfillment_order_id, order_id)}"
        answer = self._call("getFulfillmentOrder", "GET", path, order_id)
        raw = answer.get("fulfillmentOrder")
        if not isinstance(raw, dict) or not read.text(raw.get("sellerFulfillmentOrderId")):
            raise malformed(
                "getFulfillmentOrder", "no 'fulfillmentOrder' with an id", order_id=order_id
            )
        return FulfillmentOrder.parse(raw, answer)

    def find_fulfillment_order(
        self, seller_fulfillment_order_id: str, *, order_id: str | None = None
    ) -> FulfillmentOrder | None:
        """getFulfillmentOrder, or None when Amazon has no such order (a create never arrived)."""
        try:
            return self.get_fulfillment_order(seller_fulfillment_order_id, order_id=order_id)
        except NotFoundError:
            return None
        except InvalidInputError as error:  # how Amazon has long answered an unknown id
            if "not found" in error.message.lower():
                return None
            raise

    def cancel_fulfillment_order(
        self, seller_fulfillment_order_id: str, *, order_id: str | None = None
    ) -> None:
        """cancelFulfillmentOrder; Amazon refuses (InvalidInputError) once it is Processing."""
        path = f"{_ORDERS}/{_segment(seller_fulfillment_order_id, order_id)}/cancel"
        self._call("cancelFulfillmentOrder", "PUT", path, order_id, empty=True)

    def get_package_tracking_details(
        self, package_number: int, *, order_id: str | None = None
    ) -> PackageTracking:
        """getPackageTrackingDetails for a package number from getFulfillmentOrder."""
        if (
            isinstance(package_number, bool)
            or not isinstance(package_number, int)
            or not 0 <= package_number <= _MAX_PACKAGE_NUMBER
        ):
            raise RequestValidationError(
                f"package_number must be a package number from getFulfillmentOrder, "
                f"not {package_number!r}",
                order_id=order_id,
                source="SP-API request",
            )
        params = {"packageNumber": str(package_number)}
        answer = self._call(
            "getPackageTrackingDetails", "GET", f"{MCF_PATH}/tracking", order_id, params=params
        )
        if not read.is_number(answer.get("packageNumber")):
            raise malformed("getPackageTrackingDetails", "no packageNumber", order_id=order_id)
        return PackageTracking.parse(answer)

    def list_all_fulfillment_orders(
        self, query_start_date: datetime | None = None
    ) -> Iterator[FulfillmentOrder]:
        """Every fulfillment order changed at or after `query_start_date` (no items), all pages."""
        start = (
            None
            if query_start_date is None
            else timestamp(query_start_date, name="query_start_date")
        )

        def page(token: str | None) -> dict[str, Any]:
            params = {"nextToken": token} if token else {"queryStartDate": start} if start else {}
            return self._call("listAllFulfillmentOrders", "GET", _ORDERS, None, params=params)

        operation = "listAllFulfillmentOrders"
        for body in self._session.pages(page, _next_token, operation):
            for raw in objects(body.get("fulfillmentOrders"), operation, "fulfillmentOrders"):
                if read.text(raw.get("sellerFulfillmentOrderId")):
                    yield FulfillmentOrder.parse(raw)

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        order_id: str | None,
        *,
        params: Mapping[str, str] | None = None,
        json: Mapping[str, Any] | None = None,
        empty: bool = False,
    ) -> dict[str, Any]:
        return self._session.call(
            operation,
            method,
            path,
            params=params,
            json=json,
            envelope=not empty,
            empty=empty,
            order_id=order_id,
        )


def _next_token(page: Mapping[str, Any]) -> object:
    return page.get("nextToken")


def _segment(value: str, order_id: str | None) -> str:
    if not value or not value.strip():
        raise RequestValidationError(
            "seller_fulfillment_order_id must not be empty",
            order_id=order_id,
            source="SP-API request",
        )
    return quote(value, safe="")


@contextmanager
def _address_kept_out(address: DestinationAddress) -> Iterator[None]:
    """Amazon's refusal may quote the address it refused: cut the buyer's values out of it."""
    try:
        yield
    except AmazonError as error:
        message = error.message
        for value in address.private_values():
            pattern = rf"(?<!\w){re.escape(value)}(?!\w)"  # whole words: "Ann" spares "Annex"
            message = re.sub(pattern, _REDACTED, message, flags=re.IGNORECASE)
        error.message = message
        error.args = (message,)
        raise
