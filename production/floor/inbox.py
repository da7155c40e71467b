"""The inbox: the folder operators drop order zips into, and how a file in it is claimed.

A file is claimed only when its size and modification time have stayed the same for the settle
time, so a zip still being copied (over the network, from a browser download) is never read
half-written. Claiming moves it into the daemon's own working area, which makes it the
daemon's: a crash after that finds it there again. Names that writers use while copying (a
leading `.`, `.part`, `.tmp`, browsers' download suffixes) are never looked at.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from production.config.settings import DEFAULT_SETTLE_SECONDS
from production.core.files import move_file, write_atomically

__all__ = ["DEFAULT_SETTLE_SECONDS", "REJECTED_FOLDER", "Inbox", "is_ignored"]

REJECTED_FOLDER = "rejected"
_IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload", ".download", ".partial")
_CLAIM_SEPARATOR = "__"


def is_ignored(name: str) -> bool:
    """A name some program is still writing (or a hidden file): never claimed."""
    lowered = name.lower()
    return name.startswith(".") or lowered.endswith(_IGNORED_SUFFIXES)


@dataclass(slots=True)
class _Seen:
    size: int
    mtime_ns: int
    since: float  # monotonic time the size and mtime were first seen as they are now


class Inbox:
    """Finds settled files in the inbox and moves them into the working area."""

    def __init__(
        self,
        folder: Path,
        claimed: Path,
        *,
        settle_seconds: float = DEFAULT_SETTLE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.folder = folder
        self.claimed = claimed  # the daemon's own folder for files taken from the inbox
        self.settle_seconds = settle_seconds
        self.monotonic = monotonic
        self._seen: dict[str, _Seen] = {}
        self._counter = 0

    @property
    def rejected(self) -> Path:
        return self.folder / REJECTED_FOLDER

    def prepare(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.claimed.mkdir(parents=True, exist_ok=True)

    def settled(self) -> list[Path]:
        """Files whose size and mtime have not changed for the settle time, oldest first."""
        now = self.monotonic()
        present: dict[str, _Seen] = {}
        ready: list[tuple[int, Path]] = []
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return []  # the inbox is looked at again on the next pass
        for entry in entries:
            if is_ignored(entry.name):
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                stat = entry.stat(follow_symlinks=False)
            except OSError:
                continue  # vanished between listing and looking
            seen = self._seen.get(entry.name)
            if seen is None or (seen.size, seen.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
                seen = _Seen(stat.st_size, stat.st_mtime_ns, now)
            present[entry.name] = seen
            if now - seen.since >= self.settle_seconds:
                ready.append((stat.st_mtime_ns, Path(entry.path)))
        self._seen = present
        return [path for _, path in sorted(ready)]

    @property
    def waiting(self) -> bool:
        """Files are settling: the caller should look again soon."""
        return bool(self._seen)

    def claim(self, path: Path) -> Path | None:
        """Move a settled file into the working area; None if it went away meanwhile."""
        self._counter += 1
        # The original name is kept (after the prefix) so a rejected file can be given back
        # under it; it stays inside the working area, never in logs or the store.
        name = f"{time.time_ns()}-{self._counter}{_CLAIM_SEPARATOR}{path.name}"
        target = self.claimed / name
        try:
            # Not synced: a power cut that undoes the move leaves the file in the inbox, to be
            # claimed again, which is all a claim that never happened does. Whatever the daemon
            # records of the file comes after its durable move into `zips/`.
            move_file(path, target, durable=False)
        except FileNotFoundError:
            return None
        self._seen.pop(path.name, None)
        return target

    def pending_claims(self) -> list[Path]:
        """Files claimed earlier and not yet dealt with (after a crash), oldest first."""
        try:
            names = sorted(
                (p for p in self.claimed.iterdir() if not is_ignored(p.name)),
                key=lambda p: p.name,
            )
        except FileNotFoundError:
            return []
        return [p for p in names if p.is_file()]

    def reject(self, claimed: Path, reason: str) -> Path:
        """Give an unreadable file back in `inbox/rejected/`, with `<name>.reason.txt` beside it."""
        self.rejected.mkdir(parents=True, exist_ok=True)
        original = original_name(claimed)
        target = self.rejected / original
        if target.exists():
            stem = claimed.name.split(_CLAIM_SEPARATOR, 1)[0]
            target = self.rejected / f"{stem}-{original}"
        write_atomically(target.with_name(target.name + ".reason.txt"), (reason + "\n").encode())
        move_file(claimed, target)
        return target


def original_name(claimed: Path) -> str:
    """The name a claimed file had in the inbox."""
    return claimed.name.split(_CLAIM_SEPARATOR, 1)[-1]
