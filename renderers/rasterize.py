"""Photos for a laser: grayscale, resampled to the device's DPI, optionally inverted and dithered.

A laser engraves a raster line by line at its own resolution, so a photo is delivered at exactly
that resolution over exactly its printed area: no resampling is left to the laser software, and
what the operator previews is what burns. White means "do not fire": the parts of the area the
photo does not cover (a rotated photo's corners, transparent pixels) are white, and stay white
when the photo is inverted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageOps

from production.core.errors import RenderError
from production.core.geometry import Box, Matrix
from production.core.photos import open_image
from production.core.templates import Dither

__all__ = ["Raster", "RasterStyle", "dither", "rasterize_photo"]

POINTS_PER_INCH = 72.0

# Bayer's 8×8 index matrix: thresholds spread evenly, so flat greys become regular dot patterns.
_BAYER_2 = ((0, 2), (3, 1))


def _bayer(size: int) -> list[list[int]]:
    matrix = [list(row) for row in _BAYER_2]
    while len(matrix) < size:
        n = len(matrix)
        matrix = [
            [4 * matrix[y % n][x % n] + _BAYER_2[y // n][x // n] for x in range(2 * n)]
            for y in range(2 * n)
        ]
    return matrix


_BAYER_8 = _bayer(8)


@dataclass(frozen=True, slots=True)
class RasterStyle:
    dpi: int
    dither: Dither = "none"
    invert: bool = False


@dataclass(frozen=True, slots=True)
class Raster:
    """A grayscale ("L") or 1-bit ("1") picture filling `box` (page points, y down)."""

    image: Image.Image
    box: Box


def rasterize_photo(
    data: bytes, unit_to_page: Matrix, region: Box, style: RasterStyle
) -> Raster | None:
    """The part of a photo inside `region`, at the device's DPI; None if none of it shows.

    `unit_to_page` maps PDF's image unit square (first stored row at the top, t = 1) onto the
    page, as the print renderer paints it: EXIF orientation and rotation are in the matrix.
    """
    box = _intersect(unit_to_page.map_box(Box(0, 0, 1, 1)), region)
    if box is None:
        return None
    size = (_pixels(box.width, style.dpi), _pixels(box.height, style.dpi))
    gray, alpha = _bands(_open(data, unit_to_page, box, size))
    factor = int(_reduction(gray.size, unit_to_page, box, size))
    if factor >= 2:
        # Box-averaging first: bicubic resampling alone would alias a large reduction.
        gray, alpha = gray.reduce(factor), alpha.reduce(factor) if alpha else None
    # Output pixel (continuous coordinates) → page points → stored picture pixels.
    to_page = Matrix(box.width / size[0], 0, 0, box.height / size[1], box.x, box.y)
    to_source = to_page.then(_source_to_page(gray.size, unit_to_page).inverse())
    coefficients = (to_source.a, to_source.c, to_source.e, to_source.b, to_source.d, to_source.f)
    affine, bicubic = Image.Transform.AFFINE, Image.Resampling.BICUBIC
    coverage = alpha or Image.new("L", gray.size, 255)
    gray = gray.transform(size, affine, coefficients, bicubic, fillcolor=255)
    coverage = coverage.transform(size, affine, coefficients, bicubic, fillcolor=0)
    if style.invert:
        gray = ImageOps.invert(gray)
    white = Image.new("L", size, 255)
    return Raster(dither(Image.composite(gray, white, coverage), style.dither), box)


def dither(gray: Image.Image, method: Dither) -> Image.Image:
    """A grayscale picture as the laser should get it: "none" keeps it 8-bit."""
    if method == "none":
        return gray
    if method == "threshold":
        return gray.convert("1", dither=Image.Dither.NONE)
    if method == "floyd-steinberg":
        return gray.convert("1", dither=Image.Dither.FLOYDSTEINBERG)
    return _ordered(gray)


def _ordered(gray: Image.Image) -> Image.Image:
    """Bayer ordered dithering, done with whole-image operations (no per-pixel Python)."""
    width, height = gray.size
    rows = [bytes((v * 4 + 2) for v in row) * (width // 8 + 1) for row in _BAYER_8]
    band = b"".join(row[:width] for row in rows)
    thresholds = Image.frombytes(
        "L", (width, 8 * math.ceil(height / 8)), band * math.ceil(height / 8)
    )
    above = ImageChops.subtract(gray, thresholds.crop((0, 0, width, height)))
    return above.point(lambda v: 255 if v > 0 else 0).convert("1", dither=Image.Dither.NONE)


def _pixels(points: float, dpi: int) -> int:
    return max(1, round(points / POINTS_PER_INCH * dpi))


def _intersect(a: Box, b: Box) -> Box | None:
    x0, y0 = max(a.x, b.x), max(a.y, b.y)
    x1, y1 = min(a.right, b.right), min(a.bottom, b.bottom)
    if x1 - x0 <= 1e-6 or y1 - y0 <= 1e-6:
        return None
    return Box(x0, y0, x1 - x0, y1 - y0)


def _source_to_page(size: tuple[int, int], unit_to_page: Matrix) -> Matrix:
    """Stored pixel coordinates (y down, continuous) → the unit square → page points."""
    width, height = size
    return Matrix(1 / width, 0, 0, -1 / height, 0, 1).then(unit_to_page)


def _open(data: bytes, unit_to_page: Matrix, box: Box, size: tuple[int, int]) -> Image.Image:
    """The stored picture, decoded no larger than the output needs (JPEG scales while decoding)."""
    try:
        picture = open_image(data)
        stored = picture.size
        factor = _reduction(stored, unit_to_page, box, size)
        if factor > 1 and picture.format == "JPEG":
            picture.draft("L", (math.ceil(stored[0] / factor), math.ceil(stored[1] / factor)))
        picture.load()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise RenderError("a photo cannot be decoded for engraving") from exc
    return picture


def _reduction(
    stored: tuple[int, int], unit_to_page: Matrix, box: Box, size: tuple[int, int]
) -> float:
    """How many stored pixels fall on one output pixel, along the sparser axis."""
    m = _source_to_page(stored, unit_to_page)
    along_x, along_y = math.hypot(m.a, m.b), math.hypot(m.c, m.d)  # points per stored pixel
    out = min(box.width / size[0], box.height / size[1])  # points per output pixel
    return out / max(along_x, along_y)


def _bands(picture: Image.Image) -> tuple[Image.Image, Image.Image | None]:
    """Luma and, when the picture has transparency, its alpha."""
    if picture.mode.startswith("I"):  # 16-bit grayscale PNGs
        picture = picture.convert("I").point(lambda v: v / 256).convert("L")
    transparent = "transparency" in picture.info or picture.mode in ("RGBA", "LA", "PA")
    if transparent:
        picture = picture.convert("RGBA").convert("LA")
        gray, alpha = picture.split()
        return gray, alpha
    if picture.mode != "L":
        picture = picture.convert("RGB").convert("L")
    return picture, None
