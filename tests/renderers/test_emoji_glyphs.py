"""Emoji glyphs: Noto Color Emoji's pictures, Symbola's outlines, COLR layers, sbix strikes."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from production.core.errors import RenderError
from renderers.emoji_glyphs import EmojiGlyph, emoji_glyphs
from renderers.fonts import FontIndex, ResolvedFont
from renderers.pdfraster import render_page
from renderers.vectors import path_bounds
from tests.renderers.emoji_fonts import UPEM, colr_font, sbix_font

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
PRINT_PPEM = 12 / 72 * 600  # 12 pt emoji on a 600 dpi print


@pytest.fixture(scope="module")
def fonts() -> FontIndex:
    return FontIndex([])


@pytest.fixture(scope="module")
def noto(fonts: FontIndex) -> ResolvedFont:
    # Debian's fonts-noto-color-emoji (.ci/run installs it), found by its family name.
    return fonts.resolve("Noto Color Emoji")


def _picture(glyph: EmojiGlyph) -> Image.Image:
    assert glyph.picture is not None
    image = Image.open(io.BytesIO(glyph.picture.png))
    image.load()
    return image.convert("RGBA")


def test_a_red_heart_is_one_red_picture(noto: ResolvedFont) -> None:
    run = emoji_glyphs(noto, "❤️", ppem=PRINT_PPEM)
    [glyph] = run.glyphs
    assert glyph.text == "❤️" and glyph.layers == ()
    pixels = np.asarray(_picture(glyph), dtype=float)
    opaque = pixels[pixels[..., 3] > 200]
    assert len(opaque) > pixels.shape[0] * pixels.shape[1] / 3
    red, green, blue = opaque[:, :3].mean(axis=0)
    assert red > 180 and red > 2 * green and red > 2 * blue


def test_the_picture_fills_about_an_em_on_the_baseline(noto: ResolvedFont) -> None:
    run = emoji_glyphs(noto, "🐶", ppem=PRINT_PPEM)
    [glyph] = run.glyphs
    box = glyph.picture
    assert box is not None
    assert (box.width_px, box.height_px) == _picture(glyph).size
    height = (box.y_max - box.y_min) / run.units_per_em
    assert 0.9 < height < 1.3
    assert box.y_min < 0 < box.y_max  # it sits on the baseline, dipping below like a "g"
    assert box.y_max / run.units_per_em < 1.0
    assert box.x_min >= 0 and box.x_max == pytest.approx(glyph.advance, rel=0.02)


@pytest.mark.parametrize("sequence", [FAMILY, "🇩🇪", "👍🏽", "1️⃣"])
def test_a_sequence_is_one_glyph_of_its_own(noto: ResolvedFont, sequence: str) -> None:
    [glyph] = emoji_glyphs(noto, sequence, ppem=PRINT_PPEM).glyphs
    [first] = emoji_glyphs(noto, sequence[0], ppem=PRINT_PPEM).glyphs
    assert glyph.text == sequence
    assert glyph.gid != first.gid  # not the first character's glyph
    assert glyph.picture is not None and first.picture is not None
    assert glyph.picture.png != first.picture.png


def test_emoji_side_by_side_follow_each_other(noto: ResolvedFont) -> None:
    run = emoji_glyphs(noto, "🐶❤️🐶", ppem=PRINT_PPEM)
    assert [g.text for g in run.glyphs] == ["🐶", "❤️", "🐶"]
    assert [g.x for g in run.glyphs] == [0, run.glyphs[0].advance, 2 * run.glyphs[0].advance]
    assert run.width == sum(g.advance for g in run.glyphs)
    assert run.scale(12) == 12 / run.units_per_em


def test_a_monochrome_emoji_font_gives_outlines_in_the_text_colour(fonts: FontIndex) -> None:
    symbola = fonts.resolve("Symbola")  # Debian's fonts-symbola: for lasers
    run = emoji_glyphs(symbola, "🐶", ppem=PRINT_PPEM)
    [glyph] = run.glyphs
    [layer] = glyph.layers
    assert glyph.picture is None and layer.rgba is None
    bounds = path_bounds(layer.path)
    assert bounds is not None
    assert 0.5 < bounds.height / run.units_per_em < 1.2  # a whole dog face, in font units


def test_colr_v0_layers_come_in_order_with_their_palette_colours(tmp_path: Path) -> None:
    [glyph] = emoji_glyphs(colr_font(tmp_path, 0), "❤️", ppem=PRINT_PPEM).glyphs
    assert glyph.picture is None
    assert [layer.rgba for layer in glyph.layers] == [
        (1.0, 0.0, 0.0, 1.0),
        (0.0, 0.0, 1.0, pytest.approx(0.5, abs=0.01)),
    ]
    boxes = [path_bounds(layer.path) for layer in glyph.layers]
    assert [(b.x, b.y, b.width, b.height) for b in boxes if b] == [
        (0, 0, 400, 400),
        (300, 300, 400, 400),
    ]


def test_colr_v1_flat_layers_are_drawn_with_their_transforms(tmp_path: Path) -> None:
    [glyph] = emoji_glyphs(colr_font(tmp_path, 1), "❤", ppem=PRINT_PPEM).glyphs
    assert [layer.rgba for layer in glyph.layers] == [
        (1.0, 0.0, 0.0, 1.0),
        (0.0, 0.0, 1.0, pytest.approx(0.5, abs=0.01)),
    ]
    boxes = [path_bounds(layer.path) for layer in glyph.layers]
    assert [(b.x, b.y, b.width, b.height) for b in boxes if b] == [
        (0, 0, 400, 400),
        (300, 300, 400, 400),  # heart.0 moved by PaintTranslate(300, 300)
    ]


def test_a_colr_v1_gradient_holds_with_what_it_needs(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="PaintLinearGradient, which is not printed yet"):
        emoji_glyphs(colr_font(tmp_path, 1, gradient=True), "❤", ppem=PRINT_PPEM)


@pytest.mark.parametrize(("ppem", "strike"), [(10, 20), (20, 20), (50, 64), (100, 160), (900, 160)])
def test_the_sbix_strike_is_the_first_at_least_as_fine_as_the_print(
    tmp_path: Path, ppem: float, strike: int
) -> None:
    colours = {20: (255, 0, 0, 255), 64: (0, 255, 0, 255), 160: (0, 0, 255, 255)}
    [glyph] = emoji_glyphs(sbix_font(tmp_path, colours), "❤", ppem=ppem).glyphs
    box = glyph.picture
    assert box is not None and box.ppem == strike
    assert _picture(glyph).getpixel((1, 1)) == colours[strike]
    # A picture an em square, from a fifth of an em below the baseline.
    assert (box.x_min, box.x_max) == (0, UPEM)
    assert box.y_min == pytest.approx(-UPEM / 5, abs=UPEM / strike)
    assert box.y_max - box.y_min == pytest.approx(UPEM)


def test_an_emoji_the_font_lacks_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="emoji 'DOG FACE' is not in the emoji font"):
        emoji_glyphs(colr_font(tmp_path, 0), "🐶", ppem=PRINT_PPEM)


def test_a_picture_placed_as_the_docstring_says_prints_on_the_baseline(
    noto: ResolvedFont,
) -> None:
    # A 72 pt heart at x0 = 36, baseline 100 pt from the bottom, on a y-up reportlab page.
    size, x0, baseline = 72.0, 36.0, 100.0
    run = emoji_glyphs(noto, "❤️", ppem=size * 300 / 72)
    [glyph] = run.glyphs
    p, s = glyph.picture, run.scale(size)
    assert p is not None
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(200, 200))
    page.drawImage(
        ImageReader(io.BytesIO(p.png)), x0 + (glyph.x + p.x_min) * s,
        baseline + (glyph.y + p.y_min) * s, (p.x_max - p.x_min) * s, (p.y_max - p.y_min) * s,
        mask="auto",
    )  # fmt: skip
    page.save()
    pixels = np.asarray(render_page(out.getvalue(), scale=1).convert("RGB"), dtype=int)
    red = (pixels[..., 0] > 150) & (pixels[..., 1] < 100) & (pixels[..., 2] < 100)
    rows, cols = np.nonzero(red)
    bottom, top = 200 - rows.max() - 1, 200 - rows.min()  # y up, in points
    # The heart's ink: from a little below the baseline (Noto's emoji dip like a descender)
    # to under the top of the em, from near its left edge.
    assert baseline - 0.25 * size < bottom < baseline
    assert baseline + 0.6 * size < top < baseline + size
    assert x0 <= cols.min() < x0 + 0.15 * size and cols.max() < x0 + run.width * s
