"""The anonymized real Amazon Custom files in ../shared/reference, packed into zips for tests.

Photos are not part of the reference set; stand-ins of the recorded pixel sizes are drawn here,
with EXIF orientation 6 where the design expects the stored pixels turned a quarter.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image

SHARED = Path(__file__).resolve().parents[2] / "shared"
REFERENCE = SHARED / "reference"
MUGS = REFERENCE / "amazon-custom"
OTHER = REFERENCE / "amazon-custom-other"


@dataclass(frozen=True)
class StandIn:
    name: str
    width: int
    height: int


def mug_names() -> list[str]:
    return sorted(p.name for p in MUGS.iterdir() if p.is_dir())


@cache
def image_sizes() -> dict[str, list[StandIn]]:
    result: dict[str, list[StandIn]] = {}
    lines = (MUGS / "IMAGE_SIZES.tsv").read_text().splitlines()[1:]
    for line in lines:
        path, pixels, _size = line.split("\t")
        folder, name = path.split("/")
        width, height = (int(v) for v in pixels.replace(" ", "").split("x"))
        result.setdefault(folder, []).append(StandIn(name, width, height))
    return result


def expected_dimensions(document: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """Image member → the (width, height) the design expects, from buyerPlacement."""
    found: dict[str, tuple[float, float]] = {}

    def walk(node: dict[str, Any], placement: dict[str, Any] | None) -> None:
        if node.get("type") == "PlacementContainerCustomization":
            placement = node
        if node.get("type") == "ImageCustomization" and "image" in node and placement:
            dim = placement.get("buyerPlacement", {}).get("dimension")
            if dim:
                found[node["image"]["imageName"]] = (dim["width"], dim["height"])
        for child in node.get("children", []):
            walk(child, placement)

    walk(document["customizationData"], None)
    return found


def stand_in_image(name: str, width: int, height: int, *, orientation: int = 1) -> bytes:
    colour = (200, 120, 40) if name.endswith(".jpg") else (40, 120, 200, 128)
    mode = "RGB" if name.endswith(".jpg") else "RGBA"
    image = Image.new(mode, (width, height), colour)
    out = io.BytesIO()
    if name.endswith(".jpg"):
        exif = Image.Exif()
        if orientation != 1:
            exif[0x0112] = orientation
        image.save(out, "JPEG", quality=60, exif=exif.tobytes())
    else:
        image.save(out, "PNG", compress_level=1)
    return out.getvalue()


@cache
def mug_zip(mug: str) -> bytes:
    """The reference mug as Amazon would ship it, with stand-in photos."""
    folder = MUGS / mug
    document = json.loads(next(folder.glob("*.json")).read_text())
    expected = expected_dimensions(document)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.writestr(path.name, path.read_bytes())
        for stand_in in image_sizes().get(mug, []):
            turned = expected.get(stand_in.name) == (stand_in.height, stand_in.width)
            orientation = 6 if turned and stand_in.width != stand_in.height else 1
            data = stand_in_image(
                stand_in.name, stand_in.width, stand_in.height, orientation=orientation
            )
            archive.writestr(stand_in.name, data)
    return out.getvalue()


def mug_document(mug: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(next((MUGS / mug).glob("*.json")).read_text())
    return document


def mug_svg(mug: str) -> bytes:
    return next((MUGS / mug).glob("*.svg")).read_bytes()
