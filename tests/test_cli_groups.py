"""The command line builds one group's parsers for a command it names: the table must be true."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

from production.app.cli import GROUPS, _parser


def test_each_group_adds_exactly_the_commands_the_table_names() -> None:
    for module, adder, names in GROUPS:
        sub = argparse.ArgumentParser().add_subparsers()
        getattr(importlib.import_module(f"production.app.commands.{module}"), adder)(sub)
        assert tuple(sub.choices) == names, (module, adder)


def test_a_named_command_parses_as_with_every_group() -> None:
    argv = ["render", "a.zip", "--out", "out", "--config", "cfg"]
    alone, whole = _parser("render").parse_args(argv), _parser().parse_args(argv)
    assert vars(alone) == vars(whole)


def test_help_and_unknown_commands_see_every_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "production", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0
    for _, _, names in GROUPS:
        for name in names:
            assert f"    {name} " in done.stdout or f"    {name}\n" in done.stdout, name
    wrong = subprocess.run(
        [sys.executable, "-m", "production", "rendr"], capture_output=True, text=True
    )
    assert wrong.returncode == 2
    assert "'render'" in wrong.stderr  # argparse lists every choice, render among them
