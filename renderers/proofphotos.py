"""Buyer photos at the proof's resolution, for drawing the proof of a print surface.

The proof is a picture of the page about 600 pixels across; a phone photo on it is 12 megapixels
that PDFium decodes in full (80 ms for a 4.4 MB JPEG) only to shrink it to a few hundred pixels.
So the proof is drawn from the same design by the same renderer, with each large JPEG replaced
by a copy reduced while it is decoded (draft mode: DCT scaling, never the whole image). The copy
keeps the stored pixels' layout, and the renderer paints any image into the same unit square, so
every placement, rotation and clip is the print file's own. PNGs are left alone: the print PDF holds
them re-compressed by the renderer, which PDFium reads faster than Pillow reads the original.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

from PIL import Image

from production.core.geometry import MM
from production.core.model import ImageElement, Surface
from production.core.photos import open_image
from renderers.pdf import image_report
from renderers.placement import PageGeometry

__all__ = ["proof_members"]

# A reduced photo keeps at least this many pixels per proof pixel. DCT scaling stops at the
# next 1/2, 1/4 or 1/8 above it, so the copy has one to two: the proof's scores are those of a
# copy twice as large (the benchmark photo's 0.978 either way), at a quarter of its pixels.
_ROOM = 1.0
_MIN_FACTOR = 2  # photos that would shrink less than this are left as they are


def proof_members(
    surface: Surface, page: PageGeometry, members: Mapping[str, bytes], *, scale: float
) -> dict[str, bytes]:
    """`members` with the surface's large photos reduced for a proof at `scale` px per point."""
    reduced = dict(members)
    for element in surface.images:
        data = members.get(element.member)
        if data is None or element.media_type != "image/jpeg":
            continue
        factor = _factor(element, page, scale)
        if factor >= _MIN_FACTOR:
            smaller = _reduced(data, factor)
            if smaller is not None:
                reduced[element.member] = smaller
    return reduced


def _factor(element: ImageElement, page: PageGeometry, scale: float) -> int:
    """By how much the stored photo can shrink and still give the proof `_ROOM` to spare."""
    printed = image_report(element, page).printed_mm
    needed = max(printed) * MM * scale * _ROOM  # pixels along the longer printed side
    stored = max(element.pixel_size.width, element.pixel_size.height)
    return int(stored / needed) if needed > 0 else 1


def _reduced(data: bytes, factor: int) -> bytes | None:
    """The JPEG at least `factor` times smaller, as decoded by DCT scaling; None if unreadable.

    The decoder scales by 1/2, 1/4 or 1/8 while it decodes, so the full image is never held:
    a 108-megapixel photo costs its reduced size. A photo that needs more than 1/8 is averaged
    down by the rest of `factor` in whole steps (still one to two pixels per proof pixel), so
    PDFium does not decode a picture many times larger than the proof only to shrink it.
    Whatever size comes out fills the same unit square on the page.
    """
    try:
        picture = open_image(data, formats=["JPEG"])
        width, height = picture.size
        picture.draft("RGB", (max(1, width // factor), max(1, height // factor)))
        # A colour JPEG decodes to RGB already: converting would only copy it.
        smaller = picture if picture.mode == "RGB" else picture.convert("RGB")
        rest = factor // max(1, width // smaller.width)  # what DCT scaling left to do
        if rest >= 2:
            smaller = smaller.reduce(rest)
        out = io.BytesIO()
        smaller.save(out, "JPEG", quality=90)
        return out.getvalue()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None  # the print render took it as it is: so does the proof, then
