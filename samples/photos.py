"""Synthetic buyer uploads and option art, drawn with Pillow so the samples hold no real photo.

Every picture says which way is up and which corner is which (a big label, an arrow marked TOP,
corner tags, a checkerboard in one corner), so a rotated, mirrored or cropped render is obvious.
"""

from __future__ import annotations

import io
import math
from functools import cache
from importlib.resources import files
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

JPEG_QUALITY = 85
EXIF_ORIENTATION = 0x0112


@cache
def font_file(package: str, name: str) -> Path:
    """A TTF shipped by an installed font package (`font_roboto`, `font_amatic_sc`)."""
    return Path(str(files(package) / "files" / name))


def _bold(size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(
        str(font_file("font_roboto", "Roboto-Bold.ttf")),
        round(size),
        layout_engine=ImageFont.Layout.BASIC,
    )


def _gradient(size: tuple[int, int], top: str, bottom: str) -> Image.Image:
    ramp = Image.linear_gradient("L").rotate(-30, resample=Image.Resampling.BICUBIC, expand=False)
    return ImageOps.colorize(ramp.resize(size, Image.Resampling.BICUBIC), top, bottom)


def _arrow(draw: ImageDraw.ImageDraw, cx: float, top: float, length: float, fill: str) -> None:
    """An arrow pointing up: head at `top`, shaft below it."""
    head, shaft = length * 0.42, length * 0.16
    draw.polygon(
        [(cx, top), (cx + head / 2 * 1.6, top + head), (cx - head / 2 * 1.6, top + head)], fill=fill
    )
    draw.rectangle((cx - shaft / 2, top + head - 1, cx + shaft / 2, top + length), fill=fill)


def _checkerboard(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], cells: int) -> None:
    x0, y0, x1, _ = box
    step = (x1 - x0) / cells
    for row in range(cells):
        for col in range(cells):
            fill = "#111111" if (row + col) % 2 == 0 else "#f4f4f4"
            draw.rectangle(
                (
                    x0 + col * step,
                    y0 + row * step,
                    x0 + (col + 1) * step - 1,
                    y0 + (row + 1) * step - 1,
                ),
                fill=fill,
            )


def photo(size: tuple[int, int], label: str, *, top: str, bottom: str, accent: str) -> Image.Image:
    """A 'photo': gradient sky, a sun, a checkerboard bottom-left, a big label and an UP arrow."""
    width, height = size
    unit = min(size)
    image = _gradient(size, top, bottom)
    draw = ImageDraw.Draw(image)
    border = max(6, unit // 100)
    draw.rectangle((0, 0, width - 1, height - 1), outline="#ffffff", width=border)
    draw.rectangle(
        (border, border, width - 1 - border, height - 1 - border), outline="#202020", width=border
    )
    sun = unit * 0.13
    draw.ellipse(
        (width * 0.78 - sun, height * 0.2 - sun, width * 0.78 + sun, height * 0.2 + sun),
        fill=accent,
        outline="#ffffff",
        width=border,
    )
    board = int(unit * 0.3)
    _checkerboard(
        draw, (border * 3, height - border * 3 - board, border * 3 + board, height - border * 3), 6
    )
    _arrow(draw, width / 2, height * 0.06, unit * 0.22, "#ffffff")
    draw.text(
        (width / 2, height * 0.06 + unit * 0.24),
        "TOP",
        font=_bold(unit * 0.06),
        fill="#ffffff",
        anchor="mt",
        stroke_width=border // 2,
        stroke_fill="#202020",
    )
    draw.text(
        (width / 2, height * 0.58),
        label,
        font=_bold(unit * 0.38),
        fill="#ffffff",
        anchor="mm",
        stroke_width=border,
        stroke_fill="#202020",
    )
    corner = _bold(unit * 0.045)
    inset = border * 3
    for text, xy, anchor in (
        ("TL", (inset, inset), "lt"),
        ("TR", (width - inset, inset), "rt"),
        ("BR", (width - inset, height - inset), "rb"),
    ):
        draw.text(
            xy,
            text,
            font=corner,
            fill="#ffffff",
            anchor=anchor,
            stroke_width=border // 2,
            stroke_fill="#202020",
        )
    return image


def up_poster(size: tuple[int, int]) -> Image.Image:
    """A portrait picture that shouts UP ↑: for the EXIF orientation sample."""
    image = photo(size, "", top="#1d5fa8", bottom="#9fd3f0", accent="#ffcc33")
    draw = ImageDraw.Draw(image)
    width, height = size
    _arrow(draw, width / 2, height * 0.31, height * 0.3, "#ffcc33")
    label = _bold(width * 0.2)
    draw.text(
        (width * 0.44, height * 0.69),
        "UP",
        font=label,
        fill="#ffffff",
        anchor="mm",
        stroke_width=12,
        stroke_fill="#202020",
    )
    _arrow(draw, width * 0.72, height * 0.69 - width * 0.1, width * 0.2, "#ffffff")
    return image


def cutout(size: int) -> Image.Image:
    """An RGBA 'sticker': a heart with a soft glow and a label on a fully transparent background."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    glow = Image.new("L", (size, size), 0)
    _heart(ImageDraw.Draw(glow), size, grow=size * 0.05, fill=110)
    image.paste((255, 200, 40, 255), (0, 0), glow)
    heart = Image.new("L", (size, size), 0)
    _heart(ImageDraw.Draw(heart), size, grow=0, fill=255)
    image.paste((214, 30, 60, 255), (0, 0), heart)
    draw = ImageDraw.Draw(image)
    draw.text(
        (size / 2, size * 0.47),
        "PNG",
        font=_bold(size * 0.16),
        fill=(255, 255, 255, 255),
        anchor="mm",
    )
    _arrow(draw, size / 2, size * 0.04, size * 0.14, "#1d5fa8")
    return image


def _heart(draw: ImageDraw.ImageDraw, size: int, *, grow: float, fill: int) -> None:
    r = size * 0.2 + grow
    for cx in (size * 0.33, size * 0.67):
        draw.ellipse((cx - r, size * 0.4 - r, cx + r, size * 0.4 + r), fill=fill)
    draw.polygon(
        [
            (size * 0.33 - r * 0.97, size * 0.47),
            (size * 0.67 + r * 0.97, size * 0.47),
            (size / 2, size * 0.9 + grow),
        ],
        fill=fill,
    )


def badge(size: int, *, petal: str, center: str) -> Image.Image:
    """Stand-in for a seller's option overlay image (those stay on Amazon's server)."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    c, r = size / 2, size * 0.09
    for step in range(8):
        angle = math.radians(45 * step)
        px, py = c + math.cos(angle) * r * 1.6, c + math.sin(angle) * r * 1.6
        draw.ellipse((px - r, py - r, px + r, py + r), fill=petal)
    draw.ellipse((c - r * 1.1, c - r * 1.1, c + r * 1.1, c + r * 1.1), fill=center)
    return image


def veil(size: int, *, left: float) -> Image.Image:
    """Stand-in for a 'print this side only' overlay: greys out everything right of `left`."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((round(left), 0, size, size), fill=(255, 255, 255, 150))
    return image


def jpeg(image: Image.Image, *, orientation: int | None = None) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation is not None:
        exif[EXIF_ORIENTATION] = orientation
    image.save(out, "JPEG", quality=JPEG_QUALITY, exif=exif)
    return out.getvalue()


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
