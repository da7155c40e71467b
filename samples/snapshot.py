"""Draw a surface's 400×400 preview ("snapshot") the way Amazon's customizer does.

The snapshot is the buyer's design drawn over the product's base image: every layer is placed with
its SVG matrix, clipped to its placement box, in SVG order. A plain light background stands in for
the base image. Drawing happens `SUPERSAMPLE` times larger and is reduced at the end, so edges are
smooth and sub-unit positions survive.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

SIZE = 400
SUPERSAMPLE = 4
BACKGROUND = (246, 245, 242)
JPEG_QUALITY = 88

Matrix = tuple[float, float, float, float, float, float]
Rect = tuple[float, float, float, float]  # x, y, width, height in preview units


@dataclass(frozen=True)
class Layer:
    """A raster in an object's local units: pixel (0, 0) sits at `origin`, `units_per_px` apart."""

    raster: Image.Image  # RGBA
    origin: tuple[float, float]
    units_per_px: tuple[float, float]
    matrix: Matrix  # local units → preview units
    clip: Rect | None


def image_layer(image: Image.Image, matrix: Matrix, clip: Rect | None) -> Layer:
    """A buyer image (already EXIF-oriented): local units are its pixels, centred on the origin."""
    return Layer(
        image.convert("RGBA"), (-image.width / 2, -image.height / 2), (1.0, 1.0), matrix, clip
    )


def text_layer(
    spans: list[tuple[float, float, str]],
    *,
    font_path: Path,
    font_size: float,
    block_size: tuple[float, float],
    fill: tuple[int, int, int],
    matrix: Matrix,
    clip: Rect | None,
) -> Layer:
    """Text drawn like the SVG's tspans: `spans` are (left x, baseline y, line) in local units."""
    scale = abs(complex(matrix[0], matrix[1]))
    px_per_unit = max(2 * SUPERSAMPLE * scale, 0.5)  # twice the final resolution, reduced later
    pad = font_size  # room for ascenders, descenders and swashes outside the layout box
    x0, y0 = -block_size[0] / 2 - pad, -block_size[1] / 2 - pad
    width = round((block_size[0] + 2 * pad) * px_per_unit)
    height = round((block_size[1] + 2 * pad) * px_per_unit)
    font = ImageFont.truetype(  # Pillow takes float sizes since 10.1; types-Pillow says int
        str(font_path),
        font_size * px_per_unit,  # type: ignore[arg-type]
        layout_engine=ImageFont.Layout.RAQM,  # kerned and shaped, as the browser draws it
    )
    coverage = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(coverage)
    for x, y, line in spans:
        draw.text(
            ((x - x0) * px_per_unit, (y - y0) * px_per_unit), line, fill=255, font=font, anchor="ls"
        )
    raster = Image.new("RGBA", (width, height), (*fill, 0))
    raster.putalpha(coverage)
    units = 1 / px_per_unit
    return Layer(raster, (x0, y0), (units, units), matrix, clip)


def _reduce(layer: Layer) -> Layer:
    """Shrink a raster far larger than it will be drawn (a 4000 px photo in a 130-unit box)."""
    a, b = layer.matrix[0], layer.matrix[1]
    scale = abs(complex(a, b)) * SUPERSAMPLE
    target = (
        round(layer.raster.width * layer.units_per_px[0] * scale),
        round(layer.raster.height * layer.units_per_px[1] * scale),
    )
    if target[0] >= layer.raster.width or min(target) < 1:
        return layer
    raster = layer.raster.convert("RGBa").resize(target, Image.Resampling.LANCZOS).convert("RGBA")
    units = (
        layer.units_per_px[0] * layer.raster.width / target[0],
        layer.units_per_px[1] * layer.raster.height / target[1],
    )
    return Layer(raster, layer.origin, units, layer.matrix, layer.clip)


def _canvas_transform(layer: Layer) -> tuple[float, ...]:
    """PIL's inverse affine data: canvas pixel → raster pixel."""
    a, b, c, d, e, f = layer.matrix
    ux, uy = layer.units_per_px
    x0, y0 = layer.origin
    k = SUPERSAMPLE
    # canvas = k·(M·(origin + diag(ux, uy)·p)) = F·p + T
    f00, f01, f10, f11 = k * a * ux, k * c * uy, k * b * ux, k * d * uy
    t0, t1 = k * (a * x0 + c * y0 + e), k * (b * x0 + d * y0 + f)
    det = f00 * f11 - f01 * f10
    i00, i01, i10, i11 = f11 / det, -f01 / det, -f10 / det, f00 / det
    return (i00, i01, -(i00 * t0 + i01 * t1), i10, i11, -(i10 * t0 + i11 * t1))


def _clip_mask(rect: Rect, size: int) -> Image.Image:
    x, y, w, h = (v * SUPERSAMPLE for v in rect)
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).rectangle(
        (round(x), round(y), round(x + w) - 1, round(y + h) - 1), fill=255
    )
    return mask


def draw(layers: list[Layer], *, background: tuple[int, int, int] = BACKGROUND) -> Image.Image:
    """Compose the layers in order over the background; returns the 400×400 RGB snapshot."""
    size = SIZE * SUPERSAMPLE
    canvas = Image.new("RGBA", (size, size), (*background, 255))
    for layer in map(_reduce, layers):
        placed = (
            layer.raster.convert("RGBa")
            .transform(
                (size, size),
                Image.Transform.AFFINE,
                _canvas_transform(layer),
                resample=Image.Resampling.BICUBIC,
            )
            .convert("RGBA")
        )
        if layer.clip is not None:
            alpha = ImageChops.multiply(placed.getchannel("A"), _clip_mask(layer.clip, size))
            placed.putalpha(alpha)
        canvas.alpha_composite(placed)
    return canvas.convert("RGB").resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def to_jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()
