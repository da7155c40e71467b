"""Labels bought through Amazon, on the desk page over real HTTP: the real desk server on
loopback, the shop's real SQLite store, the Amazon simulator's Shipping v2 on loopback.

What a packer cares about: the label of each package is on the order page with a link to the
carrier's tracking page; a damaged label is voided and bought again into the label printer's
folder (one live label at Amazon); a refusal is at the top of the board in Amazon's words;
with `buy = "scan"` the scan buys it; a split order gets a label per package.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from markupsafe import escape

from production.config.settings import load_settings
from production.desk import DeskService
from production.shipping.labels import Labels
from production.store import LabelState
from tests.desk.desk_shop import HOSTILE, DeskShop
from tests.desk.label_desk import LabelDeskShop, label_desk_shop
from tests.desk.test_desk_http import csrf_of, logged_in
from tests.shipping.label_shop import PACKAGES, read_label, set_packages

L = LabelState


@pytest.fixture
def labels_shop(tmp_path: Path) -> Iterator[LabelDeskShop]:
    with label_desk_shop(tmp_path) as shop:
        yield shop


def act(http: httpx.Client, order_id: str, action: str, **form: str | list[str]) -> str:
    """Press a label button of the order page (with the page's token); the page shown after."""
    token = csrf_of(http.get(f"/orders/{order_id}").text)
    data: dict[str, str | list[str]] = {"csrf": token, **form}
    answer = http.post(f"/orders/{order_id}/labels/{action}", data=data)
    assert (answer.status_code, answer.headers["location"]) == (303, f"/orders/{order_id}")
    return http.get(f"/orders/{order_id}").text


def section(page: str, title_id: str) -> str:
    return page.split(f'id="{title_id}"')[1].split("</section>")[0]


def test_the_bought_label_is_shown_with_a_link_to_the_carriers_tracking_page(
    labels_shop: LabelDeskShop,
) -> None:
    order_id, _ = labels_shop.order("photo-text")
    http = logged_in(labels_shop.desk)
    before = http.get(f"/orders/{order_id}").text
    assert "Shipping labels" in before and "No label yet" in before and "Buy label" in before

    page = act(http, order_id, "buy")
    (record,) = labels_shop.labels(order_id)
    assert record.state is L.BOUGHT and record.intent is not None and record.tracking
    intent = record.intent
    assert "label bought" in page and "in the label printer" in page  # the flash
    labels = section(page, "labels-title")
    assert 'data-label="1" data-state="bought"' in labels
    for shown in (intent.carrier, intent.service, f"${intent.cost:,.2f}", record.tracking):
        assert shown in labels
    link = f"https://tools.usps.com/go/TrackConfirmAction?tLabels={record.tracking}"
    assert intent.carrier == "USPS" and f'href="{link}"' in labels
    assert "Reprint label" in labels and "Void label" in labels and "Buy label" not in labels
    (label,) = labels_shop.label_files()
    assert read_label(label) == record.tracking
    (at_amazon,) = labels_shop.at_amazon(order_id)
    assert at_amazon["trackingId"] == record.tracking and at_amazon["status"] == "Purchased"


def test_reprint_voids_the_damaged_label_and_buys_a_second_one_into_the_printer_folder(
    labels_shop: LabelDeskShop, tmp_path: Path
) -> None:
    order_id, _ = labels_shop.order("photo-text")
    http = logged_in(labels_shop.desk)
    act(http, order_id, "buy")
    (first,) = labels_shop.label_files()
    taken = first.rename(tmp_path / "printed-first.pdf")  # the label printer took it
    (bought,) = labels_shop.labels(order_id)

    page = act(http, order_id, "reprint")
    (second,) = labels_shop.label_files()
    records = labels_shop.labels(order_id)
    assert [r.state for r in records] == [L.VOIDED, L.BOUGHT]
    new = records[1]
    assert new.tracking and new.tracking != bought.tracking
    assert read_label(second) == new.tracking and read_label(taken) == bought.tracking
    at_amazon = {str(s["trackingId"]): s["status"] for s in labels_shop.at_amazon(order_id)}
    assert at_amazon == {bought.tracking: "Cancelled", new.tracking: "Purchased"}
    labels = section(page, "labels-title")
    assert 'data-state="voided"' in labels and 'data-state="bought"' in labels
    assert f"tLabels={new.tracking}" in labels


def test_void_cancels_the_label_at_amazon_and_takes_it_out_of_the_folder(
    labels_shop: LabelDeskShop,
) -> None:
    order_id, _ = labels_shop.order("photo-text")
    http = logged_in(labels_shop.desk)
    act(http, order_id, "buy")
    assert len(labels_shop.label_files()) == 1
    page = act(http, order_id, "void")
    (record,) = labels_shop.labels(order_id)
    assert record.state is L.VOIDED
    assert [s["status"] for s in labels_shop.at_amazon(order_id)] == ["Cancelled"]
    assert labels_shop.label_files() == []  # not printed yet: withdrawn
    assert f"label {record.tracking} voided" in page
    labels = section(page, "labels-title")
    assert 'data-state="voided"' in labels
    assert "Buy label" in labels and "Void label" not in labels  # a person may buy it again

    page = act(http, order_id, "buy")
    voided, bought = labels_shop.labels(order_id)
    assert voided.state is L.VOIDED and bought.state is L.BOUGHT
    assert bought.tracking and bought.tracking != voided.tracking
    assert f"tLabels={bought.tracking}" in section(page, "labels-title")
    assert len(labels_shop.label_files()) == 1


def test_a_refused_label_is_first_on_the_board_in_amazons_words_until_bought(
    labels_shop: LabelDeskShop,
) -> None:
    waiting, _ = labels_shop.order("photo-text", number=1)
    refused, _ = labels_shop.order("photo-text", number=2)
    labels_shop.state.set_status(refused, "Pending")
    http = logged_in(labels_shop.desk)
    page = act(http, refused, "buy")
    (record,) = labels_shop.labels(refused)
    assert record.state is L.REFUSED and record.message
    assert f"Order {refused} is Pending; it cannot be shipped." in record.message
    assert f"Amazon refused the label: {escape(record.message)}" in page  # the flash
    assert escape(record.message) in section(page, "labels-title")
    assert "Buy label" in section(page, "labels-title")  # once a person fixed it

    board = http.get("/").text
    first = re.findall(r'<h2 id="([a-z-]+)"', board)[0]
    assert first == "labels-title"
    top = section(board, "labels-title")
    assert f'data-label-order="{refused}"' in top and waiting not in top
    assert escape(record.message) in top and "refused" in top
    # The order's card among those ready says so too.
    assert escape(record.message) in section(board, "ready-title")

    labels_shop.state.set_status(refused, "Unshipped")  # what the person fixed
    act(http, refused, "buy")
    (bought,) = labels_shop.labels(refused)
    assert bought.state is L.BOUGHT and len(labels_shop.at_amazon(refused)) == 1
    assert 'id="labels-title"' not in http.get("/").text


def test_missing_package_facts_are_on_the_board_saying_what_to_add_until_added(
    labels_shop: LabelDeskShop,
) -> None:
    order_id, _ = labels_shop.order("photo-text")
    set_packages(labels_shop.config, {})
    labels_shop.reload()
    http = logged_in(labels_shop.desk)
    page = act(http, order_id, "buy")
    (record,) = labels_shop.labels(order_id)
    assert record.state is L.HELD and record.message and "products.toml" in record.message
    assert f"Package 1: held: {escape(record.message)}" in page
    top = section(http.get("/").text, "labels-title")
    assert f'data-label-order="{order_id}"' in top and escape(record.message) in top
    assert labels_shop.at_amazon(order_id) == []  # Amazon not asked

    set_packages(labels_shop.config, PACKAGES)  # the shop adds them; the daemon re-reads
    labels_shop.reload()
    act(http, order_id, "buy")
    assert [r.state for r in labels_shop.labels(order_id)] == [L.BOUGHT]
    assert 'id="labels-title"' not in http.get("/").text


def test_refusal_words_are_escaped_everywhere(labels_shop: LabelDeskShop) -> None:
    order_id, _ = labels_shop.order("photo-text")
    (item,) = labels_shop.store.items(order_id=order_id)
    (planned,) = labels_shop.store.plan_labels(order_id, [[(item.order_item_id, 1)]])
    labels_shop.store.finish_label(
        planned.label_id, state=L.REFUSED, expect={L.PLANNED}, message=HOSTILE
    )
    http = logged_in(labels_shop.desk)
    for path in ("/", "/fragments/board", f"/orders/{order_id}", f"/fragments/orders/{order_id}"):
        page = http.get(path).text
        assert HOSTILE not in page and escape(HOSTILE) in page, path


def test_the_live_parts_change_their_etag_when_a_label_changes_elsewhere(
    labels_shop: LabelDeskShop,
) -> None:
    """The daemon's label thread works on its own connection: the live page must follow a
    refusal too, which changes no job (only the label's record)."""
    order_id, _ = labels_shop.order("photo-text")
    labels_shop.state.set_status(order_id, "Pending")
    http = logged_in(labels_shop.desk)
    paths = (f"/fragments/orders/{order_id}", "/fragments/board")
    tags = {path: http.get(path).headers["etag"] for path in paths}
    for path, tag in tags.items():
        assert http.get(path, headers={"If-None-Match": tag}).status_code == 304
    settings = load_settings(labels_shop.config)
    daemon_side = Labels(labels_shop.store, labels_shop.client, lambda: settings)
    (record,) = daemon_side.buy_label(order_id)
    assert record.state is L.REFUSED and record.message
    for path, tag in tags.items():
        again = http.get(path, headers={"If-None-Match": tag})
        assert again.status_code == 200 and again.headers["etag"] != tag, path
        assert escape(record.message) in again.text, path


def test_a_split_order_gets_a_label_for_each_package(labels_shop: LabelDeskShop) -> None:
    order_id, (mug, sign) = labels_shop.order("photo-text", "text-only")
    http = logged_in(labels_shop.desk)
    form_page = http.get(f"/orders/{order_id}").text
    assert "Split into packages" in form_page
    assert f'data-split-item="{mug.order_item_id}"' in form_page
    page = act(http, order_id, "split", item=[mug.order_item_id, sign.order_item_id],
               package=["1", "2"], quantity=["1", "1"])  # fmt: skip
    records = labels_shop.labels(order_id)
    assert [(r.package_ref, r.items, r.state) for r in records] == [
        ("1", ((mug.order_item_id, 1),), L.BOUGHT),
        ("2", ((sign.order_item_id, 1),), L.BOUGHT),
    ]
    at_amazon = {str(s["trackingId"]): s["items"] for s in labels_shop.at_amazon(order_id)}
    assert at_amazon == {
        records[0].tracking: [{"orderItemId": mug.order_item_id, "quantity": 1}],
        records[1].tracking: [{"orderItemId": sign.order_item_id, "quantity": 1}],
    }
    assert len(labels_shop.label_files()) == 2
    labels = section(page, "labels-title")
    for record in records:
        assert f'data-label="{record.package_ref}" data-state="bought"' in labels
        assert f"tLabels={record.tracking}" in labels
    assert "Split into packages" not in labels  # labels bought: void them to split again


def test_a_split_that_leaves_an_item_out_is_refused_and_buys_nothing(
    labels_shop: LabelDeskShop,
) -> None:
    order_id, (mug, sign) = labels_shop.order("photo-text", "text-only")
    http = logged_in(labels_shop.desk)
    page = act(http, order_id, "split", item=[mug.order_item_id, sign.order_item_id],
               package=["1", "2"], quantity=["1", "0"])  # fmt: skip
    assert f"in no package: {sign.order_item_id}" in page
    assert labels_shop.labels(order_id) == [] and labels_shop.at_amazon(order_id) == []
    page = act(http, order_id, "split", item=[mug.order_item_id], package=["x"], quantity=["1"])
    assert "whole numbers" in page


def test_label_posts_need_the_sessions_token_and_this_origin(labels_shop: LabelDeskShop) -> None:
    order_id, _ = labels_shop.order("photo-text")
    http = logged_in(labels_shop.desk)
    token = csrf_of(http.get(f"/orders/{order_id}").text)
    for action in ("buy", "void", "reprint", "split"):
        for data, headers in (({}, {}), ({"csrf": token}, {"Origin": "http://evil.test"})):
            answer = http.post(f"/orders/{order_id}/labels/{action}", data=data, headers=headers)
            assert answer.status_code == 403 and "CSRF" in answer.text
    stranger = httpx.Client(base_url=labels_shop.desk.base_url)
    answer = stranger.post(f"/orders/{order_id}/labels/buy", data={"csrf": token})
    assert answer.headers["location"] == "/login"
    unknown = http.post(f"/orders/{order_id}/labels/refund", data={"csrf": token})
    assert unknown.status_code == 404
    assert labels_shop.labels(order_id) == [] and labels_shop.at_amazon(order_id) == []


def test_with_buy_scan_scanning_the_order_buys_its_label_once(tmp_path: Path) -> None:
    with label_desk_shop(tmp_path, shipping='labels = "amazon"\nbuy = "scan"') as shop:
        order_id, (item,) = shop.order("photo-text")
        http = logged_in(shop.desk)
        assert "scan the order once it is printed" in http.get(f"/orders/{order_id}").text
        job_id = f"{item.order_item_id}-FRONT"
        scanned = http.get("/scan", params={"code": f" {job_id}\t"})
        assert scanned.headers["location"] == f"/orders/{order_id}"
        page = http.get(f"/orders/{order_id}").text
        (record,) = shop.labels(order_id)
        assert record.state is L.BOUGHT and record.tracking
        assert "label bought" in page and f"tLabels={record.tracking}" in page
        assert read_label(shop.label_files()[0]) == record.tracking
        http.get("/scan", params={"code": order_id})  # scanned again: nothing more bought
        assert len(shop.at_amazon(order_id)) == 1 and len(shop.labels(order_id)) == 1
        # A navigation another site started buys nothing (the cookie would not go either).
        other, _ = shop.order("photo-text", number=2)
        http.get("/scan", params={"code": other}, headers={"Sec-Fetch-Site": "cross-site"})
        assert shop.at_amazon(other) == []


def test_with_buy_printed_a_scan_only_opens_the_order(labels_shop: LabelDeskShop) -> None:
    order_id, _ = labels_shop.order("photo-text")
    http = logged_in(labels_shop.desk)
    assert http.get("/scan", params={"code": order_id}).headers["location"] == f"/orders/{order_id}"
    assert labels_shop.at_amazon(order_id) == [] and labels_shop.labels(order_id) == []


def test_a_shop_buying_labels_elsewhere_has_no_label_part(shop: DeskShop, desk: DeskService,
                                                         ) -> None:  # fmt: skip
    [order] = shop.add_orders("text-only")
    shop.print_order(order)
    http = logged_in(desk)
    page = http.get(f"/orders/{order}").text
    assert "Shipping labels" not in page and "Tracking number" in page
    token = csrf_of(page)
    assert http.post(f"/orders/{order}/labels/buy", data={"csrf": token}).status_code == 404
