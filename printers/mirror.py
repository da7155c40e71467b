"""Mirrored copies of print files, for devices that print in reverse.

Sublimation transfers, DTF film and reverse-engraved acrylic are printed mirror-image, so that
the design reads right once it is pressed or seen through the material. Mirroring belongs to the
device, never to the design: the master file stays as the buyer saw it, and only the copy handed
to a mirroring device is flipped. Flipping wraps the page's content in one transform: nothing is
re-rendered, photos keep their bytes, and the page boxes are flipped with it.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from lxml import etree

from production.core.errors import PrinterError
from production.core.templates import Printer
from production.core.xmlsafe import UnsafeXml, parse_xml

if TYPE_CHECKING:
    import pikepdf

__all__ = ["is_mirrored", "mirror_pdf", "mirror_svg"]

_BOXES = ("/CropBox", "/BleedBox", "/TrimBox", "/ArtBox")
_SVG_NS = "http://www.w3.org/2000/svg"
_KEEP_OUTSIDE = frozenset({"title", "desc", "metadata", "defs", "style"})


def is_mirrored(process: str | None, printer: Printer) -> bool:
    """Whether the device gets a mirror image: the printer says so, or it is sublimation."""
    # Sublimation ink goes onto transfer paper that is pressed face down onto the product.
    return printer.mirror or process == "sublimation"


def mirror_pdf(pdf: bytes) -> bytes:
    """Every page of `pdf` flipped left to right within its MediaBox (as it is shown)."""
    import pikepdf  # only a mirroring device's copy needs it: not loaded for a ticket

    try:
        document = pikepdf.open(io.BytesIO(pdf))
    except pikepdf.PdfError as exc:
        raise PrinterError(
            f"the print file cannot be mirrored: it is not a readable PDF ({exc})"
        ) from exc
    with document:
        for page in document.pages:
            _mirror_page(document, page)
        out = io.BytesIO()
        # A content-derived /ID: the same master always gives the same mirrored copy.
        document.save(out, deterministic_id=True)
    return out.getvalue()


def _mirror_page(document: pikepdf.Pdf, page: pikepdf.Page) -> None:
    import pikepdf

    x0, y0, x1, y1 = (float(v) for v in page.mediabox)
    # A page shown turned by 90° is flipped along its other axis, so it is mirrored as shown.
    sideways = int(page.obj.get("/Rotate", 0)) % 180 == 90
    flip = (1, 0, 0, -1, 0, y0 + y1) if sideways else (-1, 0, 0, 1, x0 + x1, 0)
    cm = " ".join(_num(v) for v in flip)
    page.contents_add(document.make_stream(f"q {cm} cm\n".encode()), prepend=True)
    page.contents_add(document.make_stream(b"\nQ\n"))
    for key in _BOXES:
        if key in page.obj:
            bx0, by0, bx1, by1 = (float(v) for v in page.obj[key])
            if sideways:
                by0, by1 = y0 + y1 - by1, y0 + y1 - by0
            else:
                bx0, bx1 = x0 + x1 - bx1, x0 + x1 - bx0
            page.obj[key] = pikepdf.Array([bx0, by0, bx1, by1])


def mirror_svg(svg: bytes) -> bytes:
    """The SVG's drawing flipped left to right within its viewBox."""
    try:
        root = parse_xml(svg)
    except UnsafeXml as exc:
        raise PrinterError(f"the print file cannot be mirrored: {exc}") from exc
    x, width = _horizontal_extent(root)
    flip = f"matrix(-1 0 0 1 {_num(2 * x + width)} 0)"
    flipped = etree.Element(f"{{{_SVG_NS}}}g", attrib={"transform": flip})
    for child in list(root):
        local = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if local not in _KEEP_OUTSIDE:
            flipped.append(child)  # moves it
    root.append(flipped)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def _horizontal_extent(root: etree._Element) -> tuple[float, float]:
    """The left edge and width of the drawing, in user units."""
    view_box = root.get("viewBox")
    try:
        if view_box is not None:
            x, _, width, _ = (float(v) for v in view_box.replace(",", " ").split())
            return x, width
        return 0.0, float(root.get("width") or "")
    except ValueError as exc:
        raise PrinterError(
            "the SVG print file has no viewBox or plain width to mirror within"
        ) from exc


def _num(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in {"", "-0"} else text
