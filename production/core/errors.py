"""The one exception tree of the project.

    ProductionError                 anything the pipeline reports to a person
    ├── CustomizationError          a customization zip (or its JSON, XML, SVG, images) is unusable
    ├── ConfigError                 the shop's configuration is missing or wrong
    ├── RenderError                 a surface cannot be turned into a print file
    │   ├── UnknownProductError     no product template matches the item's ASIN or SKU
    │   └── MissingFontError        a font the design names is not installed
    ├── PrinterError                a device or hot folder cannot take a job
    ├── AmazonError                 the Selling Partner API refused or failed a call
    ├── StoreError                  the job store cannot record a change
    │   └── DataFolderGoneError     the data folder or its store vanished under a running daemon
    ├── HoldError                   a held job cannot be released (approved, rejected) that way
    ├── RetentionError              an order's buyer data cannot be purged (yet)
    └── DaemonRunningError          another daemon already runs on the shop's data folder

Every error carries the ids it is about (order, order item, job) and a message that names the
problem. Messages never contain buyer text, names, addresses or file names chosen by the buyer.
"""

from __future__ import annotations

__all__ = [
    "AmazonError",
    "ConfigError",
    "CustomizationError",
    "DaemonRunningError",
    "DataFolderGoneError",
    "HoldError",
    "MissingFontError",
    "PrinterError",
    "ProductionError",
    "RenderError",
    "RenderLimitError",
    "RetentionError",
    "StoreError",
    "UnknownProductError",
]


class ProductionError(Exception):
    """Base of every error the project raises on purpose."""

    # What a person has to fix when a job is held for this error (shown on the desk page).
    cause = "error"

    def __init__(
        self,
        message: str,
        *,
        order_id: str | None = None,
        item_id: str | None = None,
        job_id: str | None = None,
        source: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.order_id = order_id
        self.item_id = item_id
        self.job_id = job_id
        self.source = source

    def subject(self) -> str:
        """What the error is about, most specific first: job, order item, order, then source."""
        if self.job_id:
            return f"job {self.job_id}"
        if self.item_id:
            return f"order item {self.item_id}"
        if self.order_id:
            return f"order {self.order_id}"
        if self.source:
            return self.source
        return "input"

    def __str__(self) -> str:
        return f"{self.subject()}: {self.message}"


class CustomizationError(ProductionError):
    """A customization zip, or something inside it, cannot be read safely or makes no sense."""

    cause = "bad input"


class ConfigError(ProductionError):
    """The shop's configuration is missing, malformed, or names something that does not exist."""

    cause = "configuration"


class RenderError(ProductionError):
    """A surface cannot be rendered into a print file (unknown product, missing font, ...)."""

    cause = "cannot render"


class RenderLimitError(RenderError):
    """Rendering an item took longer, or needed more memory, than `[limits]` allows."""

    cause = "render limit"


class UnknownProductError(RenderError):
    """No `[[product]]` in products.toml matches the item; the message names its ASIN and SKU."""

    cause = "unknown product"


class MissingFontError(RenderError):
    """The design names a font family the shop has not installed (nor aliased)."""

    cause = "missing font"

    def __init__(self, message: str, *, family: str, **ids: str | None) -> None:
        super().__init__(message, **ids)
        self.family = family


class PrinterError(ProductionError):
    """A printer or its hot folder cannot take a job."""


class AmazonError(ProductionError):
    """The Selling Partner API answered with an error or could not be reached."""


class StoreError(ProductionError):
    """The job store could not record or read a change."""


class DataFolderGoneError(StoreError):
    """The data folder or the store file was deleted or replaced while the daemon ran: every
    change from here on would go into a file nobody will ever open again."""

    cause = "data folder gone"

    def __str__(self) -> str:
        return self.message  # about the shop as a whole: the message says where


class HoldError(ProductionError):
    """A person asked for something a job's hold does not allow; the message says what to do."""


class RetentionError(ProductionError):
    """An order's buyer data cannot be purged: it is not shipped or cancelled, or unknown."""

    cause = "retention"


class DaemonRunningError(ProductionError):
    """Another daemon holds the shop's data folder: a second one would race it for every zip."""

    cause = "another daemon"

    def __init__(self, message: str, *, pid: int | None) -> None:
        super().__init__(message)
        self.pid = pid  # the other daemon's, as it wrote it; None if it could not be read

    def __str__(self) -> str:
        return self.message  # about the shop as a whole, not an order: the message says where
