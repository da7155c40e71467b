"""Snapshots drawn the way Amazon's customizer draws them, for zips that come without a real one.

The reference mugs' snapshots are not part of the reference set (their stand-ins are flat
colour). These are drawn from the zip itself, with the sample script's drawer
(`samples/snapshot.py`, independent of the print renderer: Pillow, not reportlab and PDFium):
every photo and text placed by its SVG matrix and clipped to its box, over a plain background.
Texts are drawn in the font the shop prints them in (the reference fonts are aliased).
"""

from __future__ import annotations

import io
import zipfile

from PIL import Image, ImageFont, ImageOps

from production.core.model import ImageElement, Surface, TextElement
from production.customization import parse_zip
from renderers.fonts import FontIndex
from renderers.placement import element_clip
from samples import snapshot


def with_drawn_snapshots(data: bytes, fonts: FontIndex) -> bytes:
    """The zip with every surface's snapshot member replaced by one drawn from its design."""
    customization = parse_zip(data)
    source = zipfile.ZipFile(io.BytesIO(data))
    drawn = {
        surface.snapshot_member: snapshot.to_jpeg(draw(surface, source, fonts))
        for surface in customization.surfaces
        if surface.snapshot_member
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            archive.writestr(info.filename, drawn.get(info.filename) or source.read(info))
    return out.getvalue()


def draw(surface: Surface, source: zipfile.ZipFile, fonts: FontIndex) -> Image.Image:
    layers = []
    for element in surface.elements:
        if isinstance(element, ImageElement):
            layers.append(_photo(element, source))
        elif isinstance(element, TextElement) and element.tspans:
            layers.append(_text(element, surface, fonts))
    return snapshot.draw(layers)


def _rect(element: ImageElement | TextElement) -> snapshot.Rect | None:
    clip = element_clip(element)
    return (clip.x, clip.y, clip.width, clip.height) if clip is not None else None


def _photo(element: ImageElement, source: zipfile.ZipFile) -> snapshot.Layer:
    assert element.svg is not None and element.svg_rect is not None
    picture = ImageOps.exif_transpose(Image.open(io.BytesIO(source.read(element.member))))
    rect = element.svg_rect
    units = (rect.width / picture.width, rect.height / picture.height)
    return snapshot.Layer(
        picture.convert("RGBA"),
        (rect.x, rect.y),
        units,
        element.svg.matrix.as_tuple(),
        _rect(element),
    )


def _text(element: TextElement, surface: Surface, fonts: FontIndex) -> snapshot.Layer:
    assert element.svg is not None and element.font_family and element.font_size
    seller = {font.family: font.url for font in surface.fonts}
    path = fonts.resolve(element.font_family, url=seller.get(element.font_family)).path
    size = element.font_size
    font = ImageFont.truetype(str(path), 100)
    spans = [(t.x, t.y, t.text) for t in element.tspans]
    # The block the spans sit in, centred on the element's origin as Fabric.js lays it out.
    half_w = max(max(abs(x), abs(x + font.getlength(line) * size / 100)) for x, _, line in spans)
    half_h = max(max(abs(y - size), abs(y + size / 2)) for _, y, _ in spans)
    return snapshot.text_layer(
        spans,
        font_path=path,
        font_size=size,
        block_size=(2 * half_w, 2 * half_h),
        fill=element.color.rgb if element.color else (0, 0, 0),
        matrix=element.svg.matrix.as_tuple(),
        clip=_rect(element),
    )
