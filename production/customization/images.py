"""Buyer photos: format, pixel size after EXIF orientation, and completeness — without decoding.

Decoding a 24-megapixel photo costs a quarter of a second and ~70 MB; everything parsing needs
is in the file's header and its last bytes.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from production.core.geometry import Size
from production.core.photos import MAX_JPEG_PIXELS, MAX_PNG_PIXELS, open_image

__all__ = ["ImageInfo", "ImageProblem", "inspect_image", "max_pixels"]

_MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
_ORIENTATION_TAG = 0x0112
_SWAPPING_ORIENTATIONS = frozenset({5, 6, 7, 8})


class ImageProblem(ValueError):
    """The image cannot be used; the message says why, without naming the buyer's file."""


@dataclass(frozen=True, slots=True)
class ImageInfo:
    media_type: str
    stored_size: Size
    orientation: int
    exif_damaged: bool = False  # Pillow skipped some of its EXIF: the orientation may be lost

    @property
    def oriented_size(self) -> Size:
        if self.orientation in _SWAPPING_ORIENTATIONS:
            return Size(self.stored_size.height, self.stored_size.width)
        return self.stored_size


def inspect_image(data: bytes) -> ImageInfo:
    """Read an upload's header; raise `ImageProblem` for unknown, truncated or absurd images."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            notes: list[str] = []
            image = open_image(data, formats=list(_MEDIA_TYPES), notes=notes)
            width, height = image.size
            orientation, unreadable = _orientation(image)
            image_format = image.format or ""
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageProblem("its header claims an absurd pixel count (decompression bomb)") from exc
    except UnidentifiedImageError as exc:
        raise ImageProblem("it is not a JPEG or PNG image") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageProblem("its header is damaged") from exc
    if width <= 0 or height <= 0:
        raise ImageProblem("it has no pixels")
    if width * height > max_pixels(image_format):
        raise ImageProblem(
            f"its header claims {width}×{height} pixels, more than any photo (decompression bomb)"
        )
    if image_format == "JPEG":
        _check_jpeg_complete(data)
    else:
        _check_png_complete(data)
    damaged = unreadable or bool(notes)
    return ImageInfo(_MEDIA_TYPES[image_format], Size(width, height), orientation, damaged)


def max_pixels(image_format: str) -> int:
    """The most pixels an upload of this format may have: a JPEG is never decoded whole."""
    return MAX_JPEG_PIXELS if image_format == "JPEG" else MAX_PNG_PIXELS


def _orientation(image: Image.Image) -> tuple[int, bool]:
    """The EXIF orientation (1 when there is none), and whether the EXIF is damaged.

    Pillow tells of damaged EXIF ("Tag data larger than file") with warnings, which would land
    on the daemon's stderr once per photo: they are caught here and become one flag.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            orientation = _read_orientation(image)
        except (OSError, SyntaxError, ValueError, KeyError, TypeError):
            return 1, True  # unreadable EXIF: the pixels are as stored
    return orientation, any(issubclass(w.category, UserWarning) for w in caught)


def _read_orientation(image: Image.Image) -> int:
    if image.format == "PNG":
        # PngImageFile.getexif() decodes the whole image to look for a late eXIf chunk;
        # an early one is already in `info`, and that is the one viewers honour.
        raw = image.info.get("exif")
        exif = Image.Exif()
        if isinstance(raw, bytes):
            exif.load(raw)
    else:
        exif = image.getexif()
    value = exif.get(_ORIENTATION_TAG, 1)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _check_jpeg_complete(data: bytes) -> None:
    """A complete JPEG has an end-of-image marker after its first scan."""
    scan = _first_scan_offset(data)
    if scan is None:
        raise ImageProblem("it is truncated (the JPEG has no image data)")
    if data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        return  # the usual case, decided without scanning megabytes
    # Inside entropy-coded data 0xFF is always followed by 0x00 or a restart marker, so the first
    # FF D9 after the scan starts is the real end of the image (trailers after it are harmless).
    if data.find(b"\xff\xd9", scan) < 0:
        raise ImageProblem("it is truncated (the JPEG ends before its last scan)")


def _first_scan_offset(data: bytes) -> int | None:
    position = 2  # after SOI
    length = len(data)
    while position + 4 <= length:
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xDA:  # start of scan
            return position
        if 0xD0 <= marker <= 0xD8 or marker == 0x01:
            position += 2
            continue
        segment = int.from_bytes(data[position + 2 : position + 4], "big")
        position += 2 + segment
    return None


def _check_png_complete(data: bytes) -> None:
    """Walk the chunk list (lengths only, no inflating) and require IEND."""
    position = 8
    length = len(data)
    while position + 8 <= length:
        size = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        position += 12 + size
        if position > length:
            break
        if kind == b"IEND":
            return
    raise ImageProblem("it is truncated (the PNG ends before its last chunk)")
