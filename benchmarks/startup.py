"""How long a command takes before it does anything: whole processes against a bare interpreter.

Runs `production --help` and `production jobs` (on a shop no daemon has run yet) as whole
processes, each paired with `python -c pass` from the same interpreter, A B A B …, and prints the
medians and the median of the pairwise ratios (a pair shares the machine's mood, so the ratio
holds on a noisy machine where the absolute times drift). Targets (issue "speed"): `--help` at
most 4× and `jobs` at most 6× the bare interpreter.

    python benchmarks/startup.py [RUNS]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.targets import Check, print_checks, print_verdict

RUNS = 21


def production_command() -> list[str]:
    """The installed `production` script beside this interpreter, as a user runs it."""
    script = Path(sys.executable).with_name("production")
    if script.is_file():
        return [str(script)]
    found = shutil.which("production")
    return [found] if found else [sys.executable, "-m", "production"]


def wall(command: Sequence[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def paired(
    command: Sequence[str], baseline: Sequence[str], runs: int
) -> tuple[float, float, float]:
    """Median seconds of `command`, of `baseline`, and the median ratio of their pairs."""
    wall(command), wall(baseline)  # warm the page cache and the bytecode
    times, bases, ratios = [], [], []
    for _ in range(runs):
        a, b = wall(command), wall(baseline)
        times.append(a)
        bases.append(b)
        ratios.append(a / b)
    return statistics.median(times), statistics.median(bases), statistics.median(ratios)


def main(argv: Sequence[str]) -> int:
    runs = int(argv[0]) if argv else RUNS
    started = time.perf_counter()
    production = production_command()
    baseline = [sys.executable, "-c", "pass"]
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config"
        subprocess.run([*production, "init", str(config)], check=True, stdout=subprocess.DEVNULL)
        cases = {
            "production --help": ([*production, "--help"], 4.0),
            "production jobs (no daemon yet)": (
                [*production, "jobs", "--config", str(config)],
                6.0,
            ),
        }
        print(f"{' '.join(production)} against {sys.executable} -c pass, {runs} pairs each")
        print("load average: " + " ".join(f"{load:.2f}" for load in os.getloadavg()))
        checks = []
        for name, (command, limit) in cases.items():
            median, base, ratio = paired(command, baseline, runs)
            print(f"{name}: {median * 1000:.0f} ms, bare interpreter {base * 1000:.0f} ms")
            checks.append(Check(f"{name} / python -c pass", f"{ratio:.2f}×", f"≤ {limit:g}×",
                                ratio <= limit))  # fmt: skip
    print_checks(checks)
    print_verdict(checks, time.perf_counter() - started)
    return 0 if all(check.ok for check in checks) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
