"""The zips that took the machine down, refused by the real commands, fast and in little memory.

Before the budgets, `production render` of a million-character text on the engraved sign ran
for minutes and gigabytes, and a million-element SVG took `inspect` 26 s and 1.28 GB. Here each
command runs as its own process under a 1.5 GiB address-space limit (as `ulimit -v` sets it)
and must answer with the one-line refusal; the daemon rejects the same zip with the same line.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from production.customization.samples import SAMPLES_DIR
from tests.customization.budget_zips import ITEM, with_svg_elements, with_text
from tests.daemon.shop import Shop

ROOT = Path(__file__).resolve().parents[2]
MEMORY = 1536 << 20  # bytes of address space each command may map
DEADLINE = 60.0  # seconds: a refusal takes about one; a run-away render never ends in time

HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "million-characters": (
        lambda: with_text("Happy Birthday " * 66_667),
        "surface 'FRONT': text 'Main text' has 1,000,005 characters, over the limit of "
        "1,000 (characters_per_text in shop.toml [limits])",
    ),
    "million-elements": (
        lambda: with_svg_elements(1_000_000),
        "has too many elements, over the limit of 10,000 (elements_per_svg in shop.toml [limits])",
    ),
}


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def production(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "production", *args],
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        preexec_fn=_limited,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )


@pytest.fixture(scope="module", params=sorted(HOSTILE))
def hostile(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    make, _ = HOSTILE[request.param]
    path = tmp_path_factory.mktemp(request.param) / f"{request.param}.zip"
    path.write_bytes(make())
    return path


def expected(path: Path) -> str:
    return HOSTILE[path.stem][1]


@pytest.mark.parametrize("command", ["inspect", "render"])
def test_the_command_refuses_it_in_one_line_within_the_memory_limit(
    hostile: Path, command: str, tmp_path: Path
) -> None:
    args = [command, str(hostile)] + (
        ["--out", str(tmp_path / "out")] if command == "render" else []
    )
    done = production(*args)
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith(f"{hostile}: order item {ITEM}: "), line
    assert line.endswith(expected(hostile)), line
    assert "Happy Birthday" not in line  # the buyer's words are never in a message
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    shop = Shop(tmp_path)
    yield shop
    shop.close()


def test_the_daemon_rejects_it_with_the_same_line_and_goes_on(shop: Shop, hostile: Path) -> None:
    shop.drop(hostile.read_bytes(), "hostile.zip")
    shop.drop((SAMPLES_DIR / "photo-text.zip").read_bytes(), "good.zip")
    shop.settle()
    rejected = shop.inbox / "rejected"
    reason = (rejected / "hostile.zip.reason.txt").read_text().strip()
    assert reason.startswith(f"order item {ITEM}: "), reason
    assert reason.endswith(expected(hostile)), reason
    [event] = [e for e in shop.events if e["state"] == "rejected"]
    assert event["reason"] == reason
    assert [j.order_item_id for j in shop.jobs()] == ["90000000000033"]  # the good one went on
