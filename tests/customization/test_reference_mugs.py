"""The 24 anonymized real photo-mug zips parse into the values they really hold."""

from __future__ import annotations

import io
import math
import zipfile
from decimal import Decimal

import pytest

from production.core.geometry import Box
from production.core.model import TEXT_STROKE_WIDTH, ImageElement, OverlayElement, TextElement
from production.customization import parse_zip
from tests.reference import mug_names, mug_zip

MUGS = mug_names()


def test_there_are_24_reference_mugs() -> None:
    assert len(MUGS) == 24


@pytest.mark.parametrize("mug", MUGS)
def test_every_mug_parses_from_the_tree_without_warnings(mug: str) -> None:
    customization = parse_zip(mug_zip(mug), source=f"{mug}.zip")
    assert customization.source == "customizationData"
    assert customization.warnings == ()
    assert [s.name for s in customization.surfaces] == ["FRONT"]
    surface = customization.surfaces[0]
    assert surface.label == "11 WHITE - photo mug"
    assert surface.design_box == Box(42, 131, 311, 130)
    assert len(surface.options) == 1


def test_mug_01_text_font_colour_box_and_tspans() -> None:
    customization = parse_zip(mug_zip("mug-01"))
    item = customization.item
    assert (item.order_id, item.order_item_id, item.asin, item.quantity) == (
        "111-1000001-2000001",
        "10000000000011",
        "B0EXAMPLE01",
        1,
    )
    surface = customization.surfaces[0]
    (text,) = surface.texts
    assert text.lines == ("Sint", 'non "10"', "ipsum", "4-65-2044")
    assert text.font_family == "Great Vibes"
    assert text.color is not None and text.color.value == "#000000"
    assert text.color.name == "Black"
    assert text.box == Box(43, 131, 125, 129)
    assert text.font_size == pytest.approx(106.4014598540146)
    assert [(t.text, t.x, t.y) for t in text.tspans][1] == ('non "10"', -114.64757096, -36.31056219)
    assert text.svg is not None and text.svg.clip == Box(43.5, 131.5, 125, 129)
    assert text.price_delta == Decimal(0)
    (overlay,) = surface.overlays
    assert overlay.file_name == "80b9598d-8c66-4530-a859-c1a4c02fb944.png"
    assert surface.elements[-1] is overlay  # option overlays sit on top
    option = surface.options[0]
    assert (option.label, option.value) == ("Select Printed Area", "Print FRONT of a mug ONLY")
    assert option.overlay_url is not None and option.overlay_url.endswith(overlay.file_name)


def test_mug_03_two_photos_one_turned_by_exif() -> None:
    surface = parse_zip(mug_zip("mug-03")).surfaces[0]
    front, back = surface.images
    assert front.member == "c0fd71de-83d2-4aee-87b9-e45ca08d1d4d.jpg"
    assert (front.pixel_size.width, front.pixel_size.height) == (4000, 4000)
    assert front.box == Box(42, 131, 127, 130)
    assert back.exif_orientation == 6
    assert (back.stored_size.width, back.stored_size.height) == (5712, 4284)
    assert (back.pixel_size.width, back.pixel_size.height) == (4284, 5712)
    assert back.svg_rect == Box(-2142, -2856, 4284, 5712)
    assert back.media_type == "image/jpeg"
    assert surface.snapshot_member == "e2bd2560-6685-f56f-a171-f35933d319a8.jpg"
    option = surface.options[0]
    assert (option.value, option.price_delta) == ("PRINT on BOTH sides", Decimal("3.88"))
    assert surface.texts == ()  # both text boxes left empty


def test_mug_10_png_upload_and_mug_08_rotations() -> None:
    png = parse_zip(mug_zip("mug-10")).surfaces[0].images[1]
    assert png.media_type == "image/png"
    assert (png.pixel_size.width, png.pixel_size.height) == (2048, 2048)
    image, text = parse_zip(mug_zip("mug-08")).surfaces[0].elements[:2]
    assert isinstance(image, ImageElement) and isinstance(text, TextElement)
    assert image.buyer_placement is not None
    assert image.buyer_placement.rotation == pytest.approx(0.23438120603566404)
    assert text.lines == ("MINIM ", "MOLLIT’L", "NON", "1212")


def test_mug_24_negative_rotation() -> None:
    image = parse_zip(mug_zip("mug-24")).surfaces[0].images[0]
    assert image.buyer_placement is not None
    assert image.buyer_placement.rotation == pytest.approx(-0.2514322267338683)
    assert image.svg is not None
    assert image.svg.matrix.rotation_degrees == pytest.approx(-0.2514322267, abs=1e-4)


def test_buyer_placements_match_the_svg_transforms_to_1e_6() -> None:
    """center = position + R(θ)·(w/2, h/2); the SVG matrix is s·R(θ) translated to that centre."""
    placed = 0
    for mug in MUGS:
        for element in parse_zip(mug_zip(mug)).surfaces[0].elements:
            if isinstance(element, OverlayElement) or element.buyer_placement is None:
                continue
            assert element.svg is not None, mug
            stroke = TEXT_STROKE_WIDTH if isinstance(element, TextElement) else 0.0
            placement = element.buyer_placement
            center = placement.center(stroke)
            m = element.svg.matrix
            theta = math.radians(placement.rotation)
            s = placement.scale
            assert center.x == pytest.approx(m.e, abs=1e-6), mug
            assert center.y == pytest.approx(m.f, abs=1e-6), mug
            expected = (s * math.cos(theta), s * math.sin(theta), -s * math.sin(theta))
            assert (m.a, m.b, m.c) == pytest.approx(expected, abs=1e-6), mug
            placed += 1
    assert placed == 46


def _without(data: bytes, suffix: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            if not info.filename.endswith(suffix):
                archive.writestr(info, source.read(info))
    return out.getvalue()


@pytest.mark.parametrize("mug", MUGS)
def test_the_xml_backup_gives_the_same_model_as_the_json(mug: str) -> None:
    from_json = parse_zip(mug_zip(mug))
    from_xml = parse_zip(_without(mug_zip(mug), ".json"))
    assert from_xml.source == "xml"
    assert from_xml.item == from_json.item
    assert from_xml.surfaces == from_json.surfaces
    assert from_xml.warnings == ("the zip has no JSON; read the XML backup instead",)


def test_broken_json_falls_back_to_the_xml_with_a_warning() -> None:
    source = zipfile.ZipFile(io.BytesIO(mug_zip("mug-05")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            archive.writestr(
                info, data[: len(data) // 2] if info.filename.endswith(".json") else data
            )
    customization = parse_zip(out.getvalue())
    assert customization.source == "xml"
    assert customization.surfaces == parse_zip(mug_zip("mug-05")).surfaces
    assert "the JSON is unusable" in customization.warnings[0]
