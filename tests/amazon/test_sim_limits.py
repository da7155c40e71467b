"""The simulator's usage plans (token buckets from the models) and its fault switches."""

from __future__ import annotations

import json
import time
from contextlib import AbstractContextManager

import httpx
import pytest

from production.amazon.sim import DEFAULT_MARKETPLACE, Faults, SimState
from production.amazon.sim.spec import operations
from tests.amazon.test_sim import (
    ITEMS_RDT_PATH,
    RDT,
    SEARCH,
    V0,
    FakeClock,
    Sim,
    errors,
    lwa,
    package,
    running,
    shared,
    sim,
    zip_of,
)

__all__ = ["shared", "sim"]  # fixtures shared with test_sim

SINCE = "2020-01-01T00:00:00Z"
QUOTA = {
    "errors": [
        {"code": "QuotaExceeded", "message": "You exceeded your quota for the requested resource."}
    ]
}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def timed_sim(clock: FakeClock, *, rate_scale: float = 1.0) -> AbstractContextManager[Sim]:
    state = SimState(now=clock.now, monotonic=clock.monotonic, rate_scale=rate_scale)
    return running(state)


# Usage plans -------------------------------------------------------------------------------------


def test_usage_plans_are_read_from_the_models() -> None:
    plans = {op.key: (op.rate, op.burst) for op in operations()}
    assert plans["orders_2026-01-01.searchOrders"] == (0.0056, 20)
    assert plans["orders_2026-01-01.getOrder"] == (0.5, 30)
    assert plans["ordersV0.getOrders"] == (0.0167, 20)
    assert plans["ordersV0.getOrderItems"] == (0.5, 30)
    assert plans["ordersV0.confirmShipment"] == (2.0, 10)
    assert plans["reports_2021-06-30.createReport"] == (0.0167, 15)
    assert plans["reports_2021-06-30.getReport"] == (2.0, 15)
    assert plans["reports_2021-06-30.getReportDocument"] == (0.0167, 15)
    assert plans["tokens_2021-03-01.createRestrictedDataToken"] == (1.0, 10)


def test_quota_allows_the_burst_then_429_and_refills_at_the_model_rate(clock: FakeClock) -> None:
    with timed_sim(clock) as live:
        body = {"restrictedResources": [{"method": "GET", "path": ITEMS_RDT_PATH}]}
        assert [live.post(RDT, body).status_code for _ in range(10)] == [200] * 10
        refused = live.post(RDT, body)
        assert refused.status_code == 429
        assert refused.json() == QUOTA
        assert refused.headers["x-amzn-RequestId"]
        assert "x-amzn-RateLimit-Limit" not in refused.headers
        clock.advance(0.9)
        assert live.post(RDT, body).status_code == 429
        clock.advance(0.1)  # one second at 1 per second: one token
        assert live.post(RDT, body).status_code == 200
        assert live.post(RDT, body).status_code == 429
        assert live.state.throttled() == {"tokens_2021-03-01.createRestrictedDataToken": 3}
        assert live.http.get("/_sim/throttled").json()["throttled"] == live.state.throttled()
        # Every operation has its own bucket.
        assert live.get(SEARCH, lastUpdatedAfter=SINCE).status_code == 200
        # getOrders: 20 at once, then one every 1/0.0167 s.
        query = {"MarketplaceIds": DEFAULT_MARKETPLACE, "CreatedAfter": SINCE}
        assert {live.get(V0, **query).status_code for _ in range(20)} == {200}
        assert live.get(V0, **query).status_code == 429
        clock.advance(59.8)
        assert live.get(V0, **query).status_code == 429
        clock.advance(0.1)
        assert live.get(V0, **query).status_code == 200


def test_rate_scale_speeds_up_the_refill_only(clock: FakeClock) -> None:
    with timed_sim(clock, rate_scale=100) as live:
        statuses = [live.get(SEARCH, lastUpdatedAfter=SINCE).status_code for _ in range(21)]
        assert statuses == [200] * 20 + [429]  # the burst is the model's
        clock.advance(1 / (0.0056 * 100))
        response = live.get(SEARCH, lastUpdatedAfter=SINCE)
        assert response.status_code == 200
        assert response.headers["x-amzn-RateLimit-Limit"] == "0.56"


def test_rate_scale_on_the_real_clock() -> None:
    with running(SimState(rate_scale=1000)) as live:  # searchOrders refills 5.6 per second
        # The burst of 20 is spent, then refused; however slow this machine is, it may only
        # have earned what the real time spent on the burst refills (5.6 calls a second).
        started, answered = time.monotonic(), 0
        while (status := live.get(SEARCH, lastUpdatedAfter=SINCE).status_code) == 200:
            answered += 1
            assert answered <= 1000, "never throttled"
        refilled = 5.6 * (time.monotonic() - started)
        assert status == 429 and 20 <= answered <= 20 + refilled + 1
        time.sleep(0.2)  # the real clock passing is the point: it refills at least one call
        assert live.get(SEARCH, lastUpdatedAfter=SINCE).status_code == 200


# Faults ------------------------------------------------------------------------------------------


def _shipped(sim: Sim) -> tuple[str, dict[str, object]]:
    item = sim.state.add_order(_zip(1))
    return item.order_id, package("1", [(item.order_item_id, 1)])


def _zip(number: int) -> bytes:
    return zip_of("text-only", number)


def test_internal_error_and_unavailable_carry_nothing_out(sim: Sim) -> None:
    order_id, body = _shipped(sim)
    confirm = f"{V0}/{order_id}/shipmentConfirmation"
    sim.state.set_faults(Faults(internal_error=1))
    failed = sim.post(confirm, body)
    assert failed.status_code == 500
    assert errors(failed)[0]["code"] == "InternalFailure"
    sim.state.set_faults(Faults(unavailable=1))
    busy = sim.post(confirm, body)
    assert (busy.status_code, errors(busy)[0]["code"]) == (503, "ServiceUnavailable")
    assert sim.state.shipments() == []
    sim.state.set_faults(Faults())
    assert sim.post(confirm, body).status_code == 204


def test_timeout_answers_late_after_carrying_the_call_out(sim: Sim) -> None:
    order_id, body = _shipped(sim)
    sim.state.change_faults(timeout=1, timeout_seconds=0.3, operations=["confirmShipment"])
    assert sim.get(SEARCH, lastUpdatedAfter=SINCE).status_code == 200  # not this operation
    with pytest.raises(httpx.ReadTimeout):
        sim.http.post(
            f"{V0}/{order_id}/shipmentConfirmation",
            json=body,
            headers=sim.headers(),
            timeout=0.1,
        )
    assert len(sim.state.shipments()) == 1  # Amazon did it; the answer was lost
    sim.state.set_faults(Faults())
    assert sim.post(f"{V0}/{order_id}/shipmentConfirmation", body).status_code == 204
    assert len(sim.state.shipments()) == 1


def test_expired_token_fault_drops_the_token(sim: Sim) -> None:
    token = sim.access_token()
    sim.state.set_faults(Faults(expired_token=1))
    response = sim.get(SEARCH, lastUpdatedAfter=SINCE)
    assert response.status_code == 403
    assert errors(response)[0]["details"] == "The access token you provided has expired."
    sim.state.set_faults(Faults())
    assert sim.get(SEARCH, token=token, lastUpdatedAfter=SINCE).status_code == 403
    fresh = lwa(sim.http).json()["access_token"]
    assert sim.get(SEARCH, token=fresh, lastUpdatedAfter=SINCE).status_code == 200


def test_empty_customized_url_fault_hits_orders_added_after_it(sim: Sim) -> None:
    before = sim.state.add_order(_zip(1))
    sim.state.change_faults(empty_customized_url=1)
    after = sim.state.add_order(_zip(2))
    sim.state.set_faults(Faults())
    urls = {
        o["orderId"]: o["orderItems"][0]["product"]["customization"]["customizedUrl"]
        for o in sim.get(SEARCH, lastUpdatedAfter=SINCE).json()["orders"]
    }
    assert urls[before.order_id].endswith(".zip")
    assert urls[after.order_id] == ""
    rdt = sim.rdt({"method": "GET", "path": ITEMS_RDT_PATH, "dataElements": ["buyerInfo"]})
    items = sim.get(f"{V0}/{after.order_id}/orderItems", token=rdt).json()["payload"]
    assert items["OrderItems"][0]["BuyerInfo"]["BuyerCustomizedInfo"] == {"CustomizedURL": ""}


def test_truncated_json_fault_cuts_a_successful_answer(sim: Sim) -> None:
    sim.state.add_order(_zip(1))
    sim.state.change_faults(truncated_json=1)
    response = sim.get(SEARCH, lastUpdatedAfter=SINCE)
    assert response.status_code == 200
    assert len(response.content) == int(response.headers["content-length"]) > 0
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    sim.state.set_faults(Faults())
    assert sim.get(SEARCH, lastUpdatedAfter=SINCE).json()["orders"]


def test_faults_are_reproducible_with_their_seed(sim: Sim) -> None:
    def run() -> list[int]:
        sim.state.set_faults(Faults(internal_error=0.5, seed=7))
        return [sim.get(SEARCH, lastUpdatedAfter=SINCE).status_code for _ in range(12)]

    first = run()
    assert set(first) == {200, 500}
    sim.state.limiter.reset()
    assert run() == first


def test_faults_set_through_the_controls(sim: Sim) -> None:
    switched = sim.http.put(
        "/_sim/faults", json={"unavailable": 1, "operations": ["ordersV0.getOrders"]}
    )
    assert switched.status_code == 200
    assert sim.get(V0, MarketplaceIds=DEFAULT_MARKETPLACE, CreatedAfter=SINCE).status_code == 503
    assert sim.get(SEARCH, lastUpdatedAfter=SINCE).status_code == 200
    assert sim.http.put("/_sim/faults", json={"unavailable": 0}).json()["unavailable"] == 0
    assert sim.get(V0, MarketplaceIds=DEFAULT_MARKETPLACE, CreatedAfter=SINCE).status_code == 200
