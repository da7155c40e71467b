"""Token buckets, one per SP-API operation, as Amazon applies its usage plans.

A caller takes a token before each request and waits when there is none. Waits are reserved
under the lock and slept outside it, so threads queue in order and none sleeps while holding it.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping

__all__ = ["RATES", "RateLimiter", "TokenBucket"]

# (requests per second, burst) from each operation's "Usage Plan" table in the official models;
# tests/amazon/test_client_ratelimit.py checks them against the models.
RATES: dict[str, tuple[float, int]] = {
    "searchOrders": (0.0056, 20),  # Orders 2026-01-01
    "getOrder": (0.5, 30),  # Orders 2026-01-01 (v0's getOrder has the same plan)
    "getOrders": (0.0167, 20),  # Orders v0
    "getOrderItems": (0.5, 30),
    "getOrderItemsBuyerInfo": (0.5, 30),
    "confirmShipment": (2.0, 10),
    "getOrderAddress": (0.5, 30),  # deprecated, but the one way to an MCF order's destination
    "createRestrictedDataToken": (1.0, 10),  # Tokens 2021-03-01
    "createReport": (0.0167, 15),  # Reports 2021-06-30
    "getReport": (2.0, 15),
    "getReportDocument": (0.0167, 15),
    "getFulfillmentPreview": (2.0, 30),  # Fulfillment Outbound 2020-07-01 (Multi-Channel)
    "createFulfillmentOrder": (2.0, 30),
    "updateFulfillmentOrder": (2.0, 30),
    "getFulfillmentOrder": (2.0, 30),
    "cancelFulfillmentOrder": (2.0, 30),
    "getPackageTrackingDetails": (2.0, 30),
    "listAllFulfillmentOrders": (2.0, 30),
    "getRates": (80.0, 100),  # Shipping v2
    "purchaseShipment": (80.0, 100),
    "getShipmentDocuments": (80.0, 100),
    "cancelShipment": (80.0, 100),
    "getTracking": (80.0, 100),
}


class TokenBucket:
    """`burst` tokens, refilled at `rate` per second; thread-safe."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not rate > 0 or burst < 1:
            raise ValueError(f"a token bucket needs a positive rate and burst, not {rate}/{burst}")
        self._rate = rate
        self._burst = float(burst)
        self._monotonic = monotonic
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = self._burst  # below zero: tokens promised to callers now waiting
        self._updated = monotonic()

    @property
    def rate(self) -> float:
        return self._rate

    def acquire(self) -> float:
        """Take a token, sleeping until one is there; return the seconds waited."""
        with self._lock:
            self._refill()
            self._tokens -= 1.0
            wait = -self._tokens / self._rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait

    def set_rate(self, rate: float) -> None:
        """Use the rate Amazon reports from now on (tokens earned so far keep the old rate)."""
        if not (rate > 0 and math.isfinite(rate)):
            return
        with self._lock:
            self._refill()
            self._rate = rate

    def empty(self) -> None:
        """Amazon said 429: whatever this bucket believed, there is no token left."""
        with self._lock:
            self._refill()
            self._tokens = min(self._tokens, 0.0)

    def _refill(self) -> None:
        now = self._monotonic()
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self._burst, self._tokens + elapsed * self._rate)
        self._updated = now


class RateLimiter:
    """The buckets of one selling partner and application, by operation id."""

    def __init__(
        self,
        rates: Mapping[str, tuple[float, int]] = RATES,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._buckets = {
            operation: TokenBucket(rate, burst, monotonic=monotonic, sleep=sleep)
            for operation, (rate, burst) in rates.items()
        }

    def bucket(self, operation: str) -> TokenBucket:
        try:
            return self._buckets[operation]
        except KeyError:
            raise KeyError(f"no usage plan for the operation {operation!r}") from None

    def acquire(self, operation: str) -> float:
        return self.bucket(operation).acquire()

    def observe(self, operation: str, *, status: int, rate_header: str | None) -> None:
        """Learn from a response: the `x-amzn-RateLimit-Limit` rate, or a 429."""
        bucket = self.bucket(operation)
        rate = _rate(rate_header)
        if rate is not None:
            bucket.set_rate(rate)
        if status == 429:
            bucket.empty()


def _rate(header: str | None) -> float | None:
    """A garbled header must not fail a good response: it is ignored, the known rate kept."""
    try:
        return float(header) if header else None
    except ValueError:
        return None
