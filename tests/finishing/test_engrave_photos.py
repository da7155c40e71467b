"""Engraved photos: grayscale at the laser's DPI over exactly their printed area, where the print
PDF puts them; dithered to 1 bit and inverted when the template or laser asks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageOps

from production.core.geometry import MM
from production.core.model import ImageElement
from production.customization import parse_zip
from production.floor.rendering import JobOutput
from renderers.placement import element_clip, image_geometry, page_geometry
from tests.finishing.shop import (
    content,
    images,
    mean_difference,
    raster,
    render,
    sample_bytes,
    shop,
)

MM_PER_INCH = 25.4


def engraved(tmp_path: Path, sample: str = "photo-text", **options: Any) -> JobOutput:
    [job] = render(shop(tmp_path, sample, **options), sample).jobs
    assert job.pdf is not None
    return job


def visible_photo_box_mm(
    sample: str, width: float = 120, height: float = 90
) -> tuple[float, float, float, float]:
    """Where the sample's first photo shows (in its clip box, on the page), in mm: x, y, w, h."""
    surface = parse_zip(sample_bytes(sample)).surfaces[0]
    assert surface.design_box is not None
    page = page_geometry(
        width_mm=width, height_mm=height, bleed_mm=0, design_box=surface.design_box
    )
    photo = next(e for e in surface.elements if isinstance(e, ImageElement))
    photo_clip = element_clip(photo)
    assert photo_clip is not None
    clip = page.to_page.map_box(photo_clip)
    matrix, rect = image_geometry(photo)
    picture = page.to_page.map_box(matrix.map_box(rect))  # axis-aligned in this sample
    x0, y0 = max(clip.x, picture.x, 0), max(clip.y, picture.y, 0)
    x1 = min(clip.right, picture.right, page.width_pt)
    y1 = min(clip.bottom, picture.bottom, page.height_pt)
    return x0 / MM, y0 / MM, (x1 - x0) / MM, (y1 - y0) / MM


def placements(pdf: bytes) -> list[tuple[float, float, float, float]]:
    """Every image's `w 0 0 h x y cm` in the content stream, in points."""
    pattern = r"q ([\d.]+) 0 0 ([\d.]+) ([-\d.]+) ([-\d.]+) cm /Im\d+ Do Q"
    return [
        (float(w), float(h), float(x), float(y)) for w, h, x, y in re.findall(pattern, content(pdf))
    ]


@pytest.mark.parametrize("dpi", [254, 500])
def test_photos_are_grayscale_at_the_lasers_dpi(tmp_path: Path, dpi: int) -> None:
    job = engraved(tmp_path, dpi=dpi)
    assert job.pdf is not None
    [(stream, picture)] = images(job.pdf)
    assert (stream.color_space, stream.bits) == ("/DeviceGray", 8)
    assert picture.mode == "L"
    _, _, width_mm, height_mm = visible_photo_box_mm("photo-text")
    assert abs(picture.width - width_mm * dpi / MM_PER_INCH) <= 1
    assert abs(picture.height - height_mm * dpi / MM_PER_INCH) <= 1
    # And it is placed over exactly that area.
    [(w, h, _, _)] = placements(job.pdf)
    assert (w / MM, h / MM) == pytest.approx((width_mm, height_mm), abs=0.01)
    assert job.ticket.as_dict()["dpi"] == dpi
    assert job.ticket.as_dict()["images"][0]["pixels"] == [
        2000,
        1500,
    ]  # the buyer's photo, as uploaded


@pytest.mark.parametrize("sample", ["photo-text", "exif-rotated", "rotated-photo", "png-alpha"])
def test_photos_land_where_the_print_puts_them(tmp_path: Path, sample: str) -> None:
    """EXIF orientation, rotation, cropping and transparency as in print, only in gray."""
    laser = engraved(tmp_path / "laser", sample)
    [printed] = render(shop(tmp_path / "uv", sample, process="print", printer="uv-1"), sample).jobs
    assert printed.pdf is not None and laser.pdf is not None
    gray_print = raster(printed.pdf).convert("L")
    gray_laser = raster(laser.pdf).convert("L")
    assert mean_difference(gray_print, gray_laser) < 2.5
    # A mirrored or turned photo would differ by far more than that.
    assert mean_difference(ImageOps.mirror(gray_print), gray_laser) > 5


@pytest.mark.parametrize("method", ["floyd-steinberg", "ordered", "threshold"])
def test_dithered_photos_are_one_bit(tmp_path: Path, method: str) -> None:
    gray = only_image(engraved(tmp_path / "gray"))
    job = engraved(tmp_path / method, surface=f'dither = "{method}"')
    assert job.pdf is not None
    [(stream, picture)] = images(job.pdf)
    assert (stream.color_space, stream.bits) == ("/DeviceGray", 1)
    assert picture.size == gray.size
    assert set(picture.convert("L").histogram()[1:255]) == {0}  # only black and white
    assert job.ticket.as_dict()["engrave"]["dither"] == method
    if method != "threshold":
        # Dithering keeps the tone: over 16 × 16 px patches the dots average to the grays.
        blurred = picture.convert("L").reduce(16)
        assert mean_difference(blurred, gray.reduce(16)) < 12


def test_floyd_steinberg_is_not_a_threshold(tmp_path: Path) -> None:
    diffused = only_image(engraved(tmp_path / "fs", surface='dither = "floyd-steinberg"'))
    cut = only_image(engraved(tmp_path / "th", surface='dither = "threshold"'))
    assert ImageChops.difference(diffused.convert("L"), cut.convert("L")).getbbox() is not None


def test_the_template_dither_wins_over_the_lasers(tmp_path: Path) -> None:
    on_laser = engraved(tmp_path / "laser", laser='dither = "ordered"')
    assert only_image(on_laser).mode == "1"
    assert on_laser.ticket.as_dict()["engrave"]["dither"] == "ordered"
    overridden = engraved(
        tmp_path / "template", laser='dither = "ordered"', surface='dither = "none"'
    )
    assert only_image(overridden).mode == "L"


def test_inverted_photos_are_the_negative(tmp_path: Path) -> None:
    plain = only_image(engraved(tmp_path / "plain"))
    job = engraved(tmp_path / "inverted", surface="invert = true")
    negative = only_image(job)
    assert mean_difference(ImageOps.invert(plain), negative) < 1
    assert job.ticket.as_dict()["engrave"]["invert"] is True


def test_the_laser_can_invert_and_the_template_can_say_no(tmp_path: Path) -> None:
    plain = only_image(engraved(tmp_path / "plain"))
    by_laser = only_image(engraved(tmp_path / "laser", laser="invert = true"))
    assert mean_difference(ImageOps.invert(plain), by_laser) < 1
    kept = only_image(engraved(tmp_path / "kept", laser="invert = true", surface="invert = false"))
    assert mean_difference(plain, kept) < 1


def test_transparent_parts_are_never_engraved_even_inverted(tmp_path: Path) -> None:
    """White is "do not fire": a PNG's transparent background stays white when inverted."""
    picture = only_image(engraved(tmp_path, "png-alpha", surface="invert = true"))
    width, height = picture.size
    for corner in ((0, 0), (width - 1, 0), (0, height - 1), (width - 1, height - 1)):
        assert picture.getpixel(corner) == 255
    # The heart itself (opaque, dark in the photo) is now light... and its surround, inverted,
    # is darker than white: the picture is not blank. (types-Pillow leaves getextrema unannotated.)
    assert picture.getextrema()[0] < 128  # type: ignore[no-untyped-call]


def test_text_over_a_photo_is_drawn_after_it(tmp_path: Path) -> None:
    job = engraved(tmp_path)
    assert job.pdf is not None
    stream = content(job.pdf)
    assert stream.index(" Do Q") < stream.index("\nf\n")


def only_image(job: JobOutput) -> Image.Image:
    assert job.pdf is not None
    [(_, picture)] = images(job.pdf)
    return picture
