"""Check a request against its operation's model: what Amazon's front door rejects with a 400.

Path, query, header and body parameters are checked for presence (`required`), type, `enum`,
`format: date-time`, `minLength`/`maxLength`, `pattern`, `minimum`/`maximum` and
`minItems`/`maxItems`. Unknown query parameters and unknown body fields are ignored, as Amazon
ignores them. Every violation names the parameter (a body field by its path, such as
`packageDetail.orderItems[0].quantity`). Rules the models state only in prose are checked by
the handlers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from production.amazon.sim.dates import parse_time
from production.amazon.sim.inputs import NO_BODY, RawRequest
from production.amazon.sim.spec import Operation, Parameter, resolve

__all__ = ["Inputs", "Violation", "check_request"]


@dataclass(frozen=True, slots=True)
class Violation:
    parameter: str
    message: str


@dataclass(frozen=True, slots=True)
class Inputs:
    """The declared parameters a request carried, typed: arrays are lists, integers ints."""

    path: Mapping[str, str]
    query: Mapping[str, Any]
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)
    """Declared header parameters by their lower-case names (`x-amzn-idempotencykey`)."""


def check_request(op: Operation, request: RawRequest) -> tuple[Inputs, list[Violation]]:
    violations: list[Violation] = []
    path: dict[str, str] = {}
    query: dict[str, Any] = {}
    headers: dict[str, str] = {}
    body: Any = None
    for parameter in op.parameters:
        if parameter.location == "body":
            body = _check_body(op, parameter, request, violations)
            continue
        if parameter.location not in ("path", "query", "header"):
            continue
        values = request.values(parameter)
        if values is None or (parameter.location == "path" and values == [""]):
            if parameter.required:
                violations.append(_missing(parameter.name))
            continue
        value = _check_simple(parameter, values, violations)
        if parameter.location == "path":
            path[parameter.name] = values[0]
        elif parameter.location == "header":
            headers[parameter.name.lower()] = values[0]
        else:
            query[parameter.name] = value
    return Inputs(path, query, body, headers), violations


def _missing(name: str) -> Violation:
    return Violation(name, f"Missing request parameter: {name}.")


def _invalid(name: str, rule: str) -> Violation:
    return Violation(name, f"Invalid request parameter `{name}`. {rule}")


def _check_simple(parameter: Parameter, values: list[str], out: list[Violation]) -> Any:
    schema, name = parameter.schema, parameter.name
    if schema.get("type") != "array":
        return _scalar(values[0], schema, name, out)
    _check_count(len(values), schema, name, out)
    items = schema.get("items", {})
    return [_scalar(v, items, name, out) for v in values]


def _scalar(text: str, schema: Mapping[str, Any], name: str, out: list[Violation]) -> Any:
    """A query or path value converted to the schema's type (left as text if it is not one)."""
    kind = schema.get("type", "string")
    value: Any = text
    if kind == "integer":
        if re.fullmatch(r"[+-]?\d+", text) is None:
            out.append(_invalid(name, "Expected an integer."))
            return text
        value = int(text)
    elif kind == "number":
        try:
            value = float(text)
        except ValueError:
            out.append(_invalid(name, "Expected a number."))
            return text
    elif kind == "boolean":
        if text.lower() not in ("true", "false"):
            out.append(_invalid(name, "Expected true or false."))
            return text
        value = text.lower() == "true"
    _check_value(value, schema, name, out)
    return value


def _check_body(
    op: Operation, parameter: Parameter, request: RawRequest, out: list[Violation]
) -> Any:
    body = request.json()
    if body is NO_BODY:
        if request.body.strip():
            out.append(_invalid(parameter.name, "The request body is not valid JSON."))
        elif parameter.required:
            out.append(_missing(parameter.name))
        return None
    _check_schema(body, parameter.schema, "", op.definitions, out)
    return body


def _check_schema(
    value: Any,
    schema: Mapping[str, Any],
    where: str,
    definitions: Mapping[str, Any],
    out: list[Violation],
) -> None:
    schema = resolve(schema, definitions)
    kind = schema.get("type", "object" if "properties" in schema else None)
    label = where or "body"
    if kind == "object":
        if not isinstance(value, dict):
            out.append(_invalid(label, "Expected an object."))
            return
        for name in schema.get("required", []):
            if value.get(name) is None:
                out.append(_missing(_join(where, name)))
        for name, sub in schema.get("properties", {}).items():
            if value.get(name) is not None:
                _check_schema(value[name], sub, _join(where, name), definitions, out)
    elif kind == "array":
        if not isinstance(value, list):
            out.append(_invalid(label, "Expected an array."))
            return
        _check_count(len(value), schema, label, out)
        for index, element in enumerate(value):
            _check_schema(element, schema.get("items", {}), f"{label}[{index}]", definitions, out)
    elif kind is not None and not _has_type(value, str(kind)):
        out.append(_invalid(label, f"Expected {_TYPE_WORDS.get(str(kind), kind)}."))
    else:
        _check_value(value, schema, label, out)


_TYPE_WORDS = {"string": "a string", "integer": "an integer", "number": "a number"}


def _has_type(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    return True


def _check_value(value: Any, schema: Mapping[str, Any], name: str, out: list[Violation]) -> None:
    enum = schema.get("enum")
    if enum is not None and value not in enum:
        out.append(_invalid(name, f"Must be one of [{', '.join(map(str, enum))}]."))
    if isinstance(value, str):
        _check_text(value, schema, name, out)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            out.append(_invalid(name, f"Must be at least {schema['minimum']}."))
        if "maximum" in schema and value > schema["maximum"]:
            out.append(_invalid(name, f"Must be at most {schema['maximum']}."))


def _check_text(value: str, schema: Mapping[str, Any], name: str, out: list[Violation]) -> None:
    if schema.get("format") == "date-time" and parse_time(value) is None:
        out.append(_invalid(name, "Must be an ISO 8601 date-time."))
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        out.append(_invalid(name, f"Must be at most {schema['maxLength']} characters long."))
    if "minLength" in schema and len(value) < schema["minLength"]:
        out.append(_invalid(name, f"Must be at least {schema['minLength']} characters long."))
    pattern = schema.get("pattern")
    if pattern is not None and re.search(str(pattern), value) is None:
        out.append(_invalid(name, f"Must match the pattern {pattern}."))


def _check_count(count: int, schema: Mapping[str, Any], name: str, out: list[Violation]) -> None:
    if "minItems" in schema and count < schema["minItems"]:
        out.append(_invalid(name, f"Must have at least {schema['minItems']} values."))
    if "maxItems" in schema and count > schema["maxItems"]:
        out.append(_invalid(name, f"Must have at most {schema['maxItems']} values."))


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name
