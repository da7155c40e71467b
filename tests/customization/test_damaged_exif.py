"""A photo whose EXIF Pillow cannot read whole: one clear warning on the order, nothing on stderr.

Pillow reports damaged EXIF ("Tag data larger than file. Skipping tag 271") with warnings; in
the daemon those went to stderr, once per photo and render, with no order or photo named.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from production.customization import parse_zip
from production.customization.samples import SAMPLES_DIR

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = SAMPLES_DIR / "photo-text.zip"


def damaged_exif(jpeg: bytes) -> bytes:
    """`jpeg` with an EXIF block whose Make tag points past the end of the block."""
    entries = struct.pack(">HHII", 0x0112, 3, 1, 1 << 16)  # orientation 1, intact
    entries += struct.pack(">HHII", 0x010F, 2, 100, 5000)  # Make: 100 bytes at offset 5000
    tiff = b"MM\x00\x2a" + struct.pack(">IH", 8, 2) + entries + b"\x00\x00\x00\x00"
    exif = b"Exif\x00\x00" + tiff
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif + jpeg[2:]


@pytest.fixture(scope="module")
def order(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = zipfile.ZipFile(SAMPLE)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            archive.writestr(info.filename, damaged_exif(data) if data[:2] == b"\xff\xd8" else data)
    path = tmp_path_factory.mktemp("exif") / "order.zip"
    path.write_bytes(out.getvalue())
    return path


def test_the_order_says_which_photo_has_damaged_exif(order: Path) -> None:
    customization = parse_zip(order.read_bytes())
    [photo] = customization.surfaces[0].images
    [warning] = [w for w in customization.warnings if "EXIF" in w]
    assert warning.startswith(f"image {photo.member!r} has damaged EXIF data")
    assert photo.exif_orientation == 1  # what could be read of it


@pytest.mark.parametrize("command", ["inspect", "render"])
def test_nothing_reaches_stderr(order: Path, command: str, tmp_path: Path) -> None:
    args = [command, str(order)] + (["--out", str(tmp_path)] if command == "render" else [])
    done = subprocess.run(
        [sys.executable, "-m", "production", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "damaged EXIF data" in done.stdout
