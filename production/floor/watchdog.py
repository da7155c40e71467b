"""Noticing that the data folder or the store file went away under a running daemon.

SQLite keeps writing to a file that was deleted (`rm -rf data/`) or renamed away: every change
succeeds, into a file nobody will open again. After a restart the new store knows none of it,
never purges the files delivered meanwhile, and delivers again what it is given again. So the
daemon compares, before every pass, the folder and the file with the ones it opened (device and
inode), and stops with one line when either is gone or is another one.
"""

from __future__ import annotations

from pathlib import Path

from production.core.errors import DataFolderGoneError

__all__ = ["DataFolderWatch"]


class DataFolderWatch:
    """Call it: `DataFolderGoneError` if `data_dir` or `store` is not what it was at the start."""

    def __init__(self, data_dir: Path, store: Path) -> None:
        self.data_dir = data_dir
        self.store = store
        self._ids = {path: _identity(path) for path in (data_dir, store)}

    def __call__(self) -> None:
        for path, identity in self._ids.items():
            now = _identity(path)
            if now == identity:
                continue
            what = "was deleted" if now is None else "was replaced by another one"
            kind = "data folder" if path == self.data_dir else "job store"
            raise DataFolderGoneError(
                f"the {kind} {path} {what} while the daemon ran: stopped, so that nothing is "
                "recorded where nobody will read it. Put the data folder back (or restore the "
                "store: `production store restore BACKUP`) before starting again",
                source=str(path),
            )


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_dev, stat.st_ino
