"""The packing slip's keys of `[shipping]` in shop.toml: what a slip shows, on what paper
and which printer.

    [shipping]
    slip_address = false   # true: the buyer's name and address are printed on the slip
    slip_size = "4x6"      # "4x6" (a label, printed with the shipping label), "a4", "letter"
    slip_printer = "office-1"   # the slip on a printer of its own (A4 on an office printer);
                                # default: beside the label, in the label printer's folder

The buyer's name and address are off unless the shop turns them on: the shipping label already
carries them, and every copy of an address is one more to purge (the slip is purged after
fulfilment either way). `[shipping]` holds the label-buying keys too; their parser reads the
same table and must allow `SLIP_KEYS` beside its own.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal, cast

from production.config.schema import Table

__all__ = [
    "DEFAULT_SLIPS",
    "SLIP_KEYS",
    "SLIP_SIZE_NAMES",
    "SlipSettings",
    "SlipSizeName",
    "slip_settings",
]

SlipSizeName = Literal["4x6", "a4", "letter"]
SLIP_SIZE_NAMES: tuple[SlipSizeName, ...] = ("4x6", "a4", "letter")
SLIP_KEYS = frozenset({"slip_address", "slip_size", "slip_printer"})


@dataclass(frozen=True, slots=True)
class SlipSettings:
    address: bool = False  # the buyer's name and address on the slip
    size: SlipSizeName = "4x6"
    printer: str | None = None  # the printer slips go to; None: the label printer


DEFAULT_SLIPS = SlipSettings()


def slip_settings(
    file: Table, *, printers: Collection[str] = (), other_keys: Collection[str] = ()
) -> SlipSettings:
    """The slip's settings from shop.toml's `[shipping]`; `printers` are the ids printers.toml
    names, `other_keys` the table's keys other parts of the shop read (allowed here)."""
    table = file.table("shipping", SLIP_KEYS | frozenset(other_keys))
    if table is None:
        return DEFAULT_SLIPS
    printer = table.optional_text("slip_printer")
    if printer is not None and printer not in printers:
        raise table.error(f"slip_printer '{printer}' is not a [[printer]] of printers.toml")
    return SlipSettings(
        address=table.boolean("slip_address", False),
        size=cast(SlipSizeName, table.choice("slip_size", SLIP_SIZE_NAMES, "4x6")),
        printer=printer,
    )
