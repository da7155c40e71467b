"""Token buckets per operation, and the rates table checked against the official models."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest

from production.amazon.ratelimit import RATES, RateLimiter, TokenBucket

HERE = Path(__file__).resolve()
ROOT = HERE.parents[2]
# The models' "Usage Plan" rows, as the models README gives the pattern.
USAGE_PLAN = re.compile(r"\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|")
# Where each operation of RATES is defined (getOrder: the 2026-01-01 one the client calls).
SOURCES = {
    "searchOrders": "orders_2026-01-01.json",
    "getOrder": "orders_2026-01-01.json",
    "getOrders": "ordersV0.json",
    "getOrderItems": "ordersV0.json",
    "getOrderItemsBuyerInfo": "ordersV0.json",
    "confirmShipment": "ordersV0.json",
    "createRestrictedDataToken": "tokens_2021-03-01.json",
    "createReport": "reports_2021-06-30.json",
    "getReport": "reports_2021-06-30.json",
    "getReportDocument": "reports_2021-06-30.json",
    "getOrderAddress": "ordersV0.json",
    **{
        operation: "fulfillmentOutbound_2020-07-01.json"
        for operation in (
            "getFulfillmentPreview",
            "createFulfillmentOrder",
            "updateFulfillmentOrder",
            "getFulfillmentOrder",
            "cancelFulfillmentOrder",
            "getPackageTrackingDetails",
            "listAllFulfillmentOrders",
        )
    },
    **{
        operation: "shippingV2.json"
        for operation in (
            "getRates",
            "purchaseShipment",
            "getShipmentDocuments",
            "cancelShipment",
            "getTracking",
        )
    },
}


def _model_folders() -> list[Path]:
    """The shared reference copy (beside the checkout) and the copy packaged for the simulator."""
    shared = [parent / "shared" / "spapi-models" for parent in HERE.parents]
    packaged = [ROOT / "production" / "amazon" / "sim" / "models"]
    return [folder for folder in (*shared, *packaged) if (folder / "ordersV0.json").is_file()]


def _usage_plans(model: Path) -> dict[str, tuple[float, int]]:
    plans: dict[str, tuple[float, int]] = {}
    for path_item in json.loads(model.read_text(encoding="utf-8"))["paths"].values():
        if path_item.get("x-amzn-api-sandbox-only"):  # no usage plan: never called in production
            continue
        for method, operation in path_item.items():
            if method.startswith("x-") or method == "parameters":
                continue
            rows = USAGE_PLAN.findall(operation.get("description", ""))
            assert len(rows) == 1, f"{operation['operationId']}: {len(rows)} usage plan rows"
            plans[operation["operationId"]] = (float(rows[0][0]), int(rows[0][1]))
    return plans


@pytest.mark.parametrize("folder", _model_folders() or [None], ids=str)
def test_rates_equal_the_usage_plans_in_the_models(folder: Path | None) -> None:
    assert folder is not None, "no SP-API models found (shared/spapi-models or sim/models)"
    from_models = {
        operation: _usage_plans(folder / model)[operation] for operation, model in SOURCES.items()
    }
    assert from_models == RATES
    # v0's getOrder shares the plan of the 2026 one, so RATES['getOrder'] fits either.
    assert _usage_plans(folder / "ordersV0.json")["getOrder"] == RATES["getOrder"]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_a_bucket_gives_its_burst_then_one_token_per_interval() -> None:
    clock = Clock()
    bucket = TokenBucket(0.5, 3, monotonic=clock.monotonic, sleep=clock.sleep)
    waits = [bucket.acquire() for _ in range(6)]
    assert waits == [0.0, 0.0, 0.0, 2.0, 2.0, 2.0]
    assert clock.now == pytest.approx(106.0)


def test_a_bucket_refills_while_idle_but_never_past_its_burst() -> None:
    clock = Clock()
    bucket = TokenBucket(1.0, 2, monotonic=clock.monotonic, sleep=clock.sleep)
    bucket.acquire()
    bucket.acquire()
    clock.now += 1000.0
    assert [bucket.acquire() for _ in range(3)] == [0.0, 0.0, 1.0]


def test_a_new_rate_applies_from_the_moment_it_is_learnt() -> None:
    clock = Clock()
    bucket = TokenBucket(0.5, 1, monotonic=clock.monotonic, sleep=clock.sleep)
    bucket.acquire()
    bucket.set_rate(4.0)
    assert bucket.acquire() == pytest.approx(0.25)
    for nonsense in (0.0, -1.0, float("nan"), float("inf")):
        bucket.set_rate(nonsense)
    assert bucket.rate == 4.0


def test_a_429_empties_the_bucket() -> None:
    clock = Clock()
    limiter = RateLimiter({"op": (0.5, 10)}, monotonic=clock.monotonic, sleep=clock.sleep)
    limiter.acquire("op")
    limiter.observe("op", status=429, rate_header=None)
    assert limiter.acquire("op") == pytest.approx(2.0)


def test_the_rate_header_updates_the_bucket_and_garbage_is_ignored() -> None:
    clock = Clock()
    limiter = RateLimiter({"op": (0.5, 1)}, monotonic=clock.monotonic, sleep=clock.sleep)
    limiter.observe("op", status=200, rate_header="2.0")
    assert limiter.bucket("op").rate == 2.0
    limiter.observe("op", status=200, rate_header="fast")
    limiter.observe("op", status=200, rate_header="")
    assert limiter.bucket("op").rate == 2.0


def test_an_operation_without_a_usage_plan_is_a_programming_error() -> None:
    with pytest.raises(KeyError, match="noSuchOperation"):
        RateLimiter().acquire("noSuchOperation")


def test_threads_queue_for_tokens_one_interval_apart() -> None:
    clock = Clock()
    slept: list[float] = []
    lock = threading.Lock()

    def sleep(seconds: float) -> None:  # the clock stands still: waits are reservations
        with lock:
            slept.append(seconds)

    bucket = TokenBucket(1.0, 4, monotonic=clock.monotonic, sleep=sleep)
    threads = [threading.Thread(target=bucket.acquire) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(slept) == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
