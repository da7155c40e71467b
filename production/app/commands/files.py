"""Commands on zips and files: inspect, render, demo, and the SP-API simulator."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from production.app.commands.common import config_option, settings_of
from production.core.errors import ProductionError

if TYPE_CHECKING:
    from production.customization import ZipLimits
    from production.floor.rendering import ItemRenderer

__all__ = ["add_commands", "add_tools"]


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    inspect = sub.add_parser(
        "inspect",
        help="parse customization zips and show what is in them (never the buyer's text)",
    )
    inspect.add_argument("zips", nargs="+", type=Path, metavar="ZIP")
    inspect.add_argument("--json", action="store_true", help="one JSON object per zip")
    config_option(inspect, builtin=True)
    inspect.set_defaults(command=_inspect)

    render = sub.add_parser(
        "render",
        help="make the print PDF and job ticket of every surface of the given zips",
    )
    render.add_argument("zips", nargs="+", type=Path, metavar="ZIP")
    render.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="folder to write the files into"
    )
    config_option(render, builtin=True)
    render.set_defaults(command=_render)


def add_tools(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The commands for trying the pipeline out: the SP-API simulator and the demo."""
    sim = sub.add_parser("sim", help="run the local SP-API simulator (for trying the daemon)")
    sim.add_argument("--port", type=int, default=8900, help="port on 127.0.0.1 (default 8900)")
    sim.add_argument("--orders", type=int, default=10, help="unshipped orders to start with")
    config_option(sim, builtin=True)
    sim.set_defaults(command=_sim)

    demo = sub.add_parser("demo", help="run the pipeline on the built-in sample zips")
    demo.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder for the print files (default: a new folder in the system's temp folder)",
    )
    config_option(demo, builtin=True)
    demo.set_defaults(command=_demo)


def _inspect(args: argparse.Namespace) -> int:
    limits = settings_of(args).limits
    return _inspect_paths(
        args.zips, as_json=args.json, out=sys.stdout, err=sys.stderr, limits=limits
    )


def _inspect_paths(
    paths: Sequence[Path],
    *,
    as_json: bool,
    out: TextIO,
    err: TextIO,
    limits: ZipLimits | None = None,
) -> int:
    from production.customization import DEFAULT_LIMITS, parse_zip
    from production.customization.inspection import describe

    failures = 0
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            print(f"{path}: cannot read the file ({exc.strerror})", file=err)
            failures += 1
            continue
        try:
            summary = describe(parse_zip(data, source=path.name, limits=limits or DEFAULT_LIMITS))
        except ProductionError as exc:
            print(f"{path}: {exc}", file=err)
            failures += 1
            continue
        except Exception as exc:  # noqa: BLE001 - a bug must not hide the other zips or show a traceback
            _report_bug(path, exc, err)
            failures += 1
            continue
        _print_summary(summary, as_json=as_json, out=out)
    return 1 if failures else 0


def _print_summary(summary: dict[str, Any], *, as_json: bool, out: TextIO) -> None:
    if as_json:
        print(json.dumps(summary, ensure_ascii=False), file=out)
        return
    print(
        f"order {summary['order_id']} item {summary['order_item_id']} "
        f"(asin {summary['asin'] or '-'}, qty {summary['quantity']}, from {summary['source']})",
        file=out,
    )
    for surface in summary["surfaces"]:
        print(f"  surface {surface['name']!r}: {len(surface['elements'])} element(s)", file=out)
        for element in surface["elements"]:
            print(f"    {element['summary']}", file=out)
        for option in surface["options"]:
            print(f"    option {option['label']!r}", file=out)
    for warning in summary["warnings"]:
        print(f"  warning: {warning}", file=out)


def _sim(args: argparse.Namespace) -> int:
    from production.amazon.sim.server import main_sim  # the server stack loads only for this

    return main_sim(args.port, args.orders, sys.stdout)


def _render(args: argparse.Namespace) -> int:
    from production.floor.render_limits import cap_memory
    from production.floor.rendering import ItemRenderer

    renderer = ItemRenderer(settings_of(args))
    # As a daemon's render worker (one render at a time), with room for what it imports late.
    cap_memory(renderer.settings.limits, lazy_imports=True)
    return _render_paths(renderer, args.zips, args.out, out=sys.stdout, err=sys.stderr)


def _render_paths(
    renderer: ItemRenderer, paths: Sequence[Path], folder: Path, *, out: TextIO, err: TextIO
) -> int:
    from production.customization import read_zip
    from production.floor.render_limits import (
        limit_errors_in_cleanup_dropped,
        out_of_memory,
        within_time,
    )
    from production.floor.rendering import preflight_report

    limits = renderer.settings.limits
    failures = 0
    for path in paths:
        try:
            with limit_errors_in_cleanup_dropped(), within_time(limits):
                # The zip's bytes go once its members are out: a large photo is not held twice.
                members = read_zip(path.read_bytes(), source=path.name, limits=limits)
                output = renderer.render_members(members, source=path.name)
                output.write(folder)
        except MemoryError:
            print(f"{path}: {out_of_memory(limits)}", file=err)
            failures += 1
            continue
        except OSError as exc:
            print(f"{path}: cannot read or write ({exc.strerror or exc})", file=err)
            failures += 1
            continue
        except ProductionError as exc:
            print(f"{path}: {exc}", file=err)
            failures += 1
            continue
        except Exception as exc:  # noqa: BLE001 - one bad zip must not stop the others
            _report_bug(path, exc, err)
            failures += 1
            continue
        item = output.customization.item
        print(f"{path.name}: order {item.order_id} item {item.order_item_id}", file=out)
        for job in output.jobs:
            made = job.ticket.file or "ticket only (options)"
            print(f"  {job.surface}: {made}", file=out)
        for line in preflight_report(output):
            print(f"  {line}", file=out)  # verdict, proof score and findings of every job
    return 1 if failures else 0


def _report_bug(path: Path, exc: Exception, err: TextIO) -> None:
    print(f"{path}: internal error ({type(exc).__name__}); please report it", file=err)
    if os.environ.get("PRODUCTION_DEBUG"):
        raise exc


def _demo(args: argparse.Namespace) -> int:
    from production.app.demo import run_demo
    from production.config.settings import DEFAULT_CONFIG_DIR

    folder = args.out or Path(tempfile.mkdtemp(prefix="production-demo-"))
    return run_demo(args.config or DEFAULT_CONFIG_DIR, folder, out=sys.stdout, err=sys.stderr)
