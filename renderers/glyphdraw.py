"""Glyph runs drawn onto a reportlab page: each glyph at its own position, in an embedded font.

A page's runs are collected while its elements are drawn and written when the page is done:
only then is it known which glyphs each face needs, so each face is subset once per page and
the strings are written in the subset's own codes. Where a run is drawn, a placeholder holds its
place in the canvas's operator list (reportlab's `Canvas._code`, the page's content stream in
the making), so text stays stacked exactly between the photos drawn before and after it.

A line that needs it (`renderers.extractable`) is drawn inside an ActualText span, opened by
`open_actual_text` and closed by `close_actual_text`. The span starts with an invisible .notdef
of the line's font at the line's start: pdfium attaches an ActualText to the first text object
of its span and lays its characters out in that object's direction, which for a glyph without
text is left to right, as the span's logical text is meant to be read. Emoji drawn as pictures
get an invisible glyph that reads as them (`draw_hidden`, `renderers.hiddentext`).

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

from renderers.extractable import actual_text_operator, glyph_texts
from renderers.fontembed import add_type0_font
from renderers.fontfiles import FontProgram, font_program
from renderers.fonts import ResolvedFont
from renderers.fontsubset import Subset, font_subset
from renderers.glyphruns import GlyphRun, PlacedGlyph
from renderers.hiddentext import HiddenText

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
    invisible: bool = False  # text render mode 3: there for text extraction only


@dataclass(slots=True)
class PageText:
    """The runs of one page, written into its content stream by `finish()`."""

    canvas: Canvas
    placed: list[_Placed] = field(default_factory=list)
    hidden: HiddenText | None = None

    def draw(
        self, run: GlyphRun, size: float, x: float, y: float, *, invisible: bool = False
    ) -> None:
        """Draw `run` at font size `size`, its baseline starting at (x, y) in y-down units."""
        if not run.glyphs:
            return
        code: list[str] = self.canvas._code
        code.append("")
        program = font_program(run.font)
        self.placed.append(_Placed(len(code) - 1, run, program, size, x, y, invisible))

    def open_actual_text(
        self, text: str, font: ResolvedFont, size: float, x: float, y: float
    ) -> None:
        """Open a span that reads back as `text`; (x, y) is the line's start, as for `draw`."""
        self.canvas._code.append(actual_text_operator(text))
        units = font_program(font).units_per_em
        lead = GlyphRun(font, (PlacedGlyph(0, 0.0, 0.0, 0.0, ""),), 0.0, units)
        self.draw(lead, size, x, y, invisible=True)

    def close_actual_text(self) -> None:
        self.canvas._code.append("EMC")

    def draw_hidden(self, text: str, width: float, size: float, x: float, y: float) -> None:
        """An invisible glyph reading `text`, `width` ems wide, its baseline starting at (x, y)."""
        if self.hidden is None:
            self.hidden = HiddenText(_font_name(self.canvas._doc, "hidden-text"))
        self.canvas._code.append(self.hidden.operators(text, width, size, x, y))

    def finish(self) -> None:
        """Subset each face, add it to the document and write every run. Before `showPage`."""
        fonts: dict[int, tuple[str, Subset]] = {}
        document = self.canvas._doc
        for program, placed in _by_program(self.placed).items():
            gids = frozenset(g.gid for p in placed for g in p.run.glyphs)
            subset = font_subset(program, gids)
            name = _font_name(document, program.postscript_name)
            fonts[id(program)] = (name, subset)
            add_type0_font(document, name, program, subset, _texts(placed, subset))
        code: list[str] = self.canvas._code
        for p in self.placed:
            name, subset = fonts[id(p.program)]
            code[p.index] = run_operators(
                p.run, subset, name, p.size, p.x, p.y, invisible=p.invisible
            )
        self.placed.clear()
        if self.hidden is not None:
            self.hidden.finish(document)
            self.hidden = None


def _by_program(placed: list[_Placed]) -> dict[FontProgram, list[_Placed]]:
    grouped: dict[FontProgram, list[_Placed]] = {}
    for p in placed:
        grouped.setdefault(p.program, []).append(p)
    return grouped


def _font_name(document: Any, what: str) -> str:
    """A resource name no other font of the document has (reportlab numbers its own F1, F2…)."""
    name = f"G{len(document.fontMapping) + 1}"
    document.fontMapping[f"{NO_FONT}:{name}:{what}"] = "/" + name
    return name


def _texts(placed: list[_Placed], subset: Subset) -> dict[int, str]:
    """Code → the characters it stands for; the first text a glyph was drawn for wins."""
    texts: dict[int, str] = {}
    for p in placed:
        for glyph, text in zip(p.run.glyphs, glyph_texts(p.run.glyphs), strict=True):
            code = subset.codes.get(glyph.gid, 0)
            if text and code not in texts:
                texts[code] = text
    return texts


def run_operators(
    run: GlyphRun,
    subset: Subset,
    name: str,
    size: float,
    x: float,
    y: float,
    *,
    invisible: bool = False,
) -> str:
    """`BT … ET` drawing `run`: one `Tm` per stretch of glyphs on one baseline, kerned by TJ.

    `invisible`: in text render mode 3 (no ink), inside `q … Q`, since the mode is part of the
    graphics state and would hide the text drawn after it.
    """
    scale = run.scale(size)
    per_unit = 1000 / run.units_per_em  # font units → thousandths of an em (TJ, W)
    parts = [f"BT /{name} {_num(size)} Tf" + (" 3 Tr" if invisible else "")]
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
    if invisible:
        parts = ["q", *parts, "Q"]
    return "\n".join(parts)


def _num(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
