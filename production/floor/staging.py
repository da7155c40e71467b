"""Master files a render worker has written itself, waiting to be moved into `masters/`.

A photo order's masters are megabytes (the buyer's JPEG passes into the PDF untouched). Sent
back to the daemon through a pipe and written there, they would cost its one thread a pickle,
a copy and an fsync per file while the workers wait for it. So a worker writes them into the
daemon's staging folder (`data_dir/rendering/`, on the same filesystem as `masters/`), each
file flushed to disk, under a prefix the daemon chose for that render; the daemon then only
renames the files of the jobs it recorded into `masters/` and syncs that folder once.

Nothing in the staging folder belongs to any job: a file there is either renamed away or
removed, and whatever a crash or a killed worker left is removed at the next start. A worker
that cannot write there (a full disk) sends the bytes back instead: the daemon then writes
them as it always did, and meets the same error itself, which stops the pass.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from production.core.files import fsync_folder

__all__ = ["clear_staging", "discard_staged", "place_staged", "write_staged"]


def write_staged(prefix: str, files: Mapping[str, bytes]) -> bool:
    """Write `files` (name → bytes) as `<prefix><name>`, each durable; False (and none of
    them left) if any cannot be written."""
    written: list[Path] = []
    try:
        for name, data in files.items():
            path = Path(prefix + name)
            written.append(path)
            with path.open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
    except OSError:
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink()
        return False
    return True


def place_staged(
    prefix: str, names: Iterable[str], folder: Path, *, sync: bool = True
) -> list[Path]:
    """Rename `<prefix><name>` to `folder/<name>` for each name, then sync `folder` once;
    all of them or (raising) none. `sync=False`: the caller syncs `folder` (once for several
    renders) before it records anything that depends on the files."""
    placed: list[Path] = []
    try:
        for name in names:
            target = folder / name
            Path(prefix + name).replace(target)
            placed.append(target)
        if sync:
            fsync_folder(folder)
    except BaseException:
        for path in placed:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return placed


def discard_staged(prefix: str) -> None:
    """Remove whatever is still staged under `prefix` (jobs not recorded, a render given up)."""
    start = Path(prefix)
    with contextlib.suppress(OSError):
        for path in start.parent.iterdir():
            if path.name.startswith(start.name):
                with contextlib.suppress(OSError):
                    path.unlink()


def clear_staging(folder: Path) -> None:
    """Empty the staging folder (at start, before any render): it holds no job's files."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.iterdir():
        with contextlib.suppress(OSError):
            path.unlink()
