"""The daemon as a real process: `python -m production run --config DIR` on a shop in tmp_path.

`Floor` starts, kills and stops daemon processes on one configuration folder, drops zips into
its inbox, and looks at the result from outside: the hot folders, the stderr log, the store.
Every failure message carries what was happening (`context`, e.g. the random seed) and the
stderr of every daemon run, so a failed run on CI can be understood from its log alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from production.config.settings import load_settings
from production.customization import parse_zip
from production.floor.folders import Folders
from production.floor.inbox import is_ignored
from production.floor.rendering import ItemRenderer
from production.store import JobState, JobStore
from production.store.factory import open_store_in
from tests.daemon.shop import PRINTERS, make_config

REPO = Path(__file__).resolve().parents[2]
_POLL = 0.05


@dataclass
class Run:
    """One daemon process."""

    number: int
    process: subprocess.Popen[bytes]
    stderr: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def lines(self) -> list[str]:
        return self.stderr.read_text(errors="replace").splitlines()

    def events(self) -> list[dict[str, Any]]:
        """The JSON objects logged so far (a line cut short by a kill is skipped)."""
        events: list[dict[str, Any]] = []
        for line in self.lines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict):
                events.append(event)
        return events


@dataclass(frozen=True)
class ExpectedJob:
    job_id: str
    item: str  # order item id
    printer: str
    names: frozenset[str]  # the files it puts into the printer's hot folder


class Floor:
    """A shop folder and the daemon processes that run on it, one at a time."""

    def __init__(self, root: Path, *, settle: float, context: str = "") -> None:
        self.root = root
        self.config = make_config(root / "config", settle_seconds=settle)
        self.settings = load_settings(self.config)
        assert self.settings.shop.settle_seconds == settle
        self.folders = Folders(self.settings.shop.data_dir)
        self.staging = root / "staging"  # zips are written here, then renamed into the inbox
        self.staging.mkdir()
        self.context = context
        self.notes: list[str] = []  # what the test did, for the failure report
        self.runs: list[Run] = []
        self._last_growth: dict[int, tuple[int | None, float]] = {}  # run -> stderr size, since

    # -- folders --------------------------------------------------------------------------------

    @property
    def inbox(self) -> Path:
        return self.settings.shop.inbox

    def hot(self, printer: str) -> Path:
        return self.settings.printers[printer].hot_folder

    def drop(self, data: bytes, name: str) -> Path:
        """Put a whole zip into the inbox at once (written beside it, then renamed in)."""
        self.inbox.mkdir(parents=True, exist_ok=True)
        staged = self.staging / name
        staged.write_bytes(data)
        target = self.inbox / name
        staged.replace(target)
        return target

    def hot_files(self) -> dict[str, set[str]]:
        """printer id -> names in its hot folder (hidden ones too); missing folders are left out."""
        found = {}
        for printer in PRINTERS:
            folder = self.hot(printer)
            if folder.is_dir():
                found[printer] = {p.name for p in folder.iterdir()}
        return found

    def part_files(self) -> list[Path]:
        """Every `.part` file under the configuration folder (inbox, data, hot, done)."""
        return sorted(p for p in self.config.rglob("*") if p.name.endswith(".part"))

    def files_in(self, folder: Path) -> list[str]:
        return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []

    # -- processes -----------------------------------------------------------------------------

    def start(self, *, preexec_fn: Callable[[], None] | None = None) -> Run:
        """A new daemon process; `preexec_fn` runs in it before Python starts (resource limits)."""
        number = len(self.runs) + 1
        stderr = self.root / f"daemon-{number}.stderr"
        with stderr.open("wb") as err, (self.root / f"daemon-{number}.stdout").open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "production", "run", "--config", str(self.config)],
                cwd=REPO,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                # Its own session: whatever it starts (render workers, multiprocessing's fork
                # server and resource tracker) is found by the session id once it has ended.
                start_new_session=True,
                preexec_fn=preexec_fn,
            )
        run = Run(number, process, stderr)
        self.runs.append(run)
        return run

    def kill(self, run: Run) -> None:
        """`kill -9`: no handler, no cleanup, no flush. Every process it started ends too."""
        run.process.send_signal(signal.SIGKILL)
        run.process.wait(timeout=10)
        self.check_no_leftovers(run, "kill -9")

    def check_no_leftovers(self, run: Run, after: str, timeout: float = 5.0) -> None:
        """Nothing the daemon started (render workers and their helpers) outlives it."""
        deadline = time.monotonic() + timeout
        while left := session_processes(run.pid):
            if time.monotonic() > deadline:
                for pid in left:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                self.fail(
                    f"processes of daemon run {run.number} still alive {timeout} s after "
                    f"{after}: {left}"
                )
            time.sleep(_POLL)

    def signal(self, run: Run, signum: int = signal.SIGTERM) -> None:
        if not run.alive():
            self.fail(f"daemon run {run.number} exited ({run.process.returncode}) before a signal")
        run.process.send_signal(signum)

    def wait_exit(self, run: Run, timeout: float, what: str) -> int:
        try:
            return run.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            run.process.kill()
            run.process.wait(timeout=10)
            self.fail(f"daemon run {run.number} did not exit within {timeout} s after {what}")

    def stop(self, run: Run, timeout: float = 15.0) -> int:
        """SIGTERM and wait; the exit code. Every process it started has ended too."""
        self.signal(run)
        code = self.wait_exit(run, timeout, "SIGTERM")
        self.check_no_leftovers(run, "SIGTERM")
        return code

    def stop_all(self) -> None:
        """Kill whatever is still running (a test that failed half-way)."""
        for run in self.runs:
            if run.alive():
                run.process.kill()
                run.process.wait(timeout=10)
            for pid in session_processes(run.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def wait_until(
        self, condition: Callable[[], bool], *, timeout: float, what: str, run: Run | None = None
    ) -> None:
        """Poll `condition`; fail naming `what` on timeout, or at once if `run` exits meanwhile."""
        deadline = time.monotonic() + timeout
        while not condition():
            if run is not None and not run.alive():
                self.fail(
                    f"daemon run {run.number} exited with {run.process.returncode} "
                    f"while waiting for {what}"
                )
            if time.monotonic() > deadline:
                self.fail(f"timed out after {timeout} s waiting for {what}")
            time.sleep(_POLL)

    def quiet(self, run: Run, seconds: float) -> bool:
        """True once `run` has logged nothing for `seconds` and nothing waits in the inbox or
        the working area: the daemon is idle, whatever the store says."""
        size = run.stderr.stat().st_size
        now = time.monotonic()
        if self._last_growth.get(run.number, (None, 0.0))[0] != size:
            self._last_growth[run.number] = (size, now)
            return False
        return not self.waiting() and now - self._last_growth[run.number][1] >= seconds

    def waiting(self) -> list[str]:
        """Files the daemon has yet to take: in the inbox (but not those still being written
        under a name it ignores) and in its working area."""
        inbox = [name for name in self.files_in(self.inbox) if not is_ignored(name)]
        inbox = [name for name in inbox if (self.inbox / name).is_file()]
        return inbox + self.files_in(self.folders.claimed)

    def wait_event(
        self, run: Run, match: Callable[[dict[str, object]], bool], *, timeout: float, what: str
    ) -> None:
        self.wait_until(
            lambda: any(match(e) for e in run.events()), timeout=timeout, what=what, run=run
        )

    # -- the store -------------------------------------------------------------------------------

    def peek_states(self) -> dict[str, str]:
        """job id -> state, read without disturbing a running daemon ({} if there is no store)."""
        path = self.folders.store
        if not path.exists():
            return {}
        try:
            db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)
        except sqlite3.Error:
            return {}
        try:
            return dict(db.execute("SELECT job_id, state FROM jobs").fetchall())
        except sqlite3.Error:
            return {}  # not created yet, or busy: the caller polls again
        finally:
            db.close()

    def open_store(self) -> JobStore:
        """The store, for checks once no daemon runs."""
        assert not any(run.alive() for run in self.runs), "open the store after the daemon stopped"
        return open_store_in(self.folders.root)

    # -- failure reports ------------------------------------------------------------------------

    def fail(self, message: str) -> NoReturn:
        raise AssertionError(f"{message}\n[{self.context}]\n{self.report()}") from None

    def report(self, tail: int = 40) -> str:
        parts = [f"what happened: {'; '.join(self.notes)}"] if self.notes else []
        states: dict[str, int] = {}
        for state in self.peek_states().values():
            states[state] = states.get(state, 0) + 1
        parts.append(f"store: {states or 'empty or unreadable'}")
        for printer, names in sorted(self.hot_files().items()):
            parts.append(f"hot/{printer}: {len(names)} files")
        for name, folder in (("inbox", self.inbox), ("claimed", self.folders.claimed)):
            parts.append(f"{name}: {self.files_in(folder)[:10]}")
        parts.append(f".part files: {[str(p.relative_to(self.root)) for p in self.part_files()]}")
        for run in self.runs:
            code = run.process.poll()
            lines = run.lines()
            parts.append(f"--- daemon run {run.number} (pid {run.pid}, exit {code}), stderr:")
            if len(lines) > tail:
                parts.append(f"... {len(lines) - tail} lines before ...")
            parts.extend(lines[-tail:])
        return "\n".join(parts)


def session_processes(session: int) -> list[int]:
    """The live processes (zombies aside) of session `session`, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended meanwhile
        state, sid = fields[0], int(fields[3])
        if sid == session and state != "Z":
            found.append(int(stat.parent.name))
    return sorted(found)


def expected_jobs(config: Path, zips: dict[str, bytes]) -> dict[str, ExpectedJob]:
    """job id -> the job and its files that each zip must end as (rendered here once per zip)."""
    renderer = ItemRenderer(load_settings(config))
    jobs = {}
    for data in zips.values():
        output = renderer.render_zip(data, source="test")
        for out in output.jobs:
            assert out.printer is not None, out.identity.job_id
            item = output.customization.item.order_item_id
            job = ExpectedJob(
                out.identity.job_id, item, out.printer.id, frozenset(out.device_files())
            )
            jobs[job.job_id] = job
    return jobs


def store_matches_folders(
    floor: Floor, expected: dict[str, ExpectedJob], *, state: JobState = JobState.QUEUED
) -> None:
    """Every expected job is in `state` with hot paths that exist; the hot folders hold those
    files and nothing else; no `.part` file anywhere; inbox and working area are empty."""
    with floor.open_store() as store:
        jobs = {job.job_id: job for job in store.jobs()}
        items = store.items()
    problems = []
    if set(jobs) != set(expected):
        missing = sorted(set(expected) - set(jobs))
        extra = sorted(set(jobs) - set(expected))
        problems.append(f"jobs missing from the store: {missing[:5]}, unexpected: {extra[:5]}")
    want_items = {j.item for j in expected.values()}
    if {i.order_item_id for i in items} != want_items:
        problems.append(f"{len(items)} items in the store, expected {len(want_items)}")
    wrong = {j.job_id: (j.state.value, j.reason) for j in jobs.values() if j.state is not state}
    if wrong:
        problems.append(f"{len(wrong)} jobs not {state.value}: {list(wrong.items())[:5]}")
    named: dict[str, set[str]] = {printer: set() for printer in PRINTERS}
    for job in jobs.values():
        for path in map(Path, job.hot_paths):
            if not path.is_file():
                problems.append(f"{job.job_id}: hot path {path} does not exist")
            named[job.printer or "-"].add(path.name)
        want = expected.get(job.job_id)
        if want is not None and {Path(p).name for p in job.hot_paths} != set(want.names):
            problems.append(
                f"{job.job_id}: hot paths {job.hot_paths}, expected {sorted(want.names)}"
            )
    hot = floor.hot_files()
    for printer in PRINTERS:
        want_names = {n for j in expected.values() if j.printer == printer for n in j.names}
        present = hot.get(printer, set())
        if present != want_names:
            problems.append(
                f"hot/{printer}: lost {sorted(want_names - present)[:5]}, "
                f"extra {sorted(present - want_names)[:5]} ({len(present)} files)"
            )
        if present - named[printer]:
            problems.append(
                f"hot/{printer}: files the store does not name: {present - named[printer]}"
            )
    if floor.part_files():
        problems.append(f".part files left: {floor.part_files()}")
    if floor.waiting():
        problems.append(f"left in the inbox or claimed/: {floor.waiting()[:5]}")
    if problems:
        floor.fail("the store and the hot folders disagree:\n  " + "\n  ".join(problems))


def buyer_texts(zips: Iterable[bytes]) -> set[str]:
    """Every line of text a buyer typed into any of `zips`."""
    texts: set[str] = set()
    for data in zips:
        for surface in parse_zip(data, source="test").surfaces:
            for text in surface.texts:
                texts.update(line.strip() for line in text.lines if line.strip())
    return texts


def check_log(floor: Floor, texts: Iterable[str]) -> int:
    """Every stderr line of every run is one JSON object with a state, and holds no buyer text
    and no traceback; the number of lines checked."""
    texts = sorted(set(texts))
    assert texts, "no buyer text to look for: the check would prove nothing"
    problems = []
    checked = 0
    for run in floor.runs:
        for number, line in enumerate(run.lines(), start=1):
            checked += 1
            where = f"daemon run {run.number} stderr line {number}"
            leaked = [text for text in texts if any(form in line for form in _forms(text))]
            if leaked:
                problems.append(f"{where} holds buyer text {leaked}: {line}")
            try:
                event = json.loads(line)
            except ValueError:
                problems.append(f"{where} is not JSON: {line}")
                continue
            if not isinstance(event, dict) or "state" not in event or "time" not in event:
                problems.append(f"{where} is not an event with a time and a state: {line}")
    if problems:
        floor.fail("the daemon's log is not clean:\n  " + "\n  ".join(problems[:20]))
    return checked


def _forms(text: str) -> set[str]:
    """`text` as it would appear in a line of JSON: as is, and escaped either way."""
    return {text, json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]}
