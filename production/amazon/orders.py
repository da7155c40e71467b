"""Orders and items as intake sees them, whichever API or report they came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = ["AmazonItem", "AmazonOrder", "parse_optional_time", "parse_time"]


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
    ship_by: datetime | None = None  # the latest ship date Amazon promised the buyer


def parse_time(text: object) -> datetime:
    if not isinstance(text, str) or not text:
        return datetime.now(UTC)
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def parse_optional_time(text: object) -> datetime | None:
    """An ISO 8601 time with its zone (UTC if it has none), or None if absent or malformed.

    For dates that only inform (the ship-by date): a bad one must not stop an order's intake.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
