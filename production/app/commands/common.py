"""What every command shares: the `--config` option and the settings it names."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from production.config.settings import DEFAULT_CONFIG_DIR, Settings, load_settings

__all__ = ["Command", "config_option", "settings_of"]

Command = Callable[[argparse.Namespace], int]


def config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="DIR",
        help="the shop's configuration folder (default: the built-in one)",
    )


def settings_of(args: argparse.Namespace) -> Settings:
    return load_settings(args.config or DEFAULT_CONFIG_DIR)
