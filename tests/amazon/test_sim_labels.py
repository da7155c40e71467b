"""The simulator's Shipping API v2 over raw HTTP: the model's rules, the prose rules, usage
plans, idempotency keys, the carrier's hand-over and the `/_sim/labels` controls."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from production.amazon.sim import SimState
from tests.amazon.test_sim import FakeClock, Sim, errors, running, zip_of

SHIPMENTS = "/shipping/v2/shipments"
SHIP_FROM = {
    "name": "Engrave Works",
    "addressLine1": "12 Workshop Lane",
    "city": "Portland",
    "stateOrRegion": "OR",
    "postalCode": "97201",
    "countryCode": "US",
}


@pytest.fixture
def live() -> Iterator[tuple[Sim, str, str]]:
    clock = FakeClock()
    state = SimState(now=clock.now, monotonic=clock.monotonic)
    item = state.add_order(zip_of("text-only", 1))
    with running(state) as sim:
        yield sim, item.order_id, item.order_item_id


def rates_body(order_id: str, item_id: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "shipFrom": SHIP_FROM,
        "packages": [
            {
                "packageClientReferenceId": "1",
                "weight": {"unit": "GRAM", "value": 700},
                "dimensions": {"length": 20, "width": 15, "height": 8, "unit": "CENTIMETER"},
                "insuredValue": {"value": 0, "unit": "USD"},
                "items": [{"itemIdentifier": item_id, "quantity": 1}],
            }
        ],
        "channelDetails": {"channelType": "AMAZON", "amazonOrderDetails": {"orderId": order_id}},
    }
    body.update(changes)
    return body


def purchase_body(rates: dict[str, Any], label_format: str = "PDF") -> dict[str, Any]:
    return {
        "requestToken": rates["requestToken"],
        "rateId": rates["rates"][0]["rateId"],
        "requestedDocumentSpecification": {
            "format": label_format,
            "size": {"width": 4, "length": 6, "unit": "INCH"},
            "dpi": 203,
            "needFileJoining": False,
            "requestedDocumentTypes": ["LABEL"],
        },
    }


def rates(sim: Sim, order_id: str, item_id: str) -> dict[str, Any]:
    response = sim.post(f"{SHIPMENTS}/rates", rates_body(order_id, item_id))
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()["payload"]
    return payload


def purchase(sim: Sim, body: dict[str, Any], key: str | None) -> httpx.Response:
    headers = sim.headers() | ({"x-amzn-IdempotencyKey": key} if key else {})
    return sim.http.post(SHIPMENTS, json=body, headers=headers)


def test_rates_are_validated_against_the_model(live: tuple[Sim, str, str]) -> None:
    sim, order_id, item_id = live
    body = rates_body(order_id, item_id)
    del body["shipFrom"]
    body["channelDetails"]["channelType"] = "MARKETPLACE"
    response = sim.post(f"{SHIPMENTS}/rates", body)
    assert response.status_code == 400
    said = " ".join(e["message"] for e in errors(response))
    assert "shipFrom" in said and "channelDetails.channelType" in said


def test_rates_carry_the_models_usage_plan(live: tuple[Sim, str, str]) -> None:
    sim, order_id, item_id = live
    response = sim.post(f"{SHIPMENTS}/rates", rates_body(order_id, item_id))
    assert response.status_code == 200
    assert response.headers["x-amzn-RateLimit-Limit"] == "80"


def test_an_unknown_or_canceled_order_and_two_packages_are_refused(
    live: tuple[Sim, str, str],
) -> None:
    sim, order_id, item_id = live
    unknown = sim.post(f"{SHIPMENTS}/rates", rates_body("902-0000000-0000000", item_id))
    assert unknown.status_code == 404
    body = rates_body(order_id, item_id)
    body["packages"] = body["packages"] * 2
    assert sim.post(f"{SHIPMENTS}/rates", body).status_code == 400
    sim.state.cancel(order_id)
    canceled = sim.post(f"{SHIPMENTS}/rates", rates_body(order_id, item_id))
    assert canceled.status_code == 400
    assert "Canceled" in errors(canceled)[0]["message"]


def test_a_key_reused_for_another_request_is_refused(live: tuple[Sim, str, str]) -> None:
    sim, order_id, item_id = live
    first = purchase(sim, purchase_body(rates(sim, order_id, item_id)), "key-1")
    assert first.status_code == 200, first.text
    other = purchase(sim, purchase_body(rates(sim, order_id, item_id)), "key-1")
    assert other.status_code == 400
    assert "x-amzn-IdempotencyKey" in errors(other)[0]["message"]


def test_png_and_other_sizes_are_not_among_the_supported_specs(live: tuple[Sim, str, str]) -> None:
    sim, order_id, item_id = live
    quote = rates(sim, order_id, item_id)
    assert purchase(sim, purchase_body(quote, "PNG"), "k").status_code == 400
    body = purchase_body(quote)
    body["requestedDocumentSpecification"]["size"] = {"width": 4, "length": 8, "unit": "INCH"}
    assert purchase(sim, body, "k2").status_code == 400
    assert sim.state.labels.shipments() == []


def test_the_carriers_hand_over_shows_in_tracking_and_the_controls(
    live: tuple[Sim, str, str],
) -> None:
    sim, order_id, item_id = live
    bought = purchase(sim, purchase_body(rates(sim, order_id, item_id)), "k").json()["payload"]
    shipment_id = bought["shipmentId"]
    tracking_id = bought["packageDocumentDetails"][0]["trackingId"]
    listed = sim.http.get("/_sim/labels", params={"orderId": order_id}).json()["labels"]
    assert [(entry["shipmentId"], entry["status"]) for entry in listed] == [
        (shipment_id, "Purchased")
    ]
    assert sim.http.post(f"/_sim/labels/{shipment_id}/handover").status_code == 200
    carrier = listed[0]["carrierId"]
    tracked = sim.get("/shipping/v2/tracking", trackingId=tracking_id, carrierId=carrier)
    assert tracked.json()["payload"]["summary"]["status"] == "InTransit"
    missing = sim.get("/shipping/v2/tracking", trackingId="1Z0", carrierId=carrier)
    assert missing.status_code == 404
    unknown = sim.http.put(f"{SHIPMENTS}/1/cancel", headers=sim.headers())
    assert unknown.status_code == 404
