"""No PDF the project writes uses a font it does not embed, and none claims PDF/X-4 falsely.

The demo renders every sample zip through the real daemon into a throwaway shop: print files,
engrave files and proofs, for every product of the default configuration. Every PDF it leaves
behind is read back with pikepdf (every font resource of every page and form must carry its
font program) and with poppler's `pdffonts` (every line `emb yes`).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from reportlab.pdfgen.canvas import Canvas

from renderers.glyphdraw import page_canvas
from renderers.pdfx import mark_pdfx4, not_embedded_fonts, pdfx_problems, unmark_pdfx

IN_CI = bool(os.environ.get("CI"))  # read at import: the autouse fixture clears the environment


@pytest.fixture(scope="module")
def demo_pdfs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("demo")
    done = subprocess.run(
        [sys.executable, "-m", "production", "demo", "--out", str(folder / "shop")],
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return sorted(folder.rglob("*.pdf"))


def _fonts(pdf: pikepdf.Pdf) -> list[pikepdf.Object]:
    found: list[pikepdf.Object] = []
    for page in pdf.pages:
        resources = page.obj.get("/Resources")
        if resources is not None and "/Font" in resources:
            found += list(dict(resources.Font).values())
    return found


def test_every_font_of_every_demo_pdf_is_embedded(demo_pdfs: list[Path]) -> None:
    assert len(demo_pdfs) >= 10
    texts = 0
    for path in demo_pdfs:
        with pikepdf.open(path) as pdf:
            assert not_embedded_fonts(pdf) == set(), path.name
            for font in _fonts(pdf):
                if font.Subtype == "/Type3":  # emoji's invisible glyphs: complete in the file
                    assert "/CharProcs" in font
                    continue
                texts += 1
                cid_font = font.DescendantFonts[0] if font.Subtype == "/Type0" else font
                descriptor = cid_font.FontDescriptor
                assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys())
            claims = "/GTS_PDFXVersion" in pdf.docinfo
        assert not claims or pdfx_problems(path.read_bytes()) == [], path.name
    assert texts >= 5  # the samples' texts are among these files


def test_pdffonts_calls_every_font_embedded(demo_pdfs: list[Path]) -> None:
    tool = shutil.which("pdffonts")
    if tool is None:
        if IN_CI:
            pytest.fail("pdffonts is missing: .ci/run installs poppler-utils")
        pytest.skip("pdffonts (poppler-utils) is not installed")
    lines = []
    for path in demo_pdfs:
        listed = subprocess.run([tool, str(path)], capture_output=True, text=True, check=True)
        lines += [(path.name, line) for line in listed.stdout.splitlines()[2:]]
    assert lines
    for name, line in lines:
        columns = line.split()
        assert columns[-5] == "yes", f"{name}: {line}"  # emb


def test_a_canvas_of_ours_references_no_font_until_text_is_drawn() -> None:
    out = io.BytesIO()
    canvas = page_canvas(out, pagesize=(100, 100))
    canvas.rect(10, 10, 50, 50, fill=1)
    canvas.showPage()
    canvas.save()
    assert b"Helvetica" not in out.getvalue()
    with pikepdf.open(io.BytesIO(out.getvalue())) as pdf:
        assert _fonts(pdf) == []


def _reportlab_default_page() -> bytes:
    """What reportlab writes left to itself: text in Helvetica, which it never embeds."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(100, 100))
    mark_pdfx4(canvas)
    canvas.drawString(10, 50, "Hi")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def test_a_file_with_a_font_it_does_not_embed_is_found_out_and_loses_its_claim() -> None:
    pdf = _reportlab_default_page()
    assert pdfx_problems(pdf) == ["font Helvetica is not embedded"]

    unmarked = unmark_pdfx(pdf)
    with pikepdf.open(io.BytesIO(unmarked)) as document:
        assert "/GTS_PDFXVersion" not in document.docinfo
        assert "/OutputIntents" not in document.Root
        assert document.pages[0].Contents.read_bytes()  # the page itself is untouched
    assert "it needs exactly one output intent" in pdfx_problems(unmarked)
