"""The interface of the job store; the pipeline, the CLI and the desk page see only this."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from production.store.companions import CompanionOrder, CompanionState, NewCompanionOrder
from production.store.labels import LabelIntent, LabelRecord, LabelState
from production.store.records import (
    Approval,
    AuditEntry,
    ItemRecord,
    JobRecord,
    JobState,
    NewItem,
    NewJob,
    OrderRecords,
)
from production.store.shipments import ShipmentRecord, ShipmentState

__all__ = ["JobStore"]


class JobStore(Protocol):
    """Items, their jobs, the jobs' states and the audit trail of every change.

    Every method that changes something is one transaction: it happens whole or not at all, and
    each state change writes its audit row in that same transaction. Failures raise `StoreError`.
    Lists come back in a stable order: items by arrival, jobs by creation then id, audit rows in
    the order they were written.
    """

    def add_item(self, item: NewItem, *, durable: bool = True) -> bool:
        """Record a new order item; False, changing nothing, if its order_item_id is known.

        `durable=False` (as in `set_jobs`): the change survives a crash of the process at once,
        a power cut only once a later durable change is committed, which makes it durable too.
        For a step the caller recovers from if a power cut undoes it (the daemon takes a zip in
        again that is in `zips/` but not in the store), followed by a durable one before any
        side effect that depends on it (a file delivered).
        """
        ...

    def item(self, order_item_id: str) -> ItemRecord | None:
        """The item, or None."""
        ...

    def set_item_zip(self, order_item_id: str, *, zip_path: str, digest: str) -> ItemRecord:
        """Give an item its zip (one that arrived without, e.g. an empty CustomizedURL)."""
        ...

    def set_item_ship_by(self, order_item_id: str, ship_by: datetime) -> ItemRecord:
        """Give an item the ship-by date Amazon promised (one taken in without it)."""
        ...

    def add_shipment(
        self,
        order_id: str,
        *,
        carrier: str,
        tracking: str,
        ship_date: datetime,
        items: Sequence[tuple[str, int]],
        package_ref: str | None = None,
    ) -> ShipmentRecord:
        """Record a package before it is confirmed: the next free reference, or the one already
        recorded with this tracking number (a retry), or `package_ref` if given."""
        ...

    def finish_shipment(
        self, order_id: str, package_ref: str, *, state: ShipmentState, message: str | None = None
    ) -> ShipmentRecord:
        """Record what became of a package: confirmed, failed (with Amazon's message), manual."""
        ...

    def shipments(self, *, order_id: str | None = None) -> list[ShipmentRecord]:
        """Every recorded package, or those of one order, oldest first."""
        ...

    def recent_shipments(
        self,
        *,
        limit: int,
        since: datetime | None = None,
        states: Collection[ShipmentState] | None = None,
    ) -> list[ShipmentRecord]:
        """At most `limit` packages last changed at `since` or later, in one of `states`,
        the most recently changed first."""
        ...

    def plan_labels(
        self, order_id: str, packages: Sequence[Sequence[tuple[str, int]]]
    ) -> list[LabelRecord]:
        """The order's packages (items, quantities), numbered 1, 2…, each to get its label;
        replaces a plan none of whose labels is bought, `StoreError` otherwise."""
        ...

    def replan_label(self, label_id: int) -> LabelRecord:
        """A new PLANNED record for the package of a voided label (bought again)."""
        ...

    def record_label_intent(self, label_id: int, intent: LabelIntent) -> LabelRecord:
        """BUYING, with what the purchase is made with: committed before Amazon is called."""
        ...

    def finish_label(
        self,
        label_id: int,
        *,
        state: LabelState,
        expect: Collection[LabelState],
        message: str | None = None,
        shipment_id: str | None = None,
        tracking: str | None = None,
        jobs_to: JobState | None = None,
        reason: str = "",
    ) -> LabelRecord:
        """Move a label on from one of `expect` (`StoreError` otherwise). `jobs_to` SHIPPED
        ships the package's printed jobs, CANCELLED cancels its shipped ones, in the same
        transaction; PLANNED forgets the purchase's intent (a fresh one follows)."""
        ...

    def labels(
        self, *, order_id: str | None = None, states: Collection[LabelState] | None = None
    ) -> list[LabelRecord]:
        """Label records, oldest first (voided ones included: the history)."""
        ...

    def items(self, *, order_id: str | None = None) -> list[ItemRecord]:
        """All items, or those of one order."""
        ...

    def set_jobs(
        self,
        order_item_id: str,
        jobs: Sequence[NewJob],
        *,
        state: JobState = JobState.RECEIVED,
        reason: str = "",
        cause: str | None = None,
        durable: bool = True,
    ) -> list[JobRecord]:
        """Replace the item's received, rendered and held jobs with `jobs`, all in `state`.

        Jobs already queued or further along (or cancelled) are kept as they are, and a new job
        with one of their ids is skipped. Returns the jobs added, in the order given; each gets
        an audit row from None. Replaced jobs disappear, their audit rows stay; their count of
        attempts goes to every new job, and a replaced job's approval to the new job of its id.
        `durable=False`: as for `add_item`.
        """
        ...

    def transition(
        self,
        job_id: str,
        to: JobState,
        *,
        reason: str = "",
        cause: str | None = None,
        expect: Collection[JobState] | None = None,
        hot_paths: Sequence[str] | None = None,
        expect_cause: Collection[str] | None = None,
        approval: Approval | None = None,
    ) -> JobRecord:
        """Move the job to `to` and return it; `StoreError` if the table in `states` forbids it.

        `expect` makes it a compare-and-set: the change happens only if the job is in one of
        those states now (and, with `expect_cause`, held for one of those causes). Entering
        HELD needs a `cause`; leaving it clears the cause, and going from HELD back to RECEIVED
        counts an attempt. `hot_paths` replaces the delivered files; `approval` records a
        person's approval on the job (which keeps it through every later change).
        """
        ...

    def job(self, job_id: str) -> JobRecord | None:
        """The job, or None."""
        ...

    def jobs(
        self,
        *,
        state: JobState | None = None,
        order_id: str | None = None,
        order_item_id: str | None = None,
        since: datetime | None = None,
        after: JobRecord | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[JobRecord]:
        """Jobs matching every filter given: created at `since` or later, listed after the job
        `after` (the next page), at most `limit` of them; by creation, or the newest first.
        Filtered by the backend, so a page of a long history costs a page."""
        ...

    def count_jobs(
        self,
        *,
        state: JobState | None = None,
        order_id: str | None = None,
        order_item_id: str | None = None,
        since: datetime | None = None,
        after: JobRecord | None = None,
    ) -> int:
        """How many jobs `jobs` would list with these filters and no limit."""
        ...

    def audit(self, *, job_id: str | None = None, order_id: str | None = None) -> list[AuditEntry]:
        """Audit rows matching every filter given, oldest first."""
        ...

    def orders_ready_to_ship(self) -> list[str]:
        """Order ids, sorted, that the shipping desk can close now.

        Ready means: at least one job is PRINTED, every other job of the order is PRINTED or
        CANCELLED, and every item of the order has at least one job (an item not yet planned
        would otherwise be left out of the parcel). Kept up to date with every change, so
        the answer costs the ready orders, not the history.
        """
        ...

    def ready_to_ship(self, order_id: str) -> bool:
        """Whether `orders_ready_to_ship` lists this order, without listing the others."""
        ...

    def orders(self, order_ids: Collection[str]) -> list[OrderRecords]:
        """The items, jobs, packages and companion orders of these orders, in the order given
        (unknown ids are left out); as cheap for three hundred orders as for one."""
        ...

    def change_count(self) -> int:
        """A number that grows with every change to items, jobs, packages or companion orders
        (in the change's own transaction, whichever process made it), and only then: equal
        counts mean the store shows the same. Meta values do not count."""
        ...

    def bulk(self) -> AbstractContextManager[None]:
        """The changes made inside the block as one transaction, committed durably at its end
        (one fsync for all of them), or none of them if the block raises; each method inside is
        still whole or nothing. Other writers wait until the block ends."""
        ...

    def cancel_order(self, order_id: str, *, reason: str) -> list[JobRecord]:
        """Cancel every job of the order not yet shipped, purged or cancelled; return those."""
        ...

    def hold_order(self, order_id: str, *, reason: str, cause: str) -> list[JobRecord]:
        """Hold every job of the order that is received, rendered or queued; return those.

        Jobs held already keep their own cause; printed and later jobs are left alone.
        """
        ...

    def open_order_items(self) -> list[ItemRecord]:
        """Every item of every order that has a job not yet shipped, purged or cancelled."""
        ...

    def add_companion_order(self, order: NewCompanionOrder) -> CompanionOrder:
        """Record a batch of companions in CHECKING; if (order id, batch) is known, change
        nothing and return the record already there."""
        ...

    def save_companion_order(
        self, order: CompanionOrder, *, expect: Collection[CompanionState] | None = None
    ) -> CompanionOrder:
        """Write the record's state, fulfillment order id, attempt, Amazon's status, message and
        packages, and its hold, warning, retry and poll fields; `StoreError` if it is unknown or,
        with `expect`, not in one of those states. Items, ids and dates never change."""
        ...

    def companion_orders(
        self, *, order_id: str | None = None, states: Collection[CompanionState] | None = None
    ) -> list[CompanionOrder]:
        """Companion orders matching every filter given, oldest first."""
        ...

    def companion_order(self, seller_fulfillment_order_id: str) -> CompanionOrder | None:
        """The record of this fulfillment order id, or None."""
        ...

    def orders_to_purge(self, *, closed_before: datetime) -> list[str]:
        """Order ids, sorted, whose buyer data is due for deletion at `closed_before`.

        Due means: every job of the order is shipped, cancelled or purged, at least one is not
        purged yet, every item has a job, and the last job to be shipped or cancelled was so at
        `closed_before` or earlier.
        """
        ...

    def purge_order(self, order_id: str, *, reason: str) -> list[JobRecord]:
        """Forget the buyer's data of a shipped or cancelled order; the jobs changed.

        In one transaction: every shipped or cancelled job becomes PURGED with no delivered
        files, and every item's zip path and digest are cleared; ids, SKU, quantities, states
        with their times and shipments stay. The backend leaves nothing of the cleared values
        in its files. `StoreError` if the order is unknown or not wholly shipped or cancelled
        (an item without jobs counts as not). Repeating it changes nothing.
        """
        ...

    def get_meta(self, key: str) -> str | None:
        """A value the daemon keeps between runs (e.g. the last order poll), or None."""
        ...

    def set_meta(self, key: str, value: str) -> None:
        """Set a value the daemon keeps between runs."""
        ...

    @property
    def location(self) -> str:
        """Where the store keeps its data, for messages (a file's path, a server's name)."""
        ...

    def table_rows(self) -> Iterator[tuple[str, dict[str, object]]]:
        """Every row of every table as (table, column → value), read-only: for the audit,
        which must see what the store keeps, not only what this interface shows."""
        ...

    def check_writable(self) -> None:
        """`StoreError` (SQLite's words) if the store cannot record a change; changes nothing.

        Asked at start: a store opened read-only would otherwise fail at the first zip."""
        ...

    def close(self) -> None:
        """Release the connection; the store cannot be used afterwards."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
