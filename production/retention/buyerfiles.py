"""Where an order's buyer data can be on disk, and how a file is tied to an order.

Buyer data leaves Amazon's zip for these places: the zip itself (`data_dir/claimed/` while it is
taken in, then `data_dir/zips/<orderItemId>.zip`, or `inbox/rejected/` if it was refused), the
master PDF and ticket (`data_dir/masters/<stem>.pdf|json`), the desk's proof pictures
(`data_dir/proofs/<stem>.png`), copies of the masters in each printer's hot folder and,
once printed, in its done folder, and the order's packing slip (`<orderId>.slip.pdf`: in the
label printer's hot and done folders, or in `data_dir/slips/`), which may carry the buyer's
gift message, name and address. The pipeline names every one of them after the order and its
item (`<orderId>_<orderItemId>_<surface>`); a zip an operator dropped under a name of their own
is recognised by its members, which Amazon names after the order item.

Ids are found by their characters, never by parsing: any run of digits and dashes is looked at,
and every id of the right length inside it counts. Amazon's ids are 14 digits (order items) and
`3-7-7` digits (orders), which nothing else the shop writes looks like.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from production.config.settings import Settings
from production.floor.folders import Folders
from production.floor.inbox import REJECTED_FOLDER

__all__ = ["Ids", "Places", "files_under", "is_zip", "owners", "zip_member_names"]

_CHUNK = 4 * 1024 * 1024  # files are read this much at a time
_ZIP_MAGIC = b"PK\x03\x04"


class Ids:
    """Order and order item ids to look for, each with the order it belongs to."""

    def __init__(self, owners: Mapping[str, str]) -> None:
        self._owners = {key.encode(): order for key, order in owners.items() if key}
        self._lengths = sorted({len(key) for key in self._owners})
        shortest = self._lengths[0] if self._lengths else 1
        self._runs = re.compile(rb"[0-9-]{%d,}" % shortest)

    def __bool__(self) -> bool:
        return bool(self._owners)

    @property
    def longest(self) -> int:
        return self._lengths[-1] if self._lengths else 0

    def find(self, data: bytes) -> set[str]:
        """The orders whose ids appear in `data`."""
        found: set[str] = set()
        if not self._owners:
            return found
        for match in self._runs.finditer(data):
            run = match.group()
            for length in self._lengths:
                for start in range(len(run) - length + 1):
                    order = self._owners.get(run[start : start + length])
                    if order is not None:
                        found.add(order)
        return found

    def in_name(self, name: str) -> set[str]:
        return self.find(name.encode("utf-8", "surrogateescape"))

    def in_file(self, path: Path) -> set[str]:
        """The orders whose ids appear anywhere in the file's bytes (read a piece at a time)."""
        found: set[str] = set()
        overlap = max(self.longest - 1, 0)  # an id cut by a piece boundary is whole in the next
        tail = b""
        with path.open("rb") as handle:
            while piece := handle.read(_CHUNK):
                found |= self.find(tail + piece)
                tail = piece[-overlap:] if overlap else b""
        return found


def files_under(folder: Path, *, recursive: bool) -> Iterator[Path]:
    """Files under `folder`, symlinks included as links; a symlinked folder is never entered.

    A folder that is missing or unreadable has nothing in it (it is looked at again next time).
    """
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in sorted(entries, key=lambda e: e.name):
        path = Path(entry.path)
        try:
            if entry.is_symlink() or entry.is_file(follow_symlinks=False):
                yield path
            elif recursive and entry.is_dir(follow_symlinks=False):
                yield from files_under(path, recursive=True)
        except OSError:
            continue


def is_zip(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == _ZIP_MAGIC
    except OSError:
        return False


def zip_member_names(path: Path) -> list[str]:
    """The member names of a zip (its central directory only); [] if it is not a readable zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.namelist()
    except (OSError, zipfile.BadZipFile, ValueError, EOFError):
        return []


@dataclass(frozen=True, slots=True)
class Places:
    """The shop's folders that can hold buyer data (see the module's docstring)."""

    folders: Folders
    inbox: Path
    hot: tuple[Path, ...]
    done: tuple[Path, ...]

    @classmethod
    def of(cls, settings: Settings) -> Places:
        printers = settings.printers.values()
        return cls(
            folders=Folders(settings.shop.data_dir),
            inbox=settings.shop.inbox,
            hot=tuple(dict.fromkeys(p.hot_folder for p in printers)),
            done=tuple(dict.fromkeys(p.done_folder for p in printers if p.done_folder)),
        )

    @property
    def rejected(self) -> Path:
        return self.inbox / REJECTED_FOLDER

    def working(self) -> list[Path]:
        """The daemon's own folders of buyer files under `data_dir`."""
        folders = self.folders
        return [folders.zips, folders.masters, folders.proofs, folders.claimed, folders.slips]

    def purge_roots(self) -> list[tuple[Path, bool]]:
        """(folder, recursive) for every folder a purge clears an order's files from.

        Done folders are searched to any depth (some RIPs file finished work by date); the
        inbox itself is not, as a file there may still be being copied (the daemon discards a
        purged order's zip when it takes it).
        """
        flat = [*self.working(), self.rejected, *self.hot]
        return [(folder, False) for folder in flat] + [(folder, True) for folder in self.done]

    def roots(self) -> list[Path]:
        """Every folder buyer data may be in, for the audit (each searched to any depth)."""
        return [self.folders.root, self.inbox, *self.hot, *self.done]

    def contains(self, path: Path) -> bool:
        """True if `path` sits in one of the roots once symlinks are resolved (a path the store
        recorded is deleted only then: an edited store must not delete files elsewhere)."""
        try:
            parent = Path(os.path.realpath(path.parent))
        except (OSError, ValueError):
            return False
        return any(parent.is_relative_to(os.path.realpath(root)) for root in self.roots())


def owners(orders: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    """id → order id, for (order id, its order item ids) pairs."""
    table: dict[str, str] = {}
    for order_id, item_ids in orders:
        table[order_id] = order_id
        for item_id in item_ids:
            table[item_id] = order_id
    return table
