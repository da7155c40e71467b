"""The SQLite store's order summary and change count: what the queries read, the migration from
schema 5, the answers the old whole-history queries gave, and bulk loading."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

from production.core.errors import StoreError
from production.store import JobState, LabelState, ShipmentState
from production.store.sqlite.store import SCHEMA_VERSION, SqliteStore
from production.store.sqlite.tables import stamp
from tests.store.test_store_contract import START, Clock, new_item, new_job
from tests.store.test_store_orders import history

S = JobState

# The queries of schema 5, which grouped every job of the history: the reference for what the
# summary must answer.
OLD_READY = (
    "SELECT i.order_id FROM items AS i LEFT JOIN jobs AS j ON j.order_item_id = i.order_item_id"
    " GROUP BY i.order_id HAVING SUM(j.state = 'printed') > 0"
    " AND SUM(j.state NOT IN ('printed', 'cancelled')) = 0 AND SUM(j.job_id IS NULL) = 0"
    " ORDER BY i.order_id"
)
OLD_PURGE = (
    "SELECT i.order_id FROM items AS i LEFT JOIN jobs AS j ON j.order_item_id = i.order_item_id"
    " WHERE i.order_id IN (SELECT order_id FROM jobs WHERE state IN ('cancelled', 'shipped'))"
    " GROUP BY i.order_id HAVING SUM(j.job_id IS NULL) = 0"
    " AND SUM(j.state NOT IN ('cancelled', 'purged', 'shipped')) = 0"
    " AND MAX(CASE WHEN j.state IN ('cancelled', 'shipped') THEN j.updated_at END) <= ?"
    " ORDER BY i.order_id"
)


def old_answers(path: Path, closed_before: datetime) -> tuple[list[str], list[str]]:
    db = sqlite3.connect(path)
    try:
        ready = [row[0] for row in db.execute(OLD_READY)]
        due = [row[0] for row in db.execute(OLD_PURGE, (stamp(closed_before),))]
    finally:
        db.close()
    return ready, due


@pytest.mark.parametrize("seed", range(20, 23))
def test_the_summary_answers_what_the_whole_history_queries_did(tmp_path: Path, seed: int) -> None:
    clock, path = Clock(), tmp_path / "jobs.sqlite3"
    with SqliteStore(path, clock=clock) as store:
        for name in history(store, seed, 150):
            middle = START + (clock.now - START) / 2
            for closed_before in (clock.now, middle):
                ready, due = old_answers(path, closed_before)
                assert store.orders_ready_to_ship() == ready, name
                assert store.orders_to_purge(closed_before=closed_before) == due, name


def as_version_5(path: Path) -> None:
    """Take the file back to what schema 5 wrote: no summary, no counter, no listing indexes."""
    db = sqlite3.connect(path)
    try:
        triggers = [row[0] for row in db.execute("SELECT name FROM sqlite_master"
                                                 " WHERE type = 'trigger'")]  # fmt: skip
        for trigger in triggers:
            db.execute(f"DROP TRIGGER {trigger}")
        for index in ("jobs_created", "shipments_updated"):
            db.execute(f"DROP INDEX {index}")
        db.execute("DROP TABLE order_summary")
        db.execute("DROP TABLE store_changes")
        db.execute("PRAGMA user_version = 5")
        db.commit()
    finally:
        db.close()


def test_a_version_5_file_gains_its_summary_from_the_history_it_has(tmp_path: Path) -> None:
    clock, path = Clock(), tmp_path / "jobs.sqlite3"
    with SqliteStore(path, clock=clock) as store:
        for _ in history(store, 30, 200):
            pass
        for n, last in ((7, S.PRINTED), (8, S.SHIPPED)):  # one order ready, one closed
            item_id, order_id = f"9000000000{n}001", f"900-000000{n}-000000{n}"
            store.add_item(new_item(item_id, order_id))
            [job] = store.set_jobs(item_id, [new_job("FRONT", item_id, order_id)])
            for state in (S.RENDERED, S.QUEUED, S.PRINTED, S.SHIPPED):
                store.transition(job.job_id, state)
                if state is last:
                    break
        ready, due = store.orders_ready_to_ship(), store.orders_to_purge(closed_before=clock.now)
        jobs = store.jobs()
    as_version_5(path)
    assert old_answers(path, clock.now) == (ready, due)

    with SqliteStore(path, clock=clock) as store:
        assert store.orders_ready_to_ship() == ready
        assert store.orders_to_purge(closed_before=clock.now) == due
        assert store.jobs() == jobs
        count = store.change_count()
        [first] = [job for job in jobs if job.order_id == ready[0] and job.state is S.PRINTED][:1]
        store.transition(first.job_id, S.QUEUED, reason="reprint")
        assert ready[0] not in store.orders_ready_to_ship()
        assert store.change_count() > count
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 7
    db.close()


@contextmanager
def statements(store: SqliteStore) -> Iterator[list[str]]:
    """Every SQL statement the store's own connection runs meanwhile."""
    seen: list[str] = []
    db = store._conn  # the store's connection: what it runs is what this test is about
    assert db is not None
    db.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        db.set_trace_callback(None)


def plans(path: Path, sql: list[str]) -> list[str]:
    """SQLite's query plan lines of each statement (as traced: its values written in)."""
    db = sqlite3.connect(path)
    try:
        lines = []
        for statement in sql:
            lines += [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {statement}")]
    finally:
        db.close()
    return lines


def test_the_order_questions_read_through_indexes_never_a_whole_table(tmp_path: Path) -> None:
    clock, path = Clock(), tmp_path / "jobs.sqlite3"
    with SqliteStore(path, clock=clock) as store:
        for _ in history(store, 40, 100):
            pass
        with statements(store) as seen:
            store.orders_ready_to_ship()
            store.ready_to_ship("900-0000001-0000001")
            store.orders_to_purge(closed_before=clock.now)
            store.orders(["900-0000001-0000001", "900-0000002-0000002"])
            store.recent_shipments(limit=50, since=START, states={ShipmentState.CONFIRMED})
            store.jobs(state=S.HELD)
            store.jobs(limit=200, newest_first=True)
            store.count_jobs(state=S.HELD)
            store.change_count()
    lines = plans(path, [sql for sql in seen if sql.lstrip().startswith("SELECT")])
    assert lines
    whole = [line for line in lines if line.startswith("SCAN") and "json_each" not in line
             and not any(f"INDEX {index}" in line for index in PARTIAL_INDEXES)]  # fmt: skip
    assert whole == []


# Walking these reads only the rows asked for: partial indexes of the ready and the purgeable
# orders, and the listing's index, walked up to the page's LIMIT.
PARTIAL_INDEXES = ("order_summary_ready", "order_summary_purgeable", "jobs_created")


def test_bulk_commits_everything_at_the_end_or_nothing(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    with SqliteStore(path, clock=Clock()) as store:
        with store.bulk():
            for n in range(3):
                store.add_item(new_item(f"9000000000000{n}", f"900-000000{n}-000000{n}"))
            with pytest.raises(StoreError):  # refused inside: undone alone, the rest goes on
                store.set_jobs("90000000000099", [new_job("FRONT", "90000000000099")])
            other = sqlite3.connect(path)
            assert other.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 0  # not yet
            other.close()
        assert len(store.items()) == 3
        with pytest.raises(RuntimeError), store.bulk():
            store.add_item(new_item("90000000000042", "900-0000042-0000042"))
            raise RuntimeError("the loader failed")
        assert len(store.items()) == 3
        assert store.add_item(new_item("90000000000042", "900-0000042-0000042"))


def test_every_label_write_raises_the_change_count(tmp_path: Path) -> None:
    """The desk shows labels (and answers a refresh from the count alone): a label planned,
    bought, refused or voided must move it, or the page would stay as it was."""
    with SqliteStore(tmp_path / "jobs.sqlite3", clock=Clock()) as store:
        store.add_item(new_item())
        order_id = new_item().order_id
        writes: list[Callable[[], object]] = [
            lambda: store.plan_labels(order_id, [[(new_item().order_item_id, 1)]]),
            lambda: store.finish_label(
                store.labels()[0].label_id,
                state=LabelState.REFUSED,
                expect={LabelState.PLANNED},
                message="InvalidInput: refused",
            ),
            lambda: store.plan_labels(order_id, [[(new_item().order_item_id, 1)]]),
        ]
        for write in writes:
            count = store.change_count()
            write()
            assert store.change_count() > count
