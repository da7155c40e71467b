"""The built-in sample zips parse into what each one is meant to exercise."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from production.core.model import Customization
from production.customization import parse_zip, read_zip
from production.customization.samples import SAMPLES_DIR, sample_zips

ROOT = Path(__file__).resolve().parents[2]


def sample(name: str) -> Customization:
    return parse_zip((SAMPLES_DIR / f"{name}.zip").read_bytes(), source=f"{name}.zip")


def test_the_samples_cover_every_kind() -> None:
    names = {p.stem for p in sample_zips()}
    assert names >= {
        "text-only",
        "options-only",
        "photo-text",
        "two-surfaces",
        "seller-font",
        "legacy-v3-only",
        "xml-only",
        "rotated-photo",
        "exif-rotated",
        "png-alpha",
    }


@pytest.mark.parametrize("path", sample_zips(), ids=lambda p: p.stem)
def test_every_sample_parses_and_json_agrees_with_svg(path: Path) -> None:
    customization = parse_zip(path.read_bytes(), source=path.name)
    expected = (
        ("the zip has no JSON; read the XML backup instead",) if "xml-only" in path.name else ()
    )
    assert customization.warnings == expected


def test_text_only() -> None:
    surface = sample("text-only").surfaces[0]
    assert surface.images == ()
    assert {t.font_family for t in surface.texts} == {"Amatic SC"}
    assert any(len(t.lines) > 1 for t in surface.texts)


def test_options_only() -> None:
    customization = sample("options-only")
    assert customization.is_options_only
    assert len(customization.options) >= 2


def test_two_surfaces() -> None:
    assert [s.name for s in sample("two-surfaces").surfaces] == ["FRONT", "BACK"]


def test_seller_font() -> None:
    surface = sample("seller-font").surfaces[0]
    (font,) = surface.fonts
    assert font.family.startswith("font-")
    assert font.url.endswith(".ttf")
    assert surface.texts[0].font_family == font.family


def test_legacy_and_xml_only_use_their_fallbacks() -> None:
    assert sample("legacy-v3-only").source == "version3.0"
    assert sample("xml-only").source == "xml"


def test_rotated_photos() -> None:
    rotations = sorted(
        i.buyer_placement.rotation
        for i in sample("rotated-photo").surfaces[0].images
        if i.buyer_placement
    )
    assert rotations == pytest.approx([-7, 12.5])


def test_exif_rotated_photo_is_measured_after_orientation() -> None:
    (image,) = sample("exif-rotated").surfaces[0].images
    assert image.exif_orientation == 6
    assert (image.stored_size.width, image.stored_size.height) == (2400, 1800)
    assert (image.pixel_size.width, image.pixel_size.height) == (1800, 2400)


def test_png_keeps_transparency() -> None:
    data = (SAMPLES_DIR / "png-alpha.zip").read_bytes()
    (image,) = parse_zip(data).surfaces[0].images
    assert image.media_type == "image/png"
    picture = Image.open(io.BytesIO(read_zip(data, source="png-alpha")[image.member]))
    assert picture.mode == "RGBA"
    # types-Pillow leaves getextrema unannotated.
    extrema = picture.getextrema()  # type: ignore[no-untyped-call]
    assert extrema[3][0] == 0  # some pixels are fully transparent


def test_samples_folder_is_small() -> None:
    """The zips ship in every wheel and the scripts in every clone: both stay small."""
    folders = (ROOT / "samples", SAMPLES_DIR)
    total = sum(p.stat().st_size for folder in folders for p in folder.rglob("*") if p.is_file())
    assert total < 3 * 1024 * 1024


def test_the_script_rebuilds_the_committed_zips(tmp_path: Path) -> None:
    """Documents and SVGs come back byte for byte; pictures to within encoder noise (another
    Pillow or libjpeg may encode the same pixels into other bytes)."""
    subprocess.run(
        [sys.executable, str(ROOT / "samples" / "make_samples.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    for committed in sample_zips():
        fresh = _members(tmp_path / committed.name)
        kept = _members(committed)
        assert sorted(fresh) == sorted(kept), committed.name
        for name, data in kept.items():
            if name.endswith((".jpg", ".png")):
                assert _pixels_close(data, fresh[name]), f"{committed.name}: {name}"
            else:
                assert data == fresh[name], f"{committed.name}: {name}"


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _pixels_close(a: bytes, b: bytes) -> bool:
    first, second = Image.open(io.BytesIO(a)), Image.open(io.BytesIO(b))
    if first.size != second.size or first.mode != second.mode:
        return False
    difference = ImageChops.difference(first.convert("RGBA"), second.convert("RGBA"))
    return max(ImageStat.Stat(difference).mean) < 2.0
