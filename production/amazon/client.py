"""The Selling Partner API client: the operations the shop uses, as plain dicts.

Answers are returned as Amazon sends them (Orders v0 unwrapped from its `payload`); the
Multi-Channel Fulfillment operations (`fulfillment_client`) and Shipping v2's (`labels_client`)
return typed records. Inputs the models' prose forbids are refused before they are sent; the
wire itself (buckets, tokens, retries, errors) is `session.Session`.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from random import Random
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from production import __version__
from production.amazon.credentials import Credentials
from production.amazon.download import Downloader, gunzip
from production.amazon.errors import DownloadError, RequestValidationError
from production.amazon.fulfillment_client import FulfillmentOutbound
from production.amazon.fulfillment_requests import DestinationAddress
from production.amazon.labels_client import ShippingLabels
from production.amazon.ratelimit import RATES, RateLimiter
from production.amazon.retry import DEFAULT_DEADLINE_SECONDS, DEFAULT_MAX_ATTEMPTS, Retrier
from production.amazon.session import ACCESS_TOKEN_HEADER, Session, malformed, objects
from production.amazon.tokens import AccessTokens, RestrictedResource, RestrictedTokens, TokenSource
from production.amazon.validation import (
    OrderWindow,
    check_package_detail,
    check_page_size,
    check_past,
    order_window,
    timestamp,
)
from production.config.settings import AmazonSettings

__all__ = [
    "ACCESS_TOKEN_HEADER",
    "DEFAULT_INCLUDED_DATA",
    "DEFAULT_REPORT_MAX_BYTES",
    "DEFAULT_TIMEOUT_SECONDS",
    "DEFAULT_USER_AGENT",
    "ORDER_ADDRESS_RDT_PATH",
    "ORDER_ITEMS_RDT_PATH",
    "SpApiClient",
]

DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_USER_AGENT = (
    f"amazon-custom-production/{__version__} (Language=Python/{platform.python_version()})"
)
# One RDT for this generic path opens getOrderItems' buyer info for every order, for an hour.
ORDER_ITEMS_RDT_PATH = "/orders/v0/orders/{orderId}/orderItems"
ORDER_ITEMS_BUYER_INFO_RDT_PATH = "/orders/v0/orders/{orderId}/orderItems/buyerInfo"
# The destination of an MCF order: getOrderAddress with the address in full needs this RDT.
ORDER_ADDRESS_RDT_PATH = "/orders/v0/orders/{orderId}/address"
BUYER_INFO = "buyerInfo"
SHIPPING_ADDRESS = "shippingAddress"
# Orders 2026-01-01 leaves out what includedData does not name; intake needs these two.
DEFAULT_INCLUDED_DATA = ("FULFILLMENT", "CANCELLATION")
DEFAULT_REPORT_MAX_BYTES = 512 * 1024 * 1024
MAX_MARKETPLACES = 50

_SEARCH_ORDERS = "/orders/2026-01-01/orders"
_ORDERS_V0 = "/orders/v0/orders"
_RDT = "/tokens/2021-03-01/restrictedDataToken"
_REPORTS = "/reports/2021-06-30/reports"
_DOCUMENTS = "/reports/2021-06-30/documents"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SpApiClient(FulfillmentOutbound, ShippingLabels):
    """One selling partner's Selling Partner API, through one connection pool."""

    def __init__(
        self,
        *,
        endpoint: str,
        lwa_endpoint: str,
        credentials: Credentials,
        transport: httpx.BaseTransport | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        random: Random | None = None,
        now: Callable[[], datetime] = _utc_now,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        user_agent: str = DEFAULT_USER_AGENT,
        rates: Mapping[str, tuple[float, int]] = RATES,
        deadline: float = DEFAULT_DEADLINE_SECONDS,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self._now = now
        self._http = httpx.Client(
            transport=transport, timeout=timeout, headers={"user-agent": user_agent}
        )
        retrier = Retrier(
            max_attempts=max_attempts,
            sleep=sleep,
            random=random,
            deadline=deadline,
            monotonic=monotonic,
            progress=progress,
        )
        access = AccessTokens(
            self._http,
            lwa_endpoint=lwa_endpoint,
            credentials=credentials,
            retrier=retrier,
            monotonic=monotonic,
        )
        self._session = Session(
            self._http,
            endpoint=endpoint,
            limiter=RateLimiter(rates, monotonic=monotonic, sleep=sleep),
            retrier=retrier,
            tokens=access,
            now=now,
        )
        self._restricted = RestrictedTokens(self._create_rdt, monotonic=monotonic)
        self._downloader = Downloader(self._http, retrier=retrier, now=now)

    @classmethod
    def from_settings(
        cls,
        settings: AmazonSettings,
        credentials: Credentials,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> SpApiClient:
        return cls(
            endpoint=settings.endpoint,
            lwa_endpoint=settings.lwa_endpoint,
            credentials=credentials,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"SpApiClient(endpoint={self._session.endpoint!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SpApiClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    # Orders 2026-01-01

    def search_orders(
        self,
        *,
        marketplace_ids: Sequence[str],
        last_updated_after: datetime | None = None,
        created_after: datetime | None = None,
        last_updated_before: datetime | None = None,
        created_before: datetime | None = None,
        fulfillment_statuses: Sequence[str] = ("UNSHIPPED",),
        fulfilled_by: Sequence[str] = ("MERCHANT",),
        included_data: Sequence[str] = DEFAULT_INCLUDED_DATA,
        pagination_token: str | None = None,
        max_results: int = 100,
    ) -> dict[str, Any]:
        """One page of searchOrders: `orders`, `pagination.nextToken`, `lastUpdatedBefore`…"""
        check_page_size(max_results, name="max_results")
        window = order_window(
            created_after=created_after,
            created_before=created_before,
            last_updated_after=last_updated_after,
            last_updated_before=last_updated_before,
            now=self._now(),
        )
        params = {"marketplaceIds": ",".join(_marketplaces(marketplace_ids))}
        params.update(_window_params(window, window.field))
        _add_list(params, "fulfillmentStatuses", fulfillment_statuses)
        _add_list(params, "fulfilledBy", fulfilled_by)
        _add_list(params, "includedData", included_data)
        params["maxResultsPerPage"] = str(max_results)
        if pagination_token:
            params["paginationToken"] = pagination_token
        return self._session.call("searchOrders", "GET", _SEARCH_ORDERS, params=params)

    def iter_search_orders(
        self,
        *,
        marketplace_ids: Sequence[str],
        last_updated_after: datetime | None = None,
        created_after: datetime | None = None,
        last_updated_before: datetime | None = None,
        created_before: datetime | None = None,
        fulfillment_statuses: Sequence[str] = ("UNSHIPPED",),
        fulfilled_by: Sequence[str] = ("MERCHANT",),
        included_data: Sequence[str] = DEFAULT_INCLUDED_DATA,
        max_results: int = 100,
    ) -> Iterator[dict[str, Any]]:
        """Every order of every page of searchOrders."""

        def page(token: str | None) -> dict[str, Any]:
            return self.search_orders(
                marketplace_ids=marketplace_ids,
                last_updated_after=last_updated_after,
                created_after=created_after,
                last_updated_before=last_updated_before,
                created_before=created_before,
                fulfillment_statuses=fulfillment_statuses,
                fulfilled_by=fulfilled_by,
                included_data=included_data,
                pagination_token=token,
                max_results=max_results,
            )

        for body in self._session.pages(page, _next_pagination_token, "searchOrders"):
            yield from objects(body.get("orders"), "searchOrders", "orders")

    def get_order(
        self, order_id: str, *, included_data: Sequence[str] = DEFAULT_INCLUDED_DATA
    ) -> dict[str, Any]:
        """getOrder (2026-01-01): the `order` of its response."""
        params: dict[str, str] = {}
        _add_list(params, "includedData", included_data)
        path = f"/orders/2026-01-01/orders/{_segment(order_id)}"
        body = self._session.call("getOrder", "GET", path, params=params, order_id=order_id)
        order = body.get("order")
        if not isinstance(order, dict):
            raise malformed("getOrder", "no 'order' object", order_id=order_id)
        return order

    # Orders v0 (the GET operations are deprecated; confirmShipment is not)

    def get_orders(
        self,
        *,
        marketplace_ids: Sequence[str],
        last_updated_after: datetime | None = None,
        created_after: datetime | None = None,
        last_updated_before: datetime | None = None,
        created_before: datetime | None = None,
        order_statuses: Sequence[str] = ("Unshipped",),
        fulfillment_channels: Sequence[str] = ("MFN",),
        next_token: str | None = None,
        max_results: int = 100,
    ) -> dict[str, Any]:
        """One page of getOrders, unwrapped: `Orders`, `NextToken`, `LastUpdatedBefore`…"""
        check_page_size(max_results, name="max_results")
        window = order_window(
            created_after=created_after,
            created_before=created_before,
            last_updated_after=last_updated_after,
            last_updated_before=last_updated_before,
            now=self._now(),
        )
        params = {"MarketplaceIds": ",".join(_marketplaces(marketplace_ids))}
        params.update(_window_params(window, window.field[0].upper() + window.field[1:]))
        _add_list(params, "OrderStatuses", order_statuses)
        _add_list(params, "FulfillmentChannels", fulfillment_channels)
        params["MaxResultsPerPage"] = str(max_results)
        if next_token:
            params["NextToken"] = next_token
        return self._session.call("getOrders", "GET", _ORDERS_V0, params=params, envelope=True)

    def iter_orders_v0(
        self,
        *,
        marketplace_ids: Sequence[str],
        last_updated_after: datetime | None = None,
        created_after: datetime | None = None,
        last_updated_before: datetime | None = None,
        created_before: datetime | None = None,
        order_statuses: Sequence[str] = ("Unshipped",),
        fulfillment_channels: Sequence[str] = ("MFN",),
        max_results: int = 100,
    ) -> Iterator[dict[str, Any]]:
        """Every order of every page of getOrders."""

        def page(token: str | None) -> dict[str, Any]:
            return self.get_orders(
                marketplace_ids=marketplace_ids,
                last_updated_after=last_updated_after,
                created_after=created_after,
                last_updated_before=last_updated_before,
                created_before=created_before,
                order_statuses=order_statuses,
                fulfillment_channels=fulfillment_channels,
                next_token=token,
                max_results=max_results,
            )

        for body in self._session.pages(page, _next_v0_token, "getOrders"):
            yield from objects(body.get("Orders"), "getOrders", "Orders")

    def get_order_items(self, order_id: str, *, buyer_info: bool = True) -> list[dict[str, Any]]:
        """All of an order's items (every page); with an RDT, `BuyerInfo.BuyerCustomizedInfo`."""
        resource = RestrictedResource("GET", ORDER_ITEMS_RDT_PATH, (BUYER_INFO,))
        tokens = self._restricted.source(resource) if buyer_info else None
        return self._order_items("getOrderItems", "/orderItems", order_id, tokens)

    def get_order_items_buyer_info(self, order_id: str) -> list[dict[str, Any]]:
        """getOrderItemsBuyerInfo, every page (a restricted operation: always with an RDT)."""
        resource = RestrictedResource("GET", ORDER_ITEMS_BUYER_INFO_RDT_PATH)
        tokens = self._restricted.source(resource)
        return self._order_items(
            "getOrderItemsBuyerInfo", "/orderItems/buyerInfo", order_id, tokens
        )

    def get_order_address(self, order_id: str) -> DestinationAddress:
        """getOrderAddress with an RDT for `shippingAddress`: where an MCF order must go.

        Without the RDT (or for a Pending or Canceled order) Amazon leaves out the name and
        street; that is an error here, naming neither the address nor any part of it.
        """
        resource = RestrictedResource("GET", ORDER_ADDRESS_RDT_PATH, (SHIPPING_ADDRESS,))
        path = f"{_ORDERS_V0}/{_segment(order_id)}/address"
        body = self._session.call(
            "getOrderAddress",
            "GET",
            path,
            tokens=self._restricted.source(resource),
            envelope=True,
            order_id=order_id,
        )
        raw = body.get("ShippingAddress")
        address = DestinationAddress.from_order_address(raw) if isinstance(raw, dict) else None
        if address is None:
            raise malformed(
                "getOrderAddress",
                "no full ShippingAddress (a Pending or Canceled order, or an app without "
                "the role for shipping addresses)",
                order_id=order_id,
            )
        return address

    def confirm_shipment(
        self, order_id: str, *, marketplace_id: str, package_detail: Mapping[str, Any]
    ) -> None:
        """confirmShipment; Amazon answers 204 with no body."""
        if not marketplace_id.strip():
            raise RequestValidationError("marketplace_id is required", order_id=order_id)
        check_package_detail(package_detail, order_id=order_id)
        body = {"marketplaceId": marketplace_id, "packageDetail": dict(package_detail)}
        path = f"{_ORDERS_V0}/{_segment(order_id)}/shipmentConfirmation"
        self._session.call(
            "confirmShipment", "POST", path, json=body, order_id=order_id, empty=True
        )

    # Tokens

    def restricted_data_token(
        self, path: str, data_elements: Sequence[str] = (), *, method: str = "GET"
    ) -> str:
        """An RDT for `method path` (a generic `{orderId}` path covers every order), cached."""
        return self._restricted.get(RestrictedResource(method, path, tuple(data_elements)))

    def _create_rdt(self, resource: RestrictedResource) -> tuple[str, float]:
        wanted: dict[str, Any] = {"method": resource.method, "path": resource.path}
        if resource.data_elements:
            wanted["dataElements"] = list(resource.data_elements)
        body = self._session.call(
            "createRestrictedDataToken", "POST", _RDT, json={"restrictedResources": [wanted]}
        )
        token, lifetime = body.get("restrictedDataToken"), body.get("expiresIn")
        if not isinstance(token, str) or not token or not isinstance(lifetime, int | float):
            raise malformed("createRestrictedDataToken", "an answer without a token")
        return token, float(lifetime)

    # Reports

    def create_report(
        self,
        report_type: str,
        marketplace_ids: Sequence[str],
        *,
        data_start_time: datetime | None = None,
    ) -> str:
        """createReport; returns the reportId."""
        body: dict[str, Any] = {
            "reportType": report_type,
            "marketplaceIds": _marketplaces(marketplace_ids),
        }
        if data_start_time is not None:
            check_past(data_start_time, name="data_start_time", now=self._now())
            body["dataStartTime"] = timestamp(data_start_time, name="data_start_time")
        answer = self._session.call("createReport", "POST", _REPORTS, json=body)
        report_id = answer.get("reportId")
        if not isinstance(report_id, str) or not report_id:
            raise malformed("createReport", "an answer without a reportId")
        return report_id

    def get_report(self, report_id: str) -> dict[str, Any]:
        """getReport: `processingStatus`, `reportDocumentId` once DONE…"""
        return self._session.call("getReport", "GET", f"{_REPORTS}/{_segment(report_id)}")

    def get_report_document(self, document_id: str, *, restricted: bool = True) -> dict[str, Any]:
        """getReportDocument: `url` (valid 5 minutes), `compressionAlgorithm`; RDT if restricted."""
        path = f"{_DOCUMENTS}/{_segment(document_id)}"
        tokens = self._restricted.source(RestrictedResource("GET", path)) if restricted else None
        return self._session.call("getReportDocument", "GET", path, tokens=tokens)

    def download_report_document(
        self, document: Mapping[str, Any], *, max_bytes: int = DEFAULT_REPORT_MAX_BYTES
    ) -> bytes:
        """The document's contents, inflated when `compressionAlgorithm` is GZIP."""
        url = document.get("url")
        if not isinstance(url, str) or not url:
            raise RequestValidationError("the report document has no url", source="download")
        data = self._downloader.get(url, max_bytes=max_bytes)
        algorithm = document.get("compressionAlgorithm")
        if algorithm is None:
            return data
        if algorithm != "GZIP":
            raise DownloadError(f"unknown compressionAlgorithm {algorithm!r}", source="download")
        return gunzip(data, max_bytes=max_bytes)

    def download(self, url: str, *, max_bytes: int) -> bytes:
        """A customization zip (or any pre-signed URL): no SP-API token is sent with it."""
        return self._downloader.get(url, max_bytes=max_bytes)

    # The machinery

    def _order_items(
        self, operation: str, suffix: str, order_id: str, tokens: TokenSource | None
    ) -> list[dict[str, Any]]:
        path = f"{_ORDERS_V0}/{_segment(order_id)}{suffix}"
        items: list[dict[str, Any]] = []
        for page in self._session.pages(
            lambda token: self._session.call(
                operation,
                "GET",
                path,
                params={"NextToken": token} if token else None,
                tokens=tokens,
                envelope=True,
                order_id=order_id,
            ),
            _next_v0_token,
            operation,
        ):
            items.extend(objects(page.get("OrderItems"), operation, "OrderItems"))
        return items


def _window_params(window: OrderWindow, prefix: str) -> dict[str, str]:
    """`createdAfter`… for Orders 2026-01-01, `CreatedAfter`… for v0."""
    params = {f"{prefix}After": timestamp(window.after, name="after")}
    if window.before is not None:
        params[f"{prefix}Before"] = timestamp(window.before, name="before")
    return params


def _next_pagination_token(page: Mapping[str, Any]) -> object:
    pagination = page.get("pagination")
    return pagination.get("nextToken") if isinstance(pagination, dict) else None


def _next_v0_token(page: Mapping[str, Any]) -> object:
    return page.get("NextToken")


def _segment(value: str) -> str:
    if not value or not value.strip():
        raise RequestValidationError("an id in the path must not be empty", source="SP-API")
    return quote(value, safe="")


def _marketplaces(values: Sequence[str]) -> list[str]:
    """1 to 50 marketplace ids; a bare string is one id, not its letters."""
    ids = [values] if isinstance(values, str) else [value for value in values if value]
    if not ids or len(ids) > MAX_MARKETPLACES:
        raise RequestValidationError(
            f"marketplace_ids must name 1 to {MAX_MARKETPLACES} marketplaces", source="SP-API"
        )
    return ids


def _add_list(params: dict[str, str], name: str, values: Sequence[str]) -> None:
    """A Swagger 2.0 array query parameter: `collectionFormat` csv, the default."""
    if values:
        params[name] = ",".join([values] if isinstance(values, str) else values)
