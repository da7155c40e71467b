"""Shaping lines into glyph runs, with the fonts of Debian packages (.ci/run installs them).

Expected glyphs come from the fonts themselves, read with fontTools (cmap, hmtx), never from
HarfBuzz: a joined Arabic letter must be the glyph the font maps its presentation form to, a
ligature the glyph of U+FB03, and so on.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from production.core.errors import RenderError
from renderers.fonts import ResolvedFont
from renderers.glyphruns import GlyphRun, PlacedGlyph
from renderers.shaping import shape

FONTS = Path("/usr/share/fonts")
DEJAVU = "truetype/dejavu/DejaVuSans.ttf"  # fonts-dejavu-core
NOTO_SANS = "truetype/noto/NotoSans-Regular.ttf"  # fonts-noto-core, as are the next three
ARABIC = "truetype/noto/NotoSansArabic-Regular.ttf"
HEBREW = "truetype/noto/NotoSansHebrew-Regular.ttf"
DEVANAGARI = "truetype/noto/NotoSansDevanagari-Regular.ttf"
MICROHEI = "truetype/wqy/wqy-microhei.ttc"  # fonts-wqy-microhei
CANTARELL = "opentype/cantarell/Cantarell-Regular.otf"  # fonts-cantarell: CFF outlines

# Every line of the tests below, in its font: each must give its text back.
LINES = (
    (DEJAVU, "office"),
    (DEJAVU, "AV"),
    (ARABIC, "سلام"),
    (HEBREW, "שלום"),
    (DEJAVU, "(שלום)"),
    (DEJAVU, "Love שלום 123"),
    (DEJAVU, "سلام Love שלום"),
    (DEVANAGARI, "नमस्ते"),
    (DEVANAGARI, "कि"),
    (NOTO_SANS, "Q\u0301x\u0323"),
    (NOTO_SANS, "Vie\u0323\u0302t Nam"),
    (MICROHEI, "你好，世界"),
    (CANTARELL, "office AV"),
    (DEJAVU, ""),
)


def _path(relative: str) -> Path:
    path = FONTS / relative
    if not path.is_file():  # a failure, not a skip: CI must have installed it
        pytest.fail(f"{path} is missing: install the Debian font package named in this file")
    return path


def _font(relative: str | Path, font_number: int = 0) -> ResolvedFont:
    path = relative if isinstance(relative, Path) else _path(relative)
    return ResolvedFont(path=path, family="test", weight=400, italic=False, font_number=font_number)


@cache
def _ttfont(relative: str, font_number: int = 0) -> TTFont:
    return TTFont(_path(relative), fontNumber=font_number, lazy=True)


def _gids(relative: str, text: str, font_number: int = 0) -> list[int]:
    """The glyph the font's own cmap gives each character (unshaped: the isolated forms)."""
    font = _ttfont(relative, font_number)
    cmap = font.getBestCmap()
    return [font.getGlyphID(cmap[ord(char)]) for char in text]


def _gid(relative: str, code: int) -> int:
    return _gids(relative, chr(code))[0]


def _ink_centre(relative: str, glyph: PlacedGlyph) -> float:
    """The middle of the glyph's ink, x, in the run (from the font's glyf bounds)."""
    font = _ttfont(relative)
    outline = font["glyf"][font.getGlyphName(glyph.gid)]
    return glyph.x + float(outline.xMin + outline.xMax) / 2


def _visual(run: GlyphRun) -> str:
    return "".join(glyph.text for glyph in run.glyphs)


def _logical(run: GlyphRun) -> str:
    return "".join(glyph.text for glyph in sorted(run.glyphs, key=lambda glyph: glyph.cluster))


@pytest.mark.parametrize(("relative", "text"), LINES)
def test_every_line_gives_its_text_back_in_logical_order(relative: str, text: str) -> None:
    run = shape(_font(relative), text)
    assert _logical(run) == text
    assert all(glyph.gid != 0 for glyph in run.glyphs), "a glyph is missing from the font"


@pytest.mark.parametrize(("relative", "text"), LINES)
def test_glyphs_follow_each_other_left_to_right(relative: str, text: str) -> None:
    run = shape(_font(relative), text)
    pen = 0.0
    for glyph in run.glyphs:
        if glyph.advance:  # a glyph's own offset is a nudge; marks are placed by theirs
            assert abs(glyph.x - pen) < run.units_per_em / 20
        pen += glyph.advance
    assert run.width == pytest.approx(pen)
    assert run.units_per_em == _ttfont(relative)["head"].unitsPerEm


def test_a_ligature_is_one_glyph_carrying_its_letters() -> None:
    run = shape(_font(DEJAVU), "office")
    assert len(run.glyphs) == 4
    assert run.glyphs[1].gid == _gid(DEJAVU, 0xFB03)  # LATIN SMALL LIGATURE FFI
    assert [glyph.text for glyph in run.glyphs] == ["o", "ffi", "c", "e"]


def test_a_cff_font_shapes_with_its_ligatures_and_kerning() -> None:
    run = shape(_font(CANTARELL), "fi")
    assert len(run.glyphs) == 1
    assert run.glyphs[0].text == "fi"
    assert run.glyphs[0].gid not in set(_gids(CANTARELL, "fi"))


def test_kerning_pulls_a_and_v_together() -> None:
    font = _ttfont(DEJAVU)
    unkerned = font["hmtx"]["A"][0] + font["hmtx"]["V"][0]
    run = shape(_font(DEJAVU), "AV")
    assert [glyph.gid for glyph in run.glyphs] == _gids(DEJAVU, "AV")
    assert run.width < unkerned


def test_arabic_letters_take_their_joining_forms_right_to_left() -> None:
    run = shape(_font(ARABIC), "سلام")
    # Left to right on the page: meem (isolated: alef never joins the letter after it), the
    # final lam-alef ligature, the initial seen.
    joined = [_gid(ARABIC, code) for code in (0x0645, 0xFEFC, 0xFEB3)]
    assert [glyph.gid for glyph in run.glyphs] == joined
    assert _gid(ARABIC, 0xFEB3) != _gids(ARABIC, "س")[0]
    assert [glyph.text for glyph in run.glyphs] == ["م", "لا", "س"]


def test_hebrew_is_laid_out_right_to_left() -> None:
    run = shape(_font(HEBREW), "שלום")
    assert [glyph.gid for glyph in run.glyphs] == _gids(HEBREW, "םולש")
    assert _visual(run) == "םולש"


def test_brackets_in_right_to_left_text_are_mirrored_but_keep_their_text() -> None:
    run = shape(_font(DEJAVU), "(שלום)")
    # The logical closing bracket is drawn leftmost, as the opening glyph.
    assert run.glyphs[0].text == ")"
    assert run.glyphs[0].gid == _gids(DEJAVU, "(")[0]
    assert run.glyphs[-1].gid == _gids(DEJAVU, ")")[0]


def test_a_mixed_line_keeps_latin_and_digits_left_to_right() -> None:
    run = shape(_font(DEJAVU), "Love שלום 123")
    # UAX #9: the digits after Hebrew belong to its right-to-left run, on its left end.
    assert _visual(run) == "Love 123 םולש"
    assert [glyph.gid for glyph in run.glyphs] == _gids(DEJAVU, "Love 123 םולש")


def test_a_right_to_left_line_puts_its_first_word_on_the_right() -> None:
    run = shape(_font(DEJAVU), "سلام Love שלום")
    texts = [glyph.text for glyph in run.glyphs]
    assert texts == [*"םולש Love ", "م", "لا", "س"]


def test_devanagari_forms_conjuncts() -> None:
    text = "नमस्ते"
    run = shape(_font(DEVANAGARI), text)
    assert len(run.glyphs) != len(text)
    assert [glyph.gid for glyph in run.glyphs] != _gids(DEVANAGARI, text)
    assert _visual(run) == text  # left to right: logical and visual orders agree


def test_devanagari_i_sign_is_reordered_before_its_consonant() -> None:
    run = shape(_font(DEVANAGARI), "कि")
    assert run.glyphs[1].gid == _gids(DEVANAGARI, "क")[0]
    assert run.glyphs[0].gid != _gids(DEVANAGARI, "क")[0]
    assert [glyph.text for glyph in run.glyphs] == ["कि", ""]  # one cluster, as typed


def test_combining_marks_are_placed_over_and_under_their_base() -> None:
    run = shape(_font(NOTO_SANS), "Q\u0301x\u0323")  # no precomposed Q-acute nor x-dot-below
    q, acute, x, dot = run.glyphs
    assert [q.gid, x.gid] == _gids(NOTO_SANS, "Qx")
    assert acute.advance == 0 and dot.advance == 0
    assert acute.y > 0  # lifted from the x-height it is drawn at to the capital's top
    # Zero-width marks are drawn left of their origin: where their ink lands is what counts.
    assert q.x < _ink_centre(NOTO_SANS, acute) < q.x + q.advance
    assert x.x < _ink_centre(NOTO_SANS, dot) < x.x + x.advance
    assert [glyph.text for glyph in run.glyphs] == ["Q\u0301", "", "x\u0323", ""]


def test_vietnamese_decomposed_is_composed_to_the_fonts_glyph() -> None:
    run = shape(_font(NOTO_SANS), "Vie\u0323\u0302t")
    assert run.glyphs[2].gid == _gids(NOTO_SANS, "ệ")[0]
    assert [glyph.text for glyph in run.glyphs] == ["V", "i", "e\u0323\u0302", "t"]


def test_cjk_in_a_collection_uses_the_face_asked_for() -> None:
    text = "AV 你好"
    proportional, mono = shape(_font(MICROHEI, 0), text), shape(_font(MICROHEI, 1), text)
    assert [glyph.gid for glyph in proportional.glyphs] == _gids(MICROHEI, text, 0)
    assert [glyph.gid for glyph in mono.glyphs] == _gids(MICROHEI, text, 1)
    assert len({glyph.advance for glyph in mono.glyphs[:3]}) == 1  # the Mono face's Latin
    assert proportional.glyphs[0].advance != proportional.glyphs[1].advance


@pytest.mark.parametrize("flavor", ["woff", "woff2"])
def test_woff_fonts_shape_like_the_font_they_compress(tmp_path: Path, flavor: str) -> None:
    font = TTFont(_path(CANTARELL))  # CFF in WOFF2, as web fonts often are
    font.flavor = flavor
    compressed = tmp_path / f"Cantarell.{flavor}"
    font.save(compressed)
    line = "office AV Zoë"
    assert shape(_font(compressed), line).glyphs == shape(_font(CANTARELL), line).glyphs


def test_a_font_file_replaced_in_place_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "seller.ttf"
    shutil.copyfile(_path(DEJAVU), path)
    before = shape(_font(path), "AV")
    shutil.copyfile(_path(NOTO_SANS), path)
    os.utime(path, ns=(1, 1))  # another mtime even on a coarse clock
    after = shape(_font(path), "AV")
    assert [glyph.gid for glyph in after.glyphs] == _gids(NOTO_SANS, "AV")
    assert after.units_per_em != before.units_per_em


def test_threads_sharing_a_font_shape_as_one_does() -> None:
    lines = [text for relative, text in LINES if relative == DEJAVU] * 20
    alone = [shape(_font(DEJAVU), text) for text in lines]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda text: shape(_font(DEJAVU), text), lines))
    assert together == alone


def test_a_file_that_is_not_a_font_cannot_be_shaped(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttf"
    path.write_bytes(b"not a font at all")
    with pytest.raises(RenderError, match=r"broken\.ttf cannot be read for shaping"):
        shape(_font(path), "A")


def test_a_face_beyond_the_collection_cannot_be_shaped() -> None:
    with pytest.raises(RenderError, match="cannot be read for shaping"):
        shape(_font(MICROHEI, 7), "A")
