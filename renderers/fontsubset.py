"""A face cut down to the glyphs one page draws: HarfBuzz's subsetter, fontTools' for CFF.

The subset keeps only what a CID font program needs: outlines, metrics and hinting. Layout
tables are the shaper's business and cmap the ToUnicode's; variation tables are gone once the
face is static (`renderers.fontfiles`). Glyph ids are not retained: the page's strings are
written after subsetting, in the subset's own ids, so a name in a 65 000-glyph CJK font embeds
a dozen glyphs, not 65 000 empty ones.

A TrueType face is cut by HarfBuzz (`hb.subset`), in a millisecond and with nothing to import
but the shaper already loaded; fontTools' subsetter took a tenth of a second to import and made
an object of each of a face's glyphs on its first read. A CFF face keeps fontTools' subsetter:
the PDF wants the bare CFF table, a CID-keyed one with its CIDs, which fontTools writes so.
What subsetting costs there is mostly reading the face, once per face (`_trimmed`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import uharfbuzz as hb

from renderers.fontfiles import FontProgram, harfbuzz_face

if TYPE_CHECKING:
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont

__all__ = ["Subset", "font_subset"]

_KEEP = frozenset(
    {"head", "hhea", "maxp", "hmtx", "loca", "glyf", "CFF ", "OS/2", "post", "name"}
    | {"cvt ", "fpgm", "prep", "gasp"}
)
_NAME_IDS = (1, 2, 3, 4, 6)  # family, subfamily, unique id, full and PostScript names


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
    if program.outlines == "truetype":
        data, new_ids = _truetype_subset(program, gids)
    else:
        data, new_ids = _cff_subset(program, gids)
    codes = {gid: _code(program, gid, new_ids[gid]) for gid in gids if gid in new_ids}
    scale = 1000 / program.units_per_em
    widths = {code: round(program.advances[gid] * scale, 3) for gid, code in codes.items()}
    digest = hashlib.sha1(data).digest()
    tag = "".join(chr(ord("A") + byte % 26) for byte in digest[:6])
    return Subset(data, codes, widths, tag)


def _truetype_subset(program: FontProgram, gids: frozenset[int]) -> tuple[bytes, dict[int, int]]:
    """HarfBuzz's subset of a TrueType face: the sfnt, and each kept glyph's new id."""
    face = harfbuzz_face(program)
    wanted = hb.SubsetInput()
    for gid in gids | {0}:
        wanted.glyph_set.add(gid)
    wanted.unicode_set.clear()  # the glyphs asked for, not what a cmap maps to them
    drop = wanted.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
    for tag in face.table_tags:
        if tag not in _KEEP:
            drop.add(int.from_bytes(tag.encode("latin-1"), "big"))
    names = wanted.sets(hb.SubsetInputSets.NAME_ID)
    names.clear()
    names.update(_NAME_IDS)
    # The head table keeps the face's own date, so one design always gives the same bytes.
    wanted.flags = hb.SubsetFlags.NOTDEF_OUTLINE | hb.SubsetFlags.NO_PRUNE_UNICODE_RANGES
    plan = hb.SubsetPlan(face, wanted)
    new_ids = {int(old): int(new) for old, new in plan.old_to_new_glyph_mapping.items()}
    return plan.execute().blob.data, new_ids


def _cff_subset(program: FontProgram, gids: frozenset[int]) -> tuple[bytes, dict[int, int]]:
    """fontTools' subset of a CFF face: the bare CFF table, and each kept glyph's new id."""
    from fontTools import subset as ft_subset

    names = program.glyph_order
    font = _trimmed(program.open(), names)  # the subsetter changes what it reads
    subsetter = ft_subset.Subsetter(_options(ft_subset))
    subsetter.populate(gids=sorted(gids | {0}))
    subsetter.subset(font)
    new_ids = {name: gid for gid, name in enumerate(font.getGlyphOrder())}
    kept = {gid: new_ids[names[gid]] for gid in gids if names[gid] in new_ids}
    data: bytes = font["CFF "].compile(font)
    return data, kept


def _options(module: Any) -> ft_subset.Options:
    options: ft_subset.Options = module.Options()
    options.layout_features = []
    options.notdef_outline = True
    options.name_IDs = list(_NAME_IDS)
    options.name_languages = [0x409]
    options.glyph_names = False
    options.desubroutinize = True  # a few glyphs need few subroutines: smaller without
    options.prune_unicode_ranges = False
    options.prune_codepage_ranges = False
    return options


def _code(program: FontProgram, gid: int, new_gid: int) -> int:
    # A CID-keyed CFF finds glyphs by CID through its charset; the subset keeps the CIDs.
    name = program.glyph_order[gid] if program.cid_keyed else ""
    if name.startswith("cid"):
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
