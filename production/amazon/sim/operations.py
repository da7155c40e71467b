"""One SP-API call, start to end: token, faults, usage plan, sandbox, validation, handler.

The order is Amazon's as seen from outside: a call without a valid token is refused before it
counts against the quota; a throttled call is not validated; a static sandbox case answers
before validation (its values, such as `CreatedAfter=TEST_CASE_200`, are often invalid).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from production.amazon.sim.auth import authenticate
from production.amazon.sim.inputs import RawRequest
from production.amazon.sim.records import IssuedToken, SimError
from production.amazon.sim.responses import (
    ACCESS_DENIED,
    JSON_TYPE,
    TOKEN_EXPIRED,
    Endpoint,
    error_response,
    errors_response,
)
from production.amazon.sim.sandbox import match_case
from production.amazon.sim.spec import Operation
from production.amazon.sim.state import SimState
from production.amazon.sim.validation import Inputs, check_request

__all__ = ["Call", "Handler", "operation_endpoint"]

QUOTA_EXCEEDED = "You exceeded your quota for the requested resource."
INTERNAL_FAILURE = "We encountered an internal error. Please try again."
UNAVAILABLE = "Service temporarily unavailable. Please try again."


@dataclass(frozen=True, slots=True)
class Call:
    """A call that passed the front door: what the handler of its operation gets."""

    op: Operation
    state: SimState
    inputs: Inputs
    token: IssuedToken
    method: str
    path: str
    base_url: str

    def grants(self, data_element: str | None = None) -> bool:
        """Whether the call's RDT opens this path (and, if given, this kind of data)."""
        if self.token.kind != "rdt":
            return False
        resource = self.token.resource_for(self.method, self.path)
        if resource is None:
            return False
        return data_element is None or data_element in resource.data_elements


Handler = Callable[[Call], Response]


def operation_endpoint(op: Operation, state: SimState, handler: Handler | None) -> Endpoint:
    """The starlette endpoint serving `op` (`handler` None: only its sandbox cases)."""

    async def endpoint(request: Request) -> Response:
        path = request.url.path
        token = authenticate(state, request.headers.get("x-amz-access-token"), op.method, path)
        if isinstance(token, Response):
            return token
        faults = state.faults
        hit = faults.applies_to(op.operation_id, op.key)
        failure = _early_fault(state, token, hit)
        if failure is not None:
            return failure
        if (
            op.rate is not None
            and op.burst is not None
            and not state.limiter.take(op.key, op.rate, op.burst)
        ):
            return error_response(429, "QuotaExceeded", QUOTA_EXCEEDED)
        raw = RawRequest.of(
            request.path_params,
            request.query_params.multi_items(),
            await request.body(),
            dict(request.headers),
        )
        response = _answer(op, state, handler, raw, token, path, _base_url(request))
        if 200 <= response.status_code < 300 and op.rate is not None:
            response.headers["x-amzn-RateLimit-Limit"] = state.limiter.limit_header(op.rate)
        if hit and state.roll(faults.timeout):
            await asyncio.sleep(faults.timeout_seconds)
        if hit and state.roll(faults.truncated_json):
            _truncate(response)
        return response

    return endpoint


def _early_fault(state: SimState, token: IssuedToken, hit: bool) -> Response | None:
    if not hit:
        return None
    faults = state.faults
    if state.roll(faults.expired_token):
        state.expire_token(token.value)
        return error_response(403, "Unauthorized", ACCESS_DENIED, TOKEN_EXPIRED)
    if state.roll(faults.internal_error):
        return error_response(500, "InternalFailure", INTERNAL_FAILURE)
    if state.roll(faults.unavailable):
        return error_response(503, "ServiceUnavailable", UNAVAILABLE)
    return None


def _answer(
    op: Operation,
    state: SimState,
    handler: Handler | None,
    raw: RawRequest,
    token: IssuedToken,
    path: str,
    base_url: str,
) -> Response:
    case = match_case(op, raw, implemented=handler is not None)
    if case is not None:
        body = case.body()
        return Response(body, case.status, media_type=JSON_TYPE if body else None)
    inputs, violations = check_request(op, raw)
    if violations:
        return errors_response(400, [("InvalidInput", v.message, None) for v in violations])
    if handler is None:
        return error_response(
            404, "NotFound", f"The simulator does not implement {op.operation_id}."
        )
    call = Call(op, state, inputs, token, op.method, path, base_url)
    try:
        return handler(call)
    except SimError as error:
        return error_response(error.status, error.code, error.message)


def _truncate(response: Response) -> None:
    if not response.body or response.media_type != JSON_TYPE:
        return
    response.body = response.body[: len(response.body) // 2]
    response.headers["content-length"] = str(len(response.body))


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")
