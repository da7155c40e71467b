"""The `production` command line: one sub-command per job, each a small function."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from production.customization import parse_zip
from production.errors import ProductionError
from production.inspection import describe
from production.rendering import ItemRenderer
from production.samples import sample_zips
from production.settings import DEFAULT_CONFIG_DIR, load_settings

__all__ = ["main"]

Command = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    command: Command | None = getattr(args, "command", None)
    if command is None:
        parser.print_help()
        return 2
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

    inspect = sub.add_parser(
        "inspect",
        help="parse customization zips and show what is in them (never the buyer's text)",
    )
    inspect.add_argument("zips", nargs="+", type=Path, metavar="ZIP")
    inspect.add_argument("--json", action="store_true", help="one JSON object per zip")
    _config_option(inspect)
    inspect.set_defaults(command=_inspect)

    render = sub.add_parser(
        "render",
        help="make the print PDF and job ticket of every surface of the given zips",
    )
    render.add_argument("zips", nargs="+", type=Path, metavar="ZIP")
    render.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="folder to write the files into"
    )
    _config_option(render)
    render.set_defaults(command=_render)

    demo = sub.add_parser("demo", help="run the pipeline on the built-in sample zips")
    demo.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder for the print files (default: a new folder in the system's temp folder)",
    )
    _config_option(demo)
    demo.set_defaults(command=_demo)
    return parser


def _config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="DIR",
        help="the shop's configuration folder (default: the built-in one)",
    )


def _inspect(args: argparse.Namespace) -> int:
    return _inspect_paths(args.zips, as_json=args.json, out=sys.stdout, err=sys.stderr)


def _inspect_paths(paths: Sequence[Path], *, as_json: bool, out: TextIO, err: TextIO) -> int:
    failures = 0
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            print(f"{path}: cannot read the file ({exc.strerror})", file=err)
            failures += 1
            continue
        try:
            summary = describe(parse_zip(data, source=path.name))
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


def _render(args: argparse.Namespace) -> int:
    renderer = ItemRenderer(load_settings(args.config or DEFAULT_CONFIG_DIR))
    return _render_paths(renderer, args.zips, args.out, out=sys.stdout, err=sys.stderr)


def _render_paths(
    renderer: ItemRenderer, paths: Sequence[Path], folder: Path, *, out: TextIO, err: TextIO
) -> int:
    failures = 0
    for path in paths:
        try:
            output = renderer.render_zip(path.read_bytes(), source=path.name)
            output.write(folder)
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
            made = job.pdf_name or "ticket only (options)"
            print(f"  {job.surface}: {made}", file=out)
            for reason in job.ticket["hold"]:
                print(f"    hold: {reason}", file=out)
            for warning in job.ticket["warnings"]:
                print(f"    warning: {warning}", file=out)
    return 1 if failures else 0


def _report_bug(path: Path, exc: Exception, err: TextIO) -> None:
    print(f"{path}: internal error ({type(exc).__name__}); please report it", file=err)
    if os.environ.get("PRODUCTION_DEBUG"):
        raise exc


def _demo(args: argparse.Namespace) -> int:
    zips = sample_zips()
    if not zips:
        print("production: no sample zips found (run samples/make_samples.py)", file=sys.stderr)
        return 1
    folder = args.out or Path(tempfile.mkdtemp(prefix="production-demo-"))
    renderer = ItemRenderer(load_settings(args.config or DEFAULT_CONFIG_DIR))
    print(f"Rendering {len(zips)} sample zips from {zips[0].parent} into {folder}\n")
    failures = 0
    rows: list[tuple[str, ...]] = []
    for path in zips:
        try:
            output = renderer.render_zip(path.read_bytes(), source=path.name)
            output.write(folder)
        except ProductionError as exc:
            print(f"{path.name}: {exc}", file=sys.stderr)
            failures += 1
            continue
        for job in output.jobs:
            state = "held" if job.held else ("ticket" if job.pdf is None else "ready")
            printer = job.printer.id if job.printer else "-"
            shown = job.pdf_name or job.ticket_name
            rows.append((job.identity.job_id, job.surface, printer, state, str(folder / shown)))
    _print_table(("JOB", "SURFACE", "PRINTER", "STATE", "FILE"), rows, sys.stdout)
    print(f"\n{len(rows)} job(s); each PDF has its JSON ticket beside it.")
    return 1 if failures else 0


def _print_table(header: tuple[str, ...], rows: list[tuple[str, ...]], out: TextIO) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        print("  ".join(cells).rstrip(), file=out)


if __name__ == "__main__":
    sys.exit(main())
