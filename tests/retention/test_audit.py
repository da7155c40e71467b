"""`production audit`: clean after a purge, and a leftover in any kind of place is found.

Each planted leftover is a copy of a purged order's real file (or a line, or a row) put where
a person or a program might leave one; the audit must name the place and the order, exit 1,
and never show what it found.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from production.config.settings import load_settings
from production.retention.audit import audit
from production.store import CompanionPackage, CompanionState, NewCompanionOrder
from tests.daemon.shop import Shop
from tests.retention.helpers import Order, cli, print_all, proof, set_retention, ship, take

BUYER_TEXT = "Best Dad"  # in the mug sample's zip


@dataclass
class Purged:
    """A shop where the mug and the sign were shipped and purged and the tote waits."""

    shop: Shop
    mug: Order
    sign: Order
    tote: Order
    kept: Path  # copies of the mug's files, taken before the purge

    @property
    def data(self) -> Path:
        return self.shop.config / "data"

    def audit_lines(self, logs: tuple[Path, ...] = ()) -> list[str]:
        settings = load_settings(self.shop.config)
        report = audit(settings, self.shop.store, logs=logs)
        return report.lines()


@pytest.fixture
def purged(tmp_path: Path) -> Iterator[Purged]:
    shop = Shop(tmp_path)
    mug, sign, tote = (
        take(shop, "photo-text", 1),
        take(shop, "text-only", 2),
        take(shop, "two-surfaces", 3),
    )
    for order in (mug, sign, tote):
        print_all(shop, order)
        proof(shop, order)
    kept = tmp_path / "kept"
    kept.mkdir()
    for path in (shop.config / "data").rglob(f"*{mug.item_id}*"):
        shutil.copyfile(path, kept / path.name)
    ship(shop, mug)
    ship(shop, sign)
    shop.daemon.loop()
    yield Purged(shop, mug, sign, tote, kept)
    shop.close()


def test_the_audit_is_clean_after_a_purge(purged: Purged) -> None:
    log = purged.shop.root / "daemon.log"
    log.write_text("".join(json.dumps(e) + "\n" for e in purged.shop.events))
    assert purged.audit_lines((log,)) == ["no buyer data of 2 shipped orders found"]
    result = cli(purged.shop.config, "audit", "--log", str(log))
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "no buyer data of 2 shipped orders found\n",
        "",
    )


def _zip_renamed(p: Purged) -> tuple[Path, str]:
    target = p.data / "backup-2024.dat"
    shutil.copyfile(p.kept / f"{p.mug.item_id}.zip", target)
    return target, "a zip whose members name the order"


def _ticket_in_done_folder(p: Purged) -> tuple[Path, str]:
    target = p.shop.done() / "ticket.json"
    shutil.copyfile(p.kept / f"{p.mug.stems[0]}.json", target)
    return target, "its bytes name the order"


def _master_pdf(p: Purged) -> tuple[Path, str]:
    target = p.data / "masters" / "reprint.pdf"
    shutil.copyfile(p.kept / f"{p.mug.stems[0]}.pdf", target)
    return target, "a PDF whose title or subject names the order"


def _proof_in_hot_folder(p: Purged) -> tuple[Path, str]:
    target = p.shop.hot("sub-1") / f"{p.mug.stems[0]}.png"
    shutil.copyfile(p.kept / f"{p.mug.stems[0]}.png", target)
    return target, "its name names the order"


def _rejected_in_inbox(p: Purged) -> tuple[Path, str]:
    target = p.shop.inbox / "rejected" / "mug order (1).zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(p.kept / f"{p.mug.item_id}.zip", target)
    return target, "a zip whose members name the order"


PLANTS: dict[str, Callable[[Purged], tuple[Path, str]]] = {
    "zip renamed in the data folder": _zip_renamed,
    "ticket in a done folder": _ticket_in_done_folder,
    "master PDF under another name": _master_pdf,
    "proof in a hot folder": _proof_in_hot_folder,
    "zip in inbox/rejected": _rejected_in_inbox,
}


@pytest.mark.parametrize("plant", sorted(PLANTS))
def test_a_leftover_file_is_found_by_place_and_order(purged: Purged, plant: str) -> None:
    path, what = PLANTS[plant](purged)
    assert purged.audit_lines() == [f"{path}: order {purged.mug.order_id}: {what}"]


def test_the_command_fails_on_a_leftover_and_never_shows_it(purged: Purged) -> None:
    path, _ = _zip_renamed(purged)
    result = cli(purged.shop.config, "audit")
    assert result.returncode == 1
    [line] = result.stdout.splitlines()
    assert line.startswith(f"{path}: order {purged.mug.order_id}:")
    assert BUYER_TEXT not in result.stdout + result.stderr


def test_a_log_line_that_is_not_an_event_is_reported_by_number_only(purged: Purged) -> None:
    log = purged.shop.root / "daemon.log"
    lines = [json.dumps(e) for e in purged.shop.events]
    lines[3:3] = ["Traceback (most recent call last):", f'  ValueError: "{BUYER_TEXT}"']
    log.write_text("\n".join(lines) + "\n")
    assert purged.audit_lines((log,)) == [
        f"{log} line 4: no known order: not one of the daemon's JSON events (not shown)",
        f"{log} line 5: no known order: not one of the daemon's JSON events (not shown)",
    ]
    result = cli(purged.shop.config, "audit", "--log", str(log))
    assert result.returncode == 1 and BUYER_TEXT not in result.stdout


def test_store_leftovers_are_found(purged: Purged) -> None:
    path = purged.shop.store_file
    with sqlite3.connect(path) as db:
        db.execute("UPDATE items SET digest = 'ab' WHERE order_item_id = ?", (purged.mug.item_id,))
        db.execute("ALTER TABLE items ADD COLUMN gift_note TEXT")  # a column nobody vetted
        db.execute(
            "UPDATE items SET gift_note = 'x' WHERE order_item_id = ?", (purged.sign.item_id,)
        )
        db.execute("CREATE TABLE scratch (what TEXT)")
        db.execute("INSERT INTO scratch VALUES (?)", (f"notes for {purged.sign.stems[0]}",))
    db.close()
    assert purged.audit_lines() == [
        f"{path} items.digest: order {purged.mug.order_id}: still set ({purged.mug.item_id})",
        f"{path} items.gift_note: order {purged.sign.order_id}: "
        f"a column not known to be free of it ({purged.sign.item_id})",
        f"{path} scratch: order {purged.sign.order_id}: a row of this table names the order",
    ]


def test_an_order_past_retention_and_not_purged_is_a_leftover(purged: Purged) -> None:
    shop, tote = purged.shop, purged.tote
    set_retention(shop.config, 2)
    ship(shop, tote)  # the daemon is not running: nobody purges it
    shipped = max(j.updated_at for j in shop.store.jobs(order_id=tote.order_id))
    settings = load_settings(shop.config)
    on_time = audit(settings, shop.store, now=shipped + timedelta(days=1))
    assert on_time.lines() == ["no buyer data of 2 shipped orders found"]
    late = audit(settings, shop.store, now=shipped + timedelta(days=2))
    assert late.orders == 3
    assert (
        late.lines()[0]
        == f"job store: order {tote.order_id}: shipped or cancelled over 2 days ago and not purged"
    )
    assert any(line.startswith(f"{shop.config / 'data' / 'zips'}") for line in late.lines())


def test_files_of_no_known_item_are_reported(purged: Purged) -> None:
    stray = purged.data / "zips" / "stray.zip"
    stray.write_bytes(b"PK\x03\x04 a zip nobody took in")
    masters = purged.data / "masters" / "untitled.pdf"
    masters.write_bytes(b"%PDF-1.4 nothing of any order")
    assert purged.audit_lines() == [
        f"{masters}: no known order: belongs to no order item in the job store",
        f"{stray}: no known order: belongs to no order item in the job store",
    ]


def test_companion_orders_of_a_purged_order_stay_and_are_known_to_the_audit(
    purged: Purged,
) -> None:
    store, mug = purged.shop.store, purged.mug
    record = store.add_companion_order(
        NewCompanionOrder(mug.order_id, "", mug.order_id, (("MUG-BOX", 2),), (mug.item_id,),
                          datetime.now(UTC))
    )  # fmt: skip
    package = CompanionPackage(100001, "UPS", "1Z999AA10000100001", "DELIVERED", None, True)
    store.save_companion_order(
        replace(record, state=CompanionState.DELIVERED, amazon_status="Complete",
                message="Amazon's words", packages=(package,))
    )  # fmt: skip
    assert purged.audit_lines() == ["no buyer data of 2 shipped orders found"]
    with sqlite3.connect(
        purged.shop.store_file
    ) as db:  # a column a later version adds, not vetted yet
        db.execute("ALTER TABLE companion_orders ADD COLUMN gift_message TEXT")
        db.execute("UPDATE companion_orders SET gift_message = 'x'")
    db.close()
    assert purged.audit_lines() == [
        f"{purged.shop.store_file} companion_orders.gift_message: order {mug.order_id}: "
        f"a column not known to be free of it ({mug.order_id})"
    ]


def test_a_cancelled_order_is_counted_as_cancelled_not_as_shipped(purged: Purged) -> None:
    shop, tote = purged.shop, purged.tote
    shop.daemon.pipeline.cancel_order(tote.order_id, reason="cancelled on Amazon")
    shop.daemon.loop()  # retention 0: purged at once, like a shipped order
    assert {job.state.value for job in shop.store.jobs(order_id=tote.order_id)} == {"purged"}
    assert purged.audit_lines() == ["no buyer data of 2 shipped and 1 cancelled orders found"]
