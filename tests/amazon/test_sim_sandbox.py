"""Every static sandbox case of the served models replays: the request it describes gets its
response and status, verbatim."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from production.amazon.sim.spec import MODEL_FILES, Operation, SandboxCase, operations
from tests.amazon.test_sim import Sim, shared, sim

__all__ = ["shared", "sim"]  # fixtures shared with test_sim

FILLER = "SIM-ANY-VALUE"  # for path parameters a case does not name
CASES = [(op, index, case) for op in operations() for index, case in enumerate(op.sandbox)]


def _request(op: Operation, case: SandboxCase) -> tuple[str, dict[str, str], Any]:
    path = op.path
    query: dict[str, str] = {}
    body: Any = None
    for parameter in op.parameters:
        if parameter.location == "path":
            value = str(case.parameters.get(parameter.name, FILLER))
            path = path.replace(f"{{{parameter.name}}}", quote(value, safe=""))
    for name, value in case.parameters.items():
        declared = op.parameter(name)
        if name == "body" or (declared is not None and declared.location == "body"):
            body = value
        elif declared is not None and declared.location == "query":
            values = value if isinstance(value, list) else [value]
            query[name] = ",".join(_text(v) for v in values)
    return path, query, body


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def test_every_served_model_has_sandbox_cases() -> None:
    apis = {op.api for op, _, _ in CASES}
    assert apis == {name.removesuffix(".json") for name in MODEL_FILES}
    assert len(CASES) >= 60


@pytest.mark.parametrize(
    ("op", "case"),
    [(op, case) for op, _, case in CASES],
    ids=[f"{op.key}-{case.status}-{index}" for op, index, case in CASES],
)
def test_static_sandbox_case_replays(sim: Sim, op: Operation, case: SandboxCase) -> None:
    path, query, body = _request(op, case)
    response = sim.http.request(
        op.method,
        path,
        params=query,
        content=None if body is None else json.dumps(body).encode(),
        headers={**sim.headers(), "content-type": "application/json"},
    )
    assert response.status_code == case.status, response.text
    expected = case.body()
    if expected:
        assert response.json() == json.loads(expected)
    else:
        assert response.content == b""
    assert response.headers["x-amzn-RequestId"]
