"""What a person at the command line sees while Amazon is slow: a line every few seconds.

A quick answer prints nothing; a slow one says how long it has waited and when it gives up, and
each retry says why (the client's `progress`). Lines go to stderr: stdout stays the result.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

__all__ = ["STILL_WAITING_EVERY", "retrying", "still_waiting"]

STILL_WAITING_EVERY = 5.0  # seconds between "still waiting" lines


def retrying(line: str) -> None:
    """A wait between attempts, shown as it starts: the person knows why nothing happens."""
    print(f"  Amazon: {line}", file=sys.stderr, flush=True)


@contextmanager
def still_waiting(
    what: str, *, gives_up: float, every: float = STILL_WAITING_EVERY, out: TextIO | None = None
) -> Iterator[None]:
    """Prints "<what>: still waiting for Amazon (N s…)" every `every` s until the block ends."""
    stream = out or sys.stderr
    done = threading.Event()
    started = time.monotonic()

    def tell() -> None:
        while not done.wait(every):
            waited = time.monotonic() - started
            print(f"{what}: still waiting for Amazon ({waited:.0f} s; it is given"
                  f" {gives_up:.0f} s)…", file=stream, flush=True)  # fmt: skip

    teller = threading.Thread(target=tell, name="still-waiting", daemon=True)
    teller.start()
    try:
        yield
    finally:
        done.set()
        teller.join()
