"""One daemon per shop: an exclusive lock on the data folder, held for the daemon's whole life.

Two daemons on one data folder race for every zip (one renames a file the other has just
claimed) and lose jobs. `production run` takes this lock before it touches anything; a second
one finds it held and stops at once. The lock is `flock` on `data_dir/daemon.lock`: the kernel
drops it when the process ends in any way, kill -9 and power cuts included, so a stale lock
never keeps a shop from starting. The file holds the pid of its holder for the message only;
the lock itself, not the file's presence or its content, says whether a daemon runs.

The descriptor is not inheritable: render workers (spawned from a fork server that execs)
and other children never hold the lock, so it ends with the daemon itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path
from types import TracebackType

from production.core.errors import ConfigError, DaemonRunningError
from production.floor.folders import Folders

__all__ = ["DataFolderLock"]

# A daemon that has just taken the lock writes its pid a moment later: a second one waits for
# it this long before it says "pid unknown" (only a daemon stuck between the two waits so).
_PID_WAIT_SECONDS = 2.0
_PID_POLL_SECONDS = 0.02


class DataFolderLock:
    """The data folder of one daemon; `acquire()` or `with`: held until `release()` or exit."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.path = Folders(data_dir).lock
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> DataFolderLock:
        """Take the lock, or raise `DaemonRunningError` naming the daemon that holds it.

        Nothing is changed when the lock is held elsewhere: the file is opened without
        truncating it, and written only once it is ours.
        """
        if self._fd is not None:
            return self
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise ConfigError(
                f"cannot create or lock the data folder ({exc.strerror or exc})",
                source=str(self.data_dir),
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _holder(fd)
            os.close(fd)
            who = f"pid {pid}" if pid is not None else "pid unknown"
            raise DaemonRunningError(
                f"another daemon ({who}) is running on {self.data_dir}", pid=pid
            ) from None
        except BaseException:
            os.close(fd)
            raise
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except BaseException:
            os.close(fd)  # closing the descriptor releases the lock
            raise
        self._fd = fd
        return self

    def release(self) -> None:
        """Let another daemon start (the kernel does the same when the process ends)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)  # no stale pid for a reader: the lock is what counts
        os.close(fd)

    def __enter__(self) -> DataFolderLock:
        return self.acquire()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def _holder(fd: int) -> int | None:
    """The pid the holder wrote, waiting briefly for a holder that has only just locked."""
    deadline = time.monotonic() + _PID_WAIT_SECONDS
    while True:
        text = os.pread(fd, 32, 0).decode("ascii", errors="replace").strip()
        if text.isdigit():
            return int(text)
        if time.monotonic() > deadline:
            return None
        time.sleep(_PID_POLL_SECONDS)
