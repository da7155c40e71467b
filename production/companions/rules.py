"""What companion orders follow from the job store, as pure functions of plain records.

Which items still need their companions ordered (and in which batch), when an order's custom
jobs are all printed (release the companions) or all cancelled (cancel them), whether a person
has pressed Retry on a held job since the companions held it, and the words shown and logged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from production.amazon.fulfillment import FulfillmentPreview
from production.amazon.fulfillment_requests import seller_fulfillment_order_id
from production.core.templates import Product
from production.store import (
    CompanionOrder,
    CompanionState,
    ItemRecord,
    JobRecord,
    JobState,
    NewCompanionOrder,
)

__all__ = [
    "COMPANION_CAUSE",
    "Batch",
    "all_cancelled",
    "companions_of",
    "fulfillment_order_id",
    "hold_reason",
    "hold_warning_due",
    "holdable",
    "new_batches",
    "preview_problem",
    "ready_to_release",
    "retried_since_hold",
]

COMPANION_CAUSE = "companion"  # the cause of a job held because its companions cannot go
_PRINTED_OR_LATER = frozenset({JobState.PRINTED, JobState.SHIPPED, JobState.PURGED})

ProductOf = Callable[[ItemRecord], Product | None]


@dataclass(frozen=True, slots=True)
class Batch:
    """Items of one order whose companions go out together in one fulfillment order."""

    order_id: str
    batch: str  # "" for the order's first batch; else its first item's id
    items: tuple[ItemRecord, ...]
    companions: tuple[tuple[str, int], ...]  # (seller SKU, units), each SKU once

    def new_record(self) -> NewCompanionOrder:
        return NewCompanionOrder(
            order_id=self.order_id,
            batch=self.batch,
            seller_fulfillment_order_id=fulfillment_order_id(self.order_id, self.batch, 1),
            items=self.companions,
            order_item_ids=tuple(item.order_item_id for item in self.items),
            # The order date on the packing slip: when the shop first saw the items. Recorded
            # before the first create, so a repeat sends the very same request.
            displayable_date=min(item.received_at for item in self.items),
        )


def fulfillment_order_id(order_id: str, batch: str, attempt: int) -> str:
    """The seller fulfillment order id of a batch: the Amazon order id for the first batch
    (what Seller Central shows the shop), with the batch and a later attempt appended."""
    part = "-".join(p for p in (batch, f"r{attempt}" if attempt > 1 else "") if p)
    return seller_fulfillment_order_id(order_id, part)


def companions_of(
    items: Iterable[ItemRecord], product_of: ProductOf
) -> tuple[tuple[str, int], ...]:
    """Every companion SKU of the items, with its product's quantity times the item's."""
    units: dict[str, int] = {}
    for item in items:
        product = product_of(item)
        for companion in product.companions if product is not None else ():
            units[companion.sku] = units.get(companion.sku, 0) + companion.quantity * item.quantity
    return tuple(units.items())


def new_batches(
    items: Sequence[ItemRecord],
    records: Callable[[str], Sequence[CompanionOrder]],
    product_of: ProductOf,
    *,
    settled_before: datetime,
) -> list[Batch]:
    """The batches to record now: items with companions that no record covers yet.

    An order is left for a later look while one of its items arrived after `settled_before`:
    the items of one Amazon order arrive one after another, and together they make one
    fulfillment order (one parcel). An item that comes later still gets a batch of its own.
    """
    by_order: dict[str, list[ItemRecord]] = {}
    for item in items:
        by_order.setdefault(item.order_id, []).append(item)
    batches = []
    for order_id, order_items in by_order.items():
        wanted = [item for item in order_items if companions_of([item], product_of)]
        if not wanted or max(item.received_at for item in order_items) > settled_before:
            continue
        known = records(order_id)
        covered = {item_id for record in known for item_id in record.order_item_ids}
        fresh = [item for item in wanted if item.order_item_id not in covered]
        if fresh:
            batch = "" if not known else fresh[0].order_item_id
            batches.append(Batch(order_id, batch, tuple(fresh), companions_of(fresh, product_of)))
    return batches


def all_cancelled(record: CompanionOrder, jobs: Sequence[JobRecord]) -> bool:
    """Every custom job of the record's items is cancelled: its companions must not ship."""
    mine = [job for job in jobs if job.order_item_id in record.order_item_ids]
    return bool(mine) and all(job.state is JobState.CANCELLED for job in mine)


def ready_to_release(
    record: CompanionOrder, items: Sequence[ItemRecord], jobs: Sequence[JobRecord]
) -> bool:
    """Every custom job of the order is printed (or further on, or cancelled), every item has
    a job, and one of the record's items is really being made."""
    planned = {job.order_item_id for job in jobs}
    if not jobs or any(item.order_item_id not in planned for item in items):
        return False
    if any(job.state not in _PRINTED_OR_LATER | {JobState.CANCELLED} for job in jobs):
        return False
    return any(
        job.order_item_id in record.order_item_ids and job.state in _PRINTED_OR_LATER
        for job in jobs
    )


def retried_since_hold(record: CompanionOrder, jobs: Sequence[JobRecord]) -> bool:
    """A person pressed Retry on one of the order's held jobs since the companions held it."""
    return any(job.attempts > record.retries_seen for job in jobs)


def holdable(jobs: Sequence[JobRecord]) -> bool:
    """Some job of the order could still be stopped before it prints."""
    return any(job.state in (JobState.RECEIVED, JobState.RENDERED, JobState.QUEUED) for job in jobs)


def preview_problem(previews: Sequence[FulfillmentPreview]) -> str | None:
    """Why Amazon cannot fulfil the items, in its reason codes per SKU (`LEASH-RED × 1:
    InventoryUnavailable`); None if it can at some speed."""
    if any(preview.fulfillable for preview in previews):
        return None
    if not previews:
        return "Amazon gave no fulfillment preview"
    preview = previews[0]
    parts = [
        f"{item.seller_sku or item.seller_item_id} × {item.quantity}: "
        f"{', '.join(item.reasons) or 'no reason given'}"
        for item in preview.unfulfillable_items
    ]
    if preview.reasons:
        parts.append(f"the order: {', '.join(preview.reasons)}")
    return "; ".join(parts) or "Amazon gave no reason"


def hold_reason(record: CompanionOrder) -> str:
    """What a job held for its companions says on the desk page and in `production jobs`."""
    why = (record.message or "see the order's companion items").rstrip(". ")
    return (
        f"Amazon cannot send the companion items: {why}. Fix that (restock them at Amazon, "
        "say), then press Retry to check again"
    )


def hold_warning_due(record: CompanionOrder, now: datetime, warning_age: timedelta) -> bool:
    return (
        record.state is CompanionState.HELD
        and record.warned_at is None
        and record.held_since is not None
        and now - record.held_since >= warning_age
    )
