"""The kinds of device there are, and how a printer of `printers.toml` finds its own.

A printer's `kind` names a built-in kind (`DEVICE_KINDS`) or a shop's own device class as
`"package.module:Class"`: adding a kind of device is one module with a class that takes a
`Printer` and does what `printers.device.Device` says, and one line of configuration.

    device = device_for(printer)
    paths = device.deliver(device.files(masters))   # masters: name → bytes, ticket included
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from production.core.errors import ConfigError
from production.core.templates import Printer

if TYPE_CHECKING:
    from printers.device import Device

__all__ = ["DEFAULT_DEVICE_KIND", "DEVICE_KINDS", "DeviceFactory", "device_for", "devices_for"]

DeviceFactory = Callable[[Printer], "Device"]

DEFAULT_DEVICE_KIND = "hotfolder"
DEVICE_KINDS: dict[str, str] = {
    "hotfolder": "printers.hotfolder:HotFolderDevice",
    "label": "printers.label:LabelDevice",  # shipping labels bought through Amazon
}
"""The device kinds that ship with the project, by the name `kind` takes in printers.toml.

Named as `module:Class` and imported on first use: reading the configuration (every command
does) must not import each device's libraries (PDF, imaging).
"""


def device_for(printer: Printer) -> Device:
    """The device of a printer of `printers.toml`; `ConfigError` if its kind cannot be had."""
    return _factory(printer)(printer)


def devices_for(printers: Mapping[str, Printer]) -> dict[str, Device]:
    return {printer_id: device_for(printer) for printer_id, printer in printers.items()}


def _factory(printer: Printer) -> DeviceFactory:
    kind = DEVICE_KINDS.get(printer.kind, printer.kind)
    module_name, _, attribute = kind.partition(":")
    where = f"printer '{printer.id}'"
    try:
        module = importlib.import_module(module_name)
        factory: DeviceFactory = getattr(module, attribute)
    except ImportError as exc:
        raise ConfigError(f"{where}: module '{module_name}' cannot be imported ({exc})") from exc
    except AttributeError as exc:
        raise ConfigError(f"{where}: module '{module_name}' has no device '{attribute}'") from exc
    if not callable(factory):
        raise ConfigError(f"{where}: '{printer.kind}' is not a device class")
    return factory
