"""The operations of the packaged SP-API models: routes, parameters, usage plans, sandbox cases.

Everything the simulator knows about an operation comes from here, read from the unmodified
Swagger 2.0 files in `models/` (see its README); nothing is restated by hand.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "DYNAMIC_MODEL_FILES",
    "MODEL_FILES",
    "RATE_TABLE",
    "SERVED_FILES",
    "Operation",
    "Parameter",
    "SandboxCase",
    "load_model",
    "operations",
    "resolve",
]

MODEL_FILES = (
    "orders_2026-01-01.json",
    "ordersV0.json",
    "reports_2021-06-30.json",
    "tokens_2021-03-01.json",
    "shippingV2.json",
)
"""The models whose static sandbox cases the simulator replays."""

DYNAMIC_MODEL_FILES = ("fulfillmentOutbound_2020-07-01.json",)
"""Models Amazon's sandbox answers from state (`x-amzn-api-sandbox: dynamic`), as this one does."""

SERVED_FILES = MODEL_FILES + DYNAMIC_MODEL_FILES
"""Every model the simulator routes, validates and rate-limits."""

RATE_TABLE = re.compile(r"\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|")
"""A row of the "Usage Plan" table in an operation's description: | rate per second | burst |."""

_PACKAGE = __name__.rpartition(".")[0]
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@dataclass(frozen=True, slots=True)
class Parameter:
    """One declared parameter; `schema` is the parameter itself, or the body's schema."""

    name: str
    location: str  # "path", "query", "header" or "body"
    required: bool
    schema: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class SandboxCase:
    """One `x-amzn-api-sandbox.static` case: the parameter values it needs and what it returns."""

    status: int
    parameters: Mapping[str, Any]
    response: Any
    has_response: bool

    def body(self) -> bytes:
        """The response body, verbatim: none for a 204 or a case that declares no response."""
        if not self.has_response or self.status == 204:
            return b""
        return json.dumps(self.response, ensure_ascii=False).encode()


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of one model, with its usage plan (rate per second, burst)."""

    api: str
    operation_id: str
    method: str
    path: str
    parameters: tuple[Parameter, ...]
    rate: float | None
    burst: int | None
    sandbox: tuple[SandboxCase, ...]
    definitions: Mapping[str, Any]
    deprecated: bool

    @property
    def key(self) -> str:
        """`ordersV0.getOrder`: operation ids repeat across models (getOrder is in two)."""
        return f"{self.api}.{self.operation_id}"

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    @property
    def body(self) -> Parameter | None:
        return next((p for p in self.parameters if p.location == "body"), None)


def load_model(file_name: str) -> dict[str, Any]:
    """One packaged model file, parsed."""
    text = resources.files(_PACKAGE).joinpath("models", file_name).read_text("utf-8")
    model: dict[str, Any] = json.loads(text)
    return model


@cache
def operations(files: tuple[str, ...] = SERVED_FILES) -> tuple[Operation, ...]:
    """Every operation of the given models, in model order."""
    found: list[Operation] = []
    for file_name in files:
        model = load_model(file_name)
        api = file_name.removesuffix(".json")
        definitions = model.get("definitions", {})
        for path, item in model["paths"].items():
            for method in _METHODS:
                if method in item:
                    found.append(_operation(api, method, path, item[method], definitions))
    return tuple(found)


def resolve(schema: Mapping[str, Any], definitions: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow `$ref`s to `#/definitions/...` until a schema that is not a reference."""
    seen = 0
    while "$ref" in schema and seen < 32:
        schema = definitions[str(schema["$ref"]).rsplit("/", 1)[-1]]
        seen += 1
    return schema


def _operation(
    api: str, method: str, path: str, op: Mapping[str, Any], definitions: Mapping[str, Any]
) -> Operation:
    rate, burst = _usage_plan(str(op.get("description", "")))
    return Operation(
        api=api,
        operation_id=str(op["operationId"]),
        method=method.upper(),
        path=path,
        parameters=tuple(_parameter(p) for p in op.get("parameters", [])),
        rate=rate,
        burst=burst,
        sandbox=tuple(_sandbox_cases(op)),
        definitions=definitions,
        deprecated=bool(op.get("deprecated", False)),
    )


def _usage_plan(description: str) -> tuple[float | None, int | None]:
    match = RATE_TABLE.search(description)
    if match is None:
        return None, None
    return float(match.group(1)), round(float(match.group(2)))


def _parameter(raw: Mapping[str, Any]) -> Parameter:
    location = str(raw["in"])
    schema = raw.get("schema", {}) if location == "body" else raw
    return Parameter(str(raw["name"]), location, bool(raw.get("required", False)), schema)


def _sandbox_cases(op: Mapping[str, Any]) -> list[SandboxCase]:
    cases = []
    for status, response in op.get("responses", {}).items():
        static = response.get("x-amzn-api-sandbox", {}).get("static", [])
        for case in static:
            parameters = case.get("request", {}).get("parameters", {})
            cases.append(
                SandboxCase(
                    status=int(status),
                    parameters={name: spec.get("value") for name, spec in parameters.items()},
                    response=case.get("response"),
                    has_response="response" in case,
                )
            )
    return cases
