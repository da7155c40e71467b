"""The `production` command line: one sub-command per job, each a small function.

The commands live in `production.app.commands`, a module per group; this is the entry point.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from production.app.commands.common import Command
from production.app.commands.examples import add_examples
from production.app.startup import early_signal, restore_default_signals
from production.core.errors import ProductionError

__all__ = ["main"]


# The groups of sub-commands, in the order `--help` lists them: (module in
# production.app.commands, the function adding its parsers, the commands it adds).
GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("configuration", "add_commands", ("init",)),  # a new shop starts here
    ("files", "add_commands", ("inspect", "render")),
    ("floor", "add_commands", ("run", "jobs", "done", "retry", "approve", "reject", "replace",
                               "cancel")),
    ("orders", "add_commands", ("ship", "slip", "purge", "audit")),
    ("labels", "add_commands", ("label",)),
    ("store", "add_commands", ("store",)),
    ("files", "add_tools", ("sim", "demo")),
)  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    parser = _parser(arguments[0] if arguments else None)
    args = parser.parse_args(arguments)
    command: Command | None = getattr(args, "command", None)
    if command is None:
        parser.print_help()
        return 2
    if not _is_daemon(command):
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


def _is_daemon(command: Command) -> bool:
    floor = sys.modules.get("production.app.commands.floor")  # not imported: not the daemon
    return floor is not None and command is getattr(floor, "run_daemon", None)


def _parser(first: str | None = None) -> argparse.ArgumentParser:
    """The parser; given the command line's first word, only that command's group when it
    names one (a render does not import or build the other commands'), else every group."""
    parser = argparse.ArgumentParser(
        prog="production",
        description="Turn Amazon Custom order zips into print-ready files and track them.",
    )
    sub = parser.add_subparsers(metavar="COMMAND")
    named = [group for group in GROUPS if first in group[2]]
    for module, adder, _ in named or GROUPS:
        getattr(importlib.import_module(f"production.app.commands.{module}"), adder)(sub)
    add_examples(sub)
    return parser


if __name__ == "__main__":
    sys.exit(main())
