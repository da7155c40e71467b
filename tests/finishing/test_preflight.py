"""Preflight: every rule on a zip built to break it, and what the job and its ticket say.

The zips are sample zips with their JSON or SVG edited (`tests/finishing/zips.py`). Each test
looks for its own rule's finding; an edit that moves ink also makes the render differ from the
snapshot, which the proof check (tested on its own) rightly holds too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from production.config.settings import DEFAULT_CONFIG_DIR, Settings, load_settings
from production.customization import parse_zip
from production.floor.rendering import ItemRenderer, JobOutput, job_report, preflight_report
from renderers.preflight import RULES, Finding
from tests.finishing.shop import sample_bytes, shop
from tests.finishing.zips import (
    moved_in_json,
    moved_in_svg,
    replaced_in_svg,
    rewritten,
    scaled_in_svg,
    smaller_photo,
    text_in_json,
)
from tests.renderers.emoji_fonts import colr_font

PHOTO = "d26e15ba-ac45-3d40-8260-fee4e36d4b94.jpg"  # photo-text.zip's photo, 2000 × 1500
TEXT = "BACK TEXT"  # photo-text.zip's text: "Best Dad" / "Ever" in Roboto
MUG = "design_box = [42, 131, 311, 130]\nbleed_mm = 3"


@pytest.fixture(scope="module")
def renderer() -> ItemRenderer:
    return ItemRenderer(load_settings(DEFAULT_CONFIG_DIR))


def mug(tmp_path: Path, extra: str = "") -> Settings:
    """photo-text's mug with the template keys in `extra`."""
    return shop(
        tmp_path, "photo-text", process="print", printer="uv-1", width=215.9, height=88.9,
        surface=f"{MUG}\n{extra}",
    )  # fmt: skip


def one_job(renderer: ItemRenderer, data: bytes) -> JobOutput:
    [job] = renderer.render_zip(data, source="test").jobs
    return job


def found(job: JobOutput, rule: str) -> list[Finding]:
    return [f for f in job.preflight if f.rule == rule]


def assert_no_buyer_text(job: JobOutput, data: bytes) -> None:
    customization = parse_zip(data)
    words = {line for s in customization.surfaces for t in s.texts for line in t.lines if line}
    words |= {t.text for s in customization.surfaces for e in s.texts for t in e.tspans}
    shown = job.ticket.to_json().decode() + "\n".join(job_report(job))
    for word in words:
        assert word not in shown


# -- photo resolution -------------------------------------------------------------------------


def test_a_small_photo_is_held_under_150_ppi(renderer: ItemRenderer) -> None:
    data = smaller_photo("photo-text", PHOTO, 4)  # 500 × 375 over the same 88.9 mm
    job = one_job(renderer, data)
    [finding] = found(job, "ppi")
    assert (finding.severity, finding.job, finding.surface) == (
        "hold",
        job.identity.job_id,
        "FRONT",
    )
    assert finding.message == (
        f"photo {PHOTO!r} prints at 107 ppi, under the 150 ppi the template accepts"
    )
    assert job.held and finding.message in job.hold_reasons
    assert job.proof_score is not None and job.proof_score > 0.9  # the same picture, coarser


def test_a_photo_under_300_ppi_is_a_warning(renderer: ItemRenderer) -> None:
    job = one_job(renderer, smaller_photo("photo-text", PHOTO, 2))  # 1000 × 750: 214 ppi
    [finding] = found(job, "ppi")
    assert finding.severity == "warn"
    assert finding.message == f"photo {PHOTO!r} prints at 214 ppi, under 300 ppi"
    assert not job.held and finding.message in job.ticket.as_dict()["warnings"]
    assert job.ticket.as_dict()["images"][0]["warning"] == "prints at 214 ppi, under 300"


def test_a_template_may_accept_any_resolution_or_warn_elsewhere(tmp_path: Path) -> None:
    data = smaller_photo("photo-text", PHOTO, 4)
    allowing = ItemRenderer(mug(tmp_path / "a", "min_ppi_hold = 0"))
    [finding] = found(one_job(allowing, data), "ppi")
    assert finding.severity == "warn"
    relaxed = ItemRenderer(mug(tmp_path / "b", "min_ppi_hold = 0\nmin_ppi_warn = 100"))
    job = one_job(relaxed, data)
    assert found(job, "ppi") == [] and "warning" not in job.ticket.as_dict()["images"][0]


# -- the safe margin ----------------------------------------------------------------------------


def test_text_inside_the_safe_margin_is_a_warning(renderer: ItemRenderer) -> None:
    # The text's glyphs start 30.5 units below the trim's top edge; 27 units up leaves 3.5
    # units, 2.4 mm, of the 3 mm margin.
    data = rewritten(
        "photo-text", svg=moved_in_svg("Best Dad", 0, -27), document=moved_in_json(TEXT, 0, -27)
    )
    job = one_job(renderer, data)
    [finding] = [f for f in found(job, "safe-margin") if f.message.startswith("text")]
    assert finding.severity == "warn"
    assert finding.message == f"text {TEXT!r} comes within 2.4 mm of the trim (safe margin 3 mm)"
    assert_no_buyer_text(job, data)


def test_text_running_past_the_trim_is_held(renderer: ItemRenderer) -> None:
    data = rewritten(
        "photo-text", svg=moved_in_svg("Best Dad", 0, -40), document=moved_in_json(TEXT, 0, -40)
    )
    job = one_job(renderer, data)
    [finding] = [f for f in found(job, "safe-margin") if f.message.startswith("text")]
    assert finding.severity == "hold"
    assert finding.message == (
        f"text {TEXT!r} runs 6.5 mm past the trim (safe margin 3 mm): cut off"
    )
    assert job.held


def test_a_photo_reaching_the_trim_is_a_warning(renderer: ItemRenderer) -> None:
    job = one_job(renderer, sample_bytes("photo-text"))  # the mug's photo fills the band
    [finding] = found(job, "safe-margin")
    assert finding.severity == "warn"
    assert finding.message == f"photo {PHOTO!r} reaches the trim (safe margin 3 mm)"


def test_the_margin_is_the_templates(tmp_path: Path) -> None:
    renderer = ItemRenderer(mug(tmp_path, "safe_margin_mm = 0"))
    assert found(one_job(renderer, sample_bytes("photo-text")), "safe-margin") == []
    wide = ItemRenderer(mug(tmp_path / "wide", "safe_margin_mm = 10"))
    messages = [f.message for f in found(one_job(wide, sample_bytes("photo-text")), "safe-margin")]
    assert f"text {TEXT!r} comes within 3.1 mm of the trim (safe margin 10 mm)" in messages


# -- clipping -----------------------------------------------------------------------------------


def test_text_cut_by_its_placement_box_is_a_warning(renderer: ItemRenderer) -> None:
    # The buyer's text moved 20 units right inside its box: its last letters leave the box.
    data = rewritten(
        "photo-text",
        svg=moved_in_svg("Best Dad", 20, clip=False),
        document=moved_in_json(TEXT, 20, box=False),
    )
    job = one_job(renderer, data)
    [finding] = found(job, "clipped")
    assert finding.severity == "warn"
    assert finding.message == (
        f"text {TEXT!r} is cut by its placement box: its glyphs reach 11.8 mm past it"
    )
    assert found(job, "json-svg") == []


def test_a_photo_mostly_outside_its_box_is_a_warning(renderer: ItemRenderer) -> None:
    job = one_job(renderer, rewritten("photo-text", svg=scaled_in_svg(PHOTO, 2.0)))
    [finding] = found(job, "clipped")
    assert finding.severity == "warn"
    assert finding.message == (
        f"photo {PHOTO!r} shows 18% of its picture; the rest is outside its placement box"
    )


def test_a_photo_cropped_by_cover_is_no_finding(renderer: ItemRenderer) -> None:
    assert found(one_job(renderer, sample_bytes("photo-text")), "clipped") == []


# -- glyphs -------------------------------------------------------------------------------------


def test_characters_the_font_cannot_draw_hold_the_job_by_code_point(
    renderer: ItemRenderer,
) -> None:
    data = rewritten(
        "photo-text",
        svg=replaced_in_svg(">Ever<", ">Ever 😀 世<"),
        document=text_in_json(TEXT, "Best Dad\nEver 😀 世"),
    )
    job = one_job(renderer, data)
    glyphs = found(job, "missing-glyph")
    assert [(f.severity, f.message) for f in glyphs] == [
        (
            "hold",
            f"text {TEXT!r}: emoji 'GRINNING FACE' is not in font 'Roboto'; set [fonts] emoji "
            "in shop.toml to print emoji",
        ),
        ("hold", f"text {TEXT!r}: font 'Roboto' has no glyph for U+4E16"),
    ]
    assert job.held
    text = job.ticket.to_json().decode()
    assert "😀" not in text and "世" not in text
    assert_no_buyer_text(job, data)


def test_a_line_with_emoji_and_no_emoji_font_is_held_naming_them(renderer: ItemRenderer) -> None:
    data = rewritten(
        "photo-text",
        svg=replaced_in_svg(">Ever<", ">Love you ❤️ 🐶<"),
        document=text_in_json(TEXT, "Best Dad\nLove you ❤️ 🐶"),
    )
    job = one_job(renderer, data)
    [finding] = found(job, "missing-glyph")
    assert finding.severity == "hold" and job.held
    assert finding.message == (
        f"text {TEXT!r}: emoji 'RED HEART', 'DOG FACE' are not in font 'Roboto'; set [fonts] "
        "emoji in shop.toml to print emoji"
    )
    assert "set [fonts] emoji in shop.toml" in "\n".join(job_report(job))
    assert_no_buyer_text(job, data)


def _with_emoji_font(tmp_path: Path, emoji: str, dirs: str = "") -> ItemRenderer:
    """photo-text's mug in a shop whose [fonts] emoji is `emoji`."""
    fonts = f"[fonts]\nemoji = {emoji!r}\n" + (f"dirs = [{dirs!r}]\n" if dirs else "")
    settings = shop(
        tmp_path, "photo-text", process="print", printer="uv-1", width=215.9, height=88.9,
        surface=MUG, shop_toml=fonts,
    )  # fmt: skip
    return ItemRenderer(settings)


def test_emoji_the_emoji_font_has_print_and_are_on_the_ticket(tmp_path: Path) -> None:
    data = rewritten(
        "photo-text",
        svg=replaced_in_svg(">Ever<", ">Love you ❤️ 🐶<"),
        document=text_in_json(TEXT, "Best Dad\nLove you ❤️ 🐶"),
    )
    job = one_job(_with_emoji_font(tmp_path, "Noto Color Emoji"), data)
    assert found(job, "missing-glyph") == []
    families = [font.family for font in job.ticket.fonts]
    assert families == ["Roboto", "Noto Color Emoji"]
    assert_no_buyer_text(job, data)


def test_an_emoji_the_emoji_font_lacks_is_held_naming_it(tmp_path: Path) -> None:
    (tmp_path / "fonts").mkdir()
    colr_font(tmp_path / "fonts", 0)  # has only a heart
    data = rewritten(
        "photo-text",
        svg=replaced_in_svg(">Ever<", ">Love you ❤️ 🐶<"),
        document=text_in_json(TEXT, "Best Dad\nLove you ❤️ 🐶"),
    )
    job = one_job(_with_emoji_font(tmp_path, "Test COLRv0", dirs="fonts"), data)
    [finding] = found(job, "missing-glyph")
    assert finding.severity == "hold" and job.held
    assert finding.message == (
        f"text {TEXT!r}: emoji 'DOG FACE' is not in the emoji font 'Test COLRv0' ([fonts] "
        "emoji in shop.toml); install a newer version of it or name another emoji font there"
    )


def test_text_the_font_covers_has_no_glyph_finding(renderer: ItemRenderer) -> None:
    data = rewritten(
        "photo-text",
        svg=replaced_in_svg(">Ever<", ">Ünïcödé<"),
        document=text_in_json(TEXT, "Best Dad\nÜnïcödé"),
    )
    assert found(one_job(renderer, data), "missing-glyph") == []


# -- JSON and SVG disagreeing -------------------------------------------------------------------


def test_a_text_that_reads_differently_in_the_svg_is_held(renderer: ItemRenderer) -> None:
    data = rewritten("photo-text", svg=replaced_in_svg(">Ever<", ">Evermore<"))
    job = one_job(renderer, data)
    [finding] = found(job, "json-svg")
    assert finding.severity == "hold"
    assert finding.message == (
        f"surface 'FRONT': text {TEXT!r} reads differently in the JSON and the SVG"
    )
    assert_no_buyer_text(job, data)


def test_placement_and_font_disagreements_are_warnings(renderer: ItemRenderer) -> None:
    def svg(text: str) -> str:
        return text.replace('font-family="Roboto"', 'font-family="Amatic SC"')

    data = rewritten("photo-text", svg=svg, document=moved_in_json(PHOTO, 6, box=False))
    job = one_job(renderer, data)
    findings = found(job, "json-svg")
    assert {f.severity for f in findings} == {"warn"}
    assert sorted(f.message for f in findings) == [
        f"surface 'FRONT': {PHOTO!r} sits elsewhere in the JSON than in the SVG",
        f"surface 'FRONT': text {TEXT!r} is in font 'Roboto' in the JSON but 'Amatic SC' "
        "in the SVG",
    ]


def test_a_text_missing_from_the_svg_is_a_warning(renderer: ItemRenderer) -> None:
    def svg(text: str) -> str:
        start = text.index('<g style="" clip-path="url(#CLIPPATH_8)"')
        return text[:start] + text[text.index("</g>\n</g>", start) + 9 :]

    job = one_job(renderer, rewritten("photo-text", svg=svg))
    [finding] = found(job, "json-svg")
    assert finding.severity == "warn"
    assert finding.message == f"surface 'FRONT': text {TEXT!r} is in the JSON but not in the SVG"


# -- the job and its ticket ---------------------------------------------------------------------


def test_findings_are_on_the_job_and_in_the_ticket(renderer: ItemRenderer) -> None:
    job = one_job(renderer, smaller_photo("photo-text", PHOTO, 4))
    block = job.ticket.as_dict()["preflight"]
    assert block["findings"] == [f.as_dict() for f in job.preflight]
    assert {f["rule"] for f in block["findings"]} <= set(RULES)
    assert job.ticket.as_dict()["hold"] == [
        f.message for f in job.preflight if f.severity == "hold"
    ]
    assert job.ticket.as_dict()["warnings"] == [
        f.message for f in job.preflight if f.severity == "warn"
    ]
    assert list(job.hold_reasons) == job.ticket.as_dict()["hold"]
    proof = block["proof"]
    assert proof["score"] == job.proof_score and proof["min_score"] == 0.6
    assert proof["proof"] == job.proof_name and proof["compare"] == job.compare_name  # held
    json.dumps(job.ticket.as_dict())  # all of it is JSON


def test_warnings_of_the_zip_reader_and_the_renderer_are_findings(
    renderer: ItemRenderer,
) -> None:
    job = one_job(renderer, sample_bytes("xml-only"))
    [reader] = found(job, "customization")
    assert (reader.severity, reader.message) == (
        "warn",
        "the zip has no JSON; read the XML backup instead",
    )
    [overlay] = found(job, "render")
    assert overlay.severity == "warn" and "was not printed" in overlay.message


def test_every_sample_is_preflighted_without_a_hold(renderer: ItemRenderer) -> None:
    for sample in ("photo-text", "two-surfaces", "xml-only", "rotated-photo", "png-alpha"):
        for job in renderer.render_zip(sample_bytes(sample), source=sample).jobs:
            assert not job.held, (sample, job.hold_reasons)
            assert_no_buyer_text(job, sample_bytes(sample))


def test_the_report_names_rules_and_numbers(renderer: ItemRenderer) -> None:
    output = renderer.render_zip(smaller_photo("photo-text", PHOTO, 4), source="test")
    lines = preflight_report(output)
    assert re.fullmatch(
        r"90000000000033-FRONT: held; proof score 0\.9\d\d \(threshold 0\.60\)", lines[0]
    )
    assert (
        f"  hold ppi: photo {PHOTO!r} prints at 107 ppi, under the 150 ppi the template accepts"
        in lines
    )
