"""Devices: a printer's `kind` picks how its files are made and handed over.

A second kind of device (a RIP that takes TIFF, `tests/printers/tiff_device.py`) is added the
way a shop would add one, by one module and one line in printers.toml, and the daemon drives it
like the hot folder: files made for it, delivered, noticed done, taken back on cancellation.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from lxml import etree
from PIL import Image, ImageChops, ImageStat

from printers.hotfolder import HotFolderDevice
from printers.kinds import device_for
from production.config.settings import load_settings
from production.core.errors import ConfigError
from production.core.geometry import MM_PER_INCH
from production.core.templates import Printer
from production.store import JobState
from tests.daemon.shop import Shop, sample
from tests.printers.test_xjdf import NS, SCHEMA_PATH

TIFF_KIND = "tests.printers.tiff_device:TiffDevice"


def _set_kind(config: Path, printer_id: str, line: str) -> None:
    path = config / "printers.toml"
    text, count = re.subn(
        rf'(?m)^id = "{re.escape(printer_id)}"$', f'id = "{printer_id}"\n{line}', path.read_text()
    )
    assert count == 1, f"no printer {printer_id} in printers.toml"
    path.write_text(text)


@pytest.fixture
def tiff_shop(tmp_path: Path) -> Shop:
    shop = Shop(tmp_path)
    _set_kind(shop.config, "uv-1", f'kind = "{TIFF_KIND}"\ndpi = 150')
    shop.restart()  # the printers as printers.toml now says
    return shop


def _queued_one(shop: Shop, zip_name: str) -> tuple[Path, Path]:
    shop.drop(sample(zip_name).read_bytes(), f"{zip_name}.zip")
    shop.settle()
    [job] = shop.jobs()
    assert job.state is JobState.QUEUED, (job.state, job.reason)
    [tiff] = [Path(p) for p in job.hot_paths if p.endswith(".tiff")]
    [ticket] = [Path(p) for p in job.hot_paths if p.endswith(".json")]
    return tiff, ticket


def test_a_device_kind_added_by_one_module_gets_its_own_files(tiff_shop: Shop) -> None:
    tiff, ticket_path = _queued_one(tiff_shop, "photo-text")
    assert sorted(p.name for p in tiff_shop.hot("uv-1").iterdir()) == sorted(
        [tiff.name, ticket_path.name]
    )  # no PDF: the device takes TIFF
    ticket = json.loads(ticket_path.read_text())
    assert (ticket["file"], ticket["format"], ticket["dpi"]) == (tiff.name, "tiff", 150)

    image = Image.open(tiff)
    width_mm, height_mm = ticket["print_size_mm"]
    expected = (width_mm / MM_PER_INCH * 150, height_mm / MM_PER_INCH * 150)
    assert image.size == pytest.approx(expected, abs=1.0)  # the page at the printer's DPI
    assert image.info["dpi"] == pytest.approx((150, 150))

    # It is the print file as a picture: the master PDF drawn at the same resolution.
    job = tiff_shop.jobs()[0]
    master = tiff_shop.daemon.pipeline.folders.masters / f"{job.stem}.pdf"
    document = pdfium.PdfDocument(master.read_bytes())
    drawn = document[0].render(scale=150 / 72).to_pil().convert("RGB")
    document.close()
    assert drawn.size == image.size
    difference = ImageStat.Stat(ImageChops.difference(drawn, image.convert("RGB"))).mean
    assert max(difference) < 1.0
    assert ImageStat.Stat(image.convert("L")).extrema[0][0] < 128  # there is ink on it


def test_the_new_device_is_noticed_done_and_withdrawn_like_a_hot_folder(
    tiff_shop: Shop, tmp_path: Path
) -> None:
    tiff, _ = _queued_one(tiff_shop, "photo-text")
    tiff.rename(tiff_shop.done("uv-1") / tiff.name)  # the RIP moves what it printed
    tiff_shop.daemon.loop()
    assert [job.state for job in tiff_shop.jobs()] == [JobState.PRINTED]

    other = Shop(tmp_path / "other")
    _set_kind(other.config, "uv-1", f'kind = "{TIFF_KIND}"')
    other.restart()
    tiff, ticket = _queued_one(other, "photo-text")
    order = other.jobs()[0].order_id
    messages = other.daemon.pipeline.cancel_order(order, reason="cancelled by the buyer")
    assert not tiff.exists() and not ticket.exists()
    assert any(tiff.name in message for message in messages)


def test_a_hot_folder_is_the_default_kind(tmp_path: Path) -> None:
    printer = Printer(id="uv", name="UV", hot_folder=tmp_path)
    assert isinstance(device_for(printer), HotFolderDevice)


def test_an_unknown_kind_is_refused_when_the_config_is_read(tmp_path: Path) -> None:
    shop = Shop(tmp_path)
    _set_kind(shop.config, "uv-1", 'kind = "carrier-pigeon"')
    with pytest.raises(ConfigError, match="kind must be one of 'hotfolder'"):
        load_settings(shop.config)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("tests.printers.no_such_module:Device", "cannot be imported"),
        ("tests.printers.tiff_device:NoSuchDevice", "has no device 'NoSuchDevice'"),
    ],
)
def test_a_device_class_that_cannot_be_had_stops_the_start(
    tmp_path: Path, kind: str, message: str
) -> None:
    shop = Shop(tmp_path)
    _set_kind(shop.config, "uv-1", f'kind = "{kind}"')
    with pytest.raises(ConfigError, match=message) as caught:
        shop.restart()
    assert "printer 'uv-1'" in str(caught.value)


def test_tiff_pixels_come_from_the_printers_dpi(tmp_path: Path) -> None:
    shop = Shop(tmp_path)
    _set_kind(shop.config, "uv-1", f'kind = "{TIFF_KIND}"\ndpi = 72')
    shop.restart()
    tiff, ticket_path = _queued_one(shop, "photo-text")
    width_mm, height_mm = json.loads(ticket_path.read_text())["print_size_mm"]
    size = Image.open(io.BytesIO(tiff.read_bytes())).size
    assert size == pytest.approx((width_mm / MM_PER_INCH * 72, height_mm / MM_PER_INCH * 72), abs=1)


def test_a_printer_that_reads_xjdf_gets_a_valid_xjdf_ticket_beside_the_json(
    tmp_path: Path,
) -> None:
    shop = Shop(tmp_path)
    _set_kind(shop.config, "uv-1", 'ticket = "xjdf"')
    shop.restart()
    shop.drop(sample("photo-text").read_bytes(), "photo-text.zip")
    shop.settle()
    [job] = shop.jobs()
    assert job.state is JobState.QUEUED, job.reason
    names = sorted(Path(p).name for p in job.hot_paths)
    assert names == sorted(f"{job.stem}{suffix}" for suffix in (".json", ".pdf", ".xjdf"))
    document = etree.parse(str(delivered(job.hot_paths, ".xjdf")))
    etree.XMLSchema(etree.parse(str(SCHEMA_PATH))).assertValid(document)
    [spec] = document.getroot().findall(".//x:RunList/x:FileSpec", NS)
    assert spec.get("URL") == f"{job.stem}.pdf"  # the print file beside it
    # A printer without it gets the JSON alone, as before.
    assert not list(shop.hot("sub-1").glob("*.xjdf"))


def delivered(paths: tuple[str, ...], suffix: str) -> Path:
    [path] = [Path(p) for p in paths if p.endswith(suffix)]
    return path
