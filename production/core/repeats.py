"""Errors that repeat, logged once a minute with a count instead of once per occurrence.

Out of file descriptors, asyncio's accept loop reports the same `EMFILE` a hundred times per
tick; logged as it comes that was 213,000 tracebacks (86 MB) in 20 s, and the log itself then
fills the disk. `Repeats` decides, per kind of message, whether this occurrence is shown: the
first one at once, then at most one per `window` seconds, carrying how many were held back.
`RepeatFilter` applies it to a `logging` logger (asyncio's, uvicorn's).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

__all__ = ["REPEAT_WINDOW", "RepeatFilter", "Repeats", "kind_of"]

REPEAT_WINDOW = 60.0  # seconds between two lines about the same repeated error
_KINDS_KEPT = 256  # kinds remembered; the oldest is forgotten (a new kind is always shown)


class Repeats:
    """Per kind: show the first occurrence, then one per window with the count held back."""

    def __init__(
        self, *, window: float = REPEAT_WINDOW, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.window = window
        self._monotonic = monotonic
        self._kinds: OrderedDict[Hashable, tuple[float, int]] = OrderedDict()  # shown at, held
        self._lock = threading.Lock()
        self.occurrences = 0  # of every kind, shown or held back

    def admit(self, kind: Hashable) -> int | None:
        """None: hold this one back. Otherwise show it, with this many held back since the
        last one shown (0 for the first)."""
        now = self._monotonic()
        with self._lock:
            self.occurrences += 1
            seen = self._kinds.get(kind)
            if seen is not None and now - seen[0] < self.window:
                self._kinds[kind] = (seen[0], seen[1] + 1)
                return None
            self._kinds[kind] = (now, 0)
            self._kinds.move_to_end(kind)
            while len(self._kinds) > _KINDS_KEPT:
                self._kinds.popitem(last=False)
            return 0 if seen is None else seen[1]


def kind_of(record: logging.LogRecord) -> Hashable:
    """What makes two log records "the same error": where, the message, the exception and its
    errno (not the arguments, which carry addresses and ports that differ every time)."""
    error = record.exc_info[1] if record.exc_info else None
    errno = getattr(error, "errno", None)
    # The first line only: asyncio appends the socket, the future or the handle after it.
    first = str(record.msg).partition("\n")[0]
    return (record.name, record.levelno, first, type(error).__name__, errno)


class RepeatFilter(logging.Filter):
    """A logging filter that lets a repeated record through once per window, with a count."""

    def __init__(self, repeats: Repeats | None = None) -> None:
        super().__init__()
        self.repeats = repeats or Repeats()

    def filter(self, record: logging.LogRecord) -> bool:
        held = self.repeats.admit(kind_of(record))
        if held is None:
            return False
        if held:
            record.msg = f"({held} more like this since the last one logged) {record.msg}"
        return True
