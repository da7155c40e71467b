"""How often the proof check is wrong: false holds and misses on its labelled set.

    python benchmarks/proof_accuracy.py

The set (`tests/finishing/proof_cases.py`) is made from the sample generator on every run:
faithful prints (small text, thin strokes, Cyrillic/Greek/accented Latin at 20 preview units,
a snapshot compressed hard, a product photo behind the design, soft photos, a substitute font,
every sample zip with a snapshot) and wrong ones (mirrored, shifted by 3 mm and 12 mm, a missing
line, another photo, a blank photo, a substitute font with a line missing or shifted). Each is
rendered by `ItemRenderer.render_zip` as the daemon renders it; a case is held when the proof
check holds one of its surfaces.

Targets: no false hold and no miss. Prints every case with its score, the margins (the lowest
faithful score, the highest wrong one, against the 0.6 threshold), a table with PASS/FAIL;
exits 1 if a target is missed.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.targets import Check, print_checks, print_verdict
from production.core.templates import DEFAULT_MIN_PROOF_SCORE
from production.floor.rendering import ItemRenderer
from tests.finishing.proof_cases import ProofCase, Verdict, judge, labelled_settings, proof_cases


def main() -> int:
    started = time.monotonic()
    cases = proof_cases()
    made = time.monotonic() - started
    renderer = ItemRenderer(labelled_settings(Path(tempfile.mkdtemp()) / "config"))
    judged = [(case, judge(renderer, case)) for case in cases]
    print(f"{len(cases)} cases made in {made:.1f} s, rendered and checked in "
          f"{time.monotonic() - started - made:.1f} s\n")  # fmt: skip
    print(f"{'case':<38} {'label':<9} {'score':>7}  verdict")
    for case, verdict in judged:
        print(f"{case.name:<38} {_label(case):<9} {_score(verdict):>7}  {_verdict(case, verdict)}")
    faithful = [verdict for case, verdict in judged if case.faithful]
    wrong = [verdict for case, verdict in judged if not case.faithful]
    false_holds = sum(verdict.held for verdict in faithful)
    misses = sum(not verdict.held for verdict in wrong)
    lowest = min((v.score for v in faithful if v.score is not None), default=None)
    highest = max((v.score for v in wrong if v.score is not None), default=None)
    print(f"\nthreshold {DEFAULT_MIN_PROOF_SCORE:.2f}: lowest faithful score {_number(lowest)}, "
          f"highest wrong score {_number(highest)}")  # fmt: skip
    checks = [
        Check(
            f"false holds ({len(faithful)} faithful prints)",
            f"{false_holds} ({false_holds / len(faithful):.0%})",
            "0",
            false_holds == 0,
        ),
        Check(
            f"misses ({len(wrong)} wrong prints)",
            f"{misses} ({misses / len(wrong):.0%})",
            "0",
            misses == 0,
        ),
        Check(
            "cases not compared",
            str(sum(verdict.score is None for _, verdict in judged)),
            "0",
            all(verdict.score is not None for _, verdict in judged),
        ),
    ]
    print_checks(checks)
    print_verdict(checks, time.monotonic() - started)
    return 0 if all(check.ok for check in checks) else 1


def _label(case: ProofCase) -> str:
    return "faithful" if case.faithful else "wrong"


def _score(verdict: Verdict) -> str:
    return _number(verdict.score)


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _verdict(case: ProofCase, verdict: Verdict) -> str:
    right = verdict.held != case.faithful
    said = "held" if verdict.held else "passed"
    return said if right else f"{said}  <-- {'FALSE HOLD' if case.faithful else 'MISS'}"


if __name__ == "__main__":
    sys.exit(main())
