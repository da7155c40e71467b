"""Signals that arrive while the program is still starting.

Importing the renderer and the rest takes about half a second; a SIGTERM in that time would kill
the process the hard way (-15) before the daemon's own handlers exist. The entry point installs
these handlers first: they only remember the signal, and the command looks at it once it can
act on it (the daemon stops at once, cleanly; other commands end as if interrupted).
"""

from __future__ import annotations

import signal
from types import FrameType

__all__ = ["catch_early_signals", "early_signal", "restore_default_signals"]

_EARLY = (signal.SIGTERM, signal.SIGINT)
_pending: list[int] = []


def _remember(signum: int, frame: FrameType | None) -> None:
    _pending.append(signum)


def catch_early_signals() -> None:
    for signum in _EARLY:
        signal.signal(signum, _remember)
    # `systemctl reload` while starting: the configuration is being read anyway.
    signal.signal(signal.SIGHUP, signal.SIG_IGN)


def early_signal() -> int | None:
    """The first signal that arrived while starting, if any."""
    return _pending[0] if _pending else None


def restore_default_signals() -> None:
    """Ctrl-C and SIGTERM act as usual again (for commands that are not the daemon)."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
