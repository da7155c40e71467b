"""The desk page in a real Chromium: log in, see, scan, confirm, watch it move — by keyboard."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from production.amazon.client import SpApiClient
from production.desk import DeskService
from production.store import JobState, ShipmentState
from tests.amazon.misbehaving import misbehaving_amazon
from tests.amazon.test_answers_bounded import CREDENTIALS
from tests.desk.desk_shop import PASSWORD, DeskShop

pytestmark = pytest.mark.slow  # real processes end to end: `-m 'not slow'` skips them

TIMEOUT_MS = 10_000


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def log_in(page: Page, desk: DeskService) -> None:
    page.goto(desk.base_url + "/")
    expect(page).to_have_url(desk.base_url + "/login")
    page.keyboard.type(PASSWORD)  # the password field has the focus
    page.keyboard.press("Enter")
    expect(page).to_have_url(desk.base_url + "/")


def test_a_packer_scans_a_job_and_confirms_the_shipment(
    shop: DeskShop, desk: DeskService, page: Page
) -> None:
    first, second = shop.add_orders("two-surfaces", "photo-text")
    shop.print_order(first)
    shop.print_order(second)
    job = shop.store.jobs(order_id=first)[0]
    log_in(page, desk)
    ready = page.locator("#board section").first
    expect(ready.locator(f'[data-order="{first}"]')).to_be_visible()
    expect(ready.locator(f'[data-order="{first}"] img')).to_have_count(2)
    # The proofs really load (a broken image has no natural width).
    page.wait_for_function(
        "() => [...document.querySelectorAll('.proofs img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )

    page.locator("body").click(position={"x": 5, "y": 300})  # nothing focused: as after a click
    page.keyboard.type(job.job_id)  # the scanner types the ticket's barcode, then Enter
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{desk.base_url}/orders/{first}")
    expect(page.locator("#tracking")).to_be_focused()
    page.locator("#carrier").fill("UPS")
    page.locator("#tracking").focus()
    page.keyboard.type("1Z999AA10123456784")
    page.keyboard.press("Enter")

    expect(page).to_have_url(desk.base_url + "/")
    expect(page.locator(".flash")).to_contain_text(f"Order {first}: shipment recorded here")
    shipped = page.locator("#board section").nth(2)
    expect(shipped.locator(f'[data-shipped="{first}"]')).to_contain_text("1Z999AA10123456784")
    expect(ready.locator(f'[data-order="{first}"]')).to_have_count(0)
    expect(ready.locator(f'[data-order="{second}"]')).to_be_visible()
    [package] = shop.store.shipments(order_id=first)
    assert package.state is ShipmentState.MANUAL and package.carrier == "UPS"
    assert {j.state for j in shop.store.jobs(order_id=first)} == {JobState.SHIPPED}


def test_the_carrier_is_filled_from_the_number_as_it_is_scanned(
    shop: DeskShop, desk: DeskService, page: Page
) -> None:
    first, second = shop.add_orders("text-only", "photo-text")
    shop.print_order(first)
    shop.print_order(second)
    log_in(page, desk)
    page.goto(f"{desk.base_url}/orders/{first}")
    expect(page.locator("#carrier")).to_have_value("")
    page.keyboard.type("1Z999AA10123456784")  # the tracking field has the focus
    expect(page.locator("#carrier")).to_have_value("UPS")
    page.keyboard.press("Enter")
    expect(page).to_have_url(desk.base_url + "/")
    # The next order: not the last carrier, but the one this number names.
    page.goto(f"{desk.base_url}/orders/{second}")
    expect(page.locator("#carrier")).to_have_value("")
    page.keyboard.type("9400111899223100000033")
    expect(page.locator("#carrier")).to_have_value("USPS")
    expect(page.locator("#carrier-hint")).to_contain_text("USPS")
    page.keyboard.press("Enter")
    expect(page).to_have_url(desk.base_url + "/")
    [package] = shop.store.shipments(order_id=second)
    assert (package.carrier, package.tracking) == ("USPS", "9400111899223100000033")


def test_the_login_label_sits_under_the_heading(desk: DeskService, page: Page) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(desk.base_url + "/login")
    boxes = [
        page.locator(selector).bounding_box()
        for selector in (".login h1", 'label[for="password"]', "#password", ".login button")
    ]
    assert all(box is not None for box in boxes)
    heading, label, field, button = [box for box in boxes if box is not None]
    assert label["y"] >= heading["y"] + heading["height"]  # below it, not beside it
    assert field["y"] >= label["y"] + label["height"]
    assert button["y"] >= field["y"] + field["height"]
    assert abs(label["x"] - heading["x"]) < 2  # one column, aligned on the left


def test_the_board_updates_without_a_reload(shop: DeskShop, desk: DeskService, page: Page) -> None:
    [order] = shop.add_orders("text-only")
    log_in(page, desk)
    expect(page.locator(f'[data-order="{order}"]')).to_have_count(0)
    page.evaluate("window.__sameDocument = true")
    shop.print_order(order)  # the last job of the order comes off the printer
    expect(page.locator(f'[data-order="{order}"]')).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True  # updated in place, not reloaded


def test_pages_need_the_password(shop: DeskShop, desk: DeskService, page: Page) -> None:
    [order] = shop.add_orders("text-only")
    page.goto(f"{desk.base_url}/orders/{order}")
    expect(page).to_have_url(desk.base_url + "/login")
    page.locator("#password").fill("not the password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_have_text("Wrong password.")
    assert order not in page.content()
    cookies = page.context.cookies()
    assert all(c["name"] != "desk_session" for c in cookies)


def test_markup_in_the_data_is_shown_as_text(shop: DeskShop, desk: DeskService, page: Page) -> None:
    job = shop.hostile_held_job()
    log_in(page, desk)
    row = page.locator(f'[data-job="{job.job_id}"]')
    expect(row).to_contain_text("<script>window.__pwned = 1</script>")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#board script, #board img[src=x]").count() == 0


def test_a_form_posted_from_another_site_ships_nothing(
    shop: DeskShop, desk: DeskService, page: Page, tmp_path: Path
) -> None:
    [order] = shop.add_orders("text-only")
    shop.print_order(order)
    log_in(page, desk)
    attack = (
        f'<form id="f" method="post" action="{desk.base_url}/orders/{order}/ship">'
        '<input name="carrier" value="UPS"><input name="tracking" value="STOLEN"></form>'
        '<script>document.getElementById("f").submit()</script>'
    )
    (tmp_path / "evil").mkdir()
    (tmp_path / "evil" / "index.html").write_text(attack)
    with _static_site(tmp_path / "evil") as evil:
        page.goto(evil)
        page.wait_for_url(lambda url: not url.startswith(evil))
    assert shop.store.shipments() == []
    assert {j.state for j in shop.store.jobs(order_id=order)} == {JobState.PRINTED}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _static_site:
    """Another origin on loopback (another port) serving `folder`."""

    def __init__(self, folder: Path) -> None:
        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), lambda *a: _Quiet(*a, directory=str(folder))
        )

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_port}/index.html"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_confirming_with_an_amazon_that_never_answers_ends_within_the_deadline(
    shop: DeskShop, page: Page
) -> None:
    [order] = shop.add_orders("text-only")
    shop.print_order(order)
    with misbehaving_amazon("hang") as (amazon, base_url):
        shop.connect_amazon(base_url, "ATVPDKIKX0DER")
        client = SpApiClient(
            endpoint=base_url, lwa_endpoint=base_url, credentials=CREDENTIALS, deadline=4.0
        )
        with client, shop.desk(amazon=client) as desk:
            log_in(page, desk)
            page.goto(f"{desk.base_url}/orders/{order}")
            page.locator("#carrier").fill("UPS")
            page.locator("#tracking").fill("1Z999AA10123456784")
            page.locator("#tracking").press("Enter")  # Playwright waits for the answer's page
            # The desk gave up with Amazon's call (not httpx's 30 s per attempt, six times),
            # and says what to do.
            flash = page.locator(".flash")
            expect(flash).to_contain_text("Amazon did not answer")
            expect(flash).to_contain_text("gave up after")
    assert amazon.requests == 1
    [package] = shop.store.shipments(order_id=order)
    assert package.tracking == "1Z999AA10123456784"
