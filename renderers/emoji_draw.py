"""Emoji onto a print page: colour pictures as images, colour vector layers as filled paths.

Placed as `renderers.emoji_glyphs` says, on a reportlab canvas that speaks the text's span
units, y down (`renderers.pdf` sets it up so for each text element). A picture is the font's
own PNG, alpha and all: reportlab writes its alpha as the image's soft mask (SMask), so the
emoji sits on the design without a white box. A COLR layer is filled (nonzero winding) in its
palette colour at its alpha; a layer without a colour (a monochrome emoji font) in the colour
the canvas already fills with, the text's.
"""

from __future__ import annotations

import io

from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import FILL_NON_ZERO, Canvas
from reportlab.pdfgen.pathobject import PDFPathObject

from production.core.geometry import Matrix
from renderers.emoji_bitmaps import EmojiBitmap
from renderers.emoji_colr import ColorLayer
from renderers.emoji_glyphs import EmojiGlyph
from renderers.linelayout import PlacedEmoji
from renderers.vectors import VectorPath, transform_path

__all__ = ["draw_emoji"]


def draw_emoji(
    canvas: Canvas, placed: PlacedEmoji, size: float, x: float, y: float, text_units: int
) -> None:
    """Draw one emoji run of a line whose baseline starts at (x, y), at font size `size`.

    `text_units`: the text font's units per em, in which `placed.x` is measured.
    """
    run = placed.run
    s = run.scale(size)
    x0 = x + placed.x * size / text_units
    for glyph in run.glyphs:
        if glyph.picture is not None:
            _picture(canvas, glyph, glyph.picture, s, x0, y)
        for layer in glyph.layers:
            _layer(canvas, layer, Matrix(s, 0, 0, -s, x0 + glyph.x * s, y - glyph.y * s))


def _picture(
    canvas: Canvas, glyph: EmojiGlyph, picture: EmojiBitmap, s: float, x0: float, y: float
) -> None:
    left = x0 + (glyph.x + picture.x_min) * s
    bottom = y - (glyph.y + picture.y_min) * s  # y down: the bottom edge has the larger y
    width = (picture.x_max - picture.x_min) * s
    height = (picture.y_max - picture.y_min) * s
    canvas.saveState()
    # The image's unit square, y up, onto the box in y-down units: upright on the page.
    canvas.transform(width, 0, 0, -height, left, bottom)
    canvas.drawImage(ImageReader(io.BytesIO(picture.png)), 0, 0, 1, 1, mask="auto")
    canvas.restoreState()


def _layer(canvas: Canvas, layer: ColorLayer, place: Matrix) -> None:
    if not layer.path:
        return
    canvas.saveState()
    if layer.rgba is not None:
        r, g, b, alpha = layer.rgba
        canvas.setFillColorRGB(r, g, b)
        if alpha < 1:
            canvas.setFillAlpha(alpha)
    path = canvas.beginPath()
    _trace(path, transform_path(layer.path, place))
    canvas.drawPath(path, stroke=0, fill=1, fillMode=FILL_NON_ZERO)
    canvas.restoreState()


def _trace(path: PDFPathObject, segments: VectorPath) -> None:
    for op, values in segments:
        if op == "M":
            path.moveTo(*values)
        elif op == "L":
            path.lineTo(*values)
        elif op == "C":
            path.curveTo(*values)
        else:
            path.close()
