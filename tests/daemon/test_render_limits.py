"""A render that runs away is stopped by `[limits]` render_seconds and render_memory_mib, in the
real daemon's workers and in `production render`; the item is held, the daemon goes on.

The run-away render is a legitimate-looking one the budgets were raised for: 16,000 characters
on the engraved sign, each outlined for the laser (about 16 s and 440 MB on this machine). The
limits are set far below that, so how fast the machine is does not decide the outcome.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from production.customization.samples import SAMPLES_DIR
from tests.customization.budget_zips import ITEM, with_text
from tests.daemon.processes import REPO, Floor

pytestmark = pytest.mark.slow  # real processes end to end: `-m 'not slow'` skips them

LONG_TEXT = "Happy Birthday " * 1_067  # 16,005 characters
RAISED = "characters_per_text = 20000\ncharacters_per_surface = 20000\n"
FINISH = 120.0
GOOD_ITEM = "90000000000033"  # photo-text.zip


def _limits(config: Path, lines: str) -> None:
    """`lines` in the shop's `[limits]` table (the shipped shop.toml has one, all commented)."""
    shop_toml = config / "shop.toml"
    text = shop_toml.read_text()
    assert text.count("\n[limits]\n") == 1
    shop_toml.write_text(text.replace("\n[limits]\n", f"\n[limits]\n{RAISED}{lines}"))


@pytest.fixture
def floor(tmp_path: Path) -> Iterator[Floor]:
    floor = Floor(tmp_path, settle=0.2)
    yield floor
    floor.stop_all()


def _held_reason(floor: Floor, limits: str) -> str:
    """Start the daemon with `limits`, drop the long text and a good zip; the long one's hold."""
    _limits(floor.config, limits)
    run = floor.start()
    floor.drop(with_text(LONG_TEXT), "long.zip")
    floor.drop((SAMPLES_DIR / "photo-text.zip").read_bytes(), "good.zip")
    floor.wait_until(
        lambda: (
            any(
                e.get("state") == "held" and str(e.get("job", "")).startswith(ITEM)
                for e in run.events()
            )
            and any(
                e.get("state") == "queued" and str(e.get("job", "")).startswith(GOOD_ITEM)
                for e in run.events()
            )
        ),
        timeout=FINISH,
        what="the long text held and the good zip queued",
        run=run,
    )
    [held] = [
        e
        for e in run.events()
        if e.get("state") == "held" and str(e.get("job", "")).startswith(ITEM)
    ]
    assert run.alive()
    assert "Traceback" not in run.stderr.read_text()
    return str(held["reason"])


def test_a_render_past_its_time_is_held_and_the_daemon_goes_on(floor: Floor) -> None:
    reason = _held_reason(floor, "render_seconds = 1\n")
    assert "the render took longer than 1 s (render_seconds in shop.toml [limits])" in reason
    assert "Happy Birthday" not in reason


def test_a_render_past_its_memory_is_held_and_the_daemon_goes_on(floor: Floor) -> None:
    reason = _held_reason(floor, "render_seconds = 100\nrender_memory_mib = 64\n")
    # MemoryError in Python, or a C library that could not cope ended the worker: both say so.
    assert "64 MiB" in reason and "render_memory_mib in shop.toml [limits]" in reason, reason


def test_a_daemon_that_renders_inline_keeps_the_same_limits(floor: Floor) -> None:
    shop_toml = floor.config / "shop.toml"
    text = shop_toml.read_text()
    assert text.count("\n[shop]\n") == 1
    shop_toml.write_text(text.replace("\n[shop]\n", "\n[shop]\nrender_workers = 0\n"))
    reason = _held_reason(floor, "render_seconds = 100\nrender_memory_mib = 64\n")
    assert "the render needed more than 64 MiB (render_memory_mib in shop.toml [limits])" in reason


def test_the_render_command_keeps_the_same_limits(tmp_path: Path) -> None:
    floor = Floor(tmp_path, settle=0.2)
    _limits(floor.config, "render_seconds = 1\n")
    zip_path = tmp_path / "long.zip"
    zip_path.write_bytes(with_text(LONG_TEXT))
    done = subprocess.run(
        [sys.executable, "-m", "production", "render", str(zip_path),
         "--out", str(tmp_path / "out"), "--config", str(floor.config)],
        capture_output=True, text=True, timeout=FINISH, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    [line] = done.stderr.splitlines()
    assert line.endswith("the render took longer than 1 s (render_seconds in shop.toml [limits])")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
