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
from production.store.sqlite.store import SqliteStore

__all__ = ["STORE_FILE", "open_store", "open_store_in", "store_file"]

STORE_FILE = "jobs.sqlite3"


def store_file(data_dir: Path) -> Path:
    """Where the store of a shop whose data folder is `data_dir` keeps its data."""
    return data_dir / STORE_FILE


def open_store(settings: Settings, *, clock: Callable[[], datetime] = utc_now) -> JobStore:
    """The shop's job store, created on first use."""
    return open_store_in(settings.shop.data_dir, clock=clock)


def open_store_in(data_dir: Path, *, clock: Callable[[], datetime] = utc_now) -> JobStore:
    """The job store in the data folder `data_dir` (tools and tests that have no settings)."""
    return SqliteStore(store_file(data_dir), clock=clock)
