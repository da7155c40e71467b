"""Login with Amazon (the token endpoint) and the `x-amz-access-token` check of every call."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from production.amazon.sim.records import IssuedToken
from production.amazon.sim.responses import (
    ACCESS_DENIED,
    TOKEN_EXPIRED,
    Endpoint,
    error_response,
    json_response,
)
from production.amazon.sim.state import SimState

__all__ = ["DEFAULT_CREDENTIALS", "Credentials", "authenticate", "lwa_endpoint"]


@dataclass(frozen=True, slots=True)
class Credentials:
    """The app's LWA client and the seller's refresh token the simulator accepts."""

    client_id: str
    client_secret: str
    refresh_token: str


DEFAULT_CREDENTIALS = Credentials(
    client_id="amzn1.application-oa2-client.simulator",
    client_secret="amzn1.oa2-cs.v1.simulator-secret",
    refresh_token="Atzr|simulator-refresh-token",
)


def lwa_endpoint(state: SimState, credentials: Credentials) -> Endpoint:
    """`POST /auth/o2/token`: a refresh-token grant for an access token (OAuth 2 errors)."""

    async def token(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        grant = form.get("grant_type")
        if grant is None:
            return _oauth_error(400, "invalid_request", "The request is missing grant_type")
        if grant != "refresh_token":
            return _oauth_error(400, "unsupported_grant_type", f"Unsupported grant: {grant}")
        if not _same(form.get("client_id"), credentials.client_id) or not _same(
            form.get("client_secret"), credentials.client_secret
        ):
            return _oauth_error(401, "invalid_client", "Client authentication failed")
        if "refresh_token" not in form:
            return _oauth_error(400, "invalid_request", "The request is missing refresh_token")
        if not _same(form.get("refresh_token"), credentials.refresh_token):
            return _oauth_error(
                400,
                "invalid_grant",
                "The request has an invalid grant parameter : refresh_token",
            )
        issued = state.issue_access_token()
        return json_response(
            {
                "access_token": issued.value,
                "refresh_token": credentials.refresh_token,
                "token_type": "bearer",
                "expires_in": round(state.token_lifetime),
            }
        )

    return token


def authenticate(
    state: SimState, header: str | None, method: str, path: str
) -> IssuedToken | Response:
    """The token a call carries, or the 403 Amazon answers instead."""
    if not header:
        return _denied("")
    token = state.token(header)
    if token is None:
        return _denied("The access token you provided is revoked, malformed or invalid.")
    if token.expires_at <= state.now():
        return error_response(403, "Unauthorized", ACCESS_DENIED, TOKEN_EXPIRED)
    if token.kind == "rdt" and token.resource_for(method, path) is None:
        return _denied(f"The Restricted Data Token does not cover {method} {path}.")
    return token


def _denied(details: str) -> Response:
    return error_response(403, "Unauthorized", ACCESS_DENIED, details)


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def _oauth_error(status: int, error: str, description: str) -> Response:
    return json_response({"error": error, "error_description": description}, status)
