"""The PDF/X-4 markers a print file carries: one OutputIntent, the version key, Trapped.

reportlab writes the rest of what PDF/X asks for already (no external references, no encryption
or JavaScript, Title and dates), and `renderers.fontembed` embeds every font; these are the keys
reportlab has no API for, added to its document objects before the file is written. The output
intent's profile is sRGB, built by Little CMS through Pillow, so no ICC file has to be shipped.

A claim is only as good as its check: `pdfx_problems` reads the written file back, and a file
that fails it has its marks taken off (`unmark_pdfx`) rather than claim what it is not. The
files reportlab writes are read by `renderers.pdfobjects`; any other by pikepdf, which is only
imported for those (and for taking a claim off).
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

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

from renderers.pdfobjects import PlainPdf, Ref, Unreadable

if TYPE_CHECKING:
    import pikepdf

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


# The ICC header's creation date (ICC.1 §7.2.8: six big-endian uint16, UTC). Little CMS writes
# the time it builds the profile, which made every print file's bytes depend on the second it
# was rendered in; the profile is the same sRGB whenever it is built, so it carries one date.
_PROFILE_DATE = struct.pack(">6H", 2000, 1, 1, 0, 0, 0)
_DATE_AT = slice(24, 36)
_PROFILE_ID_AT = slice(84, 100)  # an MD5 over the profile; all zero: none is given


@cache
def srgb_profile() -> bytes:
    """The sRGB ICC profile, as Little CMS builds it, dated `_PROFILE_DATE`."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    data = bytearray(profile.tobytes())  # type: ignore[no-untyped-call]
    if any(data[_PROFILE_ID_AT]):
        data[_PROFILE_ID_AT] = bytes(16)  # an ID would be of the old date: none is given
    data[_DATE_AT] = _PROFILE_DATE
    return bytes(data)


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
    try:
        intents, missing = _plain_facts(PlainPdf(pdf))
    except (Unreadable, LookupError, TypeError, AttributeError):
        intents, missing = _pikepdf_facts(pdf)  # not a plain file, or not as expected
    problems: list[str] = []
    if intents != 1:
        problems.append("it needs exactly one output intent")
    for name in sorted(missing):
        problems.append(f"font {name} is not embedded")
    return problems


def _pikepdf_facts(pdf: bytes) -> tuple[int | None, set[str]]:
    """How many output intents the file has (None: no entry) and the fonts it does not embed."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        intents = document.Root.get("/OutputIntents")
        return (None if intents is None else len(intents)), not_embedded_fonts(document)


def _plain_facts(document: PlainPdf) -> tuple[int | None, set[str]]:
    """`_pikepdf_facts` of a plain file, read by `renderers.pdfobjects`."""
    root = _dictionary(document, document.trailer.get("/Root"))
    intents = document.resolve(root.get("/OutputIntents"))
    count = len(intents) if isinstance(intents, list) else None if intents is None else -1
    missing: set[str] = set()
    seen: set[Ref] = set()
    for page in _plain_pages(document, root.get("/Pages"), set()):
        _plain_resources(document, page.get("/Resources"), missing, seen)
    return count, missing


def _dictionary(document: PlainPdf, value: Any) -> dict[str, Any]:
    resolved = document.resolve(value)
    if not isinstance(resolved, dict):
        raise Unreadable("a dictionary expected")
    return resolved


def _plain_pages(document: PlainPdf, node: Any, visited: set[Ref]) -> Iterator[dict[str, Any]]:
    if isinstance(node, Ref):
        if node in visited:
            raise Unreadable("a loop in the page tree")
        visited.add(node)
    tree = _dictionary(document, node)
    if tree.get("/Type") == "/Pages" or "/Kids" in tree:
        for kid in document.resolve(tree.get("/Kids")) or []:
            yield from _plain_pages(document, kid, visited)
    else:
        yield tree


def _plain_resources(document: PlainPdf, resources: Any, missing: set[str], seen: set[Ref]) -> None:
    resources = document.resolve(resources)
    if not isinstance(resources, dict):
        return
    for font in (document.resolve(resources.get("/Font")) or {}).values():
        font = _dictionary(document, font)
        if not _plain_font_embedded(document, font):
            base = font.get("/BaseFont", "(unnamed)")
            missing.add(str(document.resolve(base)).lstrip("/"))
    for ref in (document.resolve(resources.get("/XObject")) or {}).values():
        xobject = _dictionary(document, ref)
        if not isinstance(ref, Ref) or ref in seen or xobject.get("/Subtype") != "/Form":
            continue
        seen.add(ref)
        _plain_resources(document, xobject.get("/Resources"), missing, seen)


def _plain_font_embedded(document: PlainPdf, font: dict[str, Any]) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True
    if font.get("/Subtype") == "/Type0":
        font = _dictionary(document, document.resolve(font.get("/DescendantFonts"))[0])
    descriptor = document.resolve(font.get("/FontDescriptor"))
    if not isinstance(descriptor, dict):
        return False
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


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
    import pikepdf  # a file that failed its check is rare: the library loads only for it

    with pikepdf.open(io.BytesIO(pdf)) as document:
        if "/OutputIntents" in document.Root:
            del document.Root["/OutputIntents"]
        if "/GTS_PDFXVersion" in document.docinfo:
            del document.docinfo["/GTS_PDFXVersion"]
        out = io.BytesIO()
        document.save(out, deterministic_id=True)
        return out.getvalue()
