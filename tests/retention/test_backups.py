"""The store's daily copies in `data/backups/`: taken online, pruned, and purged like the store.

A copy of the store holds what the store held that day: an order purged since must be gone from
every copy too (its zip's digest is looked for in the copy's raw bytes, not only in its rows),
and the audit checks the copies as it checks the store.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from production.config.settings import load_settings
from production.retention.audit import audit
from production.store.factory import store_backups
from production.store.sqlite.backups import StoreBackups
from production.store.sqlite.health import store_problems
from tests.daemon.shop import Shop
from tests.retention.helpers import print_all, ship, tables, take


def digest_of(shop: Shop, item_id: str) -> str:
    item = shop.store.item(item_id)
    assert item is not None and item.digest
    return item.digest


def holds(path: Path, text: str) -> bool:
    """Whether the file's raw bytes (free pages and all) hold `text`."""
    return text.encode() in path.read_bytes()


def test_a_copy_is_a_whole_store_and_forgets_what_the_store_purges(tmp_path: Path) -> None:
    shop = Shop(tmp_path)
    mug, tote = take(shop, "photo-text", 1), take(shop, "two-surfaces", 3)
    mug_digest, tote_digest = digest_of(shop, mug.item_id), digest_of(shop, tote.item_id)
    settings = load_settings(shop.config)
    copy = store_backups(settings).take()  # while the daemon's connection is open
    assert copy.parent == settings.shop.data_dir / "backups"
    assert store_problems(copy, full=True) == []
    assert not Path(f"{copy}-wal").exists(), "a copy is one self-contained file"
    assert holds(copy, mug_digest)
    assert tables(copy)["jobs"] == tables(shop.store_file)["jobs"]

    print_all(shop, mug)
    ship(shop, mug)
    shop.daemon.loop()  # retention_days = 0: the mug is purged at the end of this pass
    assert not holds(copy, mug_digest), "the copy kept a purged order's digest"
    assert holds(copy, mug.item_id)  # its ids stay, as in the store
    assert holds(copy, tote_digest), "an order not purged lost its data"
    assert store_problems(copy, full=True) == []
    assert audit(settings, shop.store).lines() == ["no buyer data of 1 shipped orders found"]
    shop.close()


def test_the_audit_finds_a_copy_that_was_not_purged(tmp_path: Path) -> None:
    shop = Shop(tmp_path)
    mug = take(shop, "photo-text", 1)
    settings = load_settings(shop.config)
    backups = store_backups(settings)
    old = shutil.copyfile(backups.take(), tmp_path / "old.sqlite3")  # set aside before the purge
    print_all(shop, mug)
    ship(shop, mug)
    shop.daemon.loop()
    planted = backups.folder / "jobs-20200101T000000Z.sqlite3"  # an old copy put back by hand
    shutil.copyfile(old, planted)
    lines = audit(settings, shop.store).lines()
    assert f"{planted} items.digest: order {mug.order_id}: still set ({mug.item_id})" in lines
    assert not any("its bytes name the order" in line for line in lines), lines
    shop.close()


def test_copies_are_taken_once_a_day_and_the_newest_kept(tmp_path: Path) -> None:
    shop = Shop(tmp_path)
    now = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    backups = StoreBackups(
        shop.store_file, tmp_path / "backups", kept=2, clock=lambda: now, interval=timedelta(days=1)
    )
    assert backups.step() == 1
    assert backups.step() == 0, "a second copy the same day"
    cut_short = backups.folder / ".jobs-20260301T020000Z.sqlite3.part"  # a crash mid-copy
    cut_short.write_bytes(b"SQLite format 3\x00")
    for _ in range(3):
        now += timedelta(days=1, minutes=1)
        assert backups.step() == 1
    names = [path.name for path in backups.backups()]
    assert names == ["jobs-20260304T030300Z.sqlite3", "jobs-20260303T030200Z.sqlite3"]
    assert sorted(path.name for path in backups.folder.iterdir()) == sorted(names)
    off = StoreBackups(shop.store_file, tmp_path / "none", kept=0, clock=lambda: now)
    assert off.step() == 0 and not off.folder.exists()
    shop.close()
