"""Order searches (searchOrders, getOrders): filters, order, and pages that resume by key.

Results are sorted by the searched time (creation or last update), then order id. A page token
remembers the query and the key of the last order returned, so the next page starts after it:
an order that changes while a caller pages moves to the end and is returned again (Amazon's
duplicates), and is never skipped.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from production.amazon.sim.records import SimOrder

__all__ = ["Cursor", "OrderQuery", "new_page_token", "page"]

SortKey = tuple[datetime, str]


@dataclass(frozen=True, slots=True)
class OrderQuery:
    """What a search asks for; None means "any". Statuses use the Orders v0 names."""

    created_after: datetime | None = None
    created_before: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    statuses: frozenset[str] | None = None
    channels: frozenset[str] | None = None
    marketplace_ids: frozenset[str] | None = None
    order_ids: frozenset[str] | None = None
    page_size: int = 100

    def matches(self, order: SimOrder) -> bool:
        return (
            _within(order.purchase_date, self.created_after, self.created_before)
            and _within(order.last_updated, self.updated_after, self.updated_before)
            and _allows(self.statuses, order.status)
            and _allows(self.channels, order.fulfillment_channel)
            and _allows(self.marketplace_ids, order.marketplace_id)
            and _allows(self.order_ids, order.order_id)
        )

    def key(self, order: SimOrder) -> SortKey:
        by_update = self.created_after is None and self.created_before is None
        return (order.last_updated if by_update else order.purchase_date, order.order_id)


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the next page of a search starts."""

    query: OrderQuery
    after: SortKey


def page(
    orders: Iterable[SimOrder], query: OrderQuery, after: SortKey | None
) -> tuple[list[SimOrder], SortKey | None]:
    """One page of matching orders after `after`, and the key to resume from (None: last)."""
    found = sorted((o for o in orders if query.matches(o)), key=query.key)
    if after is not None:
        found = [o for o in found if query.key(o) > after]
    chosen = found[: query.page_size]
    more = len(found) > len(chosen)
    return chosen, (query.key(chosen[-1]) if more else None)


def new_page_token() -> str:
    """An opaque token that always holds `+`, `/` and `=`, as Amazon's often do."""
    raw = secrets.token_bytes(6) + b"\xfb\xff\xbf" + secrets.token_bytes(4)
    return base64.b64encode(raw).decode()


def _within(moment: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or moment >= start) and (end is None or moment <= end)


def _allows(allowed: frozenset[str] | None, value: str) -> bool:
    return allowed is None or value in allowed
