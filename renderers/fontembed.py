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

import hashlib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from fontTools import subset as ft_subset
from reportlab.pdfbase import pdfdoc

from renderers.fontfiles import FontProgram

__all__ = ["Subset", "add_type0_font", "font_subset"]

# What a CID font program needs: outlines, metrics, hinting. Layout tables are the shaper's
# business, cmap the ToUnicode's; variation tables are gone once the face is static.
_KEEP = frozenset(
    {"head", "hhea", "maxp", "hmtx", "loca", "glyf", "CFF ", "OS/2", "post", "name"}
    | {"cvt ", "fpgm", "prep", "gasp"}
)
_FLAG_FIXED, _FLAG_SERIF, _FLAG_SYMBOLIC, _FLAG_ITALIC = 1, 2, 4, 64
_BFCHAR_CHUNK = 100  # a CMap's bfchar sections hold at most 100 entries


@dataclass(frozen=True, slots=True)
class Subset:
    """A subset font program and how the content stream addresses its glyphs."""

    program: bytes  # TrueType sfnt (FontFile2) or a bare CFF table (FontFile3)
    codes: Mapping[int, int]  # glyph id in the full face → the code (CID) written in a string
    widths: Mapping[int, float]  # code → advance in thousandths of an em, as the W array says
    tag: str  # the six capitals before the PostScript name: a subset's mark


@lru_cache(maxsize=64)
def font_subset(program: FontProgram, gids: frozenset[int]) -> Subset:
    """The face cut down to `gids` (and what they need: .notdef, composite components)."""
    font = program.open()
    names = font.getGlyphOrder()  # the names subsetting keeps: named before any table goes
    for tag in [tag for tag in list(font.keys()) if tag not in _KEEP and tag != "GlyphOrder"]:
        del font[tag]  # before the subsetter reads them: decompiling GSUB/GPOS costs most
    options = ft_subset.Options()
    options.layout_features = []
    options.notdef_outline = True
    options.name_IDs = [1, 2, 3, 4, 6]
    options.name_languages = [0x409]
    options.glyph_names = False
    options.desubroutinize = True
    options.prune_unicode_ranges = False
    options.prune_codepage_ranges = False
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(gids=sorted(gids | {0}))
    subsetter.subset(font)
    new_ids = {name: gid for gid, name in enumerate(font.getGlyphOrder())}
    codes = {
        gid: _code(program, name, new_ids[name]) for gid in gids if (name := names[gid]) in new_ids
    }
    scale = 1000 / program.units_per_em
    widths = {code: round(program.advances[gid] * scale, 3) for gid, code in codes.items()}
    if program.outlines == "cff":
        data: bytes = font["CFF "].compile(font)
    else:
        data = _sfnt(font)
    digest = hashlib.sha1(data).digest()
    tag = "".join(chr(ord("A") + byte % 26) for byte in digest[:6])
    return Subset(data, codes, widths, tag)


def _code(program: FontProgram, name: str, new_gid: int) -> int:
    # A CID-keyed CFF finds glyphs by CID through its charset; the subset keeps the CIDs.
    if program.cid_keyed and name.startswith("cid"):
        return int(name[3:])
    return new_gid


def _sfnt(font: Any) -> bytes:
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


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
            "ToUnicode": document.Reference(_stream(to_unicode_cmap(texts))),
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
        stream = _stream(subset.program, Subtype=pdfdoc.PDFName("CIDFontType0C"))
        key = "FontFile3"
    else:
        stream = _stream(subset.program, Length1=len(subset.program))
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
            # Outlines carry no stem width; this is reportlab's estimate from the weight class.
            "StemV": 50 + int((program.weight / 65) ** 2),
            key: document.Reference(stream),
        }
    )


def _stream(content: bytes, **entries: Any) -> Any:
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


def to_unicode_cmap(texts: Mapping[int, str]) -> bytes:
    """A ToUnicode CMap for two-byte codes: each code → the UTF-16 of its characters."""
    entries = [(code, text) for code, text in sorted(texts.items()) if text]
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    for chunk in _chunks(entries, _BFCHAR_CHUNK):
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{code:04X}> <{_utf16(text)}>" for code, text in chunk]
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
