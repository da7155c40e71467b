"""What companion orders need of Amazon (`FulfillmentApi`, met by `SpApiClient`) and how
often they look at it (`Pace`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from production.amazon.fulfillment import FulfillmentOrder, FulfillmentPreview
from production.amazon.fulfillment_requests import DestinationAddress, FulfillmentItem
from production.amazon.fulfillment_tracking import PackageTracking

__all__ = ["STEP_SECONDS", "FulfillmentApi", "Pace"]

STEP_SECONDS = 5.0  # a step makes no call to Amazon unless something is due


class FulfillmentApi(Protocol):
    """What companion orders need of `SpApiClient`."""

    def get_order_address(self, order_id: str) -> DestinationAddress: ...

    def get_fulfillment_preview(
        self,
        address: DestinationAddress,
        items: Sequence[FulfillmentItem],
        *,
        marketplace_id: str | None = ...,
        order_id: str | None = ...,
    ) -> list[FulfillmentPreview]: ...

    def create_fulfillment_order(
        self,
        seller_fulfillment_order_id: str,
        *,
        destination_address: DestinationAddress,
        items: Sequence[FulfillmentItem],
        displayable_order_date: datetime,
        displayable_order_id: str | None = ...,
        fulfillment_action: str = ...,
        marketplace_id: str | None = ...,
        order_id: str | None = ...,
    ) -> None: ...

    def update_fulfillment_order(
        self,
        seller_fulfillment_order_id: str,
        *,
        fulfillment_action: str | None = ...,
        order_id: str | None = ...,
    ) -> None: ...

    def get_fulfillment_order(
        self, seller_fulfillment_order_id: str, *, order_id: str | None = ...
    ) -> FulfillmentOrder: ...

    def find_fulfillment_order(
        self, seller_fulfillment_order_id: str, *, order_id: str | None = ...
    ) -> FulfillmentOrder | None: ...

    def cancel_fulfillment_order(
        self, seller_fulfillment_order_id: str, *, order_id: str | None = ...
    ) -> None: ...

    def get_package_tracking_details(
        self, package_number: int, *, order_id: str | None = ...
    ) -> PackageTracking: ...


@dataclass(frozen=True, slots=True)
class Pace:
    """How often what is looked at; `for_poll_seconds` derives them from `[amazon]`."""

    step_seconds: float = STEP_SECONDS  # the store is looked at this often
    settle: timedelta = timedelta(seconds=3)  # an order's items arrive within this of each other
    held_poll: timedelta = timedelta(hours=1)  # a held order's status (Amazon may cancel it)
    status_poll: timedelta = timedelta(minutes=10)  # a released order's status and tracking
    tracking_for: timedelta = timedelta(days=30)  # after shipping, then tracking stops
    max_backoff: timedelta = timedelta(minutes=10)  # the longest wait after Amazon failed

    @classmethod
    def for_poll_seconds(cls, seconds: float) -> Pace:
        """The pace of a shop that looks for new orders every `seconds` (default 120 s): a
        released order every five order polls, a held one every thirty."""
        return cls(
            step_seconds=min(seconds, STEP_SECONDS),
            status_poll=timedelta(seconds=5 * seconds),
            held_poll=timedelta(seconds=30 * seconds),
        )
