"""Whole-order queries and changes of the SQLite job store (the desk, companions, settling).

Which orders are ready comes from `order_summary` (see summary.py), never from grouping the
history; the records of many orders are read with one query per table, the ids handed over as
one JSON array.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from typing import TypeVar

from production.store.records import ItemRecord, JobRecord, JobState, OrderRecords
from production.store.sqlite.companions import companion_from_row
from production.store.sqlite.decoded import DecodedRows
from production.store.sqlite.parts import StoreParts
from production.store.sqlite.shipments import shipment_from_row
from production.store.sqlite.tables import item_from_row, job_from_row

__all__ = ["HOLDABLE_STATES", "OPEN_STATES", "OrderQueries"]


# Jobs whose order is still being made or waits to be shipped.
OPEN_STATES = frozenset(
    {JobState.RECEIVED, JobState.RENDERED, JobState.QUEUED, JobState.PRINTED, JobState.HELD}
)
# Jobs `hold_order` stops: not printed yet, and not held already (their cause stays theirs).
HOLDABLE_STATES = frozenset({JobState.RECEIVED, JobState.RENDERED, JobState.QUEUED})

T = TypeVar("T")
_IDS = "order_id IN (SELECT value FROM json_each(?))"
# Whole orders are what the desk reads at every change, most of them as they were.
_ITEMS = DecodedRows(item_from_row)
_JOBS = DecodedRows(job_from_row)
_SHIPMENTS = DecodedRows(shipment_from_row)


class OrderQueries(StoreParts):
    """Order-wide methods of `SqliteStore`, over its transactions and state changes."""

    def orders_ready_to_ship(self) -> list[str]:
        """Order ids, sorted: the ready rows of the summary, through its partial index."""
        with self._read() as db:
            rows = db.execute("SELECT order_id FROM order_summary WHERE ready ORDER BY order_id")
            return [row["order_id"] for row in rows]

    def ready_to_ship(self, order_id: str) -> bool:
        """Whether this one order is ready: one row of the summary."""
        with self._read(order_id=order_id) as db:
            found = db.execute(
                "SELECT ready FROM order_summary WHERE order_id = ?", (order_id,)
            ).fetchone()
        return found is not None and bool(found["ready"])

    def orders(self, order_ids: Collection[str]) -> list[OrderRecords]:
        """The records of these orders (unknown ids left out), in the order given; one query
        per table, whatever the number of orders."""
        wanted = list(dict.fromkeys(order_ids))
        ids = json.dumps(wanted)
        with self._read() as db:
            items = _grouped(
                db,
                f"SELECT * FROM items WHERE {_IDS} ORDER BY received_at, order_item_id",
                ids,
                _ITEMS,
            )
            jobs = _grouped(
                db,
                f"SELECT * FROM jobs WHERE {_IDS} ORDER BY created_at, job_id",
                ids,
                _JOBS,
            )
            shipments = _grouped(
                db,
                f"SELECT * FROM shipments WHERE {_IDS} ORDER BY created_at",
                ids,
                _SHIPMENTS,
            )
            companions = _grouped(
                db,
                f"SELECT * FROM companion_orders WHERE {_IDS} ORDER BY created_at, order_id, batch",
                ids,
                companion_from_row,
            )
            ready = {
                row["order_id"]
                for row in db.execute(f"SELECT order_id FROM order_summary WHERE ready AND {_IDS}",
                                      (ids,))
            }  # fmt: skip
        return [
            OrderRecords(
                order_id,
                tuple(items[order_id]),
                tuple(jobs[order_id]),
                tuple(shipments[order_id]),
                tuple(companions[order_id]),
                order_id in ready,
            )
            for order_id in wanted
            if items[order_id]
        ]

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


def _grouped(
    db: sqlite3.Connection, query: str, ids: str, record: Callable[[sqlite3.Row], T]
) -> defaultdict[str, list[T]]:
    """The rows of `query` as records, by their order id, in the query's order."""
    by_order: defaultdict[str, list[T]] = defaultdict(list)
    rows: Iterable[sqlite3.Row] = db.execute(query, (ids,))
    for row in rows:
        by_order[row["order_id"]].append(record(row))
    return by_order
