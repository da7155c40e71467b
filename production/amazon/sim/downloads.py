"""What Amazon serves outside the API: customization zips, their pages, report documents.

None of these take an access token (the URLs are the capability, as on Amazon); report
document URLs are pre-signed and expire (S3's XML errors when they do not work).
"""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from production.amazon.sim.presign import DOCUMENT_URL_TTL, verify
from production.amazon.sim.responses import Endpoint
from production.amazon.sim.state import SimState

__all__ = ["customized_page_endpoint", "document_endpoint", "zip_endpoint"]


def zip_endpoint(state: SimState) -> Endpoint:
    """`GET /downloads/<token>.zip`: the item's customization zip, byte for byte."""

    async def download(request: Request) -> Response:
        data = state.zip_bytes(request.path_params["token"])
        if data is None:
            return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
        return Response(data, media_type="application/zip")

    return download


def customized_page_endpoint(state: SimState) -> Endpoint:
    """`GET /customized-pages/<token>`: the report's `customized-page`, a link to the zip."""

    async def page(request: Request) -> Response:
        token = request.path_params["token"]
        if state.zip_bytes(token) is None:
            return HTMLResponse("<h1>Not found</h1>", 404)
        link = html.escape(f"/downloads/{token}.zip")
        return HTMLResponse(f'<h1>Customization</h1><p><a href="{link}">Download</a></p>')

    return page


def document_endpoint(state: SimState) -> Endpoint:
    """`GET /report-documents/<id>?X-Amz-…`: the gzip document while the URL is valid."""

    async def document(request: Request) -> Response:
        document_id = request.path_params["document_id"]
        params = dict(request.query_params)
        problem = verify(document_id, params, secret=state.document_secret, now=state.now())
        report = state.report_by_document(document_id)
        if problem == "AccessDenied":
            return _s3_error(403, problem, "Request has expired")
        if problem:
            return _s3_error(403, problem, "The request signature does not match.")
        if report is None:
            return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
        if params.get("response-content-encoding") == "gzip":
            headers = {"Content-Encoding": "gzip"}
            return Response(report.document, headers=headers, media_type="text/plain")
        return Response(report.document, media_type="application/octet-stream")

    return document


def _s3_error(status: int, code: str, message: str) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        f"<X-Amz-Expires>{DOCUMENT_URL_TTL}</X-Amz-Expires></Error>"
    )
    return Response(body, status, media_type="application/xml")
