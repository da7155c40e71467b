"""The errors of the SP-API client, all under `production.core.errors.AmazonError`.

    AmazonError                         (production.core.errors)
    ├── AuthError                       Login with Amazon refused the credentials
    ├── RequestValidationError          a request the models' rules forbid; it was never sent
    ├── DownloadError                   a pre-signed or customization URL could not be fetched
    │   └── DownloadTooLargeError       the download passed its size limit
    └── SpApiError                      an operation failed: code, status, message, request id
        ├── InvalidInputError           400 InvalidInput
        │   └── RateExpiredError        400 TOKEN_EXPIRED: rates older than ten minutes
        ├── UnauthorizedError           401/403 Unauthorized: a missing role, a bad or old token
        ├── NotFoundError               404 NotFound
        ├── QuotaExceededError          429 QuotaExceeded on every attempt
        ├── InternalFailureError        500 InternalFailure on every attempt
        ├── ServiceUnavailableError     503 ServiceUnavailable on every attempt
        └── UnreachableError            timeouts or connection errors on every attempt

Messages carry Amazon's own words, the operation, the status and the request id; never a token,
a secret, a URL's query or buyer data.
"""

from __future__ import annotations

from production.core.errors import AmazonError

__all__ = [
    "AuthError",
    "DownloadError",
    "DownloadTooLargeError",
    "InternalFailureError",
    "InvalidInputError",
    "NotFoundError",
    "QuotaExceededError",
    "RateExpiredError",
    "RequestValidationError",
    "ServiceUnavailableError",
    "SpApiError",
    "UnauthorizedError",
    "UnreachableError",
    "error_class",
]


class AuthError(AmazonError):
    """Login with Amazon refused the app's credentials; the message names what to fix."""

    cause = "Amazon credentials"


class RequestValidationError(AmazonError):
    """The client refused to send a request the SP-API models' rules forbid."""


class DownloadError(AmazonError):
    """A report document or customization zip could not be downloaded."""

    def __init__(self, message: str, *, status: int | None = None, **ids: str | None) -> None:
        super().__init__(message, **ids)
        self.status = status


class DownloadTooLargeError(DownloadError):
    """A download grew past the limit the caller set; the rest was not read."""


class SpApiError(AmazonError):
    """A Selling Partner API operation failed."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status: int | None,
        request_id: str | None = None,
        operation: str | None = None,
        **ids: str | None,
    ) -> None:
        super().__init__(message, **ids)
        self.code = code
        self.status = status
        self.request_id = request_id
        self.operation = operation


class InvalidInputError(SpApiError):
    """Amazon found the request invalid (400); repeating it will not help."""


class RateExpiredError(InvalidInputError):
    """purchaseShipment came more than ten minutes after getRates (`TOKEN_EXPIRED`): get the
    rates again and buy from the new ones."""


class UnauthorizedError(SpApiError):
    """Amazon denied access (401/403): a missing role, a revoked app, an expired token."""

    cause = "Amazon credentials"


class NotFoundError(SpApiError):
    """Amazon has no such resource (404)."""


class QuotaExceededError(SpApiError):
    """Amazon throttled the operation (429) on every attempt."""


class InternalFailureError(SpApiError):
    """Amazon failed internally (500) on every attempt."""


class ServiceUnavailableError(SpApiError):
    """Amazon was unavailable (503) on every attempt."""


class UnreachableError(SpApiError):
    """Amazon could not be reached: timeouts or connection errors on every attempt."""


_BY_CODE: dict[str, type[SpApiError]] = {
    "invalidinput": InvalidInputError,  # also Amazon's sandbox spelling "Invalid Input"
    "tokenexpired": RateExpiredError,  # Shipping v2's code (an old LWA token is Unauthorized)
    "unauthorized": UnauthorizedError,
    "notfound": NotFoundError,
    "quotaexceeded": QuotaExceededError,
    "internalfailure": InternalFailureError,
    "serviceunavailable": ServiceUnavailableError,
}
_BY_STATUS: dict[int, type[SpApiError]] = {
    400: InvalidInputError,
    401: UnauthorizedError,
    403: UnauthorizedError,
    404: NotFoundError,
    429: QuotaExceededError,
    500: InternalFailureError,
    503: ServiceUnavailableError,
}


def error_class(code: str, status: int | None) -> type[SpApiError]:
    """The error type for an SP-API error code, else for the HTTP status (codes vary in case)."""
    by_code = _BY_CODE.get(code.replace(" ", "").replace("_", "").lower())
    if by_code is not None:
        return by_code
    return _BY_STATUS.get(status, SpApiError) if status is not None else SpApiError
