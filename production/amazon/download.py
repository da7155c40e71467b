"""Downloads from pre-signed URLs (report documents, customization zips): never with a token.

A download is streamed and stops as soon as it passes its size limit; 5xx answers, timeouts
and broken connections are retried. Messages name the host only: a pre-signed URL's query is
a credential, and its path may name the buyer's files.
"""

from __future__ import annotations

import ipaddress
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from production.amazon.errors import DownloadError, DownloadTooLargeError
from production.amazon.retry import (
    RETRY_STATUSES,
    TRANSIENT_ERRORS,
    Retrier,
    Retry,
    retry_after_seconds,
)

__all__ = ["GZIP_MAGIC", "Downloader", "gunzip"]

GZIP_MAGIC = b"\x1f\x8b"
_SOURCE = "download"


class Downloader:
    """GETs a URL with no SP-API headers, within a size limit, with retries."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        retrier: Retrier,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._http = http
        self._retrier = retrier
        self._now = now

    def get(self, url: str, *, max_bytes: int) -> bytes:
        host = _checked_host(url)
        if max_bytes < 1:
            raise ValueError(f"max_bytes must be positive, not {max_bytes}")

        def attempt() -> bytes | Retry:
            try:
                return self._read(url, host, max_bytes)
            except TRANSIENT_ERRORS as exc:
                return Retry(_failed(host, type(exc).__name__), cause=exc)
            except httpx.HTTPError as exc:
                raise _failed(host, type(exc).__name__) from exc

        return self._retrier.run(attempt, what=f"download from {host}")

    def _read(self, url: str, host: str, max_bytes: int) -> bytes | Retry:
        with self._http.stream("GET", url, follow_redirects=True) as response:
            status = response.status_code
            if status in RETRY_STATUSES:
                after = retry_after_seconds(response.headers.get("retry-after"), now=self._now())
                return Retry(_failed(host, f"HTTP {status}", status), after=after)
            if status != 200:
                hint = ", a pre-signed link expires after a few minutes" if status == 403 else ""
                raise _failed(host, f"HTTP {status}{hint}", status)
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise _too_large(host, max_bytes)
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise _too_large(host, max_bytes)
                chunks.append(chunk)
            return b"".join(chunks)


def gunzip(data: bytes, *, max_bytes: int) -> bytes:
    """Inflate gzip data (all members) without ever holding more than `max_bytes` of output."""
    if not data.startswith(GZIP_MAGIC):
        raise DownloadError("the document is marked GZIP but is not gzip data", source=_SOURCE)
    out = bytearray()
    rest = data
    while rest.strip(b"\x00"):  # members follow one another; zero padding may end the file
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        try:
            out += inflater.decompress(rest, max_bytes - len(out) + 1)
        except zlib.error as exc:
            raise DownloadError("the gzip document is corrupt", source=_SOURCE) from exc
        if len(out) > max_bytes:
            raise DownloadTooLargeError(
                f"the document inflates past {max_bytes} bytes", source=_SOURCE
            )
        if not inflater.eof:
            raise DownloadError("the gzip document is cut short", source=_SOURCE)
        rest = inflater.unused_data
    return bytes(out)


def _checked_host(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return host
    if parts.scheme == "http" and _is_loopback(host):
        return host  # the local simulator
    raise DownloadError(
        "a download URL must be https:// (http:// only to this machine)", source=_SOURCE
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _failed(host: str, why: str, status: int | None = None) -> DownloadError:
    return DownloadError(f"download from {host} failed ({why})", status=status, source=_SOURCE)


def _too_large(host: str, max_bytes: int) -> DownloadTooLargeError:
    return DownloadTooLargeError(
        f"download from {host} is larger than {max_bytes} bytes; stopped", source=_SOURCE
    )
