"""Daily copies of the SQLite job store in `data_dir/backups/`, purged of buyer data like it.

A copy is taken with SQLite's online backup API through its own connection: a consistent
snapshot (the write-ahead log included) while the daemon goes on writing. It is written under a
hidden `.part` name, switched to a single file (rollback journal, not WAL) and renamed into
place, so a half-written copy never counts; the newest `kept` are kept.

A copy holds what the store held that day, also the zip paths, digests and delivered files of
orders purged since. The store forgets those when it purges an order, and so must its copies:
after every purge, and before every new copy, each copy is scrubbed of the same columns of every
order the store has purged (the store itself is read through a read-only ATTACH), with
`secure_delete` on, so the old values are overwritten, not left in free pages.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import closing, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path

from production.core.clock import utc_now
from production.core.errors import StoreError
from production.core.files import remove_partial_files

__all__ = ["BACKUP_INTERVAL", "RETRY_AFTER", "StoreBackups", "copy_store"]

BACKUP_INTERVAL = timedelta(days=1)
RETRY_AFTER = timedelta(hours=1)  # after a copy failed
_PREFIX, _SUFFIX, _STAMP = "jobs-", ".sqlite3", "%Y%m%dT%H%M%SZ"

# The orders the live store has purged: it has jobs of them, and every one is purged.
_PURGED = (
    "EXISTS (SELECT 1 FROM live.jobs j WHERE j.order_id = {t}.order_id)"
    " AND NOT EXISTS (SELECT 1 FROM live.jobs j WHERE j.order_id = {t}.order_id"
    " AND j.state != 'purged')"
)
# What `purge_order` clears (see sqlite/purge.py), for those orders.
_SCRUB = (
    "UPDATE items SET zip_path = '', digest = '' WHERE (zip_path != '' OR digest != '') AND "
    + _PURGED.format(t="items"),
    "UPDATE jobs SET hot_paths = '[]' WHERE hot_paths != '[]' AND " + _PURGED.format(t="jobs"),
)


class StoreBackups:
    """The store file `store`'s copies in `folder`: taken when due, pruned, scrubbed."""

    def __init__(
        self,
        store: Path,
        folder: Path,
        *,
        kept: int,
        clock: Callable[[], datetime] = utc_now,
        interval: timedelta = BACKUP_INTERVAL,
    ) -> None:
        self.store = store
        self.folder = folder
        self.kept = kept
        self.clock = clock
        self.interval = interval
        self._failed_at: datetime | None = None

    def backups(self) -> list[Path]:
        """The copies, newest first."""
        if not self.folder.is_dir():
            return []
        found = [path for path in self.folder.iterdir() if _taken_at(path) is not None]
        return sorted(found, key=lambda path: path.name, reverse=True)

    def due(self) -> bool:
        if self.kept == 0:
            return False
        newest = next(iter(self.backups()), None)
        taken = None if newest is None else _taken_at(newest)
        return taken is None or self.clock() - taken >= self.interval

    def step(self) -> int:
        """For the daemon's pass: a copy if one is due (1), else nothing (0).

        A copy that fails (a full disk) raises once, and is tried again after `RETRY_AFTER`.
        """
        if self._failed_at is not None and self.clock() - self._failed_at < RETRY_AFTER:
            return 0
        if not self.due():
            return 0
        try:
            self.take()
        except (StoreError, OSError):
            self._failed_at = self.clock()
            raise
        self._failed_at = None
        return 1

    def take(self) -> Path:
        """A copy of the store now; older copies beyond `kept` are deleted."""
        self.scrub()  # a crash after a purge may have left one unscrubbed: scrubbed now
        self.folder.mkdir(parents=True, exist_ok=True)
        remove_partial_files(self.folder)  # a copy a crash cut short holds buyer data too
        target = self.folder / f"{_PREFIX}{self.clock().astimezone(UTC).strftime(_STAMP)}{_SUFFIX}"
        copy_store(self.store, target)
        for old in self.backups()[max(self.kept, 1) :]:
            old.unlink(missing_ok=True)
        return target

    def scrub(self, order_ids: Sequence[str] | None = None) -> int:
        """Clear in every copy what the store has cleared of the orders it purged (of those in
        `order_ids`, when given: the ones just purged); the rows changed."""
        changed = 0
        live = f"{self.store.absolute().as_uri()}?mode=ro"
        only, args = "", tuple(order_ids or ())
        if order_ids is not None:
            if not order_ids:
                return 0
            only = f" AND order_id IN ({', '.join('?' for _ in order_ids)})"
        for path in self.backups():
            try:
                with closing(sqlite3.connect(path.absolute().as_uri(), uri=True)) as db:
                    db.isolation_level = None
                    db.execute("PRAGMA secure_delete = ON")
                    db.execute("ATTACH DATABASE ? AS live", (live,))
                    db.execute("BEGIN IMMEDIATE")
                    for statement in _SCRUB:
                        changed += db.execute(statement + only, args).rowcount
                    db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise StoreError(f"cannot purge a backup: {exc}", source=str(path)) from exc
        return changed


def copy_store(source: Path, target: Path) -> None:
    """Copy the SQLite file `source` (in use or not) to `target` as one self-contained file."""
    part = target.with_name(f".{target.name}.part")
    part.unlink(missing_ok=True)
    try:
        with (
            closing(sqlite3.connect(f"{source.absolute().as_uri()}?mode=ro", uri=True)) as src,
            closing(sqlite3.connect(part)) as dst,
        ):
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")  # one file: the copy is whole as it is
        with part.open("rb") as handle:
            os.fsync(handle.fileno())
        part.replace(target)
    except sqlite3.Error as exc:
        with suppress(OSError):
            part.unlink()
        raise StoreError(f"cannot copy the job store: {exc}", source=str(source)) from exc
    except BaseException:
        with suppress(OSError):
            part.unlink()
        raise


def _taken_at(path: Path) -> datetime | None:
    name = path.name
    if not (name.startswith(_PREFIX) and name.endswith(_SUFFIX)):
        return None
    try:
        stamp = name.removeprefix(_PREFIX).removesuffix(_SUFFIX)
        return datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None
