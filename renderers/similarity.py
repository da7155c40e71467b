"""How alike two grayscale pictures are, place by place: structural similarity with Pillow alone.

SSIM (Wang et al., 2004) compares local means, contrasts and correlations in a small Gaussian
window around every pixel; 1 is identical, 0 unrelated, negative inverted. Both pictures are
blurred a little first, so JPEG blocks, anti-aliasing and font hinting (what differs between two
faithful drawings of one design) hardly count, while a shift, a missing line of text or another
photo does.

The window sums run as Pillow's 5×5 integer convolution on 32-bit images ("I" mode, exact for
these magnitudes), the per-pixel algebra as `ImageMath` on 32-bit floats.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageFilter, ImageMath

__all__ = [
    "C2",
    "PRE_BLUR",
    "Similarity",
    "image_math",
    "masked_mean",
    "masked_similarity",
    "similarity",
]

PRE_BLUR = 1.0
"""Gaussian radius (pixels) both pictures are blurred by before they are compared."""

C1 = (0.01 * 255) ** 2  # the usual stabilisers for 8-bit pictures
C2 = (0.03 * 255) ** 2
_FIXED = 16  # pixel values are scaled by this before the integer window sums
_TAPS = [round(10 * math.exp(-(x * x) / (2 * 1.5**2))) for x in range(-2, 3)]  # σ = 1.5
_REACH = 6  # the blur and the SSIM window see this many pixels around each one
_WINDOW = ImageFilter.Kernel((5, 5), [a * b for a in _TAPS for b in _TAPS], scale=sum(_TAPS) ** 2)


@dataclass(frozen=True, slots=True)
class Similarity:
    """Per pixel ("F" images): the SSIM of two pictures, and the first one's local variance."""

    ssim: Image.Image
    variance: Image.Image


def similarity(a: Image.Image, b: Image.Image) -> Similarity:
    """The SSIM of every pixel of two same-sized pictures (-1…1), and `a`'s local variance."""
    if a.size != b.size:
        raise ValueError("the pictures differ in size")
    x, y = (_fixed(p.convert("L").filter(ImageFilter.GaussianBlur(PRE_BLUR))) for p in (a, b))
    products = {
        "xx": image_math(lambda e: e["x"] * e["x"], x=x),
        "yy": image_math(lambda e: e["y"] * e["y"], y=y),
        "xy": image_math(lambda e: e["x"] * e["y"], x=x, y=y),
    }
    scale, square = float(_FIXED), float(_FIXED * _FIXED)
    mx, my = (_window(p, scale) for p in (x, y))
    sxx, syy, sxy = (_window(products[k], square) for k in ("xx", "yy", "xy"))
    ssim: Image.Image = image_math(
        lambda e: (
            (2 * e["mx"] * e["my"] + C1)
            * (2 * (e["sxy"] - e["mx"] * e["my"]) + C2)
            / (
                (e["mx"] * e["mx"] + e["my"] * e["my"] + C1)
                * (e["sxx"] - e["mx"] * e["mx"] + e["syy"] - e["my"] * e["my"] + C2)
            )
        ),
        mx=mx,
        my=my,
        sxx=sxx,
        syy=syy,
        sxy=sxy,
    )
    variance = image_math(lambda e: e["sxx"] - e["mx"] * e["mx"], sxx=sxx, mx=mx)
    return Similarity(ssim, variance)


def masked_mean(
    values: Image.Image, mask: Image.Image, weights: Image.Image | None = None
) -> float | None:
    """The mean of an "F" image where `mask` ("L", same size) is set, weighted by `weights`
    ("F") if given; None if nothing is weighed."""
    weight = mask.point(lambda v: 1 if v else 0).convert("F")
    if weights is not None:
        weight = image_math(lambda e: e["m"] * e["w"], m=weight, w=weights)
    total = _mean(weight)
    if total <= 0:
        return None
    weighed = image_math(lambda e: e["v"] * e["w"], v=values, w=weight)
    return _mean(weighed) / total


def masked_similarity(a: Image.Image, b: Image.Image, mask: Image.Image) -> float | None:
    """The weighted mean SSIM of two pictures under `mask` ("L"), computed only around it.

    Each place counts by how much `a` (our design) shows there: where our print file is flat
    (paper between letters, a plain sky) the snapshot may show the product's texture or an
    overlay, and those places count little; where ours has structure, the snapshot must too.
    """
    box = mask.getbbox()
    if box is None:
        return None
    width, height = mask.size
    crop = (
        max(box[0] - _REACH, 0),
        max(box[1] - _REACH, 0),
        min(box[2] + _REACH, width),
        min(box[3] + _REACH, height),
    )
    alike = similarity(a.crop(crop), b.crop(crop))
    weights = image_math(lambda e: e["v"] + C2, v=alike.variance)
    return masked_mean(alike.ssim, mask.crop(crop), weights)


def image_math(expression: Callable[[dict[str, Any]], Any], **images: Image.Image) -> Image.Image:
    """`ImageMath.lambda_eval` (Pillow 10.3+), typed: the stubs in use predate it."""
    result = ImageMath.lambda_eval(expression, **images)  # type: ignore[attr-defined,unused-ignore]
    assert isinstance(result, Image.Image)
    return result


def _fixed(picture: Image.Image) -> Image.Image:
    scaled: Image.Image = image_math(lambda e: e["p"] * _FIXED, p=picture.convert("I"))
    return scaled


def _window(picture: Image.Image, scale: float) -> Image.Image:
    """The Gaussian-window mean of an "I" picture, as floats divided by `scale`."""
    summed = picture.filter(_WINDOW).convert("F")
    result: Image.Image = image_math(lambda e: e["s"] / scale, s=summed)
    return result


def _mean(picture: Image.Image) -> float:
    # Box-resampling to one pixel averages every pixel exactly once.
    value = picture.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    assert isinstance(value, float)
    return value
