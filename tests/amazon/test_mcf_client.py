"""Multi-Channel Fulfillment through the real client and the simulator over loopback HTTP.

The life of a companion item: its destination fetched with an RDT, a preview, a create on
Hold (safe to repeat after a crash), the release (Ship) once the custom jobs are printed, or
a cancel while Amazon still allows it, then packages, tracking and proof of delivery. The
simulator's clock is wound by hand for the 14-day hold and for delivery.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from random import Random

import httpx
import pytest

from production.amazon.client import ORDER_ADDRESS_RDT_PATH, SpApiClient
from production.amazon.credentials import Credentials
from production.amazon.errors import InvalidInputError, RequestValidationError, SpApiError
from production.amazon.fulfillment import (
    HOLD_LIFETIME,
    FulfillmentAction,
    FulfillmentOrderStatus,
)
from production.amazon.fulfillment_client import MCF_PATH
from production.amazon.fulfillment_requests import (
    DestinationAddress,
    FulfillmentItem,
    seller_fulfillment_order_id,
)
from production.amazon.ratelimit import RATES
from production.amazon.sim import DEFAULT_CREDENTIALS, Faults, SimServer, SimState, serve
from production.amazon.sim.orderviews import ADDRESS
from production.amazon.sim.spec import operations
from production.core.errors import AmazonError
from tests.amazon.test_sim import FakeClock, lwa, zip_of

CREDENTIALS = Credentials(
    DEFAULT_CREDENTIALS.client_id,
    DEFAULT_CREDENTIALS.client_secret,
    DEFAULT_CREDENTIALS.refresh_token,
)
ORDER_DATE = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
COMPANION = "MUG-BLACK-11OZ"
BUYER_VALUES = (ADDRESS["name"], ADDRESS["addressLine1"], ADDRESS["postalCode"], ADDRESS["city"])
MCF_OPERATIONS = (
    "getFulfillmentPreview",
    "createFulfillmentOrder",
    "updateFulfillmentOrder",
    "getFulfillmentOrder",
    "cancelFulfillmentOrder",
    "getPackageTrackingDetails",
    "listAllFulfillmentOrders",
)


class Recording(httpx.HTTPTransport):
    """The real transport, remembering every request (to see which token each carried)."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return super().handle_request(request)


@dataclass
class Live:
    server: SimServer
    state: SimState
    clock: FakeClock
    client: SpApiClient
    wire: Recording
    order_id: str

    def address(self) -> DestinationAddress:
        return self.client.get_order_address(self.order_id)

    def create(self, sfo_id: str, *items: FulfillmentItem, **changes: object) -> None:
        arguments: dict[str, object] = {
            "destination_address": self.address(),
            "items": list(items) or [FulfillmentItem(COMPANION, 1)],
            "displayable_order_date": ORDER_DATE,
            "order_id": self.order_id,
            **changes,
        }
        self.client.create_fulfillment_order(sfo_id, **arguments)  # type: ignore[arg-type]

    def sandbox_status(self, sfo_id: str, status: str) -> httpx.Response:
        """submitFulfillmentOrderStatusUpdate, as a sandbox test drives it (fresh token)."""
        with httpx.Client(base_url=self.server.base_url) as http:
            token = lwa(http).json()["access_token"]
            return http.put(
                f"{MCF_PATH}/fulfillmentOrders/{sfo_id}/status",
                json={"fulfillmentOrderStatus": status},
                headers={"x-amz-access-token": token},
            )


@pytest.fixture
def live() -> Iterator[Live]:
    clock = FakeClock()
    state = SimState(now=clock.now, monotonic=clock.monotonic)
    state.mcf.stock(COMPANION, 10)
    order_id = state.add_order(zip_of("text-only", 1)).order_id
    wire = Recording()
    with serve(state) as server:
        client = SpApiClient(
            endpoint=server.base_url,
            lwa_endpoint=server.base_url,
            credentials=CREDENTIALS,
            transport=wire,
            sleep=lambda seconds: time.sleep(min(seconds, 0.01)),
        )
        with client:
            yield Live(server, state, clock, client, wire, order_id)


def sfo(live: Live) -> str:
    return seller_fulfillment_order_id(live.order_id, "companions")


# The destination -------------------------------------------------------------------------------


def test_the_destination_is_the_buyers_address_read_with_an_rdt(live: Live) -> None:
    address = live.address()
    assert (address.name, address.address_line1) == (ADDRESS["name"], ADDRESS["addressLine1"])
    assert address.as_json()["postalCode"] == ADDRESS["postalCode"]
    assert repr(address) == "DestinationAddress(country_code='US')"  # a log shows no more
    rdt_requests = [r for r in live.wire.requests if r.url.path.endswith("restrictedDataToken")]
    wanted = json.loads(rdt_requests[0].content)["restrictedResources"]
    assert wanted == [
        {"method": "GET", "path": ORDER_ADDRESS_RDT_PATH, "dataElements": ["shippingAddress"]}
    ]
    call = next(r for r in live.wire.requests if r.url.path.endswith("/address"))
    assert call.headers["x-amz-access-token"].startswith("Atz.sprdt|")


def test_without_an_rdt_amazon_gives_no_street_and_a_pending_order_no_address(live: Live) -> None:
    with httpx.Client(base_url=live.server.base_url) as http:
        token = lwa(http).json()["access_token"]
        plain = http.get(
            f"/orders/v0/orders/{live.order_id}/address", headers={"x-amz-access-token": token}
        )
    assert set(plain.json()["payload"]["ShippingAddress"]) == {
        "City",
        "StateOrRegion",
        "PostalCode",
        "CountryCode",
    }
    live.state.set_status(live.order_id, "Pending")
    with pytest.raises(SpApiError, match="no full ShippingAddress") as refused:
        live.address()
    assert refused.value.order_id == live.order_id


# Preview ---------------------------------------------------------------------------------------


def test_a_stocked_sku_previews_fulfillable_with_arrival_dates(live: Live) -> None:
    (preview,) = live.client.get_fulfillment_preview(
        live.address(), [FulfillmentItem(COMPANION, 2)], order_id=live.order_id
    )
    assert preview.fulfillable and preview.shipping_speed == "Standard"
    assert preview.unfulfillable_items == () and preview.reasons == ()
    assert preview.earliest_arrival == live.clock.wall + timedelta(days=3)


def test_unknown_and_short_skus_preview_unfulfillable_with_amazons_reasons(live: Live) -> None:
    items = [FulfillmentItem("NEVER-STOCKED", 1), FulfillmentItem(COMPANION, 11, "mugs")]
    previews = live.client.get_fulfillment_preview(
        live.address(), items, shipping_speed_categories=("Standard", "ScheduledDelivery")
    )
    standard, scheduled = previews
    assert not standard.fulfillable and standard.earliest_arrival is None
    reasons = {item.seller_item_id: item.reasons for item in standard.unfulfillable_items}
    assert reasons == {"NEVER-STOCKED": ("InvalidSKU",), "mugs": ("InventoryUnavailable",)}
    assert scheduled.reasons == ("DeliverySLAUnavailable",)


# Create, repeat, release, cancel ---------------------------------------------------------------


def test_a_held_order_is_received_and_stays_held(live: Live) -> None:
    live.create(sfo(live))
    order = live.client.get_fulfillment_order(sfo(live), order_id=live.order_id)
    assert order.status is FulfillmentOrderStatus.RECEIVED
    assert order.fulfillment_action is FulfillmentAction.HOLD and order.held
    assert order.displayable_order_id == sfo(live)
    assert order.hold_expires_at == live.clock.wall + HOLD_LIFETIME
    assert [(i.seller_sku, i.quantity) for i in order.items] == [(COMPANION, 1)]
    live.clock.advance(3 * 86400)
    assert live.client.get_fulfillment_order(sfo(live)).status is FulfillmentOrderStatus.RECEIVED
    assert live.state.mcf.inventory()[COMPANION]["reserved"] == 1


def test_the_same_create_again_is_one_order(live: Live) -> None:
    live.create(sfo(live))
    live.create(sfo(live))  # the daemon crashed before recording the first one
    assert [o.seller_fulfillment_order_id for o in live.state.mcf.orders()] == [sfo(live)]
    with pytest.raises(InvalidInputError, match="different content"):
        live.create(sfo(live), FulfillmentItem(COMPANION, 2))


def test_a_create_whose_answer_was_lost_is_retried_into_one_order(live: Live) -> None:
    # Seed the dice so that the first create is carried out but answered too late, the retry not.
    seed = next(s for s in range(1000) if (r := Random(s)).random() < 0.5 <= r.random())
    live.state.set_faults(
        Faults(timeout=0.5, timeout_seconds=1.0, operations=("createFulfillmentOrder",), seed=seed)
    )
    address = live.address()
    wire = Recording()
    client = SpApiClient(
        endpoint=live.server.base_url,
        lwa_endpoint=live.server.base_url,
        credentials=CREDENTIALS,
        transport=wire,
        timeout=0.3,
        sleep=lambda seconds: None,
    )
    with client:
        client.create_fulfillment_order(
            sfo(live),
            destination_address=address,
            items=[FulfillmentItem(COMPANION, 1)],
            displayable_order_date=ORDER_DATE,
        )
    assert (
        len([r for r in wire.requests if r.method == "POST" and "fulfillment" in r.url.path]) == 2
    )
    assert len(live.state.mcf.orders()) == 1


def test_ship_releases_the_hold_into_planning_then_processing(live: Live) -> None:
    live.create(sfo(live))
    live.client.update_fulfillment_order(sfo(live), order_id=live.order_id)
    released = live.client.get_fulfillment_order(sfo(live))
    assert released.status is FulfillmentOrderStatus.PLANNING and not released.held
    assert released.fulfillment_action is FulfillmentAction.SHIP
    live.client.update_fulfillment_order(sfo(live))  # a repeat changes nothing
    live.clock.advance(live.state.mcf.planning_seconds)
    picking = live.client.get_fulfillment_order(sfo(live))
    assert picking.status is FulfillmentOrderStatus.PROCESSING
    assert [s.status for s in picking.shipments] == ["PENDING"]


def test_a_received_order_can_be_cancelled_and_its_units_come_back(live: Live) -> None:
    live.create(sfo(live), FulfillmentItem(COMPANION, 4))
    assert live.state.mcf.inventory()[COMPANION]["available"] == 6
    live.client.cancel_fulfillment_order(sfo(live), order_id=live.order_id)
    live.client.cancel_fulfillment_order(sfo(live))  # a retry of a cancel that went through
    cancelled = live.client.get_fulfillment_order(sfo(live))
    assert cancelled.status is FulfillmentOrderStatus.CANCELLED and cancelled.status.final
    assert cancelled.items[0].cancelled_quantity == 4
    assert live.state.mcf.inventory()[COMPANION]["available"] == 10


def test_cancelling_once_amazon_is_picking_is_refused_in_amazons_words(live: Live) -> None:
    live.create(sfo(live))
    assert live.sandbox_status(sfo(live), "Processing").status_code == 200
    order = live.client.get_fulfillment_order(sfo(live))
    assert not order.status.cancellable  # what the daemon checks before asking
    with pytest.raises(InvalidInputError) as refused:
        live.client.cancel_fulfillment_order(sfo(live), order_id=live.order_id)
    error = refused.value
    assert error.status == 400 and error.order_id == live.order_id
    assert "cannot be cancelled: its status is Processing" in str(error)
    assert "Only orders with status Received or Planning can be cancelled." in str(error)


def test_an_unknown_order_is_none_when_found_and_an_error_when_got(live: Live) -> None:
    assert live.client.find_fulfillment_order("no-such-order") is None
    with pytest.raises(SpApiError, match="Requested order not found"):
        live.client.get_fulfillment_order("no-such-order")


# Shipping, tracking, proof of delivery ---------------------------------------------------------


def test_complete_ships_a_package_tracked_until_delivered_with_a_photo(live: Live) -> None:
    live.create(sfo(live), FulfillmentItem(COMPANION, 2))
    live.client.update_fulfillment_order(sfo(live))
    assert live.sandbox_status(sfo(live), "Complete").status_code == 200
    shipped = live.client.get_fulfillment_order(sfo(live))
    assert shipped.status is FulfillmentOrderStatus.COMPLETE and shipped.status.shipped
    (package,) = shipped.packages
    assert package.carrier_code == "UPS" and package.tracking_number
    assert shipped.proof_of_delivery == ()
    assert live.state.mcf.inventory()[COMPANION] == {"sellable": 8, "reserved": 0, "available": 8}

    moving = live.client.get_package_tracking_details(package.package_number)
    assert (moving.status, moving.delivered) == ("IN_TRANSIT", False)
    assert moving.tracking_number == package.tracking_number
    assert moving.customer_tracking_link and "swiship.com" in moving.customer_tracking_link
    assert [e.code for e in moving.events] == ["EVENT_101"]

    live.clock.advance(3 * 86400)
    arrived = live.client.get_package_tracking_details(package.package_number)
    assert arrived.delivered and arrived.events[-1].code == "EVENT_301"
    assert [e.date for e in arrived.events] == sorted(e.date for e in arrived.events if e.date)
    (photo,) = live.client.get_fulfillment_order(sfo(live)).proof_of_delivery
    assert photo.document_type == "DELIVERY_IMAGE"
    image = httpx.get(photo.url)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    live.clock.advance(3601)  # "valid for one hour"
    assert httpx.get(photo.url).status_code == 403


def test_statuses_are_read_whatever_their_case(live: Live) -> None:
    live.state.mcf.upper_case_statuses = True  # as the model's own examples write them
    live.create(sfo(live))
    received = live.client.get_fulfillment_order(sfo(live))
    assert received.status_text == "RECEIVED" and received.status is FulfillmentOrderStatus.RECEIVED
    assert received.held
    live.sandbox_status(sfo(live), "CompletePartialled")
    partial = live.client.get_fulfillment_order(sfo(live))
    assert partial.status_text == "COMPLETE_PARTIALLED"
    assert partial.status is FulfillmentOrderStatus.COMPLETE_PARTIALLED and partial.status.shipped
    (listed,) = live.client.list_all_fulfillment_orders()
    assert listed.status is FulfillmentOrderStatus.COMPLETE_PARTIALLED


def test_amazon_cancels_a_hold_after_fourteen_days(live: Live) -> None:
    live.create(sfo(live))
    received = live.clock.wall
    live.clock.advance(10 * 86400)
    ten_days = live.client.get_fulfillment_order(sfo(live))
    assert ten_days.held and ten_days.hold_warning_due(live.clock.wall)
    assert not ten_days.hold_warning_due(live.clock.wall - timedelta(seconds=1))
    live.clock.advance(4 * 86400 - 1)
    assert live.client.get_fulfillment_order(sfo(live)).held
    live.clock.advance(1)
    expired = live.client.get_fulfillment_order(sfo(live))
    assert expired.status is FulfillmentOrderStatus.CANCELLED and not expired.held
    assert expired.status_updated_date == received + HOLD_LIFETIME
    assert live.state.mcf.inventory()[COMPANION]["reserved"] == 0


def test_every_fulfillment_order_since_a_date_page_by_page(live: Live) -> None:
    live.state.mcf.page_size = 2
    for number in range(5):
        live.create(seller_fulfillment_order_id(live.order_id, str(number)))
        live.clock.advance(60)
    since = live.clock.wall - timedelta(seconds=150)
    listed = [o.seller_fulfillment_order_id for o in live.client.list_all_fulfillment_orders(since)]
    assert listed == [seller_fulfillment_order_id(live.order_id, n) for n in ("3", "4")]
    assert len(list(live.client.list_all_fulfillment_orders())) == 5
    pages = [r for r in live.wire.requests if r.method == "GET" and "fulfillment" in r.url.path]
    assert len(pages) == 1 + 3  # one page of two since `since`, then 2 + 2 + 1


# Rates and buyer data ----------------------------------------------------------------------------


def test_the_client_paces_mcf_calls_by_the_models_usage_plans() -> None:
    plans = {op.operation_id: (op.rate, op.burst) for op in operations() if "fulfillment" in op.api}
    assert {name: plans[name] for name in MCF_OPERATIONS} == {
        name: RATES[name] for name in MCF_OPERATIONS
    }
    assert all(RATES[name] == (2.0, 30) for name in MCF_OPERATIONS)  # the spec's table
    assert plans["submitFulfillmentOrderStatusUpdate"] == (None, None)  # sandbox only


def test_no_error_names_the_buyers_address(live: Live) -> None:
    failures: list[AmazonError] = []
    address = live.address()
    attempts: list[Callable[[], object]] = [
        lambda: live.create(sfo(live), FulfillmentItem("NEVER-STOCKED", 1)),
        lambda: live.client.get_fulfillment_order("no-such-order"),
        lambda: live.client.get_fulfillment_preview(
            DestinationAddress(address.name, address.address_line1, "", "US"), []
        ),
        lambda: live.client.create_fulfillment_order(
            sfo(live),
            destination_address=DestinationAddress(address.name, "", address.postal_code, "usa"),
            items=[FulfillmentItem(COMPANION, 1)],
            displayable_order_date=ORDER_DATE,
        ),
    ]
    for attempt in attempts:
        with pytest.raises(AmazonError) as raised:
            attempt()
        failures.append(raised.value)
    assert isinstance(failures[2], RequestValidationError)
    for error in failures:
        for value in BUYER_VALUES:
            assert value.lower() not in f"{error} {error.args!r}".lower()


def test_an_amazon_refusal_quoting_the_address_is_redacted() -> None:
    address = DestinationAddress(
        "Ada Lovelace", "12 Marylebone Road", "NW1 5LR", "GB", city="London", phone="020 7946 0000"
    )
    said = (
        "Invalid destinationAddress: 12 MARYLEBONE ROAD, London NW1 5LR (Ada Lovelace); "
        "Lovelace is not a Londoner"
    )

    def amazon(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/o2/token":
            return httpx.Response(200, json={"access_token": "Atza|x", "expires_in": 3600})
        return httpx.Response(400, json={"errors": [{"code": "InvalidInput", "message": said}]})

    client = SpApiClient(
        endpoint="https://sp.test",
        lwa_endpoint="https://lwa.test",
        credentials=CREDENTIALS,
        transport=httpx.MockTransport(amazon),
    )
    with client, pytest.raises(InvalidInputError) as refused:
        client.create_fulfillment_order(
            "902-1-1",
            destination_address=address,
            items=[FulfillmentItem("SKU", 1)],
            displayable_order_date=ORDER_DATE,
        )
    text = str(refused.value)
    assert "Invalid destinationAddress: [address], [address] [address] ([address])" in text
    assert "[address] is not a Londoner" in text  # a surname alone too; words stay whole
    for value in ("Ada", "Lovelace", "Marylebone", "London", "NW1 5LR"):
        assert re.search(rf"\b{value}\b", text, re.IGNORECASE) is None, value
