"""`production label …`: shipping labels bought through Amazon (`[shipping] labels = "amazon"`).

production label buy ORDER       buy the order's labels now (what `buy = "scan"` does)
production label split ORDER --package ID:QTY,… --package ID:QTY,…   one label each
production label void ORDER      void its labels the carrier does not have yet
production label reprint ORDER   a damaged label: void it and buy a new one
production label show ORDER      its labels, with Amazon's words for a refused one
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from production.app.commands.common import config_option, no_daemon_yet, settings_of

if TYPE_CHECKING:
    from production.shipping.labels import Labels
    from production.store import LabelRecord

__all__ = ["add_commands"]


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    label = sub.add_parser("label", help="shipping labels bought through Amazon")
    actions = label.add_subparsers(metavar="ACTION", required=True)
    for name, text in (
        ("buy", "buy the order's labels now (refused or held ones again)"),
        ("void", "void the order's labels the carrier does not have yet"),
        ("reprint", "a damaged label: void it and buy a new one for the package"),
        ("show", "the order's labels"),
        ("split", "ship the order in several packages, each its own label"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("order", metavar="ORDER")
        if name == "split":
            action.add_argument("--package", action="append", required=True, type=_items,
                                metavar="ID:QTY,…", help="the items of one package (repeat it "
                                "for each package)")  # fmt: skip
        config_option(action)
        action.set_defaults(command=_label, action=name)


def _items(text: str) -> list[tuple[str, int]]:
    items = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        item_id, _, quantity = part.partition(":")
        if not item_id or not quantity.isdigit() or int(quantity) < 1:
            raise argparse.ArgumentTypeError(f"not ID:QTY: {part!r}")
        items.append((item_id, int(quantity)))
    if not items:
        raise argparse.ArgumentTypeError("a package needs at least one ID:QTY")
    return items


def _label(args: argparse.Namespace) -> int:
    from production.app.wiring import amazon_client, floor_pipeline, label_buyer
    from production.floor.events import quiet

    settings = settings_of(args)
    if (why := no_daemon_yet(settings)) is not None:
        print(f"production: no order {args.order!r} ({why})", file=sys.stderr)
        return 1
    if settings.shipping.labels != "amazon":
        print('production: [shipping] labels = "amazon" is not set in shop.toml: labels are'
              " bought elsewhere and scanned at the desk", file=sys.stderr)  # fmt: skip
        return 1
    pipeline = floor_pipeline(settings, log=quiet)
    try:
        with amazon_client(settings) as client:
            labels = label_buyer(pipeline, client)
            assert labels is not None  # labels = "amazon" needs [amazon]: checked at load
            records = _act(labels, args)
    finally:
        pipeline.store.close()
    for record in records:
        print(_line(record))
    return 0


def _act(labels: Labels, args: argparse.Namespace) -> list[LabelRecord]:
    order_id: str = args.order
    if args.action == "buy":
        return labels.buy_label(order_id)
    if args.action == "void":
        return labels.void_label(order_id)
    if args.action == "reprint":
        return labels.reprint_label(order_id)
    if args.action == "split":
        return labels.split(order_id, args.package)
    return labels.store.labels(order_id=order_id)


def _line(record: LabelRecord) -> str:
    head = f"order {record.order_id} package {record.package_ref}: {record.state.value}"
    intent = record.intent
    if record.tracking and intent is not None:
        head += (f" {intent.carrier} {intent.service} {record.tracking}"
                 f" ({intent.cost} {intent.currency})")  # fmt: skip
    items = ", ".join(f"{item}×{quantity}" for item, quantity in record.items)
    head += f" [{items}]"
    return f"{head}: {record.message}" if record.message else head
