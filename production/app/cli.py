"""The `production` command line: one sub-command per job, each a small function.

The commands live in `production.app.commands`, a module per group; this is the entry point.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from production.app.commands import configuration, files, floor, labels, orders, store
from production.app.commands.common import Command
from production.app.commands.examples import add_examples
from production.app.startup import early_signal, restore_default_signals
from production.core.errors import ProductionError

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    command: Command | None = getattr(args, "command", None)
    if command is None:
        parser.print_help()
        return 2
    if command is not floor.run_daemon:
        restore_default_signals()
        if (signum := early_signal()) is not None:
            return 128 + signum  # interrupted while starting: nothing was done
    try:
        return command(args)
    except ProductionError as exc:
        print(f"production: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`production jobs | head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="production",
        description="Turn Amazon Custom order zips into print-ready files and track them.",
    )
    sub = parser.add_subparsers(metavar="COMMAND")
    configuration.add_commands(sub)  # a new shop starts here
    files.add_commands(sub)
    floor.add_commands(sub)
    orders.add_commands(sub)
    labels.add_commands(sub)
    store.add_commands(sub)
    files.add_tools(sub)
    add_examples(sub)
    return parser


if __name__ == "__main__":
    sys.exit(main())
