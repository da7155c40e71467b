"""`production audit`: looking for buyer data that should be gone, everywhere it could be.

The orders checked are those the store has purged, and those due for purging (shipped or
cancelled more than `retention_days` ago) that are not yet: each of these is a finding itself.
Their ids are looked for in

- every file under the data folder (the store's own files aside, which are checked as tables),
  the inbox with `rejected/`, and every printer's hot and done folder: in its name, in the names
  and JSON/XML/SVG of a zip's members, in its bytes (tickets name their order), and in a PDF's
  Title and Subject;
- the store and its daily copies in `backups/`: an item's zip path or digest still set, a
  job's delivered files still listed, any column of such an order's rows that is not an id,
  SKU, quantity, state, time or reason, and any table the audit does not know that names the
  order;
- the given log files: every line must be one of the daemon's JSON events; anything else (a
  traceback, a print) may quote buyer data and is reported by its line number, never shown.

Files in the daemon's working folders (zips, masters, proofs, claimed, slips) that belong to no item
in the store are reported too: nobody would ever purge them. A finding names a place and an
order id, never the content found.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pikepdf

from production.config.settings import Settings
from production.retention.buyerfiles import (
    Ids,
    Places,
    files_under,
    is_zip,
    owners,
    zip_member_names,
)
from production.store import JobState, JobStore
from production.store.factory import store_backups
from production.store.sqlite.health import file_rows

__all__ = ["AuditReport", "Finding", "audit"]

_MEMBER_LIMIT = 64 * 1024 * 1024  # bytes of one zip member read; Amazon's JSON is far smaller
_TEXT_MEMBERS = (".json", ".xml", ".svg", ".txt")
_STORE_SUFFIXES = ("", "-wal", "-shm", "-journal")

# What stays of a purged order in each table: ids, SKU, quantities, states, times, reasons,
# shipments, companion orders. Columns listed in _CLEARED must hold their empty value; any
# other column (one a later version adds) is a finding until it is listed here.
_KEPT = {
    "items": {"order_item_id", "order_id", "asin", "sku", "quantity", "received_at", "ship_by"},
    "jobs": {"job_id", "order_item_id", "order_id", "surface", "printer", "stem", "state",
             "reason", "cause", "attempts", "created_at", "updated_at", "approval"},
    "audit": {"seq", "at", "job_id", "order_id", "from_state", "to_state", "reason"},
    "shipments": {"order_id", "package_ref", "carrier", "tracking", "ship_date", "items",
                  "state", "message", "created_at", "updated_at"},
    # Labels bought through Amazon: ids, items, states, the purchase's token, rate, key,
    # carrier, service and cost, Amazon's messages; the label file itself is never kept.
    "labels": {"label_id", "order_id", "package_ref", "items", "state", "intent", "shipment_id",
               "tracking", "message", "created_at", "updated_at"},
    # Companion orders at Amazon (MCF): ids, SKUs, quantities, statuses, Amazon's messages (cut
    # free of the address by the client), carriers and tracking numbers; never an address or a
    # proof-of-delivery link.
    "companion_orders": {"order_id", "batch", "seller_fulfillment_order_id", "items",
                         "order_item_ids", "displayable_date", "state", "attempt",
                         "amazon_status", "message", "packages", "held_since", "warned_at",
                         "retries_seen", "polled_at", "created_at", "updated_at"},
    # What the store keeps of each order to answer without reading its history: flags, a time.
    "order_summary": {"order_id", "ready", "purgeable", "closed_at"},
}  # fmt: skip
_CLEARED = {"items": {"zip_path": "", "digest": ""}, "jobs": {"hot_paths": "[]"}}


@dataclass(frozen=True, slots=True)
class Finding:
    """One leftover: where it is, whose it is (None: no known order), and why it counts."""

    where: str
    order_id: str | None
    what: str

    def line(self) -> str:
        whose = f"order {self.order_id}" if self.order_id else "no known order"
        return f"{self.where}: {whose}: {self.what}"


@dataclass(frozen=True, slots=True)
class AuditReport:
    shipped: int  # orders whose buyer data must be gone: shipped ones
    cancelled: int  # and cancelled ones (never fulfilled, their data goes all the same)
    findings: tuple[Finding, ...]

    @property
    def orders(self) -> int:
        return self.shipped + self.cancelled

    @property
    def clean(self) -> bool:
        return not self.findings

    def lines(self) -> list[str]:
        if self.clean:
            counted = f"{self.shipped} shipped"
            if self.cancelled:
                counted += f" and {self.cancelled} cancelled"
            return [f"no buyer data of {counted} orders found"]
        return [finding.line() for finding in self.findings]


def audit(
    settings: Settings,
    store: JobStore,
    *,
    logs: Sequence[Path] = (),
    now: datetime | None = None,
) -> AuditReport:
    """Look for leftovers of purged (or overdue) orders in the shop's folders, the store's
    tables (every row, as the store keeps it) and `logs`."""
    moment = now or datetime.now(UTC)
    items = store.items()
    jobs = store.jobs()
    purged: dict[str, bool] = {}
    for job in jobs:
        purged[job.order_id] = purged.get(job.order_id, True) and job.state is JobState.PURGED
    days = settings.shop.retention_days
    overdue = store.orders_to_purge(closed_before=moment - timedelta(days=days))
    checked = {order for order, done in purged.items() if done} | set(overdue)
    item_ids: dict[str, list[str]] = {}
    for item in items:
        item_ids.setdefault(item.order_id, []).append(item.order_item_id)
    ids = Ids(owners((order, item_ids.get(order, [])) for order in checked))
    known = Ids(owners(item_ids.items()))

    places = Places.of(settings)
    findings = [
        Finding("job store", order, f"shipped or cancelled over {days} days ago and not purged")
        for order in overdue
    ]
    findings += _store_findings(store, checked, ids)
    backups = store_backups(settings).backups()
    findings += _backup_findings(backups, checked, ids)
    findings += _file_findings(places, [Path(store.location), *backups], ids, known)
    findings += _log_findings(logs)
    cancelled = {order for order in checked if _was_cancelled(store, order)}
    return AuditReport(len(checked - cancelled), len(cancelled), tuple(findings))


def _was_cancelled(store: JobStore, order_id: str) -> bool:
    """An order none of whose jobs ever shipped: every one was cancelled before it went."""
    trail = store.audit(order_id=order_id)
    return not any(entry.to_state is JobState.SHIPPED for entry in trail) and any(
        entry.to_state is JobState.CANCELLED for entry in trail
    )


# -- files ------------------------------------------------------------------------------------


def _file_findings(
    places: Places, store_files: Sequence[Path], ids: Ids, known: Ids
) -> Iterator[Finding]:
    # The store's own files (and its copies) hold ids by design; their tables are checked
    # column by column.
    skip = {
        os.path.realpath(f"{file}{suffix}") for file in store_files for suffix in _STORE_SUFFIXES
    }
    working = [Path(os.path.realpath(folder)) for folder in places.working()]
    seen: set[str] = set()
    for root in places.roots():
        for path in files_under(root, recursive=True):
            real = os.path.realpath(path) if not path.is_symlink() else str(path.absolute())
            if real in seen or real in skip:
                continue
            seen.add(real)
            try:
                found = _orders_in_file(path, ids)
            except OSError as exc:
                yield Finding(str(path), None, f"cannot be read ({exc.strerror or exc})")
                continue
            for order, what in found.items():
                yield Finding(str(path), order, what)
            if not found and _unowned(path, Path(real), working, known):
                yield Finding(str(path), None, "belongs to no order item in the job store")


def _unowned(path: Path, real: Path, working: list[Path], known: Ids) -> bool:
    """A file in the daemon's working folders that names no item or order the store knows."""
    if not any(real.is_relative_to(folder) for folder in working):
        return False
    return not known.in_name(path.name) and not _zip_names(path, known)


def _orders_in_file(path: Path, ids: Ids) -> dict[str, str]:
    """order id → why the file counts as its buyer data (the first reason found); `OSError`
    if it cannot be read."""
    found: dict[str, str] = {}

    def note(orders: Iterable[str], what: str) -> None:
        for order in orders:
            found.setdefault(order, what)

    note(ids.in_name(path.name), "its name names the order")
    if not ids or path.is_symlink():
        return found  # a link's target is not ours to read
    if is_zip(path):
        note(_zip_orders(path, ids), "a zip whose members name the order")
    with path.open("rb") as handle:
        pdf = handle.read(5) == b"%PDF-"
    if pdf:
        note(_pdf_info_orders(path, ids), "a PDF whose title or subject names the order")
    note(ids.in_file(path), "its bytes name the order")
    return found


def _zip_names(path: Path, ids: Ids) -> set[str]:
    return ids.in_name("\n".join(zip_member_names(path))) if is_zip(path) else set()


def _zip_orders(path: Path, ids: Ids) -> set[str]:
    found = _zip_names(path, ids)
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.filename.lower().endswith(_TEXT_MEMBERS):
                    with archive.open(info) as member:
                        found |= ids.find(member.read(_MEMBER_LIMIT))
    except (OSError, zipfile.BadZipFile, ValueError, EOFError, RuntimeError, NotImplementedError):
        pass  # a broken or encrypted zip: its bytes are still searched
    return found


def _pdf_info_orders(path: Path, ids: Ids) -> set[str]:
    found: set[str] = set()
    try:
        with pikepdf.open(path) as pdf:
            for key in ("/Title", "/Subject"):
                value = pdf.docinfo.get(key)
                if value is not None:
                    found |= ids.in_name(str(value))
    except (pikepdf.PdfError, OSError, ValueError):
        pass  # not a PDF pikepdf can read: its bytes are still searched
    return found


# -- the store ---------------------------------------------------------------------------------


def _store_findings(store: JobStore, checked: set[str], ids: Ids) -> Iterator[Finding]:
    if not checked:
        return
    for table, row in store.table_rows():
        yield from _row_findings(store.location, table, row, checked, ids)


def _backup_findings(backups: Sequence[Path], checked: set[str], ids: Ids) -> Iterator[Finding]:
    """A daily copy of the store must have forgotten what the store has (its tables, as the
    store's own); one it cannot read is a finding too: nobody can say what it holds."""
    if not checked:
        return
    for backup in backups:
        try:
            for table, row in file_rows(backup):
                yield from _row_findings(str(backup), table, row, checked, ids)
        except sqlite3.Error as exc:
            yield Finding(str(backup), None, f"a backup of the store that cannot be read ({exc})")


def _row_findings(
    where: str, table: str, row: dict[str, object], checked: set[str], ids: Ids
) -> Iterator[Finding]:
    order = row.get("order_id")
    if table not in _KEPT:
        # A table the audit does not know: it counts if anything in it names such an order.
        named = set().union(*(ids.in_name(str(v)) for v in row.values() if v is not None))
        for found in sorted(named):
            yield Finding(f"{where} {table}", found, "a row of this table names the order")
        return
    if order not in checked:
        return
    subject = (
        row.get("order_item_id")
        or row.get("job_id")
        or row.get("seller_fulfillment_order_id")
        or ""
    )
    for column, value in row.items():
        if column in _KEPT[table]:
            continue
        cleared = _CLEARED.get(table, {}).get(column)
        if value is None or value == "" or value == cleared:
            continue
        what = "still set" if cleared is not None else "a column not known to be free of it"
        yield Finding(f"{where} {table}.{column}", str(order), f"{what} ({subject})")


# -- logs --------------------------------------------------------------------------------------


def _log_findings(logs: Sequence[Path]) -> Iterator[Finding]:
    for log in logs:
        try:
            lines = log.read_bytes().splitlines()
        except OSError as exc:
            yield Finding(str(log), None, f"cannot be read ({exc.strerror or exc})")
            continue
        for number, line in enumerate(lines, start=1):
            if line.strip() and not _is_event(line):
                yield Finding(
                    f"{log} line {number}", None, "not one of the daemon's JSON events (not shown)"
                )


def _is_event(line: bytes) -> bool:
    try:
        event = json.loads(line)
    except ValueError:
        return False
    return isinstance(event, dict) and "time" in event and "state" in event
