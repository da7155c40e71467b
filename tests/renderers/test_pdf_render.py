"""Rendered PDFs, rasterised: photos land in their clip boxes, in millimetres, bytes untouched."""

from __future__ import annotations

import io
import zipfile
from typing import cast

import pypdfium2 as pdfium
import pytest
from PIL import Image

from production.core.geometry import MM, Box
from production.customization import parse_zip, read_zip
from production.customization.samples import SAMPLES_DIR
from renderers.fonts import FontIndex
from renderers.pdf import PdfRenderer, RenderedSurface
from renderers.placement import page_geometry
from tests.reference import mug_zip

DPI = 150
STAND_IN = (200, 120, 40)  # the colour tests/reference.py paints JPEG stand-ins with


def _render(mug: str) -> tuple[bytes, RenderedSurface]:
    data = mug_zip(mug)
    customization = parse_zip(data)
    surface = customization.surfaces[0]
    assert surface.design_box is not None
    page = page_geometry(width_mm=215.9, height_mm=88.9, bleed_mm=3, design_box=surface.design_box)
    renderer = PdfRenderer(fonts=FontIndex([]))
    result = renderer.render(customization, surface, page, read_zip(data, source=mug), title=mug)
    return result.pdf, result


def _raster(pdf: bytes) -> Image.Image:
    """The first page as a PIL image at DPI."""
    document = pdfium.PdfDocument(pdf)
    image: Image.Image = document[0].render(scale=DPI / 72).to_pil().convert("RGB")
    return image


def _is_photo(pixel: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 12 for a, b in zip(pixel, STAND_IN, strict=True))


def test_page_is_trim_plus_bleed_with_boxes() -> None:
    pdf, _ = _render("mug-03")
    page = pdfium.PdfDocument(pdf)[0]
    width, height = page.get_size()
    assert width / MM == pytest.approx(215.9 + 6, abs=0.01)
    assert height / MM == pytest.approx(88.9 + 6, abs=0.01)
    trim = page.get_trimbox()
    assert [v / MM for v in trim] == pytest.approx([3, 3, 218.9, 91.9], abs=0.01)
    assert [v / MM for v in page.get_bleedbox()] == pytest.approx([0, 0, 221.9, 94.9], abs=0.01)


def test_photos_fill_exactly_their_clip_boxes_in_millimetres() -> None:
    pdf, result = _render("mug-03")
    image = _raster(pdf)
    geometry = result.page
    px_per_pt = DPI / 72
    for clip in (Box(42.5, 131.5, 127, 130), Box(226.5, 131.5, 127, 130)):
        on_page = geometry.to_page.map_box(clip)  # points, y down
        inset = 0.5 * MM  # half a millimetre inside and outside each edge
        inside = on_page.inset(inset)
        outside = on_page.inset(-inset)
        for x, y in (
            (inside.x, inside.y),
            (inside.right, inside.bottom),
            (inside.center.x, inside.center.y),
        ):
            assert _is_photo(image.getpixel((round(x * px_per_pt), round(y * px_per_pt))))
        for x, y in ((outside.x, outside.center.y), (outside.right, outside.center.y)):
            assert not _is_photo(image.getpixel((round(x * px_per_pt), round(y * px_per_pt))))


def test_jpeg_bytes_are_embedded_unchanged() -> None:
    data = mug_zip("mug-03")
    photos = {
        name: zipfile.ZipFile(io.BytesIO(data)).read(name)
        for name in (
            "c0fd71de-83d2-4aee-87b9-e45ca08d1d4d.jpg",
            "6ccde2d2-2eb9-4624-a04a-b6fc0e1a75d6.jpg",
        )
    }
    pdf, _ = _render("mug-03")
    for photo in photos.values():
        assert photo in pdf
    assert len(pdf) <= 1.02 * sum(len(p) for p in photos.values()) + 20_000


def test_effective_resolution_is_reported_per_photo() -> None:
    _, result = _render("mug-03")
    reports = {r.member: r for r in result.images}
    front = reports["c0fd71de-83d2-4aee-87b9-e45ca08d1d4d.jpg"]
    # 4000 px over 130 preview units at 0.6838 mm per unit: 88.9 mm, 1143 ppi.
    assert front.printed_mm[0] == pytest.approx(130 * 88.9 / 130, abs=0.05)
    assert front.ppi == pytest.approx(4000 / (88.9 / 25.4), rel=1e-3)


def test_a_png_keeps_its_transparency() -> None:
    # png-alpha.zip: a red heart on fully transparent pixels stored as (0, 0, 0, 0). Dropping
    # the alpha would print those as a black square around the heart.
    data = (SAMPLES_DIR / "png-alpha.zip").read_bytes()
    customization = parse_zip(data)
    surface = customization.surfaces[0]
    assert surface.design_box is not None
    page = page_geometry(width_mm=215.9, height_mm=88.9, bleed_mm=3, design_box=surface.design_box)
    result = PdfRenderer(fonts=FontIndex([])).render(
        customization, surface, page, read_zip(data, source="png"), title="png"
    )
    assert b"/SMask" in result.pdf
    image = _raster(result.pdf)
    px_per_pt = DPI / 72

    def colour(x: float, y: float) -> tuple[int, int, int]:
        point = page.to_page.apply(x, y)
        pixel = image.getpixel((round(point.x * px_per_pt), round(point.y * px_per_pt)))
        return cast("tuple[int, int, int]", pixel)  # an RGB image's pixels are (r, g, b)

    # The PNG spans (50.25, 140.75)–(160.75, 251.25) in preview units, centred on (105.5, 196).
    assert colour(53, 144) == (255, 255, 255)  # a transparent corner shows the page
    red = colour(105.5, 196)
    assert red[0] > 180 and red[1] < 80 and red[2] < 100  # the heart itself
