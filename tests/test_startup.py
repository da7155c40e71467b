"""A short command loads only what it uses: no renderer, Amazon client or desk stack to list jobs.

Start-up is most of a quick command's time (the speed issue measured a second per command), so
these check which libraries a command imports, not how long it takes; benchmarks/startup.py
measures the time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("reportlab", "cairosvg", "cairocffi", "httpx", "pikepdf", "pypdfium2", "PIL", "numpy",
         "uvicorn", "starlette", "jinja2", "fontTools", "lxml")  # fmt: skip

_PROBE = """
import json, sys
from production.app.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:  # --help exits from argparse
    code = exc.code
print(json.dumps(sorted({name.partition(".")[0] for name in sys.modules})), file=sys.stderr)
"""


def imported_by(*argv: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "argv", [("--help",), ("jobs", "--help"), ("ship", "--help"), ("slip", "--help")]
)
def test_help_imports_no_heavy_library(argv: tuple[str, ...]) -> None:
    assert imported_by(*argv) & set(HEAVY) == set()


def test_jobs_on_a_fresh_shop_imports_no_heavy_library(tmp_path: Path) -> None:
    config = tmp_path / "config"
    subprocess.run([sys.executable, "-m", "production", "init", str(config)], check=True,
                   capture_output=True)  # fmt: skip
    assert imported_by("jobs", "--config", str(config)) & set(HEAVY) == set()


# What a print surface with a photo or a line of text never needs: the engraver (outlines,
# rasters, cut lines), the variable-font instancer and CFF2 converter, the emoji machinery
# (the lines have no emoji), the general SVG converter, and package metadata once the font
# index is cached. Each render runs twice, so the second sees the cached index.
NOT_FOR_A_PRINT_SURFACE = (
    "renderers.engraving", "renderers.engrave_pdf", "renderers.engrave_svg",
    "renderers.outlines", "renderers.rasterize", "renderers.cutlines",
    "fontTools.varLib.instancer", "fontTools.cffLib.CFF2ToCFF",
    "renderers.emoji_glyphs", "renderers.emoji_draw", "renderers.emoji_bitmaps",
    "renderers.emoji_colr", "emoji", "renderers.svgfallback", "cairosvg", "importlib.metadata",
)  # fmt: skip

_RENDER_PROBE = """
import json, sys
from production.app.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""

# The photo-and-text sample's mug, and the text-only sample's sign printed (the packaged
# configuration engraves it).
_PRINT_SHOP = {
    "shop.toml": '[shop]\nname = "Start-up"\n\n[fonts]\ndirs = []\n',
    "printers.toml": '[[printer]]\nid = "uv-1"\nhot_folder = "hot/uv-1"\n',
    "products.toml": "".join(
        f'[[product]]\nasin = "{asin}"\nname = "{asin}"\n\n[[product.surface]]\n'
        f'name = "FRONT"\nprinter = "uv-1"\nprocess = "print"\nwidth_mm = {width}\n'
        f"height_mm = {height}\nbleed_mm = 3.0\n\n"
        for asin, width, height in [("B0SAMPLE03", 215.9, 88.9), ("B0SAMPLE01", 304.8, 304.8)]
    ),
}


@pytest.mark.parametrize("sample", ["photo-text", "text-only"])
def test_render_of_a_print_surface_loads_no_engraver_instancer_or_emoji(
    sample: str, tmp_path: Path
) -> None:
    from production.customization.samples import SAMPLES_DIR

    config = tmp_path / "config"
    config.mkdir()
    for name, text in _PRINT_SHOP.items():
        (config / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    argv = [
        "render",
        str(SAMPLES_DIR / f"{sample}.zip"),
        "--out",
        str(out),
        "--config",
        str(config),
    ]
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    for _ in range(2):  # the first run builds the font index's cache, the second reads it
        done = subprocess.run(
            [sys.executable, "-c", _RENDER_PROBE, *argv],
            capture_output=True, text=True, check=True, env=env,
        )  # fmt: skip
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] == 0
    assert ": ready;" in done.stdout  # rendered, proofed and checked, not refused
    assert list(out.glob("*_FRONT.pdf"))
    assert set(report["modules"]) & set(NOT_FOR_A_PRINT_SURFACE) == set()
