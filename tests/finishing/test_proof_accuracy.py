"""The proof check is right both ways on its labelled set (`tests/finishing/proof_cases.py`).

It holds none of the faithful prints (small text, thin strokes, other scripts, JPEG noise, a
product photo behind the design, soft photos, a substitute font) and every wrong one (mirrored,
shifted by 3 mm, a line missing, another photo, a blank photo). `benchmarks/proof_accuracy.py`
prints the same set's false-hold and miss rates.
"""

from __future__ import annotations

import io
import re

import pytest
from reportlab.pdfgen.canvas import Canvas

from production.core.geometry import Box
from production.customization import parse_zip
from production.floor.rendering import ItemRenderer
from renderers.extents import surface_extents
from renderers.placement import page_geometry
from renderers.proofcheck import check_proof, proof_regions
from tests.finishing.proof_cases import (
    ProofCase,
    Verdict,
    judge,
    labelled_settings,
    proof_cases,
    sample,
    tote_photo,
)
from tests.finishing.proof_pictures import zipped
from tests.finishing.test_proof_check import printed_jobs
from tests.finishing.zips import member

Judged = list[tuple[ProofCase, Verdict]]


@pytest.fixture(scope="module")
def renderer(tmp_path_factory: pytest.TempPathFactory) -> ItemRenderer:
    return ItemRenderer(labelled_settings(tmp_path_factory.mktemp("config")))


@pytest.fixture(scope="module")
def judged(renderer: ItemRenderer) -> Judged:
    return [(case, judge(renderer, case)) for case in proof_cases()]


def test_the_set_has_both_kinds_and_compares_every_case(judged: Judged) -> None:
    faithful = [case for case, _ in judged if case.faithful]
    assert len(faithful) >= 25 and len(judged) - len(faithful) >= 20
    # A case the check could not compare (no snapshot, "blank" snapshot) proves nothing.
    assert [case.name for case, verdict in judged if verdict.score is None] == []


def test_no_faithful_print_is_held(judged: Judged) -> None:
    held = {
        case.name: (verdict.scores, verdict.reasons)
        for case, verdict in judged
        if case.faithful and verdict.held
    }
    assert held == {}


def test_every_wrong_print_is_held(judged: Judged) -> None:
    missed = {
        case.name: verdict.scores
        for case, verdict in judged
        if not case.faithful and not verdict.held
    }
    assert missed == {}


def test_a_wrong_print_in_a_substitute_font_says_the_font_was_substituted(
    judged: Judged,
) -> None:
    reasons = {case.name: verdict.reasons for case, verdict in judged if case.reason}
    assert len(reasons) >= 2
    for name, [reason] in reasons.items():
        assert "is printed in the substitute font 'Roboto'" in reason, name
        assert "the shop's alias for 'Brand Sans'" in reason
        assert "differs from Amazon's preview" not in reason


def test_a_hold_says_what_differs(judged: Judged) -> None:
    reasons = {case.name: " ".join(verdict.reasons) for case, verdict in judged}
    assert _offsets(reasons["photo shifted 3, 0 mm, tote"]) == pytest.approx(
        {"right": 3.0}, abs=0.3
    )
    assert _offsets(reasons["photo shifted -2.2, 2.2 mm, mug"]) == pytest.approx(
        {"left": 2.2, "below": 2.2}, abs=0.3
    )
    assert "of the preview's letters are not in the print" in reasons["missing line, sign"]
    assert "does not look like the preview's photo" in reasons["another photo, tote"]
    assert "the print shows nothing of it" in reasons["transparent PNG, png-alpha"]


def _offsets(reason: str) -> dict[str, float]:
    """`the preview shows it 3.1 mm right and 0.6 mm below of where…` → {"right": 3.1, …}."""
    found = re.search(r"the preview shows it (.*?) of where it prints", reason)
    assert found, reason
    parts = (part.split(" mm ") for part in found.group(1).split(" and "))
    return {where: float(mm) for mm, where in parts}


def test_a_blank_print_of_a_surface_is_held() -> None:
    """A page the renderer left empty, against the preview of the soft photo it should show."""
    data = zipped(tote_photo()[0])
    [surface] = parse_zip(data).surfaces
    tote = Box(80, 90, 240, 240)  # the photo box: the tote's print area (config/products.toml)
    page = page_geometry(width_mm=254, height_mm=254, bleed_mm=3.0, design_box=tote)
    blank = io.BytesIO()
    canvas = Canvas(blank, pagesize=(page.width_pt, page.height_pt))
    canvas.showPage()
    canvas.save()
    regions = proof_regions(surface_extents(surface, []))
    assert surface.snapshot_member is not None
    snapshot = member(data, surface.snapshot_member)
    check = check_proof(blank.getvalue(), page, snapshot, regions, min_score=0.6)
    assert check.score is not None and check.score < 0.6


def test_a_sample_job_keeps_its_scores_on_the_ticket(renderer: ItemRenderer) -> None:
    [job] = printed_jobs(renderer, sample("photo-text"))
    proof = job.ticket.as_dict()["preflight"]["proof"]
    assert proof["score"] > 0.9
    assert {entry["element"] for entry in proof["elements"]} == {
        "photo 'd26e15ba-ac45-3d40-8260-fee4e36d4b94.jpg'",
        "text 'BACK TEXT'",
    }
