"""Whether the daemon may trust its job store: whole, writable, and the shop's own.

A damaged store lets a daemon start and then fails every state change; a read-only one fails at
the first zip; a missing one is silently made anew. Made anew is right for a new shop and wrong
for one whose data folder was deleted or replaced (a disk swapped, a backup restored over the
wrong folder): the new store knows none of the jobs already delivered, never purges their files,
and delivers again every zip it is given again. So a missing store is refused when the shop
shows signs of having run before: its backups, zips or print files in the data folder, or job
tickets in a printer's hot or done folder. Each refusal says what to do.
"""

from __future__ import annotations

import os
from pathlib import Path

from printers.tickets import JobTicket
from production.config.settings import Settings
from production.core.errors import ProductionError, StoreError
from production.core.stems import TICKET_SUFFIX
from production.floor.folders import Folders
from production.store import JobStore
from production.store.factory import store_file, store_file_problems

__all__ = ["check_before_start", "check_opened", "earlier_shop", "refusal", "what_to_do"]

_TICKETS_LOOKED_AT = 20  # per folder: a done folder may hold years of files


def what_to_do(settings: Settings, *, check: bool = True) -> str:
    """The advice every refusal ends with; `check`: beginning with `production store check`."""
    config = settings.root
    backups = Folders(settings.shop.data_dir).backups
    restore = (
        f"restore the newest good backup (daily ones are in {backups}, or a copy of your own) "
        f"with `production store restore --config {config} BACKUP`"
    )
    if not check:
        return restore[0].upper() + restore[1:]
    return f"run `production store check --config {config}` for the details, then {restore}"


def check_before_start(settings: Settings) -> None:
    """`StoreError` if the store file is damaged, or missing from a shop that has run before."""
    path = store_file(settings.shop.data_dir)
    if not path.exists():
        if signs := earlier_shop(settings):
            raise StoreError(
                f"the job store is missing but {'; '.join(signs)}: the data folder was "
                "replaced or emptied, and a new store would deliver again what was delivered "
                f"before. Not starting: {what_to_do(settings)} (a shop that starts afresh on "
                "purpose moves those files away first)",
                source=str(path),
            )
        return
    if problems := store_file_problems(settings.shop.data_dir):
        raise StoreError(
            f"the job store is damaged ({problems[0]}). Not starting: {what_to_do(settings)}",
            source=str(path),
        )


def check_opened(settings: Settings, store: JobStore) -> None:
    """`StoreError` if the store that was just opened cannot record a change."""
    try:
        store.check_writable()
    except StoreError as exc:
        raise refusal(settings, exc) from exc


def refusal(settings: Settings, exc: StoreError) -> StoreError:
    """The daemon's refusal to start on a store that failed to open or to take a change."""
    hint = " (a read-only file, folder or disk?)" if "cannot be written" in exc.message else ""
    return StoreError(
        f"{exc.message}{hint}. Not starting: {what_to_do(settings)}",
        source=exc.source or str(store_file(settings.shop.data_dir)),
    )


def earlier_shop(settings: Settings) -> list[str]:
    """Signs that a daemon has run on this shop before, one phrase each; [] for a new shop."""
    folders = Folders(settings.shop.data_dir)
    signs = []
    for folder, what, pattern in (
        (folders.backups, "backups of the store", "*.sqlite3"),
        (folders.zips, "order zips", "*.zip"),
        (folders.masters, "print files", "*.pdf"),
    ):
        if any(folder.glob(pattern)):
            signs.append(f"{folder} holds {what}")
    for printer in settings.printers.values():
        places: list[tuple[str, Path | None]] = [
            ("hot", printer.hot_folder),
            ("done", printer.done_folder),
        ]
        for what, place in places:
            if place is not None and _holds_a_ticket(place):
                signs.append(f"the {what} folder of printer '{printer.id}' holds its job tickets")
    return signs


def _holds_a_ticket(folder: Path) -> bool:
    """A job ticket this program wrote (a RIP's own JSON files do not count)."""
    looked = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return False
    for entry in entries:
        if not entry.name.endswith(TICKET_SUFFIX) or not entry.is_file(follow_symlinks=False):
            continue
        looked += 1
        try:
            with Path(entry.path).open("rb") as handle:
                JobTicket.from_json(handle.read(1024 * 1024))
        except (OSError, ProductionError, ValueError):
            pass
        else:
            return True
        if looked >= _TICKETS_LOOKED_AT:
            return False
    return False
