"""The plain-PDF reader the PDF/X check uses agrees with pikepdf, and knows what it cannot read.

Files come from the project's own renderer (a sample zip with text and a photo), from reportlab
left to itself, and from pikepdf (QPDF) writing them again: with a cross-reference table the
reader reads them, with object streams it says so and the check asks pikepdf.
"""

from __future__ import annotations

import io

import pikepdf
import pytest
from reportlab.pdfgen.canvas import Canvas

from production.config.settings import DEFAULT_CONFIG_DIR, load_settings
from production.customization.samples import SAMPLES_DIR
from production.floor.rendering import ItemRenderer
from renderers.pdfobjects import PlainPdf, Ref, Unreadable
from renderers.pdfx import mark_pdfx4, not_embedded_fonts, pdfx_problems


@pytest.fixture(scope="module")
def rendered() -> bytes:
    renderer = ItemRenderer(load_settings(DEFAULT_CONFIG_DIR))
    output = renderer.render_zip((SAMPLES_DIR / "photo-text.zip").read_bytes())
    pdf = output.jobs[0].pdf
    assert pdf is not None
    return pdf


def _helvetica_page(*, marked: bool) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(100, 100))
    if marked:
        mark_pdfx4(canvas)
    canvas.drawString(10, 50, "Hi (there)")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _resaved(pdf: bytes, **options: object) -> bytes:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf)) as document:
        document.save(out, **options)  # type: ignore[arg-type]
    return out.getvalue()


def test_objects_read_as_pikepdf_reads_them(rendered: bytes) -> None:
    plain = PlainPdf(rendered)
    root = plain.resolve(plain.trailer["/Root"])
    with pikepdf.open(io.BytesIO(rendered)) as document:
        assert root["/Type"] == "/Catalog"
        assert len(plain.resolve(root["/OutputIntents"])) == len(document.Root.OutputIntents)
        pages = plain.resolve(root["/Pages"])
        page = plain.resolve(pages["/Kids"][0])
        assert page["/MediaBox"] == [float(v) for v in document.pages[0].MediaBox]
        fonts = plain.resolve(page["/Resources"])["/Font"]
        expected = dict(document.pages[0].Resources.Font)
        assert set(plain.resolve(fonts)) == set(expected)
        for key, ref in plain.resolve(fonts).items():
            assert isinstance(ref, Ref)
            font = plain.resolve(ref)
            assert font["/BaseFont"] == str(expected[key].BaseFont)


def test_the_check_agrees_with_pikepdf_on_written_and_rewritten_files(rendered: bytes) -> None:
    assert pdfx_problems(rendered) == []
    assert pdfx_problems(_resaved(rendered)) == []
    helvetica = _helvetica_page(marked=True)
    assert pdfx_problems(helvetica) == ["font Helvetica is not embedded"]
    unmarked = _helvetica_page(marked=False)
    assert pdfx_problems(unmarked) == [
        "it needs exactly one output intent",
        "font Helvetica is not embedded",
    ]
    with pikepdf.open(io.BytesIO(helvetica)) as document:
        assert not_embedded_fonts(document) == {"Helvetica"}


def test_object_streams_are_left_to_pikepdf(rendered: bytes) -> None:
    packed = _resaved(
        _helvetica_page(marked=True), object_stream_mode=pikepdf.ObjectStreamMode.generate
    )
    with pytest.raises(Unreadable):
        PlainPdf(packed)
    assert pdfx_problems(packed) == ["font Helvetica is not embedded"]
    assert (
        pdfx_problems(_resaved(rendered, object_stream_mode=pikepdf.ObjectStreamMode.generate))
        == []
    )


def test_a_file_that_is_not_a_pdf_is_unreadable() -> None:
    with pytest.raises(Unreadable):
        PlainPdf(b"%PDF-1.6\nnothing here")
