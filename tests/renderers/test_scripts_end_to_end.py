"""Every script a buyer types, end to end: drawn where the tspan says, embedded, read back as typed.

One line each — Arabic, Hebrew, Devanagari, CJK, Latin with Hebrew and digits, combining marks,
emoji — goes through the real `PdfRenderer` in fonts from Debian packages (.ci/run installs
them), found by family name as a shop's index finds them. Each page is:

- rasterised with pdfium: the line's ink starts at the tspan's x and is as wide as HarfBuzz
  (called here directly, on the whole line) says the line is, on the tspan's baseline; the
  emoji line has its red heart;
- read back with pdfium's text extraction, which must give the buyer's text exactly — in
  logical order, with its marks and its emoji;
- listed by `pdffonts`, which must call every font embedded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
import uharfbuzz as hb
from PIL import Image

from production.core.geometry import Matrix
from production.core.model import Tspan
from renderers.emoji import split_emoji
from renderers.fonts import FontIndex, ResolvedFont, missing_glyphs
from renderers.pdf import PdfRenderer, RenderedSurface
from tests.renderers.test_font_formats import _pdffonts
from tests.renderers.test_text_render import (
    _ink_box,
    _raster,
    _render_elements,
    _text,
    _to_mm,
)

IN_CI = bool(os.environ.get("CI"))
MATRIX = Matrix(0.5, 0, 0, 0.5, 200, 200)
SIZE = 48.0  # element units: a 6 mm em
X, BASELINE = -340.0, 20.0
EDGE_MM = 1.0  # side bearings: ink starts and ends a little inside the advance
MM_PER_UNIT = 0.25  # PAGE: 100 mm over the 400-unit preview


@dataclass(frozen=True)
class Line:
    family: str
    text: str


LINES = {
    # Joined letters and a lam-alef ligature (one glyph for two letters, read back as both).
    "arabic": Line("Noto Sans Arabic", "السلام عليكم"),
    # Brackets are drawn mirrored in a right-to-left line, and read back as typed.
    "hebrew": Line("DejaVu Sans", "מזל טוב (שרה)"),
    "devanagari": Line("Noto Sans Devanagari", "जन्मदिन मुबारक"),
    "cjk": Line("Noto Sans CJK SC", "生日快乐"),
    "latin-hebrew-digits": Line("DejaVu Sans", "Mazal tov שרה 2024"),
    # Typed decomposed: base letters followed by combining diaeresis, tilde, acute.
    "combining-marks": Line("Noto Sans", "Zoe\u0308 Nun\u0303ez Jose\u0301"),
    "emoji": Line("Roboto", "Love you ❤️ 🐶"),
}


@pytest.fixture(scope="module")
def renderer() -> PdfRenderer:
    return PdfRenderer(fonts=FontIndex([]), emoji="Noto Color Emoji")


def _font(renderer: PdfRenderer, family: str) -> ResolvedFont:
    try:
        return renderer.fonts.resolve(family)
    except Exception:
        if IN_CI:
            raise
        pytest.skip(f"{family} is not installed (see .ci/run's apt line)")


def _render(renderer: PdfRenderer, line: Line) -> RenderedSurface:
    element = _text([Tspan(line.text, X, BASELINE)], MATRIX, size=SIZE, family=line.family)
    return _render_elements(renderer, element)


def _advance(font: ResolvedFont, text: str) -> float:
    """The line's advance in element units, as HarfBuzz shapes it (one buffer, its own guess
    of direction and script: the total advance does not depend on the visual order)."""
    face = hb.Face(hb.Blob.from_file_path(str(font.path)), font.font_number)
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(hb.Font(face), buffer)
    return float(sum(p.x_advance for p in buffer.glyph_positions) * SIZE / face.upem)


def _ink(pdf: bytes) -> Image.Image:
    """255 wherever anything is drawn: dark text or an emoji's colours."""
    pixels = np.asarray(_raster(pdf), dtype=int)
    return Image.fromarray(((pixels.min(axis=2) < 160) * 255).astype("uint8"))


@pytest.mark.parametrize("name", list(LINES))
def test_the_line_lands_on_its_tspan_in_its_own_glyphs(renderer: PdfRenderer, name: str) -> None:
    line = LINES[name]
    font = _font(renderer, line.family)
    emoji_font = _font(renderer, "Noto Color Emoji")
    runs = split_emoji(line.text, text_font=font)
    # The font has the script: no .notdef boxes.
    assert not missing_glyphs(font, "".join(run for run, emoji in runs if not emoji))
    result = _render(renderer, line)
    left, top, right, bottom = _ink_box(_ink(result.pdf))
    # Text runs are as wide as the text font sets them, emoji as wide as the emoji font's.
    width = sum(_advance(emoji_font if emoji else font, run) for run, emoji in runs)
    to_mm = _to_mm(MATRIX)
    start, end = to_mm.apply(X, BASELINE), to_mm.apply(X + width, BASELINE)
    assert left == pytest.approx(start.x, abs=EDGE_MM)
    assert right == pytest.approx(end.x, abs=EDGE_MM)
    em_mm = SIZE * MATRIX.a * MM_PER_UNIT
    assert start.y - em_mm < top < start.y - em_mm / 3  # the letters stand on the baseline
    assert start.y - em_mm / 3 < bottom < start.y + em_mm / 2


@pytest.mark.parametrize("name", list(LINES))
def test_the_line_reads_back_as_the_buyer_typed_it(renderer: PdfRenderer, name: str) -> None:
    line = LINES[name]
    _font(renderer, line.family)
    result = _render(renderer, line)
    extracted = pdfium.PdfDocument(result.pdf)[0].get_textpage().get_text_range()
    assert extracted == line.text


@pytest.mark.parametrize("name", list(LINES))
def test_pdffonts_calls_every_font_of_the_line_embedded(
    renderer: PdfRenderer, name: str, tmp_path: Path
) -> None:
    line = LINES[name]
    _font(renderer, line.family)
    rows = _pdffonts(_render(renderer, line).pdf, tmp_path)
    assert rows
    for row in rows:
        emb = row[-5]  # name type… encoding emb sub uni object-id generation
        assert emb == "yes", row


def test_the_emoji_line_has_its_red_heart(renderer: PdfRenderer) -> None:
    result = _render(renderer, LINES["emoji"])
    pixels = np.asarray(_raster(result.pdf), dtype=int)
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    assert ((r > 180) & (g < 80) & (b < 80)).sum() > 300
    assert [font.family for font in result.fonts] == ["Roboto", "Noto Color Emoji"]
