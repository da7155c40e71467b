"""Rules the SP-API models state only in prose, checked before a request leaves.

Amazon answers a broken request with a 400 after the round trip and the rate-limit token it
cost; these checks say the same thing at once, naming the parameter and what is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from production.amazon.errors import RequestValidationError

__all__ = [
    "MAX_PAGE_SIZE",
    "MIN_BEFORE_AGE",
    "OrderWindow",
    "check_package_detail",
    "check_page_size",
    "check_past",
    "latest_allowed_before",
    "order_window",
    "timestamp",
]

MIN_BEFORE_AGE = timedelta(minutes=2)  # "before" dates: at least two minutes before the request
MAX_PAGE_SIZE = 100
_PACKAGE_REFERENCE = re.compile(r"[0-9]+")
_PACKAGE_REQUIRED = ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate")
_SOURCE = "SP-API request"


@dataclass(frozen=True, slots=True)
class OrderWindow:
    """Which timestamp selects the orders, and its bounds."""

    field: Literal["created", "lastUpdated"]
    after: datetime
    before: datetime | None


def latest_allowed_before(now: datetime) -> datetime:
    """The most recent "before" date Amazon accepts at `now`: clamp to this."""
    return now - MIN_BEFORE_AGE


def timestamp(moment: datetime, *, name: str) -> str:
    """ISO 8601 in UTC with a Z, as the models' examples write it; naive times are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise _invalid(f"{name} must carry a time zone (a naive datetime is ambiguous)")
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def order_window(
    *,
    created_after: datetime | None,
    created_before: datetime | None,
    last_updated_after: datetime | None,
    last_updated_before: datetime | None,
    now: datetime,
) -> OrderWindow:
    """Exactly one of created_after / last_updated_after, "before" only with its own "after"."""
    if (created_after is None) == (last_updated_after is None):
        raise _invalid("give exactly one of created_after and last_updated_after")
    if created_after is not None:
        if last_updated_before is not None:
            raise _invalid("last_updated_before cannot be combined with created_after")
        window = OrderWindow("created", created_after, created_before)
        names = ("created_after", "created_before")
    else:
        assert last_updated_after is not None
        if created_before is not None:
            raise _invalid("created_before cannot be combined with last_updated_after")
        window = OrderWindow("lastUpdated", last_updated_after, last_updated_before)
        names = ("last_updated_after", "last_updated_before")
    timestamp(window.after, name=names[0])
    if window.before is not None:
        timestamp(window.before, name=names[1])
        if window.before < window.after:
            raise _invalid(f"{names[1]} must not be earlier than {names[0]}")
        latest = latest_allowed_before(now)
        if window.before > latest:
            raise _invalid(
                f"{names[1]} must be at least 2 minutes in the past: "
                f"{timestamp(window.before, name=names[1])} is later than "
                f"{timestamp(latest, name='now')} (clamp it with latest_allowed_before())"
            )
    return window


def check_past(moment: datetime, *, name: str, now: datetime) -> None:
    """A date the models require to be no later than the time of the request."""
    timestamp(moment, name=name)  # refuses a naive time before comparing
    if moment > now:
        raise _invalid(f"{name} must not be in the future")


def check_page_size(size: int, *, name: str) -> None:
    if isinstance(size, bool) or not 1 <= size <= MAX_PAGE_SIZE:
        raise _invalid(f"{name} must be between 1 and {MAX_PAGE_SIZE}, not {size!r}")


def check_package_detail(detail: Mapping[str, object], *, order_id: str) -> None:
    """confirmShipment's `packageDetail`: required fields, a positive numeric reference."""
    for key in _PACKAGE_REQUIRED:
        value = detail.get(key)
        if not isinstance(value, str) or not value.strip():
            raise _invalid(f"packageDetail.{key} is required (a non-empty string)", order_id)
    reference = str(detail["packageReferenceId"])
    if not _PACKAGE_REFERENCE.fullmatch(reference) or int(reference) == 0:
        raise _invalid(
            f"packageDetail.packageReferenceId must be a positive number such as '1', "
            f"not '{reference}'",
            order_id,
        )
    carrier = str(detail["carrierCode"])
    if carrier.strip().lower() == "other" and not str(detail.get("carrierName") or "").strip():
        raise _invalid(
            'packageDetail.carrierName is required when carrierCode is "Other"', order_id
        )
    ship_date = str(detail["shipDate"])
    try:
        datetime.fromisoformat(ship_date)
    except ValueError:
        raise _invalid(
            f"packageDetail.shipDate must be an ISO 8601 date and time, not '{ship_date}'",
            order_id,
        ) from None
    _check_package_items(detail.get("orderItems"), order_id)


def _check_package_items(items: object, order_id: str) -> None:
    if not isinstance(items, list | tuple) or not items:
        raise _invalid("packageDetail.orderItems must list at least one item", order_id)
    for number, item in enumerate(items, start=1):
        where = f"packageDetail.orderItems[{number}]"
        if not isinstance(item, Mapping):
            raise _invalid(f"{where} must be an object with orderItemId and quantity", order_id)
        item_id = item.get("orderItemId")
        if not isinstance(item_id, str) or not item_id.strip():
            raise _invalid(f"{where}.orderItemId is required", order_id)
        quantity = item.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise _invalid(f"{where}.quantity must be a positive whole number", order_id)


def _invalid(message: str, order_id: str | None = None) -> RequestValidationError:
    return RequestValidationError(message, order_id=order_id, source=_SOURCE)
