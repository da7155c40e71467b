"""The daemon against the SP-API simulator over real HTTP: orders in, zips down, packages out."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from production.amazon.client import SpApiClient
from production.amazon.credentials import Credentials
from production.amazon.flatfile import looks_like_flat_file, orders_from_flat_file
from production.amazon.sim import DEFAULT_CREDENTIALS, Faults, SimState
from production.amazon.sim.flatfile import unshipped_rows
from production.amazon.sim.orderviews import latest_ship_date
from production.amazon.sim.server import SimServer, serve
from production.core.errors import AmazonError
from production.shipping.confirm import Shipping
from production.store import JobState, JobStore, ShipmentState
from production.store.factory import open_store_in
from tests.daemon.processes import Floor
from tests.daemon.shop import renumbered, sample

pytestmark = pytest.mark.slow  # real processes end to end: `-m 'not slow'` skips them

REPO = Path(__file__).resolve().parents[1].parent
KINDS = ("text-only", "photo-text", "two-surfaces", "options-only", "seller-font")
FINISH = 120.0


@pytest.fixture
def sim() -> Iterator[SimServer]:
    # Amazon's buckets refill 200× faster here: searchOrders' one call per three minutes
    # becomes one a second, so a test sees throttling without waiting for it.
    server = serve(SimState(rate_scale=200.0))
    yield server
    server.stop()


@pytest.fixture
def floor(tmp_path: Path, sim: SimServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Floor]:
    floor = Floor(tmp_path, settle=0.2)
    shop = floor.config / "shop.toml"
    shop.write_text(
        shop.read_text()
        + f"""
[amazon]
endpoint = "{sim.base_url}"
lwa_endpoint = "{sim.base_url}"
marketplace_ids = ["{sim.state.marketplace_id}"]
poll_seconds = 0.3
"""
    )
    monkeypatch.setenv("SPAPI_CLIENT_ID", DEFAULT_CREDENTIALS.client_id)
    monkeypatch.setenv("SPAPI_CLIENT_SECRET", DEFAULT_CREDENTIALS.client_secret)
    monkeypatch.setenv("SPAPI_REFRESH_TOKEN", DEFAULT_CREDENTIALS.refresh_token)
    yield floor
    floor.stop_all()


def add_orders(sim: SimServer, count: int, first: int = 0) -> dict[str, bytes]:
    """`count` orders on Amazon; item id → zip."""
    zips = {}
    for number in range(first, first + count):
        data = renumbered(sample(KINDS[number % len(KINDS)]), number)
        item = sim.state.add_order(data)
        zips[item.order_item_id] = data
    return zips


def store_of(floor: Floor) -> JobStore:
    """The job store, also while the daemon runs (WAL: readers and one writer at a time)."""
    floor.folders.root.mkdir(parents=True, exist_ok=True)
    return open_store_in(floor.folders.root)


def cli(floor: Floor, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "production", *args, "--config", str(floor.config)],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def states(floor: Floor) -> dict[str, JobState]:
    with store_of(floor) as store:
        return {job.job_id: job.state for job in store.jobs()}


def items_queued(floor: Floor, item_ids: set[str]) -> bool:
    with store_of(floor) as store:
        jobs = store.jobs()
    seen = {job.order_item_id for job in jobs if job.state is JobState.QUEUED}
    return item_ids <= seen and all(
        job.state is JobState.QUEUED for job in jobs if job.order_item_id in item_ids
    )


def test_orders_arrive_render_and_ship_through_faults(floor: Floor, sim: SimServer) -> None:
    zips = add_orders(sim, 500)
    sim.state.set_faults(
        Faults(
            internal_error=0.08,
            unavailable=0.05,
            expired_token=0.05,
            truncated_json=0.05,
            timeout=0.02,
            timeout_seconds=0.5,
            operations=("searchOrders", "confirmShipment", "createRestrictedDataToken"),
            seed=7,
        )
    )
    run = floor.start()
    floor.wait_until(
        lambda: items_queued(floor, set(zips)), timeout=FINISH, what="every order queued", run=run
    )
    # The floor prints everything, the desk ships every order (with the faults still on): two
    # through the command line, the rest through the same code in this process.
    first = sorted(states(floor))[:2]
    for job_id in first:
        assert cli(floor, "done", job_id).returncode == 0
    with store_of(floor) as store:
        for job in store.jobs(state=JobState.QUEUED):
            store.transition(
                job.job_id, JobState.PRINTED, reason="printed", expect={JobState.QUEUED}
            )
    orders = sorted({o.order_id for o in sim.state.orders()})
    for order_id in orders[:2]:
        result = cli(
            floor, "ship", order_id, "--carrier", "UPS", "--tracking", f"1Z{order_id[-7:]}"
        )
        assert result.returncode == 0, result.stderr
    client = SpApiClient(
        endpoint=sim.base_url,
        lwa_endpoint=sim.base_url,
        credentials=Credentials.from_environment(),
        sleep=lambda seconds: time.sleep(min(seconds, 0.05)),  # backoff, kept short for the test
    )
    with client, store_of(floor) as store:
        shipping = Shipping(store, amazon=client, marketplace_id=sim.state.marketplace_id)
        for order_id in orders[2:]:
            tracking = f"1Z{order_id[-7:]}"
            try:
                shipping.ship(order_id, carrier="UPS", tracking=tracking)
            except AmazonError:  # a fault that outlived the retries: the desk presses again
                shipping.ship(order_id, carrier="UPS", tracking=tracking)
    assert floor.stop(run) == 0, floor.report()

    shipments = sim.state.shipments()
    assert {s.order_id for s in shipments} == set(orders)  # no order lost
    assert len({(s.order_id, s.package.package_reference_id) for s in shipments}) == len(orders)
    assert all(o.status == "Shipped" for o in sim.state.orders())
    throttled = sim.state.throttled()
    assert sum(throttled.values()) <= 5, throttled  # the client paces itself by the buckets
    # With retention_days = 0 the running daemon purges what has shipped, some or all of it.
    assert set(states(floor).values()) <= {JobState.SHIPPED, JobState.PURGED}
    with store_of(floor) as store:
        packages = store.shipments()
    assert len(packages) == len(orders)
    assert {p.state for p in packages} == {ShipmentState.CONFIRMED}


def test_an_item_without_a_customization_url_waits_for_its_zip_in_the_inbox(
    floor: Floor, sim: SimServer
) -> None:
    sim.state.set_faults(Faults(empty_customized_url=1.0))
    [(item_id, data)] = add_orders(sim, 1, first=1).items()  # photo-text
    run = floor.start()

    def held() -> bool:
        with store_of(floor) as store:
            jobs = store.jobs(order_item_id=item_id)
        return bool(jobs) and jobs[0].state is JobState.HELD

    floor.wait_until(held, timeout=FINISH, what="the item held for its zip", run=run)
    with store_of(floor) as store:
        [job] = store.jobs(order_item_id=item_id)
    assert job.cause == "no zip" and "buyer information" in (job.reason or "")
    floor.drop(data, "downloaded-by-hand.zip")
    floor.wait_until(lambda: items_queued(floor, {item_id}), timeout=FINISH, what="queued", run=run)
    assert floor.stop(run) == 0, floor.report()
    with store_of(floor) as store:
        item = store.item(item_id)
    # Amazon announced the item (with its ship-by date); the zip dropped by hand keeps that.
    assert item is not None and item.ship_by == promised_ship_by(sim, "2026-01-01")[item_id]


def test_an_order_cancelled_on_amazon_is_pulled_back(floor: Floor, sim: SimServer) -> None:
    zips = add_orders(sim, 2, first=2)  # two-surfaces, options-only
    run = floor.start()
    floor.wait_until(lambda: items_queued(floor, set(zips)), timeout=FINISH, what="queued", run=run)
    order_id = sim.state.orders()[0].order_id
    sim.state.cancel(order_id)

    def cancelled() -> bool:
        with store_of(floor) as store:
            jobs = store.jobs(order_id=order_id)
        return bool(jobs) and all(job.state is JobState.CANCELLED for job in jobs)

    floor.wait_until(cancelled, timeout=FINISH, what="the order cancelled", run=run)
    assert floor.stop(run) == 0, floor.report()
    hot = {name for names in floor.hot_files().values() for name in names}
    assert not any(order_id in name for name in hot)


def _use(floor: Floor, api: str) -> None:
    shop = floor.config / "shop.toml"
    shop.write_text(
        shop.read_text().replace("poll_seconds = 0.3", f'orders_api = "{api}"\npoll_seconds = 0.3')
    )


def promised_ship_by(sim: SimServer, api: str) -> dict[str, datetime]:
    """order item id -> the latest ship date the simulator serves through `api`."""
    promised = {}
    for order in sim.state.orders():
        if api == "report":
            rows = unshipped_rows([order], base_url=sim.base_url, now=datetime.now(UTC))
            text = rows[0]["promise-date"]
        else:
            text = latest_ship_date(order)
        for item in order.items:
            promised[item.order_item_id] = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return promised


@pytest.mark.parametrize("api", ["2026-01-01", "v0", "report"])
def test_the_other_intakes_bring_the_same_orders(floor: Floor, sim: SimServer, api: str) -> None:
    _use(floor, api)
    zips = add_orders(sim, 6, first=10)
    run = floor.start()
    floor.wait_until(lambda: items_queued(floor, set(zips)), timeout=FINISH, what="queued", run=run)
    assert floor.stop(run) == 0, floor.report()
    # Each API says by when the order must ship; the store keeps it for the shipping desk.
    with store_of(floor) as store:
        ship_by = {item.order_item_id: item.ship_by for item in store.items()}
    assert ship_by == promised_ship_by(sim, api)
    assert all(moment is not None and moment.utcoffset() is not None for moment in ship_by.values())
    # ... and so does every job ticket the printers got: the floor sees the date too.
    with store_of(floor) as store:
        tickets = [
            json.loads(Path(path).read_text())
            for job in store.jobs()
            for path in job.hot_paths
            if path.endswith(".json")
        ]
    assert {ticket["order_item_id"] for ticket in tickets} == set(zips)
    for ticket in tickets:
        promised = ship_by[ticket["order_item_id"]]
        assert promised is not None
        # Tickets give times to the second (the simulator's carry milliseconds, Amazon's don't).
        assert datetime.fromisoformat(ticket["ship_by"]) == promised.replace(microsecond=0)


def test_an_order_report_dropped_into_the_inbox_is_taken_and_not_kept(
    floor: Floor, sim: SimServer
) -> None:
    zips = add_orders(sim, 4, first=20)
    client = SpApiClient(
        endpoint=sim.base_url, lwa_endpoint=sim.base_url, credentials=Credentials.from_environment()
    )
    with client:  # the operator downloads the report from Seller Central
        report_id = client.create_report(
            "GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING", [sim.state.marketplace_id]
        )
        while (report := client.get_report(report_id))["processingStatus"] != "DONE":
            time.sleep(0.05)
        document = client.get_report_document(report["reportDocumentId"])
        flat_file = client.download_report_document(document)
    # Polling is slowed right down, so only the dropped report can bring the orders in.
    shop = floor.config / "shop.toml"
    shop.write_text(shop.read_text().replace("poll_seconds = 0.3", "poll_seconds = 3600"))
    sim.state.set_faults(Faults(internal_error=1.0, operations=("searchOrders",)))
    run = floor.start()
    floor.drop(flat_file, "unshipped orders.txt")
    floor.wait_until(lambda: items_queued(floor, set(zips)), timeout=FINISH, what="queued", run=run)
    assert floor.stop(run) == 0, floor.report()
    leftovers = [
        p for p in floor.root.rglob("*") if p.is_file() and flat_file[:200] in p.read_bytes()
    ]
    assert leftovers == []  # names and addresses are not kept anywhere


@pytest.mark.parametrize(
    "name", ["unshipped-orders-39-columns.txt", "unshipped-orders-41-columns.txt"]
)
def test_reference_order_reports_are_read_by_column_name(name: str) -> None:
    data = (REPO.parent / "shared" / "reference" / "order-reports" / name).read_bytes()
    assert looks_like_flat_file(data)
    orders = list(orders_from_flat_file(data))
    assert orders and all(order.items for order in orders)
    items = [item for order in orders for item in order.items]
    assert all(item.order_item_id.isdigit() and item.quantity >= 1 for item in items)
    assert any(item.customized_url and item.customized_url.startswith("https://") for item in items)


def _printed_order(floor: Floor, sim: SimServer) -> str:
    add_orders(sim, 1, first=30)  # text-only
    run = floor.start()
    [order] = sim.state.orders()
    floor.wait_until(
        lambda: items_queued(floor, {order.items[0].order_item_id}), timeout=FINISH,
        what="queued", run=run,
    )  # fmt: skip
    assert floor.stop(run) == 0, floor.report()
    with store_of(floor) as store:
        for job in store.jobs(order_id=order.order_id):
            store.transition(job.job_id, JobState.PRINTED, reason="printed")
    return order.order_id


def test_a_shipment_recorded_before_a_crash_is_sent_as_the_same_package(
    floor: Floor, sim: SimServer
) -> None:
    order_id = _printed_order(floor, sim)
    with store_of(floor) as store:  # recorded, then the process died before calling Amazon
        [item] = store.items(order_id=order_id)
        store.add_shipment(
            order_id, carrier="UPS", tracking="1ZCRASH", ship_date=datetime.now(UTC),
            items=[(item.order_item_id, item.quantity)],
        )  # fmt: skip
    for _ in range(2):  # the desk retries, twice
        result = cli(floor, "ship", order_id, "--carrier", "UPS", "--tracking", "1ZCRASH")
        assert result.returncode == 0, result.stderr
    [shipment] = sim.state.shipments(order_id)
    assert shipment.package.package_reference_id == "1"


def test_amazons_refusal_is_shown_word_for_word_and_kept(floor: Floor, sim: SimServer) -> None:
    order_id = _printed_order(floor, sim)
    assert cli(floor, "ship", order_id, "--carrier", "UPS", "--tracking", "1ZFIRST").returncode == 0
    # A second package naming an item already shipped in full: Amazon refuses it. (Without
    # --items the command itself says the order has shipped; it asks Amazon nothing.)
    with store_of(floor) as store:
        [item] = store.items(order_id=order_id)
    result = cli(
        floor, "ship", order_id, "--carrier", "UPS", "--tracking", "1ZSECOND",
        "--items", f"{item.order_item_id}:1",
    )  # fmt: skip
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    with store_of(floor) as store:
        failed = [p for p in store.shipments(order_id=order_id) if p.tracking == "1ZSECOND"]
    assert failed[0].state is ShipmentState.FAILED and failed[0].message
    assert failed[0].message in line and "Traceback" not in result.stderr
