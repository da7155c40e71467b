"""The desk page over real HTTP: access, CSRF, escaping, shipping, scanning, proofs, retry."""

from __future__ import annotations

import io
import json
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from production.amazon.client import SpApiClient
from production.amazon.credentials import Credentials
from production.amazon.sim import SimState, serve
from production.amazon.sim.auth import DEFAULT_CREDENTIALS
from production.app.wiring import desk_service
from production.config.settings import load_settings
from production.core.errors import ConfigError
from production.desk import DeskService
from production.store import JobState, ShipmentState
from tests.daemon.processes import Floor
from tests.daemon.shop import renumbered, sample
from tests.desk.desk_shop import HOSTILE, PASSWORD, DeskShop
from tests.finishing.test_proof_check import MUG_MM_PER_UNIT
from tests.finishing.zips import moved_in_json, moved_in_svg, rewritten


def logged_in(desk: DeskService) -> httpx.Client:
    return logged_in_at(desk.base_url)


def ship(client: httpx.Client, order: str, *, follow: bool = False, **form: str) -> httpx.Response:
    """Post the order page's ship form, with the token the page carries, as a browser would."""
    token = csrf_of(client.get(f"/orders/{order}").text)
    return client.post(
        f"/orders/{order}/ship", data={"csrf": token, **form}, follow_redirects=follow
    )


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "the page has no CSRF field"
    return match.group(1)


# -- access --------------------------------------------------------------------------------------


def test_there_is_no_desk_without_a_password(shop: DeskShop) -> None:
    with pytest.raises(ConfigError, match="PRODUCTION_DESK_PASSWORD"):
        desk_service(load_settings(shop.config), amazon=None, wake=lambda: None, environ={})


def test_the_daemon_refuses_to_start_with_a_desk_but_no_password(shop: DeskShop) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "production", "run", "--config", str(shop.config)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 1
    assert "PRODUCTION_DESK_PASSWORD" in run.stderr
    assert "Traceback" not in run.stderr


def test_every_page_needs_a_login(shop: DeskShop, desk: DeskService) -> None:
    [order] = shop.add_orders("text-only")
    shop.print_order(order)
    [job] = shop.store.jobs(order_id=order)
    client = httpx.Client(base_url=desk.base_url)
    for path in ("/", f"/orders/{order}", f"/scan?code={job.job_id}"):
        answer = client.get(path)
        assert (answer.status_code, answer.headers["location"]) == (303, "/login"), path
    for path in ("/fragments/board", f"/fragments/orders/{order}", f"/proofs/{job.job_id}.png"):
        assert client.get(path).status_code == 401, path
    shipped = client.post(f"/orders/{order}/ship", data={"carrier": "UPS", "tracking": "1Z"})
    assert shipped.status_code == 303 and shipped.headers["location"] == "/login"
    assert shop.store.shipments() == []
    # A made-up session id is no session.
    client.cookies.set("desk_session", "forged")
    assert client.get("/").headers["location"] == "/login"


def test_a_wrong_password_is_refused_and_guessing_is_slowed(desk: DeskService) -> None:
    client = httpx.Client(base_url=desk.base_url)
    for _ in range(5):
        token = csrf_of(client.get("/login").text)
        answer = client.post("/login", data={"password": "guess", "csrf": token})
        assert answer.status_code == 401 and "Wrong password" in answer.text
        assert "desk_session" not in answer.cookies
    token = csrf_of(client.get("/login").text)
    answer = client.post("/login", data={"password": PASSWORD, "csrf": token})
    assert answer.status_code == 429 and "Too many wrong passwords" in answer.text


def test_the_session_cookie_is_httponly_and_samesite(desk: DeskService) -> None:
    client = httpx.Client(base_url=desk.base_url)
    token = csrf_of(client.get("/login").text)
    answer = client.post("/login", data={"password": PASSWORD, "csrf": token})
    [cookie] = [
        v for k, v in answer.headers.multi_items() if k == "set-cookie" and "desk_session=" in v
    ]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert client.get("/").status_code == 200


def test_logging_out_ends_the_session(desk: DeskService) -> None:
    client = logged_in(desk)
    page = client.get("/")
    assert client.post("/logout", data={"csrf": csrf_of(page.text)}).status_code == 303
    assert client.get("/").headers["location"] == "/login"


def test_pages_carry_security_headers(desk: DeskService) -> None:
    answer = logged_in(desk).get("/")
    assert "default-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-frame-options"] == "DENY"


# -- CSRF ----------------------------------------------------------------------------------------


def test_a_post_without_the_csrf_token_is_rejected(shop: DeskShop, desk: DeskService) -> None:
    [order] = shop.add_orders("text-only")
    shop.print_order(order)
    client = logged_in(desk)
    token = csrf_of(client.get(f"/orders/{order}").text)
    form = {"carrier": "UPS", "tracking": "1Z999", "ship_date": ""}
    for bad in ({}, {"csrf": ""}, {"csrf": token[:-2] + "xx"}):
        answer = client.post(f"/orders/{order}/ship", data=form | bad)
        assert answer.status_code == 403 and "CSRF" in answer.text
    # The right token from another site's page is refused too.
    answer = client.post(
        f"/orders/{order}/ship", data=form | {"csrf": token}, headers={"Origin": "http://evil.test"}
    )
    assert answer.status_code == 403
    assert shop.store.shipments() == []
    assert {j.state for j in shop.store.jobs(order_id=order)} == {JobState.PRINTED}


def test_a_login_post_not_from_the_login_form_is_rejected(desk: DeskService) -> None:
    client = httpx.Client(base_url=desk.base_url)
    answer = client.post("/login", data={"password": PASSWORD, "csrf": "made-up"})
    assert answer.status_code == 403 and "desk_session" not in answer.cookies


# -- what the page shows -------------------------------------------------------------------------


def test_the_page_escapes_everything_it_shows(shop: DeskShop, desk: DeskService) -> None:
    shop.hostile_held_job()
    page = logged_in(desk).get("/").text
    assert HOSTILE not in page and "<script>window" not in page and "<img src=x" not in page
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    scanned = logged_in(desk).get("/scan", params={"code": HOSTILE}, follow_redirects=True).text
    assert "<script>window" not in scanned and "Nothing found for" in scanned


def test_ready_orders_show_items_quantities_proofs_and_ship_by(
    shop: DeskShop, desk: DeskService
) -> None:
    ready, waiting = shop.add_orders("two-surfaces", "text-only")
    shop.print_order(ready)
    page = logged_in(desk).get("/").text
    board = page.split('id="held-title"')[0]
    assert f'data-order="{ready}"' in board and f'data-order="{waiting}"' not in board
    jobs = shop.store.jobs(order_id=ready)
    assert len(jobs) == 2
    for job in jobs:
        assert f'src="/proofs/{job.job_id}.png"' in board
    [item] = shop.store.items(order_id=ready)
    assert f"{item.quantity} ×" in board
    assert "ship by" in board


def test_a_proof_is_a_small_png_of_the_print_pdf(shop: DeskShop, desk: DeskService) -> None:
    [order] = shop.add_orders("photo-text")
    shop.print_order(order)
    [job] = shop.store.jobs(order_id=order)
    answer = logged_in(desk).get(f"/proofs/{job.job_id}.png")
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
    picture = Image.open(io.BytesIO(answer.content))
    assert max(picture.size) == 360
    # types-Pillow 10.2 predates Image.get_flattened_data (Pillow 12), which Pillow itself types.
    pixels = picture.convert("L").get_flattened_data()  # type: ignore[attr-defined]
    assert len(set(pixels)) > 50  # a photo, not a blank page
    assert (shop.config / "data" / "proofs" / f"{job.stem}.png").exists()


def test_an_options_only_item_has_no_proof(shop: DeskShop, desk: DeskService) -> None:
    [order] = shop.add_orders("options-only")
    shop.print_order(order)
    [job] = shop.store.jobs(order_id=order)
    client = logged_in(desk)
    assert client.get(f"/proofs/{job.job_id}.png").status_code == 404
    page = client.get(f"/orders/{order}").text
    assert "nothing to print" in page
    # What to take from stock instead: the listing's options from the ticket.
    ticket = json.loads((shop.config / "data" / "masters" / f"{job.stem}.json").read_text())
    assert ticket["options"]
    for option in ticket["options"]:
        assert f"{option['label']}: {option['value']}" in page


def test_live_fragments_answer_304_while_nothing_changed(shop: DeskShop, desk: DeskService) -> None:
    [order] = shop.add_orders("text-only")
    client = logged_in(desk)
    first = client.get("/fragments/board")
    assert first.status_code == 200 and order not in first.text.split('id="held-title"')[0]
    same = client.get("/fragments/board", headers={"If-None-Match": first.headers["etag"]})
    assert same.status_code == 304
    shop.print_order(order)
    changed = client.get("/fragments/board", headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200 and f'data-order="{order}"' in changed.text


# -- scanning ------------------------------------------------------------------------------------


def test_scanning_a_job_barcode_opens_its_order(shop: DeskShop, desk: DeskService) -> None:
    [order] = shop.add_orders("two-surfaces")
    [job, _] = shop.store.jobs(order_id=order)
    client = logged_in(desk)
    for code in (job.job_id, f"  {job.job_id}\t", job.job_id.lower(), order, job.order_item_id):
        answer = client.get("/scan", params={"code": code})
        assert (answer.status_code, answer.headers["location"]) == (303, f"/orders/{order}"), code
    missing = client.get("/scan", params={"code": "12345-NOPE"}, follow_redirects=True)
    assert "Nothing found for “12345-NOPE”" in missing.text


# -- shipping ------------------------------------------------------------------------------------


def test_without_amazon_the_shipment_is_recorded_by_hand(shop: DeskShop, desk: DeskService) -> None:
    [order] = shop.add_orders("text-only")
    shop.print_order(order)
    client = logged_in(desk)
    answer = ship(client, order, carrier="UPS", tracking="1Z999AA10123456784", ship_date="")
    assert (answer.status_code, answer.headers["location"]) == (303, "/")
    [package] = shop.store.shipments(order_id=order)
    assert (package.state, package.carrier, package.tracking) == (
        ShipmentState.MANUAL,
        "UPS",
        "1Z999AA10123456784",
    )
    assert {j.state for j in shop.store.jobs(order_id=order)} == {JobState.SHIPPED}
    page = client.get("/").text
    assert "confirm it in Seller Central" in page
    shipped = page.split('id="shipped-title"')[1]
    assert f'data-shipped="{order}"' in shipped and "1Z999AA10123456784" in shipped


def test_a_ship_date_in_the_future_is_refused(shop: DeskShop, desk: DeskService) -> None:
    [order] = shop.add_orders("text-only")
    shop.print_order(order)
    client = logged_in(desk)
    answer = ship(client, order, carrier="UPS", tracking="1Z1", ship_date="2999-01-01", follow=True)
    assert "The ship date is in the future." in answer.text
    assert shop.store.shipments() == []


def test_an_order_not_printed_cannot_be_shipped(shop: DeskShop, desk: DeskService) -> None:
    [order] = shop.add_orders("text-only")
    client = logged_in(desk)
    page = client.get(f"/orders/{order}").text
    assert "Confirm shipment" not in page and "0 of 1 printed" in page
    answer = client.post(
        f"/orders/{order}/ship",
        data={"csrf": csrf_of(page), "carrier": "UPS", "tracking": "1Z1"},
        follow_redirects=True,
    )
    assert "not printed yet" in answer.text
    assert shop.store.shipments(order_id=order) == []


@pytest.fixture
def amazon(shop: DeskShop) -> Iterator[tuple[SimState, SpApiClient]]:
    state = SimState(visibility_delay=0)
    with serve(state) as sim:
        shop.connect_amazon(sim.base_url, state.marketplace_id)
        credentials = Credentials(
            DEFAULT_CREDENTIALS.client_id,
            DEFAULT_CREDENTIALS.client_secret,
            DEFAULT_CREDENTIALS.refresh_token,
        )
        client = SpApiClient(
            endpoint=sim.base_url, lwa_endpoint=sim.base_url, credentials=credentials
        )
        try:
            yield state, client
        finally:
            client.close()


def test_with_amazon_the_shipment_is_confirmed(
    shop: DeskShop, amazon: tuple[SimState, SpApiClient]
) -> None:
    state, client = amazon
    [order] = shop.add_orders("text-only")
    state.add_order(_zip_of(shop, order))
    shop.print_order(order)
    with shop.desk(amazon=client) as desk:
        http = logged_in(desk)
        answer = ship(http, order, carrier="UPS", tracking="1Z999AA10123456784", follow=True)
    assert "Amazon confirmed the shipment (UPS 1Z999AA10123456784)" in answer.text
    [package] = shop.store.shipments(order_id=order)
    assert package.state is ShipmentState.CONFIRMED
    assert [s.package.tracking_number for s in state.shipments(order)] == ["1Z999AA10123456784"]


def test_amazons_refusal_is_shown_word_for_word(
    shop: DeskShop, amazon: tuple[SimState, SpApiClient]
) -> None:
    _, client = amazon
    [order] = shop.add_orders("text-only")  # never told to Amazon: it does not know the order
    shop.print_order(order)
    with shop.desk(amazon=client) as desk:
        http = logged_in(desk)
        answer = ship(http, order, carrier="UPS", tracking="1Z1", follow=True)
    assert f"Order {order}: Amazon refused the confirmation:" in answer.text
    assert f"Order {order} was not found" in answer.text  # Amazon's own words
    assert {j.state for j in shop.store.jobs(order_id=order)} == {JobState.PRINTED}


def _zip_of(shop: DeskShop, order: str) -> bytes:
    [item] = shop.store.items(order_id=order)
    return Path(item.zip_path).read_bytes()


# -- held jobs -----------------------------------------------------------------------------------


def test_a_held_job_is_retried_from_the_page(shop: DeskShop, desk: DeskService) -> None:
    shop.hot("laser-1").rename(shop.config / "hot" / "laser-1-away")  # the share went missing
    [order] = shop.add_orders("text-only")
    [job] = shop.store.jobs(order_id=order)
    assert (job.state, job.cause) == (JobState.HELD, "printer")
    client = logged_in(desk)
    page = client.get("/").text
    held = page.split('id="held-title"')[1].split('id="shipped-title"')[0]
    assert f'data-job="{job.job_id}"' in held and "laser-1" in held
    answer = client.post(
        f"/jobs/{job.job_id}/retry", data={"csrf": csrf_of(page), "back": "https://evil.test/"}
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/")
    assert shop.job(job.job_id).state is JobState.RECEIVED
    assert shop.wakes == 1
    again = client.post(
        f"/jobs/{job.job_id}/retry", data={"csrf": csrf_of(page)}, follow_redirects=True
    )
    assert f"Job {job.job_id} is not held (it is received)" in again.text


# -- inside the daemon ---------------------------------------------------------------------------


def test_the_running_daemon_serves_the_desk_and_stops_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    floor = Floor(tmp_path, settle=0.2)
    with socket.socket() as probe:  # a free port for the configuration
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (floor.config / "shop.toml").open("a") as shop_toml:
        shop_toml.write(f'\n[desk]\nlisten = "127.0.0.1:{port}"\n')
    monkeypatch.setenv("PRODUCTION_DESK_PASSWORD", PASSWORD)
    run = floor.start()
    try:
        floor.drop(renumbered(sample("text-only"), 5), "order.zip")
        floor.wait_event(run, lambda e: e.get("state") == "queued", timeout=30, what="a job")
        [job_id] = floor.peek_states()
        done = subprocess.run(
            [sys.executable, "-m", "production", "done", job_id, "--config", str(floor.config)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        [event] = [e for e in run.events() if e.get("state") == "desk page"]
        assert event["url"] == f"http://127.0.0.1:{port}"
        client = logged_in_at(f"http://127.0.0.1:{port}")
        assert client.get("/scan", params={"code": job_id}).status_code == 303
        assert 'data-order="901-0000005-' in client.get("/").text
        assert floor.stop(run) == 0
    finally:
        floor.stop_all()
    with socket.socket() as again:  # the port is free again
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past TIME_WAIT
        again.bind(("127.0.0.1", port))


def logged_in_at(base_url: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url)
    token = csrf_of(client.get("/login").text)
    assert client.post("/login", data={"password": PASSWORD, "csrf": token}).status_code == 303
    return client


def test_a_job_held_by_the_proof_check_shows_both_pictures(
    shop: DeskShop, desk: DeskService
) -> None:
    units = 5 / MUG_MM_PER_UNIT  # the photo moved 5 mm away from where the buyer put it
    marker = "d26e15ba-ac45-3d40-8260-fee4e36d4b94.jpg"
    shifted = rewritten(
        renumbered(sample("photo-text"), 9),
        svg=moved_in_svg(marker, units),
        document=moved_in_json(marker, units),
    )
    shop.drop(shifted, "shifted.zip")
    shop.settle()
    [job] = shop.store.jobs()
    assert (job.state, job.cause) == (JobState.HELD, "proof")
    client = logged_in(desk)
    page = client.get(f"/orders/{job.order_id}").text
    assert f'src="/comparisons/{job.job_id}.png"' in page
    # Three panels, each named in the caption in the order the picture has them.
    figure = page.split('<figure class="comparison">')[1]
    caption = figure.split("<figcaption>")[1].split("</figcaption>")[0]
    assert "left" not in caption and "right" not in caption
    named = ["our print file", "Amazon's preview", "where they differ"]
    where = [caption.replace("&#39;", "'").find(text) for text in named]
    assert -1 not in where and where == sorted(where), caption
    picture = client.get(f"/comparisons/{job.job_id}.png")
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    width, height = Image.open(io.BytesIO(picture.content)).size
    assert width > 2 * height  # the pictures side by side
    assert httpx.get(f"{desk.base_url}/comparisons/{job.job_id}.png").status_code == 401
