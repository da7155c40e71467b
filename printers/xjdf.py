"""CIP4 XJDF 2.2 job tickets, for RIPs that read their jobs from a hot folder as XJDF.

Why: RIPs such as Caldera, Onyx, Fiery and PrintFactory can take a job's file, quantity, due date
and finished size from an XJDF ticket beside the print file, so nobody types them in at the RIP.
A printer configured with `ticket = "xjdf"` gets `<stem>.xjdf` beside `<stem>.json`
(`printers.hotfolder`). The XJDF says what the JSON ticket (`printers.tickets.JobTicket`) says,
in the places the XJDF 2.2 schema has for it: ids, numbers and the shop's own names. It never
holds buyer text. The ticket holds none, and the photos' and fonts' names stay in the JSON.

One document describes one job, the print file beside it (`shared/specs/print-production.md`,
"Job tickets"):

    XJDF @JobID @Types @Version="2.2" @DescriptiveName="<product> / <surface>"
      AuditPool/AuditCreated/Header @Time       when the ticket was made (if it says)
      Comment @Type="Hold" | "Warning"          the preflight's messages (ids and numbers)
      GeneralID @IDUsage @IDValue (@DataType)   OrderID, OrderItemID, ASIN, SKU, Shop, Surface,
                                                Template, Process, Printer, PrinterName, DPI,
                                                FileFormat, Mirrored, WhiteInk, SpotChannels,
                                                EngraveDither, EngraveInvert, EngraveCut
      ProductList/Product @Amount @DescriptiveName @IsRoot
        Comment @Type="Option"                  "<label>: <value>" per listing option
        Intent @Name="LayoutIntent"/LayoutIntent @FinishedDimensions   "w h 0" in points
      ResourceSet @Name="NodeInfo"              NodeInfo @JobPriority @End (the ship-by date)
      ResourceSet @Name="RunList"               RunList/FileSpec @URL @MimeType
      ResourceSet @Name="InterpretingParams"    InterpretingParams @MirrorAround="None"
      ResourceSet @Name="Component" @Usage="Output"
        AmountPool/PartAmount @Amount           the quantity
        Component/IdentificationField @Encoding="Barcode" @EncodingDetails="Code128" @Value

Choices the schema and the XJDF 2.2 specification forced:

- `@Types` is "Interpreting Rendering DigitalPrinting" for the printed processes (print,
  sublimation). XJDF has no engraving process, so an engrave job, one of unknown process and
  an options-only one get "Product": a product to make, with what is known of how. The
  specification forbids mixing "Product" with process names.
- `@JobID` is an NMTOKEN, so a character outside `[A-Za-z0-9._-]` becomes "_" there. The barcode
  (`IdentificationField/@Value`, a string) keeps the job id exactly.
- The file in the hot folder is already mirrored when `DeviceFacts.mirror` says so, and a RIP
  that flipped it again would print it the wrong way round. So a mirrored file gets
  `InterpretingParams/@MirrorAround="None"` (print it as it is). An unmirrored file gets none,
  so a RIP queue that mirrors by itself keeps doing so.
- The printer's DPI is recorded only as a GeneralID, not as `InterpretingParams/ObjectResolution`.
  It is the shop's setting (300 unless configured), and a RIP told to interpret at it could
  print at less than its own resolution. Engraving settings, white ink and spot channels have no
  XJDF attribute either, so they are GeneralIDs too.
- `NodeInfo/@JobPriority` is 50, JDF's normal priority: the RIP orders jobs by `@End`.
- An options-only ticket (`file` None) has no RunList or InterpretingParams, and a ticket
  without a template has no LayoutIntent. Both keep the rest, the barcode and quantity included.
- Text the XML cannot hold (control characters) is dropped. Everything else is escaped by lxml.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import PurePosixPath
from urllib.parse import quote

from lxml import etree

from printers.tickets import JobTicket, TemplateFacts
from production.core.errors import PrinterError
from production.core.geometry import MM

__all__ = ["xjdf_ticket"]

_NS = "http://www.CIP4.org/JDFSchema_2_0"
_VERSION = "2.2"  # the newest released XJDF; the schema also allows the draft 2.3
_AGENT = "amazon-custom-production"
_PRINT_TYPES = "Interpreting Rendering DigitalPrinting"
_PRODUCT_TYPES = "Product"
_PRINTED_PROCESSES = frozenset({"print", "sublimation"})
_NORMAL_PRIORITY = 50
_MIME_TYPES = {
    ".pdf": "application/pdf",
    ".svg": "image/svg+xml",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_NOT_NMTOKEN = re.compile(r"[^A-Za-z0-9._-]")
# Characters XML 1.0 cannot hold, even escaped (lone surrogates included).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

_GeneralID = tuple[str, str, str | None]  # IDUsage, IDValue, DataType (None: a string)


def xjdf_ticket(ticket: JobTicket) -> bytes:
    """The XJDF 2.2 document of `ticket`'s job, UTF-8 with an XML declaration.

    Raises `PrinterError` when the ticket has no job id to name the XJDF job by.
    """
    # The default namespace: lxml-stubs reject its None key, lxml takes it.
    root = etree.Element(_tag("XJDF"), nsmap={None: _NS})  # type: ignore[dict-item]
    root.set("JobID", _job_id(ticket))
    root.set("Types", _PRINT_TYPES if ticket.process in _PRINTED_PROCESSES else _PRODUCT_TYPES)
    root.set("Version", _VERSION)
    root.set("DescriptiveName", _text(f"{ticket.product} / {ticket.surface}"))
    if ticket.created is not None:
        created = _sub(_sub(root, "AuditPool"), "AuditCreated")
        _sub(created, "Header", AgentName=_AGENT, DeviceID=_AGENT, Time=_time(ticket.created))
    for message in ticket.hold:
        _comment(root, "Hold", message)
    if ticket.approval is not None:
        approval = ticket.approval
        _comment(root, "Approval", f"approved by {approval.by} despite a {approval.cause} hold: "
                                   f"{approval.reason}")  # fmt: skip
    for message in ticket.warnings:
        _comment(root, "Warning", message)
    for usage, value, data_type in _general_ids(ticket):
        general_id = _sub(root, "GeneralID", IDUsage=usage, IDValue=value)
        if data_type is not None:
            general_id.set("DataType", data_type)
    _product(root, ticket)
    node_info = _sub(_resource(root, "NodeInfo", "Input"), "NodeInfo")
    node_info.set("JobPriority", str(_NORMAL_PRIORITY))
    if ticket.ship_by is not None:
        node_info.set("End", _time(ticket.ship_by))
    if ticket.file is not None:
        _run_list(root, ticket.file)
        if ticket.device is not None and ticket.device.mirror:
            interpreting = _resource(root, "InterpretingParams", "Input")
            _sub(interpreting, "InterpretingParams", MirrorAround="None")
    _component(root, ticket)
    # The declaration as CIP4 writes it (lxml's own uses single quotes).
    return _DECLARATION + etree.tostring(root, encoding="UTF-8", pretty_print=True)


def _general_ids(ticket: JobTicket) -> list[_GeneralID]:
    ids: list[_GeneralID] = [
        ("OrderID", ticket.order_id, None),
        ("OrderItemID", ticket.order_item_id, None),
    ]
    if ticket.asin:
        ids.append(("ASIN", ticket.asin, None))
    if ticket.sku:
        ids.append(("SKU", ticket.sku, None))
    ids += [("Shop", ticket.shop, None), ("Surface", ticket.surface, None)]
    if ticket.template is not None:
        ids += [
            ("Template", ticket.template.name, None),
            ("Process", ticket.template.process, None),
        ]
    device = ticket.device
    if device is not None:
        ids += [
            ("Printer", device.printer, None),
            ("PrinterName", device.printer_name, None),
            ("DPI", str(device.dpi), "integer"),
            ("FileFormat", device.format, None),
            ("Mirrored", _boolean(device.mirror), "boolean"),
        ]
    ids.append(("WhiteInk", ticket.white, None))
    if ticket.spot_channels:
        ids.append(("SpotChannels", " ".join(ticket.spot_channels), None))
    engrave = ticket.engrave
    if engrave is not None:
        ids += [
            ("EngraveDither", engrave.dither, None),
            ("EngraveInvert", _boolean(engrave.invert), "boolean"),
        ]
        if engrave.cut is not None:
            ids.append(("EngraveCut", engrave.cut, None))
    return [(usage, _text(value), data_type) for usage, value, data_type in ids]


def _product(root: etree._Element, ticket: JobTicket) -> None:
    """The product as the buyer ordered it: how many, what, its options and finished size."""
    product = _sub(
        _sub(root, "ProductList"),
        "Product",
        Amount=str(ticket.quantity),
        DescriptiveName=_text(ticket.product),
        IsRoot="true",
    )
    for option in ticket.options:
        _comment(product, "Option", f"{option.label}: {option.value}")
    if ticket.template is not None:
        intent = _sub(product, "Intent", Name="LayoutIntent")
        _sub(intent, "LayoutIntent", FinishedDimensions=_finished_dimensions(ticket.template))


def _run_list(root: etree._Element, file: str) -> None:
    """The print file, named relative to the ticket (they sit side by side) as a URI."""
    # Every character but the unreserved ones is escaped, ":" and "/" included: the name is one
    # path segment, and a relative URI whose first segment holds ":" would read as a scheme.
    file_spec = _sub(_sub(_resource(root, "RunList", "Input"), "RunList"), "FileSpec")
    file_spec.set("URL", quote(_text(file), safe=""))
    mime_type = _MIME_TYPES.get(PurePosixPath(file).suffix.lower())
    if mime_type is not None:
        file_spec.set("MimeType", mime_type)


def _component(root: etree._Element, ticket: JobTicket) -> None:
    """What the job makes: `quantity` pieces, each known by the barcode of the job id."""
    resource = _resource(root, "Component", "Output")
    _sub(_sub(resource, "AmountPool"), "PartAmount", Amount=str(ticket.quantity))
    _sub(
        _sub(resource, "Component"),
        "IdentificationField",
        Encoding="Barcode",
        EncodingDetails="Code128",
        Purpose="Label",
        Value=_text(ticket.barcode),
    )


def _resource(root: etree._Element, name: str, usage: str) -> etree._Element:
    """A new `ResourceSet` with one `Resource`, which is returned."""
    return _sub(_sub(root, "ResourceSet", Name=name, Usage=usage), "Resource")


def _comment(parent: etree._Element, kind: str, text: str) -> None:
    _sub(parent, "Comment", Type=kind).text = _text(text)


def _sub(parent: etree._Element, name: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, _tag(name), attrib=attributes)


def _tag(name: str) -> str:
    return f"{{{_NS}}}{name}"


def _job_id(ticket: JobTicket) -> str:
    job_id = _NOT_NMTOKEN.sub("_", ticket.job_id)
    if not job_id:
        raise PrinterError(
            "the job ticket has no job id to name its XJDF job by",
            order_id=ticket.order_id or None,
            item_id=ticket.order_item_id or None,
        )
    return job_id


def _finished_dimensions(template: TemplateFacts) -> str:
    """The finished size as an XJDF shape (width, height, depth), in points; flat: depth 0."""
    width_mm, height_mm = template.finished_size_mm
    return " ".join(_number(mm * MM) for mm in (width_mm, height_mm, 0.0))


def _number(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in {"", "-0"} else text


def _time(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def _boolean(value: bool) -> str:
    return "true" if value else "false"


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)
