"""JPEGs spliced into a PDF reportlab wrote with stand-ins: the file is exact, the photos whole."""

from __future__ import annotations

import io
import re
import warnings

import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from production.core.errors import RenderError
from renderers.jpegsplice import JpegSplicer


def jpeg(color: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=90)
    return out.getvalue()


def written(draws: list[tuple[str, bytes, float]]) -> tuple[bytes, bytes]:
    """A 300×100 pt page with each (member, JPEG, x) drawn 100 pt wide: (stand-ins, spliced)."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(300, 100), invariant=True)
    splicer = JpegSplicer()
    for member, data, x in draws:
        canvas.drawImage(splicer.reader(data, member), x, 0, 100, 100)
    canvas.showPage()
    canvas.save()
    return out.getvalue(), splicer.splice(out.getvalue())


def xref_problems(pdf: bytes) -> list[str]:
    """Entries of the cross-reference table that do not point at their object, and startxref."""
    xref = pdf.rindex(b"\nxref\n") + 1
    problems = []
    if int(re.findall(rb"startxref\n(\d+)", pdf)[-1]) != xref:
        problems.append("startxref")
    table = pdf[xref : pdf.index(b"trailer", xref)]
    for number, offset in enumerate(re.findall(rb"(\d{10}) \d{5} n", table), start=1):
        if not pdf[int(offset) :].startswith(b"%d 0 obj" % number):
            problems.append(f"object {number}")
    return problems


def test_each_photo_goes_in_once_byte_for_byte_and_the_file_is_exact() -> None:
    red, blue = jpeg((220, 30, 30)), jpeg((30, 30, 220), (80, 60))
    stand_ins, pdf = written([("red.jpg", red, 0), ("blue.jpg", blue, 100), ("red.jpg", red, 200)])
    assert red not in stand_ins and blue not in stand_ins  # reportlab never had the bytes
    assert pdf.count(red) == 1 and pdf.count(blue) == 1  # the second red is the same object
    assert b"acp-jpeg-passthrough" not in pdf
    assert xref_problems(pdf) == []
    for length, data in ((len(red), red), (len(blue), blue)):
        at = pdf.index(data)
        assert pdf.rfind(b"/Length %d" % length, 0, at) > pdf.rfind(b" obj", 0, at)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pikepdf warns when it has to repair a file
        with pikepdf.open(io.BytesIO(pdf)) as document:
            images = document.pages[0].get_images()
            assert sorted(bytes(image.read_raw_bytes()) for image in images.values()) == sorted(
                [red, blue]
            )
    page = pdfium.PdfDocument(pdf)[0].render(scale=1).to_pil().convert("RGB")
    assert page.getpixel((50, 50))[0] > 180 and page.getpixel((150, 50))[2] > 180
    assert page.getpixel((250, 50))[0] > 180


def test_a_file_without_photos_is_left_as_written() -> None:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(100, 100), invariant=True)
    canvas.rect(10, 10, 50, 50, fill=1)
    canvas.save()
    assert JpegSplicer().splice(out.getvalue()) == out.getvalue()


def test_one_member_with_two_contents_is_refused() -> None:
    splicer = JpegSplicer()
    splicer.reader(jpeg((0, 0, 0)), "photo.jpg")
    with pytest.raises(RenderError, match="two contents"):
        splicer.reader(jpeg((255, 255, 255)), "photo.jpg")
