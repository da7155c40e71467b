"""Rendered text, rasterised: every line lands where the SVG put it, clipped, in colour, as text.

Expected ink is computed independently of the renderer: the glyph outlines of the real TTF, read
with fontTools, are laid out at the tspan's baseline start with the font's advance widths and
mapped through the element matrix and the page geometry into millimetres on the page. The PDF is
rasterised with pdfium and the ink measured there.
"""

from __future__ import annotations

import ctypes
import io
import re
from collections.abc import Callable, Iterable
from functools import cache
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from typing import cast

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import uharfbuzz as hb
from fontTools.pens.boundsPen import BoundsPen
from fontTools.pens.transformPen import TransformPen
from fontTools.ttLib import TTFont
from PIL import Image

from production.core.geometry import MM, Box, Matrix
from production.core.model import (
    Color,
    Customization,
    Item,
    Surface,
    SvgPlacement,
    TextElement,
    Tspan,
)
from production.customization import parse_zip, read_zip
from production.customization.samples import SAMPLES_DIR
from renderers.fonts import FontIndex
from renderers.pdf import PdfRenderer, RenderedSurface
from renderers.placement import PageGeometry, page_geometry

DPI = 200
PX_PER_MM = DPI / 25.4
TOLERANCE_MM = 0.3
PIXEL_MM = 25.4 / DPI

# A 100 mm square print with 3 mm bleed over the whole 400-unit preview: 0.25 mm per unit.
PAGE = page_geometry(width_mm=100, height_mm=100, bleed_mm=3, design_box=Box(0, 0, 400, 400))

InkBox = tuple[float, float, float, float]  # left, top, right, bottom in mm from the page corner


def _package_font(dist_name: str, package: str, file_name: str) -> Path:
    try:
        dist = distribution(dist_name)
    except PackageNotFoundError:
        pytest.skip(f"the {dist_name} package is not installed")
    return Path(str(dist.locate_file(f"{package}/files/{file_name}")))


@pytest.fixture(scope="module")
def roboto() -> Path:
    return _package_font("font-roboto", "font_roboto", "Roboto-Regular.ttf")


@pytest.fixture(scope="module")
def amatic() -> Path:
    return _package_font("font-amatic-sc", "font_amatic_sc", "AmaticSC-Regular.ttf")


@pytest.fixture(scope="module")
def renderer(roboto: Path, amatic: Path) -> PdfRenderer:
    """Finds Roboto and Amatic SC in the installed font packages, as the shop's renderer does."""
    return PdfRenderer(fonts=FontIndex([]))


# -- building and rendering -------------------------------------------------------------------


def _text(
    tspans: Iterable[Tspan],
    matrix: Matrix,
    *,
    size: float,
    clip: Box | None = None,
    color: str | None = "#000000",
    family: str = "Roboto",
) -> TextElement:
    spans = tuple(tspans)
    return TextElement(
        name="SAMPLE TEXT",
        label="Sample text",
        lines=tuple(t.text for t in spans),
        font_family=family,
        color=Color(color) if color else None,
        font_size=size,
        svg=SvgPlacement(matrix, clip),
        tspans=spans,
    )


def _render_elements(renderer: PdfRenderer, *elements: TextElement) -> RenderedSurface:
    surface = Surface(name="FRONT", label="", elements=elements, boxes=(Box(0, 0, 400, 400),))
    customization = Customization(
        item=Item("900-0000000-0000000", "90000000000000"), surfaces=(surface,), source="xml"
    )
    return renderer.render(customization, surface, PAGE, {}, title="text")


def _render_sample(
    renderer: PdfRenderer, name: str, *, width_mm: float = 100, height_mm: float = 100
) -> tuple[Surface, RenderedSurface]:
    """The first surface of a sample zip, on a page of that trim size with 2 mm bleed."""
    data = (SAMPLES_DIR / f"{name}.zip").read_bytes()
    customization = parse_zip(data, source=name)
    surface = customization.surfaces[0]
    assert surface.design_box is not None
    page = page_geometry(
        width_mm=width_mm, height_mm=height_mm, bleed_mm=2, design_box=surface.design_box
    )
    members = read_zip(data, source=name)
    return surface, renderer.render(customization, surface, page, members, title=name)


def _raster(pdf: bytes) -> Image.Image:
    page = pdfium.PdfDocument(pdf)[0]
    image: Image.Image = page.render(scale=DPI / 72).to_pil().convert("RGB")
    return image


# -- measuring ink ----------------------------------------------------------------------------


def _ink_mask(raster: Image.Image) -> Image.Image:
    """255 where a pixel is at least half covered by dark ink (black text on white)."""
    return raster.convert("L").point(lambda v: 255 if v < 128 else 0)


def _bands(mask: Image.Image) -> list[tuple[int, int]]:
    """Runs of pixel rows holding ink, top to bottom: one per line of unrotated text."""
    rows = mask.resize((1, mask.height), Image.Resampling.BOX).tobytes()
    bands: list[tuple[int, int]] = []
    start: int | None = None
    for y, value in enumerate([*rows, 0]):
        if value and start is None:
            start = y
        elif not value and start is not None:
            bands.append((start, y))
            start = None
    return bands


def _ink_box(mask: Image.Image, region: tuple[int, int, int, int] | None = None) -> InkBox:
    """The ink's bounding box in mm; `region` limits the search to a pixel rectangle."""
    x0, y0 = (region[0], region[1]) if region else (0, 0)
    found = (mask.crop(region) if region else mask).getbbox()
    assert found is not None, "no ink"
    left, top, right, bottom = found
    return (
        (x0 + left) * PIXEL_MM,
        (y0 + top) * PIXEL_MM,
        (x0 + right) * PIXEL_MM,
        (y0 + bottom) * PIXEL_MM,
    )


def _centre(box: InkBox) -> tuple[float, float]:
    return ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)


# -- expected ink, from the font file ---------------------------------------------------------


@cache
def _font(path: Path) -> TTFont:
    return TTFont(str(path), lazy=True)


def _positions(path: Path, text: str) -> list[tuple[str, float, float]]:
    """Each glyph of `text` as the browser sets it (kerned), read with HarfBuzz itself: its
    name, its x and its advance in font units. Amazon's preview is kerned, so the print is."""
    blob = hb.Blob.from_file_path(str(path))
    shaper = hb.Font(hb.Face(blob))
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(shaper, buffer)
    order = _font(path).getGlyphOrder()
    placed, pen = [], 0.0
    for info, pos in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
        placed.append((order[info.codepoint], pen + pos.x_offset, float(pos.x_advance)))
        pen += pos.x_advance
    return placed


def _advance(path: Path, text: str, size: float) -> float:
    """The advance width of `text` in the element's units, kerned."""
    width = sum(advance for _, _, advance in _positions(path, text))
    return float(width * size / _font(path)["head"].unitsPerEm)


def _expected_ink(
    path: Path, span: Tspan, size: float, to_mm: Matrix, only: int | None = None
) -> InkBox:
    """Where the glyph outlines of `span` land, in mm on the page, under `to_mm`; `only` the
    glyph of that index."""
    font = _font(path)
    glyphs = font.getGlyphSet()
    scale = size / font["head"].unitsPerEm
    bounds = BoundsPen(glyphs)
    for index, (name, x, _) in enumerate(_positions(path, span.text)):
        if only is not None and index != only:
            continue
        # Font units are y up from the baseline; the element's units are y down.
        glyph = Matrix(scale, 0, 0, -scale, span.x + x * scale, span.y).then(to_mm)
        glyphs[name].draw(TransformPen(bounds, glyph.as_tuple()))
    ink: InkBox | None = bounds.bounds
    assert ink is not None
    return ink


def _to_mm(element_matrix: Matrix, page: PageGeometry = PAGE) -> Matrix:
    """Element units → mm on the page (origin top-left, y down)."""
    return element_matrix.then(page.to_page).then(Matrix.scale(1 / MM))


def _assert_box(measured: InkBox, expected: InkBox, what: str, tol: float = TOLERANCE_MM) -> None:
    names = ("left", "top", "right", "bottom")
    for name, got, want in zip(names, measured, expected, strict=True):
        assert got == pytest.approx(want, abs=tol), (
            f"{what}: {name} edge {got:.2f} mm, not {want:.2f}"
        )


# -- 1. lines land where the tspans put them ---------------------------------------------------


def test_every_line_lands_on_its_tspan_baseline_in_millimetres(
    renderer: PdfRenderer, roboto: Path
) -> None:
    size = 48.0  # element units; the matrix halves it: 24 preview units, a 6 mm em
    matrix = Matrix(0.5, 0, 0, 0.5, 200, 200)
    centred = "HIKE TEAM"
    spans = (
        Tspan("THE HILL FAMILY", -330, -160),
        # text-anchor="middle", already resolved by Amazon into the start x.
        Tspan(centred, -_advance(roboto, centred, size) / 2, -40),
        Tspan("MILE 7 LIZ", -330, 80),
        Tspan("FIELD KIT 41", -330, 200),
    )
    result = _render_elements(renderer, _text(spans, matrix, size=size))

    mask = _ink_mask(_raster(result.pdf))
    bands = _bands(mask)
    assert len(bands) == len(spans), f"{len(bands)} lines of ink, not {len(spans)}"
    to_mm = _to_mm(matrix)
    for span, (top, bottom) in zip(spans, bands, strict=True):
        measured = _ink_box(mask, (0, top, mask.width, bottom))
        expected = _expected_ink(roboto, span, size, to_mm)
        start = to_mm.apply(span.x, span.y)
        # These capitals and digits sit flat on the baseline: their ink ends exactly there.
        assert expected[3] == pytest.approx(start.y, abs=1e-6)
        assert measured[3] == pytest.approx(start.y, abs=TOLERANCE_MM), f"{span.text!r} baseline"
        _assert_box(measured, expected, span.text)
    # The centred line is centred on the group's origin (its side bearings are symmetric).
    origin = to_mm.apply(0, 0)
    centred_ink = _ink_box(mask, (0, bands[1][0], mask.width, bands[1][1]))
    assert _centre(centred_ink)[0] == pytest.approx(origin.x, abs=TOLERANCE_MM)


@pytest.mark.parametrize("degrees", [-25.0, 90.0])
def test_a_rotated_line_turns_about_its_group_origin(
    renderer: PdfRenderer, roboto: Path, degrees: float
) -> None:
    size = 60.0
    text = "EST 2026 HI"
    span = Tspan(text, -_advance(roboto, text, size) / 2, 20)
    matrix = Matrix.scale(0.5).then(Matrix.rotate(degrees)).then(Matrix.translate(210, 190))
    result = _render_elements(renderer, _text([span], matrix, size=size))

    measured = _ink_box(_ink_mask(_raster(result.pdf)))
    expected = _expected_ink(roboto, span, size, _to_mm(matrix))
    got, want = _centre(measured), _centre(expected)
    assert got[0] == pytest.approx(want[0], abs=TOLERANCE_MM)
    assert got[1] == pytest.approx(want[1], abs=TOLERANCE_MM)
    _assert_box(measured, expected, f"{text!r} at {degrees}°")


# -- 2. the clip box --------------------------------------------------------------------------


def test_text_is_cut_at_its_clip_box(renderer: PdfRenderer, roboto: Path) -> None:
    size = 80.0  # a 10 mm em
    matrix = Matrix(0.5, 0, 0, 0.5, 200, 200)
    span = Tspan("CUT AT THE EDGE", -320, 20)
    # The clip's right side goes through the middle of the E of THE, whose middle bar is ink
    # all along (a cut through the gap between two letters would show no edge); its top cuts
    # the caps.
    e_left, _, e_right, _ = _expected_ink(roboto, span, size, matrix, only=9)
    clip = Box(40, 190, (e_left + e_right) / 2 - 40, 60)  # preview units
    result = _render_elements(renderer, _text([span], matrix, size=size, clip=clip))

    measured = _ink_box(_ink_mask(_raster(result.pdf)))
    unclipped = _expected_ink(roboto, span, size, _to_mm(matrix))
    c = PAGE.to_page.then(Matrix.scale(1 / MM)).map_box(clip)
    # The line reaches well past the clip on the right and above it ...
    assert unclipped[2] > c.right + 5 and unclipped[1] < c.y - 1
    # ... and is cut exactly there; left and bottom, inside the clip, are untouched.
    _assert_box(measured, (unclipped[0], c.y, c.right, unclipped[3]), "clipped line")
    # An edge at a fraction of a pixel shades the pixel it ends in: up to two pixels of slack.
    assert c.contains(
        Box(measured[0], measured[1], measured[2] - measured[0], measured[3] - measured[1]),
        2 * PIXEL_MM,
    )


# -- 3. colour --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("color", "rgb"),
    [
        ("#1f3a93", (0x1F, 0x3A, 0x93)),  # navy
        ("#d61e3c", (0xD6, 0x1E, 0x3C)),  # red
        ("#ffd700", (0xFF, 0xD7, 0x00)),  # gold
        (None, (0, 0, 0)),  # no colour chosen: black
    ],
)
def test_ink_is_the_text_colour(
    renderer: PdfRenderer, color: str | None, rgb: tuple[int, int, int]
) -> None:
    span = Tspan("HELLO 42", -300, 40)
    element = _text([span], Matrix(0.5, 0, 0, 0.5, 200, 200), size=120, color=color)
    raster = _raster(_render_elements(renderer, element).pdf)

    # An RGB image's colours are (count, (r, g, b)); the types-Pillow stubs say (count, int).
    colours = cast(
        "list[tuple[int, tuple[int, int, int]]] | None",
        raster.getcolors(raster.width * raster.height),
    )
    assert colours is not None
    ink = [(count, c) for count, c in colours if c != (255, 255, 255)]
    # Solid ink is the colour itself, and plenty of it: the inside of every stroke.
    count, solid = max(ink)
    assert count > 2000, "too little solid ink"
    assert solid == pytest.approx(rgb, abs=2)
    # Anti-aliased edges blend that colour with the white page, never with another hue.
    for count, pixel in ink:
        coverage = max((255 - p) / (255 - c) for p, c in zip(pixel, rgb, strict=True) if c < 255)
        blend = tuple(255 - coverage * (255 - c) for c in rgb)
        assert pixel == pytest.approx(blend, abs=8), f"{count} px of {pixel}: not {color} on white"


# -- 4. embedded subset fonts, real text -------------------------------------------------------


def _embedded_fonts(pdf: bytes) -> list[tuple[str, bytes]]:
    """(BaseFont as written in the file, decoded font program) of every font pdfium draws with."""
    fonts: dict[str, bytes] = {}
    page = pdfium.PdfDocument(pdf)[0]
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
        font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
        assert pdfium_c.FPDFFont_GetIsEmbedded(font)
        length = ctypes.c_size_t()
        pdfium_c.FPDFFont_GetFontData(font, None, 0, ctypes.byref(length))
        buffer = (ctypes.c_uint8 * length.value)()
        assert pdfium_c.FPDFFont_GetFontData(font, buffer, length.value, ctypes.byref(length))
        # pdfium drops a simple font's subset tag, not a Type 0 font's; the file has it.
        fonts[_name(pdfium_c.FPDFFont_GetBaseFontName, font).split("+", 1)[-1]] = bytes(buffer)
    written = []
    for descriptor in re.findall(rb"<<[^>]*?/Type /FontDescriptor[^>]*?>>", pdf):
        name = re.search(rb"/FontName /(\S+)", descriptor)
        assert name is not None and b"/FontFile2 " in descriptor, descriptor
        written.append(name.group(1).decode())
    assert sorted(n.split("+", 1)[-1] for n in written) == sorted(fonts)
    return [(n, fonts[n.split("+", 1)[-1]]) for n in written]


def _name(getter: Callable[..., int], font: object) -> str:
    length = getter(font, None, 0)
    buffer = ctypes.create_string_buffer(length)
    getter(font, buffer, length)
    return buffer.value.decode()


def test_fonts_are_embedded_as_subsets_and_text_stays_text(
    renderer: PdfRenderer, amatic: Path
) -> None:
    surface, result = _render_sample(renderer, "text-only")
    (text,) = surface.texts

    ((base_font, program),) = _embedded_fonts(result.pdf)
    assert re.fullmatch(r"[A-Z]{6}\+AmaticSC-Regular", base_font), base_font
    full = TTFont(str(amatic), lazy=True)
    subset = TTFont(io.BytesIO(program))  # the FontFile2 stream: a TrueType program
    assert "glyf" in subset
    assert subset["maxp"].numGlyphs < full["maxp"].numGlyphs / 4
    assert len(program) < amatic.stat().st_size / 3
    # Copy, search and preflight see the buyer's words, line by line.
    extracted = pdfium.PdfDocument(result.pdf)[0].get_textpage().get_text_range()
    assert extracted.split("\r\n") == list(text.lines)


# -- 5. old zips: text fitted into its box ----------------------------------------------------


def _fitted_ink(mask: Image.Image, box: Box) -> tuple[InkBox, Box]:
    """The ink of the text fitted into `box` (mm): searched 2 mm around it, and as a Box."""
    around = box.inset(-2)
    region = (
        int(around.x * PX_PER_MM),
        int(around.y * PX_PER_MM),
        int(around.right * PX_PER_MM) + 1,
        int(around.bottom * PX_PER_MM) + 1,
    )
    ink = _ink_box(mask, region)
    return ink, Box(ink[0], ink[1], ink[2] - ink[0], ink[3] - ink[1])


def test_old_zip_text_is_centred_inside_its_box(renderer: PdfRenderer) -> None:
    # A 2018 file (version 2.0): three lines in three boxes; no SVG, no font size. Printed on
    # a 56 × 41 mm tag: exactly 0.5 mm per preview unit, so the boxes are 5.5 to 6.5 mm tall.
    surface, result = _render_sample(renderer, "legacy-v3-only", width_mm=56, height_mm=41)
    assert [(t.svg, t.font_size) for t in surface.texts] == [(None, None)] * 3
    mask = _ink_mask(_raster(result.pdf))

    to_mm = _to_mm(Matrix(), result.page)
    for text in surface.texts:
        assert text.box is not None
        box = to_mm.map_box(text.box)
        ink, inked = _fitted_ink(mask, box)
        assert box.contains(inked, PIXEL_MM), f"{text.text!r}: ink {inked} leaves its box {box}"
        x, y = _centre(ink)
        assert x == pytest.approx(box.center.x, abs=0.5), f"{text.text!r} not centred across"
        assert y == pytest.approx(box.center.y, abs=0.5), f"{text.text!r} not centred down"
        # As large as fits: these capitals fill the box's height or its width.
        assert inked.height > 0.45 * box.height or inked.width > 0.8 * box.width


def test_old_zip_descenders_stay_inside_the_box(renderer: PdfRenderer) -> None:
    box = Box(120, 120, 160, 90)  # preview units: 40 × 22.5 mm
    element = TextElement(
        name="Customization 2",
        label="Pet names",
        lines=("Poppy &", "Ziggy"),
        font_family="Roboto",
        color=Color("#000000"),
        box=box,
    )
    mask = _ink_mask(_raster(_render_elements(renderer, element).pdf))

    on_page = _to_mm(Matrix()).map_box(box)
    ink, inked = _fitted_ink(mask, on_page)
    assert on_page.contains(inked, PIXEL_MM), f"ink {inked} leaves its box {on_page}"
    assert _centre(ink)[0] == pytest.approx(on_page.center.x, abs=0.5)
    assert inked.height > 0.8 * on_page.height  # two lines, as large as fits


# -- 6. the seller's own font ------------------------------------------------------------------


def test_a_seller_font_is_the_font_embedded(tmp_path: Path, amatic: Path) -> None:
    data = (SAMPLES_DIR / "seller-font.zip").read_bytes()
    surface = parse_zip(data, source="seller-font").surfaces[0]
    (seller,) = surface.fonts  # @font-face in the SVG: the seller's upload, by URL
    (text,) = surface.texts
    assert text.font_family == seller.family  # Amazon's "font-…" alias, installed nowhere
    # The shop saved the seller's upload under the URL's file name; it is a hand font that
    # names itself "Parkers Seller Hand" (Amatic SC, renamed).
    names = {1: "Parkers Seller Hand", 4: "Parkers Seller Hand Regular"}
    names |= {6: "ParkersSellerHand-Regular", 16: "Parkers Seller Hand"}
    font = TTFont(str(amatic))
    for record in font["name"].names:
        record.string = names.get(record.nameID, record.string)
    shop = tmp_path / "fonts"
    shop.mkdir()
    saved = shop / seller.url.rsplit("/", 1)[-1]
    font.save(str(saved))

    _, result = _render_sample(PdfRenderer(fonts=FontIndex([shop])), "seller-font")

    assert [(f.path, f.family) for f in result.fonts] == [(saved, "Parkers Seller Hand")]
    ((base_font, _),) = _embedded_fonts(result.pdf)
    assert re.fullmatch(r"[A-Z]{6}\+ParkersSellerHand-Regular", base_font), base_font
    extracted = pdfium.PdfDocument(result.pdf)[0].get_textpage().get_text_range()
    assert extracted.split("\r\n") == list(text.lines)
