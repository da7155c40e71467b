"""Photos land upright and where the buyer put them: EXIF orientations and rotated placements."""

from __future__ import annotations

import io
import math

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageOps

from production.core.geometry import Box, Matrix, Size
from production.core.model import Customization, ImageElement, Item, Surface, SvgPlacement
from renderers.fonts import FontIndex
from renderers.pdf import PdfRenderer
from renderers.placement import page_geometry

RED, BLUE, GREEN, WHITE = (255, 0, 0), (0, 0, 255), (0, 160, 0), (255, 255, 255)
DPI = 100
# The buyer's picture, upright: red top-left, blue top-right, green bottom half.
UPRIGHT = (200, 300)


def _upright() -> Image.Image:
    image = Image.new("RGB", UPRIGHT, GREEN)
    image.paste(RED, (0, 0, 100, 150))
    image.paste(BLUE, (100, 0, 200, 150))
    return image


# How a camera stores an upright picture for each EXIF orientation (a viewer undoes it).
_STORE = {
    1: lambda im: im,
    2: lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
    3: lambda im: im.transpose(Image.Transpose.ROTATE_180),
    4: lambda im: im.transpose(Image.Transpose.FLIP_TOP_BOTTOM),
    5: lambda im: im.transpose(Image.Transpose.TRANSPOSE),
    6: lambda im: im.transpose(Image.Transpose.ROTATE_90),
    7: lambda im: im.transpose(Image.Transpose.TRANSVERSE),
    8: lambda im: im.transpose(Image.Transpose.ROTATE_270),
}


def _jpeg(orientation: int) -> tuple[bytes, Size]:
    stored = _STORE[orientation](_upright())
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    stored.save(out, "JPEG", quality=95, exif=exif.tobytes())
    # Pillow's viewer-side transpose must give the upright picture back: the fixture is right.
    viewed = ImageOps.exif_transpose(Image.open(io.BytesIO(out.getvalue())))
    assert viewed.size == UPRIGHT and viewed.getpixel((50, 50))[0] > 200
    return out.getvalue(), Size(*stored.size)


def _render(element: ImageElement, data: bytes) -> tuple[Image.Image, Matrix]:
    surface = Surface(name="FRONT", label="", elements=(element,), boxes=(Box(0, 0, 400, 400),))
    customization = Customization(item=Item("1-2-3", "1"), surfaces=(surface,), source="xml")
    page = page_geometry(width_mm=100, height_mm=100, bleed_mm=0, design_box=Box(0, 0, 400, 400))
    result = PdfRenderer(fonts=FontIndex([])).render(
        customization, surface, page, {element.member: data}, title="t"
    )
    raster = pdfium.PdfDocument(result.pdf)[0].render(scale=DPI / 72).to_pil().convert("RGB")
    return raster, page.to_page.then(Matrix.scale(DPI / 72))


def _render_photo(orientation: int, matrix: Matrix) -> tuple[Image.Image, Matrix]:
    """The test picture, stored for `orientation`, centred on the element origin under `matrix`."""
    data, stored = _jpeg(orientation)
    element = ImageElement(
        name="",
        label="",
        member="p.jpg",
        media_type="image/jpeg",
        pixel_size=Size(*UPRIGHT),
        stored_size=stored,
        exif_orientation=orientation,
        svg=SvgPlacement(matrix),
        svg_rect=Box(-100, -150, 200, 300),
    )
    return _render(element, data)


def _colour_at(raster: Image.Image, to_pixels: Matrix, x: float, y: float) -> tuple[int, int, int]:
    point = to_pixels.apply(x, y)
    r, g, b = raster.getpixel((round(point.x), round(point.y)))
    nearest = min(
        (RED, BLUE, GREEN, WHITE),
        key=lambda c: sum((p - q) ** 2 for p, q in zip(c, (r, g, b), strict=True)),
    )
    return nearest


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_prints_upright(orientation: int) -> None:
    raster, to_pixels = _render_photo(orientation, Matrix.translate(200, 200))
    # In preview units the picture spans x 100..300, y 50..350.
    assert _colour_at(raster, to_pixels, 150, 100) == RED
    assert _colour_at(raster, to_pixels, 250, 100) == BLUE
    assert _colour_at(raster, to_pixels, 200, 300) == GREEN
    assert _colour_at(raster, to_pixels, 80, 200) == WHITE  # nothing outside the picture


@pytest.mark.parametrize("degrees", [30.0, -12.5, 90.0])
def test_rotated_placement_turns_about_the_centre(degrees: float) -> None:
    matrix = Matrix.rotate(degrees).then(Matrix.translate(200, 200))
    raster, to_pixels = _render_photo(1, matrix)
    for local, colour in (((-50, -75), RED), ((50, -75), BLUE), ((0, 75), GREEN)):
        where = matrix.apply(*local)
        assert _colour_at(raster, to_pixels, where.x, where.y) == colour, (degrees, local)
    # A corner of the unrotated rect that the rotation moved away is blank (for these angles).
    corner = Matrix.translate(200, 200).apply(-98, -148)
    moved = matrix.apply(-98, -148)
    assert math.hypot(corner.x - moved.x, corner.y - moved.y) > 10
    assert _colour_at(raster, to_pixels, corner.x, corner.y) == WHITE
