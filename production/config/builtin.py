"""The configuration that comes with the package: `production/config/defaults/`, package data.

It is what commands read without `--config` (render, inspect, demo) and what `production init`
writes for a shop to edit. The top-level `config/` folder of a checkout holds the same files
(tests/test_package_data.py keeps the two equal), so both ways of starting give one set.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

__all__ = ["DEFAULT_CONFIG_DIR", "default_config_files"]

_PACKAGE = "production.config"


def _folder(data: Traversable) -> Path:
    # Settings are read from a folder and resolve relative paths against it, so the built-in
    # configuration must be real files: pip and pipx always install a wheel unpacked.
    return data if isinstance(data, Path) else Path(str(data))


DEFAULT_CONFIG_DIR = _folder(resources.files(_PACKAGE).joinpath("defaults"))
"""The configuration that comes with the package: sample printers and the sample products."""


def default_config_files() -> dict[PurePosixPath, bytes]:
    """Every file of the built-in configuration, by its path inside the folder."""
    found: dict[PurePosixPath, bytes] = {}
    pending: list[tuple[PurePosixPath, Traversable]] = [
        (PurePosixPath(), resources.files(_PACKAGE).joinpath("defaults"))
    ]
    while pending:
        where, folder = pending.pop()
        for entry in folder.iterdir():
            if entry.name == "__pycache__" or entry.name.startswith("."):
                continue
            if entry.is_dir():
                pending.append((where / entry.name, entry))
            else:
                found[where / entry.name] = entry.read_bytes()
    return dict(sorted(found.items()))
