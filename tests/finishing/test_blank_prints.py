"""No blank or partial prints: an element the design shows but the print file has no ink for holds
the job, with or without Amazon's preview to compare with (issue 17: such a print was "ready",
"proof not compared")."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from production.config.settings import DEFAULT_CONFIG_DIR, load_settings
from production.core.geometry import Box
from production.floor.rendering import ItemRenderer, JobOutput, job_report
from renderers.inkcheck import missing_ink
from renderers.placement import page_geometry
from renderers.proofcheck import Region
from tests.finishing.shop import sample_bytes
from tests.finishing.zips import moved_in_json, moved_in_svg, rewritten, text_in_json

PHOTO = "d26e15ba-ac45-3d40-8260-fee4e36d4b94.jpg"  # photo-text.zip's photo, 2000 × 1500
SNAPSHOT = "06cddf88-afdb-33d4-7038-75d012dfaac1.jpg"  # and Amazon's preview of it
LONE_PHOTO = "ef921786-7a5c-9295-7a86-772b7406587d.jpg"  # exif-rotated.zip: this photo alone
LONE_SNAPSHOT = "acbb5e19-7115-8d07-1eb9-28a3a975031a.jpg"


@pytest.fixture(scope="module")
def renderer() -> ItemRenderer:
    return ItemRenderer(load_settings(DEFAULT_CONFIG_DIR))


def one_job(renderer: ItemRenderer, data: bytes) -> JobOutput:
    [job] = renderer.render_zip(data, source="test").jobs
    return job


def ink_holds(job: JobOutput) -> list[str]:
    return [f.message for f in job.preflight if f.rule == "ink" and f.severity == "hold"]


def without(data: bytes, name: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != name:
                archive.writestr(info.filename, source.read(info))
    return out.getvalue()


def white_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2000, 1500), "white").save(out, "JPEG")
    return out.getvalue()


def test_the_sample_prints_with_ink_everywhere(renderer: ItemRenderer) -> None:
    job = one_job(renderer, without(sample_bytes("photo-text"), SNAPSHOT))
    assert ink_holds(job) == [] and not job.held


@pytest.mark.parametrize("preview", [True, False], ids=["with preview", "without preview"])
def test_a_photo_moved_out_of_the_design_area_holds_the_job(
    renderer: ItemRenderer, preview: bool
) -> None:
    data = rewritten("photo-text", svg=moved_in_svg(PHOTO, 900), document=moved_in_json(PHOTO, 900))
    job = one_job(renderer, data if preview else without(data, SNAPSHOT))
    assert ink_holds(job) == [
        f"the design puts photo {PHOTO!r} outside Amazon's design area (or its placement box): "
        "the print file has no ink for it"
    ]
    assert job_report(job)[0].startswith(f"{job.identity.job_id}: held;")  # never "ready"


def test_a_photo_that_prints_no_ink_holds_the_job_without_a_preview(
    renderer: ItemRenderer,
) -> None:
    data = rewritten("photo-text", members={PHOTO: white_photo()})
    job = one_job(renderer, without(data, SNAPSHOT))
    assert ink_holds(job) == [
        f"the print file has no ink where the design puts photo {PHOTO!r}: it would print "
        "without it"
    ]


def test_a_print_with_no_ink_at_all_is_called_blank(renderer: ItemRenderer) -> None:
    data = rewritten("exif-rotated", members={LONE_PHOTO: white_photo()})
    job = one_job(renderer, without(data, LONE_SNAPSHOT))
    assert ink_holds(job) == [
        f"the print file is blank although the design shows photo {LONE_PHOTO!r}"
    ]


def test_a_design_with_only_blank_text_is_not_held_for_ink(renderer: ItemRenderer) -> None:
    """Texts of spaces only show nothing: a blank print is what the buyer chose (decided)."""
    data = rewritten("text-only", document=text_in_json("Main text", "   "))
    job = one_job(renderer, data)
    assert ink_holds(job) == []


# -- the check itself, on a drawn page --------------------------------------------------------


def test_white_text_on_white_is_not_judged_and_ink_anywhere_in_the_region_counts() -> None:
    page = page_geometry(width_mm=100, height_mm=100, bleed_mm=0, design_box=Box(0, 0, 400, 400))
    scale = 2.0
    picture = Image.new(
        "RGB", (round(page.width_pt * scale), round(page.height_pt * scale)), "white"
    )
    inked = Box(100, 100, 50, 20)
    to_pixels = page.to_page.map_box(inked)
    x, y = round(to_pixels.x * scale) + 5, round(to_pixels.y * scale) + 5
    picture.paste((200, 30, 30), (x, y, x + 4, y + 4))
    regions = [
        Region("text 'drawn'", inked, (200, 30, 30)),
        Region("text 'white'", Box(200, 200, 50, 20), (255, 255, 255)),
        Region("text 'gone'", Box(200, 300, 50, 20), (0, 0, 0)),
        Region("photo 'blank.jpg'", Box(380, 380, 10, 10)),
    ]
    assert missing_ink(picture, page, scale, regions) == ("text 'gone'", "photo 'blank.jpg'")
