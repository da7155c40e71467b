"""How large a buyer photo may be, and opening one's header within that limit.

A JPEG passes into the print file byte for byte, and everything else reads only its header or
decodes it reduced (DCT scaling), so a 108-megapixel phone photo costs what its file costs, not
the 330 MB its pixels would. Pillow's own guard (a warning above 89 megapixels, an error above
179) is meant for code that decodes whole images; here it is moved to our limit, once, so that
Pillow still refuses anything beyond it wherever an image is opened.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence

from PIL import Image

__all__ = ["MAX_JPEG_PIXELS", "MAX_PNG_PIXELS", "open_image"]

MAX_JPEG_PIXELS = 250_000_000
"""Larger than any phone photo (a 200-megapixel sensor's full output); a header claiming more lies.

A named limit so that it can become a setting; a JPEG is never decoded whole, so memory does not
grow with it."""

MAX_PNG_PIXELS = 89_478_485
"""Pillow's own default: a PNG is decoded whole by the renderer (4 bytes a pixel)."""

if Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS < MAX_JPEG_PIXELS:
    Image.MAX_IMAGE_PIXELS = MAX_JPEG_PIXELS


def open_image(
    data: bytes, formats: Sequence[str] | None = None, *, notes: list[str] | None = None
) -> Image.Image:
    """The image's header (Pillow reads pixels only when asked), for photos up to our limit.

    What Pillow says of damaged metadata while opening it ("Tag data larger than file"; it
    skips what it cannot read) goes into `notes`, never to stderr: the zip reader reports it
    on the order once (`production.customization.images`).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        image = Image.open(io.BytesIO(data), formats=list(formats) if formats else None)
    for warning in caught:
        if issubclass(warning.category, UserWarning):
            if notes is not None:
                notes.append(str(warning.message))
        else:  # anything else (a decompression bomb) is not ours to silence
            warnings.warn(warning.message, warning.category, stacklevel=2)
    return image
