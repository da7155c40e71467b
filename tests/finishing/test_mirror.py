"""Mirrored output: the device copy of a sublimation (or mirroring printer's) job is flipped, the
master never is, and the ticket says which is which."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import pikepdf
import pytest
from PIL import ImageOps
from reportlab.pdfgen.canvas import Canvas

from printers.hotfolder import job_files
from printers.mirror import mirror_pdf, mirror_svg
from production.app.cli import main
from production.config.settings import DEFAULT_CONFIG_DIR, load_settings
from production.core.errors import PrinterError
from production.floor.rendering import ItemRenderer
from tests.finishing.shop import mean_difference, raster, render, sample_bytes, shop


def page_boxes(pdf: bytes) -> dict[str, list[float]]:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        page = document.pages[0].obj
        return {
            key: [float(v) for v in page[key]]
            for key in ("/MediaBox", "/TrimBox", "/BleedBox")
            if key in page
        }


def image_bytes(pdf: bytes) -> list[bytes]:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        xobjects = document.pages[0].obj.Resources.XObject
        return sorted(xobject.read_raw_bytes() for xobject in xobjects.values())


def assert_mirror_image(mirrored: bytes, master: bytes) -> None:
    flipped_back = ImageOps.mirror(raster(mirrored))
    # Only resampling differs: pdfium samples a flipped, rotated photo a little differently.
    assert mean_difference(flipped_back, raster(master)) < 2
    assert mean_difference(raster(mirrored), raster(master)) > 5  # the design is not symmetric


def test_the_sublimation_mug_is_mirrored_for_the_device_and_not_in_the_master() -> None:
    renderer = ItemRenderer(load_settings(DEFAULT_CONFIG_DIR))
    [job] = renderer.render_zip(sample_bytes("rotated-photo"), source="test").jobs
    assert job.printer is not None and job.printer.id == "sub-1"
    assert job.pdf is not None and job.pdf_name is not None
    device = job.device_files()
    assert set(device) == {job.pdf_name, job.ticket_name}
    assert set(job.files()) == {job.pdf_name, job.ticket_name, job.proof_name}  # not held
    assert_mirror_image(device[job.pdf_name], job.pdf)
    # The flip is one transform around the content: the photos keep their bytes.
    assert image_bytes(device[job.pdf_name]) == image_bytes(job.pdf)
    flipped, master = page_boxes(device[job.pdf_name]), page_boxes(job.pdf)
    assert set(flipped) == set(master) == {"/MediaBox", "/TrimBox", "/BleedBox"}
    for key, box in master.items():  # centred boxes: flipped onto themselves
        assert flipped[key] == pytest.approx(box)
    ticket = json.loads(device[job.ticket_name])
    assert (ticket["mirror"], ticket["process"], ticket["file"]) == (
        True,
        "sublimation",
        job.pdf_name,
    )
    assert device[job.ticket_name] == job.files()[job.ticket_name]  # the master says so too


def test_sublimation_is_mirrored_even_on_a_printer_not_marked_mirror(tmp_path: Path) -> None:
    settings = shop(tmp_path, "exif-rotated", process="sublimation", printer="uv-1")
    [job] = render(settings, "exif-rotated").jobs
    assert job.ticket.as_dict()["mirror"] is True
    assert job.pdf is not None and job.pdf_name is not None
    assert_mirror_image(job.device_files()[job.pdf_name], job.pdf)


def test_a_mirroring_printer_mirrors_print_jobs_too(tmp_path: Path) -> None:
    """DTF film: process "print", on a printer with mirror = true."""
    settings = shop(tmp_path, "exif-rotated", process="print", printer="sub-1")
    [job] = render(settings, "exif-rotated").jobs
    assert job.ticket.as_dict()["mirror"] is True
    assert job.pdf is not None and job.pdf_name is not None
    assert_mirror_image(job.device_files()[job.pdf_name], job.pdf)


def test_a_mirroring_laser_gets_a_mirrored_engrave_file(tmp_path: Path) -> None:
    """Reverse-engraved acrylic: engraved from the back, read from the front."""
    settings = shop(tmp_path, "photo-text", laser="mirror = true")
    [job] = render(settings, "photo-text").jobs
    assert job.pdf is not None and job.pdf_name is not None
    assert_mirror_image(job.device_files()[job.pdf_name], job.pdf)


def test_a_printer_that_does_not_mirror_gets_the_master_as_it_is(tmp_path: Path) -> None:
    settings = shop(tmp_path, "exif-rotated", process="print", printer="uv-1")
    [job] = render(settings, "exif-rotated").jobs
    assert job.ticket.as_dict()["mirror"] is False
    assert job.proof_name is not None  # a picture for people, never for a device
    assert job.device_files() == {n: d for n, d in job.files().items() if n != job.proof_name}


def test_device_files_follow_the_printer_as_it_is_now(tmp_path: Path) -> None:
    """A job rendered before its printer was set to mirror: the ticket is made true again."""
    settings = shop(tmp_path, "exif-rotated", process="print", printer="uv-1")
    [job] = render(settings, "exif-rotated").jobs
    assert job.printer is not None and job.pdf is not None and job.pdf_name is not None
    mirroring = dataclasses.replace(job.printer, mirror=True)
    files = job_files(job.files(), mirroring)
    assert json.loads(files[job.ticket_name])["mirror"] is True
    assert_mirror_image(files[job.pdf_name], job.pdf)


def test_an_svg_printer_needs_an_svg_master(tmp_path: Path) -> None:
    settings = shop(tmp_path, "exif-rotated", process="print", printer="uv-1")
    [job] = render(settings, "exif-rotated").jobs
    assert job.printer is not None
    svg_printer = dataclasses.replace(job.printer, format="svg")
    with pytest.raises(PrinterError, match=r"takes SVG files .* render it again"):
        job_files(job.files(), svg_printer)


def test_options_only_jobs_get_their_ticket_alone(tmp_path: Path) -> None:
    renderer = ItemRenderer(load_settings(DEFAULT_CONFIG_DIR))
    [job] = renderer.render_zip(sample_bytes("options-only"), source="test").jobs
    assert job.device_files() == job.files() == {job.ticket_name: job.files()[job.ticket_name]}


def test_production_render_writes_what_the_device_gets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zip_path = tmp_path / "order.zip"
    zip_path.write_bytes(sample_bytes("rotated-photo"))
    assert main(["render", str(zip_path), "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    renderer = ItemRenderer(load_settings(DEFAULT_CONFIG_DIR))
    [job] = renderer.render_zip(sample_bytes("rotated-photo"), source="test").jobs
    assert job.pdf is not None and job.pdf_name is not None
    written = (tmp_path / "out" / job.pdf_name).read_bytes()
    assert_mirror_image(written, job.pdf)


# -- mirror_pdf and mirror_svg on their own -------------------------------------------------------


def asymmetric_pdf(*, rotate: int = 0) -> bytes:
    """A 200 × 100 pt page with an off-centre trim box and an L shape in its left half."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(200, 100), invariant=True)
    canvas.setTrimBox((10, 5, 150, 95))
    canvas.setBleedBox((5, 0, 160, 100))
    canvas.setPageRotation(rotate)
    canvas.rect(20, 20, 15, 60, fill=1, stroke=0)
    canvas.rect(20, 20, 60, 15, fill=1, stroke=0)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def test_mirror_pdf_flips_content_and_boxes_within_the_media_box() -> None:
    master = asymmetric_pdf()
    mirrored = mirror_pdf(master)
    boxes = page_boxes(mirrored)
    assert boxes["/MediaBox"] == [0, 0, 200, 100]
    assert boxes["/TrimBox"] == [50, 5, 190, 95]
    assert boxes["/BleedBox"] == [40, 0, 195, 100]
    assert_mirror_image(mirrored, master)


def test_a_page_shown_turned_is_mirrored_as_it_is_shown() -> None:
    master = asymmetric_pdf(rotate=90)
    assert_mirror_image(mirror_pdf(master), master)


def test_mirroring_twice_gives_the_master_back() -> None:
    master = asymmetric_pdf()
    assert mean_difference(raster(mirror_pdf(mirror_pdf(master))), raster(master)) < 0.01


def test_mirror_svg_flips_within_the_view_box() -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="40mm" height="20mm" viewBox="10 0 40 20">'
        b"<title>t</title><rect x='10' y='0' width='5' height='20'/></svg>"
    )
    mirrored = mirror_svg(svg)
    assert b'<title>t</title><g transform="matrix(-1 0 0 1 60 0)"><rect' in mirrored
    assert b'viewBox="10 0 40 20"' in mirrored and b'width="40mm"' in mirrored


def test_a_file_that_is_not_a_pdf_is_refused() -> None:
    with pytest.raises(PrinterError, match="cannot be mirrored"):
        mirror_pdf(b"%PDF-1.4 nonsense")
