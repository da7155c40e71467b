"""Examples under each sub-command's `--help`: what a person types on the floor, in one place."""

from __future__ import annotations

import argparse

__all__ = ["EXAMPLES", "add_examples"]

EXAMPLES: dict[str, tuple[str, ...]] = {
    "inspect": (
        "production inspect order.zip                 what the buyer chose, ids and options",
        "production inspect --json *.zip              one JSON object per zip",
    ),
    "render": (
        "production render order.zip --out /tmp/check --config /srv/production/config",
        "production render *.zip --out proofs/       with the built-in configuration",
    ),
    "run": (
        "production run --config /srv/production/config",
        "systemctl reload production                  re-read the configuration (SIGHUP)",
    ),
    "jobs": (
        "production jobs --config DIR                 every job and its state",
        "production jobs --state held --config DIR    what needs a person, with the reason",
        "production jobs --json --config DIR | jq .   one JSON object per job",
    ),
    "done": ("production done 90000000000011-FRONT --config DIR   (or scan the ticket's barcode)",),
    "retry": (
        "production retry 90000000000011-FRONT --config DIR   after fixing the cause",
        "production retry --cause printer --config DIR         every job held for it",
        "production retry --all --config DIR",
    ),
    "approve": (
        'production approve 90000000000011-FRONT --reason "proof checked by Sam" --config DIR',
    ),
    "reject": ('production reject 90000000000011-FRONT --reason "photo too dark" --config DIR',),
    "cancel": ("production cancel 900-0000001-0000001 --config DIR",),
    "ship": (
        "production ship 900-0000001-0000001 --tracking 1Z999AA10123456784 --config DIR"
        "   carrier read from the number (UPS)",
        "production ship 900-0000001-0000001 --carrier Evri --tracking H00A1B2C3D4E5F6 "
        "--config DIR   a format it does not know",
        "production ship 900-0000001-0000001 --carrier USPS --tracking 9400111899223100000033 "
        "--items 90000000000011:1 --config DIR",
    ),
    "slip": (
        "production slip 900-0000001-0000001 --config DIR   into DATA_DIR/slips/, purged with it",
        "production slip 900-0000001-0000001 -o /tmp/slip.pdf --config DIR",
    ),
    "label": (
        "production label buy 900-0000001-0000001 --config DIR      buy its label now (scan)",
        "production label show 900-0000001-0000001 --config DIR     bought, refused and why",
        "production label split 900-0000001-0000001 --package 90000000000011:1 "
        "--package 90000000000012:2 --config DIR",
        "production label reprint 900-0000001-0000001 --config DIR  a damaged label: a new one",
        "production label void 900-0000001-0000001 --config DIR",
    ),
    "purge": (
        "production purge --dry-run --config DIR      what would be deleted now",
        "production purge --order 900-0000001-0000001 --config DIR   now, whatever the days",
    ),
    "audit": (
        "production audit --config DIR",
        "journalctl -u production -o cat > daemon.log && production audit --log daemon.log "
        "--config DIR",
    ),
    "store": (
        "production store check --config DIR          whole, writable, and the backups there are",
        "production store restore data/backups/jobs-20260101T030000Z.sqlite3 --config DIR",
    ),
    "replace": (
        "production replace inbox/rejected/order.zip --config DIR   the corrected design instead",
    ),
    "sim": ("production sim --port 8900 --orders 20   then point [amazon] endpoint at it",),
    "demo": ("production demo", "production demo --out /tmp/demo-shop"),
}


def add_examples(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Give every sub-command that has none yet its examples as the epilog of `--help`."""
    for name, parser in sub.choices.items():
        if parser.epilog or name not in EXAMPLES:
            continue
        parser.epilog = "examples:\n" + "\n".join(f"  {line}" for line in EXAMPLES[name])
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
