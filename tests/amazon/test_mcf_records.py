"""MCF answers read defensively (the model's own examples among them) and requests checked
before they leave: statuses in any case, ids that survive a retry, addresses kept private."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from production.amazon.errors import RequestValidationError
from production.amazon.fulfillment import (
    FulfillmentAction,
    FulfillmentOrder,
    FulfillmentOrderStatus,
    FulfillmentPreview,
)
from production.amazon.fulfillment_requests import (
    DestinationAddress,
    FulfillmentItem,
    order_body,
    preview_body,
    seller_fulfillment_order_id,
)
from production.amazon.fulfillment_tracking import PackageTracking, tracking_status
from production.amazon.sim.spec import load_model

MODEL = load_model("fulfillmentOutbound_2020-07-01.json")
ADDRESS = DestinationAddress(
    "Grace Hopper", "10 Navy Yard", "20374", "US", city="Washington", phone="555-0100"
)
DATE = datetime(2026, 3, 1, tzinfo=UTC)


def example(path: str, method: str) -> dict[str, Any]:
    """The `payload` of the 200 example the model gives for an operation."""
    examples = MODEL["paths"][path][method]["responses"]["200"]["examples"]
    payload: dict[str, Any] = examples["payload"]
    return payload


# Statuses ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "status"),
    [
        ("Received", FulfillmentOrderStatus.RECEIVED),
        ("RECEIVED", FulfillmentOrderStatus.RECEIVED),
        ("received", FulfillmentOrderStatus.RECEIVED),
        ("COMPLETE_PARTIALLED", FulfillmentOrderStatus.COMPLETE_PARTIALLED),
        ("CompletePartialled", FulfillmentOrderStatus.COMPLETE_PARTIALLED),
        ("Canceled", FulfillmentOrderStatus.CANCELLED),
        ("CANCELLED", FulfillmentOrderStatus.CANCELLED),
        ("Shipping soon", FulfillmentOrderStatus.UNKNOWN),
        (None, FulfillmentOrderStatus.UNKNOWN),
    ],
)
def test_statuses_are_read_in_any_case(written: object, status: FulfillmentOrderStatus) -> None:
    assert FulfillmentOrderStatus.parse(written) is status


def test_only_received_and_planning_orders_can_be_cancelled() -> None:
    cancellable = {s for s in FulfillmentOrderStatus if s.cancellable}
    assert cancellable == {FulfillmentOrderStatus.RECEIVED, FulfillmentOrderStatus.PLANNING}
    assert FulfillmentOrderStatus.INVALID.final and not FulfillmentOrderStatus.PROCESSING.final
    assert FulfillmentAction.parse("HOLD") is FulfillmentAction.HOLD
    assert FulfillmentAction.parse("later") is None
    assert tracking_status("in transit") == "IN_TRANSIT" and tracking_status(3) == "UNKNOWN"


# The model's own examples ------------------------------------------------------------------------


def test_the_models_fulfillment_order_example_reads() -> None:
    payload = example(
        "/fba/outbound/2020-07-01/fulfillmentOrders/{sellerFulfillmentOrderId}", "get"
    )
    order = FulfillmentOrder.parse(payload["fulfillmentOrder"], payload)
    assert order.seller_fulfillment_order_id == "FBATestOrder-1"
    assert order.status is FulfillmentOrderStatus.PROCESSING and order.status_text == "PROCESSING"
    assert order.fulfillment_action is FulfillmentAction.SHIP and not order.held
    assert [(i.seller_sku, i.quantity) for i in order.items] == [
        ("PSMM-TEST-SKU-Jan-21_19_59_44-0738", 1),
        ("CR-47K6-H6QN", 3),
    ]
    (shipment,) = order.shipments
    assert shipment.status == "PENDING" and shipment.packages == ()
    assert "Troy" not in repr(order)  # the destination address is never kept


def test_the_models_tracking_example_reads_without_the_buyers_address() -> None:
    tracking = PackageTracking.parse(example("/fba/outbound/2020-07-01/tracking", "get"))
    assert tracking.package_number == 212794778 and tracking.delivered
    # The example percent-encodes the whole link; it comes out usable.
    assert tracking.customer_tracking_link == "https://www.swiship.com/track?id=1Z50V7420354708051"
    assert [e.code for e in tracking.events] == ["EVENT_206", "EVENT_301"]  # oldest first
    assert "1234 Amazon Way" not in repr(tracking)


def test_the_models_list_example_reads() -> None:
    payload = example("/fba/outbound/2020-07-01/fulfillmentOrders", "get")
    orders = [FulfillmentOrder.parse(raw) for raw in payload["fulfillmentOrders"]]
    assert [o.status for o in orders] == [
        FulfillmentOrderStatus.RECEIVED,
        FulfillmentOrderStatus.COMPLETE,
    ]
    assert orders[0].marketplace_id is None  # required by the model, absent in practice


def test_odd_values_become_empty_not_errors() -> None:
    raw = {
        "sellerFulfillmentOrderId": "A",
        "fulfillmentOrderStatus": 7,
        "receivedDate": "yesterday",
        "fulfillmentAction": "Hold",
    }
    result = {
        "fulfillmentOrderItems": [{"quantity": "2"}, "junk", {"quantity": True}],
        "fulfillmentShipments": [{"fulfillmentShipmentPackage": [{"packageNumber": "x"}]}],
    }
    order = FulfillmentOrder.parse(raw, result)
    assert order.status is FulfillmentOrderStatus.UNKNOWN and order.received_date is None
    assert [i.quantity for i in order.items] == [2, 0]
    assert order.packages == () and order.hold_expires_at is None and not order.held
    preview = FulfillmentPreview.parse({"isFulfillable": "true", "unfulfillablePreviewItems": {}})
    assert preview.fulfillable is False and preview.unfulfillable_items == ()


# Requests --------------------------------------------------------------------------------------


def test_the_fulfillment_order_id_is_the_same_on_every_retry_and_fits() -> None:
    assert seller_fulfillment_order_id("114-1234567-1234567") == "114-1234567-1234567"
    assert (
        seller_fulfillment_order_id(" 114-1234567-1234567 ", "mugs") == "114-1234567-1234567-mugs"
    )
    assert (
        seller_fulfillment_order_id("114-1234567-1234567", "a+b c") == "114-1234567-1234567-a-b-c"
    )
    long_a = seller_fulfillment_order_id("114-1234567-1234567", "companion-" + "a" * 30)
    long_b = seller_fulfillment_order_id("114-1234567-1234567", "companion-" + "a" * 29 + "b")
    assert len(long_a) == len(long_b) == 40 and long_a != long_b
    assert long_a == seller_fulfillment_order_id("114-1234567-1234567", "companion-" + "a" * 30)
    with pytest.raises(RequestValidationError):
        seller_fulfillment_order_id("  ")


def build(**changes: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "address": ADDRESS,
        "items": [FulfillmentItem("SKU", 1)],
        "displayable_order_id": "114-1234567-1234567",
        "displayable_order_date": DATE,
        "displayable_order_comment": "Thanks",
        "shipping_speed": "standard",
        "action": "hold",
        "policy": None,
        "marketplace_id": None,
        "notification_emails": (),
        "order_id": "114-1234567-1234567",
    }
    arguments.update(changes)
    return order_body("114-1234567-1234567-c", **arguments)


def test_a_create_body_is_what_the_model_asks_for() -> None:
    body = build()
    assert body["shippingSpeedCategory"] == "Standard" and body["fulfillmentAction"] == "Hold"
    assert body["displayableOrderDate"] == "2026-03-01T00:00:00Z"
    assert body["destinationAddress"] == {
        "name": "Grace Hopper",
        "addressLine1": "10 Navy Yard",
        "city": "Washington",
        "postalCode": "20374",
        "countryCode": "US",
        "phone": "555-0100",
    }
    assert body["items"] == [
        {"sellerSku": "SKU", "sellerFulfillmentOrderItemId": "SKU", "quantity": 1}
    ]
    assert build() == body  # a retry sends the same bytes


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"shipping_speed": "ScheduledDelivery"}, "cannot be put on Hold"),
        ({"shipping_speed": "Overnight"}, "shipping_speed_category must be one of"),
        ({"displayable_order_id": "A  B"}, "two spaces"),
        ({"displayable_order_id": "X" * 41}, "1 to 40 characters"),
        ({"items": []}, "1 to 100 lines"),
        ({"items": [FulfillmentItem("SKU", 251)]}, "at most 250 units"),
        ({"items": [FulfillmentItem("SKU", 0)]}, "at least 1"),
        ({"items": [FulfillmentItem("SKU", 1), FulfillmentItem("SKU", 2)]}, "used twice"),
        ({"displayable_order_comment": " "}, "displayable_order_comment"),
        ({"notification_emails": "a@b.c"}, "notification emails"),
        ({"displayable_order_date": datetime(2026, 3, 1)}, "time zone"),
    ],
)
def test_what_the_model_forbids_is_refused_before_sending(
    changes: dict[str, Any], said: str
) -> None:
    with pytest.raises(RequestValidationError, match=said) as refused:
        build(**changes)
    assert refused.value.order_id == "114-1234567-1234567" or "time zone" in said


@pytest.mark.parametrize(
    "address",
    [
        DestinationAddress("", "10 Navy Yard", "20374", "US"),
        DestinationAddress("Grace Hopper", " ", "20374", "US"),
        DestinationAddress("Grace Hopper", "10 Navy Yard", "", "US"),
        DestinationAddress("Grace Hopper", "10 Navy Yard", "20374", "USA"),
    ],
)
def test_an_incomplete_address_is_refused_without_repeating_it(address: DestinationAddress) -> None:
    with pytest.raises(RequestValidationError) as refused:
        preview_body(
            address, [FulfillmentItem("SKU", 1)], speeds=(), marketplace_id=None, order_id=None
        )
    for value in ("Grace", "Hopper", "Navy", "20374"):
        assert value not in str(refused.value)


def test_an_orders_v0_address_becomes_a_destination() -> None:
    raw = {
        "Name": "Grace Hopper",
        "AddressLine2": "10 Navy Yard",
        "City": "Washington",
        "County": "DC",
        "StateOrRegion": "DC",
        "PostalCode": "20374",
        "CountryCode": "us",
    }
    address = DestinationAddress.from_order_address(raw)
    assert address is not None
    assert (address.address_line1, address.address_line2) == ("10 Navy Yard", "")
    assert (address.country_code, address.district_or_county) == ("US", "DC")
    assert repr(address) == "DestinationAddress(country_code='US')"
    partial = {"City": "Washington", "PostalCode": "20374", "CountryCode": "US"}
    assert DestinationAddress.from_order_address(partial) is None  # no RDT: no name or street
    private = ADDRESS.private_values()  # longest first, so that a part never hides its whole
    assert private[:2] == ("10 Navy Yard", "Grace Hopper")
    assert {"Grace", "Hopper", "20374", "Washington", "555-0100"} <= set(private)
