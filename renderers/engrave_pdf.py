"""An engrave drawing as a one-page PDF: filled outlines, gray or 1-bit rasters, red hairlines.

Written directly (pikepdf for the file structure, the content stream by hand) because a laser
file is a handful of operators, and every one of them matters to the laser driver: no fonts, RGB
primaries for the operation colours, images at exactly their pixel size, and the drawing order
that is the order of operations. The page boxes and document info follow the print PDF's.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pikepdf

from production.core.geometry import MM
from renderers.engrave_drawing import CUT_RGB, ENGRAVE_RGB, HAIRLINE_MM, EngraveDrawing, Fill
from renderers.pdfx import OUTPUT_CONDITION, PDF_VERSION, PDFX_VERSION, srgb_profile
from renderers.rasterize import Raster
from renderers.vectors import VectorPath

__all__ = ["engrave_pdf"]

_PRODUCER = "amazon-custom-production"
_INVARIANT_DATE = datetime(2000, 1, 1, tzinfo=UTC)  # as the print PDF dates an undated page


def engrave_pdf(drawing: EngraveDrawing, *, title: str, now: datetime | None = None) -> bytes:
    page = drawing.page
    height = page.height_pt
    pdf = pikepdf.new()
    images = pikepdf.Dictionary()
    ops: list[str] = []
    for item in drawing.engrave:
        if isinstance(item, Fill):
            ops += _fill(item, height)
        else:
            name = f"Im{len(images) + 1}"
            images[f"/{name}"] = _image_xobject(pdf, item)
            ops.append(_placed(item, name, height))
    for path in drawing.cuts:
        ops += ["q", f"{_rgb(CUT_RGB)} RG", f"{_num(HAIRLINE_MM * MM)} w"]
        ops += [_path(path, height), "S", "Q"]
    trim = page.trim
    sheet = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=pikepdf.Array([0, 0, page.width_pt, height]),
        BleedBox=pikepdf.Array([0, 0, page.width_pt, height]),
        TrimBox=pikepdf.Array([trim.x, height - trim.bottom, trim.right, height - trim.y]),
        Resources=pikepdf.Dictionary(XObject=images),
        Contents=pdf.make_stream("\n".join(ops).encode("ascii")),
    )
    pdf.pages.append(pikepdf.Page(sheet))
    _describe(pdf, title, now)
    out = io.BytesIO()
    # A content-derived /ID keeps the output byte for byte the same for the same input.
    pdf.save(out, deterministic_id=True, min_version=".".join(map(str, PDF_VERSION)))
    return out.getvalue()


def _fill(item: Fill, height: float) -> list[str]:
    if not item.path:
        return []
    ops = ["q"]
    if item.clip is not None:
        clip = item.clip
        ops.append(
            f"{_num(clip.x)} {_num(height - clip.bottom)} {_num(clip.width)} "
            f"{_num(clip.height)} re W n"
        )
    # Nonzero winding, as fonts are drawn: overlapping contours of a glyph stay filled.
    ops += [f"{_rgb(ENGRAVE_RGB)} rg", _path(item.path, height), "f", "Q"]
    return ops


def _placed(raster: Raster, name: str, height: float) -> str:
    box = raster.box
    return (
        f"q {_num(box.width)} 0 0 {_num(box.height)} {_num(box.x)} "
        f"{_num(height - box.bottom)} cm /{name} Do Q"
    )


def _image_xobject(pdf: pikepdf.Pdf, raster: Raster) -> pikepdf.Stream:
    """A DeviceGray image: 8 bits, or 1 bit for a dithered one (PIL's "1" rows are PDF's)."""
    image = raster.image
    return pdf.make_stream(
        image.tobytes(),
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=image.width,
        Height=image.height,
        ColorSpace=pikepdf.Name.DeviceGray,
        BitsPerComponent=1 if image.mode == "1" else 8,
    )


def _path(path: VectorPath, height: float) -> str:
    """Path operators in PDF space (y up from the page's bottom edge), numbers as `_num`'s."""
    # Thousands of numbers per text surface: formatted in one go and trimmed in one pass, not
    # number by number (the same text in a third less time).
    values: list[float] = []
    for _, coords in path:
        for i in range(0, len(coords), 2):
            values.append(coords[i])
            values.append(height - coords[i + 1])
    text = "\n".join([_PDF_OPERATION[op] for op, _ in path]) % tuple(values)
    return _TRAILING_ZEROS.sub("", text.replace("-0.0000", "0.0000"))


# Each segment's operands and operator, fixed notation as `_num` before its trimming.
_PDF_OPERATION = {
    "M": "%.4f %.4f m",
    "L": "%.4f %.4f l",
    "C": " ".join(["%.4f"] * 6) + " c",
    "Z": "h",
}
# What `_num` trims: the zeros that end a number's decimals, and the point if nothing is left.
_TRAILING_ZEROS = re.compile(r"\.?0+(?=[ \n]|$)")


def _describe(pdf: pikepdf.Pdf, title: str, now: datetime | None) -> None:
    """Document info and the output intent, as `renderers.pdfx` gives the print PDF."""
    date = pikepdf.String((now or _INVARIANT_DATE).astimezone(UTC).strftime("D:%Y%m%d%H%M%SZ"))
    info = pdf.docinfo
    info.Title = pikepdf.String(title)
    info.Creator = pikepdf.String(_PRODUCER)
    info.Producer = pikepdf.String(_PRODUCER)
    info.CreationDate = date
    info.ModDate = date
    info.Trapped = pikepdf.Name("/False")
    info.GTS_PDFXVersion = pikepdf.String(PDFX_VERSION)
    profile = pdf.make_stream(srgb_profile(), N=3)
    intent = pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent,
        S=pikepdf.Name.GTS_PDFX,
        OutputConditionIdentifier=pikepdf.String(OUTPUT_CONDITION),
        Info=pikepdf.String(OUTPUT_CONDITION),
        RegistryName=pikepdf.String("http://www.color.org"),
        DestOutputProfile=profile,
    )
    pdf.Root.OutputIntents = pikepdf.Array([intent])


def _rgb(rgb: tuple[int, int, int]) -> str:
    return " ".join(_num(c / 255) for c in rgb)


def _num(value: float) -> str:
    # Fixed notation to a ten-thousandth of a point (3.5 µm): below any laser's resolution.
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in {"", "-0"} else text
