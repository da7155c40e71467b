"""The unshipped-orders report, `GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING`.

A tab-separated flat file with one row per order item still to ship, in the 41 columns of the
current report (see shared `reference/order-reports/`), `customized-url` and `customized-page`
among them. Booleans are `true`/`false`, dates ISO 8601 with an offset, empty cells empty.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from production.amazon.sim.orderviews import (
    ADDRESS,
    BUYER_NAME,
    MARKETPLACES,
    buyer_email,
    page_url,
    zip_url,
)
from production.amazon.sim.records import SimItem, SimOrder

__all__ = ["COLUMNS", "REPORT_TYPE", "flat_file", "unshipped_rows"]

REPORT_TYPE = "GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING"

COLUMNS = (
    "order-id",
    "order-item-id",
    "purchase-date",
    "payments-date",
    "reporting-date",
    "promise-date",
    "days-past-promise",
    "buyer-email",
    "buyer-name",
    "cpf",
    "buyer-phone-number",
    "sku",
    "number-of-items",
    "product-name",
    "quantity-purchased",
    "quantity-shipped",
    "quantity-to-ship",
    "ship-service-level",
    "ship-service-name",
    "recipient-name",
    "ship-address-1",
    "ship-address-2",
    "ship-address-3",
    "ship-city",
    "ship-state",
    "ship-postal-code",
    "ship-country",
    "sales-channel",
    "customized-url",
    "customized-page",
    "is-business-order",
    "purchase-order-number",
    "price-designation",
    "is-prime",
    "is-buyer-requested-cancellation",
    "buyer-requested-cancel-reason",
    "verge-of-cancellation",
    "verge-of-lateShipment",
    "signature-confirmation-recommended",
    "buyer-identification-number",
    "buyer-identification-type",
)

_ACTIONABLE = ("Unshipped", "PartiallyShipped")


def flat_file(orders: Iterable[SimOrder], *, base_url: str, now: datetime) -> bytes:
    """The report document, gzip-compressed as Amazon serves it."""
    lines = ["\t".join(COLUMNS)]
    for row in unshipped_rows(orders, base_url=base_url, now=now):
        lines.append("\t".join(row[c].replace("\t", " ").replace("\n", " ") for c in COLUMNS))
    return gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0)


def unshipped_rows(
    orders: Iterable[SimOrder], *, base_url: str, now: datetime
) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for order in sorted(orders, key=lambda o: (o.purchase_date, o.order_id)):
        if order.status not in _ACTIONABLE:
            continue
        rows.extend(_row(order, i, base_url, now) for i in order.items if i.quantity_to_ship > 0)
    return rows


def _row(order: SimOrder, item: SimItem, base_url: str, now: datetime) -> dict[str, str]:
    promise = order.purchase_date.astimezone(UTC).replace(
        hour=6, minute=59, second=59, microsecond=0
    ) + timedelta(days=2)
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        {
            "order-id": order.order_id,
            "order-item-id": item.order_item_id,
            "purchase-date": _time(order.purchase_date),
            "payments-date": _time(order.purchase_date),
            "reporting-date": _time(order.last_updated),
            "promise-date": _time(promise),
            "days-past-promise": str((now - promise).days),
            "buyer-email": buyer_email(order),
            "buyer-name": BUYER_NAME,
            "sku": item.sku or "",
            "number-of-items": "1",
            "product-name": item.title or "",
            "quantity-purchased": str(item.quantity),
            "quantity-shipped": str(item.quantity_shipped),
            "quantity-to-ship": str(item.quantity_to_ship),
            "ship-service-level": "Standard",
            "ship-service-name": "Std US D2D Dom",
            "recipient-name": ADDRESS["name"],
            "ship-address-1": ADDRESS["addressLine1"],
            "ship-city": ADDRESS["city"],
            "ship-state": ADDRESS["stateOrRegion"],
            "ship-postal-code": ADDRESS["postalCode"],
            "ship-country": ADDRESS["countryCode"],
            "sales-channel": MARKETPLACES.get(order.marketplace_id, ("Amazon", ""))[0],
            "customized-url": zip_url(base_url, item),
            "customized-page": "" if item.url_withheld else page_url(base_url, item),
        }
    )
    for flag in (
        "is-business-order",
        "is-prime",
        "is-buyer-requested-cancellation",
        "verge-of-cancellation",
        "verge-of-lateShipment",
        "signature-confirmation-recommended",
    ):
        row[flag] = "false"
    return row


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()
