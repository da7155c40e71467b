"""The inputs of benchmarks/render_surface.py: a photo zip built by the sample generator, a config.

The zip is a real-shaped Amazon Custom zip (JSON tree, Fabric.js SVG, snapshot, the photo) made
with the building blocks of samples/make_samples.py, like its `photo_text` sample, but with one
surface holding a 4000×3000 JPEG of about 4.4 MB and one line of text. The JPEG is stored in the
zip exactly as made here, so a renderer that passes it through embeds these very bytes.
"""

from __future__ import annotations

import io
import random
import sys
from pathlib import Path

from PIL import Image, ImageChops

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from production.customization.samples import SAMPLES_DIR
from samples import photos
from samples.amazon_format import sample_uuid
from samples.make_samples import BLACK, ROBOTO, ids, mug_image, mug_text, surface
from samples.surfaces import Order, Slot, Upload

SLUG = "render-benchmark"
PHOTO_SIZE = (4000, 3000)
PHOTO_QUALITY = 95
NOISE_AMPLITUDE = 8.5  # ± levels of uniform noise per pixel: about 4.4 MB at quality 95
PHOTO_ASIN = "B0BENCH002"
TEXT = "Best Dad Ever"
SURFACE = "FRONT"
TEXT_ONLY_ZIP = SAMPLES_DIR / "text-only.zip"
TEXT_ONLY_ASIN = "B0SAMPLE01"  # see samples/README.md


def make_photo() -> bytes:
    """A 4000×3000 sample 'photo' (gradient, labels, UP arrow) with noise JPEG cannot squeeze.

    The noise comes from a seeded generator, so every run makes the same bytes.
    """
    width, height = PHOTO_SIZE
    base = photos.photo(PHOTO_SIZE, "4K", top="#e8793a", bottom="#3b2a6b", accent="#ffd23f")
    scale = NOISE_AMPLITUDE / 127.5
    levels = [128 + round((value - 127.5) * scale) for value in range(256)]
    noise = Image.frombytes("L", PHOTO_SIZE, random.Random(4000).randbytes(width * height))
    noise = noise.point(levels)
    noisy = Image.merge("RGB", [ImageChops.add(band, noise, 1, -128) for band in base.split()])
    out = io.BytesIO()
    noisy.save(out, "JPEG", quality=PHOTO_QUALITY)
    return out.getvalue()


def photo_order(photo: bytes) -> Order:
    """One mug surface: the photo in the front image box, one line of Roboto over it."""
    upload = Upload(f"{sample_uuid(SLUG, 'front')}.jpg", photo, "IMG_4000.jpeg")
    slots: list[Slot] = [mug_image(SURFACE, upload), mug_text(SURFACE, ROBOTO, BLACK, TEXT)]
    return Order(
        *ids(50),
        PHOTO_ASIN,
        "Personalized Photo Mug, 11 oz, White (render benchmark)",
        (surface(SLUG, SURFACE, "11 WHITE - photo mug", slots, first_clip_id=1),),
        with_xml=False,
    )


SHOP_TOML = """\
[shop]
name = "Render benchmark"
inbox = "inbox"
data_dir = "data"

[fonts]
dirs = []
"""

PRINTERS_TOML = """\
[[printer]]
id = "uv-bench"
name = "UV printer (benchmark)"
hot_folder = "hot/uv-bench"
"""

PRODUCTS_TOML = f"""\
[[product]]
asin = "{PHOTO_ASIN}"
name = "11 oz photo mug (render benchmark)"

[[product.surface]]
name = "{SURFACE}"
printer = "uv-bench"
process = "print"
width_mm = 215.9
height_mm = 88.9
bleed_mm = 3.0

[[product]]
asin = "{TEXT_ONLY_ASIN}"
name = "Wooden sign 12 x 12 in (text-only sample)"

[[product.surface]]
name = "FRONT"
printer = "uv-bench"
process = "print"
width_mm = 304.8
height_mm = 304.8
bleed_mm = 3.0
"""


def write_config(folder: Path) -> Path:
    """A configuration folder (shop, printers, products) for the benchmark's two products."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "shop.toml").write_text(SHOP_TOML, encoding="utf-8")
    (folder / "printers.toml").write_text(PRINTERS_TOML, encoding="utf-8")
    (folder / "products.toml").write_text(PRODUCTS_TOML, encoding="utf-8")
    return folder
