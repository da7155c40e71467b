"""What a request carried, before anything is checked: path values, query values, body bytes."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from production.amazon.sim.spec import Parameter

__all__ = ["NO_BODY", "RawRequest"]

NO_BODY: Any = object()
"""What `RawRequest.json()` returns for an empty body or one that is not JSON."""


@dataclass(frozen=True, slots=True)
class RawRequest:
    """A request as received: `query` keeps every value of a repeated name, in order;
    `headers` are keyed by their lower-case names."""

    path_params: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, Sequence[str]] = field(default_factory=dict)
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        path_params: Mapping[str, str],
        items: Sequence[tuple[str, str]],
        body: bytes,
        headers: Mapping[str, str] | None = None,
    ) -> RawRequest:
        query: dict[str, list[str]] = {}
        for name, value in items:
            query.setdefault(name, []).append(value)
        lowered = {name.lower(): value for name, value in (headers or {}).items()}
        return cls(dict(path_params), query, body, lowered)

    def values(self, parameter: Parameter) -> list[str] | None:
        """The parameter's values: arrays come comma-separated (Swagger's csv) or repeated."""
        if parameter.location == "path":
            value = self.path_params.get(parameter.name)
            return None if value is None else [value]
        if parameter.location == "header":
            value = self.headers.get(parameter.name.lower())
            return None if value is None else [value]
        raw = self.query.get(parameter.name)
        if raw is None:
            return None
        if parameter.schema.get("type") != "array":
            return [raw[0]]
        return [part for value in raw for part in value.split(",") if part != ""]

    def json(self) -> Any:
        if not self.body.strip():
            return NO_BODY
        try:
            return json.loads(self.body)
        except ValueError:
            return NO_BODY
