"""Commands on finished orders: their packing slips, shipping them, deleting their buyer data,
the audit."""

from __future__ import annotations

import argparse
import contextlib
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from production.app.commands.common import config_option, no_daemon_yet, settings_of

if TYPE_CHECKING:
    from production.config.settings import Settings

__all__ = ["add_commands"]


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ship = sub.add_parser("ship", help="confirm a shipped package with Amazon (or record it)")
    ship.add_argument("order", metavar="ORDER")
    ship.add_argument("--tracking", required=True, help="the package's tracking number")
    ship.add_argument("--carrier", default="",
                      help="UPS, USPS, FedEx, DHL, Amazon Logistics…; default: read from "
                           "the tracking number (one it contradicts is refused)")  # fmt: skip
    ship.add_argument("--ship-date", type=_datetime, default=None, metavar="D",
                      help="when it left, ISO 8601 (default: now)")  # fmt: skip
    ship.add_argument("--package-ref", default=None, metavar="N",
                      help="package number within the order (default: the next one)")  # fmt: skip
    ship.add_argument("--items", type=_items, default=None, metavar="ID:QTY,…",
                      help="the items in this package (default: all of the order)")  # fmt: skip
    config_option(ship)
    ship.set_defaults(command=_ship)

    slip = sub.add_parser("slip", help="write an order's packing slip (a PDF)")
    slip.add_argument("order", metavar="ORDER")
    slip.add_argument("-o", "--output", type=Path, default=None, metavar="FILE",
                      help="where to write it (default: DATA_DIR/slips/ORDER.slip.pdf, purged "
                           "with the order's buyer data)")  # fmt: skip
    config_option(slip)
    slip.set_defaults(command=_slip)

    purge = sub.add_parser(
        "purge", help="delete the buyer data of orders shipped or cancelled past the retention time"
    )
    purge.add_argument("--dry-run", action="store_true",
                       help="list the files that would be deleted; change nothing")  # fmt: skip
    purge.add_argument("--order", action="append", default=None, metavar="ORDER",
                       help="purge this shipped or cancelled order now, whatever the retention "
                            "time (may be repeated)")  # fmt: skip
    config_option(purge)
    purge.set_defaults(command=_purge)

    leftovers = sub.add_parser(
        "audit", help="look for buyer data of shipped orders left anywhere; exit 1 if any"
    )
    leftovers.add_argument(
        "--log", action="extend", nargs="+", default=[], type=Path, metavar="FILE",
        help="JSON-lines logs of the daemon to check too",
    )  # fmt: skip
    config_option(leftovers)
    leftovers.set_defaults(command=_audit)


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
    from production.app.waiting import retrying, still_waiting
    from production.app.wiring import amazon_client
    from production.floor.folders import Folders
    from production.shipping.confirm import Shipping
    from production.store import ShipmentState
    from production.store.factory import open_store

    settings = settings_of(args)
    if (why := no_daemon_yet(settings)) is not None:
        print(f"production: no order {args.order!r} ({why})", file=sys.stderr)
        return 1
    store = open_store(settings)
    try:
        with (
            amazon_client(settings, progress=retrying) as client,
            still_waiting(f"order {args.order}", gives_up=_gives_up(settings)),
        ):
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
    print(f"order {args.order}: package {package.package_ref} {how}"
          f" ({package.carrier} {package.tracking})")  # fmt: skip
    with contextlib.suppress(OSError):
        # A running daemon purges at once what retention allows, not at its next rescan.
        Folders(settings.shop.data_dir).wake.touch()
    return 0


def _gives_up(settings: Settings) -> float:
    return settings.amazon.deadline_seconds if settings.amazon else 0.0


def _slip(args: argparse.Namespace) -> int:
    from production.floor.folders import Folders
    from production.floor.slips import packing_slip, render_packing_slip, slip_fonts, write_slip
    from production.store.factory import open_store

    settings = settings_of(args)
    if (why := no_daemon_yet(settings)) is not None:
        print(f"production: no order {args.order!r} ({why})", file=sys.stderr)
        return 1
    store = open_store(settings)
    try:
        slip = packing_slip(settings, store, args.order)
    finally:
        store.close()
    pdf = render_packing_slip(settings, slip, slip_fonts(settings))
    if args.output is None:
        folder = Folders(settings.shop.data_dir).slips
        folder.mkdir(exist_ok=True)
        path = write_slip(folder, args.order, pdf)
    else:
        path = args.output
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pdf)
    print(f"order {args.order}: packing slip written to {path}")
    return 0


def _purge(args: argparse.Namespace) -> int:
    from production.retention.purge import Retention
    from production.store.factory import open_store

    settings = settings_of(args)
    if (why := no_daemon_yet(settings)) is not None:
        if args.order:
            print(f"production: no order {args.order[0]!r} ({why})", file=sys.stderr)
            return 1
        print(f"nothing to purge ({why})")
        return 0
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
    from production.floor.storecheck import what_to_do
    from production.retention.audit import audit
    from production.store.factory import open_store, store_file, store_file_problems

    settings = settings_of(args)
    path = store_file(settings.shop.data_dir)
    if not path.exists():
        print(f"production: no job store at {path}", file=sys.stderr)
        return 1
    # A store SQLite cannot read whole says nothing true about what it holds.
    if problems := store_file_problems(settings.shop.data_dir, full=True):
        print(f"production: the job store {path} is damaged: {problems[0]}", file=sys.stderr)
        print(f"production: {what_to_do(settings)}", file=sys.stderr)
        return 1
    store = open_store(settings)
    try:
        report = audit(settings, store, logs=args.log)
    finally:
        store.close()
    for line in report.lines():
        print(line)
    return 0 if report.clean else 1
