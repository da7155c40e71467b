"""Rendering an order item, in the daemon's own process or in worker processes beside it.

Rendering is pure: a zip's members in, print files and a verdict out (`render_task`). Everything
else the daemon does (files, the store, the hot folders, the log) stays on its main thread, so
the crash safety of the pipeline does not depend on where an item was rendered. `production run`
renders in a `RenderPool`, one process per CPU (up to four), while its main thread writes what
the workers have finished and takes the next zips in; in-process callers (tests, commands)
render inline.

What crosses to a worker is a `RenderTask` (the members take_in has already read and parsed, or
the path of the stored zip); what comes back is a `RenderOutcome`: every job's master files and
what its record needs, or the cause and message of the hold. A task with a `stage` has its
master files written by the worker into the daemon's staging folder (`production.floor.staging`)
and only their names sent back: megabytes of photo never cross the pipe, and the daemon's one
thread does not write them. Failures are turned into their hold
in the worker, by the same rule as inline (`hold_reason`), so no exception has to survive
pickling (a `MissingFontError`, with its keyword-only `family`, would not).

The workers are forked from a fork server that has imported the renderers once (never from the
daemon itself: it has threads). They ignore SIGINT and SIGHUP, and SIGTERM from anyone but the
daemon (Ctrl-C in a terminal, or a service manager, signals the whole process group: the daemon
finishes the step in hand and then stops them), and each watches the daemon through a pidfd, to
exit at once when it is gone, however it ended (kill -9 included). Their stderr is /dev/null:
the daemon's stderr is its JSON log, and what goes wrong in a worker is the hold of its item.
An idle worker sleeps in a blocking read: no polling.
"""

from __future__ import annotations

import multiprocessing
import os
import select
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from multiprocessing import forkserver, resource_tracker
from pathlib import Path
from typing import Protocol

from production.config.settings import Settings
from production.core.errors import ProductionError, RenderError, RenderLimitError
from production.core.limits import DEFAULT_LIMITS, ZipLimits
from production.core.model import Customization
from production.customization import ZipMembers
from production.floor.malloc import keep_freed_memory
from production.floor.render_limits import (
    cap_memory,
    limit_errors_in_cleanup_dropped,
    out_of_memory,
    within_time,
)
from production.floor.rendering import ItemOutput, ItemRenderer, JobOutput
from production.floor.staging import write_staged
from production.floor.ticketing import ItemFacts
from renderers.preload import preload, render_modules

__all__ = [
    "DEFAULT_MAX_WORKERS",
    "BrokenProcessPool",
    "RenderOutcome",
    "RenderPool",
    "RenderTask",
    "RenderedJob",
    "Renderer",
    "default_render_workers",
    "hold_reason",
    "render_task",
]


class Renderer(Protocol):
    """What `render_task` needs of an `ItemRenderer`."""

    def render_zip(
        self, data: bytes, *, source: str = "zip", facts: ItemFacts | None = None
    ) -> ItemOutput: ...

    def render_members(
        self,
        members: ZipMembers,
        *,
        source: str = "zip",
        customization: Customization | None = None,
        facts: ItemFacts | None = None,
    ) -> ItemOutput: ...


@dataclass(frozen=True, slots=True)
class RenderTask:
    """One order item to render: its members as take_in parsed them, or its stored zip."""

    order_item_id: str
    members: ZipMembers | None = None
    customization: Customization | None = None
    zip_path: str | None = None
    # What the store knows of the item beyond its zip (Amazon's ship-by date), for the ticket.
    facts: ItemFacts = field(default_factory=ItemFacts)
    # Where the master files go: `<stage><name>` in the staging folder; None: sent back.
    stage: str | None = None


@dataclass(frozen=True, slots=True)
class RenderedJob:
    """A rendered job as the pipeline records it: ids, master files and verdict."""

    job_id: str
    surface: str
    printer: str | None  # printer id; None: options only, nothing to print
    stem: str
    files: dict[str, bytes]  # the masters, file name -> bytes (`JobOutput.files()`); {}: staged
    holds: tuple[str, ...]  # why nobody may print it yet; () when it may go
    proof_hold: bool  # held because the proof does not look like Amazon's preview
    rendered_reason: str  # the record's reason when it is not held
    staged: tuple[str, ...] = ()  # the masters' names, written as `<task.stage><name>`

    @classmethod
    def of(cls, job: JobOutput) -> RenderedJob:
        return cls(
            job_id=job.identity.job_id,
            surface=job.surface,
            printer=job.printer.id if job.printer else None,
            stem=job.identity.stem,
            files=job.files(),
            holds=job.hold_reasons,
            proof_hold=any(f.rule == "proof" and f.severity == "hold" for f in job.preflight),
            rendered_reason=rendered_reason(job),
        )


@dataclass(frozen=True, slots=True)
class RenderOutcome:
    """Every job of the item, or why the item cannot be rendered at all."""

    jobs: tuple[RenderedJob, ...] = ()
    held: tuple[str, str] | None = None  # (cause, reason) of the hold; None: rendered


def render_task(
    renderer: Renderer, task: RenderTask, limits: ZipLimits = DEFAULT_LIMITS
) -> RenderOutcome:
    """Render one item within `limits`' time; every failure becomes the hold it causes, none
    escapes (past the memory cap of `render_limits.cap_memory`, MemoryError is one)."""
    try:
        with limit_errors_in_cleanup_dropped(), within_time(limits):
            return _render(renderer, task)
    except MemoryError:
        return RenderOutcome(held=hold_reason(out_of_memory(limits)))
    except RenderLimitError as exc:  # the alarm, between the render and the return
        return RenderOutcome(held=hold_reason(exc))


def _render(renderer: Renderer, task: RenderTask) -> RenderOutcome:
    try:
        if task.members is not None:
            output = renderer.render_members(
                task.members, source="store", customization=task.customization, facts=task.facts
            )
        else:
            assert task.zip_path is not None
            data = Path(task.zip_path).read_bytes()
            output = renderer.render_zip(data, source="store", facts=task.facts)
        jobs = tuple(RenderedJob.of(job) for job in output.jobs)
    except MemoryError:
        raise  # the limit's own message, above
    except Exception as exc:  # noqa: BLE001 - every failure holds the item, none stops the shop
        return RenderOutcome(held=hold_reason(exc))
    if task.stage is not None:
        jobs = _staged(jobs, task.stage)
    return RenderOutcome(jobs)


def _staged(jobs: tuple[RenderedJob, ...], stage: str) -> tuple[RenderedJob, ...]:
    """The jobs with their masters written under `stage`; as they were if that fails (the
    daemon writes them then, and meets the same error, a full disk, itself)."""
    files = {name: data for job in jobs for name, data in job.files.items()}
    if not write_staged(stage, files):
        return jobs
    return tuple(replace(job, files={}, staged=tuple(job.files)) for job in jobs)


def rendered_reason(job: JobOutput) -> str:
    """ "rendered", with preflight's warnings (ids and numbers only) kept on the job's record."""
    warnings = [f"{f.rule}: {f.message}" for f in job.preflight if f.severity == "warn"]
    if job.proof_score is not None:
        warnings.insert(0, f"proof score {job.proof_score:.2f}")
    return "; ".join(["rendered", *warnings])


def hold_reason(exc: BaseException) -> tuple[str, str]:
    """The cause and the message a held item shows for the failure that stopped it."""
    if isinstance(exc, ProductionError):
        return exc.cause, str(exc)
    if isinstance(exc, OSError):
        return "zip unreadable", f"the stored zip cannot be read ({exc.strerror or exc})"
    # Not one of ours: a bug. Its text might quote the input, so only its type is shown.
    return (
        "internal error",
        f"internal error ({type(exc).__name__}) while rendering; please report it",
    )


DEFAULT_MAX_WORKERS = 4
"""More workers than this by default: the daemon's one thread, which writes and records every
render (a third of a text zip's time, half of a photo zip's), could not keep them busy."""


def default_render_workers() -> int:
    """One worker per CPU this process may run on, up to `DEFAULT_MAX_WORKERS`."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, DEFAULT_MAX_WORKERS))


RendererFactory = Callable[[Settings], Renderer]
"""Makes a worker's renderer; a module-level function (it is pickled by name)."""


class RenderPool:
    """`workers` processes, each with its own renderer built once; items rendered FIFO.

    `start()` starts them and waits until they are ready (a renderer that cannot be built stops
    the daemon at start, as inline); `reconfigure()` starts them again with new settings. A
    pool whose worker died (killed, out of memory, a crash in a C library) is replaced at the
    next `submit`; the futures it had fail with `BrokenProcessPool`.
    """

    def __init__(
        self, settings: Settings, workers: int, *, factory: RendererFactory = ItemRenderer
    ) -> None:
        if workers < 1:
            raise ValueError("a render pool needs at least one worker")
        self.settings = settings
        self.workers = workers
        self.factory = factory
        self._executor: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Start the workers (if not running) and wait until each has built its renderer."""
        if self._executor is not None:
            return
        executor = self._new_executor()
        # One task per worker: with a pool that grows on demand, each starts another process.
        ready = [executor.submit(_ready) for _ in range(self.workers)]
        try:
            for future in ready:
                future.result()
        except BaseException:
            executor.shutdown(wait=False, cancel_futures=True)
            raise
        self._executor = executor

    def reconfigure(self, settings: Settings) -> None:
        """Render with `settings` from now on: the workers are started again with them.

        Each worker builds its renderer from the settings it starts with, so new fonts,
        aliases and templates need new workers. Called between renders (the ones in hand
        finish first). If the new workers cannot start, the old settings stay and the error
        is raised.
        """
        running = self._executor is not None
        self.close()
        old, self.settings = self.settings, settings
        if not running:
            return
        try:
            self.start()
        except BaseException:
            self.settings = old
            self.start()
            raise

    def submit(self, task: RenderTask) -> Future[RenderOutcome]:
        if self._executor is None:
            self._executor = self._new_executor()
        try:
            return self._executor.submit(_render_in_worker, task)
        except BrokenProcessPool:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = self._new_executor()
            return self._executor.submit(_render_in_worker, task)

    def close(self, *, at_once: bool = False) -> None:
        """Stop the workers once their renders in hand are done, or `at_once` (killed).

        Renders not begun are dropped: their items are rendered again at the next start.
        """
        executor, self._executor = self._executor, None
        if executor is None:
            return
        if at_once:
            # No public way before Python 3.14 (`kill_workers`); a render may never end.
            for process in list(executor._processes.values()):
                process.kill()
        executor.shutdown(wait=not at_once, cancel_futures=True)

    def _new_executor(self) -> ProcessPoolExecutor:
        context = _context()
        _start_helpers(context)
        return ProcessPoolExecutor(
            self.workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(self.settings, self.factory, os.getpid()),
        )


def _context() -> multiprocessing.context.BaseContext:
    # Never "fork": the daemon has threads (watcher, intake, desk), and a forked child inherits
    # whatever locks they held at that moment.
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # Imported once in the fork server; every worker starts with the renderers loaded,
        # and with all a render may import later (`renderers.preload`): forked, not imported.
        context.set_forkserver_preload([__name__, *render_modules()])
        return context
    return multiprocessing.get_context("spawn")


_helpers_started = False


def _start_helpers(context: multiprocessing.context.BaseContext) -> None:
    """Start multiprocessing's resource tracker and fork server with stderr on /dev/null.

    The daemon's stderr is its log, JSON lines only, and these would write other things into
    it: the tracker outlives a daemon killed with SIGKILL and warns about every semaphore of
    the pool's queues it then cleans up; a worker forked at that moment, or sending a result
    then, dies with a traceback. The workers inherit the fork server's stderr. Done first thing
    (`prepare`, before the daemon's other threads start), so that no event is written meanwhile.
    """
    global _helpers_started
    if _helpers_started:
        return
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        resource_tracker.ensure_running()
        if context.get_start_method() == "forkserver":
            forkserver.ensure_running()
        _helpers_started = True
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


# -- in the worker ------------------------------------------------------------------------------

_renderer: Renderer | None = None
_init_error: str | None = None
_limits: ZipLimits = DEFAULT_LIMITS


def _init_worker(settings: Settings, factory: RendererFactory, daemon_pid: int) -> None:
    global _renderer, _init_error, _limits
    # Ctrl-C in a terminal, or a service manager's SIGTERM, reaches every process of the group:
    # the daemon decides when its workers stop (after the step in hand), not the signal.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # the daemon's: it re-reads the configuration
    _only_the_daemon_terminates(daemon_pid)
    _quiet_stderr()
    _watch_daemon(daemon_pid)
    keep_freed_memory()  # a render's pictures reused by the next, not faulted in again
    try:
        _renderer = factory(settings)
    except Exception as exc:  # noqa: BLE001 - reported by every task instead of a traceback
        what = str(exc) if isinstance(exc, ProductionError) else type(exc).__name__
        _init_error = f"a render process cannot start: {what}"
    # Once the renderer is loaded, and every module a render might import later: what it maps
    # now is its own, the rest is the renders'.
    preload()
    _limits = settings.limits
    cap_memory(_limits)


def _only_the_daemon_terminates(daemon_pid: int) -> None:
    """SIGTERM ends this worker only when the daemon sends it.

    The pool terminates its workers with SIGTERM when one of them has died, and waits for them
    to end; any other sender (a service manager stopping the whole group) is ignored. Blocked
    here, in the main thread before any other thread exists, and taken by a thread of its own.
    """
    if not hasattr(signal, "sigwaitinfo"):  # not Linux: SIGTERM ends the worker, whoever sent it
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    threading.Thread(target=_take_sigterm, args=(daemon_pid,), daemon=True).start()


def _take_sigterm(daemon_pid: int) -> None:
    while True:
        if signal.sigwaitinfo({signal.SIGTERM}).si_pid == daemon_pid:
            os._exit(128 + signal.SIGTERM)


def _quiet_stderr() -> None:
    """Nothing a worker prints may reach the daemon's log (spawned workers share its stderr)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _ready() -> int:
    _check_ready()
    return os.getpid()


def _render_in_worker(task: RenderTask) -> RenderOutcome:
    renderer = _check_ready()
    return render_task(renderer, task, _limits)


def _check_ready() -> Renderer:
    if _init_error is not None or _renderer is None:
        raise RenderError(_init_error or "a render process cannot start")
    return _renderer


def _watch_daemon(pid: int) -> None:
    """Exit this worker as soon as the daemon `pid` has ended, however it ended."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)  # gone already
    except (AttributeError, OSError):  # not Linux (or before 5.3): look every few seconds
        threading.Thread(target=_poll_daemon, args=(pid,), daemon=True).start()
        return
    threading.Thread(target=_wait_for_exit, args=(handle,), daemon=True).start()


def _wait_for_exit(handle: int) -> None:
    select.select([handle], [], [])  # readable once the process has exited
    os._exit(1)


def _poll_daemon(pid: int) -> None:
    while True:
        time.sleep(5.0)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:
            pass  # the pid exists (reused or not): keep looking
