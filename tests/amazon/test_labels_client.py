"""Shipping API v2 labels through the real client and the simulator over loopback HTTP.

Rates priced by weight and service, the ten-minute rate life on the simulator's clock, one
label for a purchase whose answer was lost and retried with the same key, the order shipped
by the purchase, voids, and label documents that are a real 4×6 in PDF and real ZPL.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pypdfium2
import pytest

from production.amazon.client import SpApiClient
from production.amazon.credentials import Credentials
from production.amazon.errors import (
    InternalFailureError,
    InvalidInputError,
    RateExpiredError,
    RequestValidationError,
)
from production.amazon.labels import (
    LabelItem,
    LabelPackage,
    Purchase,
    Rate,
    RateQuote,
    ShipFrom,
)
from production.amazon.sim import DEFAULT_CREDENTIALS, Faults, SimServer, SimState, serve
from tests.amazon.test_sim import FakeClock, zip_of

CREDENTIALS = Credentials(
    DEFAULT_CREDENTIALS.client_id,
    DEFAULT_CREDENTIALS.client_secret,
    DEFAULT_CREDENTIALS.refresh_token,
)
SHOP = ShipFrom(
    name="Engrave Works",
    address_line1="12 Workshop Lane",
    city="Portland",
    state_or_region="OR",
    postal_code="97201",
    country_code="US",
)


class Recording(httpx.HTTPTransport):
    """The real transport, remembering every request (to see which headers each carried)."""

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
    order_id: str
    item_id: str

    def package(self, weight_g: int = 900, quantity: int = 1) -> LabelPackage:
        return LabelPackage(
            reference="1",
            weight_g=weight_g,
            length_mm=250,
            width_mm=200,
            height_mm=100,
            items=(LabelItem(self.item_id, quantity),),
        )

    def quote(self, weight_g: int = 900) -> RateQuote:
        return self.client.get_rates(self.order_id, self.package(weight_g), SHOP)

    def cheapest(self) -> Rate:
        return min(self.quote().rates, key=lambda rate: rate.cost)


def client_for(
    server: SimServer, wire: httpx.BaseTransport, clock: FakeClock, timeout: float = 30.0
) -> SpApiClient:
    """A client on the simulator's wall clock (rates expire by it), real waits kept short."""
    return SpApiClient(
        endpoint=server.base_url,
        lwa_endpoint=server.base_url,
        credentials=CREDENTIALS,
        transport=wire,
        sleep=lambda seconds: time.sleep(min(seconds, 0.01)),
        now=clock.now,
        timeout=timeout,
    )


@pytest.fixture
def live() -> Iterator[Live]:
    clock = FakeClock()
    state = SimState(now=clock.now, monotonic=clock.monotonic)
    item = state.add_order(zip_of("text-only", 1))
    with serve(state) as server, client_for(server, httpx.HTTPTransport(), clock) as client:
        yield Live(server, state, clock, client, item.order_id, item.order_item_id)


def buy(live: Live, rate: Rate, key: str = "order-1-package-1") -> Purchase:
    return live.client.purchase_shipment(
        rate.request_token,
        rate.rate_id,
        idempotency_key=key,
        carrier_id=rate.carrier_id,
        order_id=live.order_id,
    )


# Rates -------------------------------------------------------------------------------------------


def test_rates_name_carrier_service_cost_promise_and_expiry(live: Live) -> None:
    quote = live.quote()
    assert {rate.service_name for rate in quote.rates} >= {"UPS Ground", "USPS Priority Mail"}
    for rate in quote.rates:
        assert rate.request_token == quote.request_token
        assert rate.rate_id and rate.carrier_id and rate.currency == "USD"
        assert rate.cost > 0
        assert rate.delivery_start is not None and rate.delivery_end is not None
        assert rate.delivery_start > live.clock.now()
        assert rate.expires_at == live.clock.now() + timedelta(minutes=10)
        assert set(rate.formats) == {"PDF", "ZPL"}
    fastest = min(quote.rates, key=lambda rate: rate.delivery_end or live.clock.now())
    assert fastest.service_name == "FedEx 2Day"


def test_a_heavier_package_costs_more_and_outgrows_a_service(live: Live) -> None:
    light = {r.service_id: r.cost for r in live.quote(900).rates}
    heavy_quote = live.quote(40_000)
    heavy = {r.service_id: r.cost for r in heavy_quote.rates}
    assert all(heavy[service] > light[service] for service in heavy)
    assert "USPS_PTP_PRI" in light and "USPS_PTP_PRI" not in heavy
    refused = [r for r in heavy_quote.ineligible if r.service_id == "USPS_PTP_PRI"]
    assert refused and "WEIGHT_RESTRICTIONS" in refused[0].reasons[0]


def test_items_not_of_the_order_are_refused_before_or_by_amazon(live: Live) -> None:
    foreign = LabelPackage("1", 500, 100, 100, 100, (LabelItem("99999999999999", 1),))
    with pytest.raises(InvalidInputError, match="itemIdentifier"):
        live.client.get_rates(live.order_id, foreign, SHOP)
    with pytest.raises(RequestValidationError):
        live.client.get_rates(live.order_id, LabelPackage("1", 500, 100, 100, 100, ()), SHOP)


# Buying ------------------------------------------------------------------------------------------


def test_a_purchase_ships_the_order_with_its_tracking_number(live: Live) -> None:
    rate = live.cheapest()
    purchase = live.client.purchase_shipment(
        rate.request_token,
        rate.rate_id,
        idempotency_key="k1",
        carrier_id=rate.carrier_id,
        order_id=live.order_id,
    )
    assert purchase.carrier_id == rate.carrier_id and purchase.tracking_id
    order = live.state.order(live.order_id)
    assert order is not None and order.status == "Shipped"
    shipped = live.state.shipments(live.order_id)
    assert [s.package.tracking_number for s in shipped] == [purchase.tracking_id]
    tracking = live.client.get_tracking(purchase.tracking_id, rate.carrier_id)
    assert tracking.status == "PreTransit" and tracking.events[0].code == "ReadyForReceive"


def test_a_rate_expires_after_ten_minutes_and_fresh_rates_buy(live: Live) -> None:
    rate = live.cheapest()
    live.clock.advance(10 * 60)
    with pytest.raises(RateExpiredError, match="10 minutes"):
        buy(live, rate)
    assert live.state.labels.shipments() == []
    assert live.state.order(live.order_id).status == "Unshipped"  # type: ignore[union-attr]
    buy(live, live.cheapest())
    assert len(live.state.labels.shipments()) == 1


def test_a_purchase_whose_answer_was_lost_is_retried_into_one_label(live: Live) -> None:
    rate = live.cheapest()
    live.state.set_faults(
        Faults(timeout=1.0, timeout_seconds=1.0, operations=("purchaseShipment",), max_hits=1)
    )
    wire = Recording()
    with client_for(live.server, wire, live.clock, timeout=0.3) as client:
        purchase = client.purchase_shipment(
            rate.request_token, rate.rate_id, idempotency_key="order-1-pkg-1"
        )
    posts = [r for r in wire.requests if r.url.path == "/shipping/v2/shipments"]
    assert len(posts) == 2
    assert {r.headers["x-amzn-IdempotencyKey"] for r in posts} == {"order-1-pkg-1"}
    labels = live.state.labels.shipments()
    assert [s.shipment_id for s in labels] == [purchase.shipment_id]
    assert len(live.state.shipments(live.order_id)) == 1


def test_the_same_key_later_answers_the_first_label_and_a_new_key_is_refused(live: Live) -> None:
    rate = live.cheapest()
    first = live.client.purchase_shipment(rate.request_token, rate.rate_id, idempotency_key="a")
    again = live.client.purchase_shipment(rate.request_token, rate.rate_id, idempotency_key="a")
    assert (again.shipment_id, again.label.content) == (first.shipment_id, first.label.content)
    with pytest.raises(InvalidInputError, match="already purchased"):
        live.client.purchase_shipment(rate.request_token, rate.rate_id, idempotency_key="b")
    assert len(live.state.labels.shipments()) == 1


def test_amazons_500_is_retried_and_one_label_bought(live: Live) -> None:
    rate = live.cheapest()
    live.state.set_faults(Faults(internal_error=1.0, operations=("purchaseShipment",), max_hits=2))
    purchase = buy(live, rate)
    assert [s.shipment_id for s in live.state.labels.shipments()] == [purchase.shipment_id]
    live.state.set_faults(Faults(internal_error=1.0, operations=("getRates",)))
    with pytest.raises(InternalFailureError):
        live.quote()


def test_the_token_expired_fault_answers_as_the_model_says(live: Live) -> None:
    live.state.set_faults(Faults(rate_token_expired=1.0, max_hits=1))
    rate = live.cheapest()
    with pytest.raises(RateExpiredError) as caught:
        buy(live, rate)
    assert caught.value.code == "TOKEN_EXPIRED" and caught.value.status == 400
    buy(live, live.cheapest(), key="second")
    assert len(live.state.labels.shipments()) == 1


# Documents and voids -----------------------------------------------------------------------------


def test_the_pdf_label_is_a_real_four_by_six_inch_page(live: Live) -> None:
    rate = live.cheapest()
    purchase = live.client.purchase_shipment(rate.request_token, rate.rate_id, idempotency_key="p")
    assert purchase.label.format == "PDF"
    pdf = pypdfium2.PdfDocument(purchase.label.content)
    assert len(pdf) == 1
    width, height = pdf[0].get_size()
    assert (round(width), round(height)) == (288, 432)  # points: 4 × 6 in
    text = pdf[0].get_textpage().get_text_range()
    assert purchase.tracking_id in text
    reprint = live.client.get_shipment_documents(purchase.shipment_id, "1")
    assert reprint.content == purchase.label.content


def test_a_zpl_label_is_zpl_text_at_the_printers_dpi(live: Live) -> None:
    rate = live.cheapest()
    purchase = live.client.purchase_shipment(
        rate.request_token, rate.rate_id, idempotency_key="z", label_format="ZPL", dpi=300
    )
    zpl = purchase.label.content.decode("ascii")
    assert zpl.startswith("^XA") and zpl.rstrip().endswith("^XZ")
    assert "^PW1200" in zpl and f"^FD{purchase.tracking_id}^FS" in zpl
    as_pdf = live.client.get_shipment_documents(purchase.shipment_id, "1", label_format="PDF")
    assert as_pdf.content.startswith(b"%PDF")


def test_a_void_puts_the_order_back_and_is_refused_once_the_carrier_has_it(live: Live) -> None:
    purchase = buy(live, live.cheapest())
    shipment_id = purchase.shipment_id
    live.client.cancel_shipment(shipment_id)
    assert live.state.order(live.order_id).status == "Unshipped"  # type: ignore[union-attr]
    assert live.state.shipments(live.order_id) == []
    second = buy(live, live.cheapest(), key="rebuy")
    live.state.labels.hand_over(second.shipment_id)
    with pytest.raises(InvalidInputError, match="handed over"):
        live.client.cancel_shipment(second.shipment_id)
    assert live.state.order(live.order_id).status == "Shipped"  # type: ignore[union-attr]
