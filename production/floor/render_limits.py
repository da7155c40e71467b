"""What one render may cost: a wall-clock limit and a memory limit (`[limits]` in shop.toml).

The input budgets refuse what is known to run away (a million characters, a million elements);
these limits hold whatever else does, so that one zip can never take the machine down.

- Memory: the process's address space is capped at what it maps once its renderer is loaded,
  plus `render_memory_mib` (`RLIMIT_AS`, as `ulimit -v` sets it). An allocation past it fails:
  Python raises MemoryError, which holds the item; a C library that cannot cope ends the worker,
  which the daemon replaces and the item is held all the same.
- Time: `SIGALRM` after `render_seconds` raises `RenderLimitError` in the rendering thread at its
  next Python instruction. A C call that does not return cannot be interrupted that way, so the
  daemon also stops waiting for a worker a few seconds later, kills it and holds the item.

Workers set both at their start; `production render` sets the same memory cap on its own process
(it holds one render at a time), an inline daemon (`render_workers = 0`) caps the memory it
writes to (`cap_data`), and both time each render.
"""

from __future__ import annotations

import os
import resource
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from production.core.errors import RenderLimitError
from production.core.limits import LIMIT_KEYS, ZipLimits

__all__ = [
    "KILL_GRACE_SECONDS",
    "LAZY_IMPORTS_MIB",
    "cap_data",
    "cap_memory",
    "limit_errors_in_cleanup_dropped",
    "out_of_memory",
    "too_slow",
    "within_time",
]

KILL_GRACE_SECONDS = 5.0  # past the limit, before a worker stuck in a C call is killed
_MIB = 1024 * 1024


# What the modules a one-off render imports only when a surface needs them map (NumPy and its
# OpenBLAS with one thread, fontTools, pikepdf, CairoSVG, the emoji tables: about 120 MiB,
# `renderers.preload`; tests/floor/test_render_limits_reserve.py checks it still fits).
LAZY_IMPORTS_MIB = 192


def cap_memory(limits: ZipLimits, *, lazy_imports: bool = False) -> int | None:
    """Cap this process's address space at what it maps now plus the render's allowance; the
    cap in bytes (None where the system has no such limit).

    `lazy_imports`: the render may still import what it needs (a one-off `production render`
    does, to start fast), so room for those modules is added; a worker has imported them all.
    """
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
        mapped = pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return None
    reserve = LAZY_IMPORTS_MIB if lazy_imports else 0
    return _cap(resource.RLIMIT_AS, mapped + (limits.render_memory_mib + reserve) * _MIB)


def cap_data(limits: ZipLimits) -> int | None:
    """For a daemon that renders inline: cap the memory it writes to (`RLIMIT_DATA`: heap and
    private mappings) at what it holds now plus the render's allowance; the cap in bytes.

    Not the address space, as a worker's: the daemon's threads (the desk's, Amazon's) each
    reserve address space for their own malloc arena, which counts there but is never used.
    """
    try:
        status = Path("/proc/self/status").read_text()
        [line] = [entry for entry in status.splitlines() if entry.startswith("VmData:")]
        data = int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return _cap(resource.RLIMIT_DATA, data + limits.render_memory_mib * _MIB)


def _cap(kind: int, cap: int) -> int:
    """Set the soft limit `kind` to `cap` bytes, within the hard limit; the limit in force."""
    soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft != resource.RLIM_INFINITY and soft < cap:
        return soft  # a tighter cap set from outside (`ulimit -v`) stays
    resource.setrlimit(kind, (cap, hard))
    return cap


def out_of_memory(limits: ZipLimits) -> RenderLimitError:
    return RenderLimitError(
        f"the render needed more than {limits.render_memory_mib:,} MiB"
        f" ({LIMIT_KEYS['render_memory_mib']} in shop.toml [limits])"
    )


def too_slow(limits: ZipLimits) -> RenderLimitError:
    return RenderLimitError(
        f"the render took longer than {limits.render_seconds:g} s"
        f" ({LIMIT_KEYS['render_seconds']} in shop.toml [limits])"
    )


@contextmanager
def within_time(limits: ZipLimits) -> Iterator[None]:
    """Raise `RenderLimitError` in the block when it runs past `render_seconds`.

    Only the main thread receives signals; elsewhere (a test calling from a thread) the block
    runs without the alarm, and a worker's own deadline in the daemon still applies.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum: int, frame: FrameType | None) -> None:
        raise too_slow(limits)

    # An alarm set around this one (a test runner's timeout) is kept: put back afterwards with
    # what is left of it, and if it is due first, it fires in place of this one.
    outer, _ = signal.getitimer(signal.ITIMER_REAL)
    if outer and outer <= limits.render_seconds:
        yield
        return
    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, limits.render_seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 1e-3))


@contextmanager
def limit_errors_in_cleanup_dropped() -> Iterator[None]:
    """While a render runs: a limit's error met again while Python cleans up after it (a
    generator closed with no memory left) is dropped, not printed to stderr (the daemon's log,
    JSON lines only); the render's hold already says what happened. Anything else is printed.
    """
    previous = sys.unraisablehook

    def hook(unraisable: sys.UnraisableHookArgs) -> None:
        if not isinstance(unraisable.exc_value, MemoryError | RenderLimitError):
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous
