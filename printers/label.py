"""Label printers: a 4×6 in thermal printer whose software prints what lands in its folder.

`[[printer]] kind = "label"` in printers.toml. It takes shipping labels bought through Amazon
(a PDF, or ZPL for a Zebra), one file per package, named after the order and the package:
`<order>_<package>.label.pdf` or `.label.zpl`. A label is handed over whole (written through a
hidden part file and a rename), never twice under two names: a reprint replaces the file.
Products never print here (the configuration refuses a surface sent to a label printer).
"""

from __future__ import annotations

from pathlib import Path

from printers.hotfolder import HotFolderDevice

__all__ = ["LABEL_SUFFIXES", "LabelDevice", "label_name"]

LABEL_SUFFIXES = {"PDF": ".label.pdf", "ZPL": ".label.zpl"}


def label_name(order_id: str, package_ref: str, label_format: str) -> str:
    return f"{order_id}_{package_ref}{LABEL_SUFFIXES[label_format]}"


class LabelDevice(HotFolderDevice):
    """A hot folder that takes labels; a print job's files are delivered as to any hot folder."""

    def deliver_label(self, name: str, content: bytes) -> Path:
        """Put one label into the hot folder, replacing an earlier file of that name."""
        (path,) = self.deliver({name: content})
        return path
