"""One print-ready PDF page per surface, drawn straight from the model onto a reportlab canvas.

Amazon's SVG subset (matrix groups, a rect clip per element, images, text with tspans) maps
one to one onto PDF operators, so nothing is rasterised: photos keep their original JPEG bytes
(EXIF orientation becomes part of the image matrix), PNGs keep their alpha, text stays text in
the buyer's font, embedded as a subset.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from production.errors import RenderError
from production.geometry import Box, Matrix
from production.model import (
    Customization,
    Element,
    ImageElement,
    OverlayElement,
    Surface,
    TextElement,
)
from production.settings_products import Overlays
from renderers.fonts import FontIndex, ResolvedFont, missing_glyphs
from renderers.pdfx import PDF_VERSION, mark_pdfx4
from renderers.placement import PageGeometry, image_unit_matrix

__all__ = ["ImageReport", "PdfRenderer", "RenderedSurface", "image_report"]

# ASCII85 would make every embedded photo 25 % larger for no gain in a binary-safe file.
rl_config.useA85 = 0

FABRIC_LINE_HEIGHT = 1.16
"""Fabric.js text line height, used only for text that has no SVG layout (old zips)."""


@dataclass(frozen=True, slots=True)
class ImageReport:
    member: str
    pixels: tuple[int, int]
    printed_mm: tuple[float, float]
    ppi: float  # effective resolution: the lower of the two axes


@dataclass(slots=True)
class RenderedSurface:
    pdf: bytes
    page: PageGeometry
    images: list[ImageReport] = field(default_factory=list)
    fonts: list[ResolvedFont] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    holds: list[str] = field(default_factory=list)  # reasons nobody should print it unchecked


class PdfRenderer:
    """Renders surfaces; holds the font index and the shop's overlay assets."""

    def __init__(
        self,
        *,
        fonts: FontIndex,
        overlay_asset: Callable[[str], bytes | None] = lambda _name: None,
    ) -> None:
        self.fonts = fonts
        self.overlay_asset = overlay_asset
        self._registered: dict[tuple[str, int], str] = {}

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
        canvas = Canvas(
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
        canvas.showPage()
        canvas.save()
        result.pdf = out.getvalue()
        return result

    def font_name(self, font: ResolvedFont) -> str:
        """Register a font file with reportlab once, under a name derived from its path."""
        key = (str(font.path), font.font_number)
        name = self._registered.get(key)
        if name is None:
            digest = hashlib.sha1(f"{key}".encode()).hexdigest()[:12]
            name = f"F{digest}"
            try:
                pdfmetrics.getFont(name)
            except KeyError:
                pdfmetrics.registerFont(TTFont(name, str(font.path), subfontIndex=font.font_number))
            self._registered[key] = name
        return name


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

    def error(self, message: str) -> RenderError:
        return RenderError(message, item_id=self.item_id)

    def draw(self, element: Element) -> None:
        drawer = _DRAWERS[element.kind]
        self.canvas.saveState()
        try:
            # From here on the canvas speaks preview units, y down, like the SVG.
            self._transform(self.to_pdf)
            clip = _clip_box(element)
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
        matrix, rect = _image_geometry(element)
        data = self.members.get(element.member)
        if data is None:
            raise self.error(f"image {element.member!r} is not in the zip")
        unit = image_unit_matrix(element, rect)
        self._transform(unit.then(matrix))
        if element.media_type == "image/jpeg":
            self.canvas.drawImage(_JpegPassthrough(data), 0, 0, 1, 1)
        else:
            self.canvas.drawImage(ImageReader(io.BytesIO(data)), 0, 0, 1, 1, mask="auto")
        self.result.images.append(image_report(element, self.page))

    def overlay(self, element: Element) -> None:
        assert isinstance(element, OverlayElement)
        if self.overlays == "skip" or element.svg is None or element.svg_rect is None:
            return
        data = self.renderer.overlay_asset(element.file_name)
        if data is None:
            where = "the shop's assets folder (save it there under that name; never downloaded)"
            if self.overlays == "print":
                raise self.error(f"overlay image {element.file_name!r} is not in {where}")
            # Most overlays are the listing's preview masks, which a shop does not print; the
            # art it does print it puts in the assets folder.
            self.result.warnings.append(
                f"overlay image {element.file_name!r} was not printed: it is not in {where}"
            )
            return
        rect = element.svg_rect
        # Overlays are PNG or JPEG seller art, drawn upright into their rect.
        unit = Matrix(rect.width, 0, 0, -rect.height, rect.x, rect.y + rect.height)
        self._transform(unit.then(element.svg.matrix))
        self.canvas.drawImage(ImageReader(io.BytesIO(data)), 0, 0, 1, 1, mask="auto")

    # -- text ------------------------------------------------------------------------------

    def text(self, element: Element) -> None:
        assert isinstance(element, TextElement)
        if not element.font_family:
            raise self.error(f"text {element.label or element.name!r} names no font")
        font = self.renderer.fonts.resolve(
            element.font_family,
            weight=element.font_weight,
            style=element.font_style,
            url=self.seller_fonts.get(element.font_family),
        )
        self._note_font(element, font)
        name = self.renderer.font_name(font)
        if element.color is not None:
            r, g, b = element.color.rgb
            self.canvas.setFillColorRGB(r / 255, g / 255, b / 255)
        else:
            self.canvas.setFillColorRGB(0, 0, 0)
        if element.svg is not None and element.tspans and element.font_size:
            self._transform(element.svg.matrix)
            spans = [(t.text, t.x, t.y) for t in element.tspans]
            self._spans(name, element.font_size, spans)
        elif element.box is not None:
            self._fit_into_box(name, element, element.box)
        else:
            raise self.error(f"text {element.label or element.name!r} has no place on the surface")

    def _spans(self, font: str, size: float, spans: list[tuple[str, float, float]]) -> None:
        text = self.canvas.beginText()
        text.setFont(font, size)
        for line, x, y in spans:
            # The canvas is y-up after the page flip; this flips glyphs back upright at (x, y).
            text.setTextTransform(1, 0, 0, -1, x, y)
            text.textOut(line)
        self.canvas.drawText(text)

    def _fit_into_box(self, font: str, element: TextElement, box: Box) -> None:
        """Old zips give a box, no layout: centre the lines in it at the largest size that fits."""
        lines = element.lines
        # The font's whole height (ascent to descent) must fit, not just one em per line.
        ascent = pdfmetrics.getAscent(font, 1.0)
        descent = pdfmetrics.getDescent(font, 1.0)  # negative: below the baseline
        extent = (len(lines) - 1) * FABRIC_LINE_HEIGHT + (ascent - descent)
        widest = max((pdfmetrics.stringWidth(line, font, 1.0) for line in lines), default=0.0)
        size = box.height / extent
        if widest > 0:
            size = min(size, box.width / widest)
        top = box.y + (box.height - extent * size) / 2
        spans = []
        for index, line in enumerate(lines):
            width = pdfmetrics.stringWidth(line, font, size)
            baseline = top + (ascent + index * FABRIC_LINE_HEIGHT) * size
            spans.append((line, box.x + (box.width - width) / 2, baseline))
        self._spans(font, size, spans)

    def _note_font(self, element: TextElement, font: ResolvedFont) -> None:
        if font not in self.result.fonts:
            self.result.fonts.append(font)
        missing = missing_glyphs(font, element.text)
        if missing:
            self.result.warnings.append(
                f"font {font.family!r} has no glyph for {len(missing)} character(s) of "
                f"text {element.label or element.name!r}"
            )
        if font.substituted_for:
            self.result.warnings.append(
                f"font {font.substituted_for!r} is printed as {font.family!r} (configured alias)"
            )


class _JpegPassthrough(ImageReader):  # type: ignore[misc]
    """A JPEG that reportlab embeds byte for byte (DCTDecode) without ever decoding it.

    `Canvas.drawImage` names every image by a hash of its decoded pixels — a quarter second and
    70 MB for a phone photo — so this reader offers a hash of the file bytes instead. The pixels
    themselves come from `jpeg_fh()`, the original bytes.
    """

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self._identity = hashlib.sha1(data).digest()
        self._dataA = None  # no alpha: set by getRGBData in the base class, which is skipped

    def getRGBData(self) -> bytes:  # reportlab's name for it
        return self._identity


_DRAWERS: dict[str, Callable[[_Drawing, Element], None]] = {
    "image": _Drawing.image,
    "text": _Drawing.text,
    "overlay": _Drawing.overlay,
}


def image_report(element: ImageElement, page: PageGeometry) -> ImageReport:
    """The printed size and effective resolution of a photo on `page`."""
    matrix, rect = _image_geometry(element)
    scale = matrix.scale_x * page.mm_per_unit
    printed = (rect.width * scale, rect.height * scale)
    pixels = (int(element.pixel_size.width), int(element.pixel_size.height))
    ppi = min(pixels[0] / (printed[0] / 25.4), pixels[1] / (printed[1] / 25.4))
    return ImageReport(element.member, pixels, printed, ppi)


def _clip_box(element: Element) -> Box | None:
    if isinstance(element, OverlayElement):
        return element.svg.clip if element.svg else None
    if element.svg is not None and element.svg.clip is not None:
        return element.svg.clip
    # Text without a clip in the SVG is drawn unclipped, as the buyer saw it; images always
    # stay inside their placement box.
    return element.box if isinstance(element, ImageElement) else None


def _image_geometry(element: ImageElement) -> tuple[Matrix, Box]:
    """The element matrix and the image rect in its units, from the SVG or else the JSON."""
    if element.svg is not None and element.svg_rect is not None:
        return element.svg.matrix, element.svg_rect
    width, height = element.pixel_size.width, element.pixel_size.height
    rect = Box(-width / 2, -height / 2, width, height)
    placement = element.buyer_placement
    if placement is not None:
        center = placement.center(0.0)
        matrix = (
            Matrix.scale(placement.scale, placement.scale_y)
            .then(Matrix.rotate(placement.rotation))
            .then(Matrix.translate(center.x, center.y))
        )
        return matrix, rect
    if element.box is not None:
        # No placement recorded: cover the box, centred, as Fabric's default does.
        box = element.box
        scale = max(box.width / width, box.height / height)
        return Matrix.scale(scale).then(Matrix.translate(box.center.x, box.center.y)), rect
    raise RenderError(f"image {element.member!r} has no place on the surface")
