"""Where the built-in sample zips live (made by `samples/make_samples.py`)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["SAMPLES_DIR", "sample_zips"]

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "samples" / "zips"


def sample_zips(folder: Path = SAMPLES_DIR) -> list[Path]:
    return sorted(folder.glob("*.zip"))
