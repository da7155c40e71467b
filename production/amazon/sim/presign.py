"""Pre-signed document URLs, S3 style: signed query parameters that stop working after 5 minutes."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

__all__ = ["DOCUMENT_URL_TTL", "presigned_url", "verify"]

DOCUMENT_URL_TTL = 300
"""Seconds a report document URL works ("This URL expires after 5 minutes")."""

_DATE = "%Y%m%dT%H%M%SZ"


def presigned_url(
    base_url: str, document_id: str, *, secret: bytes, now: datetime, content_encoding: bool
) -> str:
    """The document's URL; `content_encoding` makes it answer with `Content-Encoding: gzip`."""
    params = {
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Date": now.astimezone(UTC).strftime(_DATE),
        "X-Amz-Expires": str(DOCUMENT_URL_TTL),
        "X-Amz-SignedHeaders": "host",
    }
    if content_encoding:
        params["response-content-encoding"] = "gzip"
    params["X-Amz-Signature"] = _signature(secret, document_id, params)
    return f"{base_url}/report-documents/{document_id}?{urlencode(params)}"


def verify(document_id: str, params: Mapping[str, str], *, secret: bytes, now: datetime) -> str:
    """Why the URL does not work ("" if it does): S3's error code."""
    given = params.get("X-Amz-Signature", "")
    signed = {k: v for k, v in params.items() if k != "X-Amz-Signature"}
    if not hmac.compare_digest(given, _signature(secret, document_id, signed)):
        return "SignatureDoesNotMatch"
    try:
        issued = datetime.strptime(params["X-Amz-Date"], _DATE).replace(tzinfo=UTC)
        lifetime = timedelta(seconds=int(params["X-Amz-Expires"]))
    except (KeyError, ValueError):
        return "AuthorizationQueryParametersError"
    return "AccessDenied" if now > issued + lifetime else ""


def _signature(secret: bytes, document_id: str, params: Mapping[str, str]) -> str:
    text = document_id + "\n" + "&".join(f"{k}={params[k]}" for k in sorted(params))
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()
