"""Writing files so that a reader (a RIP watching a hot folder, a person) never sees half of one.

Each file is written as a hidden `.name.part` in the same folder, flushed to disk, then renamed
over its final name: a rename within one filesystem is atomic, so the file appears whole or not
at all. A group of files (a PDF and its ticket) appears together: if any of them cannot be
written, the ones already in place are removed again.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = [
    "DurableFile",
    "fsync_folder",
    "missing_folder",
    "move_file",
    "remove_files",
    "remove_partial_files",
    "write_atomically",
    "write_group",
]


def missing_folder(path: Path) -> str:
    """How a folder that is not there is missing, for a message: "does not exist", or what is
    there instead ("is a file, not a folder")."""
    if path.is_symlink() and not path.exists():
        return "is a link to something that does not exist"
    if path.is_file():
        return "is a file, not a folder"
    if path.exists():
        return "is not a folder"
    return "does not exist"


class DurableFile(bytes):
    """The bytes of a file already durable on disk at `path` (a job's master, read back).

    `write_atomically` puts such bytes elsewhere on the same filesystem as a hard link of that
    file: nothing to write or flush again, only the folder to sync (megabytes of photo, for a
    hot folder). Any operation on them gives plain bytes, which are written as usual.
    """

    path: Path

    def __new__(cls, data: bytes, path: Path) -> DurableFile:
        made = super().__new__(cls, data)
        made.path = path
        return made


def write_atomically(path: Path, data: bytes, *, sync_folder: bool = True) -> None:
    """Write `data` to `path` through a temporary file and a rename, durable on return.

    With `sync_folder=False` the rename is durable only once the caller fsyncs the folder.
    """
    part = path.with_name(f".{path.name}.part")
    try:
        if not _linked(data, part):  # or a killed writer's `.part` is there: written over
            with part.open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        part.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            part.unlink()
        raise
    if sync_folder:
        fsync_folder(path.parent)


def _linked(data: bytes, part: Path) -> bool:
    """Whether `part` could be made a hard link of the durable file `data` was read from."""
    if not isinstance(data, DurableFile):
        return False
    try:
        os.link(data.path, part)
    except OSError:
        return False  # another filesystem (a share), links not allowed, the file gone: written
    return True


def write_group(folder: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write every file of `files` (name → bytes) into `folder`, or none of them."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        for name, data in files.items():
            if Path(name).name != name or name in {"", ".", ".."}:
                raise ValueError(f"not a plain file name: {name!r}")
            path = folder / name
            write_atomically(path, data, sync_folder=False)
            written.append(path)
        fsync_folder(folder)  # one fsync of the folder makes every rename of the group durable
    except BaseException:
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return written


def fsync_folder(folder: Path) -> None:
    # The rename itself is durable only once the folder's entry is on disk (POSIX).
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def move_file(source: Path, target: Path, *, durable: bool = True) -> None:
    """Move a file, durably; across filesystems by copy, fsync and unlink.

    `durable=False`: a rename within the filesystem is not synced, and a power cut may undo
    it (the file is back where it was); for a caller to whom that is as if it never moved.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        source.rename(target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        write_atomically(target, source.read_bytes())
        source.unlink()
        return
    if durable:
        fsync_folder(target.parent)


def remove_files(paths: Iterable[Path]) -> list[Path]:
    """Delete files (a symlink itself, never what it points to), durably; those that existed.

    A file already gone is skipped; any other failure raises, after the folders of the files
    removed so far are synced, so that a caller can record nothing and simply try again.
    """
    removed: list[Path] = []
    try:
        for path in paths:
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            removed.append(path)
    finally:
        # Without this a power cut could bring a deleted file back after its deletion was
        # recorded elsewhere (the job store), and nothing would look for it again.
        for folder in dict.fromkeys(path.parent for path in removed):
            with contextlib.suppress(OSError):
                fsync_folder(folder)
    return removed


def remove_partial_files(folder: Path) -> int:
    """Delete the `.name.part` files a killed writer left in `folder`; how many it could.

    Best effort: a folder that cannot be read or written now (a read-only share) keeps its
    leftovers until the next start, which must not fail because of them.
    """
    removed = 0
    try:
        leftovers = [p for p in folder.iterdir() if p.name.startswith(".") and p.suffix == ".part"]
    except OSError:
        return 0
    for path in leftovers:
        with contextlib.suppress(OSError):
            path.unlink()
            removed += 1
    return removed
