"""An engrave drawing as SVG for laser software that prefers it, measured in millimetres.

Laser software reads an SVG's size from its width and height; unitless or pixel sizes are read
at whatever DPI the program assumes (72, 90, 96), and a sign comes out the wrong size. So the
root says `width="60mm"` and its viewBox counts millimetres too, and every coordinate inside is
a millimetre. Photos are embedded as PNG (grayscale or 1-bit) at exactly the laser's DPI.
"""

from __future__ import annotations

import base64
import io

from lxml import etree

from production.core.geometry import MM
from renderers.engrave_drawing import CUT_RGB, ENGRAVE_RGB, HAIRLINE_MM, EngraveDrawing, Fill
from renderers.rasterize import Raster
from renderers.vectors import VectorPath

__all__ = ["SVG_NS", "XLINK_NS", "engrave_svg"]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_NSMAP = {None: SVG_NS, "xlink": XLINK_NS}


def engrave_svg(drawing: EngraveDrawing, *, title: str) -> bytes:
    page = drawing.page
    width, height = _num(page.width_pt / MM), _num(page.height_pt / MM)
    root = etree.Element(
        f"{{{SVG_NS}}}svg",
        nsmap=_NSMAP,  # type: ignore[arg-type]  # lxml-stubs reject the default namespace key
        attrib={
            "version": "1.1",
            "width": f"{width}mm",
            "height": f"{height}mm",
            "viewBox": f"0 0 {width} {height}",
        },
    )
    etree.SubElement(root, f"{{{SVG_NS}}}title").text = title
    defs = etree.SubElement(root, f"{{{SVG_NS}}}defs")
    engrave = _group(root, "engrave", fill=_hex(ENGRAVE_RGB), stroke="none")
    for item in drawing.engrave:
        if isinstance(item, Fill):
            _fill(engrave, defs, item)
        else:
            _image(engrave, item)
    cut = {"fill": "none", "stroke": _hex(CUT_RGB), "stroke-width": _num(HAIRLINE_MM)}
    for name, paths in (("cut-inner", drawing.inner_cuts), ("cut-outer", drawing.outer_cuts)):
        if paths:
            group = _group(root, name, **cut)
            for path in paths:
                etree.SubElement(group, f"{{{SVG_NS}}}path", d=_d(path))
    if not len(defs):
        root.remove(defs)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def _group(parent: etree._Element, name: str, **style: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{SVG_NS}}}g", attrib={"id": name, **style})


def _fill(parent: etree._Element, defs: etree._Element, item: Fill) -> None:
    if not item.path:
        return
    path = etree.SubElement(parent, f"{{{SVG_NS}}}path", d=_d(item.path))
    path.set("fill-rule", "nonzero")  # as fonts are drawn
    if item.clip is not None:
        clip_id = f"clip{len(defs) + 1}"
        clip = etree.SubElement(defs, f"{{{SVG_NS}}}clipPath", id=clip_id)
        box = item.clip
        etree.SubElement(
            clip,
            f"{{{SVG_NS}}}rect",
            x=_num(box.x / MM),
            y=_num(box.y / MM),
            width=_num(box.width / MM),
            height=_num(box.height / MM),
        )
        path.set("clip-path", f"url(#{clip_id})")


def _image(parent: etree._Element, raster: Raster) -> None:
    png = io.BytesIO()
    raster.image.save(png, format="PNG", optimize=False)
    box = raster.box
    image = etree.SubElement(
        parent,
        f"{{{SVG_NS}}}image",
        x=_num(box.x / MM),
        y=_num(box.y / MM),
        width=_num(box.width / MM),
        height=_num(box.height / MM),
        preserveAspectRatio="none",
    )
    # Pixels are the laser's dots: a viewer must not smooth them.
    image.set("image-rendering", "pixelated")
    image.set(
        f"{{{XLINK_NS}}}href", "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    )


def _d(path: VectorPath) -> str:
    """SVG path data in millimetres (the drawing's page points divided by `MM`)."""
    parts: list[str] = []
    for op, values in path:
        if op == "Z":
            parts.append("Z")
            continue
        coords = " ".join(_num(v / MM) for v in values)
        parts.append(f"{op}{coords}")
    return " ".join(parts)


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02X}{:02X}{:02X}".format(*rgb)


def _num(value: float) -> str:
    # A ten-thousandth of a millimetre: far below any laser's resolution, and short.
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in {"", "-0"} else text
