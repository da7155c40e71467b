"""The PDF/X-4 markers a print file carries: one OutputIntent, the version key, Trapped.

reportlab writes the rest of what PDF/X asks for already (embedded font subsets, no external
references, no encryption or JavaScript, Title and dates); these are the keys it has no API for,
added to its document objects before the file is written. The output intent's profile is sRGB,
built by Little CMS through Pillow, so no ICC file has to be shipped with the project.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from PIL import ImageCms
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDictionary,
    PDFInfo,
    PDFName,
    PDFStream,
    PDFString,
)
from reportlab.pdfgen.canvas import Canvas

__all__ = ["PDFX_VERSION", "PDF_VERSION", "mark_pdfx4"]

PDFX_VERSION = "PDF/X-4"
PDF_VERSION = (1, 6)  # PDF/X-4 is based on PDF 1.6
OUTPUT_CONDITION = "sRGB IEC61966-2.1"


@cache
def srgb_profile() -> bytes:
    """The sRGB ICC profile, as Little CMS builds it."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    data: bytes = profile.tobytes()  # type: ignore[no-untyped-call]
    return data


class _PdfxInfo(PDFInfo):  # type: ignore[misc]
    """The document information dictionary with the PDF/X version key."""

    def format(self, document: Any) -> bytes:
        # PDFInfo builds its dictionary inside format(); add the key by formatting a copy.
        formatted: bytes = super().format(document)
        key = b"/GTS_PDFXVersion " + PDFString(PDFX_VERSION).format(document)
        return formatted.replace(b"<<", b"<<\n" + key, 1)


def mark_pdfx4(canvas: Canvas) -> None:
    """Mark the canvas's document as PDF/X-4 with an sRGB output intent. Call before `save()`."""
    document = canvas._doc
    info = _PdfxInfo()
    info.__dict__.update(document.info.__dict__)
    info.trapped = "False"  # nothing is trapped; the RIP may trap if it wants to
    document.info = info
    profile = PDFStream(PDFDictionary({"N": 3}), srgb_profile())
    intent = PDFDictionary(
        {
            "Type": PDFName("OutputIntent"),
            "S": PDFName("GTS_PDFX"),
            "OutputConditionIdentifier": PDFString(OUTPUT_CONDITION),
            "Info": PDFString(OUTPUT_CONDITION),
            "RegistryName": PDFString("http://www.color.org"),
            "DestOutputProfile": document.Reference(profile),
        }
    )
    catalog = document.Catalog
    # PDFCatalog writes only the keys it knows; give this instance its own list with ours added.
    catalog.__Defaults__ = {**catalog.__Defaults__, "OutputIntents": PDFArray([intent])}
