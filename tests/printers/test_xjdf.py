"""XJDF tickets: every one validates against CIP4's XJDF schema and says what the JSON ticket says.

The schema is `shared/xjdf/xjdf.xsd`, beside the repository (CIP4's own, unmodified). The same
schema object accepts CIP4's samples and rejects a broken ticket, so the validation is real.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest
from lxml import etree

from printers.tickets import (
    DeviceFacts,
    EngraveFacts,
    FindingLine,
    FontLine,
    ImageLine,
    JobTicket,
    OptionLine,
    ProofLine,
    TemplateFacts,
)
from printers.xjdf import xjdf_ticket
from production.core.errors import PrinterError

SHARED_XJDF = Path(__file__).resolve().parents[2].parent / "shared" / "xjdf"
SCHEMA_PATH = SHARED_XJDF / "xjdf.xsd"
CIP4_SAMPLES = ("DigiPrintModule.1.4orig.xjdf", "SimpleGangIn.xjdf")
NS = {"x": "http://www.CIP4.org/JDFSchema_2_0"}
POINTS_PER_MM = 72 / 25.4
PRINT_TYPES = "Interpreting Rendering DigitalPrinting"

SHIP_BY = datetime(2025, 3, 4, 23, 59, 59, tzinfo=UTC)
CREATED = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    assert SCHEMA_PATH.is_file(), (
        f"the XJDF schema is missing: {SCHEMA_PATH} (shared/ sits beside the repository)"
    )
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


# Tickets as production.floor.ticketing builds them -------------------------------------------


def print_ticket() -> JobTicket:
    """A UV-printed tote: template, device, ship-by date, a photo, a font, a warning, a proof."""
    return JobTicket(
        job_id="12345678901234-Front",
        shop="Example Print Shop",
        order_id="114-1234567-1234567",
        order_item_id="12345678901234",
        asin="B0ABCDEFGH",
        sku="TOTE-NAT-L",
        quantity=2,
        ship_by=SHIP_BY,
        product="Canvas tote",
        surface="Front",
        file="114-1234567-1234567_12345678901234_Front.pdf",
        template=TemplateFacts(
            name="Canvas tote / Front",
            process="print",
            finished_size_mm=(300.0, 350.0),
            print_size_mm=(306.0, 356.0),
            bleed_mm=3.0,
            safe_margin_mm=5.0,
        ),
        device=DeviceFacts("uv1", "Mimaki UJF-6042", 600, False, "pdf"),
        images=(ImageLine("grandmas-birthday.jpg", (3000, 3500), (254.0, 296.3), 300.0),),
        fonts=(FontLine("Pacifico", "Pacifico-Regular.ttf", 400, False),),
        options=(OptionLine("Colour", "Natural"),),
        findings=(
            FindingLine("ppi", "warn", "photo 1 prints at 280 ppi, under 300", surface="Front"),
        ),
        proof=ProofLine(
            score=0.97,
            min_score=0.6,
            elements=(("photo", 0.95),),
            snapshot="snapshot-1.png",
            note=None,
            proof="114-1234567-1234567_12345678901234_Front.proof.png",
            compare="114-1234567-1234567_12345678901234_Front.compare.png",
        ),
        created=CREATED,
        spot_channels=("RDG_WHITE",),
    )


def sublimation_ticket() -> JobTicket:
    """An 11 oz mug wrap, as the hot folder of a sublimation printer gets it: mirrored."""
    master = JobTicket(
        job_id="22222222222222-Wrap",
        shop="Example Print Shop",
        order_id="114-7654321-7654321",
        order_item_id="22222222222222",
        asin="B0MUG11OZW",
        sku="MUG-11-WHT",
        quantity=4,
        ship_by=SHIP_BY,
        product="Mug 11 oz",
        surface="Wrap",
        file="114-7654321-7654321_22222222222222_Wrap.pdf",
        template=TemplateFacts(
            "Mug 11 oz / Wrap", "sublimation", (215.9, 88.9), (228.6, 101.6), 6.35, 3.0
        ),
        device=DeviceFacts("sub1", "Epson SureColor F170", 300, False, "pdf"),
        created=CREATED,
    )
    return master.for_device(file=master.file or "", format="pdf", mirror=True)


def engrave_ticket() -> JobTicket:
    """A slate coaster on a laser that takes SVG: dithered, inverted, cut with rounded corners."""
    return JobTicket(
        job_id="33333333333333-Top",
        shop="Example Print Shop",
        order_id="114-1111111-2222222",
        order_item_id="33333333333333",
        asin=None,
        sku="SLATE-COASTER",
        quantity=1,
        ship_by=datetime(2025, 3, 6, 12, 0),  # naive: a zip dropped by hand with a typed date
        product="Slate coaster",
        surface="Top",
        file="114-1111111-2222222_33333333333333_Top.svg",
        template=TemplateFacts(
            "Slate coaster / Top", "engrave", (100.0, 100.0), (100.0, 100.0), 0, 3
        ),
        device=DeviceFacts("laser1", "xTool P2", 254, False, "svg"),
        engrave=EngraveFacts(dither="floyd-steinberg", invert=True, cut="rounded:5"),
        created=CREATED,
    )


def options_only_ticket() -> JobTicket:
    """A plain item with listing options and nothing to print: no file, template or device."""
    return JobTicket(
        job_id="44444444444444-options",
        shop="Example Print Shop",
        order_id="114-3333333-4444444",
        order_item_id="44444444444444",
        asin="B0PLAINTEE",
        sku=None,
        quantity=3,
        ship_by=None,
        product="Plain tee",
        surface="options",
        file=None,
        options=(OptionLine("Size", "L"), OptionLine("Colour", "Navy & white")),
    )


def escaping_ticket() -> JobTicket:
    """Shop-side names with everything XML and URIs must escape, and non-ASCII."""
    return dataclasses.replace(
        print_ticket(),
        shop='Müller & Söhne <GmbH> "Druck"',
        sku="MUG&<11oz>\"'",
        product='Mugs & Cups <"Deluxe"> — Größe ü, 杯子',
        surface="Back 'inside' & <rim>",
        file='mug "ü" & co:1.pdf',
        template=TemplateFacts(
            "Mugs & Cups <\"Deluxe\"> / Back 'inside' & <rim>", "print", (200, 80), (206, 86), 3, 3
        ),
        options=(OptionLine("Farbe & Größe", 'Rot & "Weiß" <matt>'),),
        findings=(FindingLine("ppi", "hold", "photo 1 prints at 120 ppi < 150 & is held"),),
    )


ALL_TICKETS = {
    "print": print_ticket,
    "sublimation": sublimation_ticket,
    "engrave": engrave_ticket,
    "options-only": options_only_ticket,
    "escaping": escaping_ticket,
}


# Helpers ---------------------------------------------------------------------------------------


def valid(schema: etree.XMLSchema, data: bytes) -> etree._Element:
    root = etree.fromstring(data)
    schema.assertValid(root)
    return root


def find(root: etree._Element, path: str) -> list[etree._Element]:
    found = root.xpath(path, namespaces=NS)
    assert isinstance(found, list)
    return [e for e in found if isinstance(e, etree._Element)]


def only(root: etree._Element, path: str) -> etree._Element:
    found = find(root, path)
    assert len(found) == 1, f"{path}: {len(found)} found"
    return found[0]


def absent(root: etree._Element, path: str) -> bool:
    return not find(root, path)


def attr(element: etree._Element, name: str) -> str:
    value = element.get(name)
    assert value is not None, f"{element.tag} has no {name}"
    return value


def texts(root: etree._Element, path: str) -> list[str | None]:
    return [e.text for e in find(root, path)]


def general_ids(root: etree._Element) -> dict[str, str]:
    elements = find(root, "x:GeneralID")
    usages = [attr(e, "IDUsage") for e in elements]
    assert len(usages) == len(set(usages)), f"an IDUsage is given twice: {usages}"
    return {attr(e, "IDUsage"): attr(e, "IDValue") for e in elements}


def finished_points(root: etree._Element) -> list[float]:
    layout = only(root, "x:ProductList/x:Product/x:Intent[@Name='LayoutIntent']/x:LayoutIntent")
    return [float(v) for v in attr(layout, "FinishedDimensions").split()]


# Every ticket ----------------------------------------------------------------------------------


@pytest.mark.parametrize("make", ALL_TICKETS.values(), ids=ALL_TICKETS.keys())
def test_every_ticket_is_valid_xjdf_2_2(
    schema: etree.XMLSchema, make: Callable[[], JobTicket]
) -> None:
    ticket = make()
    data = xjdf_ticket(ticket)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    root = valid(schema, data)
    assert root.tag == "{http://www.CIP4.org/JDFSchema_2_0}XJDF"
    assert root.get("Version") == "2.2"
    assert root.get("JobID") == ticket.job_id
    field = only(
        root, "x:ResourceSet[@Name='Component']/x:Resource/x:Component/x:IdentificationField"
    )
    assert (field.get("Encoding"), field.get("EncodingDetails")) == ("Barcode", "Code128")
    assert field.get("Value") == ticket.barcode
    assert only(root, "x:ProductList/x:Product").get("Amount") == str(ticket.quantity)
    amount = only(root, "x:ResourceSet[@Name='Component'][@Usage='Output']/x:Resource/x:AmountPool")
    assert only(amount, "x:PartAmount").get("Amount") == str(ticket.quantity)
    assert only(root, "x:ResourceSet[@Name='NodeInfo']/x:Resource/x:NodeInfo").get("JobPriority")


@pytest.mark.parametrize("make", ALL_TICKETS.values(), ids=ALL_TICKETS.keys())
def test_the_xjdf_of_a_ticket_read_back_from_its_json_is_the_same(
    make: Callable[[], JobTicket],
) -> None:
    # The hot folder builds the XJDF from the JSON ticket beside the master (printers.hotfolder).
    ticket = make()
    assert xjdf_ticket(JobTicket.from_json(ticket.to_json())) == xjdf_ticket(ticket)
    assert xjdf_ticket(ticket) == xjdf_ticket(ticket)


# What comes through ----------------------------------------------------------------------------


def test_a_print_job_carries_file_size_date_ids_and_quantity(schema: etree.XMLSchema) -> None:
    ticket = print_ticket()
    root = valid(schema, xjdf_ticket(ticket))

    assert root.get("Types") == PRINT_TYPES
    assert root.get("DescriptiveName") == "Canvas tote / Front"
    file_spec = only(
        root, "x:ResourceSet[@Name='RunList'][@Usage='Input']/x:Resource/x:RunList/x:FileSpec"
    )
    assert file_spec.get("URL") == ticket.file
    assert file_spec.get("MimeType") == "application/pdf"

    width, height, depth = finished_points(root)
    assert width == pytest.approx(300 * POINTS_PER_MM, abs=0.01)  # 850.39 pt
    assert height == pytest.approx(350 * POINTS_PER_MM, abs=0.01)  # 992.13 pt
    assert depth == 0

    node_info = only(root, "x:ResourceSet[@Name='NodeInfo']/x:Resource/x:NodeInfo")
    assert datetime.fromisoformat(attr(node_info, "End")) == SHIP_BY
    assert node_info.get("JobPriority") == "50"

    ids = general_ids(root)
    assert ids["OrderID"] == "114-1234567-1234567"
    assert ids["OrderItemID"] == "12345678901234"
    assert ids["SKU"] == "TOTE-NAT-L"
    assert ids["ASIN"] == "B0ABCDEFGH"
    assert ids["Surface"] == "Front"
    assert ids["Template"] == "Canvas tote / Front"
    assert ids["Process"] == "print"
    assert (ids["Printer"], ids["PrinterName"], ids["FileFormat"]) == (
        "uv1",
        "Mimaki UJF-6042",
        "pdf",
    )
    assert ids["DPI"] == "600"
    assert ids["Mirrored"] == "false"
    assert (ids["WhiteInk"], ids["SpotChannels"]) == ("none", "RDG_WHITE")
    assert only(root, "x:GeneralID[@IDUsage='DPI']").get("DataType") == "integer"

    # Not mirrored: nothing overrides what the RIP's queue does.
    assert absent(root, "x:ResourceSet[@Name='InterpretingParams']")
    assert texts(root, "x:Comment[@Type='Warning']") == ["photo 1 prints at 280 ppi, under 300"]
    assert only(root, "x:ProductList/x:Product/x:Comment[@Type='Option']").text == "Colour: Natural"
    header = only(root, "x:AuditPool/x:AuditCreated/x:Header")
    assert datetime.fromisoformat(attr(header, "Time")) == CREATED


def test_a_mirrored_sublimation_file_is_not_to_be_mirrored_again(schema: etree.XMLSchema) -> None:
    ticket = sublimation_ticket()
    root = valid(schema, xjdf_ticket(ticket))

    assert root.get("Types") == PRINT_TYPES
    interpreting = only(
        root, "x:ResourceSet[@Name='InterpretingParams']/x:Resource/x:InterpretingParams"
    )
    assert interpreting.get("MirrorAround") == "None"  # the file beside the ticket is mirrored
    assert general_ids(root)["Mirrored"] == "true"
    assert general_ids(root)["Process"] == "sublimation"
    width, height, _ = finished_points(root)
    assert width == pytest.approx(612.0, abs=0.01)  # 8.5 in
    assert height == pytest.approx(252.0, abs=0.01)  # 3.5 in
    assert only(root, "x:ProductList/x:Product").get("Amount") == "4"


def test_an_engrave_job_is_a_product_with_its_laser_settings(schema: etree.XMLSchema) -> None:
    ticket = engrave_ticket()
    root = valid(schema, xjdf_ticket(ticket))

    assert root.get("Types") == "Product"  # XJDF has no engraving process
    file_spec = only(root, "x:ResourceSet[@Name='RunList']/x:Resource/x:RunList/x:FileSpec")
    assert file_spec.get("URL") == ticket.file
    assert file_spec.get("MimeType") == "image/svg+xml"
    ids = general_ids(root)
    assert "ASIN" not in ids
    assert ids["SKU"] == "SLATE-COASTER"
    assert (ids["EngraveDither"], ids["EngraveInvert"], ids["EngraveCut"]) == (
        "floyd-steinberg",
        "true",
        "rounded:5",
    )
    assert ids["DPI"] == "254"
    node_info = only(root, "x:ResourceSet[@Name='NodeInfo']/x:Resource/x:NodeInfo")
    assert datetime.fromisoformat(attr(node_info, "End")) == ticket.ship_by
    width, height, _ = finished_points(root)
    assert width == height == pytest.approx(283.46, abs=0.01)


def test_a_mirrored_engrave_job_says_so_too(schema: etree.XMLSchema) -> None:
    # Reverse-engraved acrylic: the laser's file is mirrored.
    ticket = engrave_ticket().for_device(file="x_y_Back.svg", format="svg", mirror=True)
    root = valid(schema, xjdf_ticket(ticket))
    assert root.get("Types") == "Product"
    interpreting = only(
        root, "x:ResourceSet[@Name='InterpretingParams']/x:Resource/x:InterpretingParams"
    )
    assert interpreting.get("MirrorAround") == "None"
    assert only(root, "x:ResourceSet[@Name='RunList']//x:FileSpec").get("URL") == "x_y_Back.svg"


def test_an_options_only_ticket_has_no_file_and_no_layout(schema: etree.XMLSchema) -> None:
    ticket = options_only_ticket()
    root = valid(schema, xjdf_ticket(ticket))

    assert root.get("Types") == "Product"
    assert absent(root, "x:ResourceSet[@Name='RunList']")
    assert absent(root, "x:ResourceSet[@Name='InterpretingParams']")
    assert absent(root, "x:ProductList/x:Product/x:Intent")
    assert absent(root, "x:AuditPool")  # no creation time on the ticket
    node_info = only(root, "x:ResourceSet[@Name='NodeInfo']/x:Resource/x:NodeInfo")
    assert node_info.get("End") is None
    ids = general_ids(root)
    assert ids["OrderItemID"] == "44444444444444"
    assert "SKU" not in ids
    assert "Printer" not in ids
    options = texts(root, "x:ProductList/x:Product/x:Comment[@Type='Option']")
    assert options == ["Size: L", "Colour: Navy & white"]
    assert only(root, "x:ProductList/x:Product").get("Amount") == "3"


def test_names_that_need_escaping_come_through_exactly(schema: etree.XMLSchema) -> None:
    ticket = escaping_ticket()
    data = xjdf_ticket(ticket)
    root = valid(schema, data)

    assert root.get("DescriptiveName") == f"{ticket.product} / {ticket.surface}"
    assert only(root, "x:ProductList/x:Product").get("DescriptiveName") == ticket.product
    ids = general_ids(root)
    assert (ids["Shop"], ids["SKU"], ids["Surface"]) == (ticket.shop, ticket.sku, ticket.surface)
    assert ticket.template is not None
    assert ids["Template"] == ticket.template.name
    option = only(root, "x:ProductList/x:Product/x:Comment[@Type='Option']")
    assert option.text == 'Farbe & Größe: Rot & "Weiß" <matt>'
    assert only(root, "x:Comment[@Type='Hold']").text == "photo 1 prints at 120 ppi < 150 & is held"

    url = attr(only(root, "x:ResourceSet[@Name='RunList']//x:FileSpec"), "URL")
    assert re.fullmatch(r"[A-Za-z0-9._~%-]+", url), url  # one relative segment, ASCII only
    assert unquote(url) == ticket.file
    assert url == "mug%20%22%C3%BC%22%20%26%20co%3A1.pdf"  # ":" too: it is not a scheme

    text = data.decode("utf-8")
    assert "&amp;" in text and "&lt;" in text and "&quot;" in text
    assert "Größe ü, 杯子" in text  # UTF-8 as is, not character references
    assert "<GmbH>" not in text and "<rim>" not in text and "<matt>" not in text


def test_text_xml_cannot_hold_is_dropped(schema: etree.XMLSchema) -> None:
    ticket = dataclasses.replace(print_ticket(), product="Tote\x00\x07 deluxe\ufffe", sku="A\x1bB")
    root = valid(schema, xjdf_ticket(ticket))
    assert root.get("DescriptiveName") == "Tote deluxe / Front"
    assert general_ids(root)["SKU"] == "AB"


def test_a_job_id_that_is_no_nmtoken_keeps_its_exact_barcode(schema: etree.XMLSchema) -> None:
    ticket = dataclasses.replace(print_ticket(), job_id="HAND 7/Front ü")
    root = valid(schema, xjdf_ticket(ticket))
    assert root.get("JobID") == "HAND_7_Front__"
    field = only(root, "x:ResourceSet[@Name='Component']//x:IdentificationField")
    assert field.get("Value") == "HAND 7/Front ü"


def test_a_ticket_without_a_job_id_is_refused() -> None:
    with pytest.raises(PrinterError, match="no job id"):
        xjdf_ticket(dataclasses.replace(print_ticket(), job_id=""))


def test_photo_font_and_proof_names_stay_out_of_the_xjdf() -> None:
    # Photo file names can be the buyer's; the RIP needs none of these.
    data = xjdf_ticket(print_ticket())
    for name in ("grandmas-birthday", "Pacifico", "proof.png", "compare.png", "snapshot-1"):
        assert name.encode() not in data


# The validator is real ------------------------------------------------------------------------


def test_cip4s_own_samples_validate_with_the_same_schema(schema: etree.XMLSchema) -> None:
    for name in CIP4_SAMPLES:
        schema.assertValid(etree.parse(str(SHARED_XJDF / name)))


@pytest.mark.parametrize("attribute", ["JobID", "Types"])
def test_a_ticket_without_a_required_attribute_is_invalid(
    schema: etree.XMLSchema, attribute: str
) -> None:
    root = etree.fromstring(xjdf_ticket(print_ticket()))
    del root.attrib[attribute]
    assert not schema.validate(root)
    with pytest.raises(etree.DocumentInvalid, match=attribute):
        schema.assertValid(root)


def test_a_ticket_with_a_wrong_version_or_order_is_invalid(schema: etree.XMLSchema) -> None:
    root = etree.fromstring(xjdf_ticket(print_ticket()))
    root.set("Version", "1.7")
    assert not schema.validate(root)

    root = etree.fromstring(xjdf_ticket(print_ticket()))
    root.insert(0, only(root, "x:ProductList"))  # ProductList belongs after the GeneralIDs
    assert not schema.validate(root)

    root = etree.fromstring(xjdf_ticket(print_ticket()))
    only(root, "x:ResourceSet[@Name='NodeInfo']/x:Resource/x:NodeInfo").set("End", "4 March")
    assert not schema.validate(root)
