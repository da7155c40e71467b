"""The job store contract for listings a page at a time: jobs by creation, recent packages.

`production jobs` and the desk read a page of a long history, never the whole of it; the store
filters, orders and counts. Every backend passes these.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from production.store import JobStore, ShipmentState
from tests.store.test_store_contract import (
    START,
    Clock,
    S,
    add,
    walk,
)


def order(n: int) -> str:
    return f"900-{n:07d}-{n:07d}"


def test_jobs_come_a_page_at_a_time_filtered_and_counted(store: JobStore) -> None:
    # Ten orders of two jobs each, one created per clock tick; every third order held.
    for n in range(10):
        jobs = add(store, f"9{n:013d}", order(n), ("BACK", "FRONT"))
        if n % 3 == 0:
            walk(store, jobs[0].job_id, S.HELD)
    every = store.jobs()
    assert len(every) == 20 == store.count_jobs()

    def ids(**filters: Any) -> list[str]:
        return [job.job_id for job in store.jobs(**filters)]

    # Forward pages: each starts after the last job of the one before.
    pages, after = [], None
    while page := store.jobs(limit=7, after=after):
        pages.append([job.job_id for job in page])
        after = page[-1]
    assert [len(p) for p in pages] == [7, 7, 6]
    assert [job_id for p in pages for job_id in p] == [job.job_id for job in every]
    # The newest first, and pages backwards from a job.
    assert ids(limit=3, newest_first=True) == [job.job_id for job in every[::-1][:3]]
    assert ids(newest_first=True, after=every[5], limit=2) == [every[4].job_id, every[3].job_id]
    # Created at a time or later: the listing starts there.
    since = every[12].created_at
    assert ids(since=since) == [job.job_id for job in every[12:]]
    assert store.count_jobs(since=since) == 8
    assert store.count_jobs(since=every[-1].created_at + timedelta(seconds=1)) == 0
    # Every filter combines with paging and counting.
    held = [job.job_id for job in every if job.state is S.HELD]
    assert ids(state=S.HELD) == held and store.count_jobs(state=S.HELD) == 4
    assert ids(state=S.HELD, limit=2, newest_first=True) == held[::-1][:2]
    assert ids(order_id=order(4)) == [f"9{4:013d}-BACK", f"9{4:013d}-FRONT"]
    assert store.count_jobs(order_id=order(4), since=since) == 0
    assert store.count_jobs(order_id=order(9), state=S.HELD) == 1
    assert ids(limit=0) == []


def test_recent_shipments_are_the_last_changed_first(store: JobStore, clock: Clock) -> None:
    packages = []
    for n in range(6):
        add(store, f"9{n:013d}", order(n))
        packages.append(
            store.add_shipment(order(n), carrier="UPS", tracking=f"1Z{n}", ship_date=START,
                               items=[(f"9{n:013d}", 1)])
        )  # fmt: skip
    confirmed = store.finish_shipment(order(1), "1", state=ShipmentState.CONFIRMED)
    manual = store.finish_shipment(order(4), "1", state=ShipmentState.MANUAL)
    store.finish_shipment(order(2), "1", state=ShipmentState.FAILED, message="bad carrier")
    done = {ShipmentState.CONFIRMED, ShipmentState.MANUAL}

    assert store.recent_shipments(limit=10, states=done) == [manual, confirmed]
    assert store.recent_shipments(limit=1, states=done) == [manual]
    assert store.recent_shipments(limit=10, states=done, since=manual.updated_at) == [manual]
    latest = store.recent_shipments(limit=3)
    assert [(s.order_id, s.state) for s in latest] == [
        (order(2), ShipmentState.FAILED), (order(4), ShipmentState.MANUAL),
        (order(1), ShipmentState.CONFIRMED),
    ]  # fmt: skip
    assert store.recent_shipments(limit=10, since=clock.now + timedelta(days=1)) == []
    assert len(store.recent_shipments(limit=100)) == len(packages)
