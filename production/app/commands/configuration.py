"""`production init DIR`: a shop's own configuration folder, written from the built-in one."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path, PurePosixPath
from typing import TextIO

from production.core.errors import ConfigError

__all__ = ["add_commands", "write_config"]

_EXAMPLES = """\
examples:
  production init /srv/production/config
  production init ./my-shop && production render order.zip --out /tmp/check --config ./my-shop
"""

_NEXT_STEPS = """\
Edit them next:
  printers.toml  your printers and the hot folders their RIP or laser software watches
  products.toml  one [[product]] per listing (SKU or ASIN), a [[product.surface]] per side
  shop.toml      the inbox, the data folder, font folders; [amazon] and [desk] when wanted
Paths in them are relative to {folder}. README.md there explains every file.
Check a real order without printing:  production render ORDER.zip --out /tmp/check --config {arg}
Then start the daemon:                production run --config {arg}
"""


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = sub.add_parser(
        "init",
        help="write the built-in configuration into a folder, for a shop to edit",
        description="Write the built-in configuration (shop.toml, printers.toml, "
        "products.toml, a README and a systemd unit) into DIR, creating it if needed. "
        "Existing files are never overwritten: if any is there, nothing is written.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    init.add_argument("folder", type=Path, metavar="DIR", help="the new configuration folder")
    init.set_defaults(command=_init)


def _init(args: argparse.Namespace) -> int:
    written = write_config(args.folder)
    _print_written(args.folder, written, sys.stdout)
    return 0


def write_config(folder: Path) -> list[Path]:
    """The built-in configuration's files written into `folder`; `ConfigError`, and nothing
    written, when any of them is already there."""
    from production.config.builtin import default_config_files

    files = default_config_files()
    targets = {name: folder.joinpath(*name.parts) for name in files}
    if folder.exists() and not folder.is_dir():
        raise ConfigError(
            "is a file, not a folder: give a folder for the configuration", source=str(folder)
        )
    present = [target for target in targets.values() if target.exists() or target.is_symlink()]
    if present:
        more = len(present) - 1
        others = f" (and {more} other file{'s' * (more > 1)} init writes)" if more else ""
        raise ConfigError(
            f"already exists{others}; init never overwrites a file: give a new or empty folder",
            source=str(present[0]),
        )
    return [_write(target, files[name]) for name, target in targets.items()]


def _write(target: Path, data: bytes) -> Path:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("xb") as file:  # "x": a file that appeared meanwhile is not replaced
            file.write(data)
    except FileExistsError:
        raise ConfigError(
            "already exists; init never overwrites a file", source=str(target)
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot write it ({exc.strerror or exc})", source=str(target)) from exc
    return target


def _print_written(folder: Path, written: list[Path], out: TextIO) -> None:
    print(f"Wrote the built-in configuration into {folder}:", file=out)
    for path in written:
        print(f"  {PurePosixPath(path.relative_to(folder))}", file=out)
    arg = shlex.quote(str(folder))
    print(_NEXT_STEPS.format(folder=folder.resolve(), arg=arg), end="", file=out)
