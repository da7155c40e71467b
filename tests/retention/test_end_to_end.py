"""Fifty orders through the real daemon, printed, shipped, purged: then no byte of them is left.

Each order has its own words and its own photo (tests/retention/buyers.py). The same byte scan
that finds all of them before the purge (so this test can fail) must find none of them after:
not in any file under the test's folder (data, store with its log, inbox, hot and done folders,
the daemon's captured stderr), inside any zip or PDF stream, nor in any value of any table.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from production.shipping.confirm import Shipping
from production.store import JobState
from production.store.factory import open_store_in
from tests.daemon.processes import Floor, check_log
from tests.retention.buyers import BuyerOrder, buyer_orders
from tests.retention.helpers import cli
from tests.retention.scan import Needles, scan_files, scan_tables

pytestmark = pytest.mark.slow  # real processes end to end: `-m 'not slow'` skips them

ORDERS = 50
SEED = int(os.environ.get("PRODUCTION_RETENTION_SEED") or 2026)
FINISH = 60.0  # seconds for the daemon to work through every order, at each stage


@pytest.fixture
def floor(tmp_path: Path) -> Iterator[Floor]:
    floor = Floor(tmp_path, settle=0.2, context=f"seed {SEED}")
    yield floor
    floor.stop_all()


def states(floor: Floor, orders: list[BuyerOrder], state: str) -> bool:
    items = {o.item_id for o in orders}
    seen = {job_id: s for job_id, s in floor.peek_states().items() if job_id[:14] in items}
    return len(seen) == len(orders) and set(seen.values()) == {state}


def where(found: dict[bytes, set[str]], needles: Needles) -> str:
    lines = [
        f"order {needles.owner(n)}: {sorted(places)[:3]}" for n, places in list(found.items())[:10]
    ]
    return "\n  ".join(lines)


def test_fifty_shipped_orders_leave_no_byte_of_buyer_data_behind(floor: Floor) -> None:
    orders = buyer_orders(ORDERS, seed=SEED)
    digests = {hashlib.sha256(o.data).hexdigest(): o.order_id for o in orders}
    needles = Needles.of(orders, digests)
    run = floor.start()
    for order in orders:
        floor.drop(order.data, f"{order.words[0]}.zip")  # named by a buyer's word, as people do
    floor.wait_until(lambda: states(floor, orders, "queued"), timeout=FINISH,
                     what="every order queued", run=run)  # fmt: skip

    # The UV printer's RIP takes every file and moves it to its done folder when printed.
    hot, done = floor.hot("uv-1"), floor.settings.printers["uv-1"].done_folder
    assert done is not None
    for path in sorted(hot.iterdir()):
        path.rename(done / path.name)
    floor.wait_until(lambda: states(floor, orders, "printed"), timeout=FINISH,
                     what="every order printed", run=run)  # fmt: skip

    store_file = floor.folders.store
    before = scan_files(floor.root, needles)
    for needle, order_id in (needles.words | needles.windows).items():
        assert before.get(needle), f"the scan cannot find order {order_id}'s data before the purge"
    for needle, order_id in needles.digests.items():  # in the database file or its log
        assert before.get(needle), f"the scan cannot find order {order_id}'s digest in the store"
    tables = scan_tables(store_file, needles)
    assert set(tables) == set(needles.digests), "the store must know each zip's digest"

    # The shipping desk ships everything: two orders from the command line, the rest here.
    for order in orders[:2]:
        result = cli(floor.config, "ship", order.order_id, "--carrier", "UPS",
                     "--tracking", f"1Z{order.item_id}")  # fmt: skip
        assert result.returncode == 0, result.stderr
    with open_store_in(store_file.parent) as store:
        shipping = Shipping(store, amazon=None, marketplace_id=None)
        for order in orders[2:]:
            shipping.ship(order.order_id, carrier="UPS", tracking=f"1Z{order.item_id}")
    floor.folders.wake.touch()
    floor.wait_until(lambda: states(floor, orders, "purged"), timeout=FINISH,
                     what="every order purged by the daemon", run=run)  # fmt: skip
    assert floor.stop(run) == 0, floor.report()

    purged = [e for e in run.events() if e["state"] == "purged"]
    assert sorted(e["order"] for e in purged) == sorted(o.order_id for o in orders)
    check_log(floor, [line for o in orders for line in o.lines])
    after = scan_files(floor.root, needles)
    assert not after, f"buyer data left after the purge:\n  {where(after, needles)}"
    after = scan_tables(store_file, needles)
    assert not after, f"buyer data left in the store:\n  {where(after, needles)}"
    with open_store_in(store_file.parent) as store:
        jobs, shipments = store.jobs(), store.shipments()
        items = store.items()
    assert {j.state for j in jobs} == {JobState.PURGED} and len(jobs) == ORDERS
    assert {(i.zip_path, i.digest) for i in items} == {("", "")}
    assert {s.tracking for s in shipments} == {f"1Z{o.item_id}" for o in orders}

    log = floor.runs[0].stderr
    result = cli(floor.config, "audit", "--log", str(log))
    assert (result.returncode, result.stdout) == (
        0,
        f"no buyer data of {ORDERS} shipped orders found\n",
    )

    # Someone kept a copy of one zip under an innocent name: the audit finds it, by its order.
    planted = floor.folders.root / "notes.bin"
    planted.write_bytes(orders[7].data)
    result = cli(floor.config, "audit", "--log", str(log))
    assert result.returncode == 1, result.stdout
    assert result.stdout.splitlines() == [
        f"{planted}: order {orders[7].order_id}: a zip whose members name the order"
    ]
    assert not any(word in result.stdout + result.stderr for word in orders[7].words)
