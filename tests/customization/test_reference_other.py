"""The other anonymized reference files: 2018 version3.0-only, an option-only page, text SVGs."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest

from production.core.geometry import Box
from production.core.model import SellerFont
from production.customization import parse_document, parse_zip
from production.customization.svgreader import SvgImage, SvgText, read_svg
from tests.reference import OTHER


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_2018_version3_only_file() -> None:
    data = (OTHER / "text-options-2018-version3.0-only.json").read_bytes()
    customization = parse_zip(_zip({"10000000000901.json": data}))
    assert customization.source == "version3.0"
    assert customization.item.order_id == "111-3000001-4000001"
    assert customization.item.asin == "B0EXAMPLE02"
    (surface,) = customization.surfaces
    assert surface.name == "Surface 1"
    lines = [t.lines for t in surface.texts]
    assert lines == [("Amet",), ("334-477-1205",), ("334-459-8295",)]
    first = surface.texts[0]
    assert first.font_family == "timesbd"
    assert first.color is not None and first.color.value == "#111111"
    assert first.box == Box(278, 284, 106, 11)
    assert first.svg is None
    (option,) = surface.options
    assert (option.label, option.value, option.option_id) == ("Pls Choose Size", "L", "1-3-3")
    assert (option.price_delta, option.currency) == (Decimal(0), "USD")
    assert customization.warnings == ()


def test_version3_nested_under_customization_info_is_accepted() -> None:
    import json

    document = json.loads((OTHER / "text-options-2018-version3.0-only.json").read_text())
    document["customizationInfo"] = {"version3.0": document.pop("version3.0")}
    customization = parse_document(json.dumps(document).encode())
    assert customization.surfaces[0].texts[0].lines == ("Amet",)


def test_version2_aspects_alone() -> None:
    import json

    document = json.loads((OTHER / "text-options-2018-version3.0-only.json").read_text())
    del document["version3.0"]
    customization = parse_document(json.dumps(document).encode())
    assert customization.source == "version2.0"
    texts = customization.surfaces[0].texts
    assert [t.lines for t in texts] == [("Amet",), ("334-477-1205",), ("334-459-8295",)]
    assert texts[1].label == "Line 2"
    assert texts[1].color is not None and texts[1].color.value == "#111111"


def test_option_only_seller_central_page() -> None:
    data = (OTHER / "option-only-sellercentral-page-2021.json").read_bytes()
    customization = parse_document(data)
    assert customization.item.order_item_id == "49431188394281"
    assert customization.item.asin == "B092DMN2TW"
    assert customization.is_options_only
    (surface,) = customization.surfaces
    assert surface.name == "表面 1"
    (option,) = surface.options
    assert (option.label, option.value) == ("M-L-B Teams logo", "St. Louis Cardinals")
    assert option.overlay_url is not None and option.overlay_url.endswith("9d6ec198.jpg")
    assert option.thumbnail_url is not None
    assert option.currency == "USD"
    # The SVG is not beside a page capture: that is worth a warning, not an error.
    assert any("SVG" in w for w in customization.warnings)


def test_seller_font_svg() -> None:
    svg = read_svg((OTHER / "text-only-seller-font.svg").read_bytes())
    assert svg.fonts == [
        SellerFont(
            family="font-ea192986-10ce-44b2-a010-12",
            url="https://pc-vendor-gallery-prod-eu.s3.amazonaws.com/AEXAMPLESELLER3/font/2020-01-10/"
            "d5f1dc4f-42ef-4e9b-b633-fa192d03f179.ttf",
        )
    ]
    (text,) = svg.elements
    assert isinstance(text, SvgText)
    assert text.font_family == "font-ea192986-10ce-44b2-a010-12"
    assert text.font_size == pytest.approx(22.253658536585366)
    assert text.lines == ("Nulla",)
    assert text.clip is None  # unclipped text: a bare <g transform>
    assert (text.matrix.e, text.matrix.f) == (200.5, 201)


def test_image_and_text_svg_with_rotation_and_indentation() -> None:
    svg = read_svg((OTHER / "image-and-text-pacifico.svg").read_bytes())
    image, *texts = svg.elements
    assert isinstance(image, SvgImage)
    assert image.href == "d9d9e2f3-0a9c-4e25-ba0f-bfad1139d7c0.jpg"
    assert image.matrix.b == pytest.approx(-0.0043448)
    assert image.clip == Box(14.5, 100.5, 368, 201)
    assert image.rect == Box(-1158, -1544, 2667, 2667)
    assert [t.font_family for t in texts if isinstance(t, SvgText)] == ["Pacifico"] * 3
    assert isinstance(texts[1], SvgText)
    assert texts[1].lines[0].startswith("Non Pariatur Do Elit")
    assert texts[1].lines[0].endswith(". ")  # white-space: pre keeps the trailing space


def test_the_weight_and_style_of_a_text_or_its_group_are_read() -> None:
    # The reference SVG as Fabric.js writes it (on the <text>), then with the text's own
    # attributes dropped and the weight and style set on a group around it, as a design app
    # saves it.
    source = (OTHER / "text-only-seller-font.svg").read_text()
    fabric = source.replace(
        'font-style="normal" font-weight="normal"', 'font-style="italic" font-weight="700"'
    )
    grouped = source.replace('font-style="normal" font-weight="normal"', "").replace(
        '<g transform="matrix(1 0 0 1 200.5 201)" style=""',
        '<g transform="matrix(1 0 0 1 200.5 201)" style="font-style: oblique" font-weight="bold"',
    )
    assert grouped.count("font-weight") == 1

    (text,) = read_svg(fabric.encode()).elements
    (in_group,) = read_svg(grouped.encode()).elements
    (plain,) = read_svg(source.encode()).elements

    assert isinstance(text, SvgText) and isinstance(in_group, SvgText)
    assert isinstance(plain, SvgText)
    assert (text.font_weight, text.font_style) == ("700", "italic")
    assert (in_group.font_weight, in_group.font_style) == ("bold", "oblique")
    assert (plain.font_weight, plain.font_style) == ("normal", "normal")
