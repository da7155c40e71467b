"""The built-in sample zips: package data in `sample_zips/` (made by `samples/make_samples.py`).

`production demo` drops them into a throwaway shop's inbox, the SP-API simulator serves them as
its orders' customizations, and the tests read them.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["SAMPLES_DIR", "sample_zips"]

_DATA = resources.files("production.customization").joinpath("sample_zips")
# A wheel is installed unpacked (pip, pipx), so the package's data is a real folder.
SAMPLES_DIR = _DATA if isinstance(_DATA, Path) else Path(str(_DATA))


def sample_zips(folder: Path = SAMPLES_DIR) -> list[Path]:
    return sorted(folder.glob("*.zip"))
