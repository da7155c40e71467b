"""Write the synthetic Amazon Custom customization zips into the package's sample folder.

    python samples/make_samples.py [--out DIR]

Every zip mimics what Amazon sends (see shared/specs/amazon-custom-zip.md) with invented texts,
Pillow-drawn pictures and made-up ids. Output is byte-for-byte reproducible. The zips are
package data (`production/customization/sample_zips/`): `production demo` and the SP-API
simulator use them from an installed package too.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `samples.*` importable from the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image

from production.customization.samples import SAMPLES_DIR
from samples import photos
from samples.amazon_format import python_json, sample_uuid, write_zip
from samples.fabricjs import Box
from samples.surfaces import (
    MARKETPLACE_ID,
    MERCHANT_ID,
    Color,
    Font,
    ImageSlot,
    OptionSlot,
    Order,
    Slot,
    Surface,
    TextSlot,
    Upload,
)

DEFAULT_OUT = SAMPLES_DIR
SELLER_IMAGES = (
    f"https://m.media-amazon.com/images/S/gestalt-seller-images-prod-us-east-1/"
    f"{MARKETPLACE_ID}/{MERCHANT_ID}"
)

AMATIC = Font("Amatic SC", photos.font_file("font_amatic_sc", "AmaticSC-Regular.ttf"), 139)
ROBOTO = Font("Roboto", photos.font_file("font_roboto", "Roboto-Regular.ttf"), 117)
BLACK = Color("Black", "#000000")

# The photo mug of the reference files: two photo boxes, two text boxes over them, one option.
MUG_TITLE = "Personalized Photo Mug, 11 oz, White"
MUG_LABEL = "11 WHITE - photo mug"
FRONT_IMAGE_BOX, BACK_IMAGE_BOX = Box(42, 131, 127, 130), Box(226, 131, 127, 130)
FRONT_TEXT_BOX, BACK_TEXT_BOX = Box(43, 131, 125, 129), Box(228, 131, 125, 129)


def ids(number: int) -> tuple[str, str]:
    """(orderId, orderItemId) of sample `number`: 900-000000n-000000n, 9000000000nn-style."""
    return f"900-{number:07d}-{number:07d}", f"{90000000000000 + number * 11}"


def seller_image(slug: str, key: str, ext: str = "jpg") -> str:
    return f"{SELLER_IMAGES}/{sample_uuid(slug, key)}.{ext}"


def surface(
    slug: str, name: str, label: str, slots: list[Slot], *, first_clip_id: int = 1
) -> Surface:
    return Surface(
        name,
        label,
        tuple(slots),
        seller_image(slug, f"base-{name}"),
        f"{sample_uuid(slug, name, 'svg')}.svg",
        f"{sample_uuid(slug, name, 'snapshot')}.jpg",
        first_clip_id,
    )


def jpeg_upload(
    slug: str, key: str, image: Image.Image, filename: str, orientation: int | None = None
) -> Upload:
    return Upload(
        f"{sample_uuid(slug, key)}.jpg", photos.jpeg(image, orientation=orientation), filename
    )


def mug_image(name: str, upload: Upload | None = None, **placement: float) -> ImageSlot:
    front = name == "FRONT"
    return ImageSlot(
        "FRONT  IMAGE" if front else "BACK IMAGE",
        "Image 1" if front else "Image 2",
        f"{name} IMAGE",
        FRONT_IMAGE_BOX if front else BACK_IMAGE_BOX,
        upload,
        **placement,
    )


def mug_text(name: str, font: Font, color: Color = BLACK, text: str = "", **extra: Any) -> TextSlot:
    front = name == "FRONT"
    return TextSlot(
        "FRONT  TEXT info" if front else "BACK  TEXT",
        "Text 1" if front else "Text 2",
        "FRONT  TEXT" if front else "BACK TEXT",
        "Text Input 1",
        f"{name} TEXT",
        FRONT_TEXT_BOX if front else BACK_TEXT_BOX,
        font,
        color,
        text,
        **extra,
    )


def printed_area(
    value: str, cost: float, overlay_url: str | None = None, art: Image.Image | None = None
) -> OptionSlot:
    return OptionSlot(
        "Option Dropdown 1",
        "Select Printed Area",
        value,
        cost,
        overlay_url=overlay_url,
        overlay_art=art,
    )


def text_only(slug: str) -> Order:
    slots: list[Slot] = [
        TextSlot(
            "MAIN  TEXT info",
            "Text 1",
            "MAIN  TEXT",
            "Text Input 1",
            "Main text",
            Box(50, 70, 300, 170),
            AMATIC,
            Color("Navy Blue", "#1F3A93"),
            "Happy Birthday\nSam",
        ),
        TextSlot(
            "SMALL TEXT",
            "Text 2",
            "SMALL TEXT",
            "Text Input 1",
            "Small text",
            Box(100, 280, 200, 50),
            AMATIC,
            Color("Navy Blue", "#1F3A93"),
        ),
    ]
    return Order(
        *ids(1),
        "B0SAMPLE01",
        "Personalized Wooden Sign, Laser Engraved, 12 x 12 in",
        (surface(slug, "FRONT", "Wood sign 12x12", slots, first_clip_id=3),),
        with_xml=False,
    )


def options_only(slug: str) -> Order:
    slots: list[Slot] = [
        OptionSlot(
            "Option Dropdown 1",
            "Choose your design",
            "Sunflower",
            2.5,
            "USD",
            seller_image(slug, "overlay-sunflower", "png"),
            photos.badge(800, petal="#f2c12e", center="#6b4226"),
        ),
        OptionSlot("Option Dropdown 2", "Gift box", "Yes"),
    ]
    return Order(
        *ids(2),
        "B0SAMPLE02",
        "Custom Enamel Pin, Choose Your Design",
        (surface(slug, "Surface 1", "Select your design from the drop-down box", slots),),
    )


def photo_text(slug: str) -> Order:
    picture = photos.photo((2000, 1500), "1", top="#e8793a", bottom="#3b2a6b", accent="#ffd23f")
    slots: list[Slot] = [
        mug_image("FRONT", jpeg_upload(slug, "front", picture, "IMG_0001.jpeg")),
        mug_image("BACK"),
        mug_text("FRONT", AMATIC),
        mug_text("BACK", ROBOTO, BLACK, "Best Dad\nEver", outline=True),
        printed_area("PRINT on BOTH sides", 3.88),
    ]
    return Order(
        *ids(3),
        "B0SAMPLE03",
        MUG_TITLE,
        (surface(slug, "FRONT", MUG_LABEL, slots, first_clip_id=7),),
    )


def two_surfaces(slug: str) -> Order:
    picture = photos.photo((1600, 1600), "F", top="#2e8b57", bottom="#d9f2c4", accent="#ff6f61")
    front: list[Slot] = [
        ImageSlot(
            "FRONT PHOTO",
            "Front photo",
            "Front photo",
            Box(80, 90, 240, 240),
            jpeg_upload(slug, "front", picture, "garden.jpg"),
        )
    ]
    back: list[Slot] = [
        TextSlot(
            "BACK  TEXT info",
            "Back text",
            "BACK TEXT",
            "Text Input 1",
            "Back text",
            Box(70, 150, 260, 100),
            ROBOTO,
            Color("Red", "#C0392B"),
            "EST. 2026",
        )
    ]
    return Order(
        *ids(4),
        "B0SAMPLE04",
        "Personalized Canvas Tote Bag, Printed Both Sides",
        (
            surface(slug, "FRONT", "Front of bag", front, first_clip_id=2),
            surface(slug, "BACK", "Back of bag", back, first_clip_id=5),
        ),
    )


def seller_font(slug: str) -> Order:
    # Amazon names an uploaded font "font-" + the first 25 characters of an id, and serves the file
    # under another id (see shared/reference/amazon-custom-other/text-only-seller-font.svg).
    # The font file itself stays on Amazon's server, so the snapshot is drawn with Roboto.
    family = f"font-{sample_uuid(slug, 'font-family')[:25]}"
    font_url = (
        f"https://pc-vendor-gallery-prod-eu.s3.amazonaws.com/{MERCHANT_ID}/font/2026-01-10/"
        f"{sample_uuid(slug, 'font-file')}.ttf"
    )
    font = Font(family, ROBOTO.path, 117, face_url=font_url)
    slots: list[Slot] = [
        TextSlot(
            "NAME  TEXT",
            "Family name",
            "NAME  TEXT",
            "Text Input 1",
            "Family name",
            Box(60, 140, 280, 120),
            font,
            BLACK,
            "The Parkers\nEST. 2026",
            price_wrapper=False,
        )
    ]
    return Order(
        *ids(5),
        "B0SAMPLE05",
        "Engraved Bamboo Cutting Board, Custom Family Name",
        (surface(slug, "FRONT", "Cutting board", slots, first_clip_id=1),),
    )


def legacy_document(slug: str) -> dict[str, object]:
    """A 2018 file: `version3.0` and `customizationInfo.aspects[]` only, no tree."""
    order_id, item_id = ids(6)
    lines = [
        ("Line 1", "BISCUIT", (278, 284), (106, 11)),
        ("Line 2", "555-0142", (272, 319), (110, 13)),
        ("Line 3 (not for size XS)", "IF LOST CALL", (273, 353), (106, 13)),
    ]
    areas: list[dict[str, object]] = [
        {
            "colorName": "111",
            "fontFamily": "Roboto",
            "Position": {"x": x, "y": y},
            "name": f"Customization {n + 2}",
            "Dimensions": {"width": w, "height": h},
            "label": label,
            "fill": "#111",
            "customizationType": "TextPrinting",
            "text": text,
        }
        for n, (label, text, (x, y), (w, h)) in enumerate(lines)
    ]
    areas.append(
        {
            "optionValue": "L",
            "name": "Customization 5",
            "priceDelta": {"currency": "USD", "value": 0},
            "optionId": "1-3-3",
            "label": "Please choose size",
            "customizationType": "Options",
            "optionImage": f"https://m.media-amazon.com/images/S/pc-vendor-gallery-prod/"
            f"{MERCHANT_ID}/options/2018-03-12/{sample_uuid(slug, 'size-L')}.png",
        }
    )
    aspects: list[dict[str, object]] = [
        {
            "title": label,
            "text": {"value": text},
            "font": {"value": "Roboto"},
            "color": {"value": "#111"},
        }
        for label, text, _, _ in lines
    ]
    aspects.append({"title": "Please choose size", "text": {}, "font": {}, "color": {}})
    return {
        "orderId": order_id,
        "legacyOrderItemId": "50000000000066",
        "orderItemId": item_id,
        "asin": "B0SAMPLE06",
        "title": "Personalized Dog Collar, Engraved Name and Phone",
        "merchantId": MERCHANT_ID,
        "quantity": 1,
        "version3.0": {"customizationInfo": {"surfaces": [{"name": "Surface 1", "areas": areas}]}},
        "customizationInfo": {"aspects": aspects},
        "version": "2.0",
    }


def legacy_v3_only(slug: str) -> bytes:
    document = legacy_document(slug)
    return write_zip([(f"{document['orderItemId']}.json", python_json(document))])


def xml_only(slug: str) -> Order:
    picture = photos.photo((1500, 2000), "7", top="#0f4c81", bottom="#f5d0a9", accent="#e63946")
    slots: list[Slot] = [
        mug_image("FRONT", jpeg_upload(slug, "front", picture, "IMG_0007.JPG")),
        mug_image("BACK"),
        mug_text("FRONT", AMATIC, Color("Gold", "#FFD700"), 'Mom & Dad\'s\n"25th"'),
        mug_text("BACK", AMATIC),
        printed_area(
            "Print FRONT of a mug ONLY",
            0,
            seller_image(slug, "overlay-front", "png"),
            photos.veil(800, left=800 * 0.5),
        ),
    ]
    return Order(
        *ids(7),
        "B0SAMPLE07",
        MUG_TITLE,
        (surface(slug, "FRONT", MUG_LABEL, slots, first_clip_id=4),),
        with_json=False,
    )


def rotated_photo(slug: str) -> Order:
    left = photos.photo((2000, 1500), "A", top="#ffb703", bottom="#fb8500", accent="#023047")
    right = photos.photo((1200, 1600), "B", top="#8ecae6", bottom="#219ebc", accent="#ffb703")
    slots: list[Slot] = [
        mug_image("FRONT", jpeg_upload(slug, "front", left, "IMG_0008.jpeg"), angle=12.5),
        mug_image("BACK", jpeg_upload(slug, "back", right, "IMG_0009.jpeg"), angle=-7, zoom=1.15),
        mug_text("FRONT", AMATIC),
        mug_text("BACK", AMATIC),
        printed_area("PRINT on BOTH sides", 3.88),
    ]
    return Order(
        *ids(8),
        "B0SAMPLE08",
        MUG_TITLE,
        (surface(slug, "FRONT", MUG_LABEL, slots, first_clip_id=11),),
    )


def exif_rotated(slug: str) -> Order:
    upright = photos.up_poster((1800, 2400))
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # 2400×1800; EXIF 6 turns it back
    slots: list[Slot] = [
        mug_image("FRONT", jpeg_upload(slug, "front", stored, "IMG_0010.jpeg", orientation=6)),
        mug_image("BACK"),
        mug_text("FRONT", AMATIC),
        mug_text("BACK", AMATIC),
        printed_area("Print FRONT of a mug ONLY", 0),
    ]
    return Order(
        *ids(9),
        "B0SAMPLE09",
        MUG_TITLE,
        (surface(slug, "FRONT", MUG_LABEL, slots, first_clip_id=1),),
    )


def png_alpha(slug: str) -> Order:
    sticker = Upload(
        f"{sample_uuid(slug, 'front')}.png", photos.png(photos.cutout(1600)), "heart.png"
    )
    slots: list[Slot] = [
        mug_image("FRONT", sticker, zoom=0.85),
        mug_image("BACK"),
        mug_text("FRONT", AMATIC),
        mug_text("BACK", AMATIC, Color("Red", "#D61E3C"), "Love\nyou"),
        printed_area("PRINT on BOTH sides", 3.88),
    ]
    return Order(
        *ids(10),
        "B0SAMPLE10",
        MUG_TITLE,
        (surface(slug, "FRONT", MUG_LABEL, slots, first_clip_id=5),),
    )


SAMPLES: dict[str, Callable[[str], Order | bytes]] = {
    "text-only": text_only,
    "options-only": options_only,
    "photo-text": photo_text,
    "two-surfaces": two_surfaces,
    "seller-font": seller_font,
    "legacy-v3-only": legacy_v3_only,
    "xml-only": xml_only,
    "rotated-photo": rotated_photo,
    "exif-rotated": exif_rotated,
    "png-alpha": png_alpha,
}


def build(slug: str) -> bytes:
    made = SAMPLES[slug](slug)
    return made if isinstance(made, bytes) else made.zip_bytes()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the zips")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for slug in SAMPLES:
        data = build(slug)
        (args.out / f"{slug}.zip").write_bytes(data)
        print(f"{slug}.zip  {len(data):>9,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
