"""`production run`: the long-running loop that drives the pipeline.

Like huey's consumer: `initialize()`, `loop()` for one pass (what tests call directly), and
`run()` repeating it until asked to stop. Signal handlers only set a flag. The loop sleeps on an
event that the filesystem watcher (inotify, `production.floor.watching`) sets when something
lands in the inbox or a done folder, with a periodic rescan as a safety net for filesystems
whose changes inotify does not see (network shares).

Every side effect happens on the loop's thread. With render workers (`Pipeline(render_workers=)`,
as `production run` makes it), a pass takes the next zips in while the workers render the ones
before, and records and delivers the renders in order (`Pipeline.render_items`): those that
finished together in one transaction, their jobs delivered in one more, and the zips taken in
together moved into `zips/` with one sync of it (group commit: a thread that falls behind pays
one fsync for several zips, never a weaker one). A first signal stops taking zips in and
finishes those taken; a second one stops at once, workers included.
SIGHUP re-reads the configuration (`production.floor.reloading`), as a person's retry does.
"""

from __future__ import annotations

import itertools
import os
import queue
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Protocol

from production.config.settings import Settings, load_settings
from production.core.files import missing_folder
from production.floor.pipeline import Pipeline
from production.floor.reloading import ConfigReload, Loader, Reloaded
from production.floor.resume import PrinterResume
from production.floor.watching import Watch, watch_arrivals

__all__ = ["DEFAULT_RESCAN_SECONDS", "Daemon", "PassStep", "Service"]

DEFAULT_RESCAN_SECONDS = 5.0
_SETTLE_POLL_SECONDS = 0.1  # while a file settles, look at it this often


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class _Wakeup:
    """What the loop sleeps on; set by the filesystem watcher's thread and by signal handlers.

    Not a `threading.Event`: a signal handler runs between any two bytecodes of the main thread,
    also while that thread holds the event's lock inside `clear()` or `wait()`, and `set()` then
    waits for that lock forever. `queue.SimpleQueue.put()` is reentrant (no Python-level lock).
    """

    def __init__(self) -> None:
        self._tokens: queue.SimpleQueue[None] = queue.SimpleQueue()

    def set(self) -> None:
        self._tokens.put(None)

    def clear(self) -> None:
        while not self._tokens.empty():
            self._tokens.get_nowait()

    def wait(self, timeout: float) -> bool:
        """Sleep until `set()` (at once if it was set since `clear()`) or `timeout`; True if set."""
        try:
            self._tokens.get(timeout=timeout)
        except queue.Empty:
            return False
        return True


class Service(Protocol):
    """Something that runs on its own thread beside the loop."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


PassStep = Callable[[], int]
"""Work done at the end of every pass; returns how many things it did (0: nothing to do)."""


class Daemon:
    """Runs the pipeline until stopped; one pass at a time."""

    def __init__(
        self,
        pipeline: Pipeline,
        *,
        rescan_seconds: float = DEFAULT_RESCAN_SECONDS,
        watch: bool = True,
        monotonic: Callable[[], float] = time.monotonic,
        services: Sequence[Service] = (),
        after_pass: Sequence[PassStep] = (),
        load: Loader | None = None,
        on_reload: Sequence[Reloaded] = (),
        guard: Callable[[], None] = lambda: None,
    ) -> None:
        self.pipeline = pipeline
        # Asked before every pass; what it raises stops the daemon (the data folder went away).
        self.guard = guard
        # Run at the end of every pass, in order (deleting buyer data that is due): each says
        # how much it did, so that the loop knows whether to look again at once.
        self.after_pass = list(after_pass)
        self.services = list(services)  # run beside the loop (order intake), started last
        self.rescan_seconds = rescan_seconds
        self.watch = watch
        self.monotonic = monotonic
        self.wake = _Wakeup()
        self.stopping = False
        self._watch: Watch | None = None
        # Held for a printer that could not be reached: sent on when it can be again.
        self.resume = PrinterResume(pipeline, monotonic=monotonic)
        self.config = ConfigReload(
            pipeline, load=load or load_settings, on_reload=[*on_reload, self._reloaded]
        )

    # -- lifecycle -------------------------------------------------------------------------------

    def initialize(self) -> None:
        self.config.start()
        self.pipeline.prepare()
        if self.watch:
            self._start_watching()
        for service in self.services:
            service.start()
        self.pipeline.log({"time": _now(), "state": "started", "pid": os.getpid()})
        for what, folder in self.pipeline.missing_folders():
            self.pipeline.log({
                "time": _now(),
                "state": "folder missing",
                "level": "warning",
                "folder": str(folder),
                "reason": f"{what} {folder} {missing_folder(folder)}: its jobs are held until "
                          "it is there, then go on by themselves (reconnect the share, create "
                          "it, or fix printers.toml)",
            })  # fmt: skip

    def shutdown(self, *, at_once: bool = False) -> None:
        for service in reversed(self.services):
            service.stop()
        self._stop_watching()
        self.pipeline.close(at_once=at_once)
        self.pipeline.store.close()
        self.pipeline.log({"time": _now(), "state": "stopped", "pid": os.getpid()})

    def stop(self) -> None:
        self.stopping = True
        self.wake.set()

    def request_reload(self) -> None:
        """Re-read the configuration before the next render (the desk's Retry, SIGHUP)."""
        self.config.request()
        self.wake.set()

    def run(self, *, until: Callable[[], bool] | None = None) -> None:
        """Pass after pass until `stop()` (or `until()` is true); then shut down."""
        self.initialize()
        try:
            while not self.stopping:
                self.wake.clear()
                busy = self.loop()
                if until is not None and until():
                    break
                if not busy and not self.stopping:
                    self._rest(self._pause())
        except BaseException:
            # A second signal: stop now, also the renders in hand (their items render again).
            self.shutdown(at_once=True)
            raise
        self.shutdown()

    def install_signal_handlers(self) -> None:
        """SIGTERM/SIGINT stop after the step in hand; a second one stops at once. SIGHUP
        re-reads the configuration."""

        def handle(signum: int, frame: FrameType | None) -> None:
            if self.stopping:
                # The store and the files are crash-safe: stopping mid-step loses nothing.
                raise SystemExit(128 + signum)
            self.stop()

        def reload(signum: int, frame: FrameType | None) -> None:
            self.request_reload()

        signal.signal(signal.SIGTERM, handle)
        signal.signal(signal.SIGINT, handle)
        signal.signal(signal.SIGHUP, reload)

    # -- one pass ----------------------------------------------------------------------------

    def loop(self) -> bool:
        """Do whatever is waiting; True if anything was done (so look again at once)."""
        self.guard()  # outside the `try`: not an error to retry, the end of this daemon
        try:
            return self._pass()
        except Exception as exc:  # noqa: BLE001 - a full disk or a locked store is retried later
            self.pipeline.report_error(exc)
            return False

    def _pass(self) -> bool:
        pipeline = self.pipeline
        claims = 0
        self.config.check()

        def claimed() -> Iterator[Path]:
            """Zips claimed earlier (before a crash), then those settled in the inbox now."""
            nonlocal claims
            for pending in pipeline.inbox.pending_claims():
                claims += 1
                yield pending
            for path in pipeline.inbox.settled():
                if (moved := pipeline.inbox.claim(path)) is not None:
                    claims += 1
                    yield moved

        def taken() -> Iterator[str]:
            """Zips taken in as the pipeline has room for their render: as many at once as it
            has room for (`take_in_all`, one sync of `zips/` for them)."""
            paths = claimed()
            while not self.stopping:
                batch = list(itertools.islice(paths, max(1, pipeline.intake_room)))
                if not batch:
                    return
                yield from pipeline.take_in_all(batch)

        # Each zip taken in is rendered and delivered; with render workers, the next ones are
        # taken in and rendered meanwhile. A stop takes no more, and finishes those begun.
        pipeline.render_items(taken(), deliver=True)
        busy = claims > 0
        if self.stopping:
            return busy
        busy |= pipeline.render_received() > 0
        busy |= pipeline.deliver_rendered() > 0
        busy |= self.resume() > 0
        busy |= pipeline.collect_finished() > 0
        for step in self.after_pass:
            # Last, so that a file it cannot delete never holds up the floor.
            busy |= step() > 0
        return busy

    def _pause(self) -> float:
        if self._settling():
            return _SETTLE_POLL_SECONDS
        return self.rescan_seconds

    def _settling(self) -> bool:
        return self.pipeline.inbox.waiting

    def _rest(self, seconds: float) -> None:
        """Sleep until woken, or for `seconds`. While files settle in the inbox, for the whole
        settle poll whatever wakes the loop: a drop of a thousand zips is a thousand inotify
        events, and each would otherwise cost a pass that looks at every file waiting. (What
        else wakes the loop meanwhile, a retry or a done folder, waits for the poll too.)"""
        until = time.monotonic() + seconds
        while self.wake.wait(max(0.0, until - time.monotonic())):
            if self.stopping or seconds <= 0 or not self._settling():
                return

    def _reloaded(self, settings: Settings) -> None:
        if self._watch is not None:
            # The printers' done folders may have changed: watch the new ones.
            self._stop_watching()
            self._start_watching()

    def _stop_watching(self) -> None:
        if self._watch is not None:
            self._watch.stop()
            self._watch = None

    def _start_watching(self) -> None:
        folders: list[Path] = [self.pipeline.inbox.folder]
        for printer in self.pipeline.settings.printers.values():
            if printer.done_folder is not None:
                folders.append(printer.done_folder)
        # `production retry` touches this file so the held job is rendered at once. The file
        # itself is watched, not the data folder: the store's WAL there changes at every commit.
        wake_file = self.pipeline.folders.wake
        wake_file.touch()
        self._watch = watch_arrivals(folders, [wake_file], self.wake.set)
