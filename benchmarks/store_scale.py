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
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.targets import Check, print_checks, print_verdict
from production.desk.board import desk_board
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
        batch = (("LEASH-RED", 1),)
        record = store.add_companion_order(
            NewCompanionOrder(order_id, "", f"{order_id}-1", batch, (item_id,), clock.moment)
        )
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


def ready_orders(store: SqliteStore, count: int) -> None:
    """`count` orders ready to ship (every fourth with two items), and HELD jobs to look at."""
    for n in range(count):
        order_id = f"700-{n:07d}-{n:07d}"
        for i in range(2 if n % 4 == 0 else 1):
            item_id = f"7{n:09d}{i:04d}"
            ship_by = datetime.now(UTC) + timedelta(days=n % 5)
            store.add_item(NewItem(item_id, order_id, "B0READY", "TOTE-2", 1,
                                   f"/zips/{item_id}.zip", "cd" * 32, ship_by=ship_by))  # fmt: skip
            for job in store.set_jobs(item_id, [_job(order_id, item_id, "FRONT"),
                                                _job(order_id, item_id, "BACK")]):  # fmt: skip
                store.transition(job.job_id, S.RENDERED)
                store.transition(job.job_id, S.QUEUED, hot_paths=[f"/hot/{job.stem}.pdf"])
                store.transition(job.job_id, S.PRINTED)
    for n in range(HELD):
        item_id, order_id = f"6{n:013d}", f"600-{n:07d}-{n:07d}"
        store.add_item(NewItem(item_id, order_id, "B0HELD", "MUG-11", 1, "/zips/x.zip", "ef"))
        store.set_jobs(item_id, [_job(order_id, item_id, "FRONT")], state=S.HELD,
                       reason="the photo is 90 ppi", cause="review")  # fmt: skip


def queued_jobs(store: SqliteStore, count: int) -> list[str]:
    """`count` one-job orders waiting at the printer: what `mark_printed` is timed on."""
    ids = []
    for n in range(count):
        item_id, order_id = f"5{n:013d}", f"500-{n:07d}-{n:07d}"
        store.add_item(NewItem(item_id, order_id, "B0Q", "MUG-11", 1, "/zips/q.zip", "01"))
        [job] = store.set_jobs(item_id, [_job(order_id, item_id, "FRONT")])
        store.transition(job.job_id, S.RENDERED)
        ids.append(store.transition(job.job_id, S.QUEUED, hot_paths=["/hot/q.pdf"]).job_id)
    return ids


def timed_ms(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95) - 1] if len(values) > 1 else values[0]


@dataclass
class Figures:
    """What is timed in one shop, in ms."""

    page: list[float] = field(default_factory=list)  # GET /, nothing changed since
    changed: list[float] = field(default_factory=list)  # GET /, the store changed before it
    unchanged: list[float] = field(default_factory=list)  # the live refresh answered 304
    board: list[float] = field(default_factory=list)  # the board's queries alone, in-process
    printed: list[float] = field(default_factory=list)  # mark_printed
    claimed: list[float] = field(default_factory=list)  # claiming a zip
    jobs: list[float] = field(default_factory=list)  # `production jobs --state held`, whole


def desk_figures(shop: DeskShop, figures: Figures, repeat: int) -> None:
    """The page unchanged and just changed, and the 304 of an unchanged live refresh."""
    with shop.desk() as desk:
        client = logged_in_at(desk.base_url)

        def page() -> None:
            assert client.get("/").status_code == 200

        tag = client.get("/fragments/board").headers["etag"]

        def unchanged() -> None:
            answer = client.get("/fragments/board", headers={"If-None-Match": tag})
            assert answer.status_code == 304, answer.status_code

        page()  # the templates compiled, the connection open: as a browser finds them
        figures.page = [timed_ms(page) for _ in range(repeat)]
        figures.unchanged = [timed_ms(unchanged) for _ in range(repeat)]
        [held, *_] = shop.store.jobs(state=S.HELD, limit=1)
        for n in range(repeat):
            # A change from the floor's connection (a new ship-by date): the page is rendered.
            shop.store.set_item_ship_by(held.order_item_id, datetime.now(UTC) + timedelta(n))
            figures.changed.append(timed_ms(page))
        figures.board = [timed_ms(lambda: desk_board(shop.store, now=desk.desk.now))
                         for _ in range(repeat)]  # fmt: skip


def side_by_side(shops: tuple[DeskShop, DeskShop], figures: tuple[Figures, Figures]) -> None:
    """mark_printed and claiming a zip, alternating between the shops."""
    count = len(figures[0].page)
    queued = [queued_jobs(shop.store, count) for shop in shops]  # type: ignore[arg-type]
    for n in range(count):
        for side, shop in enumerate(shops):
            figures[side].printed.append(mark_printed_ms(shop, queued[side][n]))
            figures[side].claimed.append(claim_ms(shop, n))


def mark_printed_ms(shop: DeskShop, job_id: str) -> float:
    started = time.perf_counter()
    shop.daemon.pipeline.mark_printed(job_id, reason="benchmark")
    return (time.perf_counter() - started) * 1000


def claim_ms(shop: DeskShop, n: int) -> float:
    """A settled zip in the inbox, claimed and taken in as the daemon does; in ms."""
    dropped = shop.drop(renumbered(sample("text-only"), 5000 + n), f"claim-{n}.zip")
    pipeline = shop.daemon.pipeline
    started = time.perf_counter()
    path = pipeline.inbox.claim(dropped)
    assert path is not None and pipeline.take_in(path) is not None
    return (time.perf_counter() - started) * 1000


def jobs_command(
    shops: tuple[DeskShop, DeskShop], figures: tuple[Figures, Figures]
) -> tuple[float, float]:
    """`production jobs --state held` in each shop, alternating with a bare interpreter and one
    that imports the command line alone; the medians of those two, in ms."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    bare, imports = [], []
    for _ in range(7):
        bare.append(process_ms([sys.executable, "-c", "pass"], env))
        imports.append(process_ms([sys.executable, "-c", "import production.app.cli"], env))
        for shop, figure in zip(shops, figures, strict=True):
            command = [sys.executable, "-m", "production", "jobs", "--state", "held",
                       "--config", str(shop.config)]  # fmt: skip
            figure.jobs.append(process_ms(command, env))
    return statistics.median(bare), statistics.median(imports)


def process_ms(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, env=env, stdout=subprocess.DEVNULL)
    return (time.perf_counter() - started) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--jobs", type=int, default=100_000, help="jobs of history")
    parser.add_argument("--ready", type=int, default=300, help="orders ready to ship")
    parser.add_argument("--repeat", type=int, default=40, help="requests or calls timed")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    figures = (Figures(), Figures())  # no history, then the long one
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        shops = (DeskShop(Path(folder) / "empty"), DeskShop(Path(folder) / "full"))
        for shop in shops:
            stack.callback(shop.close)
        seconds = build_history(shops[1].store_file, args.jobs)
        for shop in shops:
            ready_orders(shop.store, args.ready)  # type: ignore[arg-type]
        history = shops[1].store.count_jobs() - shops[0].store.count_jobs()
        size = shops[1].store_file.stat().st_size / 2**20
        print(
            f"history: {history} jobs built in {seconds:.0f} s through the store"
            f" ({size:.0f} MiB); {args.ready} orders ready, {HELD} jobs held in each shop"
        )
        for shop, figure in zip(shops, figures, strict=True):
            desk_figures(shop, figure, args.repeat)
        side_by_side(shops, figures)
        bare, imports = jobs_command(shops, figures)
    for name, figure in zip(("0 jobs", f"{history} jobs"), figures, strict=True):
        print(summary(name, figure))
    print(f"`python -c pass` median {bare:.0f} ms, `import production.app.cli` {imports:.0f} ms;"
          f" load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")  # fmt: skip
    checks = the_checks(f"{args.jobs // 1000}k jobs", args.ready, figures, bare)
    print_checks(checks)
    print_verdict(checks, time.perf_counter() - started)
    return 0 if all(check.ok for check in checks) else 1


def summary(name: str, figure: Figures) -> str:
    median = statistics.median
    return (
        f"at {name}: page p95 {p95(figure.page):.0f} ms (just changed {p95(figure.changed):.0f}"
        f" ms; board queries median {median(figure.board):.1f} ms), 304 p95"
        f" {p95(figure.unchanged):.1f} ms, mark_printed median {median(figure.printed):.1f} ms,"
        f" claim median {median(figure.claimed):.1f} ms, jobs --state held median"
        f" {median(figure.jobs):.0f} ms"
    )


def the_checks(at: str, ready: int, figures: tuple[Figures, Figures], bare: float) -> list[Check]:
    empty, full = figures
    median = statistics.median
    mark = median(full.printed) / median(empty.printed)
    claim = median(full.claimed) / median(empty.claimed)
    jobs = median(full.jobs) / bare
    page, changed, same = p95(full.page), p95(full.changed), p95(full.unchanged)
    return [
        Check(f"desk page, {ready} ready, {at}, p95 of {len(full.page)}", f"{page:.0f} ms",
              f"<= {PAGE_P95_MS:.0f} ms", page <= PAGE_P95_MS),
        Check(f"desk page just after a change, {at}, p95", f"{changed:.0f} ms",
              f"<= {PAGE_P95_MS:.0f} ms", changed <= PAGE_P95_MS),
        Check(f"live refresh unchanged (304), {at}, p95", f"{same:.1f} ms",
              f"<= {NOT_MODIFIED_P95_MS:.0f} ms", same <= NOT_MODIFIED_P95_MS),
        Check(f"mark_printed, {at} / 0, medians", f"{mark:.2f}x", f"<= {SAME_COST}x",
              mark <= SAME_COST),
        Check(f"claiming a zip, {at} / 0, medians", f"{claim:.2f}x", f"<= {SAME_COST}x",
              claim <= SAME_COST),
        Check(f"`production jobs --state held`, {at} / python -c pass", f"{jobs:.1f}x",
              f"<= {JOBS_COMMAND:.0f}x", jobs <= JOBS_COMMAND),
    ]  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
