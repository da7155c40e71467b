"""The daemon under faults, as a real process: kill -9, half-copied zips, lost hot folders, signals.

Each test runs `python -m production run --config DIR` on a shop in tmp_path (the default
configuration with a short settle time) and judges only what is visible from outside: the hot
folders, the inbox, the store once the daemon has stopped, and the JSON lines on its stderr.
The kill test is random; its seed is in every failure message, and
`PRODUCTION_FAULT_SEED=<seed> pytest tests/daemon/test_faults.py` repeats its choices.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from production.store import JobState
from tests.daemon.processes import (
    REPO,
    ExpectedJob,
    Floor,
    buyer_texts,
    check_log,
    expected_jobs,
    store_matches_folders,
)
from tests.daemon.shop import renumbered, sample
from tests.daemon.test_pipeline import read_only

SEED_VARIABLE = "PRODUCTION_FAULT_SEED"
KINDS = ("text-only", "photo-text", "two-surfaces", "options-only")  # laser, uv, uv ×2, ticket
START = 20.0  # seconds a daemon may take to start and log its first event (imports: ~0.6 s)
FINISH = 30.0  # seconds for a daemon to work through everything waiting

pytestmark = pytest.mark.slow  # real processes end to end: `-m 'not slow'` skips them


@pytest.fixture
def floors() -> Iterator[list[Floor]]:
    """Floors a test makes; whatever daemon is still running at its end is killed."""
    made: list[Floor] = []
    yield made
    for floor in made:
        floor.stop_all()


def new_floor(floors: list[Floor], root: Path, *, settle: float, context: str = "") -> Floor:
    floor = Floor(root, settle=settle, context=context)
    floors.append(floor)
    return floor


def orders(kinds: tuple[str, ...], count: int, *, first: int = 0) -> dict[str, bytes]:
    """`count` distinct orders (file name -> zip), the kinds taken in turn."""
    return {
        f"order-{n:03d}.zip": renumbered(sample(kinds[n % len(kinds)]), n)
        for n in range(first, first + count)
    }


def all_done(floor: Floor, expected: dict[str, ExpectedJob], state: str = "queued") -> bool:
    """Every expected job in `state` (as the running daemon's store says) and the inbox empty."""
    states = floor.peek_states()
    if any(states.get(job_id) != state for job_id in expected):
        return False
    return not floor.waiting()


def check_whole_files(floor: Floor) -> None:
    """What a RIP can see in a hot folder is whole: hidden `.part` names aside."""
    for printer, names in floor.hot_files().items():
        for name in names:
            if name.startswith("."):
                continue
            data = (floor.hot(printer) / name).read_bytes()
            whole = (
                data.startswith(b"%PDF-") and b"%%EOF" in data[-64:]
                if name.endswith(".pdf")
                else _is_json(data)
            )
            if not whole:
                floor.fail(f"hot/{printer}/{name} is visible but not whole ({len(data)} bytes)")


def _is_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except ValueError:
        return False
    return True


def drop_all(floor: Floor, zips: dict[str, bytes]) -> None:
    for name, data in zips.items():
        floor.drop(data, name)


def cli(floor: Floor, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "production", *args, "--config", str(floor.config)],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def store_matches_folders_so_far(floor: Floor, taken: dict[str, ExpectedJob]) -> None:
    """As `store_matches_folders`, for the zips taken so far; the others are still in the inbox."""
    inbox = floor.inbox
    waiting = inbox.parent / "waiting"
    waiting.mkdir()
    for path in [p for p in inbox.iterdir() if p.is_file()]:
        path.rename(waiting / path.name)
    try:
        store_matches_folders(floor, taken)
    finally:
        for path in list(waiting.iterdir()):
            path.rename(inbox / path.name)
        waiting.rmdir()


def test_kill_9_at_random_moments_loses_nothing_and_doubles_nothing(
    tmp_path: Path, floors: list[Floor]
) -> None:
    """100 orders, a daemon killed with SIGKILL again and again, then one that finishes."""
    seed = int(os.environ.get(SEED_VARIABLE) or random.SystemRandom().randrange(2**32))
    rng = random.Random(seed)
    floor = new_floor(
        floors, tmp_path, settle=0.2, context=f"seed {seed}: {SEED_VARIABLE}={seed} repeats it"
    )
    zips = orders(KINDS, 100)
    expected = expected_jobs(floor.config, zips)
    broken = {f"broken-{n}.zip": b"PK\x03\x04 cut short %d" % n for n in range(4)}
    names = list(zips | broken)
    rng.shuffle(names)
    rounds = 12
    batches = [
        names[i * len(names) // rounds : (i + 1) * len(names) // rounds] for i in range(rounds)
    ]

    for number, batch in enumerate(batches, start=1):
        run = floor.start()
        for name in batch:  # while the daemon starts: its first scan finds them
            floor.drop((zips | broken)[name], name)
        if rng.random() < 0.25:
            # During start-up: imports, the recovery of what the last kill left, the first scan.
            delay = rng.uniform(0.3, 1.2)
            time.sleep(delay)
            moment = f"{delay:.2f} s after start"
        else:
            floor.wait_event(run, lambda e: True, timeout=START, what=f"run {number} to work")
            delay = rng.uniform(0.0, 0.4)
            time.sleep(delay)
            moment = f"{delay:.2f} s after its first event"
        events = len(run.events())
        floor.kill(run)
        parts = len(floor.part_files())
        floor.notes.append(f"run {number} killed {moment} ({events} events, {parts} .part left)")
        check_whole_files(floor)

    run = floor.start()
    floor.wait_event(run, lambda e: e.get("state") == "started", timeout=START, what="start")
    floor.wait_until(
        # Idle with work missing: stop waiting, the checks below say what was lost.
        lambda: all_done(floor, expected) or floor.quiet(run, 5.0),
        timeout=FINISH,
        what=f"all {len(expected)} jobs queued after the last restart",
        run=run,
    )
    code = floor.stop(run)
    if code != 0:
        floor.fail(f"the last daemon exited with {code} on SIGTERM")
    store_matches_folders(floor, expected)
    rejected = floor.inbox / "rejected"
    want = sorted([*broken, *(f"{name}.reason.txt" for name in broken)])
    if floor.files_in(rejected) != want or any(
        (rejected / name).read_bytes() != data for name, data in broken.items()
    ):
        floor.fail(f"rejected/ holds {floor.files_in(rejected)}, expected {want}")
    with floor.open_store() as store:
        queued: dict[str, int] = {}
        for entry in store.audit():
            if entry.to_state is JobState.QUEUED:
                queued[entry.job_id] = queued.get(entry.job_id, 0) + 1
    twice = {job_id: n for job_id, n in queued.items() if n != 1}
    if twice:
        floor.fail(f"jobs queued more than once: {twice}")
    check_log(floor, buyer_texts(sample(kind).read_bytes() for kind in KINDS))


def test_what_a_kill_left_half_written_is_removed_on_restart(
    tmp_path: Path, floors: list[Floor]
) -> None:
    """A kill in the middle of any write leaves a hidden `.name.part`: in a hot folder, the
    masters, the zips, the claimed files, or beside a rejected file. The next start removes
    every one of them, and leaves alone a `.part` a browser is still writing into the inbox."""
    floor = new_floor(floors, tmp_path, settle=0.2)
    data = floor.folders
    folders = [floor.hot(p) for p in ("uv-1", "sub-1", "laser-1")]
    folders += [data.masters, data.zips, data.claimed, floor.inbox / "rejected"]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ".901-0000001-0000001_80000100000011_FRONT.pdf.part").write_bytes(
            b"%PDF-1.7 half"
        )
    downloading = floor.inbox / "order.zip.part"
    downloading.write_bytes(b"PK\x03\x04 half a download")
    zips = orders(("text-only",), 1, first=2)
    expected = expected_jobs(floor.config, zips)
    run = floor.start()
    drop_all(floor, zips)
    floor.wait_until(lambda: all_done(floor, expected), timeout=START, what="the zip", run=run)
    assert floor.stop(run) == 0, floor.report()
    assert floor.part_files() == [downloading], floor.report()
    check_log(floor, buyer_texts(zips.values()))


def test_a_zip_still_being_copied_is_taken_only_once_it_is_whole(
    tmp_path: Path, floors: list[Floor]
) -> None:
    """Two slow writers (appending; preallocating, then filling in) pause for less than the
    settle time between chunks: the daemon waits for the end of both, then takes whole zips."""
    settle = 1.0
    floor = new_floor(floors, tmp_path, settle=settle)
    first = orders(("text-only",), 1, first=0)
    slow = orders(("photo-text", "two-surfaces"), 2, first=1)
    warm, expected = expected_jobs(floor.config, first), expected_jobs(floor.config, first | slow)
    run = floor.start()
    drop_all(floor, first)  # once it is queued, the daemon is in its loop
    floor.wait_until(lambda: all_done(floor, warm), timeout=START, what="the first zip", run=run)

    appending, filling = (floor.inbox / name for name in slow)
    datas = list(slow.values())
    chunks = 8
    pause = settle / 4
    sizes = [len(data) for data in datas]
    with appending.open("wb", buffering=0) as a, filling.open("wb", buffering=0) as f:
        os.ftruncate(f.fileno(), sizes[1])  # the whole size at once, like some copy tools
        last = time.monotonic()
        longest = 0.0
        for chunk in range(chunks):
            for handle, data, size in ((a, datas[0], sizes[0]), (f, datas[1], sizes[1])):
                start, end = chunk * size // chunks, (chunk + 1) * size // chunks
                os.pwrite(handle.fileno(), data[start:end], start)
            now = time.monotonic()
            longest = max(longest, now - last)
            last = now
            for path in (appending, filling):
                if not path.exists():
                    floor.fail(
                        f"{path.name} was taken after chunk {chunk + 1} of {chunks} "
                        f"(longest pause {longest:.2f} s, settle time {settle} s)"
                    )
            if chunk < chunks - 1:
                time.sleep(pause)
    floor.notes.append(f"longest pause between chunks {longest:.2f} s")

    floor.wait_until(
        lambda: all_done(floor, expected), timeout=FINISH, what="both slow zips", run=run
    )
    code = floor.stop(run)
    assert code == 0, floor.report()
    rejected = floor.inbox / "rejected"
    assert floor.files_in(rejected) == [], floor.report()
    with floor.open_store() as store:
        digests = {item.order_item_id: item.digest for item in store.items()}
    for data in datas:
        # The daemon read exactly the whole zip, not a prefix of it.
        assert hashlib.sha256(data).hexdigest() in digests.values(), floor.report()
    store_matches_folders(floor, expected)
    check_log(floor, buyer_texts(first.values()) | buyer_texts(datas))


def test_a_lost_or_read_only_hot_folder_holds_its_job_and_the_daemon_goes_on(
    tmp_path: Path, floors: list[Floor]
) -> None:
    """hot/sub-1 is read-only from the start (with the `.part` a kill left in it), hot/uv-1 is
    removed under the running daemon: their jobs are held naming the folder, and a later zip for
    the laser still arrives. Once the folders are back, `production retry` and the daemon
    deliver the held jobs."""
    floor = new_floor(floors, tmp_path, settle=0.2)
    warm = orders(("text-only",), 1, first=0)  # laser-1
    mug = orders(("photo-text",), 1, first=1)  # uv-1
    sublimation = orders(("rotated-photo",), 1, first=2)  # sub-1
    later = orders(("text-only",), 1, first=3)  # laser-1
    groups = [warm, mug, sublimation, later]
    expect = [expected_jobs(floor.config, group) for group in groups]
    everything = {k: v for group in expect for k, v in group.items()}
    [mug_job] = expect[1].values()
    [sub_job] = expect[2].values()
    assert (mug_job.printer, sub_job.printer) == ("uv-1", "sub-1")
    leftover = floor.hot("sub-1") / ".901-0000009-0000008_80000900000088_FRONT.pdf.part"
    leftover.write_bytes(b"%PDF-1.7 half")

    with read_only(floor.hot("sub-1")):
        run = floor.start()
        drop_all(floor, warm)
        floor.wait_until(lambda: all_done(floor, expect[0]), timeout=START, what="zip 1", run=run)
        floor.hot("uv-1").rmdir()  # the share went away under the running daemon
        drop_all(floor, mug | sublimation)
        floor.wait_until(
            lambda: all_done(floor, expect[1] | expect[2], state="held"),
            timeout=FINISH, what="the mug and sublimation jobs held", run=run,
        )  # fmt: skip
        drop_all(floor, later)
        floor.wait_until(lambda: all_done(floor, expect[3]), timeout=FINISH, what="zip 4", run=run)
        assert run.alive(), floor.report()
        assert not floor.hot("uv-1").exists(), "the daemon must never create a hot folder"
        assert floor.files_in(floor.hot("sub-1")) == [leftover.name], floor.report()
        assert floor.stop(run) == 0, floor.report()
    with floor.open_store() as store:
        held = {job.job_id: job for job in store.jobs(state=JobState.HELD)}
    assert set(held) == {mug_job.job_id, sub_job.job_id}, floor.report()
    uv, sub = held[mug_job.job_id], held[sub_job.job_id]
    assert (uv.cause, sub.cause) == ("printer", "printer")
    assert "does not exist" in (uv.reason or "") and str(floor.hot("uv-1")) in (uv.reason or "")
    assert "not writable" in (sub.reason or "") and str(floor.hot("sub-1")) in (sub.reason or "")
    logged = {e.get("job"): e for e in floor.runs[0].events() if e.get("state") == "held"}
    assert logged[uv.job_id]["reason"] == uv.reason and logged[sub.job_id]["cause"] == "printer"

    floor.hot("uv-1").mkdir()  # reconnected; an operator retries both (a running daemon would
    for job in (uv, sub):  # see that at its next rescan; a start sees it at once)
        result = cli(floor, "retry", job.job_id)
        assert result.returncode == 0, result.stderr
    run = floor.start()
    floor.wait_until(
        lambda: all_done(floor, everything), timeout=FINISH, what="the retries", run=run
    )
    assert floor.stop(run) == 0, floor.report()
    store_matches_folders(floor, everything)
    check_log(floor, buyer_texts(z for group in groups for z in group.values()))


def test_sigterm_stops_after_the_step_in_hand_and_a_restart_goes_on(
    tmp_path: Path, floors: list[Floor]
) -> None:
    """SIGTERM while 60 zips are being worked through: exit 0 without a traceback after the zip
    in hand, every zip taken in complete in store and hot folders, the rest still in the inbox;
    the next start does the rest."""
    floor = new_floor(floors, tmp_path, settle=0.2)
    zips = orders(KINDS, 60)
    expected = expected_jobs(floor.config, zips)
    run = floor.start()
    drop_all(floor, zips)
    floor.wait_event(run, lambda e: e.get("state") == "queued", timeout=START, what="a queued job")
    code = floor.stop(run)
    assert code == 0, floor.report()
    assert "Traceback" not in run.stderr.read_text(), floor.report()
    # Stopped between two zips: every zip taken in is whole in the hot folders, the rest waits.
    with floor.open_store() as store:
        jobs = store.jobs()
        items = store.items()
    taken = {job.job_id: expected[job.job_id] for job in jobs}
    assert 0 < len(items) < len(zips), f"stopped after {len(items)} of {len(zips)} zips"
    assert len(floor.waiting()) + len(items) == len(zips), floor.report()
    store_matches_folders_so_far(floor, taken)

    run = floor.start()
    floor.wait_until(lambda: all_done(floor, expected), timeout=FINISH, what="the rest", run=run)
    assert floor.stop(run) == 0, floor.report()
    store_matches_folders(floor, expected)
    check_log(floor, buyer_texts(sample(kind).read_bytes() for kind in KINDS))


def test_a_second_signal_stops_a_stuck_daemon_at_once_and_a_restart_finishes(
    tmp_path: Path, floors: list[Floor]
) -> None:
    """A hot folder that hangs (here a FIFO where the daemon writes its `.part` file) keeps the
    daemon in its step: the first SIGTERM waits for it, the second ends the process at once."""
    floor = new_floor(floors, tmp_path, settle=0.2)
    warm = orders(("photo-text",), 1, first=0)
    stuck = orders(("text-only",), 1, first=1)
    expect_warm, expect_stuck = (
        expected_jobs(floor.config, warm),
        expected_jobs(floor.config, stuck),
    )
    [job] = expect_stuck.values()
    pdf = next(name for name in job.names if name.endswith(".pdf"))
    run = floor.start()
    drop_all(floor, warm)
    floor.wait_until(lambda: all_done(floor, expect_warm), timeout=START, what="zip 1", run=run)
    os.mkfifo(floor.hot(job.printer) / f".{pdf}.part")  # open() for writing blocks on it
    drop_all(floor, stuck)
    floor.wait_event(
        run, lambda e: e.get("job") == job.job_id and e.get("state") == "rendered",
        timeout=FINISH, what="the job rendered",
    )  # fmt: skip
    time.sleep(0.3)  # into the delivery, which hangs
    floor.signal(run)
    time.sleep(1.0)
    assert run.alive(), "the first SIGTERM must wait for the step in hand\n" + floor.report()
    started = time.monotonic()
    floor.signal(run)
    # Without the second signal's kill the daemon would hang on the FIFO for ever: a bound
    # far above a loaded machine's exit time still tells the two apart.
    code = floor.wait_exit(run, 30.0, "the second SIGTERM")
    assert code == 128 + signal.SIGTERM and time.monotonic() - started < 30.0, floor.report()
    assert "Traceback" not in run.stderr.read_text(), floor.report()
    assert floor.peek_states()[job.job_id] == "rendered", floor.report()

    run = floor.start()
    everything = expect_warm | expect_stuck
    floor.wait_until(
        lambda: all_done(floor, everything), timeout=FINISH, what="the restart", run=run
    )
    assert floor.stop(run) == 0, floor.report()
    store_matches_folders(floor, everything)
    check_log(floor, buyer_texts([*warm.values(), *stuck.values()]))


_SPIN = """
import os, random, signal, sys, threading, time
from production.floor.daemon import Daemon

class Spinning(Daemon):
    # run() with nothing to do and no pause: the loop goes round its wake-up as fast as it can.
    def initialize(self): pass
    def shutdown(self): pass
    def loop(self): return False
    def _pause(self): return 0.0

rng = random.Random(int(sys.argv[1]))
for attempt in range(int(sys.argv[2])):
    daemon = Spinning(None, watch=False)
    daemon.install_signal_handlers()
    pid = os.getpid()
    threading.Timer(rng.uniform(0.0, 0.005), os.kill, (pid, signal.SIGTERM)).start()
    def hang(attempt=attempt):
        print(f"hung at attempt {attempt}", flush=True)
        os._exit(3)
    hung = threading.Timer(5.0, hang)
    hung.start()
    daemon.run()
    hung.cancel()
print("stopped every time")
"""


def test_sigterm_at_any_moment_of_the_loop_stops_it() -> None:
    """The handler runs between any two bytecodes of the main thread, also while it holds the
    lock of the loop's wake-up (inside `clear()` or `wait()`): it must never wait for that lock.
    200 SIGTERMs at random moments into a loop that spins on its wake-up, each must stop it."""
    seed = int(os.environ.get(SEED_VARIABLE) or random.SystemRandom().randrange(2**32))
    result = subprocess.run(
        [sys.executable, "-c", _SPIN, str(seed), "200"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert (result.returncode, result.stdout.strip()) == (0, "stopped every time"), (
        f"seed {seed}: exit {result.returncode}\n{result.stdout}\n{result.stderr[-3000:]}"
    )


ALL_SAMPLES = (
    "text-only", "options-only", "photo-text", "two-surfaces", "seller-font", "legacy-v3-only",
    "xml-only", "rotated-photo", "exif-rotated", "png-alpha",
)  # fmt: skip


def test_the_log_is_json_lines_without_buyer_text(tmp_path: Path, floors: list[Floor]) -> None:
    """Every sample, each in a file named after its buyer's text, and a broken zip named so too:
    the daemon logs one JSON object per line and never a word the buyers wrote."""
    floor = new_floor(floors, tmp_path, settle=0.2)
    zips = {name: sample(name).read_bytes() for name in ALL_SAMPLES}
    texts = buyer_texts(zips.values())
    run = floor.start()
    for kind, data in zips.items():
        words = " ".join(sorted(buyer_texts([data]))) or kind
        floor.drop(data, f"{words} {kind}.zip".replace("/", "-"))
    floor.drop(b"PK\x03\x04 not really a zip", "Happy Birthday Sam broken.zip")
    floor.wait_until(
        lambda: len(floor.files_in(floor.inbox / "rejected")) == 2
        and len(floor.peek_states()) >= len(zips)
        and not floor.waiting(),
        timeout=FINISH, what="every sample taken in", run=run,
    )  # fmt: skip
    # Idle: nothing logged for a while and nothing waiting, asleep until the next rescan.
    floor.wait_until(lambda: floor.quiet(run, 0.5), timeout=FINISH, what="an idle daemon", run=run)
    started = time.monotonic()
    assert floor.stop(run) == 0, floor.report()
    assert time.monotonic() - started < 3.0, "an idle daemon must stop at once on SIGTERM"
    assert check_log(floor, texts) > 3 * len(zips)


def test_retry_wakes_a_running_daemon_at_once(tmp_path: Path, floors: list[Floor]) -> None:
    """`production retry` renders the held job now, not at the daemon's next rescan (5 s), and
    with the configuration as it is now (a printer hold would go on by itself: a product's)."""
    floor = new_floor(floors, tmp_path, settle=0.2)
    mug = orders(("photo-text",), 1, first=0)  # uv-1
    expect = expected_jobs(floor.config, mug)
    products = floor.config / "products.toml"
    listed = products.read_text()
    products.write_text(listed.replace('asin = "B0SAMPLE03"', 'asin = "B0NOTSAMPLE3"'))
    run = floor.start()
    drop_all(floor, mug)
    floor.wait_event(
        run, lambda e: e.get("cause") == "unknown product", timeout=FINISH, what="held"
    )
    [held] = [e for e in run.events() if e.get("cause") == "unknown product"]
    products.write_text(listed)  # the product is listed again
    result = cli(floor, "retry", str(held["job"]))
    assert result.returncode == 0, result.stderr
    retried = time.monotonic()
    floor.wait_until(lambda: all_done(floor, expect), timeout=FINISH, what="the retry", run=run)
    assert time.monotonic() - retried < 2.5, floor.report()
    assert floor.stop(run) == 0, floor.report()


# Not 0: in the interpreter's own first ~30 ms no Python code runs that could catch a signal.
@pytest.mark.parametrize("delay", [0.05, 0.2, 0.4])
def test_sigterm_while_starting_is_a_clean_stop(
    tmp_path: Path, floors: list[Floor], delay: float
) -> None:
    """Imports take about half a second; a stop asked for meanwhile is clean, never half-done."""
    floor = new_floor(floors, tmp_path, settle=0.2)
    run = floor.start()
    time.sleep(delay)
    floor.signal(run)
    code = floor.wait_exit(run, 20.0, "the daemon to stop")
    # On a loaded machine the signal can come before the interpreter has run a line of ours:
    # its default action ends the process then, with nothing of the shop touched yet. From the
    # first line of production/__main__.py on, the stop is a clean exit 0.
    assert code in (0, -signal.SIGTERM), floor.report()
    assert "Traceback" not in "\n".join(run.lines()), floor.report()
    assert floor.part_files() == [], floor.report()  # nothing half-written either way
