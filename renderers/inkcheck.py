"""Whether the print file has ink where the design puts each element: no blank or partial prints.

The proof picture (the print file rasterised on white) is looked at inside each compared region
(`proofcheck.Region`, in preview units): a region without a single inked pixel means the element
is missing from the print, wherever its ink went (off the page, or nowhere). This needs no
snapshot from Amazon, so it holds a blank print even when there is nothing to compare it with.
A text drawn in white (or nearly) cannot be seen on white paper and is not judged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PIL import Image, ImageChops

from production.core.geometry import Box, Matrix
from renderers.placement import PageGeometry

__all__ = ["INK_LEVEL", "ink_problems", "missing_ink"]

INK_LEVEL = 24  # a pixel is inked when one of its channels is this far below white
_MIN_INK_PIXELS = 3  # fewer than this in a region is stray antialiasing of a neighbour


class _RegionLike(Protocol):
    """What `missing_ink` reads of a region (`proofcheck.Region`)."""

    @property
    def name(self) -> str: ...
    @property
    def box(self) -> Box: ...
    @property
    def color(self) -> tuple[int, int, int] | None: ...
    @property
    def drawn(self) -> tuple[int, int, int] | None: ...


def missing_ink(
    picture: Image.Image, page: PageGeometry, scale: float, regions: Sequence[_RegionLike]
) -> tuple[str, ...]:
    """The names of the regions where `picture` (the proof, `scale` pixels a point) is blank."""
    to_pixels = page.to_page.then(Matrix.scale(scale))
    missing = []
    for region in regions:
        colour = region.drawn or region.color
        if colour is not None and min(colour) > 255 - INK_LEVEL:
            continue  # white on white: not to be seen, whatever was drawn
        if _inked_pixels(picture, to_pixels.map_box(region.box)) < _MIN_INK_PIXELS:
            missing.append(region.name)
    return tuple(dict.fromkeys(missing))


def ink_problems(
    elements: Sequence[str], regions: Sequence[str], missing: Sequence[str]
) -> list[str]:
    """Why the print lacks what the design shows, one sentence each; [] when nothing lacks.

    `elements`: what the design shows (texts with glyphs, photos), by name; `regions`: those
    of them inside Amazon's design area (the rest lie outside it, or wholly outside their
    placement box); `missing`: the regions the print file has no ink in. A design without a
    visible element (none, or texts of spaces only) prints nothing by design and is not held
    here: there is nothing it should have shown.
    """
    problems = []
    outside = [name for name in dict.fromkeys(elements) if name not in set(regions)]
    if outside:
        problems.append(
            f"the design puts {', '.join(outside)} outside Amazon's design area (or its "
            "placement box): the print file has no ink for it"
        )
    if missing and not outside and set(missing) == set(regions):
        problems.append(f"the print file is blank although the design shows {', '.join(missing)}")
    elif missing:
        problems.append(
            f"the print file has no ink where the design puts {', '.join(missing)}: it would "
            "print without it"
        )
    return problems


def _inked_pixels(picture: Image.Image, box: Box) -> int:
    left, top = max(int(box.x), 0), max(int(box.y), 0)
    right = min(int(box.right) + 1, picture.width)
    bottom = min(int(box.bottom) + 1, picture.height)
    if right <= left or bottom <= top:
        return 0  # off the page altogether
    red, green, blue = picture.crop((left, top, right, bottom)).convert("RGB").split()
    darkest = ImageChops.darker(red, ImageChops.darker(green, blue))  # each pixel's lowest
    return sum(darkest.histogram()[: 256 - INK_LEVEL])  # levels 0 … 255 - INK_LEVEL
