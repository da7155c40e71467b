"""The SP-API client a shop's configuration asks for, or None when Amazon is not configured."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from production.amazon.client import SpApiClient
from production.amazon.credentials import Credentials
from production.config.settings import Settings

__all__ = ["amazon_client"]


@contextmanager
def amazon_client(
    settings: Settings, *, environ: Mapping[str, str] | None = None
) -> Iterator[SpApiClient | None]:
    """A client for `[amazon]` in shop.toml with secrets from the environment; closed after."""
    if settings.amazon is None:
        yield None
        return
    credentials = (
        Credentials.from_environment() if environ is None else Credentials.from_environment(environ)
    )
    client = SpApiClient(
        endpoint=settings.amazon.endpoint,
        lwa_endpoint=settings.amazon.lwa_endpoint,
        credentials=credentials,
    )
    try:
        yield client
    finally:
        client.close()
