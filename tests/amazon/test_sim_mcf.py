"""The simulator's Multi-Channel Fulfillment over raw HTTP: the model's rules, the prose rules,
inventory, the sandbox status hook, usage plans, faults and the `/_sim/mcf` controls."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from production.amazon.sim import Faults, SimState
from production.amazon.sim.mcf_records import McfLine
from tests.amazon.test_sim import FakeClock, Sim, errors, running

MCF = "/fba/outbound/2020-07-01"
ORDERS = f"{MCF}/fulfillmentOrders"
ADDRESS = {
    "name": "Test Buyer",
    "addressLine1": "1 Main St",
    "postalCode": "98109",
    "countryCode": "US",
}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def live(clock: FakeClock) -> Iterator[Sim]:
    state = SimState(now=clock.now, monotonic=clock.monotonic)
    state.mcf.stock("SKU-A", 5)
    state.mcf.stock("SKU-B", 0)
    with running(state) as sim:
        yield sim


def order(sfo_id: str = "ORDER-1", **changes: Any) -> dict[str, Any]:
    body = {
        "sellerFulfillmentOrderId": sfo_id,
        "displayableOrderId": sfo_id,
        "displayableOrderDate": "2026-03-01T09:30:00Z",
        "displayableOrderComment": "Thank you for your order.",
        "shippingSpeedCategory": "Standard",
        "destinationAddress": ADDRESS,
        "fulfillmentAction": "Hold",
        "items": [{"sellerSku": "SKU-A", "sellerFulfillmentOrderItemId": "1", "quantity": 1}],
    }
    body.update(changes)
    return body


def put(sim: Sim, path: str, body: Any = None) -> httpx.Response:
    return sim.http.put(path, json=body, headers=sim.headers())


def status_of(sim: Sim, sfo_id: str = "ORDER-1") -> str:
    response = sim.get(f"{ORDERS}/{sfo_id}")
    assert response.status_code == 200, response.text
    return str(response.json()["payload"]["fulfillmentOrder"]["fulfillmentOrderStatus"])


def messages(response: httpx.Response) -> list[str]:
    return [entry["message"] for entry in errors(response)]


# The model's and the prose's rules --------------------------------------------------------------


def test_create_is_validated_against_the_model(live: Sim) -> None:
    body = order("X" * 41)
    del body["destinationAddress"], body["displayableOrderComment"]
    response = live.post(ORDERS, body)
    assert response.status_code == 400
    said = messages(response)
    assert "Missing request parameter: destinationAddress." in said
    assert "Missing request parameter: displayableOrderComment." in said
    assert any("`sellerFulfillmentOrderId`" in m and "40" in m for m in said)
    bad_speed = live.post(ORDERS, order(shippingSpeedCategory="Overnight"))
    assert "Invalid request parameter `shippingSpeedCategory`" in messages(bad_speed)[0]
    assert live.state.mcf.orders() == []


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"shippingSpeedCategory": "ScheduledDelivery"}, "Hold is not valid"),
        ({"displayableOrderId": "A  B"}, "without two spaces"),
        (
            {"items": [{"sellerSku": "SKU-A", "sellerFulfillmentOrderItemId": "1", "quantity": 0}]},
            "`items[0].quantity`. Must be at least 1.",
        ),
        (
            {
                "items": [
                    {"sellerSku": "SKU-A", "sellerFulfillmentOrderItemId": "1", "quantity": 1}
                ]
                * 2
            },
            "Each item needs its own id.",
        ),
        (
            {
                "items": [
                    {"sellerSku": "SKU-A", "sellerFulfillmentOrderItemId": "1", "quantity": 251}
                ]
            },
            "At most 250 units",
        ),
        (
            {"items": [{"sellerSku": "NOPE", "sellerFulfillmentOrderItemId": "7", "quantity": 1}]},
            "The SellerSKU for Item Id: 7 is invalid.",
        ),
    ],
)
def test_create_checks_the_rules_the_model_gives_in_prose(
    live: Sim, changes: dict[str, Any], said: str
) -> None:
    response = live.post(ORDERS, order(**changes))
    assert response.status_code == 400 and said in messages(response)[0]
    assert errors(response)[0]["code"] == "InvalidInput"


def test_an_order_short_of_stock_is_created_invalid(live: Sim) -> None:
    items = [{"sellerSku": "SKU-B", "sellerFulfillmentOrderItemId": "1", "quantity": 1}]
    assert live.post(ORDERS, order(items=items)).status_code == 200
    assert status_of(live) == "Invalid"
    item = live.get(f"{ORDERS}/ORDER-1").json()["payload"]["fulfillmentOrderItems"][0]
    assert item["unfulfillableQuantity"] == 1


def test_a_ship_order_goes_straight_to_planning_and_cannot_be_held(live: Sim) -> None:
    assert live.post(ORDERS, order(fulfillmentAction="Ship")).status_code == 200
    assert status_of(live) == "Planning"
    refused = put(live, f"{ORDERS}/ORDER-1", {"fulfillmentAction": "Hold"})
    assert "cannot be put on hold" in messages(refused)[0]


def test_create_without_an_action_ships_as_amazon_defaults(live: Sim) -> None:
    body = order()
    del body["fulfillmentAction"]
    live.post(ORDERS, body)
    payload = live.get(f"{ORDERS}/ORDER-1").json()["payload"]["fulfillmentOrder"]
    assert (payload["fulfillmentAction"], payload["fulfillmentOrderStatus"]) == ("Ship", "Planning")


def test_update_changes_a_received_order_only(live: Sim) -> None:
    live.post(ORDERS, order())
    assert put(live, f"{ORDERS}/ORDER-1", {"displayableOrderComment": "Gift"}).status_code == 200
    header = live.get(f"{ORDERS}/ORDER-1").json()["payload"]["fulfillmentOrder"]
    assert header["displayableOrderComment"] == "Gift"
    put(live, f"{ORDERS}/ORDER-1", {"fulfillmentAction": "Ship"})
    late = put(live, f"{ORDERS}/ORDER-1", {"displayableOrderComment": "Other"})
    assert "only an order that is still Received can be changed" in messages(late)[0]
    items = put(
        live, f"{ORDERS}/ORDER-1", {"items": [{"sellerFulfillmentOrderItemId": "1", "quantity": 2}]}
    )
    assert "does not change the items" in messages(items)[0]


def test_unknown_orders_and_packages_are_not_found(live: Sim) -> None:
    for response in (
        live.get(f"{ORDERS}/NOPE"),
        put(live, f"{ORDERS}/NOPE/cancel"),
        put(live, f"{ORDERS}/NOPE", {"fulfillmentAction": "Ship"}),
        put(live, f"{ORDERS}/NOPE/status", {"fulfillmentOrderStatus": "Complete"}),
        live.get(f"{MCF}/tracking", packageNumber="12345"),
    ):
        assert response.status_code == 404 and errors(response)[0]["code"] == "NotFound"
    assert live.get(f"{MCF}/tracking", packageNumber="abc").status_code == 400
    assert live.get(ORDERS, nextToken="forged").status_code == 400


# Inventory and the sandbox's status update --------------------------------------------------------


def test_open_orders_reserve_units_and_complete_ones_use_them_up(live: Sim) -> None:
    live.post(ORDERS, order("ORDER-1"))
    live.post(ORDERS, order("ORDER-2"))
    assert live.state.mcf.inventory()["SKU-A"] == {"sellable": 5, "reserved": 2, "available": 3}
    put(live, f"{ORDERS}/ORDER-1/cancel")
    put(live, f"{ORDERS}/ORDER-2/status", {"fulfillmentOrderStatus": "Complete"})
    assert live.state.mcf.inventory()["SKU-A"] == {"sellable": 4, "reserved": 0, "available": 4}


def test_the_status_update_moves_forward_only(live: Sim) -> None:
    live.post(ORDERS, order())
    assert (
        put(live, f"{ORDERS}/ORDER-1/status", {"fulfillmentOrderStatus": "Processing"}).status_code
        == 200
    )
    back = put(live, f"{ORDERS}/ORDER-1/status", {"fulfillmentOrderStatus": "Received"})
    assert "cannot go back to Received" in messages(back)[0]
    assert "Missing request parameter" in messages(put(live, f"{ORDERS}/ORDER-1/status", {}))[0]
    put(live, f"{ORDERS}/ORDER-1/status", {"fulfillmentOrderStatus": "Unfulfillable"})
    final = put(live, f"{ORDERS}/ORDER-1/status", {"fulfillmentOrderStatus": "Complete"})
    assert "can no longer change" in messages(final)[0]
    assert status_of(live) == "Unfulfillable"


def test_complete_partialled_ships_half_and_cancels_the_rest() -> None:
    clock = FakeClock()
    state = SimState(now=clock.now, monotonic=clock.monotonic)
    state.mcf.stock("SKU-A", 10)
    with running(state) as sim:
        items = [{"sellerSku": "SKU-A", "sellerFulfillmentOrderItemId": "1", "quantity": 4}]
        sim.post(ORDERS, order(items=items))
        put(sim, f"{ORDERS}/ORDER-1/status", {"fulfillmentOrderStatus": "CompletePartialled"})
        payload = sim.get(f"{ORDERS}/ORDER-1").json()["payload"]
    assert payload["fulfillmentOrderItems"][0]["cancelledQuantity"] == 2
    (shipment,) = payload["fulfillmentShipments"]
    assert shipment["fulfillmentShipmentItem"][0]["quantity"] == 2
    assert state.mcf.inventory()["SKU-A"]["sellable"] == 8


def test_tracking_follows_the_clock_to_delivery(live: Sim, clock: FakeClock) -> None:
    live.post(ORDERS, order())
    put(live, f"{ORDERS}/ORDER-1/status", {"fulfillmentOrderStatus": "Complete"})
    (summary,) = live.get("/_sim/mcf").json()["orders"]
    number = summary["packages"][0]["packageNumber"]
    statuses = []
    for hours in (1, 65, 10):  # arrival after 72 h; out for delivery 8 h before
        clock.advance(hours * 3600)
        live.forget_token()
        statuses.append(live.get(f"{MCF}/tracking", packageNumber=str(number)).json()["payload"])
    assert [s["currentStatus"] for s in statuses] == ["IN_TRANSIT", "OUT_FOR_DELIVERY", "DELIVERED"]
    delivered = statuses[-1]
    assert delivered["trackingEvents"][0]["eventCode"] == "EVENT_301"  # newest first
    assert set(delivered["shipToAddress"]) == {"city", "state", "country"}


def test_a_tampered_delivery_image_url_is_refused(live: Sim, clock: FakeClock) -> None:
    live.post(ORDERS, order())
    put(live, f"{ORDERS}/ORDER-1/status", {"fulfillmentOrderStatus": "Complete"})
    clock.advance(4 * 86400)
    live.forget_token()
    package = live.get(f"{ORDERS}/ORDER-1").json()["payload"]["fulfillmentShipments"][0]
    url = package["fulfillmentShipmentPackage"][0]["deliveryInformation"]["deliveryDocumentList"][
        0
    ]["url"]
    assert httpx.get(url).status_code == 200
    assert httpx.get(url.replace("Signature=", "Signature=0")).status_code == 403


# Usage plans, faults, controls ------------------------------------------------------------------


def test_mcf_calls_get_the_models_burst_of_thirty(live: Sim) -> None:
    live.post(ORDERS, order())
    answers = [live.get(f"{ORDERS}/ORDER-1") for _ in range(31)]
    assert [a.status_code for a in answers] == [200] * 30 + [429]  # a bucket per operation
    assert answers[0].headers["x-amzn-RateLimit-Limit"] == "2"
    for _ in range(40):  # the sandbox-only status update has no usage plan
        assert (
            put(
                live, f"{ORDERS}/ORDER-1/status", {"fulfillmentOrderStatus": "Processing"}
            ).status_code
            == 200
        )
    assert live.state.throttled() == {"fulfillmentOutbound_2020-07-01.getFulfillmentOrder": 1}


def test_faults_can_hit_mcf_operations_alone(live: Sim) -> None:
    live.state.set_faults(Faults(internal_error=1.0, operations=("createFulfillmentOrder",)))
    assert live.post(ORDERS, order()).status_code == 500
    assert (
        live.post(f"{ORDERS}/preview", {"address": ADDRESS, "items": order()["items"]}).status_code
        == 200
    )
    assert live.state.mcf.orders() == []


def test_the_controls_stock_list_and_move_mcf_orders(live: Sim) -> None:
    stocked = live.http.put("/_sim/mcf/inventory", json={"SKU-C": 3, "SKU-A": 1})
    assert stocked.json()["inventory"]["SKU-C"] == {"sellable": 3, "reserved": 0, "available": 3}
    assert live.http.put("/_sim/mcf/inventory", json={"SKU-C": -1}).status_code == 400
    live.post(ORDERS, order())
    moved = live.http.put("/_sim/mcf/orders/ORDER-1/status", json={"status": "Complete"})
    assert moved.json()["status"] == "Complete" and moved.json()["packages"]
    listing = live.http.get("/_sim/mcf").json()
    assert [o["sellerFulfillmentOrderId"] for o in listing["orders"]] == ["ORDER-1"]
    assert "address" not in str(listing).lower() and ADDRESS["name"] not in str(listing)
    live.http.post("/_sim/reset")
    assert live.http.get("/_sim/mcf").json() == {"inventory": {}, "orders": []}


def test_a_preview_lists_only_the_items_that_cannot_ship(live: Sim) -> None:
    items = [
        {"sellerSku": "SKU-A", "sellerFulfillmentOrderItemId": "a", "quantity": 5},
        {"sellerSku": "SKU-B", "sellerFulfillmentOrderItemId": "b", "quantity": 1},
    ]
    body = {
        "address": {**ADDRESS, "countryCode": "USA"},
        "items": items,
        "shippingSpeedCategories": ["Priority"],
    }
    (preview,) = live.post(f"{ORDERS}/preview", body).json()["payload"]["fulfillmentPreviews"]
    assert preview["isFulfillable"] is False
    assert preview["orderUnfulfillableReasons"] == ["InvalidDestinationAddress"]
    assert [i["sellerFulfillmentOrderItemId"] for i in preview["unfulfillablePreviewItems"]] == [
        "b"
    ]


def test_a_line_counts_its_open_units() -> None:
    assert McfLine("S", "1", 5, cancelled=1, unfulfillable=2).open == 2
