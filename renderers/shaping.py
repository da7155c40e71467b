"""Shape one line of text into positioned glyphs with HarfBuzz, in visual order, left to right.

HarfBuzz does ligatures, kerning, contextual forms (Arabic joining), mark positioning and Indic
reordering, but only for a run of one direction and one script. So the line is split first: by
the Unicode Bidirectional Algorithm into runs of one embedding level (renderers/bidi.py), and
each of those by script (characters of the Common and Inherited scripts, spaces, digits,
punctuation and marks, belong to the script before them). Each run is shaped with the whole
line as context, so Arabic joins and marks attach across a run boundary, and the runs are then
put in visual order (UAX #9 rule L2).

How the text maps to glyphs (what a ToUnicode CMap or ActualText is built from): HarfBuzz puts
the glyphs of each character cluster together. The first glyph of a cluster in the run's glyph
order (visual, left to right) carries the cluster's characters in logical order, and the other
glyphs of that cluster carry "". Every glyph carries `cluster`, the index in the line of its
cluster's first character, so sorting the glyphs by `cluster` (stably) and joining their `text`
gives the line back in logical order. In a right-to-left run the clusters come in decreasing
`cluster` order, right to left read left to right: "שלום" is ם ו ל ש on the page, each glyph
with its one letter, and the Arabic lam-alef ligature of "سلام" is one glyph whose text is "لا"
(lam first), as the buyer typed it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import uharfbuzz as hb
from fontTools import unicodedata

from production.core.errors import RenderError
from renderers.bidi import embedding_levels, visual_order
from renderers.fontfaces import unreadable_font_errors
from renderers.fonts import ResolvedFont
from renderers.glyphruns import GlyphRun, PlacedGlyph

__all__ = ["shape"]

_WOFF_SIGNATURES = (b"wOFF", b"wOF2")  # HarfBuzz reads sfnt data only: these are decompressed
_NO_SCRIPT = frozenset({"Zyyy", "Zinh", "Zzzz"})  # Common, Inherited, Unknown


@dataclass(frozen=True, slots=True)
class _Shaper:
    """A font file's HarfBuzz font; HarfBuzz fonts may be shared by threads once set up."""

    font: Any  # uharfbuzz.Font
    units_per_em: int


@dataclass(frozen=True, slots=True)
class _Run:
    """Characters `start:end` of the line: one embedding level, one script."""

    start: int
    end: int
    level: int
    script: str  # ISO 15924, as HarfBuzz takes it ("Latn", "Arab", "Zyyy" when nothing else)


def shape(font: ResolvedFont, text: str) -> GlyphRun:
    """The glyphs of one line of `text` in `font`, in visual order, positioned in font units.

    Glyph x positions start at 0 at the left end of the line; `width` is the line's advance.
    Characters the font lacks come out as glyph 0 (.notdef): checking for them is the
    caller's business (`renderers.fonts.missing_glyphs`).
    """
    shaper = _shaper_of(font)
    runs = _runs(text, embedding_levels(text))
    glyphs: list[PlacedGlyph] = []
    pen = 0.0
    for index in visual_order([run.level for run in runs]):
        pen = _shape_run(shaper, text, runs[index], pen, glyphs)
    return GlyphRun(font=font, glyphs=tuple(glyphs), width=pen, units_per_em=shaper.units_per_em)


def _runs(text: str, levels: Sequence[int]) -> list[_Run]:
    """The line cut wherever the embedding level or the script changes."""
    scripts = _scripts(text)
    runs: list[_Run] = []
    start = 0
    for end in range(1, len(text) + 1):
        if end == len(text) or (levels[end], scripts[end]) != (levels[start], scripts[start]):
            runs.append(_Run(start, end, levels[start], scripts[start]))
            start = end
    return runs


def _scripts(text: str) -> list[str]:
    """Each character's script, Common and Inherited ones taking the script before them.

    Characters before the line's first real script take that script ("1. Привет" is Cyrillic).
    """
    own = [unicodedata.script(char) for char in text]
    current = next((script for script in own if script not in _NO_SCRIPT), "Zyyy")
    resolved: list[str] = []
    for script in own:
        if script not in _NO_SCRIPT:
            current = script
        resolved.append(current)
    return resolved


def _shape_run(shaper: _Shaper, text: str, run: _Run, pen: float, out: list[PlacedGlyph]) -> float:
    """Append the run's glyphs to `out` from pen position `pen`; the pen position after them."""
    buffer = hb.Buffer()
    buffer.add_str(text, run.start, run.end - run.start)  # the whole line is the context
    buffer.direction = "rtl" if run.level % 2 else "ltr"
    buffer.script = run.script
    # No language: `guess_segment_properties` would take the process's locale, so a line would
    # shape differently on machines with another LANG.
    hb.shape(shaper.font, buffer, {})
    infos, positions = buffer.glyph_infos, buffer.glyph_positions
    starts = sorted({info.cluster for info in infos})
    ends = dict(zip(starts, [*starts[1:], run.end], strict=True))
    seen: set[int] = set()
    for info, position in zip(infos, positions, strict=True):
        cluster = info.cluster
        first = run.start if cluster == starts[0] else cluster  # nothing before it is lost
        chars = "" if cluster in seen else text[first : ends[cluster]]
        seen.add(cluster)
        out.append(
            PlacedGlyph(
                gid=info.codepoint,
                x=pen + position.x_offset,
                y=float(position.y_offset),
                advance=float(position.x_advance),
                text=chars,
                cluster=first,
                rtl=bool(run.level % 2),
            )
        )
        pen += position.x_advance
    return pen


def _shaper_of(font: ResolvedFont) -> _Shaper:
    try:
        stat = font.path.stat()
        return _load(str(font.path), font.font_number, stat.st_mtime_ns, stat.st_size)
    except unreadable_font_errors() as exc:  # fontTools' for a damaged WOFF; ValueError: no face
        raise RenderError(f"font file {font.path.name} cannot be read for shaping") from exc


@lru_cache(maxsize=32)
def _load(path: str, font_number: int, _mtime_ns: int, _size: int) -> _Shaper:
    """A font's HarfBuzz font, kept per file version (mtime and size are part of the key)."""
    data = Path(path).read_bytes()
    if data[:4] in _WOFF_SIGNATURES:
        data, font_number = _decompressed(data, font_number), 0
    face = hb.Face(data, font_number)
    if face.glyph_count == 0:  # HarfBuzz's empty face: not a font, or no such face in a .ttc
        raise ValueError(f"no face {font_number} in the font file")
    return _Shaper(font=hb.Font(face), units_per_em=int(face.upem))


def _decompressed(data: bytes, font_number: int) -> bytes:
    """WOFF/WOFF2 bytes as plain sfnt (WOFF2 needs the `brotli` package, a dependency)."""
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data), fontNumber=font_number)
    font.flavor = None
    out = io.BytesIO()
    font.save(out, reorderTables=False)
    return out.getvalue()
