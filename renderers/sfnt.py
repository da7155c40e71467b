"""The few tables of a plain TrueType face a render measures with, read straight from its bytes.

A render needs of its fonts the metrics the PDF's font descriptor states, the advance widths,
the cmap and the PostScript name: a dozen numbers and two arrays from `head`, `hhea`, `maxp`,
`OS/2`, `post`, `hmtx`, `cmap` and `name`. fontTools reads them too, but takes a tenth of a
second to import and makes a Python object of every cmap entry on the way. This reads them with
`struct` and `array`, the way fontTools understands them (its best cmap, its debug name), for
the faces that are plain TrueType: `glyf` outlines, no variations, not WOFF. Any other face
raises `NotPlain`, and `renderers.fontfiles` reads it with fontTools.
"""

from __future__ import annotations

import struct
import sys
from array import array
from dataclasses import dataclass

__all__ = ["NotPlain", "PlainFace", "read_plain_face"]

# fontTools' `getBestCmap` order: (platform, encoding) of the subtable used.
_CMAP_PREFERENCES = ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0))
_ENGLISH = ((1, 0), (3, 0x409))  # (platform, language) of a name fontTools prefers
_FS_ITALIC = 1 << 0


class NotPlain(ValueError):
    """Not a face this reader reads (CFF, variable, WOFF, an unknown cmap): use fontTools."""


@dataclass(frozen=True, slots=True)
class PlainFace:
    """What `renderers.fontfiles.FontProgram` takes from a face's tables."""

    postscript_name: str
    units_per_em: int
    cmap: dict[int, int]  # code point → glyph id, as fontTools' best cmap has it
    advances: tuple[int, ...]
    ascent: int
    descent: int
    cap_height: int
    bbox: tuple[int, int, int, int]
    italic_angle: float
    italic: bool
    fixed_pitch: bool
    serif: bool
    weight: int


def read_plain_face(data: bytes, font_number: int) -> PlainFace:
    """The face `font_number` of `data` (-1 or 0: a single face), if it is plain TrueType."""
    tables = _directory(data, font_number)
    if "glyf" not in tables or "CFF " in tables or "fvar" in tables or "CFF2" in tables:
        raise NotPlain("not a static TrueType face")
    for required in ("head", "hhea", "maxp", "hmtx", "post", "cmap", "name"):
        if required not in tables:
            raise NotPlain(f"no {required} table")

    def table(tag: str) -> memoryview:
        offset, length = tables[tag]
        if offset + length > len(data):
            raise NotPlain(f"the {tag} table is cut off")
        return memoryview(data)[offset : offset + length]

    head, hhea, post = table("head"), table("hhea"), table("post")
    os2 = table("OS/2") if "OS/2" in tables else None
    units_per_em = struct.unpack_from(">H", head, 18)[0]
    bbox = struct.unpack_from(">hhhh", head, 36)
    ascent, descent = struct.unpack_from(">hh", hhea, 4)
    number_of_metrics = struct.unpack_from(">H", hhea, 34)[0]
    glyphs = struct.unpack_from(">H", table("maxp"), 4)[0]
    italic_angle = struct.unpack_from(">i", post, 4)[0] / 65536
    fixed_pitch = bool(struct.unpack_from(">I", post, 12)[0])
    cap_height, serif, weight, selection = 0, False, 400, 0
    if os2 is not None:
        if len(os2) < 72:
            raise NotPlain("a short OS/2 table")
        version, weight = struct.unpack_from(">HxxH", os2, 0)
        serif = 2 <= os2[33] <= 10  # PANOSE bSerifStyle
        selection = struct.unpack_from(">H", os2, 62)[0]
        ascent, descent = struct.unpack_from(">hh", os2, 68)
        if version >= 2 and len(os2) >= 90:
            cap_height = struct.unpack_from(">h", os2, 88)[0]
    return PlainFace(
        postscript_name=_postscript_name(table("name")),
        units_per_em=int(units_per_em),
        cmap=_best_cmap(table("cmap")),
        advances=_advances(table("hmtx"), number_of_metrics, glyphs),
        ascent=int(ascent),
        descent=int(descent),
        cap_height=int(cap_height or ascent),
        bbox=(int(bbox[0]), int(bbox[1]), int(bbox[2]), int(bbox[3])),
        italic_angle=float(italic_angle),
        italic=bool(italic_angle) or bool(selection & _FS_ITALIC),
        fixed_pitch=fixed_pitch,
        serif=serif,
        weight=int(weight),
    )


def _directory(data: bytes, font_number: int) -> dict[str, tuple[int, int]]:
    """Tag → (offset, length) of the face's tables."""
    start = 0
    if data[:4] == b"ttcf":
        count = struct.unpack_from(">I", data, 8)[0]
        if not 0 <= font_number < count:
            raise NotPlain("no such face in the collection")
        start = struct.unpack_from(">I", data, 12 + 4 * font_number)[0]
    if data[start : start + 4] not in (b"\x00\x01\x00\x00", b"true"):
        raise NotPlain("not a TrueType sfnt")
    count = struct.unpack_from(">H", data, start + 4)[0]
    tables = {}
    for at in range(start + 12, start + 12 + 16 * count, 16):
        tag, _checksum, offset, length = struct.unpack_from(">4sIII", data, at)
        tables[tag.decode("latin-1")] = (offset, length)
    return tables


def _advances(hmtx: memoryview, count: int, glyphs: int) -> tuple[int, ...]:
    """Every glyph's advance: the last long metric's repeats for the glyphs after them."""
    if count == 0 or len(hmtx) < 4 * count:
        raise NotPlain("a damaged hmtx table")
    pairs = array("H", bytes(hmtx[: 4 * count]))
    if sys.byteorder == "little":
        pairs.byteswap()
    advances = list(pairs[0::2])
    advances += [advances[-1]] * max(glyphs - count, 0)
    return tuple(advances[:glyphs])


def _best_cmap(cmap: memoryview) -> dict[int, int]:
    count = struct.unpack_from(">H", cmap, 2)[0]
    subtables: dict[tuple[int, int], int] = {}
    for at in range(4, 4 + 8 * count, 8):
        platform, encoding, offset = struct.unpack_from(">HHI", cmap, at)
        subtables.setdefault((platform, encoding), offset)
    for key in _CMAP_PREFERENCES:
        if key in subtables:
            offset = subtables[key]
            kind = struct.unpack_from(">H", cmap, offset)[0]
            if kind == 4:
                return _format_4(cmap, offset)
            if kind == 12:
                return _format_12(cmap, offset)
            raise NotPlain(f"a cmap of format {kind}")
    return {}


def _format_4(cmap: memoryview, offset: int) -> dict[int, int]:
    length, _language, doubled = struct.unpack_from(">HHH", cmap, offset + 2)
    segments = doubled // 2
    words = array("H", bytes(cmap[offset + 14 : offset + length]))
    if sys.byteorder == "little":
        words.byteswap()
    ends = words[0:segments]
    starts = words[segments + 1 : 2 * segments + 1]
    deltas = words[2 * segments + 1 : 3 * segments + 1]
    range_offsets = words[3 * segments + 1 : 4 * segments + 1]
    glyph_ids = words[4 * segments + 1 :]
    # Glyph 0 is .notdef: a code mapped to it is not mapped (fontTools leaves it out too).
    result: dict[int, int] = {}
    for i in range(segments - 1):  # as fontTools: the last segment is the closing 0xFFFF
        start, end, delta, range_offset = starts[i], ends[i], deltas[i], range_offsets[i]
        if range_offset == 0:
            for code in range(start, end + 1):
                if gid := (code + delta) & 0xFFFF:
                    result[code] = gid
            continue
        partial = range_offset // 2 - start + i - segments
        for code in range(start, end + 1):
            index = code + partial
            if index >= len(glyph_ids):
                raise NotPlain("a damaged cmap")
            if glyph_ids[index] and (gid := (glyph_ids[index] + delta) & 0xFFFF):
                result[code] = gid
    return result


def _format_12(cmap: memoryview, offset: int) -> dict[int, int]:
    groups = struct.unpack_from(">I", cmap, offset + 12)[0]
    result: dict[int, int] = {}
    for at in range(offset + 16, offset + 16 + 12 * groups, 12):
        start, end, glyph = struct.unpack_from(">III", cmap, at)
        for code in range(start, end + 1):
            if gid := glyph + code - start:
                result[code] = gid
    return result


def _postscript_name(name: memoryview) -> str:
    """Name ID 6, else the full name, without spaces: fontTools' `getDebugName` choice."""
    chosen = _debug_name(name, 6) or _debug_name(name, 4) or "Font"
    cleaned = "".join(ch for ch in chosen if (ch.isascii() and ch.isalnum()) or ch in "-_")
    return cleaned or "Font"


def _debug_name(name: memoryview, name_id: int) -> str | None:
    count, strings = struct.unpack_from(">xxHH", name, 0)
    some = None
    for at in range(6, 6 + 12 * count, 12):
        platform, encoding, language, number, length, offset = struct.unpack_from(
            ">HHHHHH", name, at
        )
        if number != name_id:
            continue
        raw = bytes(name[strings + offset : strings + offset + length])
        text = _decoded(raw, platform, encoding)
        if text is None:
            continue
        some = text
        if (platform, language) in _ENGLISH:
            return text
    return some


def _decoded(raw: bytes, platform: int, encoding: int) -> str | None:
    """A name record's text; None for an encoding fontTools would not decode either."""
    try:
        if platform == 0 or (platform == 3 and encoding in (0, 1, 10)):
            return raw.decode("utf-16-be")
        if platform == 1 and encoding == 0:
            return raw.decode("mac-roman")
    except UnicodeDecodeError:
        return None
    raise NotPlain("a name in an encoding left to fontTools")
