"""The tokens a request carries in `x-amz-access-token`: LWA access tokens and RDTs.

Both are cached for their lifetime minus a margin, refreshed under a lock (one refresh however
many threads ask), and dropped when Amazon says they expired. A drop names the token it saw
fail, so a thread late with bad news does not throw away the fresh token another thread got.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeGuard

import httpx

from production.amazon.answers import AnswerTooLarge, bounded_send
from production.amazon.credentials import (
    CLIENT_ID_VARIABLE,
    CLIENT_SECRET_VARIABLE,
    REFRESH_TOKEN_VARIABLE,
    Credentials,
)
from production.amazon.errors import AuthError, SpApiError, UnreachableError, error_class
from production.amazon.retry import RETRY_STATUSES, TRANSIENT_ERRORS, Retrier, Retry

__all__ = [
    "LWA_TOKEN_PATH",
    "RDT_MARGIN_SECONDS",
    "TOKEN_MARGIN_SECONDS",
    "AccessTokens",
    "RestrictedResource",
    "RestrictedTokens",
    "TokenSource",
]

LWA_TOKEN_PATH = "/auth/o2/token"
TOKEN_MARGIN_SECONDS = 60.0  # an access token is renewed this long before it expires
RDT_MARGIN_SECONDS = 60.0
_LWA = "Login with Amazon"
_MAX_DESCRIPTION = 300
_MAX_TOKEN_ANSWER = 64 * 1024  # a token answer is a few hundred bytes
_REFUSALS = {
    "invalid_grant": (
        "refused the refresh token (invalid_grant): it is wrong, expired or was revoked. "
        f"Authorize the app again in Seller Central and set {REFRESH_TOKEN_VARIABLE} to the new "
        "refresh token"
    ),
    "invalid_client": (
        f"refused the app's client id or secret (invalid_client): check {CLIENT_ID_VARIABLE} "
        f"and {CLIENT_SECRET_VARIABLE} (the app's LWA credentials in the developer console)"
    ),
    "unauthorized_client": (
        f"refused the app for this grant (unauthorized_client): check that {CLIENT_ID_VARIABLE} "
        f"is the app {REFRESH_TOKEN_VARIABLE} was issued to"
    ),
}


class TokenSource(Protocol):
    """Where a request gets the value of its `x-amz-access-token` header."""

    def get(self) -> str: ...

    def invalidate(self, token: str) -> None: ...


class AccessTokens:
    """LWA access tokens for the seller's refresh token, cached until shortly before expiry."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        lwa_endpoint: str,
        credentials: Credentials,
        retrier: Retrier,
        monotonic: Callable[[], float] = time.monotonic,
        margin: float = TOKEN_MARGIN_SECONDS,
    ) -> None:
        self._http = http
        self._url = lwa_endpoint.rstrip("/") + LWA_TOKEN_PATH
        self._credentials = credentials
        self._retrier = retrier
        self._monotonic = monotonic
        self._margin = margin
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at = 0.0

    def get(self) -> str:
        with self._lock:
            if self._token is None or self._monotonic() >= self._renew_at:
                asked = self._monotonic()
                token, lifetime = self._retrier.run(self._attempt, what=f"{_LWA} token")
                self._token, self._renew_at = token, asked + _usable(lifetime, self._margin)
            return self._token

    def invalidate(self, token: str) -> None:
        with self._lock:
            if self._token == token:
                self._token = None

    def _attempt(self) -> tuple[str, float] | Retry:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": self._credentials.refresh_token,
            "client_id": self._credentials.client_id,
            "client_secret": self._credentials.client_secret,
        }
        try:
            request = self._http.build_request(
                "POST", self._url, data=form, headers={"accept": "application/json"}
            )
            response = bounded_send(self._http, request, limit=_MAX_TOKEN_ANSWER)
        except AnswerTooLarge as exc:
            raise SpApiError(
                f"{_LWA} answered with {exc}", code="ResponseTooLarge", status=None, source=_LWA
            ) from exc
        except TRANSIENT_ERRORS as exc:
            return Retry(_unreachable(exc), cause=exc)
        except httpx.HTTPError as exc:
            raise _unreachable(exc) from exc
        body = _json_object(response)
        if response.status_code in RETRY_STATUSES:
            return Retry(self._failure(response.status_code, body))
        if response.status_code != 200:
            raise self._refused(response.status_code, body)
        token = body.get("access_token") if body else None
        lifetime = body.get("expires_in") if body else None
        if not isinstance(token, str) or not token or not _is_seconds(lifetime):
            return Retry(self._failure(response.status_code, None))
        return token, float(lifetime)

    def _failure(self, status: int, body: Mapping[str, Any] | None) -> SpApiError:
        code = str(body.get("error")) if body and body.get("error") else f"HTTP {status}"
        problem = "an answer without a token" if status == 200 else f"HTTP {status} ({code})"
        return error_class(code, status)(
            f"{_LWA} failed: {problem}", code=code, status=status, source=_LWA
        )

    def _refused(self, status: int, body: Mapping[str, Any] | None) -> AuthError:
        code = str(body.get("error") or "") if body else ""
        what = _REFUSALS.get(
            code,
            f"refused the token request (HTTP {status}{', ' + code if code else ''}): check "
            f"{CLIENT_ID_VARIABLE}, {CLIENT_SECRET_VARIABLE} and {REFRESH_TOKEN_VARIABLE}",
        )
        description = str(body.get("error_description") or "") if body else ""
        for secret in self._credentials.secrets():
            description = description.replace(secret, "***")
        said = f". Amazon says: {description[:_MAX_DESCRIPTION]}" if description else ""
        return AuthError(f"{_LWA} {what}{said}", source=_LWA)


@dataclass(frozen=True, slots=True)
class RestrictedResource:
    """What an RDT opens: a method and a path (a `{placeholder}` covers every value)."""

    method: str
    path: str
    data_elements: tuple[str, ...] = ()


class RestrictedTokens:
    """RDTs by restricted resource, each reused until shortly before it expires."""

    def __init__(
        self,
        create: Callable[[RestrictedResource], tuple[str, float]],
        *,
        monotonic: Callable[[], float] = time.monotonic,
        margin: float = RDT_MARGIN_SECONDS,
    ) -> None:
        self._create = create
        self._monotonic = monotonic
        self._margin = margin
        self._lock = threading.Lock()
        self._tokens: dict[RestrictedResource, tuple[str, float]] = {}

    def get(self, resource: RestrictedResource) -> str:
        with self._lock:
            cached = self._tokens.get(resource)
            if cached is not None and self._monotonic() < cached[1]:
                return cached[0]
            asked = self._monotonic()
            token, lifetime = self._create(resource)
            self._tokens[resource] = (token, asked + _usable(lifetime, self._margin))
            return token

    def invalidate(self, resource: RestrictedResource, token: str) -> None:
        with self._lock:
            cached = self._tokens.get(resource)
            if cached is not None and cached[0] == token:
                del self._tokens[resource]

    def source(self, resource: RestrictedResource) -> TokenSource:
        return _ResourceTokens(self, resource)


@dataclass(frozen=True, slots=True)
class _ResourceTokens:
    cache: RestrictedTokens
    resource: RestrictedResource

    def get(self) -> str:
        return self.cache.get(self.resource)

    def invalidate(self, token: str) -> None:
        self.cache.invalidate(self.resource, token)


def _unreachable(exc: httpx.HTTPError) -> UnreachableError:
    return UnreachableError(
        f"{_LWA} could not be reached ({type(exc).__name__})",
        code=type(exc).__name__,
        status=None,
        source=_LWA,
    )


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _usable(lifetime: float, margin: float) -> float:
    """How long a token is used: its lifetime less the margin, and at least half of it."""
    return lifetime - min(margin, lifetime / 2)


def _is_seconds(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0
