"""The desk's ship form over real HTTP: the carrier read from the tracking number, never the
last package's; a contradiction refused; the product's name where the packer looks."""

from __future__ import annotations

import re

import httpx

from production.config.settings import load_settings
from production.desk import DeskService
from production.store import ShipmentState
from tests.desk.desk_shop import DeskShop
from tests.desk.test_desk_http import logged_in, ship

USPS = "9400111899223100000033"  # the number issue 14's desk recorded as UPS


def carrier_field(html: str) -> str:
    match = re.search(r'<input id="carrier"[^>]*>', html)
    assert match, "the order page has no carrier field"
    return match.group(0)


def test_an_empty_carrier_is_read_from_the_tracking_number(
    shop: DeskShop, desk: DeskService
) -> None:
    [order] = shop.add_orders("text-only")
    shop.print_order(order)
    answer = ship(logged_in(desk), order, carrier="", tracking=f" {USPS}\r", follow=True)
    [package] = shop.store.shipments(order_id=order)
    assert (package.carrier, package.tracking, package.state) == (
        "USPS", USPS, ShipmentState.MANUAL
    )  # fmt: skip
    assert f"shipment recorded here (USPS {USPS})" in answer.text


def test_a_carrier_the_number_contradicts_is_refused(shop: DeskShop, desk: DeskService) -> None:
    [order] = shop.add_orders("text-only")
    shop.print_order(order)
    answer = ship(logged_in(desk), order, carrier="UPS", tracking=USPS, follow=True)
    assert f"Order {order}: tracking number {USPS} is a USPS number, not UPS" in answer.text
    assert shop.store.shipments() == []
    assert str(answer.url).endswith(f"/orders/{order}")  # back on the form, to correct it


def test_an_unknown_format_with_no_carrier_asks_for_one(shop: DeskShop, desk: DeskService) -> None:
    [order] = shop.add_orders("text-only")
    shop.print_order(order)
    answer = ship(logged_in(desk), order, carrier="", tracking="ZX-4471", follow=True)
    assert "cannot be told from its format: say which carrier it is" in answer.text
    assert shop.store.shipments() == []


def test_the_form_never_offers_the_last_packages_carrier(shop: DeskShop, desk: DeskService) -> None:
    first, second = shop.add_orders("text-only", "photo-text")
    shop.print_order(first)
    shop.print_order(second)
    client = logged_in(desk)
    assert ship(client, first, carrier="UPS", tracking="1Z999AA10123456784").status_code == 303
    page = client.get(f"/orders/{second}").text
    field = carrier_field(page)
    assert "value=" not in field and "required" not in field  # empty: the number fills it
    choices = re.findall(r'<option value="([^"]+)">', page.split('id="carriers"')[1])
    assert {"USPS", "UPS", "FedEx", "DHL", "Amazon Logistics"} <= set(choices)


def test_the_carrier_of_a_number_is_asked_as_it_is_typed(desk: DeskService) -> None:
    assert httpx.get(f"{desk.base_url}/carrier", params={"tracking": USPS}).status_code == 401
    client = logged_in(desk)
    answers = {
        number: client.get("/carrier", params={"tracking": number}).json()
        for number in (USPS, "TBA123456789012", "123456789012", "ZX-4471")
    }
    assert answers == {
        USPS: {"carrier": "USPS", "distinctive": True},
        "TBA123456789012": {"carrier": "Amazon Logistics", "distinctive": True},
        "123456789012": {"carrier": "FedEx", "distinctive": False},
        "ZX-4471": {"carrier": None},
    }


def test_items_show_the_products_name_with_the_asin_small(
    shop: DeskShop, desk: DeskService
) -> None:
    [order] = shop.add_orders("photo-text")
    shop.print_order(order)
    [item] = shop.store.items(order_id=order)
    product = load_settings(shop.config).product_for(item.asin, item.sku)
    assert product is not None and item.asin and product.name != item.asin
    client = logged_in(desk)
    board = client.get("/").text.split('id="held-title"')[0]
    page = client.get(f"/orders/{order}").text
    for html in (board, page):
        shown = html.replace("&#39;", "'")
        assert f'<span class="product">{product.name}</span>' in shown
        assert f'<span class="empty code">{item.asin}</span>' in shown


def test_a_product_not_in_products_toml_shows_its_sku(shop: DeskShop, desk: DeskService) -> None:
    shop.hostile_held_job()  # a SKU no product lists (and markup, escaped)
    page = logged_in(desk).get("/orders/777-0000001-0000001").text
    assert '<span class="product">&lt;script&gt;' in page  # the SKU, once
    assert page.count("&lt;script&gt;window.__pwned") == 2  # the SKU and the hold's reason
    assert '<span class="empty code">B0HOSTILE1</span>' in page
