"""An order's packing slip from a real shop: its records, product names, tickets and print files;
`production slip`; and slips purged with the order and known to the audit."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from production.config.settings import load_settings
from production.core.errors import ConfigError, PrinterError, RenderError
from production.floor.folders import Folders
from production.floor.slips import (
    SlipWriter,
    packing_slip,
    render_packing_slip,
    slip_fonts,
    slip_name,
    write_slip,
)
from production.retention.audit import audit
from renderers.packing_slip import SlipAddress
from tests.daemon.shop import Shop
from tests.retention.helpers import Order, cli, print_all, ship, take
from tests.slips.pictures import barcodes, pages, text_of

BUYER = SlipAddress("Jane Example", ("1 Sample Street", "Anytown ST 00000", "US"))


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    shop = Shop(tmp_path)
    yield shop
    shop.close()


def add_shipping(shop: Shop, table: str) -> None:
    """shop.toml with a `[shipping]` table; the daemon re-reads it."""
    with (shop.config / "shop.toml").open("a") as file:
        file.write(f"\n[shipping]\n{table}\n")
    shop.restart()


def slip_pdf(shop: Shop, order: Order, **extra: object) -> bytes:
    settings = load_settings(shop.config)
    slip = packing_slip(settings, shop.store, order.order_id, **extra)  # type: ignore[arg-type]
    return render_packing_slip(settings, slip, slip_fonts(settings))


def test_the_slip_lists_the_orders_items_as_the_shop_names_them(shop: Shop) -> None:
    tote, mug = take(shop, "two-surfaces", 1), take(shop, "photo-text", 2)
    settings = load_settings(shop.config)
    slip = packing_slip(settings, shop.store, tote.order_id)
    [item] = slip.items
    product = settings.product_for("B0SAMPLE04", None)
    assert product is not None and item.product_name == product.name
    assert [t.surface for t in item.thumbnails] == ["FRONT", "BACK"]  # one per printed surface
    assert slip.shop_name == settings.shop.name
    mug_slip = packing_slip(settings, shop.store, mug.order_id)
    assert mug_slip.items[0].options == (("Select Printed Area", "PRINT on BOTH sides"),)

    pdf = render_packing_slip(settings, slip, slip_fonts(settings))
    [page] = pages(pdf)
    assert barcodes(page) == [("Code128", tote.order_id)]
    text = text_of(pdf)
    assert f"1 × {product.name}" in text and "FRONT" in text and "BACK" in text


def test_the_buyers_address_is_printed_only_where_the_shop_turned_it_on(shop: Shop) -> None:
    order = take(shop, "photo-text", 1)
    assert "Jane Example" not in text_of(slip_pdf(shop, order, buyer=BUYER))
    add_shipping(shop, "slip_address = true")
    text = text_of(slip_pdf(shop, order, buyer=BUYER))
    assert "Jane Example" in text and "1 Sample Street" in text


def test_the_gift_message_given_is_printed(shop: Shop) -> None:
    order = take(shop, "photo-text", 1)
    text = text_of(slip_pdf(shop, order, gift_message="Alles Gute, Oma!"))
    assert "Alles Gute, Oma!" in text


@pytest.mark.parametrize(
    ("marketplace", "written"), [("A1PA6795UKMFR9", "03.12.2026"), (None, "12/03/2026")]
)
def test_the_ship_by_date_follows_the_orders_marketplace(
    shop: Shop, marketplace: str | None, written: str
) -> None:
    """Given by the caller (Amazon's order), else the one the zip names (amazon.com)."""
    order = take(shop, "photo-text", 1)
    shop.store.set_item_ship_by(order.item_id, datetime(2026, 12, 3, 7, 59, 59, tzinfo=UTC))
    text = text_of(slip_pdf(shop, order, marketplace_id=marketplace))
    assert f"Ship by {written}" in text


def test_without_the_zip_the_shops_one_marketplace_gives_the_dates(shop: Shop) -> None:
    with (shop.config / "shop.toml").open("a") as file:
        file.write('\n[amazon]\nmarketplace_ids = ["A1VC38T7YXB528"]\n')  # amazon.co.jp
    order = take(shop, "photo-text", 1)
    shop.store.set_item_ship_by(order.item_id, datetime(2026, 12, 3, 7, 59, 59, tzinfo=UTC))
    item = shop.store.item(order.item_id)
    assert item is not None
    Path(item.zip_path).unlink()
    assert "Ship by 2026/12/03" in text_of(slip_pdf(shop, order))


def test_the_slip_size_comes_from_the_shop(shop: Shop) -> None:
    order = take(shop, "photo-text", 1)
    add_shipping(shop, 'slip_size = "a4"')
    [page] = pages(slip_pdf(shop, order), dpi=72)
    assert abs(page.size[0] - 595) <= 1 and abs(page.size[1] - 842) <= 1


@pytest.mark.parametrize(
    ("table", "problem"),
    [('slip_size = "a5"', "slip_size must be one of"),
     ("slip_address = 1", "slip_address must be true or false"),
     ("slip_adress = true", "did you mean 'slip_address'")],
)  # fmt: skip
def test_slip_keys_are_checked(shop: Shop, table: str, problem: str) -> None:
    with (shop.config / "shop.toml").open("a") as file:
        file.write(f"\n[shipping]\n{table}\n")
    with pytest.raises(ConfigError, match=problem):
        load_settings(shop.config)


def test_an_order_the_store_does_not_have_has_no_slip(shop: Shop) -> None:
    take(shop, "photo-text", 1)
    with pytest.raises(RenderError, match="no such order"):
        packing_slip(load_settings(shop.config), shop.store, "999-0000000-0000000")


def test_the_writer_puts_the_slip_into_a_label_printers_folder_whole(shop: Shop) -> None:
    order = take(shop, "photo-text", 1)
    writer = SlipWriter(load_settings(shop.config))
    path = writer.write(shop.store, order.order_id, shop.hot("sub-1"), gift_message="Enjoy!")
    assert path == shop.hot("sub-1") / f"{order.order_id}.slip.pdf"
    assert sorted(p.name for p in shop.hot("sub-1").iterdir()) == [path.name]  # no .part left
    assert "Enjoy!" in text_of(path.read_bytes())
    with pytest.raises(PrinterError, match="does not exist"):
        writer.write(shop.store, order.order_id, shop.root / "gone")  # never made here


def test_a_purged_order_has_no_slip_any_more(shop: Shop) -> None:
    order = take(shop, "photo-text", 1)
    print_all(shop, order)
    ship(shop, order)
    shop.daemon.loop()
    with pytest.raises(RenderError, match="purged"):
        packing_slip(load_settings(shop.config), shop.store, order.order_id)


def test_the_command_writes_the_slip_into_the_data_folder_or_where_asked(shop: Shop) -> None:
    order = take(shop, "photo-text", 1)
    done = cli(shop.config, "slip", order.order_id)
    path = Folders(shop.config / "data").slips / slip_name(order.order_id)
    assert (done.returncode, done.stderr) == (0, "")
    assert str(path) in done.stdout
    assert barcodes(pages(path.read_bytes())[0]) == [("Code128", order.order_id)]
    elsewhere = shop.root / "out" / "slip.pdf"
    done = cli(shop.config, "slip", order.order_id, "-o", str(elsewhere))
    assert done.returncode == 0 and elsewhere.read_bytes()[:5] == b"%PDF-"
    missing = cli(shop.config, "slip", "999-0000000-0000000")
    assert missing.returncode == 1 and "no such order" in missing.stderr


def test_slips_are_purged_with_the_order_wherever_they_were_put(shop: Shop) -> None:
    order, other = take(shop, "photo-text", 1), take(shop, "text-only", 2)
    slips = Folders(shop.config / "data").slips
    slips.mkdir()
    pdf = slip_pdf(shop, order, gift_message="For you")
    written = [
        write_slip(slips, order.order_id, pdf),
        write_slip(shop.hot("sub-1"), order.order_id, pdf),  # a label printer's hot folder
    ]
    kept = write_slip(slips, other.order_id, slip_pdf(shop, other))
    print_all(shop, order)
    ship(shop, order)
    shop.daemon.loop()  # retention_days = 0: purged at once
    assert [path.exists() for path in written] == [False, False]
    assert kept.exists()  # the order still in the making keeps its slip


def test_the_audit_reports_a_slip_left_of_a_purged_order(shop: Shop, tmp_path: Path) -> None:
    order = take(shop, "photo-text", 1)
    pdf = slip_pdf(shop, order)
    print_all(shop, order)
    ship(shop, order)
    shop.daemon.loop()
    settings = load_settings(shop.config)
    assert audit(settings, shop.store).clean
    slips = Folders(settings.shop.data_dir).slips
    slips.mkdir()
    left = write_slip(slips, order.order_id, pdf)
    renamed = shop.hot("sub-1") / "packing.pdf"  # found by its title, whatever its name
    shutil.copyfile(left, renamed)
    lines = audit(settings, shop.store).lines()
    assert f"{left}: order {order.order_id}: its name names the order" in lines
    assert any(line.startswith(f"{renamed}: order {order.order_id}:") for line in lines)
    done = cli(shop.config, "audit")
    assert done.returncode == 1 and f"{left}: order {order.order_id}" in done.stdout
    stray = write_slip(slips, "905-0000000-0000000", b"%PDF-1.4\n")
    lines = audit(settings, shop.store).lines()
    assert f"{stray}: no known order: belongs to no order item in the job store" in lines
