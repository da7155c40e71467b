"""Is a SQLite store file whole, and can it be written? Asked before a daemon trusts it.

SQLite opens a damaged file without a word and fails at the first page it cannot read, which
may be the first state change of the day; a file the process may not write is opened read-only
and fails at the first write, the first zip. These checks ask at once: SQLite's own
`quick_check` (at start; it reads every page, in about a second per GB) or `integrity_check`
(the audit and `production store check`: also every index against its table), and a write that
is rolled back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

__all__ = ["MAX_PROBLEMS", "file_rows", "store_problems", "write_problem"]

MAX_PROBLEMS = 10  # lines of SQLite's report kept: enough to see what is wrong, not a flood


def store_problems(path: Path, *, full: bool = False) -> list[str]:
    """What SQLite finds wrong with the store file at `path`; [] if it is whole.

    Read through its own read-only connection, so a check never changes or locks the file.
    `full`: `integrity_check` (indexes too) instead of `quick_check`.
    """
    check = "integrity_check" if full else "quick_check"
    try:
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as exc:
        return [f"cannot be opened ({exc})"]
    try:
        rows = db.execute(f"PRAGMA {check}({MAX_PROBLEMS})").fetchall()
    except sqlite3.Error as exc:
        return [str(exc)]  # "file is not a database", "database disk image is malformed"
    finally:
        db.close()
    lines = [_one_line(str(row[0])) for row in rows]
    return [] if lines == ["ok"] else [line for line in lines if line]


def _one_line(report: str) -> str:
    # SQLite heads a report with "*** in database main ***" and a newline: one line per problem.
    kept = [line.strip() for line in report.splitlines() if not line.startswith("*** in database")]
    return " ".join(line for line in kept if line)


def write_problem(db: sqlite3.Connection) -> str | None:
    """Why `db` cannot be written (SQLite's words), or None; nothing is changed either way.

    A file the process may not write (read-only disk, immutable, another owner) is opened
    read-only without an error: only a write tells. The write is rolled back.
    """
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        return str(exc)
    try:
        db.execute(
            "INSERT INTO meta (key, value) VALUES ('write check', '')"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        )
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        if db.in_transaction:
            db.execute("ROLLBACK")
    return None


def file_rows(path: Path) -> Iterator[tuple[str, dict[str, object]]]:
    """Every row of every table of the SQLite file `path` as (table, column → value).

    Its own read-only connection: the audit must neither change nor lock the daemon's.
    """
    db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=5)
    try:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        for table in tables:
            columns = [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]
            for row in db.execute(f'SELECT * FROM "{table}"'):
                yield table, dict(zip(columns, row, strict=True))
    finally:
        db.close()
