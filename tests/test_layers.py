"""The layering of DESIGN.md is checked, not only written down: `lint-imports` (the contracts in
pyproject.toml) passes on the code as it is and fails on an import that runs upward."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("production", "renderers", "printers")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy_of_the_code(folder: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, folder / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copyfile(ROOT / "pyproject.toml", folder / "pyproject.toml")
    return folder


def _lint(folder: Path) -> subprocess.CompletedProcess[str]:
    # The copy comes first on the path, so the contracts are checked on it, not the checkout.
    env = {**os.environ, "PYTHONPATH": str(folder)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _plant(path: Path, line: str) -> None:
    path.write_text(path.read_text() + f"\n{line}  # planted by the test\n")


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    return _lint(_copy_of_the_code(tmp_path_factory.mktemp("code")))


def test_the_code_keeps_every_contract(clean_run: subprocess.CompletedProcess[str]) -> None:
    assert clean_run.returncode == 0, clean_run.stdout + clean_run.stderr
    assert "0 broken" in clean_run.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # A renderer reaching up into the floor: the inverted layering this contract ended.
        ("renderers/placement.py", "import production.floor.pipeline", "renderers"),
        # The core knows nothing of the project above it.
        ("production/core/model.py", "from production.config import settings", "core"),
        # Devices know the core only, not the renderers beside them.
        ("printers/mirror.py", "import renderers.pdf", "printers"),
        # The renderers draw from the model alone, not from the zip readers beside them.
        ("renderers/pdf.py", "import production.customization.reader", "renderers"),
        # The store knows nothing of the floor that uses it.
        ("production/store/records.py", "import production.floor.events", "store"),
    ],
)
def test_an_upward_import_breaks_the_build(
    tmp_path: Path, module: str, line: str, broken: str
) -> None:
    folder = _copy_of_the_code(tmp_path)
    _plant(folder / module, line)
    result = _lint(folder)
    assert result.returncode == 1, result.stdout
    assert "BROKEN" in result.stdout
    assert f"{line.split()[1]} (l." in result.stdout or line.split()[1] in result.stdout
    assert broken in result.stdout


def test_an_import_cycle_between_sibling_modules_breaks_the_build(tmp_path: Path) -> None:
    folder = _copy_of_the_code(tmp_path)
    # The pipeline imports the inbox; the inbox importing the pipeline back closes a circle.
    _plant(folder / "production/floor/inbox.py", "import production.floor.pipeline")
    result = _lint(folder)
    assert result.returncode == 1, result.stdout
    assert "No import cycles" in result.stdout and "BROKEN" in result.stdout
