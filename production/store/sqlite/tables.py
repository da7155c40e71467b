"""The SQLite tables of the job store and how records map onto their rows.

Times are ISO-8601 UTC text with microseconds, so they sort in time order; delivered files are a
JSON array, a person's approval of a held job a JSON object. The audit table has no foreign key
to jobs: its rows outlive the jobs they describe.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

from production.store.records import (
    Approval,
    AuditEntry,
    ItemRecord,
    JobRecord,
    JobState,
    NewItem,
)

__all__ = [
    "ADDED_COLUMNS",
    "SCHEMA",
    "add_missing_columns",
    "approval_from_text",
    "approval_text",
    "audit_from_row",
    "insert_audit",
    "insert_item",
    "insert_job",
    "item_from_row",
    "job_from_row",
    "stamp",
    "update_job",
]

_STATES = ", ".join(f"'{state}'" for state in JobState)

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS items (
        order_item_id TEXT PRIMARY KEY,
        order_id TEXT NOT NULL,
        asin TEXT,
        sku TEXT,
        quantity INTEGER NOT NULL CHECK (quantity > 0),
        zip_path TEXT NOT NULL,
        digest TEXT NOT NULL,
        received_at TEXT NOT NULL,
        ship_by TEXT)""",
    f"""CREATE TABLE IF NOT EXISTS jobs (
        job_id TEXT PRIMARY KEY,
        order_item_id TEXT NOT NULL REFERENCES items (order_item_id),
        order_id TEXT NOT NULL,
        surface TEXT NOT NULL,
        printer TEXT,
        stem TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ({_STATES})),
        reason TEXT,
        cause TEXT CHECK ((state = 'held') = (cause IS NOT NULL)),
        hot_paths TEXT NOT NULL DEFAULT '[]',
        attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        approval TEXT)""",
    """CREATE TABLE IF NOT EXISTS audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        job_id TEXT NOT NULL,
        order_id TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        reason TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS items_order ON items (order_id)",
    "CREATE INDEX IF NOT EXISTS jobs_item ON jobs (order_item_id)",
    "CREATE INDEX IF NOT EXISTS jobs_order ON jobs (order_id)",
    "CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state)",
    "CREATE INDEX IF NOT EXISTS audit_job ON audit (job_id)",
    "CREATE INDEX IF NOT EXISTS audit_order ON audit (order_id)",
)


# Columns later versions added to tables an older file already has: (table, column, type).
# `CREATE TABLE IF NOT EXISTS` leaves an existing table as it is, so each is added by ALTER.
ADDED_COLUMNS = (
    ("items", "ship_by", "TEXT"),  # schema version 3
    ("jobs", "approval", "TEXT"),  # schema version 5
)


def add_missing_columns(db: sqlite3.Connection) -> list[str]:
    """Bring tables written by an older version up to date; the columns added."""
    added = []
    for table, column, kind in ADDED_COLUMNS:
        present = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if column not in present:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
            added.append(f"{table}.{column}")
    return added


def insert_item(db: sqlite3.Connection, item: NewItem, at: datetime) -> bool:
    """Add the item unless its id is known; True if it was added."""
    cursor = db.execute(
        "INSERT INTO items (order_item_id, order_id, asin, sku, quantity, zip_path, digest,"
        " received_at, ship_by) VALUES (:order_item_id, :order_id, :asin, :sku, :quantity,"
        " :zip_path, :digest, :received_at, :ship_by) ON CONFLICT (order_item_id) DO NOTHING",
        {
            "order_item_id": item.order_item_id,
            "order_id": item.order_id,
            "asin": item.asin,
            "sku": item.sku,
            "quantity": item.quantity,
            "zip_path": item.zip_path,
            "digest": item.digest,
            "received_at": stamp(at),
            "ship_by": None if item.ship_by is None else stamp(item.ship_by),
        },
    )
    return cursor.rowcount == 1


def insert_job(db: sqlite3.Connection, job: JobRecord) -> None:
    db.execute(
        "INSERT INTO jobs (job_id, order_item_id, order_id, surface, printer, stem, state, reason,"
        " cause, hot_paths, attempts, created_at, updated_at, approval) VALUES (:job_id,"
        " :order_item_id, :order_id, :surface, :printer, :stem, :state, :reason, :cause,"
        " :hot_paths, :attempts, :created_at, :updated_at, :approval)",
        _job_row(job),
    )


def update_job(db: sqlite3.Connection, job: JobRecord) -> None:
    """Write what a transition changes."""
    db.execute(
        "UPDATE jobs SET state = :state, reason = :reason, cause = :cause,"
        " hot_paths = :hot_paths, attempts = :attempts, updated_at = :updated_at,"
        " approval = :approval WHERE job_id = :job_id",
        _job_row(job),
    )


def insert_audit(
    db: sqlite3.Connection, job: JobRecord, from_state: JobState | None, reason: str
) -> None:
    """Record that `job` has just entered its state, at its `updated_at`."""
    db.execute(
        "INSERT INTO audit (at, job_id, order_id, from_state, to_state, reason)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (stamp(job.updated_at), job.job_id, job.order_id, from_state, job.state, reason),
    )


def item_from_row(row: sqlite3.Row) -> ItemRecord:
    return ItemRecord(
        order_item_id=row["order_item_id"],
        order_id=row["order_id"],
        asin=row["asin"],
        sku=row["sku"],
        quantity=row["quantity"],
        zip_path=row["zip_path"],
        digest=row["digest"],
        received_at=_time(row["received_at"]),
        ship_by=None if row["ship_by"] is None else _time(row["ship_by"]),
    )


def job_from_row(row: sqlite3.Row) -> JobRecord:
    return JobRecord(
        job_id=row["job_id"],
        order_id=row["order_id"],
        order_item_id=row["order_item_id"],
        surface=row["surface"],
        printer=row["printer"],
        stem=row["stem"],
        state=JobState(row["state"]),
        reason=row["reason"],
        cause=row["cause"],
        hot_paths=tuple(str(path) for path in json.loads(row["hot_paths"])),
        attempts=row["attempts"],
        created_at=_time(row["created_at"]),
        updated_at=_time(row["updated_at"]),
        approval=approval_from_text(row["approval"]),
    )


def approval_from_text(text: str | None) -> Approval | None:
    if text is None:
        return None
    fields = json.loads(text)
    return Approval(
        by=fields["by"],
        reason=fields["reason"],
        at=_time(fields["at"]),
        cause=fields["cause"],
        held_for=fields["held_for"],
    )


def approval_text(approval: Approval | None) -> str | None:
    if approval is None:
        return None
    fields = {
        "by": approval.by,
        "reason": approval.reason,
        "at": stamp(approval.at),
        "cause": approval.cause,
        "held_for": approval.held_for,
    }
    return json.dumps(fields, ensure_ascii=False)


def audit_from_row(row: sqlite3.Row) -> AuditEntry:
    from_state = row["from_state"]
    return AuditEntry(
        at=_time(row["at"]),
        job_id=row["job_id"],
        order_id=row["order_id"],
        from_state=None if from_state is None else JobState(from_state),
        to_state=JobState(row["to_state"]),
        reason=row["reason"],
    )


def stamp(moment: datetime) -> str:
    """A time as the tables hold it."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _job_row(job: JobRecord) -> dict[str, object]:
    return {
        "job_id": job.job_id,
        "order_item_id": job.order_item_id,
        "order_id": job.order_id,
        "surface": job.surface,
        "printer": job.printer,
        "stem": job.stem,
        "state": job.state.value,
        "reason": job.reason,
        "cause": job.cause,
        "hot_paths": json.dumps(list(job.hot_paths)),
        "attempts": job.attempts,
        "created_at": stamp(job.created_at),
        "updated_at": stamp(job.updated_at),
        "approval": approval_text(job.approval),
    }


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)
