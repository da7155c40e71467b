"""The ship-by date of an order, from whichever API brought it, onto the items in the store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from production.floor.amazon_intake import AmazonItem, AmazonOrder, OrderIntake, _order_2026
from tests.daemon.shop import Shop, sample

SHIP_BY = datetime(2026, 3, 4, 6, 59, 59, tzinfo=UTC)
ITEM, ORDER = "90000000000033", "900-0000003-0000003"  # the photo-text.zip sample


class NoDownloads:
    def download(self, url: str, *, max_bytes: int) -> bytes:
        raise AssertionError("a known item is not downloaded again")

    def iter_search_orders(self, **_: Any) -> Iterator[dict[str, Any]]:
        return iter(())


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    shop = Shop(tmp_path)
    yield shop
    shop.close()


def test_an_item_taken_in_without_its_date_gets_it_from_the_next_poll(shop: Shop) -> None:
    shop.drop(sample("photo-text").read_bytes(), "by hand.zip")  # or the process died meanwhile
    shop.settle()
    item = shop.store.item(ITEM)
    assert item is not None and item.ship_by is None
    intake = OrderIntake(NoDownloads(), shop.daemon.pipeline, marketplace_ids=["ATVPDKIKX0DER"])
    amazon_item = AmazonItem(ITEM, "B0SAMPLE03", None, 1, customized_url="https://x/z.zip")
    intake.take([AmazonOrder(ORDER, SHIP_BY, "UNSHIPPED", (amazon_item,), ship_by=SHIP_BY)])
    item = shop.store.item(ITEM)
    assert item is not None and item.ship_by == SHIP_BY


def test_a_missing_or_malformed_ship_by_date_is_none_and_stops_nothing() -> None:
    raw: dict[str, Any] = {"orderId": ORDER, "orderItems": [], "fulfillment": {}}
    assert _order_2026(raw).ship_by is None
    raw["fulfillment"] = {"shipByWindow": {"latestDateTime": "next Tuesday"}}
    assert _order_2026(raw).ship_by is None
    raw["fulfillment"] = {"shipByWindow": {"latestDateTime": "2026-03-04T06:59:59Z"}}
    assert _order_2026(raw).ship_by == SHIP_BY
