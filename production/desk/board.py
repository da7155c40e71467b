"""What the desk page shows, gathered from the job store as plain records (no HTML here)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from production.desk.companions import CompanionView, companion_view, needs_attention
from production.store import (
    CompanionState,
    ItemRecord,
    JobRecord,
    JobState,
    JobStore,
    LabelRecord,
    LabelState,
    OrderRecords,
    ShipmentRecord,
)
from production.store.shipments import ShipmentState

__all__ = [
    "RECENT_DAYS",
    "WAITING_LABELS",
    "BoardItem",
    "DeskBoard",
    "OrderView",
    "desk_board",
    "find_order",
    "order_view",
]

RECENT_DAYS = 7  # how far back "recently shipped" looks
RECENT_LIMIT = 50
# Labels a person must look at (Amazon refused to buy or void one, package facts missing).
WAITING_LABELS = frozenset({LabelState.HELD, LabelState.REFUSED, LabelState.VOID_REFUSED})
_DONE_SHIPMENTS = frozenset({ShipmentState.CONFIRMED, ShipmentState.MANUAL})
# Companion states that may need a person: Amazon cannot send them, refused a cancel or a
# release, a hold is running out, or checking keeps failing.
_WATCHED = (
    CompanionState.CHECKING,
    CompanionState.UNFULFILLABLE,
    CompanionState.HELD,
    CompanionState.RELEASING,
    CompanionState.CANCEL_REFUSED,
)


@dataclass(frozen=True, slots=True)
class BoardItem:
    item: ItemRecord
    jobs: tuple[JobRecord, ...]


@dataclass(frozen=True, slots=True)
class OrderView:
    order_id: str
    items: tuple[BoardItem, ...]
    shipments: tuple[ShipmentRecord, ...]
    ready: bool  # every job printed (or cancelled): the box can be packed
    companions: tuple[CompanionView, ...] = ()  # stock items Amazon ships (MCF)
    # Shipping labels bought through Amazon: every package's on the order page; on the board,
    # those waiting for a person.
    labels: tuple[LabelRecord, ...] = ()

    @property
    def ship_by(self) -> datetime | None:
        dates = [b.item.ship_by for b in self.items if b.item.ship_by is not None]
        return min(dates) if dates else None

    @property
    def jobs(self) -> list[JobRecord]:
        return [job for board_item in self.items for job in board_item.jobs]

    @property
    def refused(self) -> ShipmentRecord | None:
        """Amazon's latest refusal, while no package of the order has gone through since."""
        for shipment in reversed(self.shipments):
            if shipment.state in _DONE_SHIPMENTS:
                return None
            if shipment.state is ShipmentState.FAILED:
                return shipment
        return None

    @property
    def progress(self) -> str:
        """E.g. "2 of 3 printed" — jobs that count towards the box."""
        live = [j for j in self.jobs if j.state is not JobState.CANCELLED]
        printed = [j for j in live if j.state in (JobState.PRINTED, JobState.SHIPPED)]
        return f"{len(printed)} of {len(live)} printed"


@dataclass(frozen=True, slots=True)
class DeskBoard:
    ready: tuple[OrderView, ...]
    held: tuple[JobRecord, ...]
    shipped: tuple[ShipmentRecord, ...]
    attention: tuple[CompanionView, ...] = ()  # companion orders a person should look at
    companions: dict[str, tuple[CompanionView, ...]] = field(default_factory=dict)  # by order
    valid_until: datetime | None = None  # when time alone changes it (a package grows old)
    # Labels Amazon refused (to buy or to void), or held for missing package facts: first.
    labels: tuple[LabelRecord, ...] = ()

    def companions_of(self, order_id: str) -> tuple[CompanionView, ...]:
        return self.companions.get(order_id, ())


def order_view(store: JobStore, order_id: str) -> OrderView | None:
    """The order with its items, jobs and packages; None if the store has no such order."""
    found = store.orders([order_id])
    return _view(found[0], tuple(store.labels(order_id=order_id))) if found else None


def desk_board(store: JobStore, *, now: Callable[[], datetime]) -> DeskBoard:
    """The board in a fixed number of queries, however many orders are ready or in history."""
    waiting = sorted(store.labels(states=WAITING_LABELS), key=lambda r: (r.updated_at, r.label_id))
    labels_of: dict[str, list[LabelRecord]] = {}
    for record in waiting:
        labels_of.setdefault(record.order_id, []).append(record)
    ready = [
        _view(records, tuple(labels_of.get(records.order_id, ())))
        for records in store.orders(store.orders_ready_to_ship())
    ]
    # Most urgent first: the earliest ship-by date; orders without one (dropped by hand) last.
    ready.sort(key=lambda v: (v.ship_by is None, v.ship_by or now(), v.order_id))
    held = sorted(store.jobs(state=JobState.HELD), key=lambda j: (j.updated_at, j.job_id))
    since = now() - timedelta(days=RECENT_DAYS)
    shipped = store.recent_shipments(limit=RECENT_LIMIT, since=since, states=_DONE_SHIPMENTS)
    attention = tuple(
        companion_view(record)
        for record in store.companion_orders(states=_WATCHED)
        if needs_attention(record)
    )
    companions = {
        records.order_id: views
        for records in store.orders(sorted({s.order_id for s in shipped}))
        if (views := tuple(map(companion_view, records.companions)))
    }
    # The board changes with the store, and when its oldest package leaves "recently shipped".
    until = min((s.updated_at for s in shipped), default=None)
    return DeskBoard(
        tuple(ready),
        tuple(held),
        tuple(shipped),
        attention,
        companions,
        valid_until=None if until is None else until + timedelta(days=RECENT_DAYS),
        labels=tuple(waiting),
    )


def _view(records: OrderRecords, labels: tuple[LabelRecord, ...] = ()) -> OrderView:
    jobs: dict[str, list[JobRecord]] = {}
    for job in records.jobs:
        jobs.setdefault(job.order_item_id, []).append(job)
    board_items = tuple(
        BoardItem(item, tuple(jobs.get(item.order_item_id, ()))) for item in records.items
    )
    companions = tuple(companion_view(record) for record in records.companions)
    return OrderView(
        records.order_id, board_items, records.shipments, records.ready, companions, labels
    )


def find_order(store: JobStore, code: str) -> str | None:
    """The order a scanned code belongs to: a job barcode, an order id or an order item id.

    Scanners add stray spaces or a trailing tab/CR, and a keyboard wedge with caps lock on
    changes the surface's case: a job barcode starts with its order item id, which is enough.
    """
    code = code.strip()
    if not code:
        return None
    job = store.job(code)
    if job is not None:
        return job.order_id
    if store.items(order_id=code):
        return code
    item = store.item(code) or store.item(code.split("-", 1)[0])
    return item.order_id if item is not None else None
