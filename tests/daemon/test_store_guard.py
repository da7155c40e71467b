"""The daemon, as a real process, on a store it must not trust: damaged, read-only, gone.

A shop runs one order through a real `production run`; then its store is damaged for real (4 KB
of garbage over a page of the file), made immutable (`chattr +i`: the tests run as root, whom
mode bits do not stop), deleted, or the whole data folder is deleted (`rm -rf`) under the
running daemon. Each time the daemon must refuse (or stop) with one line that says what to do,
never log "started" on a store it cannot use, and never deliver a zip twice.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from production.core.errors import DataFolderGoneError
from production.floor.watchdog import DataFolderWatch
from tests.daemon.processes import REPO, Floor, Run
from tests.daemon.shop import Shop, renumbered, sample
from tests.store.test_store_health import immutable, write_garbage

START = 20.0  # seconds for a daemon to start and log its first event, or to refuse


@pytest.fixture
def floor(tmp_path: Path) -> Iterator[Floor]:
    made = Floor(tmp_path, settle=0.2)
    yield made
    made.stop_all()


def cli(floor: Floor, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "production", *args, "--config", str(floor.config)],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def deliver(floor: Floor, run: Run, number: int) -> set[str]:
    """Order `number` (a laser sign) dropped in and delivered; the job ids."""
    before = set(floor.peek_states())
    floor.drop(renumbered(sample("text-only"), number), f"sign-{number}.zip")

    def delivered() -> bool:
        states = floor.peek_states()
        new = set(states) - before
        return bool(new) and all(states[job] == "queued" for job in new) and not floor.waiting()

    floor.wait_until(delivered, timeout=START, what=f"order {number} delivered", run=run)
    return set(floor.peek_states()) - before


def a_shop_that_ran(floor: Floor) -> None:
    """One order delivered, the daemon stopped cleanly."""
    run = floor.start()
    deliver(floor, run, 1)
    assert floor.stop(run) == 0, floor.report()


def refusal(floor: Floor, run: Run) -> str:
    """The one line a daemon that exited 1 said (its JSON events aside), having started nothing."""
    code = floor.wait_exit(run, START, "starting on a store it must refuse")
    said = [line for line in run.lines() if not line.startswith("{")]
    assert code == 1, floor.report()
    assert len(said) == 1, floor.report()
    assert not any(e.get("state") == "started" for e in run.events()), floor.report()
    return said[0]


def laser_files(floor: Floor) -> list[str]:
    return floor.files_in(floor.hot("laser-1"))


def test_a_damaged_store_is_refused_and_restored_from_a_backup(floor: Floor) -> None:
    a_shop_that_ran(floor)
    assert list(floor.folders.backups.glob("jobs-*.sqlite3")), "the daemon took no daily copy"
    made = cli(floor, "store", "backup")
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.split(": written")[0])
    write_garbage(floor.folders.store, page=3)

    line = refusal(floor, floor.start())
    assert "damaged" in line and "production store check" in line, line
    assert "production store restore" in line and str(floor.folders.backups) in line, line
    check = cli(floor, "store", "check")
    assert check.returncode == 1 and "damaged" in check.stdout, check.stdout + check.stderr
    assert f"backup {backup}: whole" in check.stdout, check.stdout
    audit = cli(floor, "audit")
    assert audit.returncode == 1 and "damaged" in audit.stderr, audit.stdout + audit.stderr

    restored = cli(floor, "store", "restore", str(backup))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert cli(floor, "store", "check").returncode == 0
    run = floor.start()
    floor.wait_event(run, lambda e: e.get("state") == "started", timeout=START, what="started")
    assert floor.stop(run) == 0, floor.report()
    assert set(floor.peek_states().values()) == {"queued"}, "the restored store lost the job"


def test_a_read_only_store_is_refused_at_start(floor: Floor) -> None:
    a_shop_that_ran(floor)
    with immutable(floor.folders.store):
        line = refusal(floor, floor.start())
    assert "cannot be written" in line and "production store check" in line, line


def test_a_store_missing_from_a_shop_that_ran_is_not_made_anew(floor: Floor) -> None:
    a_shop_that_ran(floor)
    delivered = laser_files(floor)
    floor.folders.store.unlink()
    line = refusal(floor, floor.start())
    assert "data folder was replaced" in line and "production store restore" in line, line
    assert not floor.folders.store.exists(), "a refused start made a new store"
    assert laser_files(floor) == delivered


@pytest.mark.slow
def test_a_data_folder_deleted_under_the_daemon_stops_it_and_nothing_is_delivered_twice(
    floor: Floor,
) -> None:
    run = floor.start()
    deliver(floor, run, 1)
    delivered = laser_files(floor)
    shutil.rmtree(floor.folders.root)
    floor.drop(renumbered(sample("text-only"), 2), "sign-2.zip")  # arrives meanwhile
    code = floor.wait_exit(run, START, "its data folder was deleted")
    said = [line for line in run.lines() if not line.startswith("{")]
    assert code == 1 and len(said) == 1, floor.report()
    assert "was deleted while the daemon ran" in said[0], said

    # Started again on the emptied folder: refused, as the hot folder holds its tickets.
    line = refusal(floor, floor.start())
    assert "the hot folder of printer 'laser-1' holds its job tickets" in line, line
    assert laser_files(floor) == delivered, "a zip was delivered twice"
    assert floor.files_in(floor.inbox) == ["sign-2.zip"], "the zip that came meanwhile is lost"

    # The operator starts afresh on purpose: the delivered files moved away, order 2 goes out.
    aside = floor.root / "aside"
    shutil.move(floor.hot("laser-1"), aside)
    floor.hot("laser-1").mkdir()
    run = floor.start()
    floor.wait_until(
        lambda: set(floor.peek_states().values()) == {"queued"} and not floor.waiting(),
        timeout=START, what="order 2 delivered", run=run,
    )  # fmt: skip
    floor.signal(run, signal.SIGTERM)
    assert floor.wait_exit(run, START, "SIGTERM") == 0, floor.report()
    assert len(laser_files(floor)) == len(delivered), floor.report()
    assert not set(laser_files(floor)) & set(delivered), "order 1 was delivered again"


def test_a_pass_stops_when_the_store_file_is_replaced_under_it(tmp_path: Path) -> None:
    shop = Shop(tmp_path)
    shop.daemon.guard = DataFolderWatch(shop.daemon.pipeline.folders.root, shop.store_file)
    shop.daemon.loop()  # nothing changed: a pass as any other
    copy = shop.store_file.with_name("copy.sqlite3")
    shutil.copyfile(shop.store_file, copy)
    copy.replace(shop.store_file)  # a store put back by hand under the running daemon
    with pytest.raises(DataFolderGoneError, match="was replaced by another one"):
        shop.daemon.loop()
    shop.close()
