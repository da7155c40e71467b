"""A shop with printed and shipped orders in it, and snapshots of its files and tables."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from production.customization import parse_zip
from production.floor.folders import Folders
from production.retention.purge import Retention
from production.shipping.confirm import Shipping
from production.store import JobState
from tests.daemon.shop import Shop, renumbered, sample

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Order:
    order_id: str
    item_id: str
    stems: tuple[str, ...]
    data: bytes  # the zip as it arrived


def set_retention(config: Path, days: int) -> None:
    shop_toml = config / "shop.toml"
    text, count = re.subn(
        r"(?m)^retention_days = \d+", f"retention_days = {days}", shop_toml.read_text()
    )
    assert count == 1, "config/shop.toml has no retention_days line to change"
    shop_toml.write_text(text)


def take(shop: Shop, kind: str, number: int) -> Order:
    """Sample `kind` as order `number`, taken in, rendered and delivered."""
    data = renumbered(sample(kind), number)
    item = parse_zip(data, source="test").item
    shop.drop(data, f"{kind}-{number}.zip")
    shop.settle()
    jobs = shop.store.jobs(order_item_id=item.order_item_id)
    assert jobs and {j.state for j in jobs} == {JobState.QUEUED}, jobs
    return Order(item.order_id, item.order_item_id, tuple(j.stem for j in jobs), data)


def print_all(shop: Shop, order: Order) -> None:
    """The floor prints the order: the UV RIP moves its files to the done folder, the rest are
    marked done by an operator."""
    for job in shop.store.jobs(order_id=order.order_id):
        if job.printer == "uv-1":
            for path in map(Path, job.hot_paths):
                path.rename(shop.done() / path.name)
    shop.daemon.loop()
    for job in shop.store.jobs(order_id=order.order_id, state=JobState.QUEUED):
        shop.daemon.pipeline.mark_printed(job.job_id, reason="done by an operator")
    assert {j.state for j in shop.store.jobs(order_id=order.order_id)} == {JobState.PRINTED}


def ship(shop: Shop, order: Order) -> None:
    shipping = Shipping(shop.store, amazon=None, marketplace_id=None)
    shipping.ship(order.order_id, carrier="UPS", tracking=f"1Z{order.item_id}")


def proof(shop: Shop, order: Order) -> list[Path]:
    """The desk's proof pictures of the order's jobs (the desk writes them on demand)."""
    folder = Folders(shop.daemon.pipeline.settings.shop.data_dir).proofs
    folder.mkdir(exist_ok=True)
    paths = [folder / f"{stem}.png" for stem in order.stems]
    for path in paths:
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + order.data[-64:])
    return paths


def snapshot(root: Path) -> dict[str, str]:
    """Every file under `root` (the store's aside) → sha256 of its bytes."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".sqlite3" not in path.name
    }


def tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as db:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        dump = {name: db.execute(f'SELECT * FROM "{name}"').fetchall() for name in names}
    db.close()
    return dump


def retention(shop: Shop, *, now: datetime | None = None) -> Retention:
    pipeline = shop.daemon.pipeline
    clock = (lambda: now) if now is not None else (lambda: datetime.now(UTC))
    return Retention(pipeline.settings, shop.store, log=shop.events.append, clock=clock)


def cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "production", *args, "--config", str(config)],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
