"""The job store contract: every backend must pass these tests unchanged.

A backend joins by adding an entry to `BACKENDS`: a function that, given a fresh folder and a
clock, says how to open the store here and in another process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from production.core.errors import StoreError
from production.store import (
    Approval,
    JobRecord,
    JobState,
    JobStore,
    NewItem,
    NewJob,
    ShipmentRecord,
    ShipmentState,
)
from production.store.sqlite.store import SqliteStore

S = JobState
ROOT = Path(__file__).resolve().parents[2]
ORDER = "900-0000003-0000003"
ITEM = "90000000000033"
START = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

# The state machine as the design fixes it, written out here rather than imported, so that a
# change to the implementation's table cannot pass unnoticed.
ALLOWED = {
    S.RECEIVED: {S.RENDERED, S.HELD, S.CANCELLED},
    S.RENDERED: {S.QUEUED, S.HELD, S.CANCELLED, S.RECEIVED},
    S.QUEUED: {S.PRINTED, S.HELD, S.CANCELLED, S.RENDERED},
    S.PRINTED: {S.SHIPPED, S.QUEUED, S.CANCELLED},
    S.SHIPPED: {S.PURGED, S.CANCELLED},  # a label voided before the carrier had it
    S.PURGED: set(),
    S.HELD: {S.RECEIVED, S.RENDERED, S.CANCELLED},
    S.CANCELLED: {S.PURGED},
}
# How a new (received) job reaches each state.
ROUTE = {
    S.RECEIVED: [],
    S.RENDERED: [S.RENDERED],
    S.QUEUED: [S.RENDERED, S.QUEUED],
    S.PRINTED: [S.RENDERED, S.QUEUED, S.PRINTED],
    S.SHIPPED: [S.RENDERED, S.QUEUED, S.PRINTED, S.SHIPPED],
    S.PURGED: [S.RENDERED, S.QUEUED, S.PRINTED, S.SHIPPED, S.PURGED],
    S.HELD: [S.HELD],
    S.CANCELLED: [S.CANCELLED],
}


class Clock:
    """A clock that moves one second each time it is read."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@dataclass(frozen=True)
class Backend:
    open: Callable[[], JobStore]
    child_code: str  # Python that binds `store` to the same store in another process


def sqlite_backend(folder: Path, clock: Clock) -> Backend:
    path = folder / "jobs.sqlite3"
    child = "from pathlib import Path\nfrom production.store.sqlite.store import SqliteStore\n"
    child += f"store = SqliteStore(Path({str(path)!r}))\n"
    return Backend(open=lambda: SqliteStore(path, clock=clock), child_code=child)


BACKENDS: dict[str, Callable[[Path, Clock], Backend]] = {"sqlite": sqlite_backend}


# -- helpers -------------------------------------------------------------------------------


def new_item(item_id: str = ITEM, order_id: str = ORDER, *, digest: str = "ab" * 32) -> NewItem:
    return NewItem(item_id, order_id, "B0MUG", "MUG-11", 1, f"inbox/{item_id}.zip", digest)


def new_job(surface: str, item_id: str = ITEM, order_id: str = ORDER) -> NewJob:
    return NewJob(f"{item_id}-{surface}", surface, "uv-1", f"{order_id}_{item_id}_{surface}")


def add(
    store: JobStore,
    item_id: str = ITEM,
    order_id: str = ORDER,
    surfaces: tuple[str, ...] = ("FRONT",),
) -> list[JobRecord]:
    """An item with one received job per surface."""
    assert store.add_item(new_item(item_id, order_id))
    return store.set_jobs(item_id, [new_job(s, item_id, order_id) for s in surfaces], reason="plan")


def get(store: JobStore, job_id: str) -> JobRecord:
    record = store.job(job_id)
    assert record is not None, job_id
    return record


def walk(store: JobStore, job_id: str, *states: JobState) -> JobRecord:
    """Move the job through `states`, holding with a cause where needed."""
    record = get(store, job_id)
    for state in states:
        cause = "missing font" if state is S.HELD else None
        record = store.transition(job_id, state, reason=f"to {state}", cause=cause)
    return record


def run_child(backend: Backend, body: str) -> subprocess.Popen[str]:
    """Start another Python process that opens the store and runs `body`."""
    code = backend.child_code + textwrap.dedent(body)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


# -- items ---------------------------------------------------------------------------------


def test_add_item_records_an_item_once(store: JobStore) -> None:
    assert store.add_item(new_item()) is True
    assert store.add_item(new_item(digest="cd" * 32)) is False
    assert store.add_item(new_item("90000000000044")) is True
    assert store.add_item(new_item("90000000000055", "900-0000009-0000009")) is True

    item = store.item(ITEM)
    assert item is not None
    assert (item.order_item_id, item.order_id, item.asin, item.sku) == (
        ITEM,
        ORDER,
        "B0MUG",
        "MUG-11",
    )
    assert (item.quantity, item.zip_path, item.digest) == (1, f"inbox/{ITEM}.zip", "ab" * 32)
    assert item.received_at == START + timedelta(seconds=1)
    assert item.received_at.utcoffset() == timedelta(0)
    assert store.item("90000000000099") is None
    assert [i.order_item_id for i in store.items(order_id=ORDER)] == [ITEM, "90000000000044"]
    assert len(store.items()) == 3


def test_an_item_keeps_its_ship_by_date_or_none(store: JobStore) -> None:
    berlin = timezone(timedelta(hours=2))
    ship_by = datetime(2026, 3, 4, 8, 59, 59, tzinfo=berlin)
    item = NewItem(ITEM, ORDER, "B0MUG", "MUG-11", 1, "z.zip", "ab" * 32, ship_by=ship_by)
    assert store.add_item(item)
    assert store.add_item(new_item("90000000000044"))  # dropped by hand: no ship-by date

    kept = store.item(ITEM)
    assert kept is not None and kept.ship_by == ship_by
    assert kept.ship_by.utcoffset() == timedelta(0)  # read back in UTC, like every time
    dropped = store.item("90000000000044")
    assert dropped is not None and dropped.ship_by is None
    assert [i.ship_by for i in store.items(order_id=ORDER)] == [ship_by, None]
    assert store.set_item_zip(ITEM, zip_path="y.zip", digest="cd").ship_by == ship_by
    later = store.set_item_ship_by("90000000000044", ship_by)  # Amazon's date, seen later
    assert later.ship_by == ship_by and store.item("90000000000044") == later
    with pytest.raises(StoreError, match="90000000000099"):
        store.set_item_ship_by("90000000000099", ship_by)


# -- set_jobs ------------------------------------------------------------------------------


def test_set_jobs_creates_received_jobs_each_with_an_audit_row(store: JobStore) -> None:
    created = add(store, surfaces=("FRONT", "BACK"))

    front = get(store, f"{ITEM}-FRONT")
    assert front == created[0]
    assert front.order_id == ORDER and front.order_item_id == ITEM
    assert (front.surface, front.printer, front.stem) == ("FRONT", "uv-1", f"{ORDER}_{ITEM}_FRONT")
    assert (front.state, front.reason, front.cause) == (S.RECEIVED, "plan", None)
    assert (front.hot_paths, front.attempts) == ((), 0)
    assert front.created_at == front.updated_at
    assert front.created_at.utcoffset() == timedelta(0)
    rows = store.audit(order_id=ORDER)
    assert [(r.job_id, r.from_state, r.to_state, r.reason) for r in rows] == [
        (f"{ITEM}-FRONT", None, S.RECEIVED, "plan"),
        (f"{ITEM}-BACK", None, S.RECEIVED, "plan"),
    ]


def test_set_jobs_replaces_unshipped_jobs_and_keeps_queued_ones(store: JobStore) -> None:
    add(store, surfaces=("FRONT", "BACK", "LID"))
    walk(store, f"{ITEM}-FRONT", S.HELD)
    back = walk(store, f"{ITEM}-BACK", S.RENDERED, S.QUEUED)
    walk(store, f"{ITEM}-LID", S.RENDERED)

    jobs = [new_job("FRONT"), new_job("BACK"), new_job("INSIDE")]
    added = store.set_jobs(ITEM, jobs, reason="font installed")

    assert [job.job_id for job in added] == [f"{ITEM}-FRONT", f"{ITEM}-INSIDE"]
    assert store.job(f"{ITEM}-BACK") == back  # untouched, not re-added
    assert store.job(f"{ITEM}-LID") is None
    front = get(store, f"{ITEM}-FRONT")
    assert (front.state, front.cause, front.reason) == (S.RECEIVED, None, "font installed")
    assert {job.job_id for job in store.jobs(order_item_id=ITEM)} == {
        f"{ITEM}-FRONT",
        f"{ITEM}-BACK",
        f"{ITEM}-INSIDE",
    }
    # The history of replaced jobs stays.
    assert [r.to_state for r in store.audit(job_id=f"{ITEM}-LID")] == [S.RECEIVED, S.RENDERED]
    assert [(r.from_state, r.to_state) for r in store.audit(job_id=f"{ITEM}-FRONT")] == [
        (None, S.RECEIVED),
        (S.RECEIVED, S.HELD),
        (None, S.RECEIVED),
    ]


def test_set_jobs_can_start_jobs_held_but_not_queued(store: JobStore) -> None:
    assert store.add_item(new_item())
    with pytest.raises(StoreError, match="cause"):
        store.set_jobs(ITEM, [new_job("FRONT")], state=S.HELD)
    with pytest.raises(StoreError, match="queued"):
        store.set_jobs(ITEM, [new_job("FRONT")], state=S.QUEUED)
    assert store.jobs() == [] and store.audit() == []

    (held,) = store.set_jobs(
        ITEM, [new_job("FRONT")], state=S.HELD, reason="cannot render", cause="missing font"
    )
    assert (held.state, held.cause) == (S.HELD, "missing font")
    assert store.job(held.job_id) == held
    assert store.audit()[-1].to_state is S.HELD


def test_set_jobs_for_an_unknown_item_is_an_error(store: JobStore) -> None:
    with pytest.raises(StoreError, match="90000000000099"):
        store.set_jobs("90000000000099", [new_job("FRONT", "90000000000099")])


def test_a_transaction_that_fails_midway_leaves_nothing(store: JobStore) -> None:
    add(store, surfaces=("FRONT", "BACK"))
    held = walk(store, f"{ITEM}-FRONT", S.HELD)
    before_jobs, before_audit = store.jobs(), store.audit()

    # The old jobs are deleted and the first new one written before the duplicate fails.
    with pytest.raises(StoreError) as caught:
        store.set_jobs(ITEM, [new_job("FRONT"), new_job("TOP"), new_job("FRONT")])

    assert ITEM in str(caught.value)
    assert store.jobs() == before_jobs
    assert store.job(held.job_id) == held
    assert store.audit() == before_audit


# -- transitions ---------------------------------------------------------------------------


@pytest.mark.parametrize("start", list(S))
def test_each_state_allows_exactly_the_designed_changes(store: JobStore, start: JobState) -> None:
    for n, to in enumerate(S):
        item_id = f"9000000000{n:04d}"
        (job,) = add(store, item_id=item_id)
        before = walk(store, job.job_id, *ROUTE[start])
        audit_before = store.audit(job_id=job.job_id)
        cause = "missing font" if to is S.HELD else None

        if to in ALLOWED[start]:
            after = store.transition(job.job_id, to, reason="test", cause=cause)
            assert after.state is to and store.job(job.job_id) == after
            last = store.audit(job_id=job.job_id)[-1]
            assert (last.from_state, last.to_state, last.reason) == (start, to, "test")
        else:
            with pytest.raises(StoreError) as caught:
                store.transition(job.job_id, to, reason="test", cause=cause)
            message = str(caught.value)
            assert job.job_id in message and str(start) in message and str(to) in message
            assert store.job(job.job_id) == before
            assert store.audit(job_id=job.job_id) == audit_before


def test_a_refused_change_names_the_job_and_both_states(store: JobStore) -> None:
    (job,) = add(store)
    walk(store, job.job_id, S.RENDERED, S.QUEUED)
    with pytest.raises(StoreError) as caught:
        store.transition(job.job_id, S.SHIPPED)
    assert str(caught.value) == f"job {job.job_id}: cannot change from queued to shipped"
    with pytest.raises(StoreError, match="from queued to queued"):
        store.transition(job.job_id, S.QUEUED, expect=[S.QUEUED])


def test_changing_an_unknown_job_is_an_error(store: JobStore) -> None:
    with pytest.raises(StoreError, match="90000000000099-FRONT"):
        store.transition("90000000000099-FRONT", S.RENDERED)
    assert store.job("90000000000099-FRONT") is None


def test_audit_has_one_row_per_change_in_order(store: JobStore, clock: Clock) -> None:
    (front, back) = add(store, surfaces=("FRONT", "BACK"))
    add(store, item_id="90000000000077", order_id="900-0000007-0000007")
    store.transition(front.job_id, S.RENDERED, reason="rendered in 0.2 s")
    store.transition(back.job_id, S.HELD, reason="cannot render", cause="missing font")
    store.transition(front.job_id, S.QUEUED, reason="delivered to uv-1")
    store.transition(front.job_id, S.PRINTED, reason="done file")

    rows = store.audit(order_id=ORDER)
    assert [(r.job_id[-5:], r.from_state, r.to_state, r.reason) for r in rows] == [
        ("FRONT", None, S.RECEIVED, "plan"),
        ("-BACK", None, S.RECEIVED, "plan"),
        ("FRONT", S.RECEIVED, S.RENDERED, "rendered in 0.2 s"),
        ("-BACK", S.RECEIVED, S.HELD, "cannot render"),
        ("FRONT", S.RENDERED, S.QUEUED, "delivered to uv-1"),
        ("FRONT", S.QUEUED, S.PRINTED, "done file"),
    ]
    assert all(r.order_id == ORDER for r in rows)
    times = [r.at for r in rows]
    assert times == sorted(times) and times[-1] == clock.now
    assert get(store, front.job_id).updated_at == clock.now
    assert [r.to_state for r in store.audit(job_id=back.job_id)] == [S.RECEIVED, S.HELD]
    assert len(store.audit()) == len(rows) + 1


def test_holding_needs_a_cause_and_leaving_clears_it(store: JobStore) -> None:
    (job,) = add(store)
    with pytest.raises(StoreError, match="cause"):
        store.transition(job.job_id, S.HELD, reason="cannot render")
    with pytest.raises(StoreError, match="cause"):
        store.transition(job.job_id, S.RENDERED, cause="missing font")
    assert store.job(job.job_id) == job

    held = store.transition(job.job_id, S.HELD, reason="cannot render", cause="missing font")
    assert (held.cause, held.reason) == ("missing font", "cannot render")
    released = store.transition(job.job_id, S.RENDERED, reason="rendered by hand")
    assert (released.state, released.cause) == (S.RENDERED, None)
    assert get(store, job.job_id).cause is None


def test_releasing_a_held_job_to_received_counts_an_attempt(store: JobStore) -> None:
    (job,) = add(store)
    walk(store, job.job_id, S.HELD, S.RECEIVED, S.HELD, S.RECEIVED)
    assert get(store, job.job_id).attempts == 2
    walk(store, job.job_id, S.HELD, S.RENDERED, S.RECEIVED)
    assert get(store, job.job_id).attempts == 2


def test_a_rerender_keeps_the_count_of_retries(store: JobStore) -> None:
    (job,) = add(store)
    walk(store, job.job_id, S.HELD, S.RECEIVED)
    [front, back] = store.set_jobs(
        ITEM, [new_job("FRONT", ITEM, ORDER), new_job("BACK", ITEM, ORDER)], reason="again"
    )
    assert (front.attempts, back.attempts) == (1, 1)


def test_expect_changes_only_from_the_expected_states(store: JobStore) -> None:
    (job,) = add(store)
    walk(store, job.job_id, S.RENDERED, S.QUEUED)

    done = store.transition(job.job_id, S.PRINTED, reason="done", expect={S.QUEUED})
    assert done.state is S.PRINTED
    with pytest.raises(StoreError) as caught:
        store.transition(job.job_id, S.SHIPPED, reason="done again", expect={S.QUEUED})
    assert job.job_id in str(caught.value) and "printed" in str(caught.value)
    assert store.job(job.job_id) == done
    assert [r.to_state for r in store.audit(job_id=job.job_id)].count(S.PRINTED) == 1
    assert store.transition(job.job_id, S.SHIPPED, expect=[S.PRINTED]).state is S.SHIPPED


def test_expect_cause_changes_a_held_job_only_for_those_causes(store: JobStore) -> None:
    (job,) = add(store)
    held = store.transition(job.job_id, S.HELD, reason="proof score 0.06", cause="proof")
    with pytest.raises(StoreError) as caught:
        store.transition(job.job_id, S.RENDERED, expect={S.HELD}, expect_cause={"printer"})
    assert "held for proof" in str(caught.value) and "printer" in str(caught.value)
    assert store.job(job.job_id) == held
    released = store.transition(job.job_id, S.RENDERED, expect_cause={"proof", "review"})
    assert (released.state, released.cause) == (S.RENDERED, None)


APPROVAL = Approval(
    by="alice", reason="looks right", at=START, cause="proof", held_for="proof score 0.06"
)


def test_an_approval_is_kept_through_every_later_change(store: JobStore) -> None:
    (job,) = add(store)
    store.transition(job.job_id, S.HELD, reason="proof score 0.06", cause="proof")
    approved = store.transition(
        job.job_id, S.RENDERED, reason="approved by alice", approval=APPROVAL
    )
    assert approved.approval == APPROVAL
    assert walk(store, job.job_id, S.QUEUED, S.HELD, S.RENDERED, S.QUEUED).approval == APPROVAL
    assert get(store, job.job_id).approval == APPROVAL
    assert [r.reason for r in store.audit(job_id=job.job_id)][2] == "approved by alice"


def test_a_rerender_keeps_an_approval_for_the_same_job_only(store: JobStore) -> None:
    (job,) = add(store)
    store.transition(job.job_id, S.HELD, reason="proof score 0.06", cause="proof")
    store.transition(job.job_id, S.RECEIVED, reason="approved", approval=APPROVAL)
    [front, back] = store.set_jobs(
        ITEM, [new_job("FRONT", ITEM, ORDER), new_job("BACK", ITEM, ORDER)], reason="again"
    )
    assert (front.approval, back.approval) == (APPROVAL, None)
    assert get(store, front.job_id).approval == APPROVAL


def test_hot_paths_are_replaced_only_when_given(store: JobStore) -> None:
    (job,) = add(store)
    walk(store, job.job_id, S.RENDERED)
    stem = job.stem
    queued = store.transition(
        job.job_id, S.QUEUED, hot_paths=[f"hot/uv-1/{stem}.pdf", f"hot/uv-1/{stem}.json"]
    )
    assert queued.hot_paths == (f"hot/uv-1/{stem}.pdf", f"hot/uv-1/{stem}.json")
    assert store.transition(job.job_id, S.PRINTED).hot_paths == queued.hot_paths
    assert get(store, job.job_id).hot_paths == queued.hot_paths
    assert store.transition(job.job_id, S.QUEUED, hot_paths=[]).hot_paths == ()


def test_jobs_filters_combine_and_come_in_creation_order(store: JobStore) -> None:
    add(store, surfaces=("FRONT", "BACK"))
    add(store, item_id="90000000000044", surfaces=("LID",))
    add(store, item_id="90000000000055", order_id="900-0000009-0000009")
    walk(store, f"{ITEM}-BACK", S.RENDERED)

    def ids(**filters: Any) -> list[str]:
        return [job.job_id for job in store.jobs(**filters)]

    # Jobs created together are ordered by id.
    assert ids() == [f"{ITEM}-BACK", f"{ITEM}-FRONT", "90000000000044-LID", "90000000000055-FRONT"]
    assert ids(order_id=ORDER) == [f"{ITEM}-BACK", f"{ITEM}-FRONT", "90000000000044-LID"]
    assert ids(order_item_id="90000000000044") == ["90000000000044-LID"]
    assert ids(state=S.RECEIVED, order_id=ORDER) == [f"{ITEM}-FRONT", "90000000000044-LID"]
    assert ids(state=S.RENDERED) == [f"{ITEM}-BACK"]
    assert ids(state=S.QUEUED) == []


# -- orders --------------------------------------------------------------------------------


def test_orders_ready_to_ship_need_every_live_job_printed(store: JobStore) -> None:
    def order(n: int, *item_states: tuple[JobState, ...]) -> str:
        order_id = f"900-000000{n}-000000{n}"
        for i, states in enumerate(item_states):
            item_id = f"9000000000{n}{i}00"
            surfaces = tuple(f"S{k}" for k in range(len(states)))
            for job, state in zip(add(store, item_id, order_id, surfaces), states, strict=True):
                walk(store, job.job_id, *ROUTE[state])
        return order_id

    printed, queued, cancelled = S.PRINTED, S.QUEUED, S.CANCELLED
    all_printed = order(1, (printed, printed), (printed,))
    order(2, (printed, queued))
    with_cancelled = order(3, (printed,), (cancelled, printed))
    order(4, (cancelled, cancelled))
    order(5, (printed, S.SHIPPED))
    order(6, (S.HELD,), (printed,))
    waiting_item = order(7, (printed,))
    assert store.add_item(new_item("90000000000788", waiting_item))  # not planned yet

    assert store.orders_ready_to_ship() == [all_printed, with_cancelled]
    store.set_jobs("90000000000788", [new_job("FRONT", "90000000000788", waiting_item)])
    walk(store, "90000000000788-FRONT", *ROUTE[printed])
    assert store.orders_ready_to_ship() == [all_printed, with_cancelled, waiting_item]


def test_cancel_order_cancels_every_job_not_yet_shipped(store: JobStore) -> None:
    jobs = add(store, surfaces=("A", "B", "C", "D", "E", "F"))
    states = [S.RECEIVED, S.HELD, S.QUEUED, S.PRINTED, S.SHIPPED, S.CANCELLED]
    for job, state in zip(jobs, states, strict=True):
        walk(store, job.job_id, *ROUTE[state])
    (other,) = add(store, item_id="90000000000055", order_id="900-0000009-0000009")
    shipped_before = store.job(jobs[4].job_id)

    changed = store.cancel_order(ORDER, reason="buyer cancelled")

    assert [job.job_id for job in changed] == [job.job_id for job in jobs[:4]]
    for job in changed:
        assert store.job(job.job_id) == job
        assert (job.state, job.cause, job.reason) == (S.CANCELLED, None, "buyer cancelled")
    assert store.job(jobs[4].job_id) == shipped_before
    assert get(store, other.job_id).state is S.RECEIVED
    cancels = [r for r in store.audit(order_id=ORDER) if r.reason == "buyer cancelled"]
    assert [(r.job_id, r.from_state) for r in cancels] == [
        (job.job_id, state) for job, state in zip(jobs[:4], states[:4], strict=True)
    ]
    assert store.cancel_order(ORDER, reason="again") == []
    assert store.cancel_order("900-0000099-0000099", reason="unknown") == []


# -- meta, durability, other processes ------------------------------------------------------


def test_meta_values_are_kept_by_key(store: JobStore) -> None:
    assert store.get_meta("last_poll") is None
    store.set_meta("last_poll", "2024-05-01T12:00:00+00:00")
    store.set_meta("other", "1")
    store.set_meta("last_poll", "2024-05-01T12:05:00+00:00")
    assert store.get_meta("last_poll") == "2024-05-01T12:05:00+00:00"
    assert store.get_meta("other") == "1"


def test_reopening_the_store_keeps_everything(backend: Backend) -> None:
    first = backend.open()
    (front, back) = add(first, surfaces=("FRONT", "BACK"))
    walk(first, front.job_id, S.RENDERED)
    first.transition(front.job_id, S.QUEUED, hot_paths=["hot/uv-1/a.pdf"])
    walk(first, back.job_id, S.HELD, S.RECEIVED)
    first.set_meta("last_poll", "x")
    seen = (first.items(), first.jobs(), first.audit(), first.orders_ready_to_ship())
    first.close()
    with pytest.raises(StoreError, match="closed"):
        first.jobs()

    second = backend.open()
    try:
        assert (
            second.items(),
            second.jobs(),
            second.audit(),
            second.orders_ready_to_ship(),
        ) == seen
        assert second.get_meta("last_poll") == "x"
        assert get(second, back.job_id).attempts == 1
        assert second.add_item(new_item()) is False
    finally:
        second.close()


def test_another_process_can_change_a_job_while_the_store_is_open(
    store: JobStore, backend: Backend
) -> None:
    (job,) = add(store)
    walk(store, job.job_id, S.RENDERED, S.QUEUED)

    child = run_child(
        backend,
        f"""
        done = store.transition({job.job_id!r}, "printed", reason="done by operator",
                                expect=["queued"])
        store.close()
        print(done.state)
        """,
    )
    out, err = child.communicate(timeout=30)

    assert child.returncode == 0, err
    assert out.strip() == "printed"
    assert get(store, job.job_id).state is S.PRINTED
    store.transition(job.job_id, S.SHIPPED, reason="confirmed")
    assert [(r.to_state, r.reason) for r in store.audit(job_id=job.job_id)][-2:] == [
        (S.PRINTED, "done by operator"),
        (S.SHIPPED, "confirmed"),
    ]


def test_two_processes_racing_for_one_change_make_it_once(
    store: JobStore, backend: Backend
) -> None:
    (job,) = add(store)
    walk(store, job.job_id, S.RENDERED, S.QUEUED)
    body = f"""
        import sys
        from production.core.errors import StoreError
        try:
            store.transition({job.job_id!r}, "printed", reason="done", expect=["queued"])
        except StoreError as exc:
            print(exc)
            sys.exit(3)
        """
    children = [run_child(backend, body) for _ in range(2)]
    results = [(child.communicate(timeout=30), child.returncode) for child in children]

    assert sorted(code for _, code in results) == [0, 3], results
    loser = next(out for (out, _), code in results if code == 3)
    assert job.job_id in loser and "printed" in loser
    assert [r.to_state for r in store.audit(job_id=job.job_id)].count(S.PRINTED) == 1


# --- shipments ---------------------------------------------------------------------------------

SHIP_DATE = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def ship(store: JobStore, tracking: str = "1Z999", **extra: Any) -> ShipmentRecord:
    return store.add_shipment(
        ORDER, carrier="UPS", tracking=tracking, ship_date=SHIP_DATE, items=[(ITEM, 1)], **extra
    )


def test_packages_are_numbered_and_a_retry_finds_the_same_package(store: JobStore) -> None:
    add(store)
    first = ship(store)
    assert (first.package_ref, first.state) == ("1", ShipmentState.PENDING)
    assert ship(store) == first  # the same tracking number: the same package, not a second one
    second = ship(store, "1Z998")
    assert second.package_ref == "2"
    assert second.items == ((ITEM, 1),) and second.ship_date == SHIP_DATE


def test_finishing_a_package_records_amazons_answer(store: JobStore) -> None:
    add(store)
    package = ship(store)
    failed = store.finish_shipment(
        ORDER, package.package_ref, state=ShipmentState.FAILED, message="bad carrier"
    )
    assert (failed.state, failed.message) == (ShipmentState.FAILED, "bad carrier")
    assert store.shipments(order_id=ORDER) == [failed]
    with pytest.raises(StoreError):
        store.finish_shipment(ORDER, "9", state=ShipmentState.CONFIRMED)


@pytest.mark.parametrize("ref", ["0", "-1", "A1", ""])
def test_a_package_reference_must_be_a_positive_number(store: JobStore, ref: str) -> None:
    add(store)
    with pytest.raises(StoreError):
        ship(store, package_ref=ref)


def test_an_item_gets_its_zip_later(store: JobStore) -> None:
    store.add_item(NewItem(ITEM, ORDER, "B0X", None, 1, zip_path="", digest=""))
    item = store.set_item_zip(ITEM, zip_path="/data/zips/x.zip", digest="ab")
    assert (item.zip_path, item.digest) == ("/data/zips/x.zip", "ab")


# --- retention -----------------------------------------------------------------------------


def closed_order(store: JobStore, n: int, *finals: JobState, digest: str = "ab" * 32) -> str:
    """Order `n` with one item and one job per final state (shipped, cancelled, purged, ...)."""
    order_id, item_id = f"900-000000{n}-000000{n}", f"9000000000{n}000"
    assert store.add_item(new_item(item_id, order_id, digest=digest))
    surfaces = [new_job(f"S{k}", item_id, order_id) for k in range(len(finals))]
    for job, final in zip(store.set_jobs(item_id, surfaces), finals, strict=True):
        walk(store, job.job_id, *ROUTE[final])
    return order_id


def test_orders_to_purge_are_wholly_shipped_or_cancelled_and_past_the_time(
    store: JobStore, clock: Clock
) -> None:
    shipped = closed_order(store, 1, S.SHIPPED, S.SHIPPED)
    cancelled = closed_order(store, 2, S.CANCELLED)
    mixed = closed_order(store, 3, S.SHIPPED, S.CANCELLED)
    closed_order(store, 4, S.SHIPPED, S.PRINTED)  # still on the floor
    closed_order(store, 5, S.HELD)
    waiting = closed_order(store, 6, S.SHIPPED)
    assert store.add_item(new_item("90000000006001", waiting))  # an item not planned yet
    purged = closed_order(store, 7, S.PURGED)
    half = closed_order(store, 8, S.SHIPPED)

    everything = store.orders_to_purge(closed_before=clock.now)
    assert everything == [shipped, cancelled, mixed, half]
    # Closed at the time its last job was shipped or cancelled: order 8 is the newest.
    last = max(job.updated_at for job in store.jobs(order_id=half))
    assert store.orders_to_purge(closed_before=last) == [shipped, cancelled, mixed, half]
    assert half not in store.orders_to_purge(closed_before=last - timedelta(microseconds=1))
    assert store.orders_to_purge(closed_before=START) == []
    assert purged not in everything


def test_purge_order_keeps_ids_and_history_and_forgets_the_zip(store: JobStore) -> None:
    order_id = closed_order(store, 1, S.SHIPPED, S.CANCELLED)
    [item] = store.items(order_id=order_id)
    shipped, cancelled = store.jobs(order_id=order_id)
    store.transition(shipped.job_id, S.PURGED)  # half-way purged before (a crash)
    other = closed_order(store, 2, S.SHIPPED)
    hot = store.jobs(order_id=other)[0]
    before_other = (store.items(order_id=other), store.jobs(order_id=other))
    assert hot.hot_paths == ()

    changed = store.purge_order(order_id, reason="retention 0 days")

    assert [job.job_id for job in changed] == [cancelled.job_id]
    assert {job.state for job in store.jobs(order_id=order_id)} == {S.PURGED}
    assert all(job.hot_paths == () for job in store.jobs(order_id=order_id))
    [after] = store.items(order_id=order_id)
    assert (after.zip_path, after.digest) == ("", "")
    assert (after.order_item_id, after.sku, after.quantity) == (
        item.order_item_id,
        item.sku,
        item.quantity,
    )
    last = store.audit(job_id=cancelled.job_id)[-1]
    assert (last.from_state, last.to_state) == (S.CANCELLED, S.PURGED)
    assert last.reason == "retention 0 days"
    assert (store.items(order_id=other), store.jobs(order_id=other)) == before_other
    assert store.orders_to_purge(closed_before=datetime.max.replace(tzinfo=UTC)) == [other]
    assert store.purge_order(order_id, reason="again") == []  # repeating changes nothing


def test_purge_order_clears_delivered_files_and_refuses_unfinished_orders(store: JobStore) -> None:
    (job,) = add(store)
    walk(store, job.job_id, S.RENDERED)
    store.transition(job.job_id, S.QUEUED, hot_paths=["hot/uv-1/a.pdf"])
    walk(store, job.job_id, S.PRINTED)
    with pytest.raises(StoreError, match=f"{job.job_id} \\(printed\\)"):
        store.purge_order(ORDER, reason="too early")
    assert get(store, job.job_id).state is S.PRINTED
    [item] = store.items(order_id=ORDER)
    assert item.digest == "ab" * 32

    walk(store, job.job_id, S.SHIPPED)
    [purged] = store.purge_order(ORDER, reason="retention")
    assert (purged.state, purged.hot_paths) == (S.PURGED, ())
    assert get(store, job.job_id) == purged
    with pytest.raises(StoreError, match="no such order"):
        store.purge_order("900-0000099-0000099", reason="unknown")


def test_purge_order_refuses_an_order_with_an_item_not_planned(store: JobStore) -> None:
    order_id = closed_order(store, 1, S.SHIPPED)
    assert store.add_item(new_item("90000000001999", order_id))
    with pytest.raises(StoreError, match="90000000001999 has no job"):
        store.purge_order(order_id, reason="retention")
    assert {job.state for job in store.jobs(order_id=order_id)} == {S.SHIPPED}
