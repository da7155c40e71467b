"""What the SQLite store keeps about each order, so that no question scans the whole history.

`order_summary` holds one row per order: whether it is ready to ship and whether (and since
when) it is closed for the purge. Triggers recompute an order's row from its own items and jobs
(a handful of rows, found through their indexes) whenever one of them is written, in the same
transaction as the write: no code path can forget it. Partial indexes hold only the ready and
the purgeable orders, so the desk and retention read a few hundred rows at 100k jobs of history.

`store_changes` is one counter, raised by triggers whenever anything the desk shows changes
(items, jobs, packages, companion orders, shipping labels; not the daemon's meta values):
equal counters mean an equal board, so the desk answers an unchanged refresh without asking
anything else.
"""

from __future__ import annotations

import sqlite3

from production.store.records import JobState

__all__ = ["SUMMARY_SCHEMA", "fill_summary"]

_S = JobState


def _states(*states: JobState) -> str:
    return ", ".join(f"'{state.value}'" for state in states)


# One order's summary from its items and their jobs; an item without jobs is a row of NULLs.
# Ready and purgeable are the definitions `JobStore.orders_ready_to_ship` and
# `orders_to_purge` give, in SQL.
_SUMMARY = f"""SELECT i.order_id,
    COALESCE(SUM(j.state = '{_S.PRINTED}') > 0
        AND SUM(j.state NOT IN ({_states(_S.PRINTED, _S.CANCELLED)})) = 0
        AND SUM(j.job_id IS NULL) = 0, 0),
    COALESCE(SUM(j.state IN ({_states(_S.SHIPPED, _S.CANCELLED)})) > 0
        AND SUM(j.state NOT IN ({_states(_S.SHIPPED, _S.CANCELLED, _S.PURGED)})) = 0
        AND SUM(j.job_id IS NULL) = 0, 0),
    MAX(CASE WHEN j.state IN ({_states(_S.SHIPPED, _S.CANCELLED)}) THEN j.updated_at END)
    FROM items AS i LEFT JOIN jobs AS j ON j.order_item_id = i.order_item_id"""

_UPSERT = (
    "INSERT INTO order_summary (order_id, ready, purgeable, closed_at) {select}"
    " ON CONFLICT (order_id) DO UPDATE SET ready = excluded.ready,"
    " purgeable = excluded.purgeable, closed_at = excluded.closed_at"
)


def _refresh(order_id: str) -> str:
    """The statement that recomputes the row of the order `order_id` (an SQL expression)."""
    select = f"{_SUMMARY} WHERE i.order_id = {order_id} GROUP BY i.order_id"
    return _UPSERT.format(select=select)


def _summary_trigger(name: str, event: str, table: str, row: str, when: str = "") -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table}{when}"
        f" BEGIN {_refresh(f'{row}.order_id')}; END"
    )


# Items are the one table written without a new `updated_at`: an update that sets the values
# they have (the same ship-by date again) is no change.
_ITEM_COLUMNS = ("order_id", "asin", "sku", "quantity", "zip_path", "digest", "received_at",
                 "ship_by")  # fmt: skip
_ITEM_CHANGED = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in _ITEM_COLUMNS)


def _counter_triggers() -> tuple[str, ...]:
    return tuple(
        f"CREATE TRIGGER IF NOT EXISTS {table}_{event.lower()}_counted AFTER {event} ON {table}"
        + (f" WHEN {_ITEM_CHANGED}" if (table, event) == ("items", "UPDATE") else "")
        + " BEGIN UPDATE store_changes SET count = count + 1; END"
        for table in ("items", "jobs", "shipments", "companion_orders", "labels")
        for event in ("INSERT", "UPDATE", "DELETE")
    )


SUMMARY_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS order_summary (
        order_id TEXT PRIMARY KEY,
        ready INTEGER NOT NULL,
        purgeable INTEGER NOT NULL,
        closed_at TEXT)""",
    "CREATE INDEX IF NOT EXISTS order_summary_ready ON order_summary (order_id) WHERE ready",
    "CREATE INDEX IF NOT EXISTS order_summary_purgeable ON order_summary (closed_at)"
    " WHERE purgeable",
    "CREATE TABLE IF NOT EXISTS store_changes"
    " (id INTEGER PRIMARY KEY CHECK (id = 1), count INTEGER NOT NULL)",
    "INSERT INTO store_changes (id, count) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
    _summary_trigger("items_summary_insert", "INSERT", "items", "NEW"),
    _summary_trigger("jobs_summary_insert", "INSERT", "jobs", "NEW"),
    # A job's times change only with its state (no state changes to itself): a write that
    # leaves the state, such as new delivered files, leaves the summary as it is.
    _summary_trigger(
        "jobs_summary_update", "UPDATE OF state", "jobs", "NEW", " WHEN OLD.state IS NOT NEW.state"
    ),
    _summary_trigger("jobs_summary_delete", "DELETE", "jobs", "OLD"),
    *_counter_triggers(),
    # The listing of `production jobs` (creation order, paged) and the desk's recent packages.
    "CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_at, job_id)",
    "CREATE INDEX IF NOT EXISTS shipments_updated ON shipments (updated_at, order_id, package_ref)",
)


def fill_summary(db: sqlite3.Connection) -> None:
    """Summarise every order once: a file written before schema version 6 has no summary."""
    db.execute(_UPSERT.format(select=f"{_SUMMARY} WHERE true GROUP BY i.order_id"))
