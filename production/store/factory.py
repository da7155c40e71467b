"""The one place a job store is opened: every other part asks for a `JobStore` and gets one.

The shop's store lives in its data folder (`jobs.sqlite3`, SQLite in WAL mode). A second
backend (PostgreSQL for a shop with several stations) is chosen here, from the configuration,
and nothing above this module changes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from production.config.settings import Settings
from production.core.clock import utc_now
from production.store.base import JobStore
from production.store.sqlite.backups import StoreBackups
from production.store.sqlite.health import store_problems
from production.store.sqlite.store import SqliteStore

__all__ = [
    "BACKUPS_FOLDER",
    "STORE_FILE",
    "open_store",
    "open_store_in",
    "store_backups",
    "store_file",
    "store_file_problems",
]

STORE_FILE = "jobs.sqlite3"
BACKUPS_FOLDER = "backups"  # in the data folder: the store's daily copies


def store_file(data_dir: Path) -> Path:
    """Where the store of a shop whose data folder is `data_dir` keeps its data."""
    return data_dir / STORE_FILE


def open_store(settings: Settings, *, clock: Callable[[], datetime] = utc_now) -> JobStore:
    """The shop's job store, created on first use."""
    return open_store_in(settings.shop.data_dir, clock=clock)


def open_store_in(data_dir: Path, *, clock: Callable[[], datetime] = utc_now) -> JobStore:
    """The job store in the data folder `data_dir` (tools and tests that have no settings)."""
    return SqliteStore(store_file(data_dir), clock=clock)


def store_file_problems(data_dir: Path, *, full: bool = False) -> list[str]:
    """What is wrong with the store file in `data_dir` before it is opened; [] if it is whole.

    `full`: every index checked against its table too (slower; the audit and `store check`).
    """
    return store_problems(store_file(data_dir), full=full)


def store_backups(settings: Settings, *, clock: Callable[[], datetime] = utc_now) -> StoreBackups:
    """The daily copies of the shop's store, `[shop] backups_kept` of them."""
    data_dir = settings.shop.data_dir
    return StoreBackups(
        store_file(data_dir), data_dir / BACKUPS_FOLDER, kept=settings.shop.backups_kept,
        clock=clock,
    )  # fmt: skip
