"""How fast a customization zip with a ~5 MB photo parses, and proof that the photo is not decoded.

Prints the median and p95 of `parse_zip` over many runs, the peak memory of one parse, how many
times Pillow decoded pixels during it (must be 0), and — side by side — what decoding the same
photo would cost. Target (issue "parse"): under 30 ms, no decode.
"""

from __future__ import annotations

import io
import json
import statistics
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path
from unittest.mock import patch

from PIL import Image, ImageFile

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from production.customization import parse_zip

RUNS = 200
ITEM = "90000000000501"
PHOTO = "5b0c9a51-1f2e-4d7a-8c3b-6e1f0a2b3c4d.jpg"
SVG = "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9.svg"


def make_photo(target_bytes: int = 5_000_000) -> bytes:
    """A noisy 4000×3000 JPEG of about `target_bytes` (noise keeps JPEG from shrinking it)."""
    width, height = 4000, 3000
    noise = Image.effect_noise((width // 4, height // 4), 64).convert("RGB")
    image = noise.resize((width, height), Image.Resampling.NEAREST)
    for quality in (95, 90, 85, 80, 75, 70, 60, 50):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        if out.tell() <= target_bytes * 1.1:
            break
    return out.getvalue()


def make_zip(photo: bytes) -> bytes:
    placement = {
        "position": {"x": 40.0, "y": 110.0},
        "dimension": {"width": 4000, "height": 3000},
        "scale": {"scaleX": 0.08, "scaleY": 0.08},
        "angleOfRotation": 0,
    }
    document = {
        "orderId": "900-0000501-0000501",
        "orderItemId": ITEM,
        "asin": "B0BENCH001",
        "quantity": 1,
        "customizationData": {
            "type": "PageContainerCustomization",
            "children": [
                {
                    "type": "PreviewContainerCustomization",
                    "name": "FRONT",
                    "label": "Front",
                    "svg": SVG,
                    "children": [
                        {
                            "type": "FlatContainerCustomization",
                            "children": [
                                {
                                    "type": "PlacementContainerCustomization",
                                    "name": "PHOTO",
                                    "label": "Photo",
                                    "position": {"x": 40, "y": 110},
                                    "dimension": {"width": 320, "height": 240},
                                    "buyerPlacement": placement,
                                    "children": [
                                        {
                                            "type": "ImageCustomization",
                                            "name": "",
                                            "label": "Photo",
                                            "image": {"imageName": PHOTO, "buyerFilename": "x.jpg"},
                                        }
                                    ],
                                }
                            ],
                        }
                    ],
                }
            ],
        },
    }
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="3200" height="3200" viewBox="0 0 400 400"><g clip-path="url(#C)">'
        '<g transform="matrix(0.08 0 0 0.08 200 230)"><clipPath id="C">'
        '<rect transform="matrix(1 0 0 1 200.5 230.5)" x="-160" y="-120" width="320" height="240"/>'
        f'</clipPath><image xlink:href="{PHOTO}" x="-2000" y="-1500" width="4000" height="3000"/>'
        "</g></g></svg>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{ITEM}.json", json.dumps(document))
        archive.writestr(SVG, svg)
        archive.writestr(PHOTO, photo)
    return out.getvalue()


def main() -> None:
    photo = make_photo()
    data = make_zip(photo)
    decodes = 0
    original_load = ImageFile.ImageFile.load

    def counting_load(self: ImageFile.ImageFile) -> object:
        nonlocal decodes
        decodes += 1
        return original_load(self)

    with patch.object(ImageFile.ImageFile, "load", counting_load):
        parse_zip(data)  # warm up imports and caches
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            customization = parse_zip(data)
            times.append(time.perf_counter() - start)
        parse_decodes = decodes
        tracemalloc.start()
        parse_zip(data)
        _, parse_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        decode_times = []
        for _ in range(5):
            start = time.perf_counter()
            Image.open(io.BytesIO(photo)).load()
            decode_times.append(time.perf_counter() - start)

    image = customization.surfaces[0].images[0]
    median = statistics.median(times) * 1000
    p95 = sorted(times)[int(RUNS * 0.95) - 1] * 1000
    decode = statistics.median(decode_times) * 1000
    size = image.pixel_size
    print(f"photo: {size.width:g}×{size.height:g} JPEG, {len(photo) / 1e6:.2f} MB")
    print(f"zip: {len(data) / 1e6:.2f} MB (deflated, as Amazon's are)")
    print(f"parse_zip: median {median:.2f} ms, p95 {p95:.2f} ms over {RUNS} runs (target < 30 ms)")
    print(f"parse_zip peak traced memory: {parse_peak / 1e6:.1f} MB")
    print(f"pixel decodes during {RUNS} parses: {parse_decodes} (target 0)")
    print(
        f"decoding that photo once instead: {decode:.1f} ms ({decode / median:.1f}× a whole parse)"
    )
    ok = p95 < 30 and parse_decodes == 0
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
