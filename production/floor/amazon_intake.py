"""Order intake from the Selling Partner API: new customized items, their zips, cancellations.

Orders show up in the API about two minutes after they change, and a page can be read while
an order changes, so every poll reads from the last high-water mark minus an overlap window and
recognises what it has seen by order item id. The high-water mark only moves once every page
of a poll was read, so an interrupted poll is simply repeated.

A downloaded zip goes into the daemon's `claimed/` folder, the same path a zip dropped into
the inbox takes; from there the daemon handles it like any other. An item whose
`customizedUrl` is empty is held with what the seller must fix, and waits for its zip in the
inbox.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from production.amazon.orders import AmazonItem, AmazonOrder, parse_optional_time, parse_time
from production.core.errors import AmazonError, ProductionError
from production.core.files import write_atomically
from production.floor.pipeline import Pipeline
from production.store import JobState, NewItem

__all__ = [
    "HIGH_WATER_KEY",
    "AmazonItem",
    "AmazonOrder",
    "OrderIntake",
    "OrderSource",
    "PollReport",
    "Window",
    "orders_from_2026",
    "orders_from_v0",
]

HIGH_WATER_KEY = "amazon.orders.last_updated_after"
REPORT_TYPE = "GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING"
OVERLAP = timedelta(minutes=10)  # orders appear ~2 min late; read well back past the mark
FIRST_LOOKBACK = timedelta(days=7)  # the first poll of a new shop reaches back this far
MAX_ZIP_BYTES = 300 * 1024 * 1024
NO_URL = (
    "Amazon sent no customization URL for this item: the app needs the 'buyer information' role "
    "(Direct-to-Consumer Shipping) and, for Orders v0, a Restricted Data Token. Until that is "
    "fixed, download the zip from Seller Central (the order, 'Customization') and drop it into "
    "the inbox"
)
_CANCELLED = frozenset({"CANCELLED", "CANCELED"})


class OrderSource(Protocol):
    """What intake needs of the SP-API client."""

    def iter_search_orders(
        self,
        *,
        marketplace_ids: Sequence[str],
        last_updated_after: datetime | None = ...,
        last_updated_before: datetime | None = ...,
        fulfillment_statuses: Sequence[str] = ...,
        fulfilled_by: Sequence[str] = ...,
    ) -> Iterator[dict[str, Any]]: ...

    def download(self, url: str, *, max_bytes: int) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Window:
    """What one poll asks for: orders of these marketplaces updated since `after`."""

    marketplace_ids: tuple[str, ...]
    after: datetime


@dataclass(slots=True)
class PollReport:
    orders: int = 0
    downloaded: list[str] = field(default_factory=list)  # order item ids
    without_zip: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)  # order ids
    failed: list[str] = field(default_factory=list)  # one line each, no buyer data

    def summary(self) -> dict[str, object]:
        return {
            "orders": self.orders,
            "downloaded": len(self.downloaded),
            "without_zip": len(self.without_zip),
            "cancelled": len(self.cancelled),
            "failed": self.failed,
        }


class OrderIntake:
    """Polls for orders and hands their zips to the pipeline; safe to repeat at any point."""

    def __init__(
        self,
        source: OrderSource,
        pipeline: Pipeline,
        *,
        marketplace_ids: Sequence[str],
        orders: Callable[[OrderSource, Window], Iterable[AmazonOrder]] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        wake: Callable[[], None] = lambda: None,
        max_zip_bytes: int = MAX_ZIP_BYTES,
    ) -> None:
        self.source = source
        self.pipeline = pipeline
        self.store = pipeline.store
        self.marketplace_ids = tuple(marketplace_ids)
        self.orders = orders or orders_from_2026
        self.clock = clock
        self.wake = wake
        self.max_zip_bytes = max_zip_bytes
        self._downloaded: set[str] = set()  # this run's downloads not yet taken in

    def poll(self) -> PollReport:
        now = self.clock()
        mark = self.store.get_meta(HIGH_WATER_KEY)
        after = datetime.fromisoformat(mark) - OVERLAP if mark else now - FIRST_LOOKBACK
        # No upper bound: Amazon answers up to its own present. Orders that change now show up
        # a couple of minutes late, which the overlap of the next poll covers.
        report = self.take(self.orders(self.source, Window(self.marketplace_ids, after)))
        # Every page was read: everything Amazon showed until `now` has been seen.
        self.store.set_meta(HIGH_WATER_KEY, now.isoformat())
        return report

    def take(self, orders: Iterable[AmazonOrder]) -> PollReport:
        """Download the zips of new customized items, hold those without, cancel cancelled ones."""
        report = PollReport()
        for order in orders:
            report.orders += 1
            self._order(order, report)
        if report.downloaded:
            self.wake()
        return report

    def take_flat_file(self, data: bytes) -> PollReport:
        """An order report (downloaded from Seller Central and dropped into the inbox)."""
        from production.amazon.flatfile import orders_from_flat_file

        return self.take(orders_from_flat_file(data))

    def poll_report(self, *, wait: Callable[[float], None] = time.sleep) -> PollReport:
        """Bulk intake: request the unshipped-orders report, wait for it, take its orders."""
        from production.amazon.flatfile import orders_from_flat_file

        reports: Any = self.source  # the client's Reports API calls
        report_id = reports.create_report(REPORT_TYPE, self.marketplace_ids)
        delay = 1.0
        while True:
            status = reports.get_report(report_id)
            state = str(status.get("processingStatus") or "")
            if state == "DONE":
                break
            if state in ("CANCELLED", "FATAL"):
                raise AmazonError(f"the order report {report_id} ended {state}")
            wait(delay)
            delay = min(delay * 2, 30.0)
        document = reports.get_report_document(status["reportDocumentId"], restricted=True)
        return self.take(orders_from_flat_file(reports.download_report_document(document)))

    def _order(self, order: AmazonOrder, report: PollReport) -> None:
        known = self.store.items(order_id=order.order_id)
        if order.status in _CANCELLED or any(i.cancel_requested for i in order.items):
            if known and self._cancel(order.order_id):
                report.cancelled.append(order.order_id)
            return
        ids = {item.order_item_id for item in known}
        if order.ship_by is not None:
            for record in known:
                if record.ship_by is None:
                    # Taken in without it (the process stopped between download and intake).
                    self.store.set_item_ship_by(record.order_item_id, order.ship_by)
        for item in order.items:
            if item.customized_url is None or item.order_item_id in ids:
                continue
            if item.order_item_id in self._downloaded:
                continue
            if not item.customized_url.strip():
                self.pipeline.expect_zip(
                    NewItem(item.order_item_id, order.order_id, item.asin, item.sku,
                            item.quantity, zip_path="", digest="", ship_by=order.ship_by),
                    reason=NO_URL,
                )  # fmt: skip
                report.without_zip.append(item.order_item_id)
                continue
            try:
                data = self.source.download(item.customized_url, max_bytes=self.max_zip_bytes)
            except ProductionError as exc:
                # Tried again at the next poll: the overlap window brings the order back.
                report.failed.append(f"order item {item.order_item_id}: {exc.message}")
                continue
            if order.ship_by is not None:
                self.pipeline.expect_ship_by(item.order_item_id, order.ship_by)
            claimed = self.pipeline.inbox.claimed
            name = f"{time.time_ns()}-amazon__{item.order_item_id}.zip"
            write_atomically(claimed / name, data)
            self._downloaded.add(item.order_item_id)
            report.downloaded.append(item.order_item_id)

    def _cancel(self, order_id: str) -> bool:
        live = [
            job
            for job in self.store.jobs(order_id=order_id)
            if job.state not in (JobState.CANCELLED, JobState.SHIPPED, JobState.PURGED)
        ]
        if not live:
            return False
        self.pipeline.cancel_order(order_id, reason="cancelled on Amazon")
        return True


def orders_from_2026(source: OrderSource, window: Window) -> Iterator[AmazonOrder]:
    """Orders API 2026-01-01 `searchOrders`: items come inline."""
    for raw in source.iter_search_orders(
        marketplace_ids=window.marketplace_ids,
        last_updated_after=window.after,
        fulfillment_statuses=("UNSHIPPED", "PARTIALLY_SHIPPED", "CANCELLED"),
        fulfilled_by=("MERCHANT",),
    ):
        yield _order_2026(raw)


def _order_2026(raw: dict[str, Any]) -> AmazonOrder:
    items = []
    for entry in raw.get("orderItems") or []:
        product = entry.get("product") or {}
        customization = product.get("customization")
        url = None
        if isinstance(customization, dict):
            url = str(customization.get("customizedUrl") or "")
        cancellation = entry.get("cancellation") or {}
        items.append(
            AmazonItem(
                order_item_id=str(entry["orderItemId"]),
                asin=product.get("asin"),
                sku=product.get("sellerSku"),
                quantity=int(entry.get("quantityOrdered") or 1),
                customized_url=url,
                cancel_requested=bool(cancellation.get("cancellationRequest")),
            )
        )
    fulfillment = raw.get("fulfillment") or {}
    window = fulfillment.get("shipByWindow") or {}
    return AmazonOrder(
        order_id=str(raw["orderId"]),
        last_updated=parse_time(raw.get("lastUpdatedTime")),
        status=str(fulfillment.get("fulfillmentStatus") or "").upper(),
        items=tuple(items),
        ship_by=parse_optional_time(window.get("latestDateTime")),
    )


def orders_from_v0(source: OrderSource, window: Window) -> Iterator[AmazonOrder]:
    """Orders v0 `getOrders` + `getOrderItems` (with an RDT for the customization URL)."""
    v0: Any = source  # the client's v0 calls; not part of the protocol the default path needs
    for raw in v0.iter_orders_v0(
        marketplace_ids=window.marketplace_ids,
        last_updated_after=window.after,
        order_statuses=("Unshipped", "PartiallyShipped", "Canceled"),
    ):
        order_id = str(raw["AmazonOrderId"])
        status = str(raw.get("OrderStatus") or "").upper()
        items = []
        if status not in _CANCELLED:
            for entry in v0.get_order_items(order_id, buyer_info=True):
                info = (entry.get("BuyerInfo") or {}).get("BuyerCustomizedInfo")
                url = None if info is None else str(info.get("CustomizedURL") or "")
                items.append(
                    AmazonItem(
                        order_item_id=str(entry["OrderItemId"]),
                        asin=entry.get("ASIN"),
                        sku=entry.get("SellerSKU"),
                        quantity=int(entry.get("QuantityOrdered") or 1),
                        customized_url=url,
                    )
                )
        yield AmazonOrder(
            order_id=order_id,
            last_updated=parse_time(raw.get("LastUpdateDate")),
            status=status,
            items=tuple(items),
            ship_by=parse_optional_time(raw.get("LatestShipDate")),
        )
