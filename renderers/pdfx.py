"""The PDF/X-4 markers a print file carries: one OutputIntent, the version key, Trapped.

reportlab writes the rest of what PDF/X asks for already (no external references, no encryption
or JavaScript, Title and dates), and `renderers.fontembed` embeds every font; these are the keys
reportlab has no API for, added to its document objects before the file is written. The output
intent's profile is sRGB, built by Little CMS through Pillow, so no ICC file has to be shipped.

A claim is only as good as its check: `pdfx_problems` reads the written file back, and a file
that fails it has its marks taken off (`unmark_pdfx`) rather than claim what it is not.
"""

from __future__ import annotations

import io
from functools import cache
from typing import Any

import pikepdf
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

__all__ = [
    "PDFX_VERSION",
    "PDF_VERSION",
    "mark_pdfx4",
    "not_embedded_fonts",
    "pdfx_problems",
    "unmark_pdfx",
]

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


def pdfx_problems(pdf: bytes) -> list[str]:
    """Why a written file is not the PDF/X-4 it may claim to be; [] when nothing is wrong.

    What is checked is what this project's writers could get wrong: every font the pages (and
    their form XObjects) use must be embedded, and the file must carry one PDF/X output intent.
    """
    problems: list[str] = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        intents = document.Root.get("/OutputIntents")
        if intents is None or len(intents) != 1:
            problems.append("it needs exactly one output intent")
        for name in sorted(not_embedded_fonts(document)):
            problems.append(f"font {name} is not embedded")
    return problems


def not_embedded_fonts(document: pikepdf.Pdf) -> set[str]:
    """The BaseFont of every font some page uses without its font program in the file."""
    missing: set[str] = set()
    seen: set[tuple[int, int]] = set()
    for page in document.pages:
        _walk_resources(page.obj.get("/Resources"), missing, seen)
    return missing


def _walk_resources(resources: Any, missing: set[str], seen: set[tuple[int, int]]) -> None:
    if resources is None:
        return
    for font in dict(resources.get("/Font", {})).values():
        if not _font_embedded(font):
            missing.add(str(font.get("/BaseFont", "(unnamed)")).lstrip("/"))
    for xobject in dict(resources.get("/XObject", {})).values():
        key = xobject.objgen
        if key in seen or xobject.get("/Subtype") != "/Form":
            continue
        seen.add(key)
        _walk_resources(xobject.get("/Resources"), missing, seen)


def _font_embedded(font: Any) -> bool:
    """A Type 3 font is its own glyphs; any other needs a FontFile, FontFile2 or FontFile3."""
    if font.get("/Subtype") == "/Type3":
        return True
    if font.get("/Subtype") == "/Type0":
        font = font.DescendantFonts[0]
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return False
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def unmark_pdfx(pdf: bytes) -> bytes:
    """The file without its PDF/X claim: no version key, no output intent."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        if "/OutputIntents" in document.Root:
            del document.Root["/OutputIntents"]
        if "/GTS_PDFXVersion" in document.docinfo:
            del document.docinfo["/GTS_PDFXVersion"]
        out = io.BytesIO()
        document.save(out, deterministic_id=True)
        return out.getvalue()
