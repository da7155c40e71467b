"""How the job store scales: the desk, settling and claiming with 100k jobs of history.

Two shops in a temporary folder, side by side: one with no history, one whose store holds
`--jobs` jobs of it (orders printed, shipped or cancelled, their packages and some companion
orders; the older ones purged), built through the store's own interface, a batch of orders per
transaction (`SqliteStore.bulk`). Both get `--ready` orders ready to ship and a few held jobs,
through the store too: they have no master files, so the page shows no proofs (desk_page.py
measures those). Then, at 100k and at 0 jobs:

- the desk page (GET /) and an unchanged live refresh (304), through the real desk server on
  loopback, read like a browser does;
- `mark_printed` of a queued job, and claiming a zip (the inbox's claim and `take_in`: read,
  parse, move, record), alternating between the two shops;
- `production jobs --state held`, the whole process, against `python -c pass`.

    python benchmarks/store_scale.py [--jobs N] [--ready N]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from benchmarks.targets import Check, print_checks, print_verdict
from production.store import CompanionState, JobState, NewCompanionOrder, NewItem, NewJob
from production.store.shipments import ShipmentState
from production.store.sqlite.store import SqliteStore
from tests.daemon.shop import renumbered, sample
from tests.desk.desk_shop import DeskShop
from tests.desk.test_desk_http import logged_in_at

ROOT = Path(__file__).resolve().parents[1]
PAGE_P95_MS = 50.0
NOT_MODIFIED_P95_MS = 10.0
SAME_COST = 1.5  # at 100k jobs against 0: mark_printed, claiming a zip
JOBS_COMMAND = 6.0  # `production jobs --state held` against a bare interpreter
BATCH = 1000  # orders per transaction while the history is built
HISTORY_DAYS = 120  # the history spans this many days, up to yesterday
KEPT_DAYS = 30  # orders shipped more recently are not purged yet
HELD = 20
S = JobState


class HistoryClock:
    """The store's clock while the history is built: each order at its own time in the past."""

    def __init__(self) -> None:
        self.moment = datetime.now(UTC)

    def __call__(self) -> datetime:
        self.moment += timedelta(milliseconds=1)
        return self.moment


def old_order(store: SqliteStore, clock: HistoryClock, n: int, orders: int) -> None:
    """Order n of the history: one item, two jobs printed, then shipped or cancelled."""
    now = datetime.now(UTC)
    clock.moment = now - timedelta(days=HISTORY_DAYS) + (n / orders) * timedelta(days=119)
    order_id, item_id = f"800-{n:07d}-{n:07d}", f"8{n:013d}"
    store.add_item(NewItem(item_id, order_id, "B0HIST", "MUG-11", 1, f"/zips/{item_id}.zip",
                           "ab" * 32, ship_by=clock.moment + timedelta(days=3)))  # fmt: skip
    jobs = store.set_jobs(item_id, [_job(order_id, item_id, s) for s in ("FRONT", "BACK")])
    for job in jobs:
        store.transition(job.job_id, S.RENDERED)
        store.transition(job.job_id, S.QUEUED, hot_paths=[f"/hot/uv-1/{job.stem}.pdf"])
        store.transition(job.job_id, S.PRINTED)
    if n % 20 == 0:
        store.cancel_order(order_id, reason="buyer cancelled")
    else:
        package = store.add_shipment(order_id, carrier="UPS", tracking=f"1Z{n:016d}",
                                     ship_date=clock.moment, items=[(item_id, 1)])  # fmt: skip
        store.finish_shipment(order_id, package.package_ref, state=ShipmentState.CONFIRMED)
        for job in jobs:
            store.transition(job.job_id, S.SHIPPED)
    if n % 50 == 0:
        record = store.add_companion_order(NewCompanionOrder(
            order_id, "", f"{order_id}-1", (("LEASH-RED", 1),), (item_id,), clock.moment))  # fmt: skip
        store.save_companion_order(dataclasses.replace(record, state=CompanionState.DELIVERED))
    if clock.moment < now - timedelta(days=KEPT_DAYS):
        store.purge_order(order_id, reason="retention")


def _job(order_id: str, item_id: str, surface: str) -> NewJob:
    return NewJob(f"{item_id}-{surface}", surface, "uv-1", f"{order_id}_{item_id}_{surface}")


def build_history(path: Path, jobs: int) -> float:
    """`jobs` jobs of history in the store at `path`, a batch per transaction; the seconds."""
    started, clock, orders = time.perf_counter(), HistoryClock(), jobs // 2
    with SqliteStore(path, clock=clock) as store:
        for first in range(0, orders, BATCH):
            with store.bulk():
                for n in range(first, min(first + BATCH, orders)):
                    old_order(store, clock, n, orders)
    return time.perf_counter() - started
