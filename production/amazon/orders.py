"""Orders and items as intake sees them, whichever API or report they came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = ["AmazonItem", "AmazonOrder", "parse_time"]


@dataclass(frozen=True, slots=True)
class AmazonItem:
    order_item_id: str
    asin: str | None
    sku: str | None
    quantity: int
    customized_url: str | None  # None: not a customized item
    cancel_requested: bool = False


@dataclass(frozen=True, slots=True)
class AmazonOrder:
    order_id: str
    last_updated: datetime
    status: str  # upper case: UNSHIPPED, PARTIALLY_SHIPPED, SHIPPED, CANCELLED, ...
    items: tuple[AmazonItem, ...]


def parse_time(text: object) -> datetime:
    if not isinstance(text, str) or not text:
        return datetime.now(UTC)
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
