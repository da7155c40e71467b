"""Amazon's static sandbox: a request carrying a case's parameter values gets its response.

The cases are `responses.<status>.x-amzn-api-sandbox.static` in the models. A case names some
parameters (`CreatedAfter=TEST_CASE_200`, `orderId=...`, or the whole `body`); the request must
carry exactly those values, and may carry more. When several cases match, the one naming the
most parameters wins. A case naming no parameter at all answers only for operations the
simulator does not implement, so that it never shadows the simulated behaviour.
"""

from __future__ import annotations

from typing import Any

from production.amazon.sim.inputs import NO_BODY, RawRequest
from production.amazon.sim.spec import Operation, SandboxCase

__all__ = ["match_case"]


def match_case(op: Operation, request: RawRequest, *, implemented: bool) -> SandboxCase | None:
    """The static case this request asks for, or None."""
    best: SandboxCase | None = None
    for case in op.sandbox:
        if not case.parameters and implemented:
            continue
        if not all(_carries(op, request, n, v) for n, v in case.parameters.items()):
            continue
        if best is None or len(case.parameters) > len(best.parameters):
            best = case
    return best


def _carries(op: Operation, request: RawRequest, name: str, expected: Any) -> bool:
    body = op.body
    if name == "body" or (body is not None and name == body.name):
        received = request.json()
        return received is not NO_BODY and bool(received == expected)
    parameter = op.parameter(name)
    if parameter is None:
        return False
    values = request.values(parameter)
    if values is None:
        return False
    if isinstance(expected, list):
        return values == [_text(v) for v in expected]
    return values == [_text(expected)]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
