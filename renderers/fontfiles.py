"""A font face as the drawers read it: one static sfnt per face, parsed once per file version.

Whatever a seller uploads — TrueType, OpenType with CFF outlines, a face of a `.ttc`/`.otc`
collection, WOFF, WOFF2, a variable CFF2 font — becomes a `FontProgram`: sfnt bytes the PDF
embedder subsets, the glyph order, cmap and advance widths the glyph runs are built from, and
the glyph set the engraver outlines. Formats a PDF cannot carry as they are (WOFF's compressed
tables, CFF2) are converted here once, so every later use of the face costs nothing.

A plain TrueType face (the common case) is measured by `renderers.sfnt` without fontTools; its
glyph names and glyph set, which only the engraver's outlines and a CFF subset use, are read by
fontTools the first time something asks for them.
"""

from __future__ import annotations

import io
import struct
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from production.core.errors import RenderError
from renderers.fonts import ResolvedFont
from renderers.sfnt import NotPlain, PlainFace, read_plain_face

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont

__all__ = ["FontProgram", "font_program", "harfbuzz_face"]

_NBSP, _SPACE = 0xA0, 0x20
_FS_ITALIC = 1 << 0


@dataclass(frozen=True, slots=True, eq=False)
class FontProgram:
    """One static face: what subsetting starts from and what glyph runs measure with."""

    source: str | bytes  # the file's path, or the face converted once (WOFF, CFF2) as sfnt
    font_number: int  # the face in `source` when it is a collection, else -1
    outlines: Literal["truetype", "cff"]
    cid_keyed: bool  # a CID-keyed CFF (CJK fonts): the PDF addresses its glyphs by CID
    postscript_name: str
    units_per_em: int
    cmap: Mapping[int, int]  # code point → glyph id
    advances: tuple[int, ...]  # horizontal advance per glyph id, font units
    ascent: int
    descent: int  # negative: below the baseline
    cap_height: int
    bbox: tuple[int, int, int, int]
    italic_angle: float
    italic: bool
    fixed_pitch: bool
    serif: bool
    weight: int
    stem_v: float | None  # a CFF's dominant vertical stem (Private StdVW), font units
    # The face as fontTools reads it, named (`glyphorder`): given, or read when first asked.
    _fonttools: list[tuple[TTFont, tuple[str, ...]]] = field(default_factory=list, repr=False)
    lock: threading.Lock = field(default_factory=threading.Lock)  # the glyph set is lazy
    _opening: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def glyph_order(self) -> tuple[str, ...]:
        """The glyph names by id, as fontTools names them."""
        return self._named()[1]

    @property
    def glyph_set(self) -> Any:
        """fontTools' glyph set: outlines by glyph name."""
        return self._named()[0].getGlyphSet()

    def _named(self) -> tuple[TTFont, tuple[str, ...]]:
        with self._opening:
            if not self._fonttools:
                from renderers.glyphorder import name_by_number

                font = self.open()
                name_by_number(font)
                self._fonttools.append((font, tuple(font.getGlyphOrder())))
            return self._fonttools[0]

    def gid(self, char: str) -> int:
        """The glyph for a character; a no-break space the font lacks prints as a space."""
        code = ord(char)
        gid = self.cmap.get(code)
        if gid is None and code == _NBSP:
            gid = self.cmap.get(_SPACE)
        return gid or 0

    def open(self) -> TTFont:
        """A fresh, lazily read copy of the face (subsetting changes the font it is given)."""
        from fontTools.ttLib import TTFont

        source = io.BytesIO(self.source) if isinstance(self.source, bytes) else self.source
        return TTFont(source, fontNumber=self.font_number, lazy=True)


@lru_cache(maxsize=32)
def harfbuzz_face(program: FontProgram) -> Any:
    """The face as HarfBuzz reads it (a `uharfbuzz.Face`): what subsets and ink bounds use."""
    import uharfbuzz as hb

    source = program.source
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    return hb.Face(data, max(program.font_number, 0))


def font_program(font: ResolvedFont) -> FontProgram:
    """The face of `font`, read (and converted) once per version of its file."""
    try:
        stat = font.path.stat()
        return _load(str(font.path), font.font_number, stat.st_mtime_ns, stat.st_size)
    except RenderError:
        raise
    except Exception as exc:  # fontTools reports a damaged font with whatever it tripped on
        raise RenderError(f"font file {font.path.name} cannot be read: {exc}") from exc


@lru_cache(maxsize=32)
def _load(path: str, font_number: int, _mtime_ns: int, _size: int) -> FontProgram:
    data = Path(path).read_bytes()
    number = font_number if data[:4] == b"ttcf" else -1
    try:
        return _plain_program(path, number, read_plain_face(data, number))
    except (NotPlain, struct.error, IndexError):
        pass  # not plain TrueType, or not as expected: fontTools reads it
    from fontTools.ttLib import TTFont

    from renderers.glyphorder import name_by_number

    source: str | bytes = path
    font = TTFont(path, fontNumber=number, lazy=True)
    if font.flavor is not None or "CFF2" in font or "fvar" in font:
        source, number = _static_sfnt(font), -1
        font = TTFont(io.BytesIO(source), lazy=True)
    if "CFF " not in font and "glyf" not in font:
        raise RenderError(f"font file {Path(path).name} has no outlines to print")
    name_by_number(font)
    return _program(font, source, number)


def _plain_program(path: str, font_number: int, face: PlainFace) -> FontProgram:
    return FontProgram(
        source=path,
        font_number=font_number,
        outlines="truetype",
        cid_keyed=False,
        postscript_name=face.postscript_name,
        units_per_em=face.units_per_em,
        cmap=face.cmap,
        advances=face.advances,
        ascent=face.ascent,
        descent=face.descent,
        cap_height=face.cap_height,
        bbox=face.bbox,
        italic_angle=face.italic_angle,
        italic=face.italic,
        fixed_pitch=face.fixed_pitch,
        serif=face.serif,
        weight=face.weight,
        stem_v=None,
    )


def _static_sfnt(font: TTFont) -> bytes:
    """A WOFF/WOFF2 face as plain sfnt; a variable face at its default instance, CFF2 as CFF."""
    # The instancer and the CFF2 converter take a tenth of a second to import: only for these.
    from fontTools.cffLib.CFF2ToCFF import convertCFF2ToCFF
    from fontTools.varLib.instancer import instantiateVariableFont

    font.ensureDecompiled()
    if "fvar" in font:
        pinned = {axis.axisTag: None for axis in font["fvar"].axes}  # None: the default
        font = instantiateVariableFont(font, pinned)
    if "CFF2" in font:
        convertCFF2ToCFF(font)
    font.flavor = None
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _program(font: TTFont, source: str | bytes, font_number: int) -> FontProgram:
    head, hhea, post = font["head"], font["hhea"], font["post"]
    os2 = font.get("OS/2")
    order = tuple(font.getGlyphOrder())
    index = {name: gid for gid, name in enumerate(order)}
    metrics = font["hmtx"].metrics
    cff = "CFF " in font
    ascent = os2.sTypoAscender if os2 is not None else hhea.ascent
    descent = os2.sTypoDescender if os2 is not None else hhea.descent
    return FontProgram(
        source=source,
        font_number=font_number,
        outlines="cff" if cff else "truetype",
        cid_keyed=cff and hasattr(font["CFF "].cff.topDictIndex[0], "ROS"),
        postscript_name=_postscript_name(font),
        units_per_em=int(head.unitsPerEm),
        cmap={code: index[name] for code, name in (font.getBestCmap() or {}).items()},
        advances=tuple(metrics[name][0] if name in metrics else 0 for name in order),
        ascent=int(ascent),
        descent=int(descent),
        cap_height=int(getattr(os2, "sCapHeight", 0) or ascent),
        bbox=(int(head.xMin), int(head.yMin), int(head.xMax), int(head.yMax)),
        italic_angle=float(post.italicAngle),
        italic=bool(post.italicAngle) or bool(os2 is not None and os2.fsSelection & _FS_ITALIC),
        fixed_pitch=bool(post.isFixedPitch),
        serif=os2 is not None and 2 <= os2.panose.bSerifStyle <= 10,
        weight=int(os2.usWeightClass) if os2 is not None else 400,
        stem_v=_std_vw(font) if cff else None,
        _fonttools=[(font, order)],
    )


def _std_vw(font: TTFont) -> float | None:
    top = font["CFF "].cff.topDictIndex[0]
    private = top.FDArray[0].Private if hasattr(top, "FDArray") else top.Private
    value = getattr(private, "StdVW", None)
    return float(value) if value else None


def _postscript_name(font: TTFont) -> str:
    """The name a PDF calls the font by: name ID 6, else the full name, without spaces."""
    names = font["name"]
    name = names.getDebugName(6) or names.getDebugName(4) or "Font"
    cleaned = "".join(ch for ch in name if (ch.isascii() and ch.isalnum()) or ch in "-_")
    return cleaned or "Font"
