"""The daemon's own folders under the shop's data folder, named in one place."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Folders", "files_now"]


@dataclass(frozen=True, slots=True)
class Folders:
    """The daemon's own folders under `data_dir`."""

    root: Path

    @property
    def claimed(self) -> Path:
        return self.root / "claimed"

    @property
    def store(self) -> Path:
        # The store's modules (SQLite and all) load for the daemon's commands, not for a render
        # that only asks where the font cache is.
        from production.store.factory import store_file

        return store_file(self.root)

    @property
    def lock(self) -> Path:
        """Locked by the one daemon that runs on this folder (`production.floor.lock`)."""
        return self.root / "daemon.lock"

    @property
    def wake(self) -> Path:
        """Touched by commands that leave work for a running daemon."""
        return self.root / "wake"

    @property
    def reload(self) -> Path:
        """Written by commands that release held jobs: the daemon re-reads its configuration."""
        return self.root / "reload"

    @property
    def zips(self) -> Path:
        return self.root / "zips"

    @property
    def masters(self) -> Path:
        return self.root / "masters"

    @property
    def rendering(self) -> Path:
        """Master files render workers have written, until moved into `masters`
        (`production.floor.staging`); emptied at every start."""
        return self.root / "rendering"

    @property
    def proofs(self) -> Path:
        """The desk page's proof pictures, `<stem>.png`: buyer data, purged with the order."""
        return self.root / "proofs"

    @property
    def slips(self) -> Path:
        """Packing slips written by `production slip`, `<orderId>.slip.pdf`: buyer data (the
        gift message, maybe the address), purged with the order."""
        return self.root / "slips"

    @property
    def backups(self) -> Path:
        """Daily copies of the job store (`production.store.sqlite.backups`), purged with it."""
        # Lazily, as `store`: a render does not load the store's modules.
        from production.store.factory import BACKUPS_FOLDER

        return self.root / BACKUPS_FOLDER

    @property
    def font_cache(self) -> Path:
        """The font index kept between starts (`renderers.fontcache`): no buyer data."""
        return self.root / "cache" / "fonts"

    def create(self) -> None:
        for folder in (self.claimed, self.zips, self.masters, self.rendering):
            folder.mkdir(parents=True, exist_ok=True)


def files_now(paths: Iterable[str], done_folder: Path | None) -> list[str]:
    """Where a job's delivered files are now: where they were delivered, else in the device's
    done folder (the RIP moved them there); files that are in neither are left out."""
    found = []
    for path in map(Path, paths):
        if path.exists():
            found.append(str(path))
        elif done_folder is not None and (done_folder / path.name).exists():
            found.append(str(done_folder / path.name))
    return found
