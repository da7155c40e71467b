"""A short command loads only what it uses: no renderer, Amazon client or desk stack to list jobs.

Start-up is most of a quick command's time (the speed issue measured a second per command), so
these check which libraries a command imports, not how long it takes; benchmarks/startup.py
measures the time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("reportlab", "cairosvg", "cairocffi", "httpx", "pikepdf", "pypdfium2", "PIL", "numpy",
         "uvicorn", "starlette", "jinja2", "fontTools", "lxml")  # fmt: skip

_PROBE = """
import json, sys
from production.app.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:  # --help exits from argparse
    code = exc.code
print(json.dumps(sorted({name.partition(".")[0] for name in sys.modules})), file=sys.stderr)
"""


def imported_by(*argv: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv], capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize("argv", [("--help",), ("jobs", "--help"), ("ship", "--help")])
def test_help_imports_no_heavy_library(argv: tuple[str, ...]) -> None:
    assert imported_by(*argv) & set(HEAVY) == set()


def test_jobs_on_a_fresh_shop_imports_no_heavy_library(tmp_path: Path) -> None:
    config = tmp_path / "config"
    subprocess.run([sys.executable, "-m", "production", "init", str(config)], check=True,
                   capture_output=True)  # fmt: skip
    assert imported_by("jobs", "--config", str(config)) & set(HEAVY) == set()
