"""The fallback for surfaces whose SVG goes beyond Amazon's subset: a general converter, CairoSVG.

`renderers.pdf` draws the subset that Fabric.js exports (matrix groups, rect clips, images,
text) straight onto reportlab, and `svgreader` lists anything else as unsupported. Rather than
drop such content, a surface like that is handed here: the whole SVG is converted by CairoSVG
onto the same page, with the same placement, page boxes and title as the main renderer gives.

The SVG comes from a buyer's order, so the conversion is closed off from the outside world:
entities are refused, and every reference that is not a fragment of the document itself must
name a member of the customization zip, which is served from memory. Nothing is ever fetched
from the network or read from the disk.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from urllib.parse import quote, unquote, urlsplit

import pikepdf
from lxml import etree

from production.core.errors import RenderError
from production.core.geometry import Matrix
from production.core.xmlsafe import UnsafeXml, parse_xml
from renderers.placement import PageGeometry

__all__ = ["render_svg_page"]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_HREFS = (f"{{{XLINK_NS}}}href", "href")
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"

PREVIEW_SIZE = 400.0
"""Amazon's preview space is 400 × 400 units, whatever the root's width, height and viewBox."""

# Zip members are handed to CairoSVG under a scheme of our own: a bare relative name would be
# turned into a file:// path under the working directory before the fetcher ever saw it.
_MEMBER_SCHEME = "zip-member:"
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_CSS_PX_PER_PT = 96 / 72  # CairoSVG's user unit is the CSS pixel at its default 96 dpi
# As reportlab's invariant mode writes, so both renderers date an undated page alike.
_INVARIANT_DATE = datetime(2000, 1, 1, tzinfo=UTC)
_PRODUCER = "amazon-custom-production"


def render_svg_page(
    svg: bytes,
    members: Mapping[str, bytes],
    page: PageGeometry,
    *,
    title: str,
    now: datetime | None = None,
    drop: Collection[str] = (),
) -> bytes:
    """Convert a surface's SVG into a one-page PDF laid out by `page`.

    The SVG's user space is taken as Amazon's preview space (its viewBox stretched onto
    400 × 400 units, as `svgreader` reads it) and mapped onto the page by `page.to_page`. Image
    references must name members of `members`; anything else raises `RenderError`, except the
    `<image>`s whose reference is in `drop` (overlays the shop does not print), which are left out.
    """
    try:
        root = parse_xml(svg)
    except UnsafeXml as exc:
        raise RenderError(f"the SVG cannot be converted: {exc}") from exc
    if etree.QName(root).localname != "svg":
        raise RenderError("the SVG cannot be converted: its root element is not <svg>")
    _confine_references(root, members, drop)
    document = _place_on_page(root, page)
    raw = _convert(etree.tostring(document), members, page)
    return _finish(raw, page, title=title, now=now)


def _confine_references(
    root: etree._Element, members: Mapping[str, bytes], drop: Collection[str]
) -> None:
    """Point every external reference at a zip member, or refuse the document."""
    dropped = [
        node
        for node in root.iter("{*}image")
        if any((node.get(a) or "").strip() in drop for a in _HREFS)
    ]
    for node in dropped:
        parent = node.getparent()
        if parent is not None:
            parent.remove(node)
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        # CairoSVG resolves references against xml:base; only the zip may be a base here.
        node.attrib.pop(_XML_BASE, "")
        if etree.QName(node).localname == "a":
            # A hyperlink fetches nothing, and a printed page cannot follow one.
            for attribute in _HREFS:
                node.attrib.pop(attribute, "")
            continue
        for attribute in _HREFS:
            href = node.get(attribute)
            if href is None or href.strip().startswith("#"):
                continue
            name = href.strip()
            tag = etree.QName(node).localname
            if not name:
                raise RenderError(f"the SVG's <{tag}> has an empty reference")
            if name not in members:
                raise RenderError(
                    f"the SVG's <{tag}> refers to {_describe(name)}, outside the customization zip"
                )
            node.set(attribute, _MEMBER_SCHEME + quote(name, safe=""))


def _describe(href: str) -> str:
    # The reference itself is buyer data: say only what kind of thing it is.
    scheme = urlsplit(href).scheme.lower() if ":" in href else ""
    if scheme in {"http", "https"}:
        return "a web address"
    if scheme == "file" or href.startswith(("/", "\\")) or re.match(r"^[a-zA-Z]:[\\/]", href):
        return "a file on disk"
    if scheme:
        return "a URL"
    return "an image that is not in the zip"


def _place_on_page(root: etree._Element, page: PageGeometry) -> etree._Element:
    """Nest the original <svg> in a page-sized one, under a group that applies `page.to_page`.

    Nesting keeps the original root intact (its <defs>, <style> rules, inherited attributes,
    xml:space), and percentages inside still resolve against the preview space.
    """
    view_box = root.get("viewBox")
    if view_box is not None:
        numbers = [float(v) for v in _NUMBER.findall(view_box)]
        if len(numbers) != 4 or numbers[2] <= 0 or numbers[3] <= 0:
            raise RenderError("the SVG cannot be converted: its viewBox is malformed")
    # A 400 × 400 viewport with preserveAspectRatio="none" stretches the viewBox onto the
    # preview space exactly as svgreader does; without a viewBox, user units are preview units.
    root.set("x", "0")
    root.set("y", "0")
    root.set("width", _num(PREVIEW_SIZE))
    root.set("height", _num(PREVIEW_SIZE))
    root.set("preserveAspectRatio", "none")
    # PdfRenderer does not clip at the preview's edge either; the page edge is the only limit.
    root.set("overflow", "visible")
    # svgreader ignores a transform on the root, so the design box was measured without it.
    root.attrib.pop("transform", "")

    width, height = _num(page.width_pt), _num(page.height_pt)
    document = etree.fromstring(f'<svg xmlns="{SVG_NS}" xmlns:xlink="{XLINK_NS}"/>')
    document.set("width", f"{width}pt")
    document.set("height", f"{height}pt")
    document.set("viewBox", f"0 0 {width} {height}")
    group = etree.SubElement(document, f"{{{SVG_NS}}}g", transform=_matrix(page.to_page))
    group.append(root)
    return document


def _convert(svg: bytes, members: Mapping[str, bytes], page: PageGeometry) -> bytes:
    # Imported here: CairoSVG and cairo cost a fifth of a second at start, and only SVG outside
    # Amazon's subset ever comes this way.
    from cairosvg.surface import PDFSurface

    try:
        # convert() rather than svg2pdf(): only it passes url_fetcher on to the parser.
        pdf: bytes = PDFSurface.convert(
            bytestring=svg,
            url_fetcher=_member_fetcher(members),
            unsafe=False,
            # Forces the page size even if a stylesheet sizes the <svg> elements.
            output_width=page.width_pt * _CSS_PX_PER_PT,
            output_height=page.height_pt * _CSS_PX_PER_PT,
        )
    except RenderError:
        raise
    except Exception as exc:
        # CairoSVG, cairo, Pillow and defusedxml each raise their own errors; their messages
        # may quote the document, so only the kind of failure is reported.
        raise RenderError(f"CairoSVG could not convert the SVG ({type(exc).__name__})") from exc
    return pdf


def _member_fetcher(members: Mapping[str, bytes]) -> Callable[[str, str], bytes]:
    def fetch(url: str, resource_type: str) -> bytes:
        # Also reached by what _confine_references never sees, such as a stylesheet's @import.
        if url.startswith(_MEMBER_SCHEME):
            name = unquote(url.removeprefix(_MEMBER_SCHEME))
            if name in members:
                return members[name]
        raise RenderError(
            "the SVG asks for a resource outside the customization zip "
            f"({resource_type or 'unknown type'})"
        )

    return fetch


def _finish(raw: bytes, page: PageGeometry, *, title: str, now: datetime | None) -> bytes:
    """Add what cairo cannot write: the trim and bleed boxes, and our document info."""
    trim = page.trim
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        if len(pdf.pages) != 1:
            raise RenderError(f"CairoSVG made {len(pdf.pages)} pages instead of one")
        sheet = pdf.pages[0].obj
        # PDF's y axis points up, from the page's bottom edge.
        sheet.TrimBox = pikepdf.Array(
            [trim.x, page.height_pt - trim.bottom, trim.right, page.height_pt - trim.y]
        )
        sheet.BleedBox = pikepdf.Array([0, 0, page.width_pt, page.height_pt])
        date = pikepdf.String((now or _INVARIANT_DATE).astimezone(UTC).strftime("D:%Y%m%d%H%M%SZ"))
        info = pdf.docinfo
        for key in list(info.keys()):
            del info[key]
        info.Title = pikepdf.String(title)
        info.Creator = pikepdf.String(_PRODUCER)
        info.Producer = pikepdf.String(_PRODUCER)
        info.CreationDate = date
        info.ModDate = date
        out = io.BytesIO()
        # A content-derived /ID keeps the output byte for byte the same for the same input.
        pdf.save(out, deterministic_id=True)
    return out.getvalue()


def _matrix(m: Matrix) -> str:
    return "matrix(" + " ".join(_num(v) for v in m.as_tuple()) + ")"


def _num(value: float) -> str:
    # Plain fixed notation, which every SVG parser reads; a nanopoint is precise enough.
    text = f"{value:.9f}".rstrip("0").rstrip(".")
    return "0" if text in {"", "-0"} else text
