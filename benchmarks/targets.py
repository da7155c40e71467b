"""The figures a benchmark checks, printed alike by every benchmark: a table and a verdict."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Check", "print_checks", "print_verdict"]


@dataclass
class Check:
    figure: str
    measured: str
    target: str
    ok: bool


def print_checks(checks: Sequence[Check]) -> None:
    """The PASS/FAIL table, columns padded to their widest cell."""
    width = max(len(check.figure) for check in checks)
    measured = max(len(check.measured) for check in checks)
    target = max(len(check.target) for check in checks)
    print()
    print(f"{'target':<{width}}  {'measured':>{measured}}  {'limit':<{target}}  result")
    for check in checks:
        result = "PASS" if check.ok else "FAIL"
        print(
            f"{check.figure:<{width}}  {check.measured:>{measured}}  "
            f"{check.target:<{target}}  {result}"
        )


def print_verdict(checks: Sequence[Check], seconds: float) -> None:
    failed = sum(not check.ok for check in checks)
    verdict = "all targets met" if not failed else f"{failed} target(s) FAILED"
    print(f"\n{verdict} ({seconds:.1f} s)")
