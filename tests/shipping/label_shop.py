"""A shop that buys its labels through Amazon: the default configuration, a label printer,
boxes, package facts for the sample products, and `[amazon]` on a simulator's address."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2
import zxingcpp

from tests.daemon.shop import make_config

LABEL_PRINTER = "label-1"
SHIP_FROM = """
[shipping.ship_from]
name = "Engrave Works"
address_line1 = "12 Workshop Lane"
city = "Portland"
state_or_region = "OR"
postal_code = "97201"
country_code = "US"
"""
BOXES = """
[[box]]
name = "mug"
length_mm = 130
width_mm = 110
height_mm = 110
weight_g = 80
max_items = 1

[[box]]
name = "flat"
length_mm = 400
width_mm = 400
height_mm = 60
weight_g = 300
"""
# The mug of photo-text.zip in its box; the sign of text-only.zip in its own packaging.
PACKAGES = {
    "B0SAMPLE03": 'package = { weight_g = 350, box = "mug" }',
    "B0SAMPLE01": "package = { weight_g = 900, length_mm = 320, width_mm = 320, height_mm = 25 }",
}


def label_config(
    folder: Path,
    base_url: str,
    marketplace_id: str,
    *,
    shipping: str = 'labels = "amazon"',
    packages: dict[str, str] | None = None,
    ship_from: bool = True,
    settle_seconds: float | None = None,
    poll_seconds: float = 0.3,
) -> Path:
    """The configuration folder; `shipping` is the body of `[shipping]`."""
    config = make_config(folder, settle_seconds=settle_seconds)
    add_labels(config, base_url, marketplace_id, shipping=shipping, packages=packages,
               ship_from=ship_from, poll_seconds=poll_seconds)  # fmt: skip
    return config


def add_labels(
    config: Path,
    base_url: str,
    marketplace_id: str,
    *,
    shipping: str = 'labels = "amazon"',
    packages: dict[str, str] | None = None,
    ship_from: bool = True,
    poll_seconds: float = 0.3,
) -> None:
    """Turn a copy of the default configuration (`make_config`) into a label-buying shop."""
    (config / "hot" / LABEL_PRINTER).mkdir(parents=True)
    with (config / "printers.toml").open("a") as printers:
        printers.write(
            f'\n[[printer]]\nid = "{LABEL_PRINTER}"\nkind = "label"\n'
            f'hot_folder = "hot/{LABEL_PRINTER}"\ndpi = 203\n'
        )
    with (config / "shop.toml").open("a") as shop:
        shop.write(
            f'\n[amazon]\nendpoint = "{base_url}"\nlwa_endpoint = "{base_url}"\n'
            f'marketplace_ids = ["{marketplace_id}"]\npoll_seconds = {poll_seconds}\n'
            f"deadline_seconds = 20\n\n[shipping]\n{shipping}\n"
            + (SHIP_FROM if ship_from else "")
            + BOXES
        )
    set_packages(config, PACKAGES if packages is None else packages)


def set_packages(config: Path, packages: dict[str, str]) -> None:
    """Give these ASINs' products a package line (replacing one they had)."""
    path = config / "products.toml"
    text = re.sub(r"(?m)^package = .*\n", "", path.read_text())
    for asin, line in packages.items():
        text, count = re.subn(rf'(?m)^(asin = "{asin}"\n)', rf"\g<1>{line}\n", text)
        assert count == 1, f"products.toml has no product {asin}"
    path.write_text(text)


def label_files(config: Path) -> list[str]:
    folder = config / "hot" / LABEL_PRINTER
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def read_label(path: Path) -> str:
    """The tracking number a label's barcode holds: the 4×6 in PDF drawn at 203 dpi, decoded."""
    pdf = pypdfium2.PdfDocument(path)
    width, height = pdf[0].get_size()
    assert (round(width), round(height)) == (288, 432)  # 4 × 6 in
    image = pdf[0].render(scale=203 / 72).to_pil()
    codes = [c for c in zxingcpp.read_barcodes(image) if c.format == zxingcpp.BarcodeFormat.Code128]
    assert len(codes) == 1, [c.text for c in codes]
    return str(codes[0].text)
