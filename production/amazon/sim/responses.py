"""Answers in Amazon's shapes: JSON bodies and the `{"errors": [...]}` envelope."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

__all__ = [
    "ACCESS_DENIED",
    "JSON_TYPE",
    "TOKEN_EXPIRED",
    "Endpoint",
    "error_response",
    "errors_response",
    "json_response",
]

Endpoint = Callable[[Request], Awaitable[Response]]
"""A starlette endpoint."""

JSON_TYPE = "application/json"
ACCESS_DENIED = "Access to requested resource is denied."
TOKEN_EXPIRED = "The access token you provided has expired."


def json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status, headers=dict(headers or {}), media_type=JSON_TYPE)


def error_response(status: int, code: str, message: str, details: str | None = None) -> Response:
    return errors_response(status, [(code, message, details)])


def errors_response(status: int, errors: Iterable[tuple[str, str, str | None]]) -> Response:
    """`{"errors": [{"code", "message", "details"?}]}`, the envelope every SP-API error uses."""
    listed = []
    for code, message, details in errors:
        error = {"code": code, "message": message}
        if details is not None:
            error["details"] = details
        listed.append(error)
    return json_response({"errors": listed}, status)
