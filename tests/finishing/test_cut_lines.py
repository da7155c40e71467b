"""Cut outlines: red RGB hairlines drawn after the engraving, inner cuts before the outer one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from production.core.geometry import MM
from production.floor.rendering import JobOutput
from tests.finishing.shop import content, raster, render, shop, stroked_paths

WIDTH, HEIGHT, BLEED = 60.0, 44.0, 2.0
# The trim box in PDF points, y up: bleed on every side.
TRIM = (BLEED * MM, BLEED * MM, (BLEED + WIDTH) * MM, (BLEED + HEIGHT) * MM)

TAG_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="60mm" height="44mm" viewBox="0 0 60 44">
  <rect x="0" y="0" width="60" height="44" rx="4"/>
  <g transform="translate(6 22)"><circle r="2.5"/></g>
  <path d="M50 18 h4 v8 h-4 z"/>
</svg>
"""


def collar(tmp_path: Path, cut: str, *, assets: dict[str, str] | None = None) -> JobOutput:
    """The collar sample (three lines of text) engraved on a 60 × 44 mm plate with `cut`."""
    for name, text in (assets or {}).items():
        (tmp_path / "assets").mkdir(parents=True, exist_ok=True)
        (tmp_path / "assets" / name).write_text(text)
    settings = shop(
        tmp_path, "legacy-v3-only", width=WIDTH, height=HEIGHT,
        surface=f'bleed_mm = {BLEED}\ncut = "{cut}"',
    )  # fmt: skip
    [job] = render(settings, "legacy-v3-only").jobs
    assert job.pdf is not None
    return job


def test_rect_cut_is_a_red_hairline_on_the_trim_box_after_the_engraving(tmp_path: Path) -> None:
    job = collar(tmp_path, "rect")
    assert job.pdf is not None
    stream = content(job.pdf)
    assert stream.count("1 0 0 RG") == 1
    [width] = re.findall(r"([\d.]+) w\b", stream)
    assert float(width) == pytest.approx(0.025 * MM, abs=0.001)  # 0.025 mm ≈ 0.07 pt
    # Every engrave operation (text outlines are fills) comes before the cut.
    assert stream.rindex("\nf\n") < stream.index("1 0 0 RG")
    [path] = stroked_paths(stream)
    x0, y0, x1, y1 = TRIM
    corners = {(round(x, 2), round(y, 2)) for x, y in path}
    assert corners == {(round(x, 2), round(y, 2)) for x in (x0, x1) for y in (y0, y1)}
    assert job.ticket.as_dict()["engrave"]["cut"] == "rect"


def test_rounded_cut_has_quarter_circle_corners_of_the_radius(tmp_path: Path) -> None:
    job = collar(tmp_path, "rounded:3")
    assert job.pdf is not None
    stream = content(job.pdf)
    [path] = stroked_paths(stream)
    x0, y0, x1, y1 = TRIM
    r = 3 * MM
    # The straight edges stop the radius short of each corner; curves join them.
    expected = {
        (x0 + r, y0), (x1 - r, y0), (x1, y0 + r), (x1, y1 - r),
        (x1 - r, y1), (x0 + r, y1), (x0, y1 - r), (x0, y0 + r),
    }  # fmt: skip
    assert {(round(x, 2), round(y, 2)) for x, y in path} == {
        (round(x, 2), round(y, 2)) for x, y in expected
    }
    cut_ops = stream[stream.index("1 0 0 RG") :]
    assert cut_ops.count(" c\n") == 4


def test_svg_cut_from_the_assets_folder_cuts_holes_before_the_outline(tmp_path: Path) -> None:
    job = collar(tmp_path, "tag.svg", assets={"tag.svg": TAG_SVG})
    assert job.pdf is not None
    stream = content(job.pdf)
    paths = stroked_paths(stream)
    assert len(paths) == 3 and stream.count("1 0 0 RG") == 3
    bounds = [_bounds(path) for path in paths]
    hole, slot, outline = bounds
    # The file draws the outline first; the laser must cut it last.
    assert outline == pytest.approx(TRIM, abs=0.05)
    for inner in (hole, slot):
        assert outline[0] < inner[0] < inner[2] < outline[2]
        assert outline[1] < inner[1] < inner[3] < outline[3]
    # The hole: a 5 mm circle centred 6 mm from the left edge, 22 mm from the top.
    assert (hole[2] - hole[0]) / MM == pytest.approx(5, abs=0.05)
    assert ((hole[0] + hole[2]) / 2 - TRIM[0]) / MM == pytest.approx(6, abs=0.05)
    assert (TRIM[3] - (hole[1] + hole[3]) / 2) / MM == pytest.approx(22, abs=0.05)
    assert (
        job.ticket.as_dict()["engrave"]["cut"] == "tag.svg"
    )  # the file's name, not the shop's folders


def test_cut_lines_show_red_on_the_page(tmp_path: Path) -> None:
    """Rasterised, the trim edge is red and nothing else is: a hairline, drawn faint."""
    job = collar(tmp_path, "rect")
    px = 300 / 72
    assert job.pdf is not None
    image = raster(job.pdf, 300)
    x0 = round(TRIM[0] * px)
    for y in range(50, image.height - 50, 40):
        r, g, b = image.getpixel((x0, y))
        assert r == 255 and g == b and g < 245, (x0, y, (r, g, b))
        assert image.getpixel((x0 + 4, y)) == (255, 255, 255)  # 0.34 mm inside: nothing


def _bounds(path: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    xs, ys = [x for x, _ in path], [y for _, y in path]
    return min(xs), min(ys), max(xs), max(ys)
