"""Whole-order queries and changes of the SQLite job store that companion orders rely on."""

from __future__ import annotations

from production.store.records import ItemRecord, JobRecord, JobState
from production.store.sqlite.parts import StoreParts
from production.store.sqlite.tables import item_from_row, job_from_row

__all__ = ["HOLDABLE_STATES", "OPEN_STATES", "OrderQueries"]


# Jobs whose order is still being made or waits to be shipped.
OPEN_STATES = frozenset(
    {JobState.RECEIVED, JobState.RENDERED, JobState.QUEUED, JobState.PRINTED, JobState.HELD}
)
# Jobs `hold_order` stops: not printed yet, and not held already (their cause stays theirs).
HOLDABLE_STATES = frozenset({JobState.RECEIVED, JobState.RENDERED, JobState.QUEUED})


class OrderQueries(StoreParts):
    """Order-wide methods of `SqliteStore`, over its transactions and state changes."""

    def open_order_items(self) -> list[ItemRecord]:
        """Every item of every order with a job still open (not shipped, purged or cancelled),
        by arrival; found through the jobs' state index, so it stays cheap on a large store."""
        states = sorted(state.value for state in OPEN_STATES)
        marks = ", ".join("?" for _ in states)
        with self._read() as db:
            rows = db.execute(
                "SELECT * FROM items WHERE order_id IN"
                f" (SELECT order_id FROM jobs WHERE state IN ({marks}))"
                " ORDER BY received_at, order_item_id",
                states,
            ).fetchall()
        return [item_from_row(row) for row in rows]

    def hold_order(self, order_id: str, *, reason: str, cause: str) -> list[JobRecord]:
        """Hold every job of the order that is received, rendered or queued; return those."""
        states = sorted(state.value for state in HOLDABLE_STATES)
        marks = ", ".join("?" for _ in states)
        with self._transaction(order_id=order_id) as db:
            rows = db.execute(
                f"SELECT * FROM jobs WHERE order_id = ? AND state IN ({marks})"
                " ORDER BY created_at, job_id",
                (order_id, *states),
            ).fetchall()
            return [
                self._change(db, job_from_row(row), JobState.HELD, reason=reason, cause=cause)
                for row in rows
            ]
