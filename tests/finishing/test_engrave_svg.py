"""SVG for lasers that take SVG: millimetres throughout, the same drawing as the engrave PDF."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import cairosvg
import pytest
from lxml import etree
from PIL import Image, ImageOps

from production.app.cli import main
from production.floor.rendering import JobOutput
from renderers.engrave_svg import SVG_NS, XLINK_NS
from tests.finishing.shop import mean_difference, raster, render, sample_bytes, shop

DPI = 150
NS = {"svg": SVG_NS}


def svg_job(
    tmp_path: Path, sample: str = "photo-text", *, laser: str = "", cut: str = "rect"
) -> JobOutput:
    settings = shop(
        tmp_path, sample, width=60, height=44, laser=f'format = "svg"\n{laser}',
        surface=f'bleed_mm = 2\ncut = "{cut}"',
    )  # fmt: skip
    [job] = render(settings, sample).jobs
    assert job.svg is not None and job.pdf is not None
    return job


def svg_raster(svg: bytes, dpi: int = DPI) -> Image.Image:
    png = cairosvg.svg2png(bytestring=svg, dpi=dpi, background_color="white")
    return Image.open(io.BytesIO(png)).convert("RGB")


def test_an_svg_laser_gets_an_svg_in_millimetres(tmp_path: Path) -> None:
    job = svg_job(tmp_path)
    assert job.svg is not None
    root = etree.fromstring(job.svg)
    # 60 × 44 mm and 2 mm of bleed on every side.
    assert (root.get("width"), root.get("height")) == ("64mm", "48mm")
    assert root.get("viewBox") == "0 0 64 48"
    stem = job.identity.stem
    assert set(job.device_files()) == {f"{stem}.svg", f"{stem}.json"}
    assert set(job.files()) == {f"{stem}.pdf", f"{stem}.svg", f"{stem}.json", f"{stem}.proof.png"}
    assert (job.ticket.as_dict()["file"], job.ticket.as_dict()["format"]) == (f"{stem}.svg", "svg")


def test_the_svg_holds_outlines_gray_pixels_and_ordered_red_hairlines(tmp_path: Path) -> None:
    job = svg_job(tmp_path)
    assert job.svg is not None
    root = etree.fromstring(job.svg)
    assert not root.findall(".//svg:text", NS) and b"font" not in job.svg.lower()
    groups = [g.get("id") for g in root.findall("svg:g", NS)]
    assert groups == ["engrave", "cut-outer"]
    [cut] = root.findall("svg:g[@id='cut-outer']", NS)
    assert (cut.get("stroke"), cut.get("stroke-width"), cut.get("fill")) == (
        "#FF0000",
        "0.025",
        "none",
    )
    [image] = root.findall(".//svg:image", NS)
    href = image.get(f"{{{XLINK_NS}}}href")
    assert href is not None and href.startswith("data:image/png;base64,")
    picture = Image.open(io.BytesIO(base64.b64decode(href.split(",", 1)[1])))
    assert picture.mode == "L"
    width = image.get("width")
    assert width is not None
    width_mm = float(width)
    assert abs(picture.width - width_mm * 254 / 25.4) <= 1  # the laser's 254 dpi


def test_the_svg_draws_what_the_engrave_pdf_draws(tmp_path: Path) -> None:
    """CairoSVG and pdfium differ only in anti-aliasing (at 300 dpi: about 1.3 of 255)."""
    job = svg_job(tmp_path)
    assert job.svg is not None and job.pdf is not None
    from_svg, from_pdf = svg_raster(job.svg, 300), raster(job.pdf, 300)
    assert abs(from_svg.width - from_pdf.width) <= 1 and abs(from_svg.height - from_pdf.height) <= 1
    # The two round the page to a whole pixel differently: compare what both have.
    common = (0, 0, min(from_svg.width, from_pdf.width), min(from_svg.height, from_pdf.height))
    assert mean_difference(from_svg.crop(common), from_pdf.crop(common)) < 2
    shifted = from_svg.crop((4, 0, common[2] + 4, common[3]))  # 0.34 mm off: clearly worse
    assert mean_difference(shifted, from_pdf.crop(common)) > 3


def test_inner_cuts_come_before_the_outer_cut_in_svg_too(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir(parents=True)
    (tmp_path / "assets" / "tag.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="60mm" height="44mm" viewBox="0 0 60 44">'
        '<rect width="60" height="44"/><circle cx="6" cy="22" r="2"/></svg>'
    )
    job = svg_job(tmp_path, "legacy-v3-only", cut="tag.svg")
    assert job.svg is not None
    root = etree.fromstring(job.svg)
    assert [g.get("id") for g in root.findall("svg:g", NS)] == ["engrave", "cut-inner", "cut-outer"]
    [hole] = root.findall("svg:g[@id='cut-inner']/svg:path", NS)
    d = hole.get("d")
    assert d is not None
    assert d.startswith("M6 24")  # 4 mm left of the centre (6, 22), plus the bleed


def test_a_mirroring_svg_laser_gets_the_mirror_image(tmp_path: Path) -> None:
    job = svg_job(tmp_path, laser="mirror = true")
    assert job.svg is not None
    device = job.device_files()[f"{job.identity.stem}.svg"]
    assert job.ticket.as_dict()["mirror"] is True
    master, flipped = svg_raster(job.svg), svg_raster(device)
    assert mean_difference(ImageOps.mirror(flipped), master) < 1.5
    assert mean_difference(flipped, master) > 5
    root = etree.fromstring(device)
    assert (root.get("width"), root.get("viewBox")) == ("64mm", "0 0 64 48")


@pytest.mark.parametrize("attribute", ["width", "height"])
def test_sizes_are_millimetres_not_pixels(tmp_path: Path, attribute: str) -> None:
    svg = svg_job(tmp_path).svg
    assert svg is not None
    size = etree.fromstring(svg).get(attribute)
    assert size is not None and re.fullmatch(r"[\d.]+mm", size)


def test_production_render_writes_the_svg_a_laser_that_takes_svg_gets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config"
    shop(config, "text-only", width=60, height=44, laser='format = "svg"', surface='cut = "rect"')
    zip_path = tmp_path / "sign.zip"
    zip_path.write_bytes(sample_bytes("text-only"))
    code = main(["render", str(zip_path), "--out", str(tmp_path / "out"), "--config", str(config)])
    assert code == 0, capsys.readouterr().err
    stem = "900-0000001-0000001_90000000000011_FRONT"
    assert {p.name for p in (tmp_path / "out").iterdir()} == {f"{stem}.svg", f"{stem}.json"}
    svg = (tmp_path / "out" / f"{stem}.svg").read_bytes()
    assert etree.fromstring(svg).get("width") == "60mm"
