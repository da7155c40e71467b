"""The PDF/X output intent's sRGB profile is Little CMS's, with one date: the same bytes always.

Little CMS stamps a profile with the time it is built, so every print file differed from the
one rendered a second earlier. The profile carries a fixed creation date instead.
"""

from __future__ import annotations

import io
import struct

from PIL import ImageCms

from renderers.pdfx import srgb_profile


def test_the_profile_is_little_cms_srgb_with_a_fixed_date() -> None:
    ours = srgb_profile()
    fresh = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()  # type: ignore[no-untyped-call]
    assert ours[24:36] == struct.pack(">6H", 2000, 1, 1, 0, 0, 0)  # ICC header: dateTimeNumber
    assert ours[:24] + ours[36:] == fresh[:24] + fresh[36:]  # nothing else differs
    readable = ImageCms.ImageCmsProfile(io.BytesIO(ours))
    assert "sRGB" in ImageCms.getProfileDescription(readable)  # type: ignore[no-untyped-call]


def test_building_it_again_gives_the_same_bytes() -> None:
    first = srgb_profile()
    srgb_profile.cache_clear()
    assert srgb_profile() == first
