"""Purging shipped and cancelled orders: exactly their files, in every folder, crash-safe.

A shop in tmp_path (real folders, a real SQLite file), its daemon driven one pass at a time.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

import production.core.files
import production.retention.purge
from production.core.errors import RetentionError
from production.floor.folders import Folders
from production.retention.purge import Retention
from production.store import JobState
from tests.daemon.processes import Floor
from tests.daemon.shop import Shop
from tests.daemon.test_pipeline import read_only
from tests.retention.helpers import (
    Order,
    cli,
    print_all,
    proof,
    retention,
    set_retention,
    ship,
    snapshot,
    tables,
    take,
)


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    shop = Shop(tmp_path)
    yield shop
    shop.close()


@pytest.fixture
def floor(shop: Shop) -> dict[str, Order]:
    """Four orders, all printed: a mug (UV, done folder), a tote (UV, two surfaces), a sign
    (laser: its files stay in the hot folder) and a pin (options only: a ticket in masters)."""
    orders = {
        "mug": take(shop, "photo-text", 1),
        "tote": take(shop, "two-surfaces", 2),
        "sign": take(shop, "text-only", 3),
        "pin": take(shop, "options-only", 4),
    }
    for order in orders.values():
        print_all(shop, order)
        proof(shop, order)
    return orders


def files_of(files: dict[str, str], *orders: Order) -> set[str]:
    return {name for name in files if any(o.item_id in name for o in orders)}


def test_a_purge_removes_exactly_the_shipped_orders_files(
    shop: Shop, floor: dict[str, Order]
) -> None:
    mug, tote, sign, pin = floor["mug"], floor["tote"], floor["sign"], floor["pin"]
    for order in (mug, sign, pin):
        ship(shop, order)
    before = snapshot(shop.root)
    records = {o: (shop.store.items(order_id=o), shop.store.jobs(order_id=o))
               for o in (tote.order_id, pin.order_id)}  # fmt: skip
    gone = files_of(before, mug, sign)
    # Every kind of place an order's buyer data reaches is in the test.
    for place in ("data/zips/", "data/masters/", "data/proofs/", "done/uv-1/", "hot/laser-1/"):
        assert any(name.startswith(f"config/{place}") for name in gone), place

    results = retention(shop).purge([mug.order_id, sign.order_id])

    after = snapshot(shop.root)
    assert set(before) - set(after) == gone
    assert {str(p.relative_to(shop.root)) for r in results for p in r.removed} == gone
    assert all(after[name] == before[name] for name in after)  # nothing else was touched
    for order in (mug, sign):
        jobs = shop.store.jobs(order_id=order.order_id)
        assert {(j.state, j.hot_paths) for j in jobs} == {(JobState.PURGED, ())}
        [item] = shop.store.items(order_id=order.order_id)
        assert (item.zip_path, item.digest, item.sku) == ("", "", item.sku)
        assert shop.store.shipments(order_id=order.order_id)[0].tracking == f"1Z{order.item_id}"
        history = [e.to_state for e in shop.store.audit(job_id=jobs[0].job_id)]
        assert history[-2:] == [JobState.SHIPPED, JobState.PURGED]
    for order_id, (items, jobs) in records.items():
        assert (shop.store.items(order_id=order_id), shop.store.jobs(order_id=order_id)) == (
            items,
            jobs,
        )
    events = [e for e in shop.events if e["state"] == "purged"]
    assert [(e["order"], e["files"]) for e in events] == [
        (r.plan.order_id, len(r.removed)) for r in results
    ]
    assert retention(shop).purge([mug.order_id])[0].removed == ()  # again: nothing to do


def test_a_dry_run_lists_the_files_and_changes_nothing(shop: Shop, floor: dict[str, Order]) -> None:
    ship(shop, floor["mug"])
    files, store = snapshot(shop.root), tables(shop.store_file)

    [plan] = retention(shop).purge(retention(shop).due(), dry_run=True)

    assert (snapshot(shop.root), tables(shop.store_file)) == (files, store)
    assert plan.removed == () and plan.purged == ()
    listed = {str(p.relative_to(shop.root)) for p in plan.plan.files}
    assert listed == files_of(files, floor["mug"])
    [done] = retention(shop).purge([floor["mug"].order_id])
    assert set(done.removed) == set(plan.plan.files)


def test_retention_days_count_from_the_shipment(shop: Shop, floor: dict[str, Order]) -> None:
    set_retention(shop.config, 3)
    shop.restart()
    mug = floor["mug"]
    ship(shop, mug)
    shipped = max(j.updated_at for j in shop.store.jobs(order_id=mug.order_id))
    shop.daemon.loop()  # the daemon's clock is now: three days have not passed
    assert {j.state for j in shop.store.jobs(order_id=mug.order_id)} == {JobState.SHIPPED}

    early = retention(shop, now=shipped + timedelta(days=3, seconds=-1))
    assert early.due() == [] and early.purge_due() == 0
    assert (shop.config / "data" / "zips" / f"{mug.item_id}.zip").exists()
    late = retention(shop, now=shipped + timedelta(days=3))
    assert late.due() == [mug.order_id]
    assert late.purge_due() == 1
    assert not (shop.config / "data" / "zips" / f"{mug.item_id}.zip").exists()
    assert shop.store.audit(order_id=mug.order_id)[-1].reason == (
        "buyer data deleted (retention 3 days)"
    )


def test_a_cancelled_order_is_purged_like_a_shipped_one(
    shop: Shop, floor: dict[str, Order]
) -> None:
    tote = floor["tote"]
    shop.daemon.pipeline.cancel_order(tote.order_id, reason="cancelled on Amazon")
    assert retention(shop).due() == [tote.order_id]
    shop.daemon.loop()
    assert {j.state for j in shop.store.jobs(order_id=tote.order_id)} == {JobState.PURGED}
    assert files_of(snapshot(shop.root), tote) == set()


def test_an_order_not_shipped_is_refused_and_nothing_changes(
    shop: Shop, floor: dict[str, Order]
) -> None:
    files, store = snapshot(shop.root), tables(shop.store_file)
    with pytest.raises(RetentionError, match=r"not shipped or cancelled yet: .*\(printed\)"):
        retention(shop).purge([floor["mug"].order_id])
    with pytest.raises(RetentionError, match="no such order"):
        retention(shop).purge(["900-0000099-0000099"])
    assert (snapshot(shop.root), tables(shop.store_file)) == (files, store)


class Crash(BaseException):
    """Stands in for kill -9: nothing after it runs, no handler catches it."""


@pytest.mark.parametrize("after", [0, 1, 3, "files"])
def test_a_purge_cut_short_anywhere_is_finished_by_the_next(
    shop: Shop, floor: dict[str, Order], monkeypatch: pytest.MonkeyPatch, after: int | str
) -> None:
    mug, sign = floor["mug"], floor["sign"]
    ship(shop, mug)
    ship(shop, sign)
    real = production.core.files.remove_files  # what purge imported and calls

    def crash_after(paths: list[Path]) -> list[Path]:
        if after == "files":  # every file deleted, then the store is never told
            real(paths)
            raise Crash
        real(list(paths)[: int(after)])
        raise Crash

    monkeypatch.setattr(production.retention.purge, "remove_files", crash_after)
    with pytest.raises(Crash):
        retention(shop).purge([mug.order_id, sign.order_id])
    monkeypatch.undo()
    assert {j.state for j in shop.store.jobs(order_id=mug.order_id)} == {JobState.SHIPPED}
    assert retention(shop).due() == [mug.order_id, sign.order_id]  # still due: tried again

    shop.daemon.loop()

    for order in (mug, sign):
        assert {j.state for j in shop.store.jobs(order_id=order.order_id)} == {JobState.PURGED}
    assert files_of(snapshot(shop.root), mug, sign) == set()
    assert retention(shop).due() == []


def test_symlinks_are_removed_as_links_and_never_followed(
    shop: Shop, floor: dict[str, Order], tmp_path: Path
) -> None:
    mug = floor["mug"]
    outside = tmp_path / "outside"
    (outside / "archive").mkdir(parents=True)
    kept = outside / "keep.pdf"
    kept.write_bytes(b"%PDF- not ours")
    (outside / "archive" / f"{mug.stems[0]}.pdf").write_bytes(b"%PDF- not ours either")
    done = shop.done()
    (done / f"{mug.stems[0]}-copy.pdf").symlink_to(kept)
    (done / f"{mug.order_id}-archive").symlink_to(outside / "archive")
    elsewhere = outside / f"{mug.stems[0]}.json"
    elsewhere.write_text("{}")
    ship(shop, mug)
    with sqlite3.connect(shop.store_file) as db:  # a store that names a file outside the shop
        db.execute("UPDATE jobs SET hot_paths = ? WHERE order_id = ?",
                   (json.dumps([str(elsewhere)]), mug.order_id))  # fmt: skip
    db.close()

    retention(shop).purge([mug.order_id])

    assert not (done / f"{mug.stems[0]}-copy.pdf").is_symlink()
    assert not (done / f"{mug.order_id}-archive").is_symlink()
    assert kept.read_bytes() == b"%PDF- not ours"
    assert (outside / "archive" / f"{mug.stems[0]}.pdf").exists()
    assert elsewhere.exists()


def test_the_zip_of_a_purged_order_dropped_again_is_discarded(
    shop: Shop, floor: dict[str, Order]
) -> None:
    mug = floor["mug"]
    ship(shop, mug)
    shop.daemon.loop()
    assert {j.state for j in shop.store.jobs(order_id=mug.order_id)} == {JobState.PURGED}
    shop.drop(mug.data, "downloaded again.zip")
    shop.settle()
    assert {j.state for j in shop.store.jobs(order_id=mug.order_id)} == {JobState.PURGED}
    assert files_of(snapshot(shop.root), mug) == set()
    assert not any(shop.inbox.iterdir())
    assert shop.events[-1]["state"] == "duplicate"


def test_the_daemon_purges_by_itself_and_logs_ids_and_counts_only(
    shop: Shop, floor: dict[str, Order]
) -> None:
    mug = floor["mug"]
    ship(shop, mug)
    files = files_of(snapshot(shop.root), mug)
    assert shop.daemon.loop() is True  # something was done: look again at once
    [event] = [e for e in shop.events if e["state"] == "purged"]
    assert set(event) == {"time", "order", "state", "items", "jobs", "files"}
    assert (event["order"], event["items"], event["jobs"]) == (mug.order_id, 1, 1)
    # zip, master PDF, ticket and proof picture, the desk's proof, done ×2
    assert event["files"] == len(files) == 7
    assert files_of(snapshot(shop.root), mug) == set()
    assert shop.daemon.loop() is False  # and then nothing more


def test_a_file_that_cannot_be_deleted_is_logged_tried_later_and_holds_up_no_one(
    shop: Shop, floor: dict[str, Order]
) -> None:
    mug, sign = floor["mug"], floor["sign"]
    ship(shop, mug)
    ship(shop, sign)
    pipeline = shop.daemon.pipeline
    retention = Retention(
        pipeline.settings, shop.store, log=shop.events.append, monotonic=shop.clock
    )
    shop.daemon.after_pass = [retention.purge_due]
    with read_only(shop.done()):  # the mug's files are in the UV printer's done folder
        shop.daemon.loop()
        shop.daemon.loop()  # within the retry time: not tried again, not logged again
    errors = [e for e in shop.events if e["state"] == "error"]
    assert [(e["order"], e["cause"]) for e in errors] == [(mug.order_id, "retention")]
    assert "cannot delete a file" in str(errors[0]["reason"])
    assert {j.state for j in shop.store.jobs(order_id=mug.order_id)} == {JobState.SHIPPED}
    assert {j.state for j in shop.store.jobs(order_id=sign.order_id)} == {JobState.PURGED}

    shop.clock.advance(production.retention.purge.DEFAULT_RETRY_SECONDS)
    shop.daemon.loop()
    assert {j.state for j in shop.store.jobs(order_id=mug.order_id)} == {JobState.PURGED}
    assert files_of(snapshot(shop.root), mug) == set()


def test_the_purge_command(shop: Shop, floor: dict[str, Order]) -> None:
    mug, tote = floor["mug"], floor["tote"]
    set_retention(shop.config, 30)
    ship(shop, mug)
    result = cli(shop.config, "purge", "--dry-run")
    assert (result.returncode, result.stdout) == (0, "nothing to purge (retention 30 days)\n")

    files = snapshot(shop.root)
    result = cli(shop.config, "purge", "--dry-run", "--order", mug.order_id)
    assert result.returncode == 0, result.stderr
    [head, *listed] = result.stdout.splitlines()
    assert head == f"order {mug.order_id}: would remove {len(listed)} files"
    assert {str(Path(line.strip()).relative_to(shop.root)) for line in listed} == files_of(
        files, mug
    )
    assert snapshot(shop.root) == files

    result = cli(shop.config, "purge", "--order", mug.order_id)
    assert result.stdout == f"order {mug.order_id}: {len(listed)} files removed\n"
    reason = shop.store.audit(order_id=mug.order_id)[-1].reason
    assert reason == "buyer data deleted on request"

    result = cli(shop.config, "purge", "--order", tote.order_id)
    assert result.returncode == 1 and result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"production: order {tote.order_id}: not shipped or cancelled yet")
    assert Folders(shop.config / "data").zips.joinpath(f"{tote.item_id}.zip").exists()


def test_the_daemon_says_at_start_what_retention_0_means_for_reprints(tmp_path: Path) -> None:
    floor = Floor(tmp_path, settle=0.2)
    try:
        run = floor.start()
        floor.wait_event(run, lambda e: e.get("state") == "started", timeout=60, what="start")
        [warning] = [e for e in run.events() if e.get("state") == "retention"]
        assert warning["level"] == "warning" and "reprint" in str(warning["reason"])
        assert floor.stop(run) == 0

        set_retention(floor.config, 30)
        run = floor.start()
        floor.wait_event(run, lambda e: e.get("state") == "started", timeout=60, what="start")
        assert not [e for e in run.events() if e.get("state") == "retention"]
        assert floor.stop(run) == 0
    finally:
        floor.stop_all()
