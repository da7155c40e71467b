"""Emoji printed from the shop's emoji font: where, in what colours, and still read as typed.

Lines are drawn through the real `PdfRenderer` (and `Engraver`) with Roboto (a PyPI font
package) as the text font and Debian's emoji fonts (Noto Color Emoji: CBDT pictures; Symbola:
monochrome outlines) or a COLR font made here. Where the emoji must land is worked out from
the fonts themselves (HarfBuzz advances of the text, the emoji font's own advance and picture
box); the page is rasterised with pdfium and the coloured pixels found there.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image

from production.core.geometry import IDENTITY, Box, Matrix
from production.core.model import Color, Customization, Item, Surface, TextElement, Tspan
from renderers.emoji_glyphs import emoji_glyphs
from renderers.engraving import Engraver, EngraveSettings
from renderers.fonts import FontIndex, ResolvedFont
from renderers.pdf import PdfRenderer, RenderedSurface
from tests.renderers.emoji_fonts import colr_font
from tests.renderers.test_text_render import (
    PAGE,
    PIXEL_MM,
    InkBox,
    _advance,
    _assert_box,
    _expected_ink,
    _ink_box,
    _ink_mask,
    _raster,
    _render_elements,
    _text,
    _to_mm,
)

MATRIX = Matrix(0.5, 0, 0, 0.5, 200, 200)
SIZE = 60.0  # element units: a 7.5 mm em on the 100 mm page
HEART = "❤️"
DOG = "🐶"


@pytest.fixture(scope="module")
def index() -> FontIndex:
    return FontIndex([])


@pytest.fixture(scope="module")
def roboto(index: FontIndex) -> Path:
    return index.resolve("Roboto").path


@pytest.fixture(scope="module")
def noto(index: FontIndex) -> ResolvedFont:
    return index.resolve("Noto Color Emoji")  # fonts-noto-color-emoji (.ci/run)


def _renderer(index: FontIndex, emoji: str | None) -> PdfRenderer:
    return PdfRenderer(fonts=index, emoji=emoji)


def _line(
    renderer: PdfRenderer, text: str, *, color: str = "#000000", family: str = "Roboto"
) -> RenderedSurface:
    element = _text([Tspan(text, -340, 20)], MATRIX, size=SIZE, color=color, family=family)
    return _render_elements(renderer, element)


def _extracted(pdf: bytes) -> str:
    text: str = pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()
    return text


def _pixels(pdf: bytes) -> np.ndarray:
    return np.asarray(_raster(pdf), dtype=int)


def _box_of(mask: np.ndarray) -> InkBox:
    """The mm box of the True pixels of `mask`."""
    ys, xs = np.nonzero(mask)
    assert len(xs), "no such pixels"
    return (
        xs.min() * PIXEL_MM,
        ys.min() * PIXEL_MM,
        (xs.max() + 1) * PIXEL_MM,
        (ys.max() + 1) * PIXEL_MM,
    )


def _red(pixels: np.ndarray) -> np.ndarray:
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    return (r > 150) & (g < 90) & (b < 90)


def _coloured(pixels: np.ndarray) -> np.ndarray:
    """Pixels neither white nor grey: an emoji's colours, not black text."""
    saturation: np.ndarray = pixels.max(axis=2) - pixels.min(axis=2)
    return saturation > 60


def _picture_box(noto: ResolvedFont, emoji: str, x: float) -> InkBox:
    """Where the emoji's picture lands in mm when its run starts at `x` (element units)."""
    run = emoji_glyphs(noto, emoji, ppem=100)
    [glyph] = run.glyphs
    p = glyph.picture
    assert p is not None
    s = run.scale(SIZE)
    to_mm = _to_mm(MATRIX)
    top_left = to_mm.apply(x + p.x_min * s, 20 - p.y_max * s)
    bottom_right = to_mm.apply(x + p.x_max * s, 20 - p.y_min * s)
    return (top_left.x, top_left.y, bottom_right.x, bottom_right.y)


def test_a_heart_prints_as_its_red_picture_after_the_text(
    index: FontIndex, roboto: Path, noto: ResolvedFont
) -> None:
    result = _line(_renderer(index, "Noto Color Emoji"), f"Love you {HEART}")
    pixels = _pixels(result.pdf)
    start = -340 + _advance(roboto, "Love you ", SIZE)
    # The picture is drawn as the font has it: its red body fills its box up to the edges.
    _assert_box(_box_of(_red(pixels)), _picture_box(noto, HEART, start), "heart", tol=0.6)
    # The text is where Roboto alone puts it.
    black = Image.fromarray(((pixels.max(axis=2) < 100) * 255).astype("uint8"))
    expected = _expected_ink(roboto, Tspan("Love you", -340, 20), SIZE, _to_mm(MATRIX))
    _assert_box(_ink_box(black), expected, "text")
    assert [font.family for font in result.fonts] == ["Roboto", "Noto Color Emoji"]
    assert _extracted(result.pdf) == f"Love you {HEART}"  # pdfium keeps the VS16 too


def test_the_picture_keeps_its_alpha_as_a_soft_mask(index: FontIndex) -> None:
    result = _line(_renderer(index, "Noto Color Emoji"), HEART)
    with pikepdf.open(io.BytesIO(result.pdf)) as pdf:
        images = [
            xobject
            for xobject in pdf.pages[0].Resources.XObject.values()
            if xobject.Subtype == "/Image"
        ]
        assert images and all("/SMask" in image for image in images)
    assert result.pdfx  # a PDF/X-4 file still: soft masks are allowed there


def test_the_text_after_an_emoji_moves_by_its_advance(
    index: FontIndex, roboto: Path, noto: ResolvedFont
) -> None:
    result = _line(_renderer(index, "Noto Color Emoji"), f"{DOG} Max")
    width = emoji_glyphs(noto, DOG, ppem=100).width * SIZE / 2048  # Noto: 2048 units an em
    black = Image.fromarray(((_pixels(result.pdf).max(axis=2) < 60) * 255).astype("uint8"))
    expected = _expected_ink(roboto, Tspan(" Max", -340 + width, 20), SIZE, _to_mm(MATRIX))
    left_of_dog = int((_picture_box(noto, DOG, -340)[2] + 0.3) / PIXEL_MM)
    _assert_box(_ink_box(black, (left_of_dog, 0, black.width, black.height)), expected, "Max")
    assert _extracted(result.pdf) == f"{DOG} Max"


def test_a_colr_font_prints_its_layers_in_their_palette_colours(
    tmp_path: Path, roboto: Path
) -> None:
    colr_font(tmp_path, 0)  # red square (0,0)-(400,400), half-transparent blue one over it
    index = FontIndex([tmp_path], cache_dir=tmp_path / "cache")
    result = _line(_renderer(index, "Test COLRv0"), HEART)
    pixels = _pixels(result.pdf)
    s = SIZE / 1000
    to_mm = _to_mm(MATRIX)

    def at(x: float, y: float) -> np.ndarray:
        point = to_mm.apply(-340 + x * s, 20 - y * s)
        colour: np.ndarray = pixels[int(point.y / PIXEL_MM), int(point.x / PIXEL_MM)]
        return colour

    red, purple, blue = at(150, 150), at(350, 350), at(550, 550)
    assert red[0] > 200 and red[1] < 40 and red[2] < 40
    assert blue[2] > 200 and blue[0] > 100 and blue[1] > 100  # blue at half alpha on white
    assert purple[0] > 90 and purple[2] > 90 and purple[1] < 40  # blue over red
    assert [font.family for font in result.fonts] == ["Roboto", "Test COLRv0"]


def test_a_monochrome_emoji_font_prints_in_the_text_colour(index: FontIndex) -> None:
    result = _line(_renderer(index, "Symbola"), HEART, color="#0000ff")
    pixels = _pixels(result.pdf)
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    assert ((b > 200) & (r < 60) & (g < 60)).sum() > 500  # a solid blue heart
    assert _extracted(result.pdf) == HEART


def test_an_emoji_in_a_right_to_left_line_stands_where_the_bidi_order_puts_it(
    index: FontIndex,
) -> None:
    result = _line(_renderer(index, "Noto Color Emoji"), f"שלום {DOG}", family="Noto Sans Hebrew")
    pixels = _pixels(result.pdf)
    dog = _box_of(_coloured(pixels))
    black = (pixels.max(axis=2) < 60) & ~_coloured(pixels)
    black[:, : int(dog[2] / PIXEL_MM) + 1] = False  # the dog's own dark nose and eyes
    hebrew = _box_of(black)
    assert dog[2] < hebrew[0]  # typed last, so leftmost in a right-to-left line
    assert black.sum() > 1000  # all of שלום, right of it


def test_a_line_fitted_into_its_box_is_centred_with_its_emoji(index: FontIndex) -> None:
    box = Box(50, 150, 300, 100)  # an old zip's text: no SVG layout, only its placement box
    element = TextElement(
        name="OLD TEXT", label="Old text", lines=(f"{DOG}{DOG}{DOG} Max",),
        font_family="Roboto", color=Color("#000000"), box=box,
    )  # fmt: skip
    result = _render_elements(_renderer(index, "Noto Color Emoji"), element)
    drawn = _box_of(_pixels(result.pdf).min(axis=2) < 200)
    wanted = _to_mm(IDENTITY).map_box(box)
    assert (drawn[0] + drawn[2]) / 2 == pytest.approx(wanted.x + wanted.width / 2, abs=0.5)
    assert drawn[0] < wanted.x + 10  # the emoji are measured in: the line fills the box


def _engrave(renderer: PdfRenderer, text: str) -> RenderedSurface:
    element = _text([Tspan(text, -340, 20)], MATRIX, size=SIZE)
    surface = Surface(name="FRONT", label="", elements=(element,), boxes=(Box(0, 0, 400, 400),))
    customization = Customization(
        item=Item("900-0000000-0000000", "90000000000000"), surfaces=(surface,), source="xml"
    )
    return Engraver(renderer).render(
        customization, surface, PAGE, {}, EngraveSettings(dpi=254), title="emoji"
    )


def test_a_laser_engraves_a_monochrome_emoji_fonts_outlines(index: FontIndex) -> None:
    result = _engrave(_renderer(index, "Symbola"), f"Max {HEART}")
    assert result.holds == []
    assert [font.family for font in result.fonts] == ["Roboto", "Symbola"]
    mask = _ink_mask(_raster(result.pdf))
    text_only = _ink_mask(_raster(_engrave(_renderer(index, "Symbola"), "Max").pdf))
    assert _ink_box(mask)[2] > _ink_box(text_only)[2] + 5  # the heart, right of the name


def test_a_laser_holds_a_colour_picture_emoji_font_naming_a_monochrome_one(
    index: FontIndex,
) -> None:
    result = _engrave(_renderer(index, "Noto Color Emoji"), f"Max {HEART}")
    assert result.holds == [
        "emoji font 'Noto Color Emoji' has only colour pictures; a laser needs outlines: set "
        "[fonts] emoji to a monochrome font such as Symbola"
    ]


def test_emoji_between_stretches_of_actual_text_read_back_in_their_places(
    index: FontIndex,
) -> None:
    # The vowel sign ि is drawn before its consonant, so the Devanagari needs an ActualText,
    # which cannot carry 🎂 (U+1F382) for pdfium: each stretch gets its own, the cake its glyph.
    line = "जन्मदिन 🎂 मुबारक 🙏"
    result = _line(_renderer(index, "Noto Color Emoji"), line, family="Noto Sans Devanagari")
    assert _extracted(result.pdf) == line


def test_a_laser_engraves_a_colr_emoji_as_its_layers_merged(tmp_path: Path) -> None:
    colr_font(tmp_path, 0)  # squares (0,0)-(400,400) and (300,300)-(700,700), font units
    index = FontIndex([tmp_path], cache_dir=tmp_path / "cache")
    result = _engrave(_renderer(index, "Test COLRv0"), HEART)
    assert result.holds == []
    s = SIZE / 1000
    to_mm = _to_mm(MATRIX)
    top_left, bottom_right = to_mm.apply(-340, 20 - 700 * s), to_mm.apply(-340 + 700 * s, 20)
    expected = (top_left.x, top_left.y, bottom_right.x, bottom_right.y)
    _assert_box(_ink_box(_ink_mask(_raster(result.pdf))), expected, "both layers")


def test_emoji_in_the_middle_of_a_line_read_back_in_their_places(index: FontIndex) -> None:
    line = f"Max {DOG} and 🐱 forever"
    result = _line(_renderer(index, "Noto Color Emoji"), line)
    assert _extracted(result.pdf) == line
