"""Pictures and previews for the proof check's labelled set (`tests/finishing/proof_cases.py`).

Soft phone-like photos and product photos (a wood board, a white mug) drawn with Pillow, and
snapshots drawn from a sample-generator surface the way Amazon draws them, over a product
photo, compressed hard, or with one layer mirrored or moved: what the buyer saw, when our
print is meant to differ from it.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import replace
from functools import cache

from PIL import Image, ImageColor, ImageDraw, ImageFilter, ImageOps

from samples import snapshot
from samples.fabricjs import SvgDocument
from samples.surfaces import Order, Surface
from tests.finishing.zips import rewritten

__all__ = [
    "LayerEdit",
    "drawn",
    "jpeg",
    "mirrored",
    "mug",
    "shifted",
    "soft_photo",
    "with_snapshot",
    "wood",
    "zipped",
]


# -- pictures -----------------------------------------------------------------------------------


def soft_photo(size: tuple[int, int], seed: int) -> Image.Image:
    """A 'photo' like a phone's: soft shapes on a gradient, sensor noise, no sharp labels.

    The sample photos shout their orientation with big letters; a real portrait or landscape
    is mostly smooth, so mirrored or shifted it stays alike to a blurred comparison.
    """
    rng = random.Random(seed)
    full = size
    size = (size[0] // 4, size[1] // 4)  # drawn small and enlarged: it is smooth anyway
    width, height = size
    ramp = Image.linear_gradient("L").resize(size, Image.Resampling.BICUBIC)
    picture = ImageOps.colorize(ramp, _color(rng), _color(rng)).convert("RGB")
    shapes = Image.new("RGB", size)
    alpha = Image.new("L", size, 0)
    for _ in range(9):
        r = rng.uniform(0.08, 0.3) * min(size)
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        layer = Image.new("L", size, 0)
        ImageDraw.Draw(layer).ellipse((cx - r, cy - r * 1.3, cx + r, cy + r * 1.3), fill=200)
        shapes.paste(ImageColor.getrgb(_color(rng)), (0, 0), layer)
        alpha = Image.composite(layer, alpha, layer)
    blur = ImageFilter.GaussianBlur(min(size) * 0.02)
    picture = Image.composite(shapes.filter(blur), picture, alpha.filter(blur))
    picture = picture.resize(full, Image.Resampling.BICUBIC)
    noise = Image.effect_noise(full, 6).convert("RGB")
    return Image.blend(picture, noise, 0.04)


def _color(rng: random.Random) -> str:
    return "#" + "".join(f"{rng.randrange(40, 230):02x}" for _ in range(3))


def wood(size: int = snapshot.SIZE) -> Image.Image:
    """A light wood board seen from above: the product photo behind an engraved sign."""
    rng = random.Random(7)
    board = Image.new("RGB", (size, size), (222, 190, 150))
    draw = ImageDraw.Draw(board)
    for _ in range(90):
        y = rng.uniform(0, size)
        shade = rng.randrange(150, 205)
        wobble = rng.uniform(2, 9)
        points = [(x, y + wobble * ((x / 37 + y) % 3 - 1.5)) for x in range(0, size + 8, 8)]
        draw.line(points, fill=(shade, shade - 40, shade - 80), width=rng.choice((1, 1, 2)))
    return board.filter(ImageFilter.GaussianBlur(0.8))


def mug(size: int = snapshot.SIZE) -> Image.Image:
    """A white mug lit from the left: shading across the wrap, a speckled glaze."""
    ramp = Image.linear_gradient("L").rotate(90).resize((size, size))
    shade = ramp.point(lambda v: 255 - round(45 * abs(v - 96) / 160))
    speckle = Image.effect_noise((size, size), 10).point(lambda v: 0 if v < 140 else 30)
    gray = Image.merge("RGB", [shade] * 3)
    return Image.composite(Image.new("RGB", (size, size), (170, 170, 175)), gray, speckle)


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


# -- snapshots ----------------------------------------------------------------------------------

LayerEdit = Callable[[int, snapshot.Layer], snapshot.Layer]


def drawn(
    described: Surface,
    *,
    base: Image.Image | None = None,
    edit: LayerEdit | None = None,
    quality: int = snapshot.JPEG_QUALITY,
) -> bytes:
    """The surface's snapshot as Amazon would draw it, over `base`, with layer `edit`s."""
    layers: list[snapshot.Layer] = []
    for slot in described.slots:
        slot.draw(SvgDocument(first_clip_id=1), layers)
    if edit is not None:
        layers = [edit(index, layer) for index, layer in enumerate(layers)]
    if base is not None:
        art = base.convert("RGBA")
        units = (snapshot.SIZE / art.width, snapshot.SIZE / art.height)
        layers.insert(0, snapshot.Layer(art, (-200.0, -200.0), units, (1, 0, 0, 1, 200, 200), None))
    out = io.BytesIO()
    snapshot.draw(layers).save(out, "JPEG", quality=quality)
    return out.getvalue()


def mirrored(which: int) -> LayerEdit:
    """Layer `which` drawn mirrored left to right about its own centre."""

    def edit(index: int, layer: snapshot.Layer) -> snapshot.Layer:
        if index != which:
            return layer
        a, b, c, d, e, f = layer.matrix
        return replace(layer, matrix=(-a, -b, c, d, e, f))

    return edit


def shifted(which: int, dx: float, dy: float = 0.0) -> LayerEdit:
    """Layer `which` moved by (dx, dy) preview units inside its unmoved clip."""

    def edit(index: int, layer: snapshot.Layer) -> snapshot.Layer:
        if index != which:
            return layer
        a, b, c, d, e, f = layer.matrix
        return replace(layer, matrix=(a, b, c, d, e + dx, f + dy))

    return edit


def with_snapshot(order: Order, snapshot_jpeg: bytes) -> bytes:
    """The order's zip with its (only) surface's snapshot replaced."""
    [described] = order.surfaces
    return rewritten(zipped(order), members={described.snapshot_member: snapshot_jpeg})


@cache
def zipped(order: Order) -> bytes:
    """The order's zip, made once: drawing its snapshot is most of the set's making."""
    return order.zip_bytes()
