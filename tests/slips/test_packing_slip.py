"""The packing slip as a packer gets it: scanned, read, looked at."""

from __future__ import annotations

import io
from datetime import date

import numpy as np
import pikepdf
import pytest

from production.core.errors import RenderError
from renderers.fonts import FontIndex
from renderers.packing_slip import (
    SLIP_SIZES,
    PackingSlip,
    SlipAddress,
    SlipItem,
    SlipThumbnail,
    draw_packing_slip,
)
from renderers.slip_text import SlipFonts
from renderers.thumbnails import pdf_thumbnail
from tests.slips.pictures import barcodes, coloured_pdf, ink, pages, pixels_near, text_of

ORDER = "114-3776930-9533812"
US, DE, GB, JP = "ATVPDKIKX0DER", "A1PA6795UKMFR9", "A1F83G8C2ARO7P", "A1VC38T7YXB528"
RED, BLUE = (220, 30, 30), (30, 60, 220)


@pytest.fixture(scope="module")
def fonts() -> SlipFonts:
    return SlipFonts(FontIndex([]))


def slip(**changes: object) -> PackingSlip:
    fields: dict[str, object] = {
        "order_id": ORDER,
        "marketplace_id": US,
        "ship_by": date(2026, 12, 3),
        "items": (
            SlipItem("Photo mug 11 oz", 2, (("Colour", "Navy"), ("Handle", "Gold"))),
            SlipItem("Oak coaster", 1, sku="OAK-1"),
        ),
        "shop_name": "Example Print Shop",
    }
    fields.update(changes)
    return PackingSlip(**fields)  # type: ignore[arg-type]


def test_the_order_id_scans_off_the_slip_printed_at_203_dpi(fonts: SlipFonts) -> None:
    [page] = pages(draw_packing_slip(slip(), fonts))
    assert page.size == ((4 * 203), (6 * 203))
    assert barcodes(page) == [("Code128", ORDER)]


@pytest.mark.parametrize("size", ["a4", "letter"])
def test_office_sizes_carry_the_same_barcode(fonts: SlipFonts, size: str) -> None:
    [page] = pages(draw_packing_slip(slip(), fonts, size=size), dpi=150)  # type: ignore[arg-type]
    width, height = SLIP_SIZES[size]  # type: ignore[index]
    assert abs(page.size[0] - width * 150 / 72) <= 1 and abs(page.size[1] - height * 150 / 72) <= 1
    assert barcodes(page) == [("Code128", ORDER)]


def test_items_read_with_names_quantities_and_listing_options(fonts: SlipFonts) -> None:
    text = text_of(draw_packing_slip(slip(), fonts))
    for expected in (
        f"Order {ORDER}", "2 × Photo mug 11 oz", "Colour: Navy", "Handle: Gold",
        "1 × Oak coaster", "SKU OAK-1", "Example Print Shop",
    ):  # fmt: skip
        assert expected in text


@pytest.mark.parametrize(
    ("marketplace", "written"),
    [(US, "12/03/2026"), (GB, "03/12/2026"), (DE, "03.12.2026"), (JP, "2026/12/03"),
     (None, "2026-12-03")],
)  # fmt: skip
def test_the_ship_by_date_is_written_as_the_marketplace_writes_dates(
    fonts: SlipFonts, marketplace: str | None, written: str
) -> None:
    text = text_of(draw_packing_slip(slip(marketplace_id=marketplace), fonts))
    assert f"Ship by {written}" in text


@pytest.mark.parametrize(
    "message",
    [
        "Happy birthday, Sam!\nLove, Alex",
        "お誕生日おめでとう！いつもありがとう",
        "عيد ميلاد سعيد يا صديقي",
    ],
)
def test_a_gift_message_in_any_script_is_drawn_and_reads_back(
    fonts: SlipFonts, message: str
) -> None:
    without = draw_packing_slip(slip(), fonts)
    pdf = draw_packing_slip(slip(gift_message=message), fonts)
    text = text_of(pdf)
    assert "Gift message" in text and "Gift message" not in text_of(without)
    for line in message.splitlines():
        assert line in text
    # Drawn, not only present as text: the page has more ink than the slip without it.
    assert ink(pages(pdf)[0]) > ink(pages(without)[0]) + 500


def test_a_thumbnail_of_every_printed_surface_is_on_the_slip(fonts: SlipFonts) -> None:
    red = pdf_thumbnail(coloured_pdf((RED[0] / 255, RED[1] / 255, RED[2] / 255)))
    blue = pdf_thumbnail(coloured_pdf((BLUE[0] / 255, BLUE[1] / 255, BLUE[2] / 255), (200, 300)))
    item = SlipItem("Photo mug", 1, thumbnails=(SlipThumbnail("Front", red),
                                                SlipThumbnail("Back", blue)))  # fmt: skip
    [page] = pages(draw_packing_slip(slip(items=(item,)), fonts))
    [plain] = pages(draw_packing_slip(slip(items=(SlipItem("Photo mug", 1),)), fonts))
    # Each picture is about 54 pt on its longest side: thousands of its pixels at 203 dpi.
    assert pixels_near(page, RED) > 2000 and pixels_near(page, BLUE) > 2000
    assert pixels_near(plain, RED) == 0 and pixels_near(plain, BLUE) == 0
    text = text_of(draw_packing_slip(slip(items=(item,)), fonts))
    assert "Front" in text and "Back" in text


def test_the_buyers_address_is_only_there_when_given(fonts: SlipFonts) -> None:
    buyer = SlipAddress("Jane Example", ("1 Sample Street", "Anytown ST 00000", "US"))
    assert "Jane Example" not in text_of(draw_packing_slip(slip(), fonts))
    text = text_of(draw_packing_slip(slip(buyer=buyer), fonts))
    assert "Ship to" in text
    for line in ("Jane Example", "1 Sample Street", "Anytown ST 00000"):
        assert line in text


def test_a_long_order_goes_on_over_more_pages_with_its_id_on_each(fonts: SlipFonts) -> None:
    thumbnail = pdf_thumbnail(coloured_pdf((0.2, 0.6, 0.2)))
    items = tuple(
        SlipItem(f"Tumbler {n}", 1, thumbnails=(SlipThumbnail("Wrap", thumbnail),))
        for n in range(8)
    )
    pdf = draw_packing_slip(slip(items=items), fonts)
    assert len(pages(pdf, dpi=72)) >= 2
    text = text_of(pdf)
    assert all(f"1 × Tumbler {n}" in text for n in range(8))
    assert f"{ORDER} (continued)" in text


def test_the_pdf_title_names_the_order_for_the_retention_audit(fonts: SlipFonts) -> None:
    with pikepdf.open(io.BytesIO(draw_packing_slip(slip(), fonts))) as pdf:
        assert ORDER in str(pdf.docinfo["/Title"])


def test_an_order_id_that_is_no_barcode_is_refused(fonts: SlipFonts) -> None:
    with pytest.raises(RenderError, match="Code 128"):
        draw_packing_slip(slip(order_id="114-３７７６"), fonts)


def test_the_configured_slip_sizes_are_the_sizes_drawn() -> None:
    from production.config.slips import SLIP_SIZE_NAMES

    assert set(SLIP_SIZE_NAMES) == set(SLIP_SIZES)


def test_emoji_in_a_gift_message_are_drawn_in_colour(fonts: SlipFonts) -> None:
    message = "Happy birthday 🎂❤️ from all of us"
    pdf = draw_packing_slip(slip(gift_message=message), fonts)
    assert message in text_of(pdf)
    [page] = pages(pdf)
    pixels = np.asarray(page, dtype=np.int16)
    colourful = (pixels.max(axis=2) - pixels.min(axis=2)) > 80  # the rest is black on white
    assert colourful.sum() > 300
