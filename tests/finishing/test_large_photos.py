"""The photo path: a 108-megapixel phone photo renders, byte for byte, and is never decoded whole.

The zip is made by the sample generator (a mug with the photo in its front image box and its
snapshot drawn from that photo), so the proof check compares a real preview. Only the JPEG's
header is needed to place and check it; the proof decodes it reduced by DCT scaling.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from pathlib import Path
from unittest.mock import patch

import pytest
from PIL import Image, ImageFile

from production.config.settings import load_settings
from production.core.photos import MAX_JPEG_PIXELS
from production.customization import parse_zip
from production.customization.images import ImageProblem, inspect_image
from production.floor.rendering import ItemRenderer, JobOutput
from samples.amazon_format import sample_uuid
from samples.make_samples import BLACK, ROBOTO, ids, mug_image, mug_text, surface
from samples.surfaces import Order, Slot, Upload

SIZE = (12000, 9000)  # 108 megapixels: more than Pillow's 89-megapixel guard
ASIN = "B0LARGE108"
PRODUCTS = f"""\
[[product]]
asin = "{ASIN}"
name = "11 oz photo mug"

[[product.surface]]
name = "FRONT"
printer = "uv-1"
process = "print"
width_mm = 215.9
height_mm = 88.9
bleed_mm = 3.0
"""
PRINTERS = """\
[[printer]]
id = "uv-1"
name = "UV printer"
hot_folder = "hot/uv-1"
"""


def large_photo() -> bytes:
    """A 12000×9000 grayscale JPEG of faint noise, which a zip cannot squeeze like flat grey."""
    tile = Image.frombytes("L", (509, 499), random.Random(108).randbytes(509 * 499))
    tile = tile.point(lambda v: 120 + v * 9 // 256)
    picture = Image.new("L", SIZE)
    for x in range(0, SIZE[0], tile.width):
        for y in range(0, SIZE[1], tile.height):
            picture.paste(tile, (x, y))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=75)
    return out.getvalue()


@pytest.fixture(scope="module")
def photo() -> bytes:
    return large_photo()


@pytest.fixture(scope="module")
def order_zip(photo: bytes) -> bytes:
    upload = Upload(f"{sample_uuid('large', 'front')}.jpg", photo, "IMG_0108.jpeg")
    slots: list[Slot] = [
        mug_image("FRONT", upload),
        mug_text("FRONT", ROBOTO, BLACK, "Best Dad Ever"),
    ]
    mug = surface("large", "FRONT", "11 WHITE - photo mug", slots, first_clip_id=1)
    return Order(*ids(77), ASIN, "Photo mug (108 MP)", (mug,), with_xml=False).zip_bytes()


@pytest.fixture
def renderer(tmp_path: Path) -> ItemRenderer:
    (tmp_path / "products.toml").write_text(PRODUCTS)
    (tmp_path / "printers.toml").write_text(PRINTERS)
    (tmp_path / "shop.toml").write_text("")
    return ItemRenderer(load_settings(tmp_path))


@pytest.fixture
def decoded() -> Iterator[list[tuple[int, int]]]:
    """The pixel size of every picture Pillow decodes while the test runs."""
    sizes: list[tuple[int, int]] = []
    original = ImageFile.ImageFile.load

    def counting_load(self: ImageFile.ImageFile) -> object:
        if self.tile:  # pixels still to decode (a second load() decodes nothing)
            sizes.append(self.size)
        return original(self)

    with patch.object(ImageFile.ImageFile, "load", counting_load):
        yield sizes


def only_job(renderer: ItemRenderer, data: bytes) -> JobOutput:
    [job] = renderer.render_zip(data, source="large.zip").jobs
    return job


def test_a_108_megapixel_photo_is_embedded_byte_for_byte(
    renderer: ItemRenderer, order_zip: bytes, photo: bytes
) -> None:
    job = only_job(renderer, order_zip)
    assert job.pdf is not None and photo in job.pdf
    assert len(job.pdf) < len(photo) * 1.02
    [image] = job.ticket.images
    assert image.pixels == SIZE
    assert job.proof is not None and job.proof.score is not None
    assert job.proof.score >= 0.9, job.proof  # the proof shows the photo where the preview does


def test_rendering_a_large_photo_never_decodes_it_whole(
    renderer: ItemRenderer, order_zip: bytes, decoded: list[tuple[int, int]]
) -> None:
    job = only_job(renderer, order_zip)
    assert job.proof is not None and job.proof.score is not None
    assert decoded, "the proof decodes the photo (reduced) and the snapshot"
    largest = max(width * height for width, height in decoded)
    assert largest <= SIZE[0] * SIZE[1] // 16, decoded  # DCT scaling: 1/4 or less per side


def test_parsing_reads_only_the_header(order_zip: bytes, decoded: list[tuple[int, int]]) -> None:
    [front] = parse_zip(order_zip).surfaces
    [image] = front.images
    assert (image.pixel_size.width, image.pixel_size.height) == SIZE
    assert decoded == []


def test_a_header_claiming_more_than_the_limit_is_refused(photo: bytes) -> None:
    # The same file with its frame header claiming 20000 × 13000 (260 megapixels).
    start = photo.index(b"\xff\xc0")
    claim = (13000).to_bytes(2, "big") + (20000).to_bytes(2, "big")
    lying = photo[: start + 5] + claim + photo[start + 9 :]
    assert MAX_JPEG_PIXELS < 20000 * 13000
    with pytest.raises(ImageProblem, match="decompression bomb"):
        inspect_image(lying)
    assert inspect_image(photo).stored_size.width == SIZE[0]
