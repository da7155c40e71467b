"""Engraved text: glyph outlines, no fonts, exactly where the print PDF puts the printed text.

The print PDF of the same surface is the reference: both are rasterised with pdfium and their
ink compared pixel for pixel, allowing one pixel (0.13 mm at 200 dpi) for the two rasterisers'
different anti-aliasing of text and of filled paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFilter

from production.core.geometry import Box, Matrix
from production.core.model import (
    Color,
    Customization,
    Item,
    Surface,
    SvgPlacement,
    TextElement,
    Tspan,
)
from production.customization import parse_zip, read_zip
from renderers.engraving import Engraver, EngraveSettings
from renderers.fonts import FontIndex
from renderers.pdf import PdfRenderer, RenderedSurface
from renderers.placement import page_geometry
from tests.finishing.shop import content, has_fonts, ink, raster, render, sample_bytes, shop

DPI = 200


@pytest.fixture(scope="module")
def renderer() -> PdfRenderer:
    return PdfRenderer(fonts=FontIndex([]))


def both(
    renderer: PdfRenderer,
    customization: Customization,
    surface: Surface,
    members: Mapping[str, bytes] | None = None,
) -> tuple[bytes, RenderedSurface]:
    """The print PDF and the engrave PDF of one surface, on a 100 × 70 mm page, 2 mm bleed."""
    assert surface.design_box is not None
    page = page_geometry(width_mm=100, height_mm=70, bleed_mm=2, design_box=surface.design_box)
    members = members or {}
    printed = renderer.render(customization, surface, page, members, title="t").pdf
    engraved = Engraver(renderer).render(
        customization, surface, page, members, EngraveSettings(dpi=254), title="t"
    )
    return printed, engraved


def sample_surface(name: str) -> tuple[Customization, Surface, dict[str, bytes]]:
    data = sample_bytes(name)
    customization = parse_zip(data, source=name)
    return customization, customization.surfaces[0], dict(read_zip(data, source=name))


def ink_of_print(image: Image.Image) -> Image.Image:
    """Ink of a print raster whatever the text's colour: darker than halfway to its darkest."""
    # types-Pillow leaves getextrema unannotated.
    darkest = image.convert("L").getextrema()[0]  # type: ignore[no-untyped-call]
    return ink(image, (255 + darkest) // 2)


def assert_same_ink(printed: Image.Image, engraved: Image.Image) -> None:
    a, b = ink_of_print(printed), ink(engraved)
    box_a, box_b = a.getbbox(), b.getbbox()
    assert box_a is not None, "the print has no ink"
    assert box_b is not None, "the engrave file has no ink"
    assert max(abs(p - q) for p, q in zip(box_a, box_b, strict=True)) <= 1
    grown_a, grown_b = a.filter(ImageFilter.MaxFilter(3)), b.filter(ImageFilter.MaxFilter(3))
    inked = max(1, a.histogram()[255])
    # Ink of one raster more than a pixel away from any ink of the other.
    only_b = ImageChops.subtract(b, grown_a).histogram()[255]
    only_a = ImageChops.subtract(a, grown_b).histogram()[255]
    assert only_a / inked < 0.005 and only_b / inked < 0.005, (only_a, only_b, inked)


@pytest.mark.parametrize("name", ["text-only", "legacy-v3-only", "photo-text"])
def test_text_becomes_outlines_where_the_print_puts_it(renderer: PdfRenderer, name: str) -> None:
    customization, surface, members = sample_surface(name)
    # Text only: the print's photos are not what this compares.
    texts = Surface(
        name=surface.name,
        label=surface.label,
        elements=tuple(e for e in surface.elements if isinstance(e, TextElement)),
        boxes=surface.boxes,
    )
    printed, engraved = both(renderer, customization, texts, members)
    assert has_fonts(printed)  # the reference really is text
    assert not has_fonts(engraved.pdf)
    assert " Tf" not in content(engraved.pdf) and "BT" not in content(engraved.pdf).split()
    assert_same_ink(raster(printed, DPI), raster(engraved.pdf, DPI))
    assert engraved.fonts  # the ticket still says which font files the outlines came from


def test_rotated_and_scaled_text_lands_where_the_print_puts_it(renderer: PdfRenderer) -> None:
    matrix = Matrix.rotate(-20).then(Matrix.scale(1.3)).then(Matrix.translate(200, 220))
    element = text_element([Tspan("Ålesund 1905", -120, 10)], matrix, family="Roboto")
    customization, surface = alone(element)
    printed, engraved = both(renderer, customization, surface)
    assert not has_fonts(engraved.pdf)
    assert_same_ink(raster(printed, DPI), raster(engraved.pdf, DPI))


def test_outlines_are_filled_in_exact_black(renderer: PdfRenderer) -> None:
    element = text_element([Tspan("Red", -50, 10)], Matrix.translate(200, 200), color="#ff2200")
    customization, surface = alone(element)
    _, engraved = both(renderer, customization, surface)
    stream = content(engraved.pdf)
    assert "0 0 0 rg" in stream.splitlines() and "f" in stream.splitlines()
    assert "1 0.1333 0 rg" not in stream  # the buyer's colour is a preview, not an operation


def test_a_clip_that_cuts_text_is_kept_and_one_that_does_not_is_left_out(
    renderer: PdfRenderer,
) -> None:
    cut_off = text_element(
        [Tspan("CLIPPED", -150, 20)], Matrix.translate(200, 150), clip=Box(120, 100, 100, 60)
    )
    roomy = text_element(
        [Tspan("FREE", -60, 20)], Matrix.translate(200, 300), clip=Box(0, 220, 400, 160)
    )
    customization, surface = alone(cut_off, roomy)
    printed, engraved = both(renderer, customization, surface)
    # One clip (the text that overflows it); laser software that ignores clips loses nothing else.
    assert content(engraved.pdf).count(" re W n") == 1
    assert_same_ink(raster(printed, DPI), raster(engraved.pdf, DPI))


def test_the_engrave_ticket_lists_the_fonts_the_outlines_came_from(tmp_path: Path) -> None:
    settings = shop(tmp_path, "text-only")
    [job] = render(settings, "text-only").jobs
    assert job.pdf is not None and not has_fonts(job.pdf)
    assert [font["family"] for font in job.ticket.as_dict()["fonts"]] == ["Amatic SC"]
    assert (
        job.ticket.as_dict()["process"],
        job.ticket.as_dict()["format"],
        job.ticket.as_dict()["mirror"],
    ) == (
        "engrave",
        "pdf",
        False,
    )
    assert job.ticket.as_dict()["engrave"] == {"dither": "none", "invert": False, "cut": None}


# -- building surfaces ---------------------------------------------------------------------------


def text_element(
    spans: list[Tspan],
    matrix: Matrix,
    *,
    size: float = 40,
    clip: Box | None = None,
    color: str = "#000000",
    family: str = "Roboto",
) -> TextElement:
    return TextElement(
        name="TEXT",
        label="Text",
        lines=tuple(span.text for span in spans),
        font_family=family,
        color=Color(color),
        font_size=size,
        svg=SvgPlacement(matrix, clip),
        tspans=tuple(spans),
    )


def alone(*elements: TextElement) -> tuple[Customization, Surface]:
    surface = Surface(name="FRONT", label="", elements=elements, boxes=(Box(0, 0, 400, 400),))
    item = Item("900-0000000-0000000", "90000000000000")
    return Customization(item=item, surfaces=(surface,), source="xml"), surface
