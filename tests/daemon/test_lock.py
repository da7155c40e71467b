"""One daemon per shop: a second `production run` on the same data folder refuses at once and
changes nothing; the first loses and doubles nothing; after a kill -9 a new one starts."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from production.core.errors import DaemonRunningError
from production.floor.folders import Folders
from production.floor.lock import DataFolderLock
from production.store import JobState
from tests.daemon.processes import (
    REPO,
    ExpectedJob,
    Floor,
    Run,
    expected_jobs,
    store_matches_folders,
)
from tests.daemon.shop import renumbered, sample

KINDS = ("text-only", "photo-text", "two-surfaces", "options-only")
START = 60.0  # bounds that only matter when something is broken: a loaded machine is slow
FINISH = 120.0

pytestmark = pytest.mark.slow  # real processes end to end: `-m 'not slow'` skips them


@pytest.fixture
def floor(tmp_path: Path) -> Iterator[Floor]:
    floor = Floor(tmp_path, settle=0.2)
    yield floor
    floor.stop_all()


def _orders(count: int, *, first: int) -> dict[str, bytes]:
    return {
        f"order-{n:03d}.zip": renumbered(sample(KINDS[n % len(KINDS)]), n)
        for n in range(first, first + count)
    }


def _all_queued(floor: Floor, expected: dict[str, ExpectedJob]) -> bool:
    states = floor.peek_states()
    return all(states.get(job_id) == "queued" for job_id in expected) and not floor.waiting()


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under `root`: size and modification time (SQLite's shared-memory index aside:
    readers write into it)."""
    return {
        str(path.relative_to(root)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.name.endswith("-shm")
    }


def _refused(floor: Floor, second: Run, first: Run) -> None:
    """`second` exited 1 with the one line that names the daemon running, and did nothing."""
    code = floor.wait_exit(second, START, "a second daemon on the same data folder")
    data_dir = floor.settings.shop.data_dir
    want = f"production: another daemon (pid {first.pid}) is running on {data_dir}"
    if code != 1 or second.lines() != [want]:
        floor.fail(f"the second daemon exited {code} with {second.lines()}, expected 1: {want}")
    floor.check_no_leftovers(second, "its refusal")


def test_a_second_daemon_refuses_and_nothing_is_lost_and_kill_9_frees_the_shop(
    floor: Floor,
) -> None:
    first_zips, while_both, after_kill = (
        _orders(6, first=0), _orders(6, first=6), _orders(4, first=12)
    )  # fmt: skip
    everything = first_zips | while_both | after_kill
    expected = expected_jobs(floor.config, everything)
    before_kill = expected_jobs(floor.config, first_zips | while_both)

    first = floor.start()
    floor.wait_event(first, lambda e: e.get("state") == "started", timeout=START, what="start")
    for name, data in first_zips.items():
        floor.drop(data, name)
    floor.wait_event(
        first, lambda e: e.get("state") == "queued", timeout=FINISH, what="the first job queued"
    )
    # The first daemon is taking zips in; a second one starts, and more zips arrive meanwhile.
    second = floor.start()
    for name, data in while_both.items():
        floor.drop(data, name)
    _refused(floor, second, first)
    floor.notes.append("the second daemon refused")
    floor.wait_until(
        lambda: _all_queued(floor, before_kill), timeout=FINISH, what="every zip", run=first
    )

    # Nothing at all is touched by a refused start: once the first daemon is idle, any change
    # under the shop's folders would be the refused daemon's.
    floor.wait_until(lambda: floor.quiet(first, 0.5), timeout=FINISH, what="idle", run=first)
    before = _snapshot(floor.config)
    third = floor.start()
    _refused(floor, third, first)
    assert _snapshot(floor.config) == before, floor.report()

    floor.kill(first)  # the kernel drops the lock with the process
    floor.notes.append("the first daemon killed with SIGKILL")
    fourth = floor.start()
    floor.wait_event(
        fourth, lambda e: e.get("state") == "started", timeout=START, what="a start after kill -9"
    )
    for name, data in after_kill.items():
        floor.drop(data, name)
    floor.wait_until(
        lambda: _all_queued(floor, expected), timeout=FINISH, what="every zip", run=fourth
    )
    assert floor.stop(fourth) == 0, floor.report()

    # Every job's files in its hot folder, none missing, none extra, none delivered twice.
    store_matches_folders(floor, expected)
    with floor.open_store() as store:
        queued = [entry.job_id for entry in store.audit() if entry.to_state is JobState.QUEUED]
    assert sorted(queued) == sorted(expected), floor.report()


def test_the_lock_names_its_holder_and_is_free_once_released(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with DataFolderLock(data) as held:
        assert held.held and Folders(data).lock.read_text() == f"{os.getpid()}\n"
        with pytest.raises(DaemonRunningError) as refused:
            DataFolderLock(data).acquire()  # a descriptor of its own: flock says no
        assert refused.value.pid == os.getpid()
        assert str(refused.value) == f"another daemon (pid {os.getpid()}) is running on {data}"
        assert Folders(data).lock.read_text() == f"{os.getpid()}\n"  # the refusal wrote nothing
    again = DataFolderLock(data).acquire()
    again.release()


def test_the_lock_outlives_no_process_that_held_it(tmp_path: Path) -> None:
    """A holder ended by SIGKILL leaves its file and pid behind; the lock is free all the same."""
    data = tmp_path / "data"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(data)],
        cwd=REPO, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"  # it holds the lock from here on
        with pytest.raises(DaemonRunningError) as refused:
            DataFolderLock(data).acquire()
        assert refused.value.pid == holder.pid
    finally:
        holder.kill()
        holder.wait(timeout=60)
    assert Folders(data).lock.read_text() == f"{holder.pid}\n"
    DataFolderLock(data).acquire().release()


_HOLD = """
import sys, time
from pathlib import Path
from production.floor.lock import DataFolderLock

lock = DataFolderLock(Path(sys.argv[1])).acquire()
print("held", flush=True)
time.sleep(3600)
"""
