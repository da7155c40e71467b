"""Engrave files: the design as a laser wants it, drawn from the same model as the print PDF.

The laser gets no fonts and no colour photos. Text becomes filled glyph outlines (from the same
font files and the same layout as the print PDF, so it lands in the same place); photos become
grayscale rasters at the laser's DPI, optionally inverted and dithered; the template's cut
outline is added as red hairlines. The file's drawing order is the laser's order of operations:
engraving first, then inner cuts, then the outer cut that frees the part.

The design is first collected into an `EngraveDrawing` (page points, y down), which the PDF
and SVG writers (`engrave_pdf`, `engrave_svg`) turn into files.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from production.core.errors import RenderError
from production.core.geometry import Box, Matrix
from production.core.model import (
    Customization,
    Element,
    ImageElement,
    OverlayElement,
    Surface,
    TextElement,
)
from production.core.templates import Overlays
from renderers.cutlines import CutFileError, cut_lines
from renderers.engrave_drawing import EngraveDrawing, Fill
from renderers.engrave_pdf import engrave_pdf
from renderers.engrave_settings import EngraveSettings
from renderers.engrave_svg import engrave_svg
from renderers.outlines import emoji_pictures, text_outlines
from renderers.pdf import PdfRenderer, RenderedSurface, TextReport, image_report, overlay_art
from renderers.placement import (
    PageGeometry,
    element_clip,
    image_geometry,
    image_unit_matrix,
    overlay_unit_matrix,
)
from renderers.rasterize import Raster, RasterStyle, rasterize_photo
from renderers.textlayout import font_notes
from renderers.vectors import VectorPath, path_bounds

__all__ = ["EngraveDrawing", "EngraveSettings", "Engraver", "Fill"]


class Engraver:
    """Draws surfaces for lasers, with the print renderer's fonts and overlay assets."""

    def __init__(
        self, pdf: PdfRenderer, *, read_file: Callable[[str], bytes] | None = None
    ) -> None:
        self.pdf = pdf
        self.read_file = read_file or _read_file

    def render(
        self,
        customization: Customization,
        surface: Surface,
        page: PageGeometry,
        members: Mapping[str, bytes],
        settings: EngraveSettings,
        *,
        title: str,
        now: datetime | None = None,
        overlays: Overlays = "auto",
    ) -> RenderedSurface:
        """The engrave PDF (and SVG when the laser takes SVG) of one surface."""
        result = RenderedSurface(pdf=b"", page=page)
        drawing = self.drawing(customization, surface, page, members, settings, result, overlays)
        result.pdf = engrave_pdf(drawing, title=title, now=now)
        if settings.svg:
            result.svg = engrave_svg(drawing, title=title)
        return result

    def drawing(
        self,
        customization: Customization,
        surface: Surface,
        page: PageGeometry,
        members: Mapping[str, bytes],
        settings: EngraveSettings,
        result: RenderedSurface,
        overlays: Overlays = "auto",
    ) -> EngraveDrawing:
        """The surface as engrave operations; fonts, photos and warnings are noted in `result`."""
        walk = _Walk(self, page, members, settings, result, overlays)
        walk.seller_fonts = {font.family: font.url for font in surface.fonts}
        drawing = EngraveDrawing(page)
        for element in surface.elements:
            drawing.engrave.extend(walk.draw(element))
        if settings.cut is not None:
            cuts = self._cuts(settings.cut, page, customization)
            drawing.inner_cuts.extend(cuts[0])
            drawing.outer_cuts.extend(cuts[1])
        return drawing

    def _cuts(
        self, cut: str, page: PageGeometry, customization: Customization
    ) -> tuple[tuple[VectorPath, ...], tuple[VectorPath, ...]]:
        data = None
        try:
            if cut.lower().endswith(".svg"):
                data = self.read_file(cut)
            lines = cut_lines(cut, page.trim, read=data)
        except (OSError, CutFileError) as exc:
            raise RenderError(
                f"the template's cut file cannot be used: {exc}",
                item_id=customization.item.order_item_id,
            ) from exc
        return lines.inner, lines.outer


class _Walk:
    """The state of one surface while its elements become engrave operations."""

    def __init__(
        self,
        engraver: Engraver,
        page: PageGeometry,
        members: Mapping[str, bytes],
        settings: EngraveSettings,
        result: RenderedSurface,
        overlays: Overlays,
    ) -> None:
        self.pdf = engraver.pdf
        self.page = page
        self.members = members
        self.style = RasterStyle(settings.dpi, settings.dither, settings.invert)
        self.result = result
        self.overlays = overlays
        self.seller_fonts: dict[str, str] = {}

    def draw(self, element: Element) -> list[Fill | Raster]:
        clip = element_clip(element)
        page_clip = self.page.to_page.map_box(clip) if clip is not None else None
        if isinstance(element, TextElement):
            return [self.text(element, page_clip)]
        region = _intersect(page_clip or self.page.bleed, self.page.bleed)
        if region is None:
            return []
        raster = None
        if isinstance(element, ImageElement):
            raster = self.image(element, region)
        elif isinstance(element, OverlayElement):
            raster = self.overlay(element, region)
        return [raster] if raster is not None else []

    def text(self, element: TextElement, clip: Box | None) -> Fill:
        font = self.pdf.text_font(element, self.seller_fonts)
        if font not in self.result.fonts:
            self.result.fonts.append(font)
        self.result.warnings.extend(font_notes(element, font))
        layout = self.pdf.text_layout(element, font)
        self.result.texts.append(TextReport(element, font, layout))
        emoji_font = layout.emoji_font
        if emoji_font is not None and emoji_font not in self.result.fonts:
            self.result.fonts.append(emoji_font)
        if emoji_font is not None and emoji_pictures(layout):
            # Left out of the outlines: a picture cannot be engraved as a filled path.
            self.result.holds.append(
                f"emoji font {emoji_font.family!r} has only colour pictures; a laser needs "
                "outlines: set [fonts] emoji to a monochrome font such as Symbola"
            )
        path = text_outlines(font, layout, self.page.to_page)
        bounds = path_bounds(path)
        # Laser software often ignores clipping: keep a clip only where it cuts something off.
        if clip is not None and bounds is not None and clip.contains(bounds):
            clip = None
        return Fill(path, clip)

    def image(self, element: ImageElement, region: Box) -> Raster | None:
        data = self.members.get(element.member)
        if data is None:
            raise RenderError(f"image {element.member!r} is not in the zip")
        matrix, rect = image_geometry(element)
        unit = image_unit_matrix(element, rect).then(matrix).then(self.page.to_page)
        self.result.images.append(image_report(element, self.page))
        return rasterize_photo(data, unit, region, self.style)

    def overlay(self, element: OverlayElement, region: Box) -> Raster | None:
        data = overlay_art(self.pdf, element, self.overlays, self.result.warnings)
        if data is None or element.svg is None or element.svg_rect is None:
            return None
        unit: Matrix = overlay_unit_matrix(element.svg_rect).then(element.svg.matrix)
        return rasterize_photo(data, unit.then(self.page.to_page), region, self.style)


def _intersect(a: Box, b: Box) -> Box | None:
    x0, y0 = max(a.x, b.x), max(a.y, b.y)
    x1, y1 = min(a.right, b.right), min(a.bottom, b.bottom)
    if x1 <= x0 or y1 <= y0:
        return None
    return Box(x0, y0, x1 - x0, y1 - y0)


def _read_file(path: str) -> bytes:
    return Path(path).read_bytes()
