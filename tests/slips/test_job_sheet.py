"""Job sheets: a printed face for each job, beside its files, on printers with `job_sheet`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from production.config.settings import load_settings
from production.core.errors import ConfigError
from production.customization import parse_zip
from production.store import JobState
from renderers.fonts import FontIndex
from renderers.job_sheet import JobSheet, draw_job_sheet
from renderers.slip_text import SlipFonts
from tests.daemon.shop import Shop, sample
from tests.slips.pictures import barcodes, pages, text_of

STEM = "900-0000003-0000003_90000000000033_FRONT"


def with_job_sheets(config: Path, printer: str = "uv-1") -> None:
    """printers.toml with `job_sheet = true` for one printer."""
    path = config / "printers.toml"
    text, count = re.subn(
        rf'(?m)^(id = "{re.escape(printer)}"\n)', r"\1job_sheet = true\n", path.read_text()
    )
    assert count == 1
    path.write_text(text)


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    shop = Shop(tmp_path)
    with_job_sheets(shop.config)
    shop.restart()
    yield shop
    shop.close()


def test_the_sheet_lands_beside_the_print_and_ticket_and_its_barcode_is_the_job(
    shop: Shop,
) -> None:
    shop.drop(sample("photo-text").read_bytes(), "order.zip")
    shop.settle()
    [job] = shop.jobs()
    assert job.state is JobState.QUEUED
    names = sorted(p.name for p in shop.hot().iterdir())
    assert names == [f"{STEM}.json", f"{STEM}.pdf", f"{STEM}.sheet.pdf"]
    assert str(shop.hot() / f"{STEM}.sheet.pdf") in job.hot_paths  # withdrawn, purged with it
    sheet = (shop.hot() / f"{STEM}.sheet.pdf").read_bytes()
    [page] = pages(sheet)
    assert barcodes(page) == [("Code128", job.job_id)]
    ticket = shop.ticket(job)
    text = text_of(sheet)
    for expected in (
        job.job_id,
        f"Order {job.order_id}",
        f"{ticket['quantity']} × {ticket['product']}",
        f"Surface: {ticket['surface']}",
        "Printer: UV flatbed printer",
    ):
        assert expected in text


def test_the_sheet_holds_none_of_the_buyers_text(shop: Shop) -> None:
    data = sample("photo-text").read_bytes()
    buyer_lines = [
        line
        for surface in parse_zip(data).surfaces
        for element in surface.texts
        for line in element.lines
        if line.strip()
    ]
    assert buyer_lines, "the sample has buyer text to look for"
    shop.drop(data, "order.zip")
    shop.settle()
    text = text_of((shop.hot() / f"{STEM}.sheet.pdf").read_bytes())
    assert not [line for line in buyer_lines if line in text]


def test_cancelling_takes_the_sheet_back_out_too(shop: Shop) -> None:
    shop.drop(sample("photo-text").read_bytes(), "order.zip")
    shop.settle()
    [job] = shop.jobs()
    shop.daemon.pipeline.cancel_order(job.order_id, reason="buyer cancelled")
    assert list(shop.hot().iterdir()) == []


def test_printers_without_job_sheet_get_none(tmp_path: Path) -> None:
    shop = Shop(tmp_path)
    try:
        shop.drop(sample("photo-text").read_bytes(), "order.zip")
        shop.settle()
        assert not list(shop.hot().glob("*.sheet.pdf"))
    finally:
        shop.close()


def test_job_sheet_must_be_true_or_false(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "printers.toml").write_text('[[printer]]\nid = "uv-1"\nhot_folder = "hot"\n'
                                          'job_sheet = "yes"\n')  # fmt: skip
    with pytest.raises(ConfigError, match="job_sheet must be true or false"):
        load_settings(config)


def test_a_long_job_id_widens_the_sheet_rather_than_thinning_its_bars() -> None:
    job_id = "90000000000033-" + "Inside-of-the-lid-left-panel-upper"
    sheet = JobSheet(job_id, "900-0000003-0000003", "Box", "Inside of the lid", "UV", 1)
    [page] = pages(draw_job_sheet(sheet, SlipFonts(FontIndex([]))))
    assert page.size[0] > 4 * 203
    assert barcodes(page) == [("Code128", job_id)]
