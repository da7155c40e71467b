"""PDF pages as pictures, through PDFium: the proofs of rendered surfaces and the proof check.

PDFium is not thread-safe, not even across documents, and the daemon renders while the desk
answers from a thread pool: every call into PDFium in the process holds `PDFIUM_LOCK`.
"""

from __future__ import annotations

import threading

import pypdfium2 as pdfium
from PIL import Image

from production.core.errors import RenderError

__all__ = ["PDFIUM_LOCK", "render_page"]

PDFIUM_LOCK = threading.Lock()
"""Held around every use of PDFium in this process."""

_WHITE = (255, 255, 255, 255)


def render_page(pdf: bytes, *, scale: float) -> Image.Image:
    """The first page of `pdf` on white, RGB, at `scale` pixels per PDF point."""
    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(pdf)
        except pdfium.PdfiumError as exc:
            raise RenderError("the rendered PDF cannot be opened for its proof") from exc
        try:
            bitmap = document[0].render(scale=scale, fill_color=_WHITE)
            picture: Image.Image = bitmap.to_pil().convert("RGB")
        finally:
            document.close()
    return picture
