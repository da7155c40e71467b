"""The unshipped-orders flat file (`GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING`).

Amazon writes it tab-separated with a header row; the set of columns varies by marketplace and
year (39 or 41 in the reference files), so columns are found by name. It holds buyer names,
e-mail addresses and postal addresses: only the columns the pipeline needs are read, and the
file itself is never kept.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator

from production.amazon.orders import AmazonItem, AmazonOrder, parse_optional_time, parse_time
from production.core.errors import AmazonError

__all__ = ["looks_like_flat_file", "orders_from_flat_file"]

_REQUIRED = ("order-id", "order-item-id", "customized-url")
_TRUE = frozenset({"true", "yes", "1"})


def looks_like_flat_file(data: bytes) -> bool:
    """The first line is the report's header (not a zip, not something else)."""
    first = data[:4096].split(b"\n", 1)[0].lstrip(b"\xef\xbb\xbf")
    return first.startswith(b"order-id\torder-item-id\t")


def orders_from_flat_file(data: bytes) -> Iterator[AmazonOrder]:
    """One `AmazonOrder` per order id, its rows as items (customized or not)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")  # older reports from some marketplaces
    rows = csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    missing = [name for name in _REQUIRED if name not in (rows.fieldnames or ())]
    if missing:
        raise AmazonError(f"the order report has no column {', '.join(missing)}")
    items: dict[str, list[AmazonItem]] = defaultdict(list)
    cancelled: set[str] = set()
    updated: dict[str, str] = {}
    ship_by: dict[str, str] = {}
    for row in rows:
        order_id = (row.get("order-id") or "").strip()
        item_id = (row.get("order-item-id") or "").strip()
        if not order_id or not item_id:
            continue
        quantity = row.get("quantity-to-ship") or row.get("quantity-purchased") or "1"
        url = (row.get("customized-url") or "").strip()
        cancel = (row.get("is-buyer-requested-cancellation") or "").strip().lower() in _TRUE
        items[order_id].append(
            AmazonItem(
                order_item_id=item_id,
                asin=None,
                sku=(row.get("sku") or "").strip() or None,
                quantity=max(1, int(quantity)) if quantity.strip().isdigit() else 1,
                # The report lists every unshipped item; a customized one has its URL here, an
                # empty cell for a customized item cannot be told from a plain item.
                customized_url=url or None,
                cancel_requested=cancel,
            )
        )
        if cancel:
            cancelled.add(order_id)
        updated[order_id] = row.get("reporting-date") or row.get("purchase-date") or ""
        # `promise-date` is the latest ship date Seller Central shows; older reports may call
        # it `ship-date`.
        ship_by[order_id] = row.get("promise-date") or row.get("ship-date") or ""
    for order_id, order_items in items.items():
        yield AmazonOrder(
            order_id=order_id,
            last_updated=parse_time(updated[order_id]),
            status="CANCELLED" if order_id in cancelled else "UNSHIPPED",
            items=tuple(order_items),
            ship_by=parse_optional_time(ship_by[order_id]),
        )
