"""Runs order intake beside the daemon's loop, so waiting on Amazon's quota never stalls the floor.

The SP-API allows one `searchOrders` call every three minutes once its burst is spent; the
client waits for its token bucket, and that wait happens on this thread. Companion orders
(Multi-Channel Fulfillment) step on a thread of their own (`StepThread`) for the same reason.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from production.floor.amazon_intake import PollReport
from production.floor.events import EventLog

__all__ = ["IntakeThread", "StepThread"]


class StepThread:
    """Calls `step()` every `interval` seconds on its own thread until stopped; a failure is
    logged (`<name> error`) and the next step comes as usual."""

    def __init__(
        self, step: Callable[[], object], *, interval: float, log: EventLog, name: str
    ) -> None:
        self.step = step
        self.interval = interval
        self.log = log
        self.name = name
        self.error_state = f"{name} error"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self.step_once()
            self._stop.wait(self.interval)

    def step_once(self) -> None:
        try:
            self.step()
        except Exception as exc:  # noqa: BLE001 - Amazon or a locked store must not stop the floor
            message = getattr(exc, "message", None) or type(exc).__name__
            self.log({"time": _now(), "state": self.error_state, "reason": str(message)})


class IntakeThread(StepThread):
    """Polls for new orders and logs what each poll brought."""

    def __init__(self, poll: Callable[[], PollReport], *, interval: float, log: EventLog) -> None:
        super().__init__(self._poll, interval=interval, log=log, name="amazon-intake")
        self.error_state = "intake error"
        self.poll = poll

    def poll_once(self) -> None:
        self.step_once()

    def _poll(self) -> None:
        report = self.poll()
        if report.orders or report.failed:
            # With a time, as every event has: `production audit --log` takes no line without.
            self.log({"time": _now(), "state": "intake", **report.summary()})


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
