"""What the floor needs of a printer or laser, and the table of the kinds of device there are.

A `Device` answers four questions about one `Printer` of `printers.toml`: which files a job's
masters become for it (its format, mirrored or not, its tickets), how they are handed over
(all or none), how they are taken back (a cancelled order), and which of them it has finished.
The hot folder (`printers.hotfolder`) is the first kind; another kind is one module with a
class that takes a `Printer`, named in `printers.toml` by `kind = "package.module:Class"`, or
added to `DEVICE_KINDS` when it ships with the project.

    device = device_for(printer)
    paths = device.deliver(device.files(masters))   # masters: name → bytes, ticket included
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from printers.hotfolder import HotFolderDevice
from production.core.errors import ConfigError
from production.core.templates import Printer

__all__ = [
    "DEFAULT_DEVICE_KIND",
    "DEVICE_KINDS",
    "Device",
    "DeviceFactory",
    "Withdrawal",
    "device_for",
    "devices_for",
]


@dataclass(frozen=True, slots=True)
class Withdrawal:
    removed: tuple[Path, ...]  # still waiting at the device: taken back
    gone: tuple[Path, ...]  # already taken by the device (or removed by a person)


class Device(Protocol):
    """One printer as the floor drives it."""

    @property
    def printer(self) -> Printer: ...

    @property
    def reports_done(self) -> bool:
        """Whether the device says when a job is finished (else a person marks it done)."""
        ...

    def files(self, masters: Mapping[str, bytes]) -> dict[str, bytes]:
        """What one job's master files (name → bytes, with its `.json` ticket) become here.

        Raises `PrinterError` when the job cannot be printed on this device as rendered.
        """
        ...

    def deliver(self, files: Mapping[str, bytes]) -> list[Path]:
        """Hand the files over, all of them or none; where each now is."""
        ...

    def withdraw(self, paths: Iterable[str | Path]) -> Withdrawal:
        """Take delivered files back; those the device already took are reported as gone."""
        ...

    def finished(self) -> set[str]:
        """The names of delivered files the device has finished with."""
        ...

    def tidy(self) -> None:
        """Remove what a writer killed half-way left at the device."""
        ...


DeviceFactory = Callable[[Printer], Device]

DEFAULT_DEVICE_KIND = "hotfolder"
DEVICE_KINDS: dict[str, DeviceFactory] = {"hotfolder": HotFolderDevice}
"""The device kinds that ship with the project, by the name `kind` takes in printers.toml."""


def device_for(printer: Printer) -> Device:
    """The device of a printer of `printers.toml`; `ConfigError` if its kind cannot be had."""
    return _factory(printer)(printer)


def devices_for(printers: Mapping[str, Printer]) -> dict[str, Device]:
    return {printer_id: device_for(printer) for printer_id, printer in printers.items()}


def _factory(printer: Printer) -> DeviceFactory:
    kind = printer.kind
    if kind in DEVICE_KINDS:
        return DEVICE_KINDS[kind]
    module_name, _, attribute = kind.partition(":")
    where = f"printers.toml: printer '{printer.id}'"
    try:
        module = importlib.import_module(module_name)
        factory: DeviceFactory = getattr(module, attribute)
    except ImportError as exc:
        raise ConfigError(f"{where}: device module '{module_name}' cannot be imported: {exc}") from exc
    except AttributeError as exc:
        raise ConfigError(f"{where}: module '{module_name}' has no device '{attribute}'") from exc
    if not callable(factory):
        raise ConfigError(f"{where}: '{kind}' is not a device class")
    return factory
