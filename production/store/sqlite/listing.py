"""Listing jobs in the SQLite job store: filtered, ordered and paged by SQLite itself.

The listing's order is (created_at, job_id), which the `jobs_created` index holds: a page of
the newest jobs, or the page after a given job, reads that page and no more of the history.
"""

from __future__ import annotations

from datetime import datetime

from production.store.records import JobRecord, JobState
from production.store.sqlite.parts import StoreParts
from production.store.sqlite.tables import job_from_row, stamp

__all__ = ["JobListing"]


class JobListing(StoreParts):
    """The job listings of `SqliteStore`."""

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
        where, args = _job_filters(state, order_id, order_item_id, since, after, newest_first)
        order = "created_at DESC, job_id DESC" if newest_first else "created_at, job_id"
        with self._read(order_id=order_id, item_id=order_item_id) as db:
            rows = db.execute(
                f"SELECT * FROM jobs {where} ORDER BY {order} LIMIT ?",
                (*args, -1 if limit is None else limit),
            ).fetchall()
        return [job_from_row(row) for row in rows]

    def count_jobs(
        self,
        *,
        state: JobState | None = None,
        order_id: str | None = None,
        order_item_id: str | None = None,
        since: datetime | None = None,
        after: JobRecord | None = None,
    ) -> int:
        where, args = _job_filters(state, order_id, order_item_id, since, after, False)
        with self._read(order_id=order_id, item_id=order_item_id) as db:
            return int(db.execute(f"SELECT COUNT(*) FROM jobs {where}", args).fetchone()[0])


def _job_filters(
    state: JobState | None,
    order_id: str | None,
    order_item_id: str | None,
    since: datetime | None,
    after: JobRecord | None,
    newest_first: bool,
) -> tuple[str, tuple[str, ...]]:
    """The WHERE clause of a job listing: equal columns, created since, past a listed job
    (in the listing's direction)."""
    equal = {
        "state": None if state is None else JobState(state).value,
        "order_id": order_id,
        "order_item_id": order_item_id,
    }
    clauses = [f"{column} = ?" for column, value in equal.items() if value is not None]
    args: tuple[str, ...] = tuple(value for value in equal.values() if value is not None)
    if since is not None:
        clauses.append("created_at >= ?")
        args = (*args, stamp(since))
    if after is not None:
        # The listing's own order (created_at, job_id): the page that follows `after`.
        clauses.append(f"(created_at, job_id) {'<' if newest_first else '>'} (?, ?)")
        args = (*args, stamp(after.created_at), after.job_id)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), args
