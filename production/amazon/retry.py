"""Retrying a request: full-jitter exponential backoff, `Retry-After`, a bounded attempt count
and an overall deadline.

An attempt returns its result or a `Retry` naming the error to raise when no attempt is left.
Each call has its own counter: threads never share one. A person waits on some calls (the
command line, the desk's Confirm button): six attempts of 30 s each with backoff between them
were minutes of a silent screen, so a call also gives up when its next wait would end past its
deadline, and each wait is told to `progress` (the command line prints it).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from random import Random
from typing import TypeVar

import httpx

from production.core.errors import AmazonError

__all__ = [
    "BACKOFF_BASE_SECONDS",
    "BACKOFF_CAP_SECONDS",
    "DEFAULT_DEADLINE_SECONDS",
    "DEFAULT_MAX_ATTEMPTS",
    "MAX_RETRY_AFTER_SECONDS",
    "RETRY_STATUSES",
    "TRANSIENT_ERRORS",
    "Retrier",
    "Retry",
    "retry_after_seconds",
]

DEFAULT_MAX_ATTEMPTS = 6
DEFAULT_DEADLINE_SECONDS = 90.0  # one call, every attempt and wait included
BACKOFF_BASE_SECONDS = 1.0  # the first retry waits up to this long, each next one up to twice
BACKOFF_CAP_SECONDS = 60.0
MAX_RETRY_AFTER_SECONDS = 300.0  # a server asking for longer is retried after this much
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Worth another attempt: the request may not have arrived, or the answer was lost on the way.
TRANSIENT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)

T = TypeVar("T")
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Retry:
    """An attempt failed in a way another attempt may fix."""

    error: AmazonError  # raised if this was the last attempt
    cause: BaseException | None = None
    after: float | None = None  # the server's Retry-After, else the backoff decides


class Retrier:
    """Runs an attempt up to `max_attempts` times, sleeping between failures."""

    def __init__(
        self,
        *,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep,
        random: Random | None = None,
        base: float = BACKOFF_BASE_SECONDS,
        cap: float = BACKOFF_CAP_SECONDS,
        deadline: float = DEFAULT_DEADLINE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {max_attempts}")
        if not deadline > 0:
            raise ValueError(f"deadline must be positive, not {deadline}")
        self.max_attempts = max_attempts
        self.deadline = deadline
        self._sleep = sleep
        self._random = random or Random()
        self._base = base
        self._cap = cap
        self._monotonic = monotonic
        self._progress = progress

    def backoff(self, failures: int) -> float:
        """Full jitter: uniform between 0 and base·2^(failures-1), capped."""
        ceiling = min(self._cap, self._base * 2.0 ** (failures - 1))
        return self._random.uniform(0.0, ceiling)

    def give_up_at(self) -> float:
        """The monotonic time past which a call started now stops trying."""
        return self._monotonic() + self.deadline

    def past(self, moment: float) -> bool:
        return self._monotonic() >= moment

    def left(self, moment: float) -> float:
        """Seconds from now until `moment`."""
        return moment - self._monotonic()

    def run(self, attempt: Callable[[], T | Retry], *, what: str) -> T:
        started = self._monotonic()
        for number in range(1, self.max_attempts + 1):
            outcome = attempt()
            if not isinstance(outcome, Retry):
                return outcome
            if number == self.max_attempts:
                raise outcome.error from outcome.cause
            delay = outcome.after if outcome.after is not None else self.backoff(number)
            waited = self._monotonic() - started
            if waited + delay > self.deadline:
                outcome.error.message += (
                    f"; gave up after {waited:.0f} s of {number} attempt(s) (a call to Amazon"
                    f" is given {self.deadline:.0f} s)"
                )
                outcome.error.args = (outcome.error.message,)
                raise outcome.error from outcome.cause
            line = f"{what}: {outcome.error.message}; attempt {number + 1} of"
            line += f" {self.max_attempts} in {delay:.1f} s"
            _log.info("%s", line)
            if self._progress is not None:
                self._progress(line)
            self._sleep(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """The wait a `Retry-After` header asks for (seconds or an HTTP date), within bounds."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - (now or datetime.now(UTC))).total_seconds()
    if math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)
