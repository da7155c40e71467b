"""Purging an order in the SQLite job store, so that nothing of the buyer's zip stays in its files.

The store never holds buyer text, but an item's zip path and sha256 digest are derived from the
buyer's zip, and SQLite keeps old row contents in free pages and in the write-ahead log. The
connection runs with `secure_delete` (freed content is overwritten with zeros), and after a
purge the log is checkpointed into the database and truncated to nothing.
"""

from __future__ import annotations

import sqlite3
from contextlib import suppress
from datetime import datetime

from production.core.errors import StoreError
from production.store.records import JobRecord, JobState
from production.store.sqlite.parts import StoreParts
from production.store.sqlite.tables import job_from_row, stamp
from production.store.states import PURGEABLE_STATES

__all__ = ["PurgeTable"]


class PurgeTable(StoreParts):
    """Retention methods of `SqliteStore`, over its transactions and state changes."""

    def orders_to_purge(self, *, closed_before: datetime) -> list[str]:
        """Order ids, sorted, whose every job is shipped, cancelled or purged, at least one not
        yet purged, and whose last shipment or cancellation was at `closed_before` or earlier."""
        # The purgeable rows of the summary, through its partial index on the closing time:
        # purged orders, however many, are never read. Sorted here: an ORDER BY would tempt
        # SQLite to walk the whole summary in order_id order instead.
        with self._read() as db:
            rows = db.execute(
                "SELECT order_id FROM order_summary WHERE purgeable AND closed_at <= ?",
                (stamp(closed_before),),
            ).fetchall()
        return sorted(row["order_id"] for row in rows)

    def purge_order(self, order_id: str, *, reason: str) -> list[JobRecord]:
        """Mark the order's shipped and cancelled jobs purged (their delivered files forgotten)
        and clear its items' zip paths and digests, in one transaction; the jobs changed.

        `StoreError` if the order is unknown, or has a job that is neither shipped, cancelled
        nor purged, or an item without a job. Purging a purged order again changes nothing.
        """
        with self._transaction(order_id=order_id) as db:
            items = db.execute("SELECT order_item_id FROM items WHERE order_id = ?", (order_id,))
            item_ids = {row["order_item_id"] for row in items}
            if not item_ids:
                raise StoreError("no such order in the job store", order_id=order_id)
            rows = db.execute(
                "SELECT * FROM jobs WHERE order_id = ? ORDER BY created_at, job_id", (order_id,)
            ).fetchall()
            jobs = [job_from_row(row) for row in rows]
            _check_closed(order_id, item_ids, jobs)
            changed = [
                self._change(db, job, JobState.PURGED, reason=reason, hot_paths=[])
                for job in jobs
                if job.state in PURGEABLE_STATES
            ]
            db.execute(
                "UPDATE items SET zip_path = '', digest = ''"
                " WHERE order_id = ? AND (zip_path != '' OR digest != '')",
                (order_id,),
            )
        self._truncate_log()
        return changed

    def _truncate_log(self) -> None:
        # Best effort: a reader in another process that holds an old snapshot keeps the log
        # from being truncated now; the next purge (or the last connection closing) does it.
        with suppress(StoreError, sqlite3.Error), self._read() as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


def _check_closed(order_id: str, item_ids: set[str], jobs: list[JobRecord]) -> None:
    open_jobs = [job for job in jobs if job.state not in (*PURGEABLE_STATES, JobState.PURGED)]
    if open_jobs:
        listed = ", ".join(f"{job.job_id} ({job.state})" for job in open_jobs[:5])
        raise StoreError(f"not shipped or cancelled yet: {listed}", order_id=order_id)
    planned = {job.order_item_id for job in jobs}
    if item_ids - planned:
        missing = ", ".join(sorted(item_ids - planned))
        raise StoreError(f"item {missing} has no job yet", order_id=order_id)
