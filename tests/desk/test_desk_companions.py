"""Companion items on the desk page, against the simulator: held, released, shipped with carrier,
tracking number and tracking page, a proof-of-delivery link fetched fresh, and trouble listed
first (Amazon cannot send them, refused a cancel, a hold running out), all of it escaped."""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from production.app.wiring import desk_service
from production.config.settings import load_settings
from production.desk import DeskService
from production.shipping.confirm import Shipping
from production.store import CompanionState
from tests.companions.mcf_shop import LEASH, McfShop
from tests.companions.test_companions import DAY, PACE_STATUS, _sandbox_status
from tests.desk.desk_shop import ENVIRON, HOSTILE
from tests.desk.test_desk_http import logged_in

C = CompanionState


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[McfShop]:
    shop = McfShop(tmp_path)
    with (shop.config / "shop.toml").open("a") as shop_toml:
        shop_toml.write('\n[desk]\nlisten = "127.0.0.1:8080"\n')
    with shop.connect():
        yield shop
    shop.close()


@contextmanager
def desk_of(shop: McfShop) -> Iterator[DeskService]:
    service = desk_service(
        load_settings(shop.config),
        amazon=shop.client,
        fulfillment=shop.client,
        wake=lambda: None,
        environ=ENVIRON,
        port=0,
    )
    service.start()
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture
def desk(shop: McfShop) -> Iterator[DeskService]:
    with desk_of(shop) as service:
        yield service


def section(page: str, title_id: str) -> str:
    """The part of the board after the heading with this id, up to the next section."""
    return page.split(f'id="{title_id}"')[1].split("</section>")[0]


def test_companions_are_shown_from_hold_to_delivery_with_a_fresh_proof_link(
    shop: McfShop, desk: DeskService
) -> None:
    order_id = shop.order("text-only", 1)
    shop.step()
    http = logged_in(desk)
    page = http.get(f"/orders/{order_id}").text
    assert "Sent by Amazon (companion items)" in page
    assert f"1 × {LEASH}" in page and "held at Amazon until the order is printed" in page

    shop.print_order(order_id)
    shop.step()
    ready = section(http.get("/").text, "ready-title")
    assert f'data-order="{order_id}"' in ready
    assert "released: Amazon is packing them (Planning at Amazon)" in ready

    Shipping(shop.store, amazon=None, marketplace_id=None).ship(
        order_id, carrier="USPS", tracking="9400100000000000000001"
    )
    _sandbox_status(shop, order_id, "Complete")
    shop.advance(PACE_STATUS)
    shop.step()
    shipped = section(http.get("/").text, "shipped-title")
    [package] = shop.at_amazon()[order_id].packages
    assert "Sent by Amazon" in shipped and "shipped by Amazon" in shipped
    assert package.tracking_number in shipped and "in transit" in shipped
    assert "proof of delivery" not in shipped

    shop.advance(3 * DAY)
    shop.step()
    assert shop.record(order_id).state is C.DELIVERED
    page = http.get(f"/orders/{order_id}").text
    link = f"https://www.swiship.com/track?id={package.amazon_tracking_number}"
    assert f'href="{html.escape(link)}"' in page and f">{package.tracking_number}</a>" in page
    assert "delivered by Amazon" in page and "UPS" in page
    proof = f"/companions/{order_id}/packages/{package.number}/proof"
    assert f'href="{proof}"' in page

    answer = http.get(proof)
    assert answer.status_code == 303
    photo = answer.headers["location"]
    assert photo.startswith(f"{shop.server.base_url}/delivery-images/{package.number}.png?")
    image = httpx.get(photo)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert photo not in str(shop.store.companion_orders())  # never kept: it expires in an hour


def test_the_proof_link_needs_a_login_and_a_known_order(shop: McfShop, desk: DeskService) -> None:
    order_id = shop.order("text-only", 1)
    shop.step()
    anonymous = httpx.Client(base_url=desk.base_url)
    answer = anonymous.get(f"/companions/{order_id}/packages/1/proof")
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")
    http = logged_in(desk)
    unknown = http.get("/companions/not-ours/packages/1/proof", follow_redirects=True)
    assert "No companion order “not-ours” here." in unknown.text
    not_yet = http.get(f"/companions/{order_id}/packages/1/proof", follow_redirects=True)
    assert "Amazon has no proof of delivery for package 1 yet." in not_yet.text


def test_trouble_with_companions_is_listed_first(shop: McfShop, desk: DeskService) -> None:
    shop.state.mcf.stock(LEASH, 1)
    out_of_stock = shop.order("text-only", 2)
    shop.step()  # takes the last leash
    refused = out_of_stock
    out_of_stock = shop.order("text-only", 3)
    shop.step()
    expiring = shop.order("photo-text", 4)
    shop.step()
    shop.print_order(refused)
    shop.step()
    shop.advance(shop.state.mcf.planning_seconds)
    shop.daemon.pipeline.cancel_order(refused, reason="cancelled on Amazon")
    shop.advance(10 * DAY)
    shop.step()
    assert shop.record(refused).state is C.CANCEL_REFUSED
    assert shop.record(out_of_stock).state is C.UNFULFILLABLE
    assert shop.record(expiring).warned_at is not None

    page = logged_in(desk).get("/").text
    attention = section(page, "companions-title")
    assert f'data-attention="{refused}"' in attention
    assert "Amazon did not cancel them: they ship anyway" in attention
    assert "it is Processing at Amazon" in attention
    assert f'data-attention="{out_of_stock}"' in attention
    assert "Amazon cannot send them" in attention and "InventoryUnavailable" in attention
    assert f'data-attention="{expiring}"' in attention
    assert "Amazon cancels the hold on" in attention
    held = section(page, "held-title")
    assert out_of_stock in held and "companion" in held


def test_amazons_words_are_escaped(shop: McfShop, desk: DeskService) -> None:
    order_id = shop.order("text-only", 1)
    shop.step()
    record = shop.record(order_id)
    shop.store.save_companion_order(replace(record, state=C.CANCEL_REFUSED, message=HOSTILE))
    http = logged_in(desk)
    for path in ("/", f"/orders/{order_id}"):
        page = http.get(path).text
        assert "<script>window" not in page and "<img src=x" not in page
        assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
