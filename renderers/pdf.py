"""One print-ready PDF page per surface, drawn straight from the model onto a reportlab canvas.

Amazon's SVG subset (matrix groups, a rect clip per element, images, text with tspans) maps
one to one onto PDF operators, so nothing is rasterised: photos keep their original JPEG bytes
(EXIF orientation becomes part of the image matrix), PNGs keep their alpha, text stays text in
the buyer's font, embedded as a subset. Emoji come from the shop's emoji font (`[fonts] emoji`):
colour pictures as images, colour vectors as paths (`renderers.emoji_draw`), on the line's
baseline, and the line still reads back as the buyer typed it (`renderers.extractable`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from production.core.errors import MissingFontError, RenderError
from production.core.geometry import MM_PER_INCH, Matrix
from production.core.model import (
    Customization,
    Element,
    ImageElement,
    OverlayElement,
    Surface,
    TextElement,
)
from production.core.templates import Overlays
from renderers.emoji import split_emoji
from renderers.fonts import FontIndex, ResolvedFont
from renderers.glyphdraw import PageText, page_canvas
from renderers.jpegsplice import JpegSplicer
from renderers.linedraw import draw_line
from renderers.pdfx import PDF_VERSION, mark_pdfx4, pdfx_problems, unmark_pdfx
from renderers.placement import (
    PageGeometry,
    element_clip,
    image_geometry,
    image_unit_matrix,
    overlay_unit_matrix,
)
from renderers.textlayout import TextLayout, font_notes, layout_text

__all__ = [
    "ImageReport",
    "PdfRenderer",
    "RenderedSurface",
    "TextReport",
    "image_report",
    "overlay_art",
]

# ASCII85 would make every embedded photo 25 % larger for no gain in a binary-safe file.
rl_config.useA85 = 0
# The resolution an emoji picture is chosen for: a font's strike at least this fine, if any.
_PRINT_DPI = 600


@dataclass(frozen=True, slots=True)
class ImageReport:
    member: str
    pixels: tuple[int, int]
    printed_mm: tuple[float, float]
    ppi: float  # effective resolution: the lower of the two axes


@dataclass(frozen=True, slots=True)
class TextReport:
    """A text element as it was drawn: in which font, and where its lines went."""

    element: TextElement
    font: ResolvedFont
    layout: TextLayout  # its `emoji_font`: the font its emoji were drawn in, if any


@dataclass(slots=True)
class RenderedSurface:
    pdf: bytes
    page: PageGeometry
    images: list[ImageReport] = field(default_factory=list)
    texts: list[TextReport] = field(default_factory=list)  # empty when a converter drew it
    fonts: list[ResolvedFont] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    holds: list[str] = field(default_factory=list)  # reasons nobody should print it unchecked
    svg: bytes | None = None  # engrave surfaces for a laser that takes SVG: the same design
    pdfx: bool = False  # the file claims PDF/X-4, and `renderers.pdfx` found the claim true


class PdfRenderer:
    """Renders surfaces; holds the font index, the shop's emoji font and its overlay assets.

    `emoji`: the family emoji are drawn in (`[fonts] emoji`), None to print them only from a
    text font that has them (preflight holds the others).
    """

    def __init__(
        self,
        *,
        fonts: FontIndex,
        emoji: str | None = None,
        overlay_asset: Callable[[str], bytes | None] = lambda _name: None,
    ) -> None:
        self.fonts = fonts
        self.emoji = emoji
        self.overlay_asset = overlay_asset

    def render(
        self,
        customization: Customization,
        surface: Surface,
        page: PageGeometry,
        members: Mapping[str, bytes],
        *,
        title: str,
        now: datetime | None = None,
        overlays: Overlays = "auto",
    ) -> RenderedSurface:
        out = io.BytesIO()
        canvas = page_canvas(
            out, pagesize=(page.width_pt, page.height_pt), invariant=True, pdfVersion=PDF_VERSION
        )
        mark_pdfx4(canvas)
        canvas.setTitle(title)
        canvas.setSubject(title)
        canvas.setAuthor("")
        canvas.setCreator("amazon-custom-production")
        canvas.setProducer("amazon-custom-production")
        if now is not None:
            canvas.setDateFormatter(lambda *_: now.astimezone(UTC).strftime("D:%Y%m%d%H%M%SZ"))
        trim = page.trim
        canvas.setTrimBox((trim.x, trim.y, trim.right, trim.bottom))  # symmetric: y flip is moot
        canvas.setBleedBox((0, 0, page.width_pt, page.height_pt))
        result = RenderedSurface(pdf=b"", page=page)
        drawing = _Drawing(self, canvas, page, members, result, customization)
        drawing.overlays = overlays
        drawing.seller_fonts = {font.family: font.url for font in surface.fonts}
        for element in surface.elements:
            drawing.draw(element)
        drawing.page_text.finish()
        canvas.showPage()
        canvas.save()
        pdf = drawing.jpegs.splice(out.getvalue())
        result.pdf, result.pdfx = _checked_pdfx(pdf, result.warnings)
        return result

    def text_font(self, element: TextElement, seller_fonts: Mapping[str, str]) -> ResolvedFont:
        """The font file for a text element; `seller_fonts` maps families to their URLs."""
        if not element.font_family:
            raise RenderError(f"text {element.label or element.name!r} names no font")
        return self.fonts.resolve(
            element.font_family,
            weight=element.font_weight,
            style=element.font_style,
            url=seller_fonts.get(element.font_family),
        )

    def text_layout(self, element: TextElement, font: ResolvedFont) -> TextLayout:
        """Where the element's lines go, with the emoji font if a line has emoji to draw."""
        lines = (*element.lines, *(tspan.text for tspan in element.tspans))
        return layout_text(element, font, self.emoji_font(font, lines))

    def emoji_font(self, font: ResolvedFont, lines: Iterable[str]) -> ResolvedFont | None:
        """The emoji font for `lines` in `font`: None without one configured or any emoji."""
        if self.emoji is None:
            return None
        if not any(flag for line in lines for _, flag in split_emoji(line, text_font=font)):
            return None
        try:
            return self.fonts.resolve(self.emoji)
        except MissingFontError as exc:
            raise MissingFontError(
                f"the emoji font ([fonts] emoji in shop.toml): {exc.message}", family=self.emoji
            ) from exc


class _Drawing:
    """The state of one page while its elements are drawn."""

    def __init__(
        self,
        renderer: PdfRenderer,
        canvas: Canvas,
        page: PageGeometry,
        members: Mapping[str, bytes],
        result: RenderedSurface,
        customization: Customization,
    ) -> None:
        self.renderer = renderer
        self.canvas = canvas
        self.page = page
        self.members = members
        self.result = result
        self.item_id = customization.item.order_item_id
        self.to_pdf = page.to_pdf()
        self.seller_fonts: dict[str, str] = {}
        self.overlays: Overlays = "auto"
        self.page_text = PageText(canvas)
        self.jpegs = JpegSplicer()  # photos go in byte for byte once reportlab has written

    def error(self, message: str) -> RenderError:
        return RenderError(message, item_id=self.item_id)

    def draw(self, element: Element) -> None:
        drawer = _DRAWERS[element.kind]
        self.canvas.saveState()
        try:
            # From here on the canvas speaks preview units, y down, like the SVG.
            self._transform(self.to_pdf)
            clip = element_clip(element)
            if clip is not None:
                path = self.canvas.beginPath()
                path.rect(clip.x, clip.y, clip.width, clip.height)
                self.canvas.clipPath(path, stroke=0, fill=0)
            drawer(self, element)
        finally:
            self.canvas.restoreState()

    def _transform(self, m: Matrix) -> None:
        self.canvas.transform(m.a, m.b, m.c, m.d, m.e, m.f)

    # -- images ----------------------------------------------------------------------------

    def image(self, element: Element) -> None:
        assert isinstance(element, ImageElement)
        matrix, rect = image_geometry(element)
        data = self.members.get(element.member)
        if data is None:
            raise self.error(f"image {element.member!r} is not in the zip")
        unit = image_unit_matrix(element, rect)
        self._transform(unit.then(matrix))
        if element.media_type == "image/jpeg":
            self.canvas.drawImage(self.jpegs.reader(data, element.member), 0, 0, 1, 1)
        else:
            self.canvas.drawImage(ImageReader(io.BytesIO(data)), 0, 0, 1, 1, mask="auto")
        self.result.images.append(image_report(element, self.page))

    def overlay(self, element: Element) -> None:
        assert isinstance(element, OverlayElement)
        if self.overlays == "skip" or element.svg is None or element.svg_rect is None:
            return
        data = overlay_art(self.renderer, element, self.overlays, self.result.warnings)
        if data is None:
            return
        # Overlays are PNG or JPEG seller art, drawn upright into their rect.
        self._transform(overlay_unit_matrix(element.svg_rect).then(element.svg.matrix))
        self.canvas.drawImage(ImageReader(io.BytesIO(data)), 0, 0, 1, 1, mask="auto")

    # -- text ------------------------------------------------------------------------------

    def text(self, element: Element) -> None:
        assert isinstance(element, TextElement)
        font = self.renderer.text_font(element, self.seller_fonts)
        self._note_font(element, font)
        if element.color is not None:
            r, g, b = element.color.rgb
            self.canvas.setFillColorRGB(r / 255, g / 255, b / 255)
        else:
            self.canvas.setFillColorRGB(0, 0, 0)
        layout = self.renderer.text_layout(element, font)
        self.result.texts.append(TextReport(element, font, layout))
        points = layout.matrix.then(self.to_pdf).scale_x  # points per span unit
        ppem = layout.size * points * _PRINT_DPI / 72
        self._transform(layout.matrix)
        for line, x, y in layout.spans:
            self._line(layout, line, x, y, ppem)

    def _line(self, layout: TextLayout, line: str, x: float, y: float, ppem: float) -> None:
        laid = layout.laid(line, ppem=ppem)
        if laid.emoji_font is not None and laid.emoji_font not in self.result.fonts:
            self.result.fonts.append(laid.emoji_font)  # on the ticket with the text's fonts
        draw_line(self.canvas, self.page_text, laid, layout.size, x, y)

    def _note_font(self, element: TextElement, font: ResolvedFont) -> None:
        if font not in self.result.fonts:
            self.result.fonts.append(font)
        self.result.warnings.extend(font_notes(element, font))


_DRAWERS: dict[str, Callable[[_Drawing, Element], None]] = {
    "image": _Drawing.image,
    "text": _Drawing.text,
    "overlay": _Drawing.overlay,
}


def _checked_pdfx(pdf: bytes, warnings: list[str]) -> tuple[bytes, bool]:
    """The file as written and whether it is PDF/X-4; its marks are taken off if it is not."""
    problems = pdfx_problems(pdf)
    if not problems:
        return pdf, True
    warnings.append("the print file is not PDF/X-4: " + "; ".join(problems))
    return unmark_pdfx(pdf), False


def image_report(element: ImageElement, page: PageGeometry) -> ImageReport:
    """The printed size and effective resolution of a photo on `page`."""
    matrix, rect = image_geometry(element)
    scale = matrix.scale_x * page.mm_per_unit
    printed = (rect.width * scale, rect.height * scale)
    pixels = (int(element.pixel_size.width), int(element.pixel_size.height))
    ppi = min(pixels[0] / (printed[0] / MM_PER_INCH), pixels[1] / (printed[1] / MM_PER_INCH))
    return ImageReport(element.member, pixels, printed, ppi)


def overlay_art(
    renderer: PdfRenderer, element: OverlayElement, policy: Overlays, warnings: list[str]
) -> bytes | None:
    """The seller art of an option overlay from the shop's assets, or None to leave it out."""
    if policy == "skip" or element.svg is None or element.svg_rect is None:
        return None
    data = renderer.overlay_asset(element.file_name)
    if data is None:
        where = "the shop's assets folder (save it there under that name; never downloaded)"
        if policy == "print":
            raise RenderError(f"overlay image {element.file_name!r} is not in {where}")
        # Most overlays are the listing's preview masks, which a shop does not print; the
        # art it does print it puts in the assets folder.
        warnings.append(
            f"overlay image {element.file_name!r} was not printed: it is not in {where}"
        )
    return data
