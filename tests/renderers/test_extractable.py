"""How a line is made readable: glyph texts in page order for RTL runs, ActualText where needed."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest

from production.core.geometry import Matrix
from production.core.model import Tspan
from renderers.extractable import glyph_texts, needs_actual_text, page_order
from renderers.fonts import FontIndex, ResolvedFont
from renderers.pdf import PdfRenderer
from renderers.shaping import shape
from tests.renderers.test_text_render import _render_elements, _text

DEJAVU = ResolvedFont(
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"), "DejaVu Sans", 400, False
)


@pytest.fixture(scope="module", autouse=True)
def _dejavu() -> None:
    if not DEJAVU.path.is_file():
        pytest.skip("fonts-dejavu-core is not installed (see .ci/run)")


def test_a_right_to_left_glyph_reads_as_it_stands_on_the_page() -> None:
    assert page_order("لا", rtl=True) == "ال"  # a reader reverses it back into "لا"
    assert page_order("(", rtl=True) == ")"  # the mirrored glyph; a reader mirrors it back
    assert page_order("«x»", rtl=True) == "«x»"
    assert page_order("(لا", rtl=False) == "(لا"


@pytest.mark.parametrize(
    ("line", "wrapped"),
    [
        ("Happy Birthday", False),  # glyph by glyph, in order: nothing to add
        ("שלום עולם", False),  # right to left: readers reverse the glyphs themselves
        ("Mazal tov שלום 2024", True),  # a left-to-right line with a right-to-left word
        ("שלום Max", False),  # a right-to-left line: ActualText would turn its words round
    ],
)
def test_which_lines_get_an_actual_text(line: str, wrapped: bool) -> None:
    assert needs_actual_text(line, shape(DEJAVU, line).glyphs) is wrapped


def test_a_line_with_glyphs_out_of_order_gets_an_actual_text() -> None:
    devanagari = FontIndex([]).resolve("Noto Sans Devanagari")
    line = "दिन"  # the vowel sign ि is drawn before the consonant it follows
    assert needs_actual_text(line, shape(devanagari, line).glyphs)
    assert not needs_actual_text("दन", shape(devanagari, "दन").glyphs)


def _content(text: str) -> bytes:
    element = _text([Tspan(text, -340, 20)], Matrix(0.5, 0, 0, 0.5, 200, 200), size=60)
    pdf = _render_elements(PdfRenderer(fonts=_Fixed()), element).pdf
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return bytes(document.pages[0].obj.Contents.read_bytes())


class _Fixed(FontIndex):
    def __init__(self) -> None:
        super().__init__([], include_installed=False)

    def resolve(self, family: str, **_: object) -> ResolvedFont:
        return DEJAVU


def test_the_actual_text_is_the_line_as_typed_in_logical_order() -> None:
    line = "Mazal tov שלום 2024"
    encoded = ("\ufeff" + line).encode("utf-16-be").hex().upper().encode()
    content = _content(line)
    assert b"/Span <</ActualText <" + encoded + b">>> BDC" in content
    assert content.count(b"EMC") == 1
    assert b"3 Tr" in content  # the invisible glyph that carries it


def test_a_plain_line_has_no_marked_content() -> None:
    assert b"BDC" not in _content("Happy Birthday")


def test_a_letter_and_its_vowel_mark_each_read_as_themselves_right_to_left() -> None:
    hebrew = FontIndex([]).resolve("Noto Sans Hebrew")
    glyphs = shape(hebrew, "וֹ").glyphs  # vav with holam: HarfBuzz sets the mark glyph first
    assert [glyph.text for glyph in glyphs] == ["וֹ", ""]
    # The mark's glyph reads as the mark, the letter's as the letter: no glyph reads as
    # nothing, which a reader would take its glyph code for, and reversed they read "וֹ".
    assert glyph_texts(glyphs) == ["\u05b9", "ו"]
    assert "".join(reversed(glyph_texts(glyphs))) == "וֹ"


def test_a_ligature_keeps_all_its_letters_on_its_one_glyph() -> None:
    arabic = FontIndex([]).resolve("Noto Sans Arabic")
    texts = glyph_texts(shape(arabic, "لا").glyphs)
    assert texts == ["ال"]  # page order: a reader's reversal gives "لا"
