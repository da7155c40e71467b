"""A face cut down to the glyphs one page draws, by fontTools' subsetter, fast enough per order.

The subset keeps only what a CID font program needs: outlines, metrics and hinting. Layout
tables are the shaper's business and cmap the ToUnicode's; variation tables are gone once the
face is static (`renderers.fontfiles`). Glyph ids are not retained: the page's strings are
written after subsetting, in the subset's own ids, so a name in a 65 000-glyph CJK font embeds
a dozen glyphs, not 65 000 empty ones.

What subsetting costs is mostly reading the face: a TrueType face's glyf, loca and hmtx
tables hold thousands of glyphs and fontTools makes an object of each on every read. Those
tables are read once per face here and each subset starts from a shallow copy, in which only
the glyphs the subsetter will keep (and rewrite in place) are fresh objects.
"""

from __future__ import annotations

import copy
import hashlib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from fontTools import subset as ft_subset
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables._g_l_y_f import Glyph

from renderers.fontfiles import FontProgram

__all__ = ["Subset", "font_subset"]

_KEEP = frozenset(
    {"head", "hhea", "maxp", "hmtx", "loca", "glyf", "CFF ", "OS/2", "post", "name"}
    | {"cvt ", "fpgm", "prep", "gasp"}
)


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
    names = program.glyph_order
    if program.outlines == "truetype":
        font = _working_copy(program, {names[gid] for gid in gids | {0}})
    else:
        font = _trimmed(program.open(), names)  # CFF: the subsetter changes what it reads
    subsetter = ft_subset.Subsetter(_options())
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
        out = io.BytesIO()
        font.save(out)
        data = out.getvalue()
    digest = hashlib.sha1(data).digest()
    tag = "".join(chr(ord("A") + byte % 26) for byte in digest[:6])
    return Subset(data, codes, widths, tag)


def _options() -> ft_subset.Options:
    options = ft_subset.Options()
    options.layout_features = []
    options.notdef_outline = True
    options.name_IDs = [1, 2, 3, 4, 6]
    options.name_languages = [0x409]
    options.glyph_names = False
    options.desubroutinize = True  # a few glyphs need few subroutines: smaller without
    options.prune_unicode_ranges = False
    options.prune_codepage_ranges = False
    return options


def _code(program: FontProgram, name: str, new_gid: int) -> int:
    # A CID-keyed CFF finds glyphs by CID through its charset; the subset keeps the CIDs.
    if program.cid_keyed and name.startswith("cid"):
        return int(name[3:])
    return new_gid


def _trimmed(font: TTFont, names: Iterable[str]) -> TTFont:
    """`font` without the tables a subset drops, dropped before anything reads them."""
    # Naming every glyph from the cmap (a post table without names) costs more than a whole
    # subset: the face was named once already, and the names are all the subsetter keeps.
    font.setGlyphOrder(list(names))
    # Bounding boxes stay the face's own: recomputing them expands every glyph kept. And the
    # head table keeps its date, so one design always gives the same bytes.
    font.recalcBBoxes = False
    font.recalcTimestamp = False
    for tag in [tag for tag in list(font.keys()) if tag not in _KEEP and tag != "GlyphOrder"]:
        del font[tag]
    return font


@lru_cache(maxsize=32)
def _tables(program: FontProgram) -> TTFont:
    """A TrueType face's kept tables, each read once: what every subset of it starts from."""
    font = _trimmed(program.open(), program.glyph_order)
    for tag in list(font.keys()):
        if tag != "GlyphOrder":
            font[tag]
    return font


def _working_copy(program: FontProgram, wanted: set[str]) -> TTFont:
    """A font the subsetter may change: shallow copies of the read tables, fresh kept glyphs."""
    base = _tables(program)
    font = TTFont(recalcBBoxes=False, recalcTimestamp=False)
    font.setGlyphOrder(list(program.glyph_order))
    for tag in list(base.keys()):
        if tag != "GlyphOrder":
            font[tag] = copy.copy(base[tag])
    glyf = font["glyf"]
    glyphs: dict[str, Any] = dict(base["glyf"].glyphs)
    # The subsetter rewrites kept glyphs in place (their components' ids): copy those only.
    for name in _with_components(base["glyf"], wanted):
        glyphs[name] = _copy_glyph(glyphs[name])
    glyf.glyphs = glyphs
    glyf.glyphOrder = list(program.glyph_order)
    glyf._reverseGlyphOrder = {}
    return font


def _with_components(glyf: Any, names: set[str]) -> set[str]:
    found, todo = set(names), list(names)
    while todo:
        for component in glyf.glyphs[todo.pop()].getComponentNames(glyf):
            if component not in found:
                found.add(component)
                todo.append(component)
    return found


def _copy_glyph(glyph: Any) -> Any:
    if hasattr(glyph, "data"):
        return Glyph(glyph.data)  # still compact: the bytes as read
    return copy.deepcopy(glyph)
