"""Labels on the desk in a real Chromium, against the simulator's Shipping v2: a refused label at
the top of the board in Amazon's words, bought once fixed, reprinted after a confirmation; an
order split into two packages with the page's own form; with `buy = "scan"`, the scanner buys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from production.desk import DeskService
from production.store import LabelState
from tests.desk.desk_shop import PASSWORD
from tests.desk.label_desk import label_desk_shop
from tests.shipping.label_shop import read_label

pytestmark = pytest.mark.slow  # a real browser: `-m 'not slow'` skips them

TIMEOUT_MS = 15_000
L = LabelState


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def log_in(page: Page, desk: DeskService) -> None:
    page.goto(desk.base_url + "/")
    page.locator("#password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(desk.base_url + "/")


def test_a_refused_label_tops_the_board_is_bought_when_fixed_and_reprinted(
    tmp_path: Path, page: Page
) -> None:
    with label_desk_shop(tmp_path) as shop:
        calm, _ = shop.order("photo-text", number=1)
        refused, _ = shop.order("photo-text", number=2)
        shop.state.set_status(refused, "Pending")
        log_in(page, shop.desk)
        page.goto(f"{shop.desk.base_url}/orders/{refused}")
        page.get_by_role("button", name="Buy label").click()
        expect(page.locator(".flash.error")).to_contain_text("Amazon refused the label")
        (record,) = shop.labels(refused)
        assert record.state is L.REFUSED and record.message

        page.goto(shop.desk.base_url + "/")
        first = page.locator("#board section").first
        expect(first.locator("h2")).to_contain_text("Labels waiting for you")
        row = first.locator(f'[data-label-order="{refused}"]')
        expect(row.locator(".label-message")).to_have_text(record.message)
        expect(first.locator(f'[data-label-order="{calm}"]')).to_have_count(0)

        shop.state.set_status(refused, "Unshipped")  # the person fixed it at Amazon
        row.get_by_role("link", name=refused).click()
        page.get_by_role("button", name="Buy label").click()
        expect(page.locator(".flash.ok")).to_contain_text("label bought")
        (bought,) = shop.labels(refused)
        assert bought.tracking
        link = page.locator('[data-label="1"] a.tracking')
        expect(link).to_have_text(bought.tracking)
        assert bought.tracking in (link.get_attribute("href") or "")

        page.once("dialog", lambda dialog: dialog.accept())  # "Void the label … buy a new one?"
        page.get_by_role("button", name="Reprint label").click()
        expect(page.locator(".flash.ok")).to_contain_text(
            f"Voided {bought.tracking}. Package 1: label bought"
        )
        new = shop.labels(refused)[-1]
        assert new.state is L.BOUGHT and new.tracking and new.tracking != bought.tracking
        expect(page.locator('[data-state="bought"] a.tracking')).to_have_text(new.tracking)
        expect(page.locator('[data-state="voided"]')).to_contain_text(bought.tracking)
        statuses = {str(s["trackingId"]): s["status"] for s in shop.at_amazon(refused)}
        assert statuses == {bought.tracking: "Cancelled", new.tracking: "Purchased"}
        (label,) = shop.label_files()
        assert read_label(label) == new.tracking
        page.goto(shop.desk.base_url + "/")
        expect(page.locator("#labels-title")).to_have_count(0)


def test_an_order_split_on_the_page_gets_two_labels(tmp_path: Path, page: Page) -> None:
    with label_desk_shop(tmp_path) as shop:
        order_id, (mug, sign) = shop.order("photo-text", "text-only")
        log_in(page, shop.desk)
        page.goto(f"{shop.desk.base_url}/orders/{order_id}")
        page.get_by_text("Split into packages").click()
        page.get_by_label(f"package of item {sign.order_item_id}").fill("2")
        page.get_by_role("button", name="Split").click()
        expect(page.locator(".flash.ok")).to_contain_text("Package 2: label bought")
        records = shop.labels(order_id)
        assert [(r.package_ref, r.items, r.state) for r in records] == [
            ("1", ((mug.order_item_id, 1),), L.BOUGHT),
            ("2", ((sign.order_item_id, 1),), L.BOUGHT),
        ]
        for record in records:
            row = page.locator(f'[data-label="{record.package_ref}"]')
            expect(row.locator("a.tracking")).to_have_text(record.tracking or "?")
        assert sorted(map(read_label, shop.label_files())) == sorted(
            r.tracking or "" for r in records
        )


def test_with_buy_scan_the_scanner_buys_the_label(tmp_path: Path, page: Page) -> None:
    with label_desk_shop(tmp_path, shipping='labels = "amazon"\nbuy = "scan"') as shop:
        order_id, (item,) = shop.order("photo-text")
        log_in(page, shop.desk)
        page.locator("body").click(position={"x": 5, "y": 300})  # nothing focused
        page.keyboard.type(f"{item.order_item_id}-FRONT")  # the job ticket's barcode
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{shop.desk.base_url}/orders/{order_id}")
        expect(page.locator(".flash.ok")).to_contain_text("label bought")
        (record,) = shop.labels(order_id)
        expect(page.locator('[data-label="1"] a.tracking')).to_have_text(record.tracking or "?")
        assert len(shop.at_amazon(order_id)) == 1
