"""The CairoSVG fallback, rasterised: page boxes, placement in millimetres, and a closed door.

The design box below maps preview units onto the 100 × 50 mm trim at exactly 0.5 mm per unit,
so a preview point (x, y) lands at (3 + (x − 100) / 2, 3 + (y − 150) / 2) mm on the page.
"""

from __future__ import annotations

import io
import socket
from datetime import UTC, datetime

import pypdfium2 as pdfium
import pytest
from PIL import Image

from production.core.errors import RenderError
from production.core.geometry import MM, Box
from renderers.placement import PageGeometry, page_geometry
from renderers.svgfallback import render_svg_page

DPI = 100
WHITE, RED, BLUE = (255, 255, 255), (255, 0, 0), (0, 0, 255)
PHOTO = (200, 120, 40)
HEAD = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'width="3200" height="3200" viewBox="{view_box}">'
)


def _page() -> PageGeometry:
    return page_geometry(width_mm=100, height_mm=50, bleed_mm=3, design_box=Box(100, 150, 200, 100))


def _svg(body: str, view_box: str = "0 0 400 400") -> bytes:
    return (HEAD.format(view_box=view_box) + body + "</svg>").encode()


def _raster(pdf: bytes) -> Image.Image:
    image: Image.Image = pdfium.PdfDocument(pdf)[0].render(scale=DPI / 72).to_pil()
    return image.convert("RGB")


def _at(image: Image.Image, x_mm: float, y_mm: float) -> tuple[int, int, int]:
    pixel = image.getpixel((round(x_mm * DPI / 25.4), round(y_mm * DPI / 25.4)))
    assert isinstance(pixel, tuple)
    return (pixel[0], pixel[1], pixel[2])


def _near(pixel: tuple[int, int, int], colour: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def _jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), colour).save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Records (and blocks) any attempt to resolve a host or open a connection."""
    attempts: list[object] = []

    def refuse(*args: object, **_kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network access in a test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def test_page_size_boxes_and_document_info_in_millimetres() -> None:
    now = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
    svg = _svg('<rect x="150" y="175" width="100" height="50" fill="#0000ff"/>')
    pdf = render_svg_page(svg, {}, _page(), title="Order 1 · mug", now=now)
    document = pdfium.PdfDocument(pdf)
    assert len(document) == 1
    page = document[0]
    width, height = page.get_size()
    assert (width / MM, height / MM) == pytest.approx((106, 56), abs=0.01)
    assert [v / MM for v in page.get_trimbox()] == pytest.approx([3, 3, 103, 53], abs=0.01)
    assert [v / MM for v in page.get_bleedbox()] == pytest.approx([0, 0, 106, 56], abs=0.01)
    info = document.get_metadata_dict()
    assert info["Title"] == "Order 1 · mug"
    assert info["CreationDate"] == info["ModDate"] == "D:20260115093000Z"
    # Same input, same bytes: a re-render never looks like a different print file.
    assert render_svg_page(svg, {}, _page(), title="Order 1 · mug", now=now) == pdf


@pytest.mark.parametrize(
    ("view_box", "scale"),
    [("0 0 400 400", 1.0), ("0 0 800 800", 2.0)],
    ids=["preview-viewbox", "other-viewbox-stretched-onto-preview"],
)
def test_shapes_outside_the_subset_land_at_their_millimetre_position(
    view_box: str, scale: float
) -> None:
    # A circle, and a path painted with a gradient from <defs>: neither is in Amazon's subset.
    body = (
        '<defs><linearGradient id="fade" x1="0" x2="1" y1="0" y2="0">'
        '<stop offset="0" stop-color="#ff0000"/><stop offset="1" stop-color="#0000ff"/>'
        "</linearGradient></defs>"
        f'<circle cx="{200 * scale}" cy="{200 * scale}" r="{20 * scale}" fill="#ff0000"/>'
        f'<path d="M {100 * scale} {230 * scale} h {200 * scale} v {20 * scale} '
        f'h {-200 * scale} z" fill="url(#fade)"/>'
    )
    image = _raster(render_svg_page(_svg(body, view_box), {}, _page(), title="t"))
    # The circle: centre (200, 200) → (53, 28) mm, radius 20 units → 10 mm.
    assert _near(_at(image, 53, 28), RED)
    assert _near(_at(image, 53 + 9, 28), RED)
    assert _near(_at(image, 53 + 11, 28), WHITE)
    assert _near(_at(image, 53, 28 - 11), WHITE)
    # The gradient band: y 230…250 → 43…53 mm, x 100…300 → 3…103 mm, red into blue.
    assert _near(_at(image, 4, 48), RED, tolerance=20)
    assert _near(_at(image, 102, 48), BLUE, tolerance=20)
    assert _near(_at(image, 53, 41), WHITE)


def test_a_member_jpeg_is_drawn_where_the_svg_puts_it() -> None:
    # As Fabric.js writes a photo: a bare member name, inside a clip defined in the group.
    body = (
        '<g clip-path="url(#clip)"><clipPath id="clip">'
        '<rect x="120" y="160" width="30" height="20"/></clipPath>'
        '<image xlink:href="photo.jpg" x="120" y="160" width="40" height="20"/></g>'
    )
    members = {"photo.jpg": _jpeg(PHOTO)}
    image = _raster(render_svg_page(_svg(body), members, _page(), title="t"))
    # x 120…150 (clipped) → 13…28 mm, y 160…180 → 8…18 mm.
    assert _near(_at(image, 20, 13), PHOTO)
    assert _near(_at(image, 14, 9), PHOTO)
    assert _near(_at(image, 27, 17), PHOTO)
    assert _near(_at(image, 12, 13), WHITE)
    assert _near(_at(image, 29, 13), WHITE)  # the clip cuts the picture's last 10 units
    assert _near(_at(image, 20, 19), WHITE)


@pytest.mark.parametrize(
    "body",
    [
        '<image xlink:href="http://example.invalid/spy.png" width="10" height="10"/>',
        '<image href="https://example.invalid/spy.png" width="10" height="10"/>',
        '<image xlink:href="file:///etc/passwd" width="10" height="10"/>',
        '<image xlink:href="/etc/passwd" width="10" height="10"/>',
        '<image xlink:href="../secret-photo.jpg" width="10" height="10"/>',
        '<use xlink:href="file:///etc/passwd#x"/>',
        '<style>@import "http://example.invalid/spy.css";</style>',
        "<style>@import url(file:///etc/passwd);</style>",
    ],
    ids=[
        "http",
        "https",
        "file-url",
        "absolute-path",
        "relative-path",
        "use",
        "css-import-string",
        "css-import-url",
    ],
)
def test_references_outside_the_zip_are_refused_without_touching_the_network(
    body: str, network_attempts: list[object]
) -> None:
    members = {"photo.jpg": _jpeg(PHOTO)}
    with pytest.raises(RenderError) as error:
        render_svg_page(_svg(body), members, _page(), title="t")
    assert network_attempts == []
    assert "outside the customization zip" in error.value.message
    for leak in ("example", "passwd", "secret", "spy"):
        assert leak not in error.value.message


def test_a_document_declaring_an_entity_is_refused() -> None:
    svg = b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY who "x">]>\n' + _svg(
        '<text x="10" y="10">&who;</text>'
    )
    with pytest.raises(RenderError, match="entities"):
        render_svg_page(svg, {}, _page(), title="t")
