"""Companion items through the real daemon process and the simulator over real HTTP.

Orders arrive through the Amazon intake, their companions are put on hold at Amazon, released
when the custom jobs are printed (`production done`), cancelled with the order, tracked until
delivered and shown on the desk page. Then the daemon is killed with SIGKILL at random moments
while orders arrive and are released, and started again: in the end Amazon has exactly one
fulfillment order per Amazon order, each held or released as its jobs say.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from random import Random

import pytest

from production.amazon.sim import DEFAULT_CREDENTIALS, Faults, SimServer, SimState, serve
from production.amazon.sim.orderviews import ADDRESS
from production.store import CompanionState, JobState, JobStore
from production.store.factory import open_store_in
from tests.companions.mcf_shop import BOX, LEASH, add_companions, sample_zip
from tests.daemon.processes import REPO, Floor
from tests.desk.desk_shop import PASSWORD
from tests.desk.test_desk_http import logged_in_at

C = CompanionState
FINISH = 90.0
BUYER = (ADDRESS["name"], ADDRESS["addressLine1"], ADDRESS["postalCode"])

pytestmark = pytest.mark.slow  # real processes end to end: `-m 'not slow'` skips them


@pytest.fixture
def sim() -> Iterator[SimServer]:
    state = SimState(rate_scale=200.0)
    for sku in (LEASH, BOX):
        state.mcf.stock(sku, 500)
    server = serve(state)
    yield server
    server.stop()


def floor_for(root: Path, sim: SimServer, monkeypatch: pytest.MonkeyPatch, context: str) -> Floor:
    floor = Floor(root, settle=0.2, context=context)
    add_companions(floor.config)
    with (floor.config / "shop.toml").open("a") as shop_toml:
        shop_toml.write(
            f'\n[amazon]\nendpoint = "{sim.base_url}"\nlwa_endpoint = "{sim.base_url}"\n'
            f'marketplace_ids = ["{sim.state.marketplace_id}"]\npoll_seconds = 0.3\n'
        )
    monkeypatch.setenv("SPAPI_CLIENT_ID", DEFAULT_CREDENTIALS.client_id)
    monkeypatch.setenv("SPAPI_CLIENT_SECRET", DEFAULT_CREDENTIALS.client_secret)
    monkeypatch.setenv("SPAPI_REFRESH_TOKEN", DEFAULT_CREDENTIALS.refresh_token)
    return floor


def store_of(floor: Floor) -> JobStore:
    """The job store, also while the daemon runs (WAL: readers beside one writer)."""
    return open_store_in(floor.folders.root)


def records(floor: Floor) -> dict[str, C]:
    if not floor.folders.store.exists():
        return {}
    with store_of(floor) as store:
        return {r.order_id: r.state for r in store.companion_orders()}


def at_amazon(sim: SimServer) -> dict[str, tuple[str, str]]:
    """Fulfillment order id -> (action, status) in the simulator."""
    return {o.seller_fulfillment_order_id: (o.action, o.status) for o in sim.state.mcf.orders()}


def nothing_of_the_buyer_kept(floor: Floor) -> None:
    """Neither a log line nor the store's files hold the buyer's name, street or postal code."""
    places = [run.stderr for run in floor.runs]
    places += [p for p in floor.folders.root.glob("jobs.sqlite3*") if p.is_file()]
    for place in places:
        data = place.read_bytes()
        for value in BUYER:
            assert value.encode() not in data, f"{value!r} found in {place.name}"
        assert b"Traceback" not in data, floor.report()


def test_companions_are_held_released_cancelled_and_tracked_by_the_daemon(
    tmp_path: Path, sim: SimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    floor = floor_for(tmp_path, sim, monkeypatch, "companions through the daemon")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (floor.config / "shop.toml").open("a") as shop_toml:
        shop_toml.write(f'\n[desk]\nlisten = "127.0.0.1:{port}"\n')
    monkeypatch.setenv("PRODUCTION_DESK_PASSWORD", PASSWORD)
    sim.state.mcf.planning_seconds = 3600.0  # released orders stay Planning until told
    sim.state.mcf.transit = timedelta(seconds=2)  # and are delivered two seconds after shipping
    sign = sim.state.add_order(sample_zip("text-only", 1)).order_id
    mug = sim.state.add_order(sample_zip("photo-text", 2)).order_id
    tote = sim.state.add_order(sample_zip("two-surfaces", 3)).order_id  # no companions
    run = floor.start()
    try:
        floor.wait_until(
            lambda: records(floor) == {sign: C.HELD, mug: C.HELD}, timeout=FINISH,
            what="both companion orders held", run=run,
        )  # fmt: skip
        assert at_amazon(sim) == {sign: ("Hold", "Received"), mug: ("Hold", "Received")}

        with store_of(floor) as store:
            [job] = store.jobs(order_id=sign)
        floor.wait_until(lambda: _state(floor, job.job_id) is JobState.QUEUED, timeout=FINISH,
                         what="the sign queued", run=run)  # fmt: skip
        done = _cli(floor, "done", job.job_id)
        assert done.returncode == 0, done.stderr
        floor.wait_until(lambda: at_amazon(sim)[sign] == ("Ship", "Planning"), timeout=FINISH,
                         what="the leash released", run=run)  # fmt: skip

        sim.state.cancel(mug)  # the buyer cancels: the intake cancels the jobs, then this
        floor.wait_until(lambda: at_amazon(sim)[mug] == ("Hold", "Cancelled"), timeout=FINISH,
                         what="the boxes cancelled", run=run)  # fmt: skip

        sim.state.mcf.set_status(sign, "Complete")
        floor.wait_until(lambda: records(floor)[sign] is C.DELIVERED, timeout=FINISH,
                         what="the leash delivered", run=run)  # fmt: skip
        leash = sim.state.mcf.order(sign)
        assert leash is not None
        [package] = leash.packages
        desk = logged_in_at(f"http://127.0.0.1:{port}")
        page = desk.get(f"/orders/{sign}").text
        assert "delivered by Amazon" in page and package.tracking_number in page
        proof = desk.get(f"/companions/{sign}/packages/{package.number}/proof")
        assert proof.status_code == 303
        assert proof.headers["location"].startswith(f"{sim.base_url}/delivery-images/")
        assert floor.stop(run) == 0, floor.report()
    finally:
        floor.stop_all()
    assert records(floor) == {sign: C.DELIVERED, mug: C.CANCELLED}
    assert tote not in at_amazon(sim)
    events = [e.get("state") for e in run.events()]
    for wanted in ("companion held", "companion released", "companion cancelled",
                   "companion delivered"):  # fmt: skip
        assert wanted in events, floor.report()
    nothing_of_the_buyer_kept(floor)


def test_kill_9_at_random_moments_makes_no_second_fulfillment_order(
    tmp_path: Path, sim: SimServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = int(os.environ.get("PRODUCTION_TEST_SEED") or time.time_ns() % 10_000)
    rng = Random(seed)
    floor = floor_for(tmp_path, sim, monkeypatch, f"seed {seed}")
    # Amazon carries out a create or a release, then answers late: a kill lands in between
    # more often than not. Some reads fail outright and are retried.
    sim.state.set_faults(
        Faults(
            timeout=1.0,
            timeout_seconds=0.4,
            internal_error=0.1,
            operations=("createFulfillmentOrder", "updateFulfillmentOrder",
                        "getFulfillmentPreview"),
            seed=seed,
        )
    )  # fmt: skip
    kinds = ("text-only", "photo-text", "two-surfaces")
    wanted: set[str] = set()  # orders with companions
    run = floor.start()
    try:
        for number in range(1, 13):
            kind = kinds[number % len(kinds)]
            order_id = sim.state.add_order(sample_zip(kind, number)).order_id
            if kind != "two-surfaces":
                wanted.add(order_id)
            if number % 2 == 0:
                time.sleep(rng.uniform(0.2, 4.0))
                floor.kill(run)
                floor.notes.append(f"killed after order {number} {_midway(floor)}")
                run = floor.start()
        floor.wait_until(
            lambda: {o for o, s in records(floor).items() if s is C.HELD} == wanted,
            timeout=FINISH, what="every companion order held", run=run,
        )  # fmt: skip

        # Half the orders are printed; the daemon is killed while it releases them.
        printed = set(sorted(wanted)[::2])
        floor.wait_until(lambda: _all_queued(floor, printed), timeout=FINISH,
                         what="the orders to print queued", run=run)  # fmt: skip
        with store_of(floor) as store:
            for order_id in sorted(printed):
                for job in store.jobs(order_id=order_id):
                    store.transition(job.job_id, JobState.PRINTED, reason="printed",
                                     expect={JobState.QUEUED})  # fmt: skip
        for _ in range(3):
            time.sleep(rng.uniform(0.0, 1.5))
            floor.kill(run)
            floor.notes.append(f"killed while releasing {_midway(floor)}")
            run = floor.start()

        def settled() -> bool:
            states = records(floor)
            return all(states.get(o) is (C.RELEASED if o in printed else C.HELD) for o in wanted)

        floor.wait_until(settled, timeout=FINISH, what="released and held as printed", run=run)
        # A signal before Python has started up ends the process without a word: wait for it.
        floor.wait_event(run, lambda e: e.get("state") == "started", timeout=30, what="a start")
        assert floor.stop(run) == 0, floor.report()
    finally:
        floor.stop_all()

    placed = at_amazon(sim)
    if set(placed) != wanted:  # one fulfillment order per Amazon order, under its own id
        floor.fail(f"fulfillment orders {sorted(placed)}, expected {sorted(wanted)}")
    for order_id, (action, status) in placed.items():
        expected = ("Ship", "Planning") if order_id in printed else ("Hold", "Received")
        if (action, status) != expected:
            floor.fail(f"{order_id} is {action} {status} at Amazon, expected {expected}")
    nothing_of_the_buyer_kept(floor)


def _midway(floor: Floor) -> str:
    """The records a kill left half-way through a call to Amazon (for the failure report)."""
    midway = sorted(o for o, s in records(floor).items() if s in (C.CREATING, C.RELEASING))
    return f"(mid-call: {', '.join(midway)})" if midway else ""


def _state(floor: Floor, job_id: str) -> JobState | None:
    state = floor.peek_states().get(job_id)
    return None if state is None else JobState(state)


def _all_queued(floor: Floor, orders: set[str]) -> bool:
    with store_of(floor) as store:
        jobs = [job for order_id in orders for job in store.jobs(order_id=order_id)]
    return bool(jobs) and all(job.state is JobState.QUEUED for job in jobs)


def _cli(floor: Floor, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "production", *args, "--config", str(floor.config)],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
