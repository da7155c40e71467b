"""A face embedded in a PDF as a Type 0 font: Identity-H, a fontTools subset, widths, ToUnicode.

Each face a page uses becomes one Type 0 font whose codes are glyph ids of its subset (CIDs of
a CID-keyed CFF), two bytes each, so any glyph a shaper picks can be drawn — including glyphs
no character maps to (ligatures, contextual forms). TrueType outlines go in as CIDFontType2
with a FontFile2; CFF outlines as CIDFontType0 with the bare CFF table in a FontFile3 of
subtype CIDFontType0C. The bare CFF, not the whole OpenType file (FontFile3 /OpenType): it is
what PDF 1.3 readers and PDF/X RIPs know, and about a third smaller on a name's few glyphs.
A name-keyed CFF needs no conversion: ISO 32000-1 §9.7.4.2 reads its CIDs as glyph indices.

The ToUnicode CMap maps each code back to the characters it was drawn for (a ligature to all
of its characters), so copy, search and the preflight read the buyer's text. The PDF objects
are reportlab's own (`pdfdoc`), added to the canvas's document under a name its content stream
uses; reportlab's font machinery (pdfmetrics, TTFont) is not involved at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reportlab.pdfbase import pdfdoc

from renderers.fontfiles import FontProgram
from renderers.fontsubset import Subset

__all__ = ["add_type0_font", "stream_object", "to_unicode_cmap"]

_FLAG_FIXED, _FLAG_SERIF, _FLAG_SYMBOLIC, _FLAG_ITALIC = 1, 2, 4, 64
_BFCHAR_CHUNK = 100  # a CMap's bfchar sections hold at most 100 entries


def add_type0_font(
    document: Any, name: str, program: FontProgram, subset: Subset, texts: Mapping[int, str]
) -> None:
    """Add the font to reportlab's `document` as `/name`; `texts` maps codes to characters."""
    base_font = f"{subset.tag}+{program.postscript_name}"
    cid_font = pdfdoc.PDFDictionary(
        {
            "Type": pdfdoc.PDFName("Font"),
            "Subtype": pdfdoc.PDFName(
                "CIDFontType0" if program.outlines == "cff" else "CIDFontType2"
            ),
            "BaseFont": pdfdoc.PDFName(base_font),
            "CIDSystemInfo": pdfdoc.PDFDictionary(
                {
                    "Registry": pdfdoc.PDFString("Adobe"),
                    "Ordering": pdfdoc.PDFString("Identity"),
                    "Supplement": 0,
                }
            ),
            "FontDescriptor": document.Reference(_descriptor(document, base_font, program, subset)),
            "DW": 0,
            "W": pdfdoc.PDFArray(_width_array(subset.widths)),
        }
    )
    if program.outlines == "truetype":
        cid_font["CIDToGIDMap"] = pdfdoc.PDFName("Identity")
    font = pdfdoc.PDFDictionary(
        {
            "Type": pdfdoc.PDFName("Font"),
            "Subtype": pdfdoc.PDFName("Type0"),
            "BaseFont": pdfdoc.PDFName(base_font),
            "Encoding": pdfdoc.PDFName("Identity-H"),
            "DescendantFonts": pdfdoc.PDFArray([document.Reference(cid_font)]),
            "ToUnicode": document.Reference(stream_object(to_unicode_cmap(texts))),
        }
    )
    document.idToObject["BasicFonts"].dict[name] = document.Reference(font, name)


def _descriptor(document: Any, base_font: str, program: FontProgram, subset: Subset) -> Any:
    scale = 1000 / program.units_per_em
    flags = _FLAG_SYMBOLIC  # a CID font's glyphs are not in the standard Latin set
    flags |= _FLAG_FIXED if program.fixed_pitch else 0
    flags |= _FLAG_SERIF if program.serif else 0
    flags |= _FLAG_ITALIC if program.italic else 0
    if program.outlines == "cff":
        stream = stream_object(subset.program, Subtype=pdfdoc.PDFName("CIDFontType0C"))
        key = "FontFile3"
    else:
        stream = stream_object(subset.program, Length1=len(subset.program))
        key = "FontFile2"
    return pdfdoc.PDFDictionary(
        {
            "Type": pdfdoc.PDFName("FontDescriptor"),
            "FontName": pdfdoc.PDFName(base_font),
            "Flags": flags,
            "FontBBox": pdfdoc.PDFArray([round(v * scale) for v in program.bbox]),
            "ItalicAngle": program.italic_angle,
            "Ascent": round(program.ascent * scale),
            "Descent": round(program.descent * scale),
            "CapHeight": round(program.cap_height * scale),
            "StemV": _stem_v(program, scale),
            key: document.Reference(stream),
        }
    )


def _stem_v(program: FontProgram, scale: float) -> int:
    if program.stem_v is not None:
        return round(program.stem_v * scale)  # the CFF says it (Private StdVW)
    # TrueType outlines carry no stem width: reportlab's estimate from the weight class.
    return 50 + int((program.weight / 65) ** 2)


def stream_object(content: bytes, **entries: Any) -> Any:
    """A compressed PDF stream with `entries` in its dictionary."""
    return pdfdoc.PDFStream(pdfdoc.PDFDictionary(dict(entries)), content, [pdfdoc.PDFZCompress])


def _width_array(widths: Mapping[int, float]) -> list[Any]:
    """The W array: `first [w w w]` for each run of consecutive codes."""
    array: list[Any] = []
    run: list[float] = []
    start = previous = -2
    for code in sorted(widths):
        if code != previous + 1 and run:
            array += [start, pdfdoc.PDFArray(run)]
            run = []
        if not run:
            start = code
        run.append(widths[code])
        previous = code
    if run:
        array += [start, pdfdoc.PDFArray(run)]
    return array


def to_unicode_cmap(texts: Mapping[int, str], *, code_bytes: int = 2) -> bytes:
    """A ToUnicode CMap for two-byte (or `code_bytes`) codes: code → the UTF-16 of its text."""
    digits = 2 * code_bytes
    entries = [(code, text) for code, text in sorted(texts.items()) if text]
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<{0:0{digits}X}> <{256**code_bytes - 1:0{digits}X}>",
        "endcodespacerange",
    ]
    for chunk in _chunks(entries, _BFCHAR_CHUNK):
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{code:0{digits}X}> <{_utf16(text)}>" for code, text in chunk]
        lines.append("endbfchar")
    lines += [
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return ("\n".join(lines) + "\n").encode("ascii")


def _utf16(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()  # astral characters as surrogate pairs


def _chunks(items: list[tuple[int, str]], size: int) -> Iterable[list[tuple[int, str]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
