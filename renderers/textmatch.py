"""How alike a text of our print is to the same text in Amazon's preview.

A text is judged on its letters: each picture becomes its nearness to the colour it draws the
text in (ours the colour our file uses, Amazon's the buyer's), so that the board, photo or
product under the letters is not the text. Three things are asked:

- *shape*: structural similarity of the two nearness pictures where either has letters, around
  our letters' box. Letters moved, mirrored, or drawn in another font score low.
- *nothing missing*: the preview's letters that our print has nowhere near, anywhere inside the
  text's placement box (where Amazon could have drawn it), as a share of the preview's letters.
  A line our print lacks is outside our letters' box, where *shape* never looks.
- for a font the shop substitutes (an alias), *layout* instead of shape: the glyphs are another
  font's and a line may be wider or narrower, but the lines must sit at the same heights (their
  row profiles correlate) and start at the same place (the left edge of the letters).

Letters and ink are masks, "L" pictures of 0 and 255, counted by their histograms: Pillow does
all of it but the layout, which alone loads NumPy (a text in its own font never does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image, ImageChops, ImageFilter

from renderers.similarity import masked_similarity

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Coverage = npt.NDArray[np.float64]

__all__ = ["NEAR", "TextMatch", "match_text", "nearness"]

Mask = Image.Image  # "L": 255 where set, 0 elsewhere

NEAR = 32  # a text's letters are this near its colour (0…255, luma-weighted difference)
_GROW = 2  # and judged this many pixels around them
_REACH = 8  # pixels around the masks that the blur, the window and the growing see
_MISSING_GROW = 3  # a preview letter this near ink of ours is not missing
_INK = 0.75  # our ink: a quarter of the way from paper to the colour, at least
_EDGE_SHARE = 0.03  # a line of letters starts where this share of its ink lies left of it
_MIN_LETTERS = 12  # pixels: fewer of the preview's letters than this cannot be missed
_MISSING_WEIGHT = 3.0  # a tenth of the preview's letters missing costs 0.3
_PROFILE_BLUR = 1.5  # pixels: row profiles are smoothed so a hinting difference is not a shift
_FREE_MM = 1.0  # a substitute's letters may start this far from the original's
_SPAN_MM = 2.5  # and each millimetre further costs 1 / 2.5 of the score
_SUBSTITUTE_REACH = 0.35  # a substitute's line may end this share of a line's length away


@dataclass(frozen=True, slots=True)
class TextMatch:
    """A text's score and what was found, in words a person reads next to the pictures."""

    score: float | None
    remark: str | None = None


def nearness(picture: Image.Image, ink: tuple[int, int, int]) -> Image.Image:
    """Each pixel's distance from `ink`, "L" (luma-weighted difference of the channels)."""
    return ImageChops.difference(picture, Image.new("RGB", picture.size, ink)).convert("L")


def match_text(
    ours: Image.Image,
    theirs: Image.Image,
    *,
    drawn: tuple[int, int, int],
    color: tuple[int, int, int],
    mask: Image.Image,
    clip: Image.Image,
    mm_per_unit: float,
    substitute: bool,
) -> TextMatch:
    """Judge one text: `mask` is around our letters, `clip` its placement box ("L" masks)."""
    # Only the part of the pictures around the two masks matters.
    bounds = _around(mask, clip, ours.size)
    ours, theirs, mask, clip = (picture.crop(bounds) for picture in (ours, theirs, mask, clip))
    near = [nearness(ours, drawn), nearness(theirs, color)]
    if drawn != color:
        # Our paper is as far from our ink as Amazon's white would be from the buyer's colour.
        factor = _luma_distance(color) / max(_luma_distance(drawn), 1.0)
        near[0] = near[0].point(lambda v: v * factor)
    ours_letters, theirs_letters = (_letters(n) for n in near)
    # Our print is on white paper: any ink of ours is ours, however thin (a stroke narrower
    # than a preview pixel never comes near the full colour).
    ours_ink = _below(near[0], _INK * _luma_distance(color))
    reach = (_MISSING_GROW, _MISSING_GROW)
    if substitute:
        width = _width(ours_ink, mask)
        reach = (max(_MISSING_GROW, round(width * _SUBSTITUTE_REACH)), _MISSING_GROW)
    missing = _missing(ours_ink, theirs_letters, clip, reach)
    if substitute:
        coverage = [_coverage(n, _luma_distance(color)) for n in near]
        shape, remark = _layout(coverage[0], coverage[1], mask, mm_per_unit)
    else:
        shape, remark = _shape(near, ours_letters, theirs_letters, mask), None
    scores = [value for value in (shape,) if value is not None]
    if missing is not None:
        scores.append(max(0.0, 1 - _MISSING_WEIGHT * missing))
        if missing >= 0.1:
            remark = f"{missing:.0%} of the preview's letters are not in the print"
    return TextMatch(min(scores) if scores else None, remark)


def _around(
    mask: Image.Image, clip: Image.Image, size: tuple[int, int]
) -> tuple[int, int, int, int]:
    """The box around both masks, widened by what the SSIM window and blur reach."""
    boxes = [box for box in (mask.getbbox(), clip.getbbox()) if box is not None]
    if not boxes:
        return (0, 0, *size)
    reach = _REACH
    return (
        max(min(box[0] for box in boxes) - reach, 0),
        max(min(box[1] for box in boxes) - reach, 0),
        min(max(box[2] for box in boxes) + reach, size[0]),
        min(max(box[3] for box in boxes) + reach, size[1]),
    )


def _shape(near: list[Image.Image], ours: Mask, theirs: Mask, mask: Image.Image) -> float | None:
    """SSIM of the nearness pictures where either has letters (widened by `_GROW`)."""
    letters = ImageChops.lighter(ours, theirs)
    grown = letters.filter(ImageFilter.BoxBlur(_GROW)).point(lambda v: 255 if v else 0)
    judged = ImageChops.multiply(grown, mask)
    return masked_similarity(near[0], near[1], judged if judged.getbbox() else mask)


def _missing(ours: Mask, theirs: Mask, clip: Image.Image, reach: tuple[int, int]) -> float | None:
    """The share of the preview's letters inside `clip` that have none of ours near them."""
    wanted = ImageChops.darker(theirs, _below(clip, 1, inverse=True))
    count = _count(wanted)
    if count < _MIN_LETTERS:
        return None
    covered = _dilate(ours, *reach)
    return float(_count(ImageChops.subtract(wanted, covered))) / count


def _layout(
    ours: Coverage, theirs: Coverage, mask: Image.Image, mm_per_unit: float
) -> tuple[float | None, str | None]:
    """A substitute font's lines against the preview's: the same rows, the same left edge.

    Judged on coverage (how much of each pixel the letters cover), not on letter masks: thin
    strokes at preview resolution are never fully covered, and the edge of a few pixels is
    no edge.
    """
    import numpy as np

    inside = np.asarray(mask) > 0
    rows = np.flatnonzero(inside.any(axis=1))
    columns = np.flatnonzero(inside.any(axis=0))
    if not rows.size or not columns.size:
        return None, None
    window = (slice(rows[0], rows[-1] + 1), slice(columns[0], columns[-1] + 1))
    a = ours[window]
    # The preview's product shows a little everywhere: what every place has is not letters.
    b = np.maximum(theirs[window] - float(np.percentile(theirs[window], 20)), 0.0)
    if float(a.sum()) < _MIN_LETTERS:
        return None, None
    if float(b.sum()) < _MIN_LETTERS:
        return 0.0, "the preview shows no letters where ours are"
    profile = float(np.corrcoef(_smooth(a.sum(axis=1)), _smooth(b.sum(axis=1)))[0, 1])
    offset_mm = abs(_left(a) - _left(b)) * mm_per_unit
    placed = max(0.0, 1 - max(0.0, offset_mm - _FREE_MM) / _SPAN_MM)
    remark = None
    if placed < profile:
        remark = f"its letters start {offset_mm:.1f} mm from where the preview's start"
    return min(profile, placed), remark


def _left(coverage: Coverage) -> float:
    """Where the letters start: the column left of which `_EDGE_SHARE` of their ink lies."""
    import numpy as np

    columns = np.cumsum(coverage.sum(axis=0))
    return float(np.searchsorted(columns, _EDGE_SHARE * columns[-1]))


def _coverage(distance: Image.Image, full: float) -> Coverage:
    """How much of each pixel the letters cover (0…1), from its distance to their colour."""
    import numpy as np

    coverage: Coverage = np.clip(1 - np.asarray(distance, dtype=np.float64) / max(full, 1), 0, 1)
    return coverage


def _width(letters: Mask, mask: Image.Image) -> int:
    """How many columns the letters span inside `mask`."""
    box = ImageChops.darker(letters, _below(mask, 1, inverse=True)).getbbox()
    return box[2] - box[0] if box is not None else 0


def _smooth(profile: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    import numpy as np

    radius = int(3 * _PROFILE_BLUR)
    taps = np.exp(-(np.arange(-radius, radius + 1) ** 2) / (2 * _PROFILE_BLUR**2))
    smoothed: npt.NDArray[np.float64] = np.convolve(profile, taps / taps.sum(), mode="same")
    return smoothed


def _dilate(letters: Mask, across: int, down: int) -> Mask:
    """Every pixel within `across` columns and `down` rows of a set one (a box dilation)."""
    width, height = letters.size
    # A crop reaching past the picture is black there: shifted copies, nothing wrapped around.
    rows = letters
    for dx in range(-across, across + 1):
        if dx:
            rows = ImageChops.lighter(rows, letters.crop((dx, 0, dx + width, height)))
    dilated = rows
    for dy in range(-down, down + 1):
        if dy:
            dilated = ImageChops.lighter(dilated, rows.crop((0, dy, width, dy + height)))
    return dilated


def _letters(distance: Image.Image) -> Mask:
    """Where a picture is near the ink colour (its nearness below `NEAR`)."""
    return _below(distance, NEAR)


def _below(picture: Image.Image, level: float, *, inverse: bool = False) -> Mask:
    """255 where the "L" picture is below `level` (`inverse`: at or above it), else 0."""
    table = [255 if (value < level) != inverse else 0 for value in range(256)]
    return picture.point(table)


def _count(mask: Mask) -> int:
    """How many pixels are set."""
    return int(mask.histogram()[255])


def _luma_distance(color: tuple[int, int, int]) -> float:
    """How far white is from `color`, as `nearness` measures it."""
    r, g, b = (255 - c for c in color)
    return (299 * r + 587 * g + 114 * b) / 1000
