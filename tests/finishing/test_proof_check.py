"""The proof check: our render, mapped back to Amazon's preview space, against the zip's snapshot.

Every sample zip passes (its snapshot is drawn by `samples/snapshot.py` the way Amazon's
customizer draws one), as do the 24 reference mugs with snapshots drawn the same way; a render
that is shifted, cropped or drawn in another font is held with both pictures for a person.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from printers.hotfolder import job_files
from production.config.settings import DEFAULT_CONFIG_DIR, load_settings
from production.customization import parse_zip
from production.customization.samples import sample_zips
from production.floor.rendering import ItemRenderer, JobOutput
from renderers.proofcheck import PROOF_PIXELS
from tests.finishing.shop import render, shop
from tests.finishing.snapshots import with_drawn_snapshots
from tests.finishing.zips import (
    Document,
    moved_in_json,
    moved_in_svg,
    rewritten,
    smaller_photo,
)
from tests.reference import mug_names, mug_zip

MUG_MM_PER_UNIT = 88.9 / 130  # the mug's 130-unit band prints 88.9 mm high
PASSING = 0.9  # every faithful render scores above this; the threshold is 0.6

REFERENCE_SHOP = """
[fonts.aliases]
"Great Vibes" = "Amatic SC"
"Shadows Into Light Two" = "Amatic SC"
"Sacramento" = "Amatic SC"
"Patrick Hand" = "Roboto"
"Staatliches" = "Roboto"
"""
REFERENCE_PRODUCT = """
[[product]]
asin = "B0EXAMPLE01"
name = "11 oz photo mug"

[[product.surface]]
name = "FRONT"
printer = "uv-1"
process = "print"
width_mm = 215.9
height_mm = 88.9
bleed_mm = 3.0
design_box = [42, 131, 311, 130]
"""


@pytest.fixture(scope="module")
def renderer() -> ItemRenderer:
    return ItemRenderer(load_settings(DEFAULT_CONFIG_DIR))


def printed_jobs(renderer: ItemRenderer, data: bytes) -> list[JobOutput]:
    return [job for job in renderer.render_zip(data, source="test").jobs if job.pdf is not None]


def proof_holds(job: JobOutput) -> list[str]:
    return [f.message for f in job.preflight if f.rule == "proof" and f.severity == "hold"]


def picture(data: bytes | None) -> Image.Image:
    assert data is not None
    return Image.open(io.BytesIO(data))


# -- faithful renders pass ----------------------------------------------------------------------


@pytest.mark.parametrize("path", sample_zips(), ids=lambda p: p.stem)
def test_every_sample_zip_passes_the_proof_check(renderer: ItemRenderer, path: Path) -> None:
    data = path.read_bytes()
    snapshots = {s.name: s.snapshot_member for s in parse_zip(data).surfaces}
    for job in printed_jobs(renderer, data):
        assert job.proof is not None and proof_holds(job) == []
        proof = picture(job.files()[f"{job.identity.stem}.proof.png"])
        assert proof.format == "PNG" and max(proof.size) >= PROOF_PIXELS
        if snapshots[job.surface] is None:  # the 2018 zip: nothing to compare with
            assert job.proof_score is None and job.compare_name is None
            [finding] = [f for f in job.preflight if f.rule == "proof"]
            assert finding.severity == "warn" and "no snapshot" in finding.message
            continue
        assert job.proof_score is not None and job.proof_score > PASSING, job.proof.elements
        assert all(score > PASSING for _, score in job.proof.elements)
        assert job.ticket.as_dict()["preflight"]["proof"]["snapshot"] == snapshots[job.surface]
        # Nobody looks at a job that is not held: no comparison picture is made for it.
        assert (
            job.compare_name is None
            and job.ticket.as_dict()["preflight"]["proof"]["compare"] is None
        )


def test_the_reference_mugs_match_snapshots_drawn_like_amazons(tmp_path: Path) -> None:
    (tmp_path / "printers.toml").write_text('[[printer]]\nid = "uv-1"\nhot_folder = "hot"\n')
    (tmp_path / "products.toml").write_text(REFERENCE_PRODUCT)
    (tmp_path / "shop.toml").write_text(REFERENCE_SHOP)
    renderer = ItemRenderer(load_settings(tmp_path))
    scores = {}
    for mug in mug_names():
        [job] = renderer.render_zip(with_drawn_snapshots(mug_zip(mug), renderer.fonts)).jobs
        assert proof_holds(job) == [], mug
        scores[mug] = job.proof_score
    assert all(score is not None and score > PASSING for score in scores.values()), scores


def test_a_blank_snapshot_is_a_warning_not_a_hold(tmp_path: Path) -> None:
    """The reference mugs' stand-in snapshots are one flat colour: nothing to compare."""
    (tmp_path / "printers.toml").write_text('[[printer]]\nid = "uv-1"\nhot_folder = "hot"\n')
    (tmp_path / "products.toml").write_text(REFERENCE_PRODUCT)
    (tmp_path / "shop.toml").write_text(REFERENCE_SHOP)
    [job] = ItemRenderer(load_settings(tmp_path)).render_zip(mug_zip("mug-01")).jobs
    assert job.proof_score is None and job.compare_name is None
    [finding] = [f for f in job.preflight if f.rule == "proof"]
    assert finding.severity == "warn"
    assert finding.message == (
        "no comparison with Amazon's preview: the snapshot is blank: nothing to compare"
    )


@pytest.mark.parametrize("extra", ["", 'dither = "floyd-steinberg"', "invert = true"])
def test_an_engraved_surface_is_compared_too(tmp_path: Path, extra: str) -> None:
    """Gray, dithered or negative photos and outlined text still match the preview."""
    settings = shop(
        tmp_path, "photo-text", width=215.9, height=88.9,
        surface=f"design_box = [42, 131, 311, 130]\n{extra}",
    )  # fmt: skip
    [job] = render(settings, "photo-text").jobs
    assert job.proof_score is not None and job.proof_score > PASSING
    assert proof_holds(job) == []


# -- renders that differ from the preview are held ---------------------------------------------


@pytest.mark.parametrize(
    ("sample", "marker", "label"),
    [
        ("photo-text", "d26e15ba-ac45-3d40-8260-fee4e36d4b94.jpg", None),
        ("photo-text", "Best Dad", "BACK TEXT"),
        ("xml-only", "Mom &amp;", None),
    ],
    ids=["photo", "text", "text-over-photo"],
)
def test_a_render_shifted_by_5_mm_is_held_with_both_pictures(
    renderer: ItemRenderer, sample: str, marker: str, label: str | None
) -> None:
    units = 5 / MUG_MM_PER_UNIT
    svg = moved_in_svg(marker, units)
    if sample == "xml-only":
        # No JSON to move along: the reader notes that the XML's placement is elsewhere.
        data = rewritten(sample, svg=svg)
    else:
        data = rewritten(sample, svg=svg, document=moved_in_json(label or marker, units))
    [job] = printed_jobs(renderer, data)
    disagreements = [f for f in job.preflight if f.rule == "json-svg"]
    assert len(disagreements) == (sample == "xml-only")
    [reason] = proof_holds(job)
    assert job.held and reason in job.hold_reasons
    assert job.proof_score is not None and job.proof_score < 0.6
    assert reason.startswith("the print file differs from Amazon's preview: score ")
    files = job.files()
    assert job.compare_name == f"{job.identity.stem}.compare.png"
    sheet = picture(files[job.compare_name])
    assert sheet.width > 3 * (sheet.height - 22)  # three panels side by side, a caption above
    assert job.ticket.as_dict()["preflight"]["proof"]["compare"] == job.compare_name


def test_a_template_that_crops_the_design_is_held(tmp_path: Path) -> None:
    """A design box that leaves the text off the mug: the print lacks what the buyer saw."""
    settings = shop(
        tmp_path, "photo-text", process="print", printer="uv-1", width=120, height=88.9,
        surface="design_box = [42, 131, 180, 130]",
    )  # fmt: skip
    [job] = render(settings, "photo-text").jobs
    [reason] = proof_holds(job)
    assert "least alike: text 'BACK TEXT'" in reason


def test_text_printed_in_another_font_is_held(renderer: ItemRenderer) -> None:
    """The JSON (which names the font printed) says Amatic SC; the buyer saw Roboto."""

    def amatic(document: Document) -> None:
        def walk(node: Document) -> None:
            if node.get("type") == "FontCustomization":
                node["fontSelection"]["family"] = "Amatic SC"
            for child in node.get("children", []):
                walk(child)

        walk(document["customizationData"])

    [job] = printed_jobs(renderer, rewritten("photo-text", document=amatic))
    assert [f.severity for f in job.preflight if f.rule == "json-svg"] == ["warn"]
    [reason] = proof_holds(job)
    assert "least alike: text 'BACK TEXT'" in reason


def test_a_template_may_turn_the_hold_off(tmp_path: Path) -> None:
    settings = shop(
        tmp_path, "photo-text", process="print", printer="uv-1", width=120, height=88.9,
        surface="design_box = [42, 131, 180, 130]\nmin_proof_score = 0",
    )  # fmt: skip
    [job] = render(settings, "photo-text").jobs
    assert proof_holds(job) == [] and job.proof_score is not None and job.proof_score < 0.6


# -- the pictures stay with the masters --------------------------------------------------------


def test_a_job_held_for_another_reason_has_its_comparison_picture(
    renderer: ItemRenderer,
) -> None:
    data = smaller_photo("photo-text", "d26e15ba-ac45-3d40-8260-fee4e36d4b94.jpg", 4)
    [job] = printed_jobs(renderer, data)
    assert job.held and proof_holds(job) == []  # held for its photo's resolution
    assert job.compare_name is not None
    assert picture(job.files()[job.compare_name]).format == "PNG"


def test_the_pictures_never_reach_a_device(renderer: ItemRenderer) -> None:
    data = smaller_photo("photo-text", "d26e15ba-ac45-3d40-8260-fee4e36d4b94.jpg", 4)
    [job] = printed_jobs(renderer, data)
    assert job.proof_name is not None and job.compare_name is not None
    assert {job.proof_name, job.compare_name} <= set(job.files())
    assert set(job.device_files()) == {job.pdf_name, job.ticket_name}
    assert set(job_files(job.files(), None)) == {job.pdf_name, job.ticket_name}
