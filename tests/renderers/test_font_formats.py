"""Every font format a seller uploads prints in its own glyphs, embedded, with its text extractable.

The fonts come from Debian packages (.ci/run installs them); WOFF, WOFF2 and CFF2 versions are
made from them here, with fontTools, never kept in the repository. Each is drawn through the
real `PdfRenderer`; the PDF is rasterised with pdfium and the ink compared with where the
font's own outlines (read from the source file with fontTools) put it; the text pdfium extracts
must be the buyer's; `pdffonts` must call every font embedded; and the font program inside the
PDF must draw the very outlines of the source font.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from fontTools import subset as ft_subset
from fontTools.cffLib import CFFFontSet
from fontTools.cffLib.CFFToCFF2 import convertCFFToCFF2
from fontTools.designspaceLib import AxisDescriptor, DesignSpaceDocument, SourceDescriptor
from fontTools.pens.boundsPen import BoundsPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont
from fontTools.varLib import build as build_variable_font

from production.core.geometry import Matrix
from production.core.model import (
    Color,
    Customization,
    Item,
    Surface,
    SvgPlacement,
    TextElement,
    Tspan,
)
from production.customization.svgreader import SvgText, read_svg
from renderers.fonts import FontIndex, ResolvedFont
from renderers.pdf import PdfRenderer, RenderedSurface
from tests.reference import OTHER
from tests.renderers.test_text_render import (
    PAGE,
    InkBox,
    _assert_box,
    _ink_box,
    _ink_mask,
    _raster,
    _render_elements,
    _text,
    _to_mm,
)
from tests.renderers.test_text_render import _expected_ink as _span_ink

IN_CI = bool(os.environ.get("CI"))  # read at import: the autouse fixture clears the environment
CANTARELL = Path("/usr/share/fonts/opentype/cantarell/Cantarell-Regular.otf")  # fonts-cantarell
LIBERATION = Path("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf")
WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # fonts-wqy-microhei
NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")  # fonts-noto-cjk
MATRIX = Matrix(0.5, 0, 0, 0.5, 200, 200)
SIZE = 60.0
LATIN = "Happy Birthday Max"


def _packaged(path: Path) -> Path:
    if not path.is_file():
        if IN_CI:
            pytest.fail(f"{path} is missing: .ci/run installs its Debian package")
        pytest.skip(f"{path} is not installed (see .ci/run's apt line)")
    return path


class _OneFace(FontIndex):
    """The shop's font index as far as these tests go: every family is the face under test.

    `FontIndex` does not list WOFF files yet (another change teaches it), and a test of the
    format should not depend on name matching; everything after the lookup is the real thing.
    """

    def __init__(self, font: ResolvedFont) -> None:
        super().__init__([], include_installed=False)
        self.font = font

    def resolve(self, family: str, **_: object) -> ResolvedFont:
        return self.font


@dataclass(frozen=True)
class Case:
    make: Callable[[Path], tuple[Path, int]]  # tmp folder → (font file, face number)
    source: Callable[[], tuple[Path, int]]  # the face whose outlines must be printed
    text: str
    pdf_type: str  # as pdffonts names it


def _woff(flavor: str) -> Callable[[Path], tuple[Path, int]]:
    def make(folder: Path) -> tuple[Path, int]:
        font = TTFont(str(_packaged(LIBERATION)))
        _keep_only(font, "Zoë Ünal 42")  # WOFF2's Brotli takes seconds over a whole font
        font.flavor = flavor
        path = folder / f"LiberationSans-Regular.{flavor}"
        font.save(str(path))
        return path, 0

    return make


def _cff2(folder: Path, variable: bool) -> tuple[Path, int]:
    """Cantarell as a CFF2 font; `variable`: with a weight axis whose default is Regular."""
    font = TTFont(str(_packaged(CANTARELL)))
    _keep_only(font, LATIN)  # fewer glyphs: building a variable font takes a while
    path = folder / ("Cantarell-VF.otf" if variable else "Cantarell-CFF2.otf")
    if not variable:
        convertCFFToCFF2(font)
        font.save(str(path))
        return path, 0
    document = DesignSpaceDocument()
    axis = AxisDescriptor()
    axis.tag, axis.name, axis.minimum, axis.default, axis.maximum = "wght", "Weight", 400, 400, 700
    document.addAxis(axis)
    for weight in (400, 700):  # two equal masters: a real CFF2 variable font, simply flat
        source = SourceDescriptor()
        source.font, source.location, source.name = font, {"Weight": weight}, str(weight)
        document.addSource(source)
    variable_font, _, _ = build_variable_font(document)
    assert "CFF2" in variable_font and "fvar" in variable_font
    variable_font.save(str(path))
    return path, 0


def _keep_only(font: TTFont, text: str) -> None:
    options = ft_subset.Options()
    options.layout_features = []
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)


CASES = {
    "cff-otf": Case(
        lambda _: (_packaged(CANTARELL), 0), lambda: (CANTARELL, 0), LATIN, "CID Type 0C"
    ),
    "woff2": Case(_woff("woff2"), lambda: (LIBERATION, 0), "Zoë Ünal 42", "CID TrueType"),
    "woff": Case(_woff("woff"), lambda: (LIBERATION, 0), "Zoë Ünal 42", "CID TrueType"),
    # Face 1 of the collection is the monospaced one: a wrong face would land elsewhere.
    "ttc-face": Case(lambda _: (_packaged(WQY), 1), lambda: (WQY, 1), "你好 Max", "CID TrueType"),
    "cid-keyed-cff-otc": Case(
        lambda _: (_packaged(NOTO_CJK), 2), lambda: (NOTO_CJK, 2), "生日快乐 Max", "CID Type 0C"
    ),
    "cff2": Case(lambda d: _cff2(d, False), lambda: (CANTARELL, 0), LATIN, "CID Type 0C"),
    "cff2-variable": Case(lambda d: _cff2(d, True), lambda: (CANTARELL, 0), LATIN, "CID Type 0C"),
}


def _render(path: Path, number: int, text: str) -> RenderedSurface:
    font = ResolvedFont(path, "Seller Font", 400, False, font_number=number)
    renderer = PdfRenderer(fonts=_OneFace(font))
    element = _text([Tspan(text, -340, 20)], MATRIX, size=SIZE, family="Seller Font")
    return _render_elements(renderer, element)


def _expected_ink(path: Path, number: int, text: str) -> InkBox:
    """Where the source face's outlines of `text` land on the page, in mm (no kerning)."""
    font = TTFont(str(path), fontNumber=number, lazy=True)
    cmap, hmtx, glyphs = font.getBestCmap(), font["hmtx"], font.getGlyphSet()
    scale = SIZE / font["head"].unitsPerEm
    to_mm = _to_mm(MATRIX)
    bounds = BoundsPen(glyphs)
    pen_x = -340.0
    for char in text:
        name = cmap[ord(char)]
        place = Matrix(scale, 0, 0, -scale, pen_x, 20).then(to_mm)
        glyphs[name].draw(TransformPen(bounds, place.as_tuple()))
        pen_x += hmtx[name][0] * scale
    ink: InkBox | None = bounds.bounds
    assert ink is not None
    return ink


def _pdffonts(pdf: bytes, folder: Path) -> list[list[str]]:
    """pdffonts' table rows, split into columns: name, type…, encoding, emb, sub, uni, id."""
    tool = shutil.which("pdffonts")
    if tool is None:
        if IN_CI:
            pytest.fail("pdffonts is missing: .ci/run installs poppler-utils")
        pytest.skip("pdffonts (poppler-utils) is not installed")
    path = folder / "file.pdf"
    path.write_bytes(pdf)
    done = subprocess.run([tool, str(path)], capture_output=True, text=True, check=True)
    return [line.split() for line in done.stdout.splitlines()[2:]]


@pytest.mark.parametrize("kind", list(CASES))
def test_each_font_format_prints_in_its_own_glyphs(kind: str, tmp_path: Path) -> None:
    case = CASES[kind]
    path, number = case.make(tmp_path)
    result = _render(path, number, case.text)

    measured = _ink_box(_ink_mask(_raster(result.pdf)))
    _assert_box(measured, _expected_ink(*case.source(), case.text), f"{kind}: {case.text!r}")
    extracted = pdfium.PdfDocument(result.pdf)[0].get_textpage().get_text_range()
    assert extracted == case.text
    (row,) = _pdffonts(result.pdf, tmp_path)
    assert " ".join(row[1:-6]) == case.pdf_type, row
    assert row[-6:-3] == ["Identity-H", "yes", "yes"] and row[-3] == "yes", row  # emb, sub, uni
    assert result.pdfx and not result.warnings


def _embedded_program(pdf: bytes) -> tuple[str, bytes]:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        (font,) = document.pages[0].Resources.Font.values()
        descriptor = font.DescendantFonts[0].FontDescriptor
        for key in ("/FontFile2", "/FontFile3"):
            if key in descriptor:
                return key, descriptor[key].read_bytes()
    raise AssertionError("no font program")


def _bounds(glyph_set: object, name: str) -> tuple[float, ...] | None:
    pen = BoundsPen(glyph_set)
    glyph_set[name].draw(pen)  # type: ignore[index]
    bounds: tuple[float, ...] | None = pen.bounds
    return bounds


def test_a_cff_font_is_embedded_as_its_own_cff_outlines(tmp_path: Path) -> None:
    result = _render(_packaged(CANTARELL), 0, LATIN)
    key, program = _embedded_program(result.pdf)
    assert key == "/FontFile3"
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(program), None)
    embedded = cff[cff.fontNames[0]].CharStrings
    source = TTFont(str(CANTARELL), lazy=True)
    glyphs, cmap = source.getGlyphSet(), source.getBestCmap()
    assert len(embedded) < 30  # a subset: .notdef and the letters of the line
    for char in set(LATIN) - {" "}:
        name = cmap[ord(char)]
        assert _bounds(embedded, name) == _bounds(glyphs, name), char


def test_the_pdf_and_the_laser_draw_the_same_glyphs_at_the_same_places(tmp_path: Path) -> None:
    from renderers.outlines import text_ink
    from renderers.textlayout import layout_text

    result = _render(_packaged(CANTARELL), 0, LATIN)
    (report,) = result.texts
    ink = text_ink(report.font, layout_text(report.element, report.font))
    assert ink is not None
    printed = _ink_box(_ink_mask(_raster(result.pdf)))
    on_page = _to_mm(Matrix()).map_box(ink)
    _assert_box(printed, (on_page.x, on_page.y, on_page.right, on_page.bottom), "outlines")


# -- a real Amazon SVG with a seller's font ----------------------------------------------------


def test_the_reference_seller_font_svg_prints_in_the_sellers_cff_font(tmp_path: Path) -> None:
    svg = read_svg((OTHER / "text-only-seller-font.svg").read_bytes())
    (seller,) = svg.fonts
    (drawn,) = svg.elements
    assert isinstance(drawn, SvgText) and drawn.font_size is not None
    # The shop saved the seller's upload under the URL's file name. It is an OpenType font with
    # CFF outlines (Cantarell, renamed), the kind that used to end in "internal error (TTFError)".
    font = TTFont(str(_packaged(CANTARELL)))
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = "Seller Upload"
        elif record.nameID == 6:
            record.string = "SellerUpload-Regular"
    shop = tmp_path / "fonts"
    shop.mkdir()
    saved = shop / seller.url.rsplit("/", 1)[-1]
    font.save(str(saved))
    element = TextElement(
        name="Text",
        label="Text",
        lines=drawn.lines,
        font_family=drawn.font_family,
        color=Color(drawn.fill) if drawn.fill else None,
        font_size=drawn.font_size,
        svg=SvgPlacement(drawn.matrix, drawn.clip),
        tspans=drawn.tspans,
    )
    surface = Surface(name="FRONT", label="", elements=(element,), fonts=(seller,))
    customization = Customization(
        item=Item("900-0000000-0000000", "90000000000000"), surfaces=(surface,), source="xml"
    )
    renderer = PdfRenderer(fonts=FontIndex([shop]))
    result = renderer.render(customization, surface, PAGE, {}, title="seller font")

    assert [f.path for f in result.fonts] == [saved]
    key, _ = _embedded_program(result.pdf)
    assert key == "/FontFile3"  # the seller's CFF outlines themselves
    measured = _ink_box(_ink_mask(_raster(result.pdf)))
    (span,) = drawn.tspans
    expected = _span_ink(CANTARELL, span, drawn.font_size, _to_mm(drawn.matrix))
    _assert_box(measured, expected, "the seller's word")
    extracted = pdfium.PdfDocument(result.pdf)[0].get_textpage().get_text_range()
    assert extracted == "\n".join(drawn.lines)
