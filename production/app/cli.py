"""The `production` command line: one sub-command per job, each a small function."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from production.app.demo import run_demo
from production.app.startup import early_signal, restore_default_signals
from production.app.table import print_table
from production.app.wiring import amazon_client, floor_daemon, floor_pipeline
from production.config.settings import DEFAULT_CONFIG_DIR, Settings, load_settings
from production.core.errors import ProductionError
from production.customization import parse_zip
from production.customization.inspection import describe
from production.floor.folders import Folders
from production.floor.pipeline import Pipeline
from production.floor.rendering import ItemRenderer, preflight_report
from production.retention.audit import audit
from production.retention.purge import Retention
from production.shipping.confirm import Shipping
from production.store import JobRecord, JobState, ShipmentState
from production.store.factory import open_store, store_file

__all__ = ["main"]

Command = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    command: Command | None = getattr(args, "command", None)
    if command is None:
        parser.print_help()
        return 2
    if command is not _run:
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

    run = sub.add_parser("run", help="run the production daemon until SIGTERM or Ctrl-C")
    _config_option(run)
    run.set_defaults(command=_run)

    jobs = sub.add_parser("jobs", help="list jobs and their states")
    jobs.add_argument("--state", choices=[s.value for s in JobState], help="only this state")
    jobs.add_argument("--json", action="store_true", help="one JSON object per job")
    _config_option(jobs)
    jobs.set_defaults(command=_jobs)

    done = sub.add_parser("done", help="mark a queued job printed (by job id or ticket barcode)")
    done.add_argument("job", metavar="JOB-OR-BARCODE")
    _config_option(done)
    done.set_defaults(command=_done)

    retry = sub.add_parser("retry", help="render a held job again once its cause is fixed")
    retry.add_argument("job", metavar="JOB")
    _config_option(retry)
    retry.set_defaults(command=_retry)

    cancel = sub.add_parser("cancel", help="cancel an order and pull its files back")
    cancel.add_argument("order", metavar="ORDER")
    _config_option(cancel)
    cancel.set_defaults(command=_cancel)

    ship = sub.add_parser("ship", help="confirm a shipped package with Amazon (or record it)")
    ship.add_argument("order", metavar="ORDER")
    ship.add_argument("--carrier", required=True, help="carrier code, e.g. UPS, USPS, DHL")
    ship.add_argument("--tracking", required=True, help="the package's tracking number")
    ship.add_argument("--ship-date", type=_datetime, default=None, metavar="D",
                      help="when it left, ISO 8601 (default: now)")  # fmt: skip
    ship.add_argument("--package-ref", default=None, metavar="N",
                      help="package number within the order (default: the next one)")  # fmt: skip
    ship.add_argument("--items", type=_items, default=None, metavar="ID:QTY,…",
                      help="the items in this package (default: all of the order)")  # fmt: skip
    _config_option(ship)
    ship.set_defaults(command=_ship)

    purge = sub.add_parser(
        "purge", help="delete the buyer data of orders shipped or cancelled past the retention time"
    )
    purge.add_argument("--dry-run", action="store_true",
                       help="list the files that would be deleted; change nothing")  # fmt: skip
    purge.add_argument("--order", action="append", default=None, metavar="ORDER",
                       help="purge this shipped or cancelled order now, whatever the retention "
                            "time (may be repeated)")  # fmt: skip
    _config_option(purge)
    purge.set_defaults(command=_purge)

    leftovers = sub.add_parser(
        "audit", help="look for buyer data of shipped orders left anywhere; exit 1 if any"
    )
    leftovers.add_argument(
        "--log", action="extend", nargs="+", default=[], type=Path, metavar="FILE",
        help="JSON-lines logs of the daemon to check too",
    )  # fmt: skip
    _config_option(leftovers)
    leftovers.set_defaults(command=_audit)

    sim = sub.add_parser("sim", help="run the local SP-API simulator (for trying the daemon)")
    sim.add_argument("--port", type=int, default=8900, help="port on 127.0.0.1 (default 8900)")
    sim.add_argument("--orders", type=int, default=10, help="unshipped orders to start with")
    _config_option(sim)
    sim.set_defaults(command=_sim)

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


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.config or DEFAULT_CONFIG_DIR)


def _pipeline(settings: Settings) -> Pipeline:
    return floor_pipeline(settings)


def _run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    pipeline = floor_pipeline(settings, render_workers=None)
    with amazon_client(settings) as client:
        daemon = floor_daemon(settings, pipeline, client)
        daemon.install_signal_handlers()
        if early_signal() is not None:
            daemon.stop()  # asked to stop while starting: stop cleanly before doing anything
        daemon.run()
    return 0


def _jobs(args: argparse.Namespace) -> int:
    settings = _settings(args)
    store = open_store(settings)
    try:
        jobs = store.jobs(state=JobState(args.state) if args.state else None)
    finally:
        store.close()
    if args.json:
        for job in jobs:
            print(json.dumps(_job_summary(job), ensure_ascii=False))
        return 0
    rows = [
        (job.job_id, job.order_id, job.surface, job.printer or "-", job.state.value,
         job.reason or "")
        for job in jobs
    ]  # fmt: skip
    print_table(("JOB", "ORDER", "SURFACE", "PRINTER", "STATE", "REASON"), rows, sys.stdout)
    return 0


def _job_summary(job: JobRecord) -> dict[str, Any]:
    return {
        "job_id": job.job_id,
        "order_id": job.order_id,
        "order_item_id": job.order_item_id,
        "surface": job.surface,
        "printer": job.printer,
        "state": job.state.value,
        "cause": job.cause,
        "reason": job.reason,
        "hot_paths": list(job.hot_paths),
        "attempts": job.attempts,
        "updated_at": job.updated_at.isoformat(timespec="seconds"),
    }


def _done(args: argparse.Namespace) -> int:
    pipeline = _pipeline(_settings(args))
    try:
        job = pipeline.store.job(args.job.strip())
        if job is None:
            print(f"production: no job {args.job.strip()!r}", file=sys.stderr)
            return 1
        pipeline.mark_printed(job.job_id, reason="marked done by an operator")
    finally:
        pipeline.store.close()
    print(f"{job.job_id}: printed")
    return 0


def _retry(args: argparse.Namespace) -> int:
    pipeline = _pipeline(_settings(args))
    try:
        pipeline.store.transition(
            args.job, JobState.RECEIVED, reason="retried by an operator", expect={JobState.HELD}
        )
    finally:
        pipeline.store.close()
    pipeline.folders.wake.touch()  # a running daemon renders it now, not at its next rescan
    print(f"{args.job}: will be rendered again")
    return 0


def _cancel(args: argparse.Namespace) -> int:
    pipeline = _pipeline(_settings(args))
    try:
        messages = pipeline.cancel_order(args.order, reason="cancelled by an operator")
    finally:
        pipeline.store.close()
    for message in messages:
        print(message)
    print(f"order {args.order}: cancelled")
    return 0


def _datetime(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date: {text!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _items(text: str) -> list[tuple[str, int]]:
    items = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        item_id, _, quantity = part.partition(":")
        if not item_id or not quantity.isdigit():
            raise argparse.ArgumentTypeError(f"not ID:QTY: {part!r}")
        items.append((item_id, int(quantity)))
    return items


def _ship(args: argparse.Namespace) -> int:
    settings = _settings(args)
    store = open_store(settings)
    try:
        with amazon_client(settings) as client:
            marketplace = settings.amazon.marketplace_ids[0] if settings.amazon else None
            shipping = Shipping(store, amazon=client, marketplace_id=marketplace)
            package = shipping.ship(
                args.order,
                carrier=args.carrier,
                tracking=args.tracking,
                ship_date=args.ship_date,
                package_ref=args.package_ref,
                items=args.items,
            )
    finally:
        store.close()
    how = "confirmed with Amazon" if package.state is ShipmentState.CONFIRMED else "recorded"
    print(f"order {args.order}: package {package.package_ref} {how}")
    with contextlib.suppress(OSError):
        # A running daemon purges at once what retention allows, not at its next rescan.
        Folders(settings.shop.data_dir).wake.touch()
    return 0


def _purge(args: argparse.Namespace) -> int:
    settings = _settings(args)
    store = open_store(settings)
    try:
        retention = Retention(settings, store)
        orders = args.order or retention.due()
        reason = "buyer data deleted on request" if args.order else None
        results = retention.purge(orders, dry_run=args.dry_run, reason=reason)
    finally:
        store.close()
    if not results:
        print(f"nothing to purge (retention {settings.shop.retention_days} days)")
    for result in results:
        plan = result.plan
        if args.dry_run:
            print(f"order {plan.order_id}: would remove {len(plan.files)} files")
            for path in plan.files:
                print(f"  {path}")
        else:
            print(f"order {plan.order_id}: {len(result.removed)} files removed")
    return 0


def _audit(args: argparse.Namespace) -> int:
    settings = _settings(args)
    path = store_file(settings.shop.data_dir)
    if not path.exists():
        print(f"production: no job store at {path}", file=sys.stderr)
        return 1
    store = open_store(settings)
    try:
        report = audit(settings, store, logs=args.log)
    finally:
        store.close()
    for line in report.lines():
        print(line)
    return 0 if report.clean else 1


def _sim(args: argparse.Namespace) -> int:
    from production.amazon.sim.server import main_sim  # the server stack loads only for this

    return main_sim(args.port, args.orders, sys.stdout)


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
    folder = args.out or Path(tempfile.mkdtemp(prefix="production-demo-"))
    return run_demo(args.config or DEFAULT_CONFIG_DIR, folder, out=sys.stdout, err=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
