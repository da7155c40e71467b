"""How alike a photo of our print is to the same photo in Amazon's preview, and where it sits.

SSIM (`renderers.similarity`) looks through a window three pixels wide, and a phone photo is
smooth at that scale: two unrelated photos, a blank print, or the photo mirrored or moved by
12 mm all look alike through it (locally flat, so its stabilisers make everything 1). So a photo
is also judged, on the preview's own pixels, by

- its *correlation*: normalized cross-correlation in windows 15 pixels wide, weighted by how
  much either picture varies there, over the whole photo and over each of its ninths (the
  worst counts: another face in one corner is another photo). Another photo, a mirror image
  or a blank print correlate little however smooth they are; a veil or shading drawn over the
  preview does not change it, since correlation ignores a change of brightness and contrast;
- its *place*: where our photo matches the preview best, searched by FFT cross-correlation
  over `SEARCH_UNITS` around where it is printed and refined to a tenth of a pixel. A photo
  printed a few millimetres from where the buyer put it correlates well with the preview
  anyway; its offset does not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["SEARCH_UNITS", "PhotoMatch", "Placement", "correlation", "match_photo", "placement"]

Gray = npt.NDArray[np.floating[Any]]

SEARCH_UNITS = 24  # preview units searched around the printed place (12 mm on a mug is 17)
_WINDOW = 15  # pixels: the correlation windows' side
_NOISE = 1.0  # gray-level variance of a flat area's noise (banding, JPEG): it correlates 0
_TILES = 3  # the photo is also judged in 3×3 parts
_FLAT_TILE = 0.2  # a part varying less than this share of the photo's mean is not judged
_MIN_PEAK = 0.5  # a best match weaker than this is not the same picture: no place to tell
_MIN_STRUCTURE = 4.0  # gray-level standard deviation a photo needs for its place to be found


@dataclass(frozen=True, slots=True)
class Placement:
    """Where our photo matches the preview best: the offset (pixels) and how well it matches."""

    dx: float
    dy: float
    peak: float  # the normalized cross-correlation there
    at_zero: float  # and where it is printed

    @property
    def distance(self) -> float:
        return math.hypot(self.dx, self.dy)


def correlation(ours: Gray, theirs: Gray, weight: Gray | None = None) -> float | None:
    """The local correlation of two same-sized gray pictures (-1…1): the lower of the whole's
    and its worst part's.

    A place counts by how much either picture varies there (a blank print against a photo
    counts fully and correlates 0); `weight` (0…1) scales that. None: both are flat.
    """
    mo, mt = _box(ours), _box(theirs)
    vo = np.maximum(_box(ours * ours) - mo * mo, 0.0)
    vt = np.maximum(_box(theirs * theirs) - mt * mt, 0.0)
    local = (_box(ours * theirs) - mo * mt) / np.sqrt((vo + _NOISE) * (vt + _NOISE))
    weights = np.maximum(vo, vt)
    if weight is not None:
        weights = weights * weight
    whole = _weighted(local, weights, _NOISE * weights.size)
    if whole is None:
        return None
    height, width = local.shape
    floor = _FLAT_TILE * float(weights.mean())
    parts = [whole]
    for row in range(_TILES):
        for column in range(_TILES):
            rows = slice(row * height // _TILES, (row + 1) * height // _TILES)
            columns = slice(column * width // _TILES, (column + 1) * width // _TILES)
            tile = weights[rows, columns]
            if tile.size and float(tile.mean()) >= floor:
                part = _weighted(local[rows, columns], tile, 0.0)
                if part is not None:
                    parts.append(part)
    return min(parts)


def _weighted(values: Gray, weights: Gray, least: float) -> float | None:
    total = float(weights.sum())
    if total <= least:
        return None
    return float((values * weights).sum() / total)


def placement(ours: Gray, theirs: Gray, radius: int) -> Placement | None:
    """Where `ours` (h×w) matches best inside `theirs` ((h+2r)×(w+2r), centred on it).

    None when the photo is too flat to be placed, or matches nowhere: then its place cannot be
    told from the pictures (and `correlation` says whether it is the same photo at all).
    """
    h, w = ours.shape
    # The template keeps clear of the photo's edges: the preview's clip edge does not move
    # with the photo, and would pull the best match back towards where it is printed.
    inset = min(radius // 2, h // 6, w // 6)
    ours = ours[inset : h - inset, inset : w - inset]
    theirs = theirs[inset : theirs.shape[0] - inset, inset : theirs.shape[1] - inset]
    if float(ours.std()) < _MIN_STRUCTURE or min(ours.shape) < 8:
        return None
    surface = _ncc_surface(ours, theirs)
    iy, ix = (int(i) for i in np.unravel_index(int(np.argmax(surface)), surface.shape))
    peak = float(surface[iy, ix])
    at_zero = float(surface[radius, radius])
    if peak < _MIN_PEAK:
        return None
    dy = iy - radius + _vertex(surface, iy, ix, axis=0)
    dx = ix - radius + _vertex(surface, iy, ix, axis=1)
    return Placement(float(dx), float(dy), peak, at_zero)


def _ncc_surface(template: Gray, image: Gray) -> Gray:
    """Normalized cross-correlation of `template` at every place it fits wholly in `image`."""
    h, w = template.shape
    big_h, big_w = image.shape
    t = template - template.mean()
    t_norm = math.sqrt(float((t * t).sum())) or 1.0
    # Every offset wanted keeps the template inside the image, so a circular correlation of
    # the image's own size never wraps around.
    shape = (_fast_length(big_h), _fast_length(big_w))
    spectrum = np.fft.rfft2(image, shape) * np.conj(np.fft.rfft2(t, shape))
    products = np.fft.irfft2(spectrum, shape)[: big_h - h + 1, : big_w - w + 1]
    sums = _window_sums(image, h, w)
    squares = _window_sums(image * image, h, w)
    energy = np.maximum(squares - sums * sums / (h * w), 1e-9)
    result: Gray = products / (t_norm * np.sqrt(energy))
    return result


def _fast_length(n: int) -> int:
    """The least length of at least `n` with no prime factor above 5: FFTs of it are fast."""
    while True:
        m = n
        for prime in (2, 3, 5):
            while m % prime == 0:
                m //= prime
        if m == 1:
            return n
        n += 1


def _window_sums(image: Gray, h: int, w: int) -> Gray:
    """The sum of every h×w window that fits in `image`: integral images, four lookups each."""
    table = np.zeros((image.shape[0] + 1, image.shape[1] + 1))
    table[1:, 1:] = image.cumsum(0).cumsum(1)
    result: Gray = table[h:, w:] - table[:-h, w:] - table[h:, :-w] + table[:-h, :-w]
    return result


def _vertex(surface: Gray, iy: int, ix: int, *, axis: int) -> float:
    """The sub-pixel offset of the peak along `axis`, from a parabola through three values."""
    size = surface.shape[axis]
    at = iy if axis == 0 else ix
    if at == 0 or at == size - 1:
        return 0.0
    if axis == 0:
        before, here, after = surface[iy - 1, ix], surface[iy, ix], surface[iy + 1, ix]
    else:
        before, here, after = surface[iy, ix - 1], surface[iy, ix], surface[iy, ix + 1]
    curve = before - 2 * here + after
    if curve >= 0:
        return 0.0
    return float(np.clip(0.5 * (before - after) / curve, -0.5, 0.5))


def _box(image: Gray) -> Gray:
    """The mean of the `_WINDOW`-sided square around every pixel (the edges repeated)."""
    pad = _WINDOW // 2
    padded = np.pad(image, pad, mode="edge")
    result: Gray = _window_sums(padded, _WINDOW, _WINDOW) / (_WINDOW * _WINDOW)
    return result


@dataclass(frozen=True, slots=True)
class PhotoMatch:
    """A photo's score (None: nothing to judge) and what was found, for a person."""

    score: float | None
    remark: str | None = None


def match_photo(
    ours: Gray,
    snapshot: Gray,
    at: tuple[int, int],
    *,
    mm_per_unit: float,
    opaque: bool,
) -> PhotoMatch:
    """Judge our photo `ours` (gray, its region's pixels) against the whole `snapshot`.

    `at` is where the region's top-left pixel is in the snapshot. A photo that may be
    transparent (a PNG) is judged only where our print shows it: elsewhere the preview shows
    the product through it. One our print shows nowhere scores 0.
    """
    height, width = ours.shape
    r = SEARCH_UNITS
    padded = np.pad(snapshot, r, mode="edge")
    x, y = at[0] + r, at[1] + r
    same = padded[y : y + height, x : x + width]
    weight = None
    if not opaque:
        weight = _shown(ours)
        if not weight.any():
            return PhotoMatch(0.0, "the print shows nothing of it")
    correlated = correlation(ours, same, weight)
    if correlated is None:
        return PhotoMatch(None)
    scores = [correlated]
    remark = None
    found = placement(ours, padded[y - r : y + height + r, x - r : x + width + r], r)
    if found is not None:
        off_mm = found.distance * mm_per_unit
        free = max(_FREE_MM, 0.5 * mm_per_unit)  # half a preview pixel is below what is seen
        placed = max(0.0, 1 - max(0.0, off_mm - free) / _SPAN_MM)
        scores.append(placed)
        if placed < 1:
            remark = _offset(found, mm_per_unit)
    if correlated < _ANOTHER and remark is None:
        remark = "it does not look like the preview's photo (another photo, or mirrored?)"
    return PhotoMatch(min(scores), remark)


_FREE_MM = 1.0  # a photo may sit this far from the preview's place
_SPAN_MM = 2.5  # and every millimetre further costs 1 / 2.5 of the score: 2 mm scores 0.6
_ANOTHER = 0.6  # correlating less than this, the photo is not the preview's one
_PAPER = 250  # gray level: lighter is our paper, not the photo


def _shown(ours: Gray) -> npt.NDArray[np.float64]:
    """Where our print shows a possibly transparent photo: not paper, widened by a window."""
    ink = (ours < _PAPER).astype(np.float64)
    return (_box(ink) > 0).astype(np.float64)


def _offset(found: Placement, mm_per_unit: float) -> str:
    """Where the preview shows the photo, seen from where we print it."""
    parts = []
    for value, positive, negative in ((found.dx, "right", "left"), (found.dy, "below", "above")):
        mm = value * mm_per_unit
        if abs(mm) >= 0.5:
            parts.append(f"{abs(mm):.1f} mm {positive if mm > 0 else negative}")
    return "the preview shows it " + " and ".join(parts or ["elsewhere"]) + " of where it prints"
