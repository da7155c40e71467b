"""Emoji glyphs from the shop's emoji font, with what to draw for each: a picture or layers.

`emoji_glyphs(font, text, ppem=...)` shapes an emoji run (`renderers.emoji.split_emoji`) with
HarfBuzz, so a ZWJ family, a flag or a skin tone becomes the one glyph the font has for it, and
says for every glyph what the font draws:

- a colour bitmap font (CBDT/CBLC, as Noto Color Emoji; or sbix): `picture`, the PNG of the
  strike nearest the print resolution and the box it fills;
- a COLR font (v0; v1 in flat colours, see `renderers.emoji_colr`): `layers`, outlines each with
  its RGBA colour, painted in order;
- a monochrome emoji font (for lasers): `layers`, one outline in the text's own colour.

How a drawer places them
------------------------
Everything is in font units (`EmojiRun.units_per_em` to an em), x to the right and y up from
the run's pen position on the baseline, as glyph outlines are. At font size `size` (text-space
units, as the text around the emoji), `s = run.scale(size) = size / units_per_em`, and for a
run starting at `(x0, baseline)`:

- glyph origin: `x0 + g.x * s`, `g.y * s` above the baseline.
- picture: the rectangle from `x0 + (g.x + p.x_min) * s` to `x0 + (g.x + p.x_max) * s`, from
  `(g.y + p.y_min) * s` to `(g.y + p.y_max) * s` above the baseline. With a y-up canvas
  (reportlab): `canvas.drawImage(ImageReader(BytesIO(p.png)), x0 + (g.x + p.x_min) * s,
  baseline + (g.y + p.y_min) * s, (p.x_max - p.x_min) * s, (p.y_max - p.y_min) * s,
  mask="auto")`; the PNG keeps its alpha. With y down (`renderers.placement`) the top edge is
  at `baseline - (g.y + p.y_max) * s`.
- layers: `transform_path(layer.path, Matrix(s, 0, 0, -s, x0 + g.x * s, baseline - g.y * s))`
  gives page coordinates, y down; fill each (nonzero) in `layer.rgba`, or in the text's colour
  where it is None, with the alpha as the fill's opacity.
- resolution: pass `ppem = size_in_points * dpi / 72` (the pixels an em covers on the print),
  so the strike picked is at least that fine where the font has one.

The run is shaped like any other line (`renderers.shaping`): a ZWJ sequence, a flag or a skin
tone becomes the one glyph the font's GSUB makes of it. A line of emoji alone has no strong
direction, so it is laid left to right.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

from fontTools.ttLib import TTFont

from production.core.errors import RenderError
from renderers.emoji import emoji_name
from renderers.emoji_bitmaps import EmojiBitmap, bitmap_of, has_bitmaps
from renderers.emoji_colr import ColorLayer, colr_layers, has_colr, outline_layer
from renderers.fonts import ResolvedFont
from renderers.glyphruns import PlacedGlyph
from renderers.shaping import shape

__all__ = ["EmojiGlyph", "EmojiRun", "emoji_glyphs"]


@dataclass(frozen=True, slots=True)
class EmojiGlyph:
    """One glyph of an emoji run and what to draw for it (font units, y up)."""

    gid: int
    x: float  # the glyph's origin, from the run's start
    y: float  # the origin above the baseline
    advance: float
    text: str  # the characters it stands for; "" for the 2nd+ glyph of one cluster
    picture: EmojiBitmap | None  # a colour bitmap font's picture, else None
    layers: tuple[ColorLayer, ...]  # a COLR or monochrome font's outlines, painted in order


@dataclass(frozen=True, slots=True)
class EmojiRun:
    font: ResolvedFont
    glyphs: tuple[EmojiGlyph, ...]
    width: float  # the run's total advance, font units
    units_per_em: int

    def scale(self, size: float) -> float:
        """Font units → text-space units at font size `size`."""
        return size / self.units_per_em


@dataclass(frozen=True, slots=True)
class _Loaded:
    font: TTFont  # lazily read: tables are parsed when first used, under `lock`
    has_outlines: bool
    lock: threading.Lock


def emoji_glyphs(font: ResolvedFont, text: str, *, ppem: float) -> EmojiRun:
    """The glyphs of `text` (one emoji run) in `font`, each with what to draw for it.

    `ppem`: the pixels per em the print needs, which picks a bitmap font's strike. Raises
    `RenderError` for an emoji the font lacks or a glyph it cannot say how to draw.
    """
    loaded = _load(font)
    run = shape(font, text)
    with loaded.lock:
        glyphs = tuple(_emoji_glyph(loaded, glyph, ppem) for glyph in run.glyphs)
    return EmojiRun(font, glyphs, run.width, run.units_per_em)


def _emoji_glyph(loaded: _Loaded, glyph: PlacedGlyph, ppem: float) -> EmojiGlyph:
    if glyph.gid == 0 and glyph.text.strip():
        raise RenderError(f"emoji {emoji_name(glyph.text)!r} is not in the emoji font")
    name = loaded.font.getGlyphName(glyph.gid)
    picture, layers = _drawing(loaded, name, ppem)
    return EmojiGlyph(glyph.gid, glyph.x, glyph.y, glyph.advance, glyph.text, picture, layers)


def _drawing(
    loaded: _Loaded, name: str, ppem: float
) -> tuple[EmojiBitmap | None, tuple[ColorLayer, ...]]:
    """Colour vectors first (sharp at any size), then a picture, then the plain outline."""
    font = loaded.font
    if has_colr(font):
        layers = colr_layers(font, name)
        if layers is not None:
            return None, layers
    if has_bitmaps(font):
        picture = bitmap_of(font, name, ppem)
        if picture is not None:
            return picture, ()
    return None, outline_layer(font, name) if loaded.has_outlines else ()


def _load(font: ResolvedFont) -> _Loaded:
    try:
        stat = font.path.stat()
    except OSError as exc:
        raise RenderError(f"emoji font file {font.path} cannot be read: {exc}") from exc
    return _loaded(str(font.path), font.font_number, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _loaded(path: str, font_number: int, mtime_ns: int, size: int) -> _Loaded:
    """The font opened once per file version: an emoji font is large (Noto's is 10 MB)."""
    ttfont = TTFont(path, fontNumber=font_number, lazy=True)
    outlines = any(table in ttfont for table in ("glyf", "CFF ", "CFF2"))
    return _Loaded(ttfont, outlines, threading.Lock())
