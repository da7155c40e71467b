"""What the PDF says about each glyph and each face: positions, ToUnicode, descriptor, bytes.

Glyph runs are built here by hand, as a shaper hands them over (ligatures, right-to-left runs in
visual order, kerning and mark offsets), and drawn by `renderers.glyphdraw` on the project's own
canvas; faces come from Debian packages as in `test_font_formats`.
"""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from fontTools.ttLib import TTFont

from renderers.fontembed import to_unicode_cmap
from renderers.fontfiles import font_program
from renderers.fonts import ResolvedFont
from renderers.glyphdraw import PageText, page_canvas
from renderers.glyphruns import GlyphRun, PlacedGlyph
from renderers.pdfx import not_embedded_fonts
from tests.renderers.test_font_formats import LIBERATION, _packaged, _render
from tests.renderers.test_text_render import PIXEL_MM, _ink_box, _ink_mask, _raster

# -- positioned glyph runs, as a shaper hands them over ----------------------------------------

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # fonts-dejavu-core


def _hand_run(font: ResolvedFont, glyphs: list[tuple[str, str, float, float]]) -> GlyphRun:
    """A run as shaping would give it: (character to find the glyph by, text, dx, dy) each."""
    program = font_program(font)
    placed, pen = [], 0.0
    for char, text, dx, dy in glyphs:
        gid = program.gid(char)
        advance = float(program.advances[gid])
        placed.append(PlacedGlyph(gid, pen + dx, dy, advance, text))
        pen += advance
    return GlyphRun(font, tuple(placed), pen, program.units_per_em)


def _draw_runs(*runs: GlyphRun) -> bytes:
    """Each run on its own line of a 400 × 300 pt page, 40 pt type."""
    out = io.BytesIO()
    canvas = page_canvas(out, pagesize=(400, 300))
    text = PageText(canvas)
    canvas.transform(1, 0, 0, -1, 0, 300)  # y down, as the renderer's preview units are
    for index, run in enumerate(runs):
        text.draw(run, 40, 20, 60 + 80 * index)
    text.finish()
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def test_ligatures_and_right_to_left_runs_extract_as_the_buyers_text() -> None:
    font = ResolvedFont(_packaged(DEJAVU), "DejaVu Sans", 400, False)
    ligature = _hand_run(font, [("\ufb01", "fi", 0, 0), ("t", "t", 0, 0)])  # one glyph, two letters
    hebrew = "שלום"
    visual = _hand_run(font, [(ch, ch, 0, 0) for ch in reversed(hebrew)])  # left to right
    pdf = _draw_runs(ligature, visual)

    extracted = pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()
    assert extracted.split("\r\n") == ["fit", hebrew]
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert not_embedded_fonts(document) == set()


def test_each_glyph_is_drawn_at_its_own_position() -> None:
    font = ResolvedFont(_packaged(DEJAVU), "DejaVu Sans", 400, False)
    em = font_program(font).units_per_em
    plain = _hand_run(font, [("I", "I", 0, 0), ("I", "I", 0, 0)])
    # A shaper's kerning and mark offsets: the second I one em further right and half an em up.
    moved = _hand_run(font, [("I", "I", 0, 0), ("I", "I", em, em / 2)])
    scale = 40 / em * 25.4 / 72  # font units → mm on the page

    left, top, right, bottom = _ink_box(_ink_mask(_raster(_draw_runs(plain))))
    moved_box = _ink_box(_ink_mask(_raster(_draw_runs(moved))))
    assert moved_box[0] == pytest.approx(left, abs=PIXEL_MM)  # the first I has not moved
    assert moved_box[3] == pytest.approx(bottom, abs=PIXEL_MM)
    assert moved_box[2] - right == pytest.approx(em * scale, abs=2 * PIXEL_MM)
    assert top - moved_box[1] == pytest.approx(em / 2 * scale, abs=2 * PIXEL_MM)


def test_the_to_unicode_map_holds_ligatures_astral_characters_and_any_number_of_codes() -> None:
    texts = {1: "ffi", 2: "😀", 3: ""} | {code: chr(0x400 + code) for code in range(10, 250)}
    cmap = to_unicode_cmap(texts).decode("ascii")

    assert "<0001> <006600660069>" in cmap  # one code, three characters
    assert "<0002> <D83DDE00>" in cmap  # beyond the BMP: a surrogate pair, as UTF-16 has it
    assert "<0003>" not in cmap  # a glyph that stands for nothing is left out
    sections = [int(line.split()[0]) for line in cmap.splitlines() if line.endswith("beginbfchar")]
    assert sections == [100, 100, 42]  # a CMap section holds at most 100 entries
    assert cmap.count("endbfchar") == 3


def test_one_design_always_gives_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    from fontTools.ttLib.tables import _h_e_a_d

    from renderers import fontsubset

    first = _render(_packaged(LIBERATION), 0, "Same Name").pdf
    fontsubset.font_subset.cache_clear()  # the subset is made again, a day later
    monkeypatch.setattr(_h_e_a_d, "timestampNow", lambda: 86400 * 40000)
    assert _render(_packaged(LIBERATION), 0, "Same Name").pdf == first


@pytest.mark.parametrize(
    ("file_name", "flags"),
    [
        ("LiberationSans-Regular.ttf", 4),  # symbolic: a CID font's glyphs are its own set
        ("LiberationSerif-Italic.ttf", 4 | 2 | 64),  # serif (its PANOSE says so), italic
        ("LiberationMono-Bold.ttf", 4 | 2 | 1),  # fixed pitch; square serifs, says PANOSE
    ],
)
def test_the_font_descriptor_describes_the_face(file_name: str, flags: int) -> None:
    path = _packaged(LIBERATION.parent / file_name)
    source = TTFont(str(path), lazy=True)
    to_1000 = 1000 / source["head"].unitsPerEm
    with pikepdf.open(io.BytesIO(_render(path, 0, "Hamburgefonts").pdf)) as document:
        (font,) = document.pages[0].Resources.Font.values()
        descriptor = font.DescendantFonts[0].FontDescriptor
        assert int(descriptor.Flags) == flags
        assert float(descriptor.ItalicAngle) == pytest.approx(source["post"].italicAngle)
        assert int(descriptor.Ascent) == round(source["OS/2"].sTypoAscender * to_1000)
        assert int(descriptor.Descent) == round(source["OS/2"].sTypoDescender * to_1000)
        head = source["head"]
        box = [round(v * to_1000) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]
        assert [int(v) for v in descriptor.FontBBox] == box
        assert int(descriptor.StemV) > 0
