"""The job store in one SQLite file: WAL mode, full fsync, one connection behind a lock.

WAL lets the daemon keep the file open while `production done JOB` writes from a second process;
`synchronous=FULL` makes every commit survive a power cut; `BEGIN IMMEDIATE` takes the write lock
at the start of a transaction, so two writers wait for each other (up to the busy timeout) instead
of failing halfway. Times are ISO-8601 UTC text, which also sorts in time order.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from production.core.clock import utc_now
from production.core.errors import StoreError
from production.store.records import (
    Approval,
    AuditEntry,
    ItemRecord,
    JobRecord,
    JobState,
    NewItem,
    NewJob,
)
from production.store.sqlite.companions import COMPANIONS_SCHEMA, CompanionTable
from production.store.sqlite.health import file_rows, write_problem
from production.store.sqlite.labels import LABELS_SCHEMA, LabelTable
from production.store.sqlite.listing import JobListing
from production.store.sqlite.orders import OrderQueries
from production.store.sqlite.purge import PurgeTable
from production.store.sqlite.shipments import SHIPMENTS_SCHEMA, ShipmentTable
from production.store.sqlite.summary import SUMMARY_SCHEMA, fill_summary
from production.store.sqlite.tables import (
    SCHEMA,
    add_missing_columns,
    approval_from_text,
    audit_from_row,
    insert_audit,
    insert_item,
    insert_job,
    item_from_row,
    job_from_row,
    stamp,
    update_job,
)
from production.store.states import CLOSED_STATES, INITIAL_STATES, apply_transition, start_job

__all__ = ["DEFAULT_BUSY_TIMEOUT", "SCHEMA_VERSION", "SqliteStore"]

# Kept in PRAGMA user_version; 2 added shipments, 3 items.ship_by, 4 companion_orders,
# 5 jobs.approval, 6 order_summary and store_changes (with their triggers and indexes), 7 labels.
SCHEMA_VERSION = 7
DEFAULT_BUSY_TIMEOUT = 5.0  # seconds a writer waits for another process's transaction
_FULL, _NORMAL = "FULL", "NORMAL"  # PRAGMA synchronous of a durable commit, and of one that is not


class SqliteStore(JobListing, ShipmentTable, LabelTable, PurgeTable, CompanionTable, OrderQueries):
    """`JobStore` in a SQLite file; safe to share between threads and with other processes."""

    def __init__(
        self,
        path: Path,
        *,
        clock: Callable[[], datetime] = utc_now,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ) -> None:
        self.path = path
        self._clock = clock
        self._lock = threading.RLock()  # re-entered by the methods called inside `bulk`
        self._bulk = False
        self._synchronous = _FULL  # the connection's PRAGMA synchronous
        self._conn: sqlite3.Connection | None = _connect(path, busy_timeout)
        try:
            self._create_schema()
        except StoreError as exc:
            self.close()
            if _read_only(exc.__cause__):
                # The file, its folder or its disk refuses writes: say that, not "a change".
                raise StoreError(
                    f"the job store cannot be written: {exc.__cause__}", source=str(path)
                ) from exc
            raise
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- items ------------------------------------------------------------------------------

    def add_item(self, item: NewItem, *, durable: bool = True) -> bool:
        ids = {"order_id": item.order_id, "item_id": item.order_item_id}
        with self._transaction(durable=durable, **ids) as db:
            return insert_item(db, item, self._now())

    def item(self, order_item_id: str) -> ItemRecord | None:
        with self._read(item_id=order_item_id) as db:
            row = db.execute("SELECT * FROM items WHERE order_item_id = ?", (order_item_id,))
            found = row.fetchone()
        return None if found is None else item_from_row(found)

    def set_item_zip(self, order_item_id: str, *, zip_path: str, digest: str) -> ItemRecord:
        return self._update_item(order_item_id, "zip_path = ?, digest = ?", zip_path, digest)

    def set_item_ship_by(self, order_item_id: str, ship_by: datetime) -> ItemRecord:
        return self._update_item(order_item_id, "ship_by = ?", stamp(ship_by))

    def items(self, *, order_id: str | None = None) -> list[ItemRecord]:
        where, args = _where(order_id=order_id)
        with self._read(order_id=order_id) as db:
            rows = db.execute(
                f"SELECT * FROM items {where} ORDER BY received_at, order_item_id", args
            ).fetchall()
        return [item_from_row(row) for row in rows]

    # -- jobs -------------------------------------------------------------------------------

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
        with self._transaction(durable=durable, item_id=order_item_id) as db:
            found = db.execute(
                "SELECT order_id FROM items WHERE order_item_id = ?", (order_item_id,)
            ).fetchone()
            if found is None:
                raise StoreError("no such order item in the job store", item_id=order_item_id)
            replaceable, args = _in(INITIAL_STATES)
            # A re-render replaces the item's unfinished jobs; the count of a person's retries
            # belongs to the item's story and carries over to the new jobs.
            carried = db.execute(
                "SELECT COALESCE(MAX(attempts), 0) AS n FROM jobs"
                f" WHERE order_item_id = ? AND state IN ({replaceable})",
                (order_item_id, *args),
            ).fetchone()["n"]
            # So is a person's approval of a job: a render that finds the same hold goes on.
            approvals = {
                row["job_id"]: approval_from_text(row["approval"])
                for row in db.execute(
                    "SELECT job_id, approval FROM jobs"
                    f" WHERE order_item_id = ? AND state IN ({replaceable})"
                    " AND approval IS NOT NULL",
                    (order_item_id, *args),
                )
            }
            db.execute(
                f"DELETE FROM jobs WHERE order_item_id = ? AND state IN ({replaceable})",
                (order_item_id, *args),
            )
            kept = {
                row["job_id"]
                for row in db.execute(
                    "SELECT job_id FROM jobs WHERE order_item_id = ?", (order_item_id,)
                )
            }
            now = self._now()
            added = [
                dataclasses.replace(
                    start_job(
                        new,
                        order_id=found["order_id"],
                        order_item_id=order_item_id,
                        state=state,
                        at=now,
                        reason=reason,
                        cause=cause,
                    ),
                    attempts=carried,
                    approval=approvals.get(new.job_id),
                )
                for new in jobs
                if new.job_id not in kept
            ]
            for record in added:
                insert_job(db, record)
                insert_audit(db, record, None, reason)
            return added

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
        with self._transaction(job_id=job_id) as db:
            row = db.execute("SELECT * FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
            if row is None:
                raise StoreError("no such job in the job store", job_id=job_id)
            return self._change(
                db,
                job_from_row(row),
                to,
                reason=reason,
                cause=cause,
                expect=expect,
                hot_paths=hot_paths,
                expect_cause=expect_cause,
                approval=approval,
            )

    def job(self, job_id: str) -> JobRecord | None:
        with self._read(job_id=job_id) as db:
            found = db.execute("SELECT * FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
        return None if found is None else job_from_row(found)

    def audit(self, *, job_id: str | None = None, order_id: str | None = None) -> list[AuditEntry]:
        where, args = _where(job_id=job_id, order_id=order_id)
        with self._read(order_id=order_id, job_id=job_id) as db:
            rows = db.execute(f"SELECT * FROM audit {where} ORDER BY seq", args).fetchall()
        return [audit_from_row(row) for row in rows]

    # -- orders -----------------------------------------------------------------------------

    def cancel_order(self, order_id: str, *, reason: str) -> list[JobRecord]:
        closed, args = _in(CLOSED_STATES)
        with self._transaction(order_id=order_id) as db:
            rows = db.execute(
                f"SELECT * FROM jobs WHERE order_id = ? AND state NOT IN ({closed})"
                " ORDER BY created_at, job_id",
                (order_id, *args),
            ).fetchall()
            return [
                self._change(db, job_from_row(row), JobState.CANCELLED, reason=reason)
                for row in rows
            ]

    def change_count(self) -> int:
        with self._read() as db:
            return int(db.execute("SELECT count FROM store_changes WHERE id = 1").fetchone()[0])

    # -- meta -------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        with self._read() as db:
            found = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if found is None else str(found["value"])

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    @property
    def location(self) -> str:
        return str(self.path)

    def table_rows(self) -> Iterator[tuple[str, dict[str, object]]]:
        return file_rows(self.path)

    def check_writable(self) -> None:
        with self._lock:
            try:
                problem = write_problem(self._connection({"source": str(self.path)}))
            except sqlite3.Error as exc:
                problem = str(exc)
        if problem is not None:
            raise StoreError(f"the job store cannot be written: {problem}", source=str(self.path))

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- inside -----------------------------------------------------------------------------

    def _change(
        self,
        db: sqlite3.Connection,
        job: JobRecord,
        to: JobState,
        *,
        reason: str,
        cause: str | None = None,
        expect: Collection[JobState] | None = None,
        hot_paths: Sequence[str] | None = None,
        expect_cause: Collection[str] | None = None,
        approval: Approval | None = None,
    ) -> JobRecord:
        changed = apply_transition(
            job,
            to,
            at=self._now(),
            reason=reason,
            cause=cause,
            expect=expect,
            hot_paths=hot_paths,
            expect_cause=expect_cause,
            approval=approval,
        )
        update_job(db, changed)
        insert_audit(db, changed, job.state, reason)
        return changed

    def _update_item(self, order_item_id: str, assignments: str, *values: str) -> ItemRecord:
        """Set columns of one item; `assignments` is SQL from this file, never from input."""
        with self._transaction(item_id=order_item_id) as db:
            cursor = db.execute(
                f"UPDATE items SET {assignments} WHERE order_item_id = ?", (*values, order_item_id)
            )
            if cursor.rowcount != 1:
                raise StoreError("no such order item in the job store", item_id=order_item_id)
            row = db.execute("SELECT * FROM items WHERE order_item_id = ?", (order_item_id,))
            return item_from_row(row.fetchone())

    def _create_schema(self) -> None:
        with self._transaction() as db:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"the job store has schema version {version}, newer than this program's"
                    f" {SCHEMA_VERSION}; update the program",
                    source=str(self.path),
                )
            for statement in (*SCHEMA, *SHIPMENTS_SCHEMA, *LABELS_SCHEMA, *COMPANIONS_SCHEMA):
                db.execute(statement)
            if version < SCHEMA_VERSION:
                add_missing_columns(db)
            for statement in SUMMARY_SCHEMA:
                db.execute(statement)
            if version < 6:
                fill_summary(db)  # the triggers keep it from here on
            if version < SCHEMA_VERSION:
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _now(self) -> datetime:
        now = self._clock()
        if now.utcoffset() is None:
            raise StoreError("the clock gave a time without a time zone", source=str(self.path))
        return now.astimezone(UTC)

    @contextmanager
    def _read(self, **ids: str | None) -> Iterator[sqlite3.Connection]:
        """The connection, under the lock, with SQLite's errors turned into `StoreError`."""
        ids = self._subject(ids)
        with self._lock:
            try:
                yield self._connection(ids)
            except sqlite3.Error as exc:
                raise StoreError(f"cannot read the job store: {exc}", **ids) from exc

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """Many changes in one transaction: each method inside is still whole or nothing (a
        savepoint), and the lot is committed durably at the end, or nothing of it if the block
        raises. For the daemon's group commit (several renders recorded, several jobs delivered,
        for one fsync of the WAL) and a tool that loads a whole history (the store-scale
        benchmark). Other threads wait until it ends; another process's writers up to their
        busy timeout."""
        with self._transaction():
            self._bulk = True
            try:
                yield
            finally:
                self._bulk = False

    @contextmanager
    def _transaction(
        self, *, durable: bool = True, **ids: str | None
    ) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed if the block ends, rolled back if it raises.

        Not `durable`: committed without syncing the WAL (synchronous=NORMAL). The next durable
        commit syncs the WAL, and with it every transaction before it: a WAL is replayed in
        order and only up to its last intact commit, so a power cut loses such a change only
        together with everything committed after it.
        """
        ids = self._subject(ids)
        with self._lock:
            db = self._connection(ids)
            self._set_synchronous(db, _FULL if durable or self._bulk else _NORMAL, ids)
            begin, commit, undo = (
                ("SAVEPOINT change", "RELEASE change", "ROLLBACK TO change")
                if self._bulk
                else ("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK")
            )
            try:
                db.execute(begin)
            except sqlite3.Error as exc:
                raise StoreError(f"cannot start a change: {exc}", **ids) from exc
            try:
                yield db
                db.execute(commit)
            except BaseException as exc:
                if db.in_transaction:
                    with suppress(sqlite3.Error):  # the error that got us here is the one to report
                        db.execute(undo)
                        if self._bulk:
                            db.execute(commit)  # a savepoint rolled back to is still open
                if isinstance(exc, sqlite3.Error):
                    raise StoreError(f"cannot record the change: {exc}", **ids) from exc
                raise

    def _set_synchronous(
        self, db: sqlite3.Connection, level: str, ids: dict[str, str | None]
    ) -> None:
        if level == self._synchronous:
            return
        try:
            db.execute(f"PRAGMA synchronous = {level}")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot start a change: {exc}", **ids) from exc
        self._synchronous = level

    def _subject(self, ids: dict[str, str | None]) -> dict[str, str | None]:
        # An error about no job, item or order in particular is about the file.
        return ids if any(ids.values()) else {"source": str(self.path)}

    def _connection(self, ids: dict[str, str | None]) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError("the job store is closed", **ids)
        return self._conn


def _connect(path: Path, busy_timeout: float) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(
            path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the job store: {exc}", source=str(path)) from exc
    try:
        db.row_factory = sqlite3.Row
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"the job store cannot use WAL mode (got {mode})", source=str(path))
        db.execute(f"PRAGMA synchronous = {_FULL}")
        db.execute("PRAGMA foreign_keys = ON")
        # Deleted and overwritten content is zeroed, not left in free space: a purged digest
        # must not be readable from the file afterwards (see sqlite_purge.py).
        db.execute("PRAGMA secure_delete = ON")
    except sqlite3.Error as exc:
        db.close()
        raise StoreError(f"cannot open the job store: {exc}", source=str(path)) from exc
    except BaseException:
        db.close()
        raise
    return db


def _read_only(exc: BaseException | None) -> bool:
    """An error of SQLite's for a file (or folder, or disk) it may not write."""
    code = getattr(exc, "sqlite_errorcode", None)
    return (
        isinstance(exc, sqlite3.Error)
        and code is not None
        and code & 0xFF == sqlite3.SQLITE_READONLY
    )


def _where(**filters: str | None) -> tuple[str, tuple[str, ...]]:
    """A WHERE clause for the filters that are given; the keys are column names from this file."""
    given = {column: value for column, value in filters.items() if value is not None}
    if not given:
        return "", ()
    return "WHERE " + " AND ".join(f"{column} = ?" for column in given), tuple(given.values())


def _in(states: Collection[JobState]) -> tuple[str, tuple[str, ...]]:
    ordered = sorted(states)
    return ", ".join("?" for _ in ordered), tuple(state.value for state in ordered)
