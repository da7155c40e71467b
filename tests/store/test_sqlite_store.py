"""What only the SQLite store promises: its file settings, its schema version, waiting for
another writer, and SQLite's errors arriving as `StoreError`."""

from __future__ import annotations

import dataclasses
import hashlib
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from production.core.errors import StoreError
from production.store import JobState, NewItem, NewJob
from production.store.sqlite.store import SCHEMA_VERSION, SqliteStore

ITEM = NewItem("90000000000033", "900-0000003-0000003", None, "MUG-11", 2, "a.zip", "ab" * 32)
JOB = NewJob("90000000000033-FRONT", "FRONT", None, "900-0000003-0000003_90000000000033_FRONT")


def test_the_file_is_in_wal_mode_with_full_sync_and_foreign_keys(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "jobs.sqlite3") as store:
        db = store._conn  # the settings are per connection, so ask the store's own
        assert db is not None and db.execute("PRAGMA secure_delete").fetchone()[0] == 1
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_opening_twice_keeps_the_schema_and_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    with SqliteStore(path) as store:
        store.set_meta("k", "v")
    with SqliteStore(path) as store:
        assert store.get_meta("k") == "v"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer"):
        SqliteStore(path)


# The items table as schema version 2 wrote it, before `ship_by`.
V2_ITEMS = """CREATE TABLE items (
    order_item_id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL,
    asin TEXT,
    sku TEXT,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    zip_path TEXT NOT NULL,
    digest TEXT NOT NULL,
    received_at TEXT NOT NULL)"""


def test_a_version_2_file_gains_the_ship_by_column_and_keeps_its_items(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(V2_ITEMS)
        db.execute(
            "INSERT INTO items VALUES ('90000000000011', '900-0000001-0000001', NULL, 'MUG-11', 1,"
            " 'a.zip', 'ab', '2024-05-01T12:00:00.000000+00:00')"
        )
        db.execute("PRAGMA user_version = 2")
    db.close()

    ship_by = datetime(2026, 3, 4, 6, 59, 59, tzinfo=UTC)
    with SqliteStore(path) as store:
        old = store.item("90000000000011")
        assert old is not None and old.sku == "MUG-11" and old.ship_by is None
        store.add_item(dataclasses.replace(ITEM, ship_by=ship_by))
        new = store.item(ITEM.order_item_id)
        assert new is not None and new.ship_by == ship_by
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 7
        columns = [row[1] for row in db.execute("PRAGMA table_info(items)")]
    db.close()
    assert columns[-1] == "ship_by"
    with SqliteStore(path) as store:  # opening it again changes nothing
        assert [i.ship_by for i in store.items()] == [None, ship_by]


def test_a_version_3_file_gains_the_companion_orders_table(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    with SqliteStore(path) as store:
        store.add_item(ITEM)
    with sqlite3.connect(path) as db:  # as version 3 left it: no companion orders yet
        db.execute("DROP TABLE companion_orders")
        db.execute("PRAGMA user_version = 3")
    db.close()
    with SqliteStore(path) as store:
        assert store.companion_orders() == []
        assert [i.order_item_id for i in store.items()] == [ITEM.order_item_id]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    db.close()
    assert "companion_orders" in tables


def test_a_version_4_file_gains_the_approval_column_and_keeps_its_jobs(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    with SqliteStore(path) as store:
        store.add_item(ITEM)
        store.set_jobs(ITEM.order_item_id, [JOB], state=JobState.HELD, reason="x", cause="proof")
    with sqlite3.connect(path) as db:  # as version 4 left it: no approvals yet
        db.execute("ALTER TABLE jobs DROP COLUMN approval")
        db.execute("PRAGMA user_version = 4")
    db.close()
    with SqliteStore(path) as store:
        [job] = store.jobs()
        assert (job.job_id, job.cause, job.approval) == (JOB.job_id, "proof", None)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 7
        columns = [row[1] for row in db.execute("PRAGMA table_info(jobs)")]
    db.close()
    assert columns[-1] == "approval"


def test_times_are_stored_as_utc_text_and_read_back_aware(tmp_path: Path) -> None:
    berlin = datetime(2024, 5, 1, 14, 0, 0, 250_000, tzinfo=timezone(timedelta(hours=2)))
    path = tmp_path / "jobs.sqlite3"
    with SqliteStore(path, clock=lambda: berlin) as store:
        store.add_item(ITEM)
        item = store.item(ITEM.order_item_id)
    assert item is not None
    assert item.received_at == berlin and item.received_at.tzinfo == UTC
    with sqlite3.connect(path) as db:
        (text,) = db.execute("SELECT received_at FROM items").fetchone()
    assert text == "2024-05-01T12:00:00.250000+00:00"


def test_a_clock_without_time_zone_is_refused(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "jobs.sqlite3", clock=lambda: datetime(2024, 5, 1)) as store:
        with pytest.raises(StoreError, match="time zone"):
            store.add_item(ITEM)
        assert store.items() == []


def test_a_writer_waits_for_another_connection_to_commit(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    with SqliteStore(path) as store:
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")
        threading.Timer(0.3, other.execute, ["COMMIT"]).start()
        started = time.monotonic()
        store.set_meta("k", "v")
        assert time.monotonic() - started >= 0.25
        assert store.get_meta("k") == "v"
        other.close()


def test_a_change_waits_for_another_writer_and_then_sees_its_commit(tmp_path: Path) -> None:
    # Reading the job inside a deferred transaction would check `expect` against a stale
    # snapshot and then fail with "database is locked" instead of refusing cleanly.
    path = tmp_path / "jobs.sqlite3"
    with SqliteStore(path) as store:
        store.add_item(ITEM)
        store.set_jobs(ITEM.order_item_id, [JOB], state=JobState.RENDERED)
        other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE jobs SET state = 'queued' WHERE job_id = ?", (JOB.job_id,))
        threading.Timer(0.2, other.execute, ["COMMIT"]).start()
        with pytest.raises(StoreError, match="is queued, expected rendered"):
            store.transition(JOB.job_id, JobState.QUEUED, expect=[JobState.RENDERED])
        other.close()


def test_a_writer_gives_up_after_the_busy_timeout_with_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    with SqliteStore(path, busy_timeout=0.1) as store:
        store.add_item(ITEM)
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        try:
            with pytest.raises(StoreError, match="locked") as caught:
                store.set_jobs(ITEM.order_item_id, [JOB])
        finally:
            other.execute("ROLLBACK")
            other.close()
        # It waited its busy timeout, and gave up instead of waiting for the lock for ever.
        assert 0.1 <= time.monotonic() - started < 30.0
        assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
        assert ITEM.order_item_id in str(caught.value)
        assert store.set_jobs(ITEM.order_item_id, [JOB])[0].state is JobState.RECEIVED


def test_a_constraint_failure_arrives_as_a_store_error(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "jobs.sqlite3") as store:
        store.add_item(ITEM)
        with pytest.raises(StoreError) as caught:
            store.set_jobs(ITEM.order_item_id, [JOB, JOB])
        assert isinstance(caught.value.__cause__, sqlite3.IntegrityError)
        assert store.jobs() == []


def test_a_file_that_cannot_be_opened_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open") as caught:
        SqliteStore(tmp_path / "missing-folder" / "jobs.sqlite3")
    assert isinstance(caught.value.__cause__, sqlite3.Error)
    assert "missing-folder" in str(caught.value)


def test_threads_share_one_store(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "jobs.sqlite3") as store:
        errors: list[BaseException] = []

        def work(n: int) -> None:
            try:
                for k in range(10):
                    store.set_meta(f"{n}-{k}", str(k))
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert store.get_meta("3-9") == "9"


def _file_bytes(path: Path) -> bytes:
    """The database file and its write-ahead log, as a byte scan of the disk would see them."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_a_purged_digest_is_nowhere_in_the_files_afterwards(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    digest = hashlib.sha256(b"the buyer's zip").hexdigest()
    with SqliteStore(path) as store:
        db = store._conn
        assert db is not None and db.execute("PRAGMA secure_delete").fetchone()[0] == 1
        store.add_item(dataclasses.replace(ITEM, digest=digest))
        store.set_jobs(ITEM.order_item_id, [JOB])
        for state in (JobState.RENDERED, JobState.QUEUED, JobState.PRINTED, JobState.SHIPPED):
            store.transition(JOB.job_id, state, hot_paths=["hot/uv-1/a.pdf"])
        for n in range(50):  # churn, so the digest's row has been written in several places
            store.set_meta(f"k{n}", "x" * 500)
        assert digest.encode() in _file_bytes(path)

        store.purge_order(ITEM.order_id, reason="retention")

        assert digest.encode() not in _file_bytes(path)
        assert path.with_name(path.name + "-wal").stat().st_size == 0  # truncated, not kept
        item = store.item(ITEM.order_item_id)
        assert item is not None and (item.zip_path, item.digest) == ("", "")
    assert digest.encode() not in _file_bytes(path)
