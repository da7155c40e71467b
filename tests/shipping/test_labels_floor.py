"""Done when: with the simulator and `labels = "amazon"`, an order's zip goes in and, with
nobody at the desk, its job prints (the RIP moves it to the done folder), one label and one
packing slip land in the label printer's folder, and Amazon shows the order shipped with that
tracking number and exactly one label — also when the daemon is killed -9 around the purchase
and started again.

Real `production run` processes, the simulator on loopback HTTP, the real SQLite store.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from production.amazon.sim import DEFAULT_CREDENTIALS, Faults, SimState
from production.amazon.sim.server import SimServer, serve
from production.config.settings import load_settings
from tests.daemon.processes import Floor, Run
from tests.daemon.shop import renumbered, sample
from tests.shipping.label_shop import LABEL_PRINTER, add_labels, label_files, read_label
from tests.slips.pictures import barcodes, pages, text_of

pytestmark = pytest.mark.slow  # real processes end to end: `-m 'not slow'` skips them

REPO = Path(__file__).resolve().parents[2]
FINISH = 120.0


@pytest.fixture
def sim() -> Iterator[SimServer]:
    server = serve(SimState(rate_scale=200.0))
    yield server
    server.stop()


def floor_for(tmp_path: Path, sim: SimServer, shipping: str = 'labels = "amazon"') -> Floor:
    floor = Floor(tmp_path, settle=0.2)
    add_labels(floor.config, sim.base_url, sim.state.marketplace_id, shipping=shipping)
    floor.settings = load_settings(floor.config)
    return floor


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPAPI_CLIENT_ID", DEFAULT_CREDENTIALS.client_id)
    monkeypatch.setenv("SPAPI_CLIENT_SECRET", DEFAULT_CREDENTIALS.client_secret)
    monkeypatch.setenv("SPAPI_REFRESH_TOKEN", DEFAULT_CREDENTIALS.refresh_token)


GIFT = "Happy birthday, Robin!"  # synthetic


def order_on_amazon(sim: SimServer, number: int) -> str:
    """A mug order (photo-text.zip, printed on uv-1, which has a done folder), a gift; its id."""
    zipped = renumbered(sample("photo-text"), number)
    return sim.state.add_order(zipped, gift_message=GIFT).order_id


def print_it(floor: Floor, run: Run) -> None:
    """Be the RIP: once the print file is in uv-1's hot folder, move it to the done folder."""
    hot = floor.hot("uv-1")
    floor.wait_until(lambda: any(p.suffix == ".pdf" for p in hot.iterdir()),
                     timeout=FINISH, what="the print file in hot/uv-1", run=run)  # fmt: skip
    done = floor.config / "done" / "uv-1"
    for pdf in hot.glob("*.pdf"):
        pdf.replace(done / pdf.name)


def labels_in_store(floor: Floor) -> list[tuple[str, str | None]]:
    """(state, tracking) of every label record, read beside a running daemon."""
    path = floor.folders.store
    if not path.exists():
        return []
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return []
    try:
        return list(db.execute("SELECT state, tracking FROM labels ORDER BY label_id"))
    except sqlite3.Error:
        return []  # not created yet, or busy: the caller polls again
    finally:
        db.close()


def check_shipped_once(floor: Floor, sim: SimServer, order_id: str) -> None:
    """One label bought in the store, one in the folder, one at Amazon: the same tracking."""
    records = labels_in_store(floor)
    at_amazon = sim.state.labels.shipments(order_id)
    if len(at_amazon) != 1 or [state for state, _ in records] != ["bought"]:
        floor.fail(f"labels at Amazon: {[s.summary() for s in at_amazon]}; store: {records}")
    tracking = records[0][1]
    assert at_amazon[0].tracking_id == tracking and at_amazon[0].status == "Purchased"
    order = sim.state.order(order_id)
    assert order is not None and order.status == "Shipped"
    assert [s.package.tracking_number for s in sim.state.shipments(order_id)] == [tracking]
    assert label_files(floor.config) == [f"{order_id}.slip.pdf", f"{order_id}_1.label.pdf"]
    assert read_label(floor.config / "hot" / LABEL_PRINTER / f"{order_id}_1.label.pdf") == tracking
    slip = (floor.config / "hot" / LABEL_PRINTER / f"{order_id}.slip.pdf").read_bytes()
    assert ("Code128", order_id) in barcodes(pages(slip)[0])  # the packer scans the order
    assert GIFT in text_of(slip) and "Ship by" in text_of(slip)


@pytest.mark.usefixtures("credentials")
def test_nobody_at_the_desk_one_label_and_amazon_ships_the_order(
    tmp_path: Path, sim: SimServer
) -> None:
    floor = floor_for(tmp_path, sim)
    try:
        order_id = order_on_amazon(sim, 1)
        run = floor.start()
        print_it(floor, run)
        floor.wait_until(lambda: [s for s, _ in labels_in_store(floor)] == ["bought"],
                         timeout=FINISH, what="the label bought", run=run)  # fmt: skip
        floor.stop(run)
        check_shipped_once(floor, sim, order_id)
        with floor.open_store() as store:
            assert {job.state.value for job in store.jobs(order_id=order_id)} == {"shipped"}
    finally:
        floor.stop_all()


MOMENTS = ("intent recorded", "purchase made, answer lost", "label delivered")


@pytest.mark.usefixtures("credentials")
@pytest.mark.parametrize("seed", range(3))
def test_kill_9_around_the_purchase_still_buys_exactly_one_label(
    tmp_path: Path, sim: SimServer, seed: int
) -> None:
    rng = random.Random(seed)
    moment = MOMENTS[seed % len(MOMENTS)] if seed < len(MOMENTS) else rng.choice(MOMENTS)
    floor = floor_for(tmp_path, sim)
    floor.context = f"seed {seed}: kill -9 at {moment}"
    try:
        order_id = order_on_amazon(sim, 10 + seed)
        if moment != "label delivered":
            # The purchase goes through at Amazon; its answer comes after the kill.
            sim.state.set_faults(Faults(timeout=1.0, timeout_seconds=60.0,
                                        operations=("purchaseShipment",)))  # fmt: skip
        run = floor.start()
        print_it(floor, run)
        if moment == "intent recorded":
            seen = lambda: [s for s, _ in labels_in_store(floor)] == ["buying"]  # noqa: E731
        elif moment == "purchase made, answer lost":
            seen = lambda: len(sim.state.labels.shipments(order_id)) == 1  # noqa: E731
        else:
            seen = lambda: bool(label_files(floor.config))  # noqa: E731
        floor.wait_until(seen, timeout=FINISH, what=moment, run=run)
        floor.kill(run)
        floor.notes.append(f"killed at {moment}; store {labels_in_store(floor)}")
        sim.state.set_faults(Faults())
        again = floor.start()
        floor.wait_until(
            lambda: [s for s, _ in labels_in_store(floor)] == ["bought"],
            timeout=FINISH,
            what="the label bought after the restart",
            run=again,
        )
        floor.stop(again)
        check_shipped_once(floor, sim, order_id)
    finally:
        floor.stop_all()


@pytest.mark.usefixtures("credentials")
def test_buy_on_scan_from_the_command_line_then_void(tmp_path: Path, sim: SimServer) -> None:
    floor = floor_for(tmp_path, sim, shipping='labels = "amazon"\nbuy = "scan"')
    try:
        order_id = order_on_amazon(sim, 30)
        run = floor.start()
        print_it(floor, run)
        floor.wait_until(lambda: set(floor.peek_states().values()) == {"printed"},
                         timeout=FINISH, what="the job printed", run=run)  # fmt: skip
        floor.stop(run)
        assert sim.state.labels.shipments(order_id) == []  # "scan": nothing bought by itself
        bought = production("label", "buy", order_id, "--config", str(floor.config))
        assert bought.returncode == 0, bought.stderr
        assert f"order {order_id} package 1: bought" in bought.stdout
        check_shipped_once(floor, sim, order_id)
        voided = production("label", "void", order_id, "--config", str(floor.config))
        assert voided.returncode == 0, voided.stderr
        assert sim.state.labels.shipments(order_id)[0].status == "Cancelled"
        # The label is taken back; the slip stays for the package a person ships otherwise.
        assert label_files(floor.config) == [f"{order_id}.slip.pdf"]
        assert (floor.config / "hot" / LABEL_PRINTER).is_dir()
    finally:
        floor.stop_all()


def production(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "production", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=FINISH,
        check=False,
    )
