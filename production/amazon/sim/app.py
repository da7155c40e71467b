"""The simulator as an ASGI app: LWA, the operations of the packaged models, downloads, controls.

Every operation of the served models has a route: the ones the shop uses are simulated (see
`HANDLERS` of the `*_api` modules); the others answer their static sandbox cases, and
404 NotFound otherwise. Every response carries `x-amzn-RequestId`.
"""

from __future__ import annotations

import uuid

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from production.amazon.sim import (
    fulfillment_api,
    labels_api,
    orders_api,
    reports_api,
    shipments_api,
    tokens_api,
)
from production.amazon.sim.admin import admin_routes
from production.amazon.sim.auth import DEFAULT_CREDENTIALS, Credentials, lwa_endpoint
from production.amazon.sim.downloads import (
    customized_page_endpoint,
    document_endpoint,
    zip_endpoint,
)
from production.amazon.sim.faults import Faults
from production.amazon.sim.mcf_documents import delivery_image_endpoint
from production.amazon.sim.operations import Handler, operation_endpoint
from production.amazon.sim.responses import error_response
from production.amazon.sim.spec import operations
from production.amazon.sim.state import SimState

__all__ = ["HANDLERS", "create_app"]

HANDLERS: dict[str, Handler] = {
    **orders_api.HANDLERS,
    **shipments_api.HANDLERS,
    **reports_api.HANDLERS,
    **tokens_api.HANDLERS,
    **fulfillment_api.HANDLERS,
    **labels_api.HANDLERS,
}
"""Simulated operations by key (`ordersV0.getOrderItems`)."""


def create_app(
    state: SimState,
    *,
    client_id: str = DEFAULT_CREDENTIALS.client_id,
    client_secret: str = DEFAULT_CREDENTIALS.client_secret,
    refresh_token: str = DEFAULT_CREDENTIALS.refresh_token,
    faults: Faults | None = None,
) -> ASGIApp:
    """The simulator serving `state`; `faults`, if given, replaces the state's switches."""
    if faults is not None:
        state.set_faults(faults)
    credentials = Credentials(client_id, client_secret, refresh_token)
    routes: list[BaseRoute] = [
        Route("/auth/o2/token", lwa_endpoint(state, credentials), methods=["POST"]),
        Route("/downloads/{token}.zip", zip_endpoint(state), methods=["GET"]),
        Route("/customized-pages/{token}", customized_page_endpoint(state), methods=["GET"]),
        Route("/report-documents/{document_id}", document_endpoint(state), methods=["GET"]),
        Route(
            "/delivery-images/{package_number}.png",
            delivery_image_endpoint(state),
            methods=["GET"],
        ),
    ]
    for op in operations():
        endpoint = operation_endpoint(op, state, HANDLERS.get(op.key))
        routes.append(Route(op.path, endpoint, methods=[op.method], name=op.key))
    routes.extend(admin_routes(state))
    return Starlette(
        routes=routes,
        middleware=[Middleware(RequestIdMiddleware)],
        exception_handlers={HTTPException: _http_error},
    )


class RequestIdMiddleware:
    """Adds `x-amzn-RequestId` to every response, as every SP-API response has one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4()).encode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-amzn-RequestId", request_id))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_id)


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 405:
        return error_response(405, "MethodNotAllowed", f"{request.method} is not allowed here.")
    return error_response(status, "NotFound", "The requested resource was not found.")
