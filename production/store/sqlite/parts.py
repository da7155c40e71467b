"""What the SQLite store's mixins (shipments, purge, companions, order queries) use of it.

Each mixin holds the methods of one concern; `SqliteStore` provides the transactions and the
one way a job's state changes (`_change`, which checks the state table and writes the audit
row), declared here once for all of them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection, Sequence
from contextlib import AbstractContextManager

from production.store.records import Approval, JobRecord, JobState

__all__ = ["StoreParts", "Transaction"]

Transaction = Callable[..., AbstractContextManager[sqlite3.Connection]]


class StoreParts:
    _transaction: Transaction  # a write transaction (BEGIN IMMEDIATE … COMMIT)
    _read: Transaction  # a read under the store's lock

    def _change(  # provided by SqliteStore
        self,
        db: sqlite3.Connection,
        job: JobRecord,
        to: JobState,
        *,
        reason: str,
        cause: str | None = None,
        expect: Collection[JobState] | None = None,
        hot_paths: Sequence[str] | None = None,
        expect_cause: Collection[str] | None = None,
        approval: Approval | None = None,
    ) -> JobRecord:
        raise NotImplementedError
