"""Slips and sheets read back as a packer's scanner and eyes would: rasterised, decoded, read."""

from __future__ import annotations

import io

import numpy as np
import pypdfium2 as pdfium
import zxingcpp
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

LABEL_DPI = 203  # a thermal label printer's resolution: the slip must scan printed at it


def pages(pdf: bytes, *, dpi: int = LABEL_DPI) -> list[Image.Image]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [
            page.render(scale=dpi / 72, fill_color=(255, 255, 255, 255)).to_pil().convert("RGB")
            for page in document
        ]
    finally:
        document.close()


def barcodes(picture: Image.Image) -> list[tuple[str, str]]:
    """(format, text) of every barcode zxing-cpp finds in the picture."""
    return [(result.format.name, result.text) for result in zxingcpp.read_barcodes(picture)]


def text_of(pdf: bytes) -> str:
    """Every page's text as a PDF reader extracts it."""
    document = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def coloured_pdf(rgb: tuple[float, float, float], size: tuple[float, float] = (300, 200)) -> bytes:
    """A print file stand-in: one page filled edge to edge with one colour."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=size)
    canvas.setFillColorRGB(*rgb)
    canvas.rect(0, 0, size[0], size[1], stroke=0, fill=1)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def pixels_near(picture: Image.Image, rgb: tuple[int, int, int], *, tolerance: int = 40) -> int:
    """How many pixels are within `tolerance` of `rgb` in every channel."""
    pixels = np.asarray(picture.convert("RGB"), dtype=np.int16)
    close = np.abs(pixels - np.array(rgb, dtype=np.int16)) <= tolerance
    return int(close.all(axis=2).sum())


def ink(picture: Image.Image) -> int:
    """How many pixels are darker than mid-grey."""
    return int((np.asarray(picture.convert("L")) < 128).sum())
