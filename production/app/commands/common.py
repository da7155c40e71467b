"""What every command shares: the `--config` option, the settings it names, and whether a
daemon has ever run on the shop (made its job store).

Every command module imports only the standard library at its top, and what a command needs
inside its own function: `production --help` and the quick commands must not pay for the
renderers, the Amazon client or the desk (start-up is most of a short command's time).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from production.config.settings import Settings

__all__ = ["Command", "config_option", "no_daemon_yet", "settings_of"]

Command = Callable[[argparse.Namespace], int]


def config_option(parser: argparse.ArgumentParser, *, builtin: bool = False) -> None:
    """`--config DIR`; only commands that leave the shop's folders alone (`builtin`) may go
    without: the built-in configuration sits inside the installed package, no place for a
    job store, an inbox or hot folders."""
    if builtin:
        parser.add_argument(
            "--config",
            type=Path,
            default=None,
            metavar="DIR",
            help="the shop's configuration folder (default: the built-in one)",
        )
        return
    parser.add_argument(
        "--config",
        type=Path,
        required=True,
        metavar="DIR",
        help="the shop's configuration folder (`production init DIR` writes one to edit)",
    )


def settings_of(args: argparse.Namespace) -> Settings:
    from production.config.settings import DEFAULT_CONFIG_DIR, load_settings

    return load_settings(args.config or DEFAULT_CONFIG_DIR)


def no_daemon_yet(settings: Settings) -> str | None:
    """Why there is nothing to read or change yet: no daemon has made the shop's job store.

    None once it exists. Commands ask before they open the store, so that a look at a fresh
    shop never creates one (nor the data folder) as a side effect.
    """
    from production.store.factory import store_file

    if store_file(settings.shop.data_dir).is_file():
        return None
    return f"no daemon has run on {settings.shop.data_dir}"
