"""Amazon's Selling Partner API: the client, its credentials, rate limits and errors."""

from production.amazon.client import SpApiClient
from production.amazon.credentials import Credentials
from production.amazon.errors import (
    AuthError,
    DownloadError,
    DownloadTooLargeError,
    InternalFailureError,
    InvalidInputError,
    NotFoundError,
    QuotaExceededError,
    RequestValidationError,
    ServiceUnavailableError,
    SpApiError,
    UnauthorizedError,
    UnreachableError,
)
from production.amazon.ratelimit import RATES
from production.amazon.validation import latest_allowed_before

__all__ = [
    "RATES",
    "AuthError",
    "Credentials",
    "DownloadError",
    "DownloadTooLargeError",
    "InternalFailureError",
    "InvalidInputError",
    "NotFoundError",
    "QuotaExceededError",
    "RequestValidationError",
    "ServiceUnavailableError",
    "SpApiClient",
    "SpApiError",
    "UnauthorizedError",
    "UnreachableError",
    "latest_allowed_before",
]
