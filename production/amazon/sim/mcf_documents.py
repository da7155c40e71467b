"""Proof-of-delivery images of simulated MCF packages, behind URLs that work for an hour.

The model's `DeliveryDocument.url`: "A URL that is valid for one hour to download the
document… The URL will have a Content-Type header." As with report documents, the signed URL
is the capability: no access token is sent or needed.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
import zlib
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response

from production.amazon.sim.responses import Endpoint, error_response
from production.amazon.sim.state import SimState

__all__ = ["IMAGE_URL_TTL", "delivery_image_endpoint", "delivery_image_url"]

IMAGE_URL_TTL = 3600


def _one_pixel_png() -> bytes:
    """A valid 1×1 grey PNG: what a doorstep photo is to a test."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x80")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


DELIVERY_IMAGE = _one_pixel_png()


def delivery_image_url(base_url: str, package_number: int, *, secret: bytes, now: datetime) -> str:
    expires = int(now.timestamp()) + IMAGE_URL_TTL
    signature = _signature(secret, package_number, expires)
    return (
        f"{base_url}/delivery-images/{package_number}.png?Expires={expires}&Signature={signature}"
    )


def delivery_image_endpoint(state: SimState) -> Endpoint:
    """`GET /delivery-images/<package>.png?Expires=…&Signature=…`: the package's photo."""

    async def image(request: Request) -> Response:
        number = request.path_params["package_number"]
        try:
            expires = int(request.query_params.get("Expires", ""))
        except ValueError:
            return error_response(403, "AccessDenied", "The URL is not signed.")
        given = request.query_params.get("Signature", "")
        if not number.isdigit() or not hmac.compare_digest(
            given, _signature(state.document_secret, int(number), expires)
        ):
            return error_response(403, "AccessDenied", "The URL signature does not match.")
        now = state.now()
        if now.timestamp() > expires:
            return error_response(403, "AccessDenied", "The URL has expired.")
        found = state.mcf.package(int(number))
        if found is None or not found[1].delivered(now):
            return error_response(404, "NotFound", "No delivery image for this package.")
        return Response(DELIVERY_IMAGE, media_type="image/png")

    return image


def _signature(secret: bytes, package_number: int, expires: int) -> str:
    text = f"delivery-image\n{package_number}\n{expires}"
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()
