"""Glyph runs drawn onto a reportlab page: each glyph at its own position, in an embedded font.

A page's runs are collected while its elements are drawn and written when the page is done:
only then is it known which glyphs each face needs, so each face is subset once per page and
the strings are written in the subset's own codes. Where a run is drawn, a placeholder holds its
place in the canvas's operator list (reportlab's `Canvas._code`, the page's content stream in
the making), so text stays stacked exactly between the photos drawn before and after it.

Every canvas the project writes comes from `page_canvas`: reportlab otherwise starts every page
by selecting Helvetica, a font no print file embeds, which alone makes a file fail PDF/X-4. Text
goes onto such a canvas through `PageText` only; reportlab's own text calls (`drawString`,
`beginText`) would select that initial non-font.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from renderers.fontembed import add_type0_font
from renderers.fontfiles import FontProgram, font_program
from renderers.fontsubset import Subset, font_subset
from renderers.glyphruns import GlyphRun

__all__ = ["NO_FONT", "PageText", "page_canvas"]

NO_FONT = "acp-no-initial-font"
"""The canvas's initial font: a name reportlab takes for a font it must not select itself."""


class _NoFont:
    """Registered under `NO_FONT`. reportlab writes no initial `Tf` for a "dynamic" font."""

    fontName = NO_FONT
    _dynamicFont = 1
    _multiByte = 0

    class face:  # reportlab reads `font.face.name`
        name = NO_FONT.encode()


pdfmetrics.registerFont(_NoFont())


def page_canvas(out: IO[bytes], **options: Any) -> Canvas:
    """A reportlab canvas that references no font until text is drawn in an embedded one."""
    return Canvas(out, initialFontName=NO_FONT, **options)


@dataclass(slots=True)
class _Placed:
    index: int  # the placeholder's position in the canvas's operator list
    run: GlyphRun
    program: FontProgram
    size: float
    x: float
    y: float


@dataclass(slots=True)
class PageText:
    """The runs of one page, written into its content stream by `finish()`."""

    canvas: Canvas
    placed: list[_Placed] = field(default_factory=list)

    def draw(self, run: GlyphRun, size: float, x: float, y: float) -> None:
        """Draw `run` at font size `size`, its baseline starting at (x, y) in y-down units."""
        if not run.glyphs:
            return
        code: list[str] = self.canvas._code
        code.append("")
        self.placed.append(_Placed(len(code) - 1, run, font_program(run.font), size, x, y))

    def finish(self) -> None:
        """Subset each face, add it to the document and write every run. Before `showPage`."""
        fonts: dict[int, tuple[str, Subset]] = {}
        document = self.canvas._doc
        for program, placed in _by_program(self.placed).items():
            gids = frozenset(g.gid for p in placed for g in p.run.glyphs)
            subset = font_subset(program, gids)
            name = _font_name(document, program)
            fonts[id(program)] = (name, subset)
            add_type0_font(document, name, program, subset, _texts(placed, subset))
        code: list[str] = self.canvas._code
        for p in self.placed:
            name, subset = fonts[id(p.program)]
            code[p.index] = run_operators(p.run, subset, name, p.size, p.x, p.y)
        self.placed.clear()


def _by_program(placed: list[_Placed]) -> dict[FontProgram, list[_Placed]]:
    grouped: dict[FontProgram, list[_Placed]] = {}
    for p in placed:
        grouped.setdefault(p.program, []).append(p)
    return grouped


def _font_name(document: Any, program: FontProgram) -> str:
    """A resource name no other font of the document has (reportlab numbers its own F1, F2…)."""
    name = f"G{len(document.fontMapping) + 1}"
    document.fontMapping[f"{NO_FONT}:{name}:{program.postscript_name}"] = "/" + name
    return name


def _texts(placed: list[_Placed], subset: Subset) -> dict[int, str]:
    """Code → the characters it stands for; the first text a glyph was drawn for wins."""
    texts: dict[int, str] = {}
    for p in placed:
        for glyph in p.run.glyphs:
            code = subset.codes.get(glyph.gid, 0)
            if glyph.text and code not in texts:
                texts[code] = glyph.text
    return texts


def run_operators(run: GlyphRun, subset: Subset, name: str, size: float, x: float, y: float) -> str:
    """`BT … ET` drawing `run`: one `Tm` per stretch of glyphs on one baseline, kerned by TJ."""
    scale = run.scale(size)
    per_unit = 1000 / run.units_per_em  # font units → thousandths of an em (TJ, W)
    parts = [f"BT /{name} {_num(size)} Tf"]
    stretch: list[str] = []
    pen: float | None = None  # where the PDF's own advance has put the next glyph (font units)
    baseline: float | None = None
    for glyph in run.glyphs:
        code = subset.codes.get(glyph.gid, 0)
        if glyph.y != baseline or pen is None:
            if stretch:
                parts.append(f"[{' '.join(stretch)}] TJ")
                stretch = []
            # The canvas is y-up after the page flip; this sets glyphs upright at the origin.
            origin_x, origin_y = x + glyph.x * scale, y - glyph.y * scale
            parts.append(f"1 0 0 -1 {_num(origin_x)} {_num(origin_y)} Tm")
            baseline, pen = glyph.y, glyph.x
        shift = (pen - glyph.x) * per_unit  # TJ moves left by a positive number
        if abs(shift) > 0.0005:
            stretch.append(_num(shift))
        stretch.append(f"<{code:04X}>")
        pen = glyph.x + subset.widths.get(code, 0.0) / per_unit
    if stretch:
        parts.append(f"[{' '.join(stretch)}] TJ")
    parts.append("ET")
    return "\n".join(parts)


def _num(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
