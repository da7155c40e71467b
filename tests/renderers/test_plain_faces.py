"""Plain TrueType faces are measured without fontTools, and measured as fontTools measures them.

`renderers.sfnt` reads a face's metrics, cmap and advances with `struct`; `renderers.glyphbounds`
takes a glyph's ink box from HarfBuzz's outline. Both are held against fontTools on the faces
of the Debian font packages the tests use (DejaVu, Liberation, Noto, Cantarell: `.ci/run`), and
a face that is not plain TrueType (CFF) still goes to fontTools.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTCollection, TTFont

from renderers import fontfiles
from renderers.fonts import ResolvedFont
from renderers.glyphbounds import ink_bounds
from renderers.glyphorder import name_by_number
from renderers.sfnt import NotPlain, read_plain_face

FONTS = Path("/usr/share/fonts")
FACES = sorted(
    path
    for folder in ("truetype/dejavu", "truetype/liberation2", "truetype/noto", "opentype")
    for path in (FONTS / folder).rglob("*")
    if path.suffix.lower() in {".ttf", ".ttc", ".otf"}
)
_FIELDS = (
    "postscript_name", "units_per_em", "cmap", "advances", "ascent", "descent", "cap_height",
    "bbox", "italic_angle", "italic", "fixed_pitch", "serif", "weight", "stem_v", "outlines",
    "cid_keyed",
)  # fmt: skip


def _numbers(path: Path) -> list[int]:
    if path.read_bytes()[:4] != b"ttcf":
        return [-1]
    return list(range(len(TTCollection(str(path), lazy=True).fonts)))


def test_every_plain_face_measures_as_fonttools_measures_it() -> None:
    assert len(FACES) > 20, "the Debian font packages of .ci/run are missing"
    plain = 0
    for path in FACES:
        data = path.read_bytes()
        for number in _numbers(path):
            font = TTFont(str(path), fontNumber=number, lazy=True)
            try:
                face = read_plain_face(data, number)
            except NotPlain:
                assert "glyf" not in font or "fvar" in font, path.name  # CFF, or variable
                continue
            plain += 1
            ours = fontfiles._plain_program(str(path), number, face)
            name_by_number(font)
            theirs = fontfiles._program(font, str(path), number)
            for name in _FIELDS:
                assert getattr(ours, name) == getattr(theirs, name), (path.name, number, name)
    assert plain > 20


@pytest.mark.parametrize(
    "path",
    [
        FONTS / "truetype/dejavu/DejaVuSans.ttf",
        FONTS / "truetype/liberation2/LiberationSerif-Italic.ttf",
        FONTS / "opentype/cantarell/Cantarell-Regular.otf",  # CFF outlines: cubic curves
    ],
    ids=lambda path: path.name,
)
def test_ink_bounds_are_the_outlines_tight_box(path: Path) -> None:
    program = fontfiles.font_program(ResolvedFont(path, "Face", 400, False))
    glyph_set, names = program.glyph_set, program.glyph_order
    differing = 0
    for gid in range(min(len(names), 2500)):
        pen = BoundsPen(glyph_set)
        glyph_set[names[gid]].draw(pen)
        ours = ink_bounds(program, gid)
        if pen.bounds is None:
            assert ours is None, names[gid]
            continue
        assert ours is not None, names[gid]
        off = max(abs(a - b) for a, b in zip(ours, pen.bounds, strict=True))
        assert off <= 1.0, names[gid]  # a composite's offset rounded: a font unit at most
        differing += off > 0.01  # CFF coordinates are 16.16 fixed: 1e-5 apart is alike
    assert differing <= 5


def test_a_plain_face_is_read_without_fonttools_until_its_outlines_are_asked_for() -> None:
    path = FONTS / "truetype/dejavu/DejaVuSansMono.ttf"
    fontfiles._load.cache_clear()
    program = fontfiles.font_program(ResolvedFont(path, "DejaVu Sans Mono", 400, False))
    assert program._fonttools == []  # measured by renderers.sfnt
    assert program.gid("A") == program.glyph_order.index("A")  # names when asked: fontTools'
    assert program._fonttools
