"""One SP-API operation on the wire: bucket, token, request, retries, and Amazon's answer read.

Every call takes a token from its operation's bucket, carries an LWA access token (or an RDT)
in `x-amz-access-token`, and is retried on 429, 5xx, timeouts and broken connections. A 403
saying the token expired drops that token and repeats the call once; a body that is not JSON
is read again once. Amazon's `{"errors": [...]}` becomes a typed `SpApiError` with the request id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from production.amazon.answers import AnswerTooLarge, bounded_send
from production.amazon.errors import SpApiError, UnauthorizedError, UnreachableError, error_class
from production.amazon.ratelimit import RateLimiter
from production.amazon.retry import (
    RETRY_STATUSES,
    TRANSIENT_ERRORS,
    Retrier,
    Retry,
    retry_after_seconds,
)
from production.amazon.tokens import TokenSource

__all__ = [
    "ACCESS_TOKEN_HEADER",
    "RATE_LIMIT_HEADER",
    "REQUEST_ID_HEADER",
    "Session",
    "malformed",
    "objects",
]

ACCESS_TOKEN_HEADER = "x-amz-access-token"
REQUEST_ID_HEADER = "x-amzn-RequestId"
RATE_LIMIT_HEADER = "x-amzn-RateLimit-Limit"
_MAX_AMAZON_TEXT = 500


@dataclass(slots=True)
class _Tried:
    """What one call already tried once: a token refresh, a second read of a garbled body."""

    refreshed: bool = False
    reread: bool = False


class Session:
    """Calls operations of one SP-API endpoint through a shared pool, buckets and retrier."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        endpoint: str,
        limiter: RateLimiter,
        retrier: Retrier,
        tokens: TokenSource,
        now: Callable[[], datetime],
    ) -> None:
        self._http = http
        self._endpoint = endpoint.rstrip("/")
        self._limiter = limiter
        self._retrier = retrier
        self._tokens = tokens
        self._now = now

    @property
    def endpoint(self) -> str:
        return self._endpoint

    def call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Mapping[str, Any] | None = None,
        tokens: TokenSource | None = None,
        envelope: bool = False,
        empty: bool = False,
        order_id: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """The answer's JSON object (with `envelope`: its `payload`); {} if `empty`.

        `headers` go with every attempt alike, so a retry repeats `x-amzn-IdempotencyKey`.
        """
        source = tokens or self._tokens
        url = self._endpoint + path
        tried = _Tried()
        give_up_at = self._retrier.give_up_at()

        def attempt() -> dict[str, Any] | Retry:
            self._limiter.acquire(operation)
            token = source.get()
            request = self._http.build_request(
                method,
                url,
                params=params,
                json=json,
                headers={**(headers or {}), ACCESS_TOKEN_HEADER: token},
                timeout=_within(self._http.timeout, self._retrier.left(give_up_at)),
            )
            try:
                response = bounded_send(
                    self._http, request, past_deadline=lambda: self._retrier.past(give_up_at)
                )
            except AnswerTooLarge as exc:
                raise malformed(operation, str(exc), order_id=order_id) from exc
            except TRANSIENT_ERRORS as exc:
                return Retry(_unreachable(operation, exc, order_id), cause=exc)
            except httpx.HTTPError as exc:
                raise _unreachable(operation, exc, order_id) from exc
            status = response.status_code
            self._limiter.observe(
                operation, status=status, rate_header=response.headers.get(RATE_LIMIT_HEADER)
            )
            if 200 <= status < 300:
                return {} if empty else _body(operation, response, envelope, tried, order_id)
            errors = _errors(response)
            error = _error(operation, response, errors, order_id)
            if status in RETRY_STATUSES:
                after = retry_after_seconds(response.headers.get("retry-after"), now=self._now())
                return Retry(error, after=after)
            if isinstance(error, UnauthorizedError) and _expired(errors) and not tried.refreshed:
                tried.refreshed = True
                source.invalidate(token)
                return Retry(error, after=0.0)
            raise error

        return self._retrier.run(attempt, what=operation)

    def pages(
        self,
        fetch: Callable[[str | None], dict[str, Any]],
        next_token: Callable[[Mapping[str, Any]], object],
        operation: str,
    ) -> Iterator[dict[str, Any]]:
        """Page after page, each fetched with the token the one before gave, until none."""
        seen: set[str] = set()
        token: str | None = None
        while True:
            page = fetch(token)
            yield page
            following = next_token(page)
            if not following:
                return
            if not isinstance(following, str) or following in seen:
                raise malformed(operation, "a next-page token it had already given")
            seen.add(following)
            token = following


def _within(timeout: httpx.Timeout, left: float) -> httpx.Timeout:
    """The client's timeouts, none longer than what is left of the call's deadline."""
    floor = max(left, 0.001)

    def capped(value: float | None) -> float:
        return floor if value is None else min(value, floor)

    return httpx.Timeout(
        connect=capped(timeout.connect),
        read=capped(timeout.read),
        write=capped(timeout.write),
        pool=capped(timeout.pool),
    )


def objects(value: object, operation: str, field: str) -> list[dict[str, Any]]:
    """A list of objects from an answer (absent: none)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise malformed(operation, f"'{field}' that is not a list of objects")
    return value


def malformed(
    operation: str,
    what: str,
    response: httpx.Response | None = None,
    order_id: str | None = None,
) -> SpApiError:
    """Amazon answered, but not in the shape its model promises."""
    request_id = response.headers.get(REQUEST_ID_HEADER) if response is not None else None
    suffix = f" (request id {request_id})" if request_id else ""
    return SpApiError(
        f"{operation} answered with {what}{suffix}",
        code="MalformedResponse",
        status=response.status_code if response is not None else None,
        request_id=request_id,
        operation=operation,
        order_id=order_id,
        source=f"SP-API {operation}",
    )


def _body(
    operation: str,
    response: httpx.Response,
    envelope: bool,
    tried: _Tried,
    order_id: str | None,
) -> dict[str, Any] | Retry:
    try:
        body = response.json()
    except ValueError:
        body = None
    if envelope and isinstance(body, dict):
        body = body.get("payload")
    if isinstance(body, dict):
        return body
    what = "a body without a payload object" if envelope else "a body that is not JSON"
    error = malformed(operation, what, response, order_id)
    if tried.reread:
        raise error
    tried.reread = True
    return Retry(error)


def _errors(response: httpx.Response) -> list[dict[str, Any]]:
    try:
        body = response.json()
    except ValueError:
        return []
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, list):
        return []
    return [entry for entry in errors if isinstance(entry, dict)]


def _expired(errors: list[dict[str, Any]]) -> bool:
    """Amazon's 403 for an old token: Unauthorized, and "expired" in its message or details."""
    return any(
        str(entry.get("code", "")).lower() == "unauthorized"
        and "expired" in f"{entry.get('message', '')} {entry.get('details', '')}".lower()
        for entry in errors
    )


def _error(
    operation: str,
    response: httpx.Response,
    errors: list[dict[str, Any]],
    order_id: str | None,
) -> SpApiError:
    status = response.status_code
    request_id = response.headers.get(REQUEST_ID_HEADER)
    if errors:
        code = str(errors[0].get("code") or f"HTTP {status}")
        said = "; ".join(_amazon_text(entry) for entry in errors)
    else:
        code = f"HTTP {status}"
        said = "no SP-API error in the answer"
    message = f"{operation} failed: HTTP {status} {code}: {said}"
    if request_id:
        message += f" (request id {request_id})"
    return error_class(code, status)(
        message,
        code=code,
        status=status,
        request_id=request_id,
        operation=operation,
        order_id=order_id,
        source=f"SP-API {operation}",
    )


def _amazon_text(entry: Mapping[str, Any]) -> str:
    message = str(entry.get("message") or "").strip()
    details = str(entry.get("details") or "").strip()
    text = f"{message} ({details})" if details and details != message else message
    return text[:_MAX_AMAZON_TEXT] or "no message"


def _unreachable(operation: str, exc: httpx.HTTPError, order_id: str | None) -> UnreachableError:
    return UnreachableError(
        f"{operation} could not reach Amazon ({type(exc).__name__})",
        code=type(exc).__name__,
        status=None,
        operation=operation,
        order_id=order_id,
        source=f"SP-API {operation}",
    )
