"""Deleting a buyer's data once their order is done with: `[shop] retention_days` after it.

An order is done with when every job of it is shipped or cancelled. Then its zip, the master
PDFs and tickets, the desk's proofs and every copy in the printers' hot and done folders are
deleted, and the store forgets what was derived from the zip (its path and digest); what stays
is what the shop must keep to answer for the order: order and item ids, SKU, quantities, every
state change with its time and reason, and the shipments with their tracking numbers.

Cancelled orders are purged like shipped ones, counted from the cancellation: a cancelled order
is never fulfilled, so nothing justifies keeping its buyer's data once it is certain that it
will not be (Amazon allows buyer data only for as long as fulfilment needs it). The same
retention period leaves the shop time to notice a cancellation made by mistake.

A purge deletes the files first and records it in the store last, in one transaction. A crash
in between leaves the order due: the next purge finds what is left by name (every such file is
named after the order or its item) and finishes. Repeating a finished purge changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from production.config.settings import Settings
from production.core.errors import ProductionError, RetentionError
from production.core.files import remove_files
from production.floor.events import EventLog
from production.retention.buyerfiles import (
    Ids,
    Places,
    files_under,
    is_zip,
    owners,
    zip_member_names,
)
from production.store import ItemRecord, JobRecord, JobState, JobStore
from production.store.factory import store_backups
from production.store.states import PURGEABLE_STATES

__all__ = ["DEFAULT_RETRY_SECONDS", "PurgePlan", "PurgeResult", "Retention"]

DEFAULT_RETRY_SECONDS = 300.0
"""An order whose purge failed (a file that cannot be deleted) is tried again after this long."""

_REASON_FILE = ".reason.txt"  # what `Inbox.reject` writes beside a refused file


@dataclass(frozen=True, slots=True)
class PurgePlan:
    """What purging one order deletes and changes."""

    order_id: str
    items: tuple[str, ...]  # order item ids: their zip paths and digests are cleared
    jobs: tuple[str, ...]  # job ids that become purged
    files: tuple[Path, ...]  # files to delete, each in one of the shop's folders


@dataclass(frozen=True, slots=True)
class PurgeResult:
    plan: PurgePlan
    removed: tuple[Path, ...]  # files that were there and are gone; () for a dry run
    purged: tuple[str, ...]  # jobs this purge moved to PURGED; () for a dry run


class Retention:
    """Finds the orders whose buyer data is due for deletion and deletes it."""

    def __init__(
        self,
        settings: Settings,
        store: JobStore,
        *,
        log: EventLog | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
        retry_seconds: float = DEFAULT_RETRY_SECONDS,
    ) -> None:
        self.settings = settings
        self.store = store
        self.places = Places.of(settings)
        self.log = log
        self.clock = clock
        self.monotonic = monotonic
        self.retry_seconds = retry_seconds
        self._failed: dict[str, float] = {}  # order id -> when its purge last failed

    def reconfigure(self, settings: Settings) -> None:
        """Go on with re-read settings (retention days, the printers' folders)."""
        self.settings = settings
        self.places = Places.of(settings)

    @property
    def days(self) -> int:
        return self.settings.shop.retention_days

    def announce(self) -> None:
        """Say at start what the shop's retention means for reprints, when it is surprising."""
        if self.days == 0 and self.log is not None:
            self.log({
                "time": self.clock().isoformat(timespec="milliseconds"),
                "state": "retention",
                "level": "warning",
                "days": 0,
                "reason": "retention_days = 0: an order's zip and print files are deleted as "
                          "soon as it ships, so a reprint needs its zip downloaded again from "
                          "Seller Central; set [shop] retention_days in shop.toml to keep them",
            })  # fmt: skip

    def due(self, now: datetime | None = None) -> list[str]:
        """Orders shipped or cancelled at least `retention_days` before `now`, not yet purged."""
        moment = self.clock() if now is None else now
        return self.store.orders_to_purge(closed_before=moment - timedelta(days=self.days))

    def plan(self, order_ids: Sequence[str]) -> list[PurgePlan]:
        """What purging each order would do; `RetentionError` if one is not done with."""
        return self._plans({order_id: self._closed(order_id) for order_id in order_ids})

    def purge(
        self, order_ids: Sequence[str], *, dry_run: bool = False, reason: str | None = None
    ) -> list[PurgeResult]:
        """Delete the buyer data of the given (shipped or cancelled) orders; or, with `dry_run`,
        only say what would be deleted."""
        plans = self.plan(order_ids)
        if dry_run:
            return [PurgeResult(plan, (), ()) for plan in plans]
        results = [self._execute(plan, reason or self._reason()) for plan in plans]
        store_backups(self.settings).scrub([plan.order_id for plan in plans])
        return results

    def purge_due(self) -> int:
        """Purge what is due now, for the daemon's pass: the number of orders purged.

        One order's failure is logged and tried again after `retry_seconds`; the others go on.
        """
        now = self.monotonic()
        due = [
            order_id
            for order_id in self.due()
            if now - self._failed.get(order_id, -self.retry_seconds) >= self.retry_seconds
        ]
        orders = {}
        for order_id in due:
            try:
                orders[order_id] = self._closed(order_id)
            except Exception as exc:  # noqa: BLE001 - the floor goes on; tried again later
                self._failed[order_id] = now
                self._error(order_id, exc)
        purged: list[str] = []
        for plan in self._plans(orders) if orders else []:
            try:
                self._execute(plan, self._reason())
            except Exception as exc:  # noqa: BLE001 - one stuck order must not keep the rest
                self._failed[plan.order_id] = now
                self._error(plan.order_id, exc)
            else:
                self._failed.pop(plan.order_id, None)
                purged.append(plan.order_id)
        if purged:
            self._scrub_backups(purged)
        return len(purged)

    # -- inside -----------------------------------------------------------------------------

    def _plans(
        self, orders: dict[str, tuple[list[ItemRecord], list[JobRecord]]]
    ) -> list[PurgePlan]:
        found = self._files(orders)  # one look through the folders for every order
        plans = []
        for order_id, (items, jobs) in orders.items():
            files = dict.fromkeys(found.get(order_id, []))
            for path in _recorded_paths(items, jobs):
                if (path.is_symlink() or path.is_file()) and self.places.contains(path):
                    files[path] = None
            plans.append(
                PurgePlan(
                    order_id=order_id,
                    items=tuple(item.order_item_id for item in items),
                    jobs=tuple(job.job_id for job in jobs if job.state in PURGEABLE_STATES),
                    files=tuple(files),
                )
            )
        return plans

    def _closed(self, order_id: str) -> tuple[list[ItemRecord], list[JobRecord]]:
        items = self.store.items(order_id=order_id)
        if not items:
            raise RetentionError("no such order in the job store", order_id=order_id)
        jobs = self.store.jobs(order_id=order_id)
        done = {*PURGEABLE_STATES, JobState.PURGED}
        open_jobs = [job for job in jobs if job.state not in done]
        if open_jobs:
            listed = ", ".join(f"{job.job_id} ({job.state})" for job in open_jobs[:5])
            raise RetentionError(f"not shipped or cancelled yet: {listed}", order_id=order_id)
        planned = {job.order_item_id for job in jobs}
        waiting = [item.order_item_id for item in items if item.order_item_id not in planned]
        if waiting:
            raise RetentionError(f"item {', '.join(waiting)} has no job yet", order_id=order_id)
        return items, jobs

    def _files(
        self, orders: dict[str, tuple[list[ItemRecord], list[JobRecord]]]
    ) -> dict[str, list[Path]]:
        """order id → its files in the shop's folders, found by name (zips also by members)."""
        ids = Ids(owners((o, [i.order_item_id for i in items]) for o, (items, _) in orders.items()))
        found: dict[str, list[Path]] = {}
        for folder, recursive in self.places.purge_roots():
            by_members = folder in (self.places.folders.claimed, self.places.rejected)
            for path in files_under(folder, recursive=recursive):
                named = ids.in_name(path.name)
                if not named and by_members and is_zip(path):
                    named = ids.in_name("\n".join(zip_member_names(path)))
                for order_id in named:
                    found.setdefault(order_id, []).append(path)
                    reason = path.with_name(path.name + _REASON_FILE)
                    if folder == self.places.rejected and reason.is_file():
                        found[order_id].append(reason)
        return found

    def _execute(self, plan: PurgePlan, reason: str) -> PurgeResult:
        removed = remove_files(plan.files)  # first: a crash after this leaves the order due
        purged = self.store.purge_order(plan.order_id, reason=reason)
        result = PurgeResult(plan, tuple(removed), tuple(job.job_id for job in purged))
        if self.log is not None:
            self.log(
                {
                    "time": _stamp(self.clock()),
                    "order": plan.order_id,
                    "state": "purged",
                    "items": len(plan.items),
                    "jobs": len(result.purged),
                    "files": len(removed),
                }
            )
        return result

    def _scrub_backups(self, order_ids: Sequence[str]) -> None:
        """The store's daily copies forget what the store has just forgotten."""
        try:
            store_backups(self.settings).scrub(order_ids)
        except Exception as exc:  # noqa: BLE001 - the next purge or daily copy tries again
            self._error(None, exc)

    def _reason(self) -> str:
        days = "day" if self.days == 1 else "days"
        return f"buyer data deleted (retention {self.days} {days})"

    def _error(self, order_id: str | None, exc: Exception) -> None:
        if self.log is None:
            return
        if isinstance(exc, ProductionError):
            reason = exc.message
        elif isinstance(exc, OSError):
            reason = f"cannot delete a file ({exc.strerror or type(exc).__name__})"
        else:  # a bug: its text might quote anything, so only its type
            reason = f"internal error ({type(exc).__name__})"
        self.log(
            {
                "time": _stamp(self.clock()),
                "order": order_id,
                "state": "error",
                "cause": "retention",
                "reason": reason,
            }
        )


def _recorded_paths(items: Iterable[ItemRecord], jobs: Iterable[JobRecord]) -> list[Path]:
    """Files the store names: the items' zips, the jobs' delivered files."""
    paths = [Path(item.zip_path) for item in items if item.zip_path]
    paths += [Path(path) for job in jobs for path in job.hot_paths]
    return paths


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")
