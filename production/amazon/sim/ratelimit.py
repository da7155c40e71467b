"""SP-API usage plans: one token bucket per operation, as Amazon applies them.

A bucket holds at most `burst` tokens and starts full; every call takes one; tokens come back at
`rate` per second. `scale` multiplies the refill rate so that a test can live through a
0.0056-per-second plan in milliseconds: with `scale=100`, searchOrders refills at 0.56 per
second. The burst is never scaled.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RateLimiter", "format_rate"]


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """Token buckets keyed by operation, and a count of the calls each one refused."""

    def __init__(self, *, scale: float = 1.0, monotonic: Callable[[], float]) -> None:
        if scale <= 0:
            raise ValueError("rate_scale must be positive")
        self.scale = scale
        self._monotonic = monotonic
        self._buckets: dict[str, _Bucket] = {}
        self._refused: Counter[str] = Counter()
        self._lock = threading.Lock()

    def take(self, key: str, rate: float, burst: int) -> bool:
        """Take one token from `key`'s bucket; False (and counted) when it is empty."""
        now = self._monotonic()
        with self._lock:
            bucket = self._buckets.setdefault(key, _Bucket(float(burst), now))
            refill = (now - bucket.stamp) * rate * self.scale
            bucket.tokens = min(float(burst), bucket.tokens + refill)
            bucket.stamp = now
            if bucket.tokens >= 1.0 - 1e-9:  # a refill of exactly one token counts
                bucket.tokens -= 1.0
                return True
            self._refused[key] += 1
            return False

    def refused(self) -> dict[str, int]:
        """How many calls each operation answered with 429 QuotaExceeded."""
        with self._lock:
            return dict(self._refused)

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
            self._refused.clear()

    def limit_header(self, rate: float) -> str:
        """The `x-amzn-RateLimit-Limit` value: the rate in force (scaled), as a decimal string."""
        return format_rate(rate * self.scale)


def format_rate(rate: float) -> str:
    return f"{rate:.6g}" if rate < 1e6 else str(round(rate))
