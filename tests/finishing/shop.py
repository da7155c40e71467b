"""A throwaway shop with a laser for the finishing tests, and helpers that look inside PDFs."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
from PIL import Image, ImageChops

from production.config.settings import Settings, load_settings
from production.customization.samples import SAMPLES_DIR
from production.floor.rendering import ItemOutput, ItemRenderer

RASTER_DPI = 150

PRINTERS = """
[[printer]]
id = "laser-1"
hot_folder = "hot/laser-1"
dpi = {dpi}
{laser}

[[printer]]
id = "uv-1"
hot_folder = "hot/uv-1"

[[printer]]
id = "sub-1"
hot_folder = "hot/sub-1"
mirror = true
"""

SURFACE = """
[[product]]
asin = "{asin}"
name = "Test product"

[[product.surface]]
name = "{surface}"
printer = "{printer}"
process = "{process}"
width_mm = {width}
height_mm = {height}
{extra}
"""

# The sample zips used here: the ASIN each one carries, and its surface.
SAMPLE_ASINS = {
    "text-only": ("B0SAMPLE01", "FRONT"),
    "photo-text": ("B0SAMPLE03", "FRONT"),
    "legacy-v3-only": ("B0SAMPLE06", "Surface 1"),
    "rotated-photo": ("B0SAMPLE08", "FRONT"),
    "exif-rotated": ("B0SAMPLE09", "FRONT"),
    "png-alpha": ("B0SAMPLE10", "FRONT"),
}


def shop(
    folder: Path,
    sample: str,
    *,
    process: str = "engrave",
    printer: str = "laser-1",
    width: float = 120,
    height: float = 90,
    surface: str = "",
    laser: str = "",
    dpi: int = 254,
    shop_toml: str = "",
) -> Settings:
    """A configuration folder making `sample`'s surface on `printer`; its settings."""
    asin, name = SAMPLE_ASINS[sample]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "printers.toml").write_text(PRINTERS.format(dpi=dpi, laser=laser))
    products = SURFACE.format(
        asin=asin, surface=name, printer=printer, process=process, width=width,
        height=height, extra=surface,
    )  # fmt: skip
    (folder / "products.toml").write_text(products)
    (folder / "shop.toml").write_text(shop_toml)
    return load_settings(folder)


def render(settings: Settings, sample: str) -> ItemOutput:
    return ItemRenderer(settings).render_zip(sample_bytes(sample), source=sample)


def sample_bytes(sample: str) -> bytes:
    return (SAMPLES_DIR / f"{sample}.zip").read_bytes()


# -- looking inside PDFs ------------------------------------------------------------------------


def raster(pdf: bytes, dpi: int = RASTER_DPI) -> Image.Image:
    page = pdfium.PdfDocument(pdf)[0]
    image: Image.Image = page.render(scale=dpi / 72).to_pil().convert("RGB")
    return image


def ink(image: Image.Image, level: int = 128) -> Image.Image:
    """255 where a pixel is darker than `level` (ink on white), else 0."""
    return image.convert("L").point(lambda v: 255 if v < level else 0)


def mismatch(a: Image.Image, b: Image.Image) -> float:
    """The share of the inked pixels (in either mask) that only one of them has."""
    either = ImageChops.lighter(a, b).histogram()[255]
    differ = ImageChops.difference(a, b).histogram()[255]
    return differ / max(1, either)


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    """The mean absolute difference of two same-sized images, 0–255."""
    histogram = ImageChops.difference(a.convert("L"), b.convert("L")).histogram()
    return sum(value * count for value, count in enumerate(histogram)) / max(1, sum(histogram))


def content(pdf: bytes) -> str:
    """The first page's content stream, decoded."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return document.pages[0].obj.Contents.read_bytes().decode("latin-1")


def has_fonts(pdf: bytes) -> bool:
    """Whether anything in the file is a font or font file, or a page names font resources."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for obj in document.objects:
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                if obj.get("/Type") == pikepdf.Name.Font:
                    return True
                if any(key in obj for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                    return True
        for page in document.pages:
            resources = page.obj.get("/Resources")
            if resources is not None and "/Font" in resources:
                return True
    return False


@dataclass(frozen=True)
class XImage:
    """An image XObject's dictionary entries that matter here."""

    color_space: str
    bits: int
    width: int
    height: int


def images(pdf: bytes) -> list[tuple[XImage, Image.Image]]:
    """Every image XObject of the first page with its decoded pixels, in resource order."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        xobjects: pikepdf.Object | dict[str, pikepdf.Object]
        xobjects = document.pages[0].obj.Resources.get("/XObject", {})
        found = []
        for key in sorted(xobjects.keys(), key=lambda k: int(re.sub(r"\D", "", k) or 0)):
            stream = xobjects[key]
            assert isinstance(stream, pikepdf.Stream), f"{key} is not an image stream"
            entry = XImage(
                str(stream.ColorSpace), int(stream.BitsPerComponent), int(stream.Width),
                int(stream.Height),
            )  # fmt: skip
            found.append((entry, pikepdf.PdfImage(stream).as_pil_image().copy()))
        return found


def stroked_paths(stream: str) -> list[list[tuple[float, float]]]:
    """The points of every path stroked with `S`, in content order (m, l and c end points)."""
    paths: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    numbers: list[float] = []
    for token in stream.split():
        if re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)", token):
            numbers.append(float(token))
            continue
        if token in ("m", "l", "c"):
            current.append((numbers[-2], numbers[-1]))
        elif token == "S":
            paths.append(current)
            current = []
        elif token in ("f", "n", "W", "f*"):
            current = []
        numbers = []
    return paths
