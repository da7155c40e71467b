"""Small pictures of rendered print files, for packing slips: a packer matches them to the goods.

The picture is the print PDF's first page as PDFium draws it, small (`THUMBNAIL_PX` on its
longest side), so a slip holding a dozen of them stays a small file; a PNG, lossless for the
flat colours and text most designs are.
"""

from __future__ import annotations

import io

import pypdfium2 as pdfium

from production.core.errors import RenderError
from renderers.pdfraster import PDFIUM_LOCK

__all__ = ["THUMBNAIL_PX", "pdf_thumbnail"]

THUMBNAIL_PX = 240
"""The longest side of a thumbnail, in pixels: about 2 inches on a slip at 120 dpi."""

_WHITE = (255, 255, 255, 255)


def pdf_thumbnail(pdf: bytes, *, longest_px: int = THUMBNAIL_PX) -> bytes:
    """The first page of `pdf` as a PNG at most `longest_px` pixels on its longest side."""
    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(pdf)
        except pdfium.PdfiumError as exc:
            raise RenderError("a print file cannot be opened for its thumbnail") from exc
        try:
            page = document[0]
            width, height = page.get_size()
            scale = longest_px / max(width, height, 1.0)
            picture = page.render(scale=scale, fill_color=_WHITE).to_pil().convert("RGB")
        finally:
            document.close()
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()
