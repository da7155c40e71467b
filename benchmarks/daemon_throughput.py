"""How fast, how idle and how lean the production daemon is, run as a real process.

    python benchmarks/daemon_throughput.py [--memory-zips N] [--no-profile] [--render-workers N]

The daemon is `python -m production run --config DIR` on a shop folder in a temporary directory:
config/*.toml copied, the printers' hot folders created (benchmarks/daemon_fixture.py). Zips are
written into a staging folder beside the inbox, flushed (os.sync) and then renamed into the inbox,
so the daemon never waits for a half-written batch. Times come from the daemon's own JSON event
lines on stderr (their "time" field, wall clock, millisecond resolution):

- claimed: the item's `received` event time minus its duration_ms, i.e. the start of take_in,
  which follows the rename out of the inbox (and that folder's fsync) directly;
- in the hot folder: the job's `queued` event, written after the files are in the hot folder and
  the state change is committed.

Targets (a 2-core machine):

- latency: a dropped text-only zip (the text-only sample renumbered) is queued in the hot
  folder within 0.5 s of being claimed, p95 over zips dropped one at a time. Measured from the
  claim, not from the drop: the inbox settle time (production.floor.inbox.DEFAULT_SETTLE_SECONDS, or
  `[shop] settle_seconds` once shop.toml takes it) comes first and is reported separately.
- throughput: at least 40 text-only zips/s and 8 photo zips/s (the render benchmark's 4.4 MB
  JPEG with one line of text, on the sample photo mug), over a batch dropped at once, from the
  first claim to the last `queued`.
- idle CPU under 1 %: the utime+stime (/proc/PID/stat) of the daemon and of every process it
  started (render workers, multiprocessing's fork server and resource tracker) over 10 s with
  nothing to do, after the warm-up and again after all the batches.
- memory flat over a 2,000-zip text-only run: the daemon's VmRSS (/proc/PID/status) every 100
  zips; flat means the mean of the last quarter of samples is within 10 % of the mean of the
  second quarter (the first quarter is warm-up: caches, the SQLite page cache, allocator
  arenas). The render workers' VmRSS and PSS (smaps_rollup: their shared pages counted once)
  are sampled alongside and reported.

`production run` renders in worker processes, one per CPU up to 4 (`[shop] render_workers`),
while its main thread takes zips in and writes and delivers what the workers have rendered.

Then, unless --no-profile, the pipeline runs in-process (tests/daemon/shop.py's shop with a
hand-wound clock) on 200 text-only zips and 20 photo zips under cProfile, rendering inline (in
the profiled thread), and the time per zip is broken down by step (take_in, render_task,
recording the render, deliver_job) and by kind of work (fsyncs of files and folders, SQLite
BEGIN…COMMIT with synchronous=FULL, inflating and parsing the zip, rendering, writing the PDFs).
The same number of zips also goes through a shop with render workers, without the profiler.
The settle wait and the watcher are outside that pass: the single drops give drop → claim
(settle time plus the 0.1 s settle poll), and the memory run the CPU the settle loop costs while
2,000 files wait in the inbox.

The machine is shared with whatever else runs: the load average at the start and the end is
printed, and the daemon's CPU seconds per batch are a figure less sensitive to it than the rates.

Prints a table with PASS/FAIL per target; exits 1 if any fails.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import pstats
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.daemon_fixture import (
    PhotoZips,
    ShopFolders,
    configured_settle,
    item_id_of,
    make_shop,
    text_zip,
)
from benchmarks.targets import Check, print_checks, print_verdict
from production.floor.inbox import DEFAULT_SETTLE_SECONDS
from production.floor.render_pool import default_render_workers
from production.store import JobState

LATENCY_TARGET_S = 0.5
TEXT_RATE_TARGET = 40.0  # zips per second
PHOTO_RATE_TARGET = 8.0
IDLE_CPU_TARGET = 0.01  # fraction of one core
MEMORY_DRIFT_TARGET = 0.10

LATENCY_DROPS = 30
LATENCY_GAP_S = 0.2  # between two single drops: each is claimed on its own
TEXT_BATCH = 400
PHOTO_BATCH = 80
MEMORY_ZIPS = 2000
RSS_EVERY = 100
IDLE_SECONDS = 10.0
PROFILE_ZIPS = 200
PROFILE_PHOTO_ZIPS = 20
BENCH_SETTLE_S = 0.5  # written into shop.toml only once the key exists
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
MEMORY_BUDGET_S = 75.0  # the 2,000-zip run is shortened to about this at the measured rate
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
KIB = 1024


@dataclass
class Item:
    claimed: float | None = None  # wall-clock seconds, from the daemon's events
    received: float | None = None
    jobs: dict[str, str] = field(default_factory=dict)  # job id -> last state
    done: float | None = None  # every job queued (or held)
    held: bool = False


class RunningDaemon:
    """`python -m production run` with a thread reading its JSON event lines."""

    def __init__(self, config: Path) -> None:
        path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "production", "run", "--config", str(config)],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": path},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.pid = self.process.pid
        self.items: dict[str, Item] = {}
        self.rejected = 0
        self.duplicates = 0
        self.errors = 0  # passes that stopped on an error (the daemon logs them and goes on)
        self.other_lines: list[str] = []
        self.changed = threading.Condition()
        self.on_done: Callable[[str], None] | None = None  # called in the reader thread
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for raw in self.process.stderr:
            line = raw.decode(errors="replace").rstrip("\n")
            try:
                event = json.loads(line)
            except ValueError:
                self.other_lines.append(line)
                continue
            if not isinstance(event, dict) or "time" not in event:
                self.other_lines.append(line)
                continue
            finished = self._record(event)
            if finished is not None and self.on_done is not None:
                self.on_done(finished)
            with self.changed:
                self.changed.notify_all()
        with self.changed:
            self.changed.notify_all()

    def _record(self, event: dict[str, object]) -> str | None:
        """Note one event; the item id if it made an item done."""
        at = datetime.fromisoformat(str(event["time"])).timestamp()
        state = event.get("state")
        if "job" in event:
            item_id = str(event["job"]).partition("-")[0]
            item = self.items.setdefault(item_id, Item())
            item.jobs[str(event["job"])] = str(state)
            if state == "held":
                item.held = True
            final = all(s in ("queued", "held") for s in item.jobs.values())
            if state in ("queued", "held") and final and item.done is None:
                item.done = at
                return item_id
        elif state == "received" and "item" in event:
            item = self.items.setdefault(str(event["item"]), Item())
            item.received = at
            item.claimed = at - float(event.get("duration_ms", 0.0)) / 1000  # type: ignore[arg-type]
        elif state == "rejected":
            self.rejected += 1
        elif state == "duplicate":
            self.duplicates += 1
        elif state == "error":
            self.errors += 1
        return None

    def alive(self) -> bool:
        return self.process.poll() is None

    def ensure_alive(self, phase: str) -> None:
        if not self.alive():
            tail = "\n".join(self.other_lines[-15:])
            raise SystemExit(
                f"the daemon exited ({self.process.returncode}) during {phase}:\n{tail}"
            )

    def wait_done(self, item_ids: Iterable[str], timeout: float) -> bool:
        """Wait until every item is done (queued or held); False on timeout or exit."""
        wanted = list(item_ids)
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                if all(self._done(i) for i in wanted):
                    return True
                left = deadline - time.monotonic()
                if left <= 0 or not self.alive():
                    return False
                self.changed.wait(min(left, 0.5))

    def _done(self, item_id: str) -> bool:
        item = self.items.get(item_id)
        return item is not None and item.done is not None

    def cpu_seconds(self) -> float:
        """utime + stime of every thread of the daemon so far."""
        return _cpu_seconds(self.pid)

    def started(self) -> list[int]:
        """The processes the daemon started, and those they started (workers of the fork
        server): render workers, fork server, resource tracker."""
        children: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        found: list[int] = []
        todo = [self.pid]
        while todo:
            for child in children.get(todo.pop(), []):
                found.append(child)
                todo.append(child)
        return sorted(found)

    def tree_cpu_seconds(self) -> float:
        """cpu_seconds of the daemon and of every process it started (still running)."""
        total = self.cpu_seconds()
        for pid in self.started():
            with contextlib.suppress(OSError, IndexError, ValueError):
                total += _cpu_seconds(pid)
        return total

    def workers_memory(self) -> tuple[int, int, int]:
        """(processes, sum of VmRSS, sum of PSS) of what the daemon started, in bytes."""
        count = rss = pss = 0
        for pid in self.started():
            with contextlib.suppress(OSError, RuntimeError, ValueError):
                rss += _status_bytes(pid, "VmRSS:")
                pss += _rollup_bytes(pid, "Pss:")
                count += 1
        return count, rss, pss

    def rss_bytes(self) -> int:
        return _status_bytes(self.pid, "VmRSS:")

    def stop(self) -> int | None:
        """SIGTERM, then wait; the exit status, or None if it had to be killed."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            code = None
        self._reader.join(timeout=5)
        return code


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # fields 14 and 15 of stat


def _status_bytes(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) * KIB
    raise RuntimeError(f"no {key} in /proc/{pid}/status")


def _rollup_bytes(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) * KIB
    raise RuntimeError(f"no {key} in /proc/{pid}/smaps_rollup")


@dataclass
class Batch:
    """Zips written into the staging folder, ready to be renamed into the inbox."""

    staged: list[Path]
    item_ids: list[str]
    dropped: dict[str, float] = field(default_factory=dict)  # item id -> wall-clock drop time


class Numbers:
    """Order numbers: every zip of the run is another order item."""

    def __init__(self) -> None:
        self.next = 1

    def take(self, count: int) -> range:
        numbers = range(self.next, self.next + count)
        self.next += count
        return numbers


def stage(shop: ShopFolders, kind: str, zips: Iterable[bytes]) -> Batch:
    staged, item_ids = [], []
    for data in zips:
        item_id = item_id_of(data)
        path = shop.staging / f"{kind}-{item_id}.zip"
        path.write_bytes(data)
        staged.append(path)
        item_ids.append(item_id)
    os.sync()  # the daemon's fsyncs must not pay for the benchmark's writes
    return Batch(staged, item_ids)


def drop_all(shop: ShopFolders, batch: Batch) -> None:
    for path, item_id in zip(batch.staged, batch.item_ids, strict=True):
        path.rename(shop.inbox / path.name)
        batch.dropped[item_id] = time.time()


def p95(samples: list[float]) -> float:
    return sorted(samples)[max(0, round(len(samples) * 0.95) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def mib(size: float) -> str:
    return f"{size / KIB / KIB:.1f} MiB"


@dataclass
class BatchResult:
    count: int
    done: int
    held: int
    span: float  # first claim to last done, seconds
    latencies: list[float]  # claim to done, per item
    waits: list[float]  # drop to claim, per item
    cpu: float  # the daemon's CPU seconds from the drop to the last done
    tree_cpu: float  # the same, with the processes it started (render workers)

    @property
    def rate(self) -> float:
        return self.done / self.span if self.span > 0 and self.done == self.count else 0.0


def run_batch(
    daemon: RunningDaemon,
    shop: ShopFolders,
    batch: Batch,
    *,
    timeout: float,
    gap: float = 0.0,
    dropped: bool = False,
) -> BatchResult:
    cpu_before, tree_before = daemon.cpu_seconds(), daemon.tree_cpu_seconds()
    if dropped:
        pass  # the caller has dropped the batch already
    elif gap:
        for path, item_id in zip(batch.staged, batch.item_ids, strict=True):
            path.rename(shop.inbox / path.name)
            batch.dropped[item_id] = time.time()
            time.sleep(gap)
    else:
        drop_all(shop, batch)
    daemon.wait_done(batch.item_ids, timeout)
    cpu = daemon.cpu_seconds() - cpu_before
    tree_cpu = daemon.tree_cpu_seconds() - tree_before
    with daemon.changed:
        items = [daemon.items.get(i, Item()) for i in batch.item_ids]
    finished = [i for i in items if i.done is not None and i.claimed is not None and not i.held]
    claims = [i.claimed for i in finished if i.claimed is not None]
    dones = [i.done for i in finished if i.done is not None]
    span = max(dones) - min(claims) if finished else 0.0
    latencies = [i.done - i.claimed for i in finished if i.done and i.claimed]
    waits = [
        daemon.items[item_id].claimed - batch.dropped[item_id]  # type: ignore[operator]
        for item_id in batch.item_ids
        if item_id in daemon.items and daemon.items[item_id].claimed is not None
    ]
    held = sum(1 for i in items if i.held)
    return BatchResult(len(items), len(finished), held, span, latencies, waits, cpu, tree_cpu)


def idle_cpu(daemon: RunningDaemon, seconds: float) -> tuple[float, float]:
    """CPU time over `seconds` of wall time, as a fraction of one core: the daemon and its
    processes together, and the daemon's own."""
    start_tree, start_cpu, start = daemon.tree_cpu_seconds(), daemon.cpu_seconds(), time.monotonic()
    time.sleep(seconds)
    wall = time.monotonic() - start
    tree, own = daemon.tree_cpu_seconds() - start_tree, daemon.cpu_seconds() - start_cpu
    return tree / wall, own / wall


@dataclass
class MemoryRun:
    zips: int
    samples: list[tuple[int, int]]  # (zips done, VmRSS bytes)
    before: int
    result: BatchResult
    settle_cpu: tuple[float, float] | None  # CPU seconds, wall seconds while the batch settled
    # With each sample: the processes the daemon started, their VmRSS and PSS summed (bytes).
    workers: list[tuple[int, int, int]] = field(default_factory=list)

    def quarter_means(self) -> tuple[float, float]:
        values = [rss for _, rss in self.samples]
        quarter = max(1, len(values) // 4)
        second = values[quarter : 2 * quarter] or values
        last = values[-quarter:]
        return statistics.fmean(second), statistics.fmean(last)

    def slope(self) -> float:
        """Least-squares growth of VmRSS, bytes per 1,000 zips."""
        if len(self.samples) < 2:
            return 0.0
        xs = [float(n) for n, _ in self.samples]
        ys = [float(rss) for _, rss in self.samples]
        mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
        num = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
        den = sum((x - mean_x) ** 2 for x in xs)
        return num / den * 1000 if den else 0.0


def run_memory(
    daemon: RunningDaemon, shop: ShopFolders, batch: Batch, *, settle: float, timeout: float
) -> MemoryRun:
    wanted = set(batch.item_ids)
    samples: list[tuple[int, int]] = []
    workers: list[tuple[int, int, int]] = []
    count = 0

    def sample(item_id: str) -> None:
        nonlocal count
        if item_id in wanted:
            count += 1
            if count % RSS_EVERY == 0 or count == len(wanted):
                with contextlib.suppress(OSError, RuntimeError):
                    samples.append((count, daemon.rss_bytes()))
                    workers.append(daemon.workers_memory())

    before = daemon.rss_bytes()
    daemon.on_done = sample
    settle_cpu: tuple[float, float] | None = None
    try:
        if settle >= 0.3:
            # While the batch settles the daemon looks at the inbox every 0.1 s: what that costs
            # (stopping short of the settle time, before the first claim).
            cpu_before = daemon.cpu_seconds()
            drop_all(shop, batch)
            start = time.monotonic()
            time.sleep(settle - 0.15)
            settle_window = time.monotonic() - start
            settle_cpu = (daemon.cpu_seconds() - cpu_before, settle_window)
            result = run_batch(daemon, shop, batch, timeout=timeout, dropped=True)
        else:
            result = run_batch(daemon, shop, batch, timeout=timeout)
    finally:
        daemon.on_done = None
    return MemoryRun(len(wanted), samples, before, result, settle_cpu, workers)


# -- the in-process profile -------------------------------------------------------------------


@dataclass
class Profile:
    kind: str
    zips: int
    plain_seconds: float  # the same number of other zips without the profiler
    stats: pstats.Stats
    pooled_seconds: float  # the same number of other zips with render workers, no profiler
    workers: int


def profile_pipeline(
    root: Path, kind: str, make: Callable[[int], bytes], numbers: Numbers, count: int
) -> Profile:
    """`count` zips through one daemon pass in-process, once plain and once under cProfile.

    tests/daemon/shop.py's shop: the real pipeline, store and files, with a hand-wound clock
    for the settle time and the events kept in a list instead of printed as JSON lines. It
    renders inline; a second shop renders in workers, as `production run` does.
    """
    from tests.daemon.shop import Shop

    def one_pass(shop: Shop, count: int, profiler: cProfile.Profile | None) -> float:
        for number in numbers.take(count):
            shop.drop(make(number), f"order-{number}.zip")
        os.sync()  # as for the daemon: its fsyncs must not flush these writes
        shop.daemon.loop()  # sees them
        shop.clock.advance()  # the settle time passes
        start = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        shop.daemon.loop()  # takes, renders and delivers them
        if profiler is not None:
            profiler.disable()
        return time.perf_counter() - start

    shop = Shop(root / "inline")
    try:
        one_pass(shop, 2, None)  # warm-up: fonts, reportlab, SQLite
        plain = one_pass(shop, count, None)
        profiler = cProfile.Profile()
        one_pass(shop, count, profiler)
        queued = len(shop.jobs(JobState.QUEUED))
        if queued != 2 + 2 * count:
            raise SystemExit(f"in-process {kind} profile: {queued} jobs queued of {2 + 2 * count}")
    finally:
        shop.close()
    workers = default_render_workers()
    shop = Shop(root / "pooled", render_workers=workers)
    try:
        one_pass(shop, 2, None)
        pooled = one_pass(shop, count, None)
        queued = len(shop.jobs(JobState.QUEUED))
        if queued != 2 + count:
            raise SystemExit(f"in-process {kind} with workers: {queued} jobs queued of {2 + count}")
    finally:
        shop.close()
    return Profile(kind, count, plain, pstats.Stats(profiler), pooled, workers)


_Key = tuple[str, int, str]
_Found = tuple[int, float]  # calls, seconds
_FSYNC = "<built-in method posix.fsync>"
_EXECUTE = "<method 'execute' of 'sqlite3.Connection' objects>"
_WRITE = "<method 'write' of '_io.BufferedWriter' objects>"
_INFLATE = "<method 'decompress' of 'isal_zlib.Decompress' objects>"


def _table(stats: pstats.Stats) -> dict[_Key, tuple[Any, ...]]:
    return stats.stats  # type: ignore[attr-defined,no-any-return]


def _keys(stats: pstats.Stats, path: str, name: str) -> list[_Key]:
    return [k for k in _table(stats) if k[0].endswith(path) and k[2] == name]


def _cum(path: str, name: str) -> Callable[[pstats.Stats], _Found]:
    """Calls and cumulative time of a function (every definition that matches)."""

    def found(stats: pstats.Stats) -> _Found:
        rows = [_table(stats)[k] for k in _keys(stats, path, name)]
        return sum(r[1] for r in rows), sum(r[3] for r in rows)

    return found


def _own(name: str) -> Callable[[pstats.Stats], _Found]:
    """Calls and time of a built-in (its own time is all of it)."""

    def found(stats: pstats.Stats) -> _Found:
        rows = [_table(stats)[k] for k in _keys(stats, "~", name)]
        return sum(r[1] for r in rows), sum(r[2] for r in rows)

    return found


def _via(path: str, name: str, caller_path: str, caller: str) -> Callable[[pstats.Stats], _Found]:
    """Calls and time of a function when called from one caller (cProfile's caller edges)."""

    def found(stats: pstats.Stats) -> _Found:
        calls, seconds = 0, 0.0
        for key in _keys(stats, path, name):
            for edge, (_, nc, tt, ct) in _table(stats)[key][4].items():
                if edge[0].endswith(caller_path) and edge[2] == caller:
                    calls += nc
                    seconds += tt if path == "~" else ct
        return calls, seconds

    return found


def _each(*parts: Callable[[pstats.Stats], _Found]) -> Callable[[pstats.Stats], _Found]:
    """Several functions called once each: the calls of the first, the time of all."""

    def found(stats: pstats.Stats) -> _Found:
        got = [part(stats) for part in parts]
        return got[0][0], sum(seconds for _, seconds in got)

    return found


def _transactions(stats: pstats.Stats) -> _Found:
    # A @contextmanager generator is "called" once to BEGIN and once more to COMMIT; its time is
    # those two statements (the block runs outside the generator).
    calls, seconds = _cum("store/sqlite/store.py", "_transaction")(stats)
    return calls // 2, seconds


PROFILE_ROWS: list[tuple[str, Callable[[pstats.Stats], _Found] | None]] = [
    ("daemon pass (Daemon.loop), all of it", _cum("production/floor/daemon.py", "loop")),
    ("  inbox scan (Inbox.settled)", _cum("production/floor/inbox.py", "settled")),
    ("  claim: rename out of the inbox, dir fsync", _cum("production/floor/inbox.py", "claim")),
    ("  take_in (take_in_all: zips taken in together)", _cum("floor/pipeline.py", "take_in_all")),
    (
        "    read_zip + parse_members",
        _each(
            _via("customization/ziparchive.py", "read_zip", "pipeline.py", "_read_claimed"),
            _via("customization/reader.py", "parse_members", "pipeline.py", "_read_claimed"),
        ),
    ),
    ("    sha256 of the zip", _own("<built-in method _hashlib.openssl_sha256>")),
    (
        "    move to zips/, dir fsync (once for those taken together)",
        _each(
            _via("files.py", "move_file", "pipeline.py", "_move_claimed"),
            _via("files.py", "fsync_folder", "pipeline.py", "_record_taken"),
        ),
    ),
    ("    store.add_item", _cum("store/sqlite/store.py", "add_item")),
    ("  render_task (in a worker with `production run`)", _cum("render_pool.py", "render_task")),
    (
        "    read the zip file again",
        _via("pathlib.py", "read_bytes", "production/floor/render_pool.py", "render_task"),
    ),
    (
        "    read_zip + parse_members again",
        _each(
            _via("customization/ziparchive.py", "read_zip", "rendering.py", "render_zip"),
            _via("customization/reader.py", "parse_members", "rendering.py", "render_members"),
        ),
    ),
    ("    PdfRenderer.render (reportlab)", _cum("renderers/pdf.py", "render")),
    ("    Engraver.render", _cum("renderers/engraving.py", "render")),
    ("    preflight and proof check", _cum("renderers/preflight.py", "check_surface")),
    (
        "  record the renders (_record_renders: those finished together, one commit)",
        _cum("production/floor/pipeline.py", "_record_renders"),
    ),
    (
        "    masters: write_group (inline; workers stage them)",
        _via("production/core/files.py", "write_group", "pipeline.py", "_record_outcome"),
    ),
    ("    store.set_jobs", _cum("store/sqlite/store.py", "set_jobs")),
    (
        "    store.transition → rendered",
        _via("store/sqlite/store.py", "transition", "pipeline.py", "_after_render"),
    ),
    ("  deliver_job", _cum("production/floor/pipeline.py", "deliver_job")),
    ("    read the masters back", _cum("production/floor/pipeline.py", "_master_files")),
    ("    hot folder: write_group", _cum("printers/hotfolder.py", "deliver")),
    (
        "    store.transition → queued",
        _via("store/sqlite/store.py", "transition", "pipeline.py", "deliver_job"),
    ),
    ("by kind of work, across the steps:", None),
    ("  write() of file data", _via("~", _WRITE, "production/core/files.py", "write_atomically")),
    ("  fsync of files", _via("~", _FSYNC, "production/core/files.py", "write_atomically")),
    ("  fsync of folders", _via("~", _FSYNC, "production/core/files.py", "fsync_folder")),
    ("  SQLite BEGIN IMMEDIATE + COMMIT (FULL)", _transactions),
    ("  SQLite execute, every statement", _own(_EXECUTE)),
    ("  inflate (isal), both reads of the zip", _own(_INFLATE)),
    ("  parse_members, both calls", _cum("customization/reader.py", "parse_members")),
    ("  zlib.compress (PDF streams)", _own("<built-in method zlib.compress>")),
]


def profile_table(profiles: list[Profile]) -> list[str]:
    """Where the time of one zip goes, one column group per kind of zip."""
    label = max(len(what) for what, _ in PROFILE_ROWS)
    head = f"  {'':<{label}}"
    sub = f"  {'where':<{label}}"
    for profile in profiles:
        head += f"  {profile.kind + f' ({profile.zips})':^24}"
        sub += f"  {'ms/zip':>8} {'share':>6} {'calls':>8}"
    lines = [head, sub]
    for what, getter in PROFILE_ROWS:
        if getter is None:
            lines.append(f"  {what}")
            continue
        line = f"  {what:<{label}}"
        for profile in profiles:
            total = _cum("production/floor/daemon.py", "loop")(profile.stats)[1]
            calls, seconds = getter(profile.stats)
            share = seconds / total * 100 if total else 0.0
            line += f"  {seconds / profile.zips * 1000:>8.2f} {share:>5.0f}% "
            line += f"{calls / profile.zips:>8.3g}"
        lines.append(line)
    return lines


# -- the run ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--memory-zips", type=int, default=MEMORY_ZIPS, metavar="N")
    parser.add_argument("--no-profile", action="store_true", help="skip the in-process profile")
    parser.add_argument(
        "--render-workers",
        type=int,
        metavar="N",
        help="[shop] render_workers for the daemon (unset: one per CPU up to 4; 0: inline)",
    )
    args = parser.parse_args(argv)

    checks: list[Check] = []
    details: list[str] = []
    total_start = time.perf_counter()
    numbers = Numbers()

    with tempfile.TemporaryDirectory(prefix="daemon-bench-") as tmp_name:
        tmp = Path(tmp_name)
        shop = make_shop(
            tmp / "shop", settle_seconds=BENCH_SETTLE_S, render_workers=args.render_workers
        )
        settle = configured_settle(shop.config)
        if settle is None:
            settle = DEFAULT_SETTLE_SECONDS
            settle_note = f"{settle:g} s (the default: shop.toml takes no settle_seconds yet)"
        else:
            settle_note = f"{settle:g} s (shop.toml settle_seconds)"
        photos = PhotoZips()
        if args.render_workers is None:
            workers_note = f"{default_render_workers()} (the default: one per CPU, up to 4)"
        else:
            workers_note = f"{args.render_workers} (--render-workers)"
        details.append(f"render workers:          {workers_note}")
        print(
            f"shop in {shop.root}; render workers {workers_note}; inbox settle {settle_note}; "
            f"photo zip {len(photos.zip(0)) / 1e6:.2f} MB (JPEG {len(photos.photo) / 1e6:.2f} MB)"
        )

        daemon = RunningDaemon(shop.config)
        load_before = os.getloadavg()
        try:
            # -- warm-up: one of each, which also shows the daemon is up ------------------------
            warm = stage(shop, "warm", [text_zip(n) for n in numbers.take(1)])
            warm_photo = stage(shop, "warm", [photos.zip(n) for n in numbers.take(1)])
            warm.staged += warm_photo.staged
            warm.item_ids += warm_photo.item_ids
            started = run_batch(daemon, shop, warm, timeout=START_TIMEOUT_S + settle)
            if started.done != 2:
                tail = "\n".join(daemon.other_lines[-15:])
                raise SystemExit(f"the daemon did not take the warm-up zips in:\n{tail}")
            time.sleep(1.0)  # the pass after the last job; then it waits for work

            # -- idle -------------------------------------------------------------------------
            idle_first, idle_first_own = idle_cpu(daemon, IDLE_SECONDS)
            print(f"idle CPU after warm-up: {idle_first * 100:.2f} %")

            # -- latency: zips dropped one at a time --------------------------------------------
            single = stage(shop, "single", [text_zip(n) for n in numbers.take(LATENCY_DROPS)])
            timeout = settle + LATENCY_DROPS * (LATENCY_GAP_S + 2) + 10
            lat = run_batch(daemon, shop, single, timeout=timeout, gap=LATENCY_GAP_S)
            print(f"single drops: {lat.done}/{lat.count} queued")
            daemon.ensure_alive("the single drops")

            # -- throughput --------------------------------------------------------------------
            text_batch = stage(shop, "text", [text_zip(n) for n in numbers.take(TEXT_BATCH)])
            timeout = settle + TEXT_BATCH / TEXT_RATE_TARGET * 4 + 10
            text = run_batch(daemon, shop, text_batch, timeout=timeout)
            print(f"text batch: {text.done}/{text.count} queued, {text.rate:.1f} zips/s")
            daemon.ensure_alive("the text-only batch")

            photo_batch = stage(shop, "photo", [photos.zip(n) for n in numbers.take(PHOTO_BATCH)])
            timeout = settle + PHOTO_BATCH / PHOTO_RATE_TARGET * 4 + 10
            photo = run_batch(daemon, shop, photo_batch, timeout=timeout)
            print(f"photo batch: {photo.done}/{photo.count} queued, {photo.rate:.1f} zips/s")
            daemon.ensure_alive("the photo batch")
            for path in shop.hot.values():  # 180 MB of PDFs: the RIP would have taken them
                for pdf in path.glob("*.pdf"):
                    if pdf.stat().st_size > 1_000_000:
                        pdf.unlink()

            # -- memory over a long run ----------------------------------------------------------
            memory_zips = args.memory_zips
            shortened = False
            if text.rate > 0 and memory_zips / text.rate > MEMORY_BUDGET_S:
                memory_zips = max(800, int(text.rate * MEMORY_BUDGET_S) // RSS_EVERY * RSS_EVERY)
                shortened = memory_zips < args.memory_zips
            memory_batch = stage(shop, "memory", [text_zip(n) for n in numbers.take(memory_zips)])
            timeout = settle + memory_zips / TEXT_RATE_TARGET * 4 + 10
            memory = run_memory(daemon, shop, memory_batch, settle=settle, timeout=timeout)
            print(
                f"memory run: {memory.result.done}/{memory_zips} queued, "
                f"{memory.result.rate:.1f} zips/s"
            )
            daemon.ensure_alive("the memory run")
            time.sleep(1.0)
            idle_last, idle_last_own = idle_cpu(daemon, IDLE_SECONDS)
            load_after = os.getloadavg()
            print(f"idle CPU after {numbers.next - 1} zips: {idle_last * 100:.2f} %")
        finally:
            exit_code = daemon.stop()
        hot_files = sum(1 for path in shop.hot.values() for _ in path.iterdir())

        # -- checks -------------------------------------------------------------------------
        if lat.latencies:
            ok = lat.done == lat.count and p95(lat.latencies) <= LATENCY_TARGET_S
            measured = f"{ms(p95(lat.latencies))}"
            if lat.done != lat.count:
                measured += f" ({lat.count - lat.done} not queued)"
        else:
            ok, measured = False, "none queued"
        checks.append(
            Check(
                f"text-only zip: claimed → queued in hot folder, p95 of {LATENCY_DROPS} single",
                measured,
                f"≤ {LATENCY_TARGET_S * 1000:.0f} ms",
                ok,
            )
        )
        for label, result, target in (
            (f"text-only throughput, batch of {TEXT_BATCH}", text, TEXT_RATE_TARGET),
            (f"photo (4.4 MB JPEG) throughput, batch of {PHOTO_BATCH}", photo, PHOTO_RATE_TARGET),
        ):
            measured = f"{result.rate:.1f} zips/s"
            if result.done != result.count:
                measured = f"{result.done}/{result.count} queued ({result.held} held)"
            checks.append(Check(label, measured, f"≥ {target:g} zips/s", result.rate >= target))
        idle_worst = max(idle_first, idle_last)
        checks.append(
            Check(
                f"idle CPU, daemon and its workers, over {IDLE_SECONDS:g} s (worse of two)",
                f"{idle_worst * 100:.2f} %",
                f"< {IDLE_CPU_TARGET * 100:g} %",
                idle_worst < IDLE_CPU_TARGET,
            )
        )
        second, last = memory.quarter_means()
        drift = (last - second) / second if second else float("inf")
        complete = memory.result.done == memory.zips and len(memory.samples) >= 4
        checks.append(
            Check(
                f"VmRSS over {memory.zips:,} zips: last ÷ second quarter",
                f"{drift * 100:+.1f} %" if complete else "incomplete run",
                f"within ±{MEMORY_DRIFT_TARGET * 100:g} %",
                complete and abs(drift) <= MEMORY_DRIFT_TARGET,
            )
        )

        # -- details ------------------------------------------------------------------------
        details.append(f"inbox settle:            {settle_note}")
        if lat.latencies:
            details.append(
                "single drops:            claim → queued median "
                f"{ms(statistics.median(lat.latencies))}, p95 {ms(p95(lat.latencies))}, "
                f"max {ms(max(lat.latencies))}; "
                f"drop → claim median {ms(statistics.median(lat.waits))}, "
                f"p95 {ms(p95(lat.waits))} (the settle time, then up to the 0.1 s settle poll)"
            )
        for label, result in (("text batch", text), ("photo batch", photo)):
            if not result.latencies:
                continue
            per_zip = result.span / max(1, result.done)
            details.append(
                f"{label + ':':<24} {result.done} zips in {result.span:.2f} s "
                f"({per_zip * 1000:.1f} ms each), daemon CPU {result.cpu:.1f} s "
                f"({result.cpu / result.span * 100:.0f} % of a core over the span), with its "
                f"workers {result.tree_cpu:.1f} s ({result.tree_cpu / result.span * 100:.0f} %); "
                f"claim → queued p95 {ms(p95(result.latencies))}"
            )
        rss = [r for _, r in memory.samples]
        if rss:
            details.append(
                f"memory run:              {memory.result.done} zips at {memory.result.rate:.1f}"
                f" zips/s; VmRSS before {mib(memory.before)}, first sample {mib(rss[0])}, "
                f"last {mib(rss[-1])}, max {mib(max(rss))}"
            )
            details.append(
                f"                         mean 2nd quarter {mib(second)}, last quarter "
                f"{mib(last)}; least-squares slope {memory.slope() / KIB:+.0f} KiB per 1,000 zips"
            )
            details.append(
                "                         VmRSS (MiB) every "
                f"{RSS_EVERY} zips: " + " ".join(f"{r / KIB / KIB:.1f}" for r in rss)
            )
        if memory.workers and memory.workers[-1][0]:
            count, worker_rss, worker_pss = memory.workers[-1]
            details.append(
                f"worker processes:        {count} (workers, fork server, resource "
                f"tracker) beside the daemon: VmRSS {mib(worker_rss)} together at the end of the "
                f"memory run, PSS {mib(worker_pss)} (pages they share counted once)"
            )
            worker_samples = " ".join(f"{r / KIB / KIB:.1f}" for _, r, _ in memory.workers)
            details.append(
                f"                         their VmRSS (MiB) every {RSS_EVERY} zips: "
                + worker_samples
            )
        if shortened:
            details.append(
                f"                         shortened from {args.memory_zips:,} zips to "
                f"{memory.zips:,} to keep the benchmark near 3 minutes at the measured rate"
            )
        if memory.settle_cpu is not None:
            cpu, wall = memory.settle_cpu
            details.append(
                f"settle loop:             {cpu * 1000:.0f} ms of CPU in {wall:.2f} s while "
                f"{memory.zips:,} zips settled in the inbox: a scan of all of them every 0.1 s, "
                "and watchdog's handling of their inotify events"
            )
        details.append(
            f"idle CPU:                {idle_first * 100:.2f} % after the warm-up, "
            f"{idle_last * 100:.2f} % after {numbers.next - 1:,} zips, daemon and workers "
            f"({idle_first_own * 100:.2f} % and {idle_last_own * 100:.2f} % the daemon alone; "
            f"{IDLE_SECONDS:g} s each; /proc counts CPU time in ticks of {1000 / CLOCK_TICKS:g} ms)"
        )
        details.append(
            f"daemon:                  exit status {exit_code} on SIGTERM; "
            f"{daemon.rejected} rejected, {daemon.duplicates} duplicates, {daemon.errors} errors, "
            f"{hot_files:,} files left in the hot folders"
        )
        details.append(
            f"machine:                 {os.cpu_count()} CPUs, load average (1 min) "
            f"{load_before[0]:.2f} at the start, {load_after[0]:.2f} before the daemon stopped "
            "(the daemon and its render workers use every core while busy: any other load slows "
            "the figures down)"
        )
        for line in daemon.other_lines[-5:]:
            details.append(f"    stderr: {line}")

        profiles = []
        if not args.no_profile:
            print("profiling in-process…")
            profiles.append(
                profile_pipeline(tmp / "text", "text-only", text_zip, numbers, PROFILE_ZIPS)
            )
            profiles.append(
                profile_pipeline(tmp / "photo", "photo", photos.zip, numbers, PROFILE_PHOTO_ZIPS)
            )

    report(checks, details, profiles, time.perf_counter() - total_start)
    return 0 if all(check.ok for check in checks) else 1


def report(
    checks: list[Check], details: list[str], profiles: list[Profile], seconds: float
) -> None:
    print_checks(checks)
    print()
    for line in details:
        print(line)
    if profiles:
        print()
        for profile in profiles:
            profiled = _cum("production/floor/daemon.py", "loop")(profile.stats)[1]
            print(
                f"in-process, {profile.zips} {profile.kind} zips in one daemon pass: "
                f"{profile.plain_seconds / profile.zips * 1000:.1f} ms per zip "
                f"({profile.zips / profile.plain_seconds:.0f} zips/s) rendered inline without "
                f"the profiler, {profiled / profile.zips * 1000:.1f} ms under cProfile; "
                f"{profile.pooled_seconds / profile.zips * 1000:.1f} ms "
                f"({profile.zips / profile.pooled_seconds:.0f} zips/s) with {profile.workers} "
                "render workers"
            )
        for line in profile_table(profiles):
            print(line)
    print_verdict(checks, seconds)


if __name__ == "__main__":
    sys.exit(main())
