"""What wakes the daemon's loop when a file arrives: inotify read directly, or watchdog.

The loop only needs to know that something arrived, not what (it looks at the folders itself).
On Linux one thread blocks on an inotify descriptor and, for each read (any number of events at
once), wakes the loop; nothing is parsed. watchdog, which does the same through three threads
and a Python object per event, grouping moves with a delay, cost the daemon about 1.6 ms of CPU
per zip of a batch (the drop into the inbox and the claim out of it are an event each), and its
threads took the GIL from the loop's. Elsewhere (no inotify) watchdog watches, as it did.

Watched: files arriving in a folder (created, moved in, closed after writing), not every write()
of a file being copied in, nor the daemon's own moves out of the folder; and single files (the
data folder's `wake`, which `production retry` touches) for any change of theirs.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import select
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

__all__ = ["Watch", "watch_arrivals"]

# inotify(7)
_IN_MODIFY = 0x002
_IN_ATTRIB = 0x004
_IN_CLOSE_WRITE = 0x008
_IN_MOVED_TO = 0x080
_IN_CREATE = 0x100
_IN_NONBLOCK = os.O_NONBLOCK
_IN_CLOEXEC = 0o2000000
_ARRIVAL = _IN_CREATE | _IN_MOVED_TO | _IN_CLOSE_WRITE
_TOUCHED = _IN_ATTRIB | _IN_MODIFY | _IN_CLOSE_WRITE
_READ_BYTES = 64 * 1024  # about a thousand events at once


class Watch(Protocol):
    """Folders and files being watched; `stop()` ends it (and its thread)."""

    def stop(self) -> None: ...


def watch_arrivals(
    folders: Sequence[Path], files: Sequence[Path], wake: Callable[[], None]
) -> Watch:
    """Call `wake` (on another thread) when a file arrives in one of `folders`, or one of
    `files` changes. Folders that do not exist are not watched (the rescan sees to them)."""
    folders = [folder for folder in folders if folder.is_dir()]
    libc = _libc()
    if libc is not None:
        return _Inotify(libc, folders, files, wake)
    return _watchdog(folders, files, wake)


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.inotify_init1.argtypes = [ctypes.c_int]
        libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
    except (OSError, AttributeError):
        return None
    return libc


class _Inotify:
    def __init__(
        self,
        libc: ctypes.CDLL,
        folders: Sequence[Path],
        files: Sequence[Path],
        wake: Callable[[], None],
    ) -> None:
        self._wake = wake
        self._fd = libc.inotify_init1(_IN_NONBLOCK | _IN_CLOEXEC)
        if self._fd < 0:
            raise _os_error("inotify_init1")
        self._stop_read, self._stop_write = os.pipe()
        try:
            for path, mask in [*((f, _ARRIVAL) for f in folders), *((f, _TOUCHED) for f in files)]:
                if libc.inotify_add_watch(self._fd, os.fsencode(path), mask) < 0:
                    raise _os_error("inotify_add_watch", path)
        except BaseException:
            self._close()
            raise
        self._thread = threading.Thread(target=self._read, name="inotify", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while True:
            ready, _, _ = select.select([self._fd, self._stop_read], [], [])
            if self._stop_read in ready:
                return
            try:
                if not os.read(self._fd, _READ_BYTES):
                    return
            except BlockingIOError:
                continue
            except OSError:
                return  # closed under it: stopping
            self._wake()

    def stop(self) -> None:
        os.write(self._stop_write, b"x")
        self._thread.join(timeout=5)
        self._close()

    def _close(self) -> None:
        for fd in (self._fd, self._stop_read, self._stop_write):
            with contextlib.suppress(OSError):
                os.close(fd)


def _os_error(call: str, path: Path | None = None) -> OSError:
    code = ctypes.get_errno()
    return OSError(code, f"{call}: {os.strerror(code)}", None if path is None else str(path))


def _watchdog(folders: Sequence[Path], files: Sequence[Path], wake: Callable[[], None]) -> Watch:
    from watchdog.events import (
        FileClosedEvent,
        FileCreatedEvent,
        FileMovedEvent,
        FileSystemEvent,
        FileSystemEventHandler,
    )
    from watchdog.observers import Observer

    # watchdog logs this at ERROR when its reader wakes after stop(); nothing is lost by it.
    logging.getLogger("watchdog.observers.inotify").addFilter(
        lambda record: "called when the thread is inactive" not in str(record.msg)
    )

    class Wake(FileSystemEventHandler):
        def __init__(self, only: str | None = None) -> None:
            self.only = only  # wake only for this file name

        def on_any_event(self, event: FileSystemEvent) -> None:
            if self.only is None or Path(str(event.src_path)).name == self.only:
                wake()

    arrivals: list[type[FileSystemEvent]] = [FileCreatedEvent, FileMovedEvent, FileClosedEvent]
    observer = Observer()
    for folder in folders:
        observer.schedule(Wake(), str(folder), recursive=False, event_filter=arrivals)
    for file in files:
        observer.schedule(Wake(file.name), str(file), recursive=False)
    observer.daemon = True
    observer.start()
    return _Observed(observer)


class _Observed:
    def __init__(self, observer: object) -> None:
        self._observer = observer

    def stop(self) -> None:
        self._observer.stop()  # type: ignore[attr-defined]
        self._observer.join(timeout=5)  # type: ignore[attr-defined]
