"""The SP-API simulator over real HTTP on loopback: auth, orders, the CustomizedURL trap, shipping.

Shared helpers (`FakeClock`, `Sim`, `start`) are imported by the other `test_sim_*` modules.
"""

from __future__ import annotations

import hashlib
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

import production.amazon.sim as sim_package
from production.amazon.sim import (
    DEFAULT_CREDENTIALS,
    DEFAULT_MARKETPLACE,
    SimError,
    SimServer,
    SimState,
    renumbered,
    serve,
)
from production.amazon.sim.spec import MODEL_FILES, load_model
from production.customization.samples import SAMPLES_DIR

SEARCH = "/orders/2026-01-01/orders"
V0 = "/orders/v0/orders"
RDT = "/tokens/2021-03-01/restrictedDataToken"
ITEMS_RDT_PATH = "/orders/v0/orders/{orderId}/orderItems"
SAMPLE_NAMES = ("text-only", "photo-text", "options-only", "two-surfaces", "seller-font")


class FakeClock:
    """Wall clock and monotonic clock of the simulator, wound by hand."""

    def __init__(self) -> None:
        self.wall = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
        self.mono = 1000.0

    def now(self) -> datetime:
        return self.wall

    def monotonic(self) -> float:
        return self.mono

    def advance(self, seconds: float) -> None:
        self.wall += timedelta(seconds=seconds)
        self.mono += seconds


@dataclass
class Sim:
    server: SimServer
    http: httpx.Client
    state: SimState
    _token: str | None = field(default=None)

    def access_token(self) -> str:
        if self._token is None:
            self._token = lwa(self.http).json()["access_token"]
        return self._token

    def forget_token(self) -> None:
        self._token = None

    def headers(self, token: str | None = None) -> dict[str, str]:
        return {"x-amz-access-token": token or self.access_token()}

    def get(self, path: str, token: str | None = None, **params: Any) -> httpx.Response:
        return self.http.get(path, params=params, headers=self.headers(token))

    def post(self, path: str, body: Any, token: str | None = None) -> httpx.Response:
        return self.http.post(path, json=body, headers=self.headers(token))

    def rdt(self, *resources: dict[str, Any]) -> str:
        response = self.post(RDT, {"restrictedResources": list(resources)})
        assert response.status_code == 200, response.text
        return str(response.json()["restrictedDataToken"])

    def add(self, number: int, name: str = "text-only", **kwargs: Any) -> str:
        """Add an order made from a sample zip; returns its order id."""
        return self.state.add_order(zip_of(name, number, **kwargs)).order_id


def zip_of(name: str, number: int, *, order_id: str | None = None) -> bytes:
    return renumbered((SAMPLES_DIR / f"{name}.zip").read_bytes(), number, order_id=order_id)


def lwa(http: httpx.Client, **changes: str) -> httpx.Response:
    form = {
        "grant_type": "refresh_token",
        "refresh_token": DEFAULT_CREDENTIALS.refresh_token,
        "client_id": DEFAULT_CREDENTIALS.client_id,
        "client_secret": DEFAULT_CREDENTIALS.client_secret,
        **changes,
    }
    return http.post("/auth/o2/token", data=form)


def start(state: SimState) -> Iterator[Sim]:
    with serve(state) as server, httpx.Client(base_url=server.base_url, timeout=10) as http:
        yield Sim(server, http, state)


running = contextmanager(start)
"""`with running(SimState(...)) as live:` a simulator of its own for one test."""


def errors(response: httpx.Response) -> list[dict[str, Any]]:
    return list(response.json()["errors"])


def package(
    reference: str = "1", items: list[tuple[str, int]] | None = None, **extra: Any
) -> dict[str, Any]:
    detail = {
        "packageReferenceId": reference,
        "carrierCode": "USPS",
        "trackingNumber": "9400111899223197428490",
        "shipDate": "2026-03-02T11:00:00Z",
        "orderItems": [{"orderItemId": i, "quantity": q} for i, q in items or []],
        **extra,
    }
    return {"marketplaceId": DEFAULT_MARKETPLACE, "packageDetail": detail}


@pytest.fixture(scope="module")
def shared() -> Iterator[Sim]:
    """One simulator per module with Amazon's defaults (starting one takes a tenth of a second)."""
    yield from start(SimState())


@pytest.fixture
def sim(shared: Sim) -> Sim:
    """The module's simulator, emptied: no orders, tokens, faults; full buckets."""
    shared.state.reset()
    shared.forget_token()
    return shared


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def timed(clock: FakeClock) -> Iterator[Sim]:
    """A simulator on the fake clock."""
    yield from start(SimState(now=clock.now, monotonic=clock.monotonic))


# Login with Amazon and tokens ------------------------------------------------------------------


def test_lwa_gives_a_bearer_token_for_the_refresh_token(sim: Sim) -> None:
    response = lwa(sim.http)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["access_token"].startswith("Atza|")
    assert sim.get(f"{V0}/unknown-order", token=body["access_token"]).status_code == 404


def test_lwa_refuses_a_bad_refresh_token_client_or_grant(sim: Sim) -> None:
    bad_grant = lwa(sim.http, refresh_token="Atzr|stolen")
    assert bad_grant.status_code == 400
    assert bad_grant.json()["error"] == "invalid_grant"
    assert "refresh_token" in bad_grant.json()["error_description"]
    bad_client = lwa(sim.http, client_secret="guess")
    assert (bad_client.status_code, bad_client.json()["error"]) == (401, "invalid_client")
    other = lwa(sim.http, grant_type="password")
    assert (other.status_code, other.json()["error"]) == (400, "unsupported_grant_type")


def test_calls_need_a_valid_unexpired_access_token(timed: Sim, clock: FakeClock) -> None:
    missing = timed.http.get(f"{V0}/x")
    assert missing.status_code == 403
    assert errors(missing)[0]["code"] == "Unauthorized"
    assert errors(missing)[0]["message"] == "Access to requested resource is denied."
    forged = timed.get(f"{V0}/x", token="Atza|forged")
    assert forged.status_code == 403
    assert "revoked, malformed or invalid" in errors(forged)[0]["details"]
    token = timed.access_token()
    clock.advance(3600)
    expired = timed.get(f"{V0}/x", token=token)
    assert expired.status_code == 403
    assert errors(expired)[0] == {
        "code": "Unauthorized",
        "message": "Access to requested resource is denied.",
        "details": "The access token you provided has expired.",
    }


def test_every_response_carries_a_request_id_and_successes_the_rate(sim: Sim) -> None:
    sim.add(1)
    responses = [
        lwa(sim.http),
        sim.http.get("/no/such/path"),
        sim.get(SEARCH, lastUpdatedAfter="2020-01-01T00:00:00Z"),
        sim.get(V0, MarketplaceIds=DEFAULT_MARKETPLACE),  # 400: no date
        sim.http.get("/_sim/orders"),
    ]
    ids = [r.headers["x-amzn-RequestId"] for r in responses]
    assert len(set(ids)) == len(ids) and all(ids)
    assert responses[2].headers["x-amzn-RateLimit-Limit"] == "0.0056"
    assert "x-amzn-RateLimit-Limit" not in responses[3].headers


def test_rdt_opens_only_the_paths_it_names(sim: Sim) -> None:
    order_id = sim.add(1)
    response = sim.post(
        RDT,
        {
            "restrictedResources": [
                {"method": "GET", "path": ITEMS_RDT_PATH, "dataElements": ["buyerInfo"]}
            ]
        },
    )
    assert response.status_code == 200
    assert response.json()["expiresIn"] == 3600
    rdt = response.json()["restrictedDataToken"]
    assert sim.get(f"{V0}/{order_id}/orderItems", token=rdt).status_code == 200
    elsewhere = sim.get(f"{V0}/{order_id}", token=rdt)
    assert elsewhere.status_code == 403
    assert errors(elsewhere)[0]["code"] == "Unauthorized"
    unknown = sim.post(RDT, {"restrictedResources": [{"method": "GET", "path": "/nowhere"}]})
    assert unknown.status_code == 400
    bad_element = sim.post(
        RDT,
        {"restrictedResources": [{"method": "GET", "path": V0, "dataElements": ["everything"]}]},
    )
    assert bad_element.status_code == 400
    assert "dataElements" in errors(bad_element)[0]["message"]


# Orders 2026-01-01 -----------------------------------------------------------------------------


def test_search_orders_pages_with_tokens_that_need_encoding(sim: Sim) -> None:
    added = {sim.add(n, SAMPLE_NAMES[n % len(SAMPLE_NAMES)]) for n in range(1, 8)}
    seen: list[str] = []
    tokens: list[str] = []
    params: dict[str, Any] = {"lastUpdatedAfter": "2020-01-01T00:00:00Z", "maxResultsPerPage": 3}
    while True:
        response = sim.get(SEARCH, **params)
        assert response.status_code == 200, response.text
        body = response.json()
        seen += [o["orderId"] for o in body["orders"]]
        token = body.get("pagination", {}).get("nextToken")
        if token is None:
            break
        tokens.append(token)
        params = {"paginationToken": token}
    assert sorted(seen) == sorted(added) and len(seen) == 7
    assert len(tokens) == 2
    assert all(c in token for token in tokens for c in "+/=")
    # The trap: a token pasted into the URL by hand loses its '+' (read back as a space).
    by_hand = sim.http.get(f"{SEARCH}?paginationToken={tokens[0]}", headers=sim.headers())
    assert by_hand.status_code == 400
    assert "`paginationToken`" in errors(by_hand)[0]["message"]


def test_search_orders_shape_and_filters(sim: Sim) -> None:
    first = sim.add(1, "photo-text")
    second = sim.add(2, "options-only")
    sim.state.cancel(second)
    unshipped = sim.get(
        SEARCH,
        lastUpdatedAfter="2020-01-01T00:00:00Z",
        fulfillmentStatuses="UNSHIPPED",
        fulfilledBy="MERCHANT",
        marketplaceIds=DEFAULT_MARKETPLACE,
        includedData="FULFILLMENT",
    ).json()
    [order] = unshipped["orders"]
    assert order["orderId"] == first
    [item] = order["orderItems"]
    assert re.fullmatch(r"8\d{13}", item["orderItemId"])
    assert item["quantityOrdered"] == 1
    assert item["product"]["asin"] == "B0SAMPLE03"
    assert "sellerSku" not in item["product"]
    url = item["product"]["customization"]["customizedUrl"]
    assert url.startswith(sim.server.base_url + "/downloads/") and url.endswith(".zip")
    assert order["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
    assert item["fulfillment"] == {"quantityFulfilled": 0, "quantityUnfulfilled": 1}
    assert "lastUpdatedBefore" in unshipped
    cancelled = sim.get(
        SEARCH, createdAfter="2020-01-01T00:00:00Z", fulfillmentStatuses="CANCELLED"
    ).json()
    assert [o["orderId"] for o in cancelled["orders"]] == [second]
    assert "fulfillment" not in cancelled["orders"][0]  # includedData leaves it out
    elsewhere = sim.get(
        SEARCH, createdAfter="2020-01-01T00:00:00Z", marketplaceIds="A1PA6795UKMFR9"
    )
    assert elsewhere.json()["orders"] == []


def test_search_orders_date_rules_from_the_model(sim: Sim) -> None:
    recent = (datetime.now(UTC) - timedelta(seconds=30)).isoformat()
    cases = {
        "exactly one of": {},
        "`lastUpdatedBefore` cannot": {
            "createdAfter": "2026-01-01T00:00:00Z",
            "lastUpdatedBefore": "2026-01-02T00:00:00Z",
        },
        "two minutes": {"lastUpdatedAfter": "2026-01-01T00:00:00Z", "lastUpdatedBefore": recent},
        "equal to or after": {
            "createdAfter": "2026-01-02T00:00:00Z",
            "createdBefore": "2026-01-01T00:00:00Z",
        },
    }
    for expected, params in cases.items():
        response = sim.get(SEARCH, **params)
        assert response.status_code == 400, params
        assert expected.lower() in errors(response)[0]["message"].lower()


def test_orders_reach_searches_only_after_the_visibility_delay(clock: FakeClock) -> None:
    state = SimState(visibility_delay=120, now=clock.now, monotonic=clock.monotonic)
    with running(state) as sim:
        order_id = sim.add(1)
        query = {"lastUpdatedAfter": "2026-03-02T11:00:00Z"}
        early = sim.get(SEARCH, **query).json()
        assert early["orders"] == []
        assert early["lastUpdatedBefore"] == "2026-03-02T11:58:00.000Z"
        assert sim.get(f"{SEARCH}/{order_id}").status_code == 200  # direct reads see it
        clock.advance(119)
        assert sim.get(SEARCH, **query).json()["orders"] == []
        clock.advance(1)
        assert [o["orderId"] for o in sim.get(SEARCH, **query).json()["orders"]] == [order_id]
        state.cancel(order_id)  # the change shows late too: the old version meanwhile
        shown = sim.get(SEARCH, includedData="FULFILLMENT", **query).json()["orders"]
        assert shown[0]["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
        clock.advance(120)
        shown = sim.get(SEARCH, includedData="FULFILLMENT", **query).json()["orders"]
        assert shown[0]["fulfillment"]["fulfillmentStatus"] == "CANCELLED"


def test_get_order_2026(sim: Sim) -> None:
    order_id = sim.add(1, "two-surfaces")
    response = sim.get(f"{SEARCH}/{order_id}", includedData="FULFILLMENT,BUYER")
    order = response.json()["order"]
    assert order["orderId"] == order_id
    assert order["salesChannel"]["marketplaceId"] == DEFAULT_MARKETPLACE
    assert order["buyer"]["buyerEmail"].endswith("@marketplace.amazon.com")
    assert response.headers["x-amzn-RateLimit-Limit"] == "0.5"
    missing = sim.get(f"{SEARCH}/901-9999999-9999999")
    assert missing.status_code == 404
    assert errors(missing)[0]["code"] == "NotFound"


# Orders v0 ---------------------------------------------------------------------------------------


def test_v0_customized_url_only_with_an_rdt_for_buyer_info(sim: Sim) -> None:
    order_id = sim.add(3, "photo-text")
    items_path = f"{V0}/{order_id}/orderItems"
    plain = sim.get(items_path).json()["payload"]
    assert plain["AmazonOrderId"] == order_id
    [item] = plain["OrderItems"]
    assert item["ASIN"] == "B0SAMPLE03" and item["QuantityOrdered"] == 1
    assert "SellerSKU" not in item
    assert item["BuyerInfo"] == {}  # the trap: no RDT, no CustomizedURL
    no_elements = sim.rdt({"method": "GET", "path": ITEMS_RDT_PATH})
    assert (
        sim.get(items_path, token=no_elements).json()["payload"]["OrderItems"][0]["BuyerInfo"] == {}
    )
    rdt = sim.rdt({"method": "GET", "path": ITEMS_RDT_PATH, "dataElements": ["buyerInfo"]})
    [item] = sim.get(items_path, token=rdt).json()["payload"]["OrderItems"]
    url = item["BuyerInfo"]["BuyerCustomizedInfo"]["CustomizedURL"]
    assert url.startswith(sim.server.base_url + "/downloads/")
    assert sim.http.get(url).content == zip_of("photo-text", 3)
    concrete = sim.rdt({"method": "GET", "path": items_path, "dataElements": ["buyerInfo"]})
    assert sim.get(items_path, token=concrete).json() == sim.get(items_path, token=rdt).json()
    buyer_info_path = f"{V0}/{order_id}/orderItems/buyerInfo"
    assert sim.get(buyer_info_path).status_code == 403
    opened = sim.rdt({"method": "GET", "path": "/orders/v0/orders/{orderId}/orderItems/buyerInfo"})
    [entry] = sim.get(buyer_info_path, token=opened).json()["payload"]["OrderItems"]
    assert entry["BuyerCustomizedInfo"]["CustomizedURL"] == url


def test_v0_get_orders_pascal_case_and_next_token(sim: Sim) -> None:
    added = [sim.add(n) for n in range(1, 4)]
    no_marketplace = sim.get(V0, CreatedAfter="2020-01-01T00:00:00Z")
    assert no_marketplace.status_code == 400
    assert "MarketplaceIds" in errors(no_marketplace)[0]["message"]
    query: dict[str, Any] = {
        "MarketplaceIds": DEFAULT_MARKETPLACE,
        "LastUpdatedAfter": "2020-01-01T00:00:00Z",
        "OrderStatuses": "Unshipped,PartiallyShipped",
        "FulfillmentChannels": "MFN",
        "MaxResultsPerPage": 2,
    }
    first = sim.get(V0, **query).json()["payload"]
    assert len(first["Orders"]) == 2 and "LastUpdatedBefore" in first
    second = sim.get(V0, MarketplaceIds=DEFAULT_MARKETPLACE, NextToken=first["NextToken"])
    payload = second.json()["payload"]
    assert "NextToken" not in payload
    orders = first["Orders"] + payload["Orders"]
    assert [o["AmazonOrderId"] for o in orders] == added
    assert all(o["OrderStatus"] == "Unshipped" and o["BuyerInfo"] == {} for o in orders)
    bad = sim.get(V0, **{**query, "OrderStatuses": "Lost"})
    assert bad.status_code == 400 and "`OrderStatuses`" in errors(bad)[0]["message"]


def test_zip_download_is_byte_identical(sim: Sim) -> None:
    data = zip_of("two-surfaces", 5)
    item = sim.state.add_order(data)
    order = sim.get(f"{SEARCH}/{item.order_id}").json()["order"]
    url = order["orderItems"][0]["product"]["customization"]["customizedUrl"]
    download = sim.http.get(url)  # no token: the URL is the capability
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    assert download.content == data
    assert sim.http.get("/downloads/nothing-here.zip").status_code == 404


# confirmShipment ---------------------------------------------------------------------------------


def _confirm(sim: Sim, order_id: str, body: dict[str, Any]) -> httpx.Response:
    return sim.post(f"{V0}/{order_id}/shipmentConfirmation", body)


def _item_ids(sim: Sim, order_id: str) -> list[str]:
    order = sim.state.order(order_id)
    assert order is not None
    return [i.order_item_id for i in order.items]


def test_confirm_shipment_ships_the_order(sim: Sim) -> None:
    order_id = sim.add(1)
    [item_id] = _item_ids(sim, order_id)
    before = sim.get(f"{SEARCH}/{order_id}").json()["order"]["lastUpdatedTime"]
    response = _confirm(sim, order_id, package("1", [(item_id, 1)], carrierName="USPS"))
    assert response.status_code == 204 and response.content == b""
    assert response.headers["x-amzn-RateLimit-Limit"] == "2"
    assert sim.get(f"{V0}/{order_id}").json()["payload"]["OrderStatus"] == "Shipped"
    order = sim.get(f"{SEARCH}/{order_id}", includedData="FULFILLMENT,PACKAGES").json()["order"]
    assert order["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert order["lastUpdatedTime"] > before
    assert order["packages"][0]["trackingNumber"] == "9400111899223197428490"
    [shipment] = sim.state.shipments()
    assert (shipment.order_id, shipment.package.package_reference_id) == (order_id, "1")
    assert shipment.package.items == ((item_id, 1),)
    assert (shipment.package.carrier_code, shipment.package.carrier_name) == ("USPS", "USPS")


def test_confirm_shipment_repeat_is_idempotent(sim: Sim) -> None:
    order_id = sim.add(1)
    [item_id] = _item_ids(sim, order_id)
    body = package("7", [(item_id, 1)])
    assert _confirm(sim, order_id, body).status_code == 204
    stamp = sim.get(f"{SEARCH}/{order_id}").json()["order"]["lastUpdatedTime"]
    body["packageDetail"]["shipDate"] = "2026-03-02T11:30:00Z"  # a retry may restamp
    assert _confirm(sim, order_id, body).status_code == 204
    assert len(sim.state.shipments()) == 1
    assert sim.get(f"{SEARCH}/{order_id}").json()["order"]["lastUpdatedTime"] == stamp


@pytest.fixture
def fast() -> Iterator[Sim]:
    """A simulator whose quotas refill a thousand times faster than Amazon's."""
    yield from start(SimState(rate_scale=1000))


def test_confirm_shipment_rejections_say_why(fast: Sim) -> None:
    sim = fast
    order_id = sim.add(1)
    [item_id] = _item_ids(sim, order_id)

    def rejected(
        body: dict[str, Any], *words: str, order: str = order_id, status: int = 400
    ) -> None:
        response = _confirm(sim, order, body)
        assert response.status_code == status, response.text
        message = " ".join(e["message"] for e in errors(response))
        assert all(w in message for w in words), message

    rejected(package("1", [("99999999999999", 1)]), "99999999999999", "not part of order")
    rejected(package("1", [(item_id, 2)]), "Quantity 2", "more than the 1 still to ship")
    rejected(package("A-1", [(item_id, 1)]), "`packageDetail.packageReferenceId`", "numeric")
    rejected(package("0", [(item_id, 1)]), "`packageDetail.packageReferenceId`")
    no_tracking = package("1", [(item_id, 1)])
    del no_tracking["packageDetail"]["trackingNumber"]
    rejected(no_tracking, "packageDetail.trackingNumber")
    rejected(package("1", [(item_id, 1)], shipDate="03/02/2026"), "`packageDetail.shipDate`")
    rejected(package("1", [(item_id, 1)], carrierCode="Other"), "carrierName")
    rejected(package("1", [(item_id, 1)]), "not found", order="901-9999999-9999999", status=404)
    assert _confirm(sim, order_id, package("1", [(item_id, 1)])).status_code == 204
    rejected(package("1", [(item_id, 1)], trackingNumber="OTHER"), "already confirmed")
    rejected(package("2", [(item_id, 1)]), "already been shipped")
    canceled = sim.add(2)
    sim.state.cancel(canceled)
    [canceled_item] = _item_ids(sim, canceled)
    rejected(package("1", [(canceled_item, 1)]), "canceled", order=canceled)
    assert len(sim.state.shipments()) == 1


def test_partial_shipments_of_a_two_item_order(sim: Sim) -> None:
    order_id = "901-0004242-0004242"
    first = sim.state.add_order(zip_of("text-only", 11, order_id=order_id))
    second = sim.state.add_order(zip_of("photo-text", 12, order_id=order_id))
    assert first.order_id == second.order_id == order_id
    order = sim.get(f"{SEARCH}/{order_id}").json()["order"]
    assert [i["orderItemId"] for i in order["orderItems"]] == [
        first.order_item_id,
        second.order_item_id,
    ]
    assert _confirm(sim, order_id, package("1", [(first.order_item_id, 1)])).status_code == 204
    assert sim.get(f"{V0}/{order_id}").json()["payload"]["OrderStatus"] == "PartiallyShipped"
    assert _confirm(sim, order_id, package("2", [(second.order_item_id, 1)])).status_code == 204
    payload = sim.get(f"{V0}/{order_id}").json()["payload"]
    assert (payload["OrderStatus"], payload["NumberOfItemsShipped"]) == ("Shipped", 2)
    with pytest.raises(SimError):
        sim.state.add_order(zip_of("text-only", 11, order_id=order_id))  # the same item again


# Validation --------------------------------------------------------------------------------------


def test_validation_names_the_parameter_and_ignores_unknown_ones(sim: Sim) -> None:
    order_id = sim.add(1)
    [item_id] = _item_ids(sim, order_id)
    since = "2020-01-01T00:00:00Z"
    enum = sim.get(SEARCH, lastUpdatedAfter=since, fulfillmentStatuses="UNSHIPPED,LOST")
    assert enum.status_code == 400
    [error] = errors(enum)
    assert error["code"] == "InvalidInput"
    assert "`fulfillmentStatuses`" in error["message"] and "UNSHIPPED" in error["message"]
    number = sim.get(SEARCH, lastUpdatedAfter=since, maxResultsPerPage="many")
    assert "`maxResultsPerPage`" in errors(number)[0]["message"]
    date = sim.get(SEARCH, lastUpdatedAfter="yesterday")
    assert "`lastUpdatedAfter`" in errors(date)[0]["message"]
    ignored = sim.get(SEARCH, lastUpdatedAfter=since, colour="blue", MarketplaceIds="x")
    assert ignored.status_code == 200
    body = package("1", [(item_id, 1)], insurance="yes")
    body["giftWrap"] = True
    assert _confirm(sim, order_id, body).status_code == 204
    not_json = sim.http.post(
        f"{V0}/{order_id}/shipmentConfirmation", content=b"{", headers=sim.headers()
    )
    assert not_json.status_code == 400 and "JSON" in errors(not_json)[0]["message"]
    wrong_type = package("1", [(item_id, 1)])
    wrong_type["packageDetail"]["orderItems"][0]["quantity"] = "1"
    response = _confirm(sim, order_id, wrong_type)
    assert "`packageDetail.orderItems[0].quantity`" in errors(response)[0]["message"]


# The controls and the state ------------------------------------------------------------------


def test_admin_endpoints_drive_the_simulator(sim: Sim) -> None:
    added = sim.http.post(
        "/_sim/orders",
        content=zip_of("seller-font", 9),
        params={"purchaseDate": "2026-03-01T08:00:00Z"},
    )
    assert added.status_code == 201
    order_id = added.json()["orderId"]
    assert added.json()["order"]["purchaseDate"] == "2026-03-01T08:00:00.000Z"
    listed = sim.http.get("/_sim/orders").json()["orders"]
    assert [o["orderId"] for o in listed] == [order_id]
    canceled = sim.http.post(f"/_sim/orders/{order_id}/cancel")
    assert canceled.json()["status"] == "Canceled"
    assert sim.get(f"{V0}/{order_id}").json()["payload"]["OrderStatus"] == "Canceled"
    status = sim.http.put(f"/_sim/orders/{order_id}/status", json={"status": "Unshipped"})
    assert status.json()["status"] == "Unshipped"
    faults = sim.http.put("/_sim/faults", json={"internal_error": 0.25, "seed": 3}).json()
    assert (faults["internal_error"], faults["seed"]) == (0.25, 3)
    assert sim.state.faults.internal_error == 0.25
    assert sim.http.put("/_sim/faults", json={"gremlins": 1}).status_code == 400
    assert sim.http.put("/_sim/faults", json={"unavailable": 2}).status_code == 400
    assert sim.http.get("/_sim/shipments").json() == {"shipments": []}
    assert sim.http.get("/_sim/throttled").json() == {"throttled": {}}
    assert sim.http.post("/_sim/orders", content=b"not a zip").status_code == 400
    assert sim.http.post("/_sim/orders/901-0000000-0000000/cancel").status_code == 404
    assert sim.http.post("/_sim/reset").status_code == 200
    assert sim.state.orders() == [] and sim.state.faults.internal_error == 0


def test_state_orders_versions_and_cancel(clock: FakeClock) -> None:
    state = SimState(now=clock.now, monotonic=clock.monotonic)
    item = state.add_order(zip_of("options-only", 4), status="Pending")
    order = state.order(item.order_id)
    assert order is not None
    assert (order.status, item.asin, item.sku, item.quantity) == ("Pending", "B0SAMPLE02", None, 1)
    moved = state.set_status(item.order_id, "Unshipped")
    assert moved.last_updated > order.last_updated  # even on a clock that stood still
    canceled = state.cancel(item.order_id)
    assert canceled.status == "Canceled" and canceled.last_updated > moved.last_updated
    with pytest.raises(SimError):
        state.set_status(item.order_id, "Teleported")


def test_production_sim_seeds_orders_and_serves_until_ctrl_c() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from production.amazon.sim import main_sim; "
            "sys.exit(main_sim(0, 4, sys.stdout))",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        lines = [first] + [process.stdout.readline() for _ in range(9)]
        base_url = first.split(" at ")[1].strip()
        text = "".join(lines)
        assert DEFAULT_CREDENTIALS.refresh_token in text and DEFAULT_CREDENTIALS.client_id in text
        with httpx.Client(base_url=base_url) as http:
            orders = http.get("/_sim/orders").json()["orders"]
            assert len(orders) == 4 and len({o["orderId"] for o in orders}) == 4
            token = lwa(http).json()["access_token"]
            search = http.get(
                SEARCH,
                params={"createdAfter": "2020-01-01T00:00:00Z"},
                headers={"x-amz-access-token": token},
            )
            assert len(search.json()["orders"]) == 4
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# The models README names the license of each; Shipping v2's block names Amazon's own.
LICENSES = {"shippingV2.json": "Amazon Software License"}


def test_models_are_packaged_unmodified() -> None:
    """Each model is the repository blob its README names (git's blob hash over the bytes)."""
    models = Path(sim_package.__file__).parent / "models"
    listed = re.findall(
        r"\| `([\w.-]+\.json)` \| `[^`]+` \| `([0-9a-f]{40})` \|",
        (models / "README.md").read_text(),
    )
    assert {name for name, _ in listed} >= {*MODEL_FILES, "fulfillmentOutbound_2020-07-01.json"}
    for name, blob in listed:
        data = (models / name).read_bytes()
        assert hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest() == blob, name
        expected = LICENSES.get(name, "Apache License 2.0")
        assert load_model(name)["info"]["license"]["name"] == expected, name
