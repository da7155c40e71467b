"""Hot folders: where print files are handed to a RIP or laser, and taken back on cancellation.

A device's software picks up whatever appears in its hot folder, so a file must appear whole
(`production.core.files` writes through a hidden `.part` and a rename) and exactly once. The
pipeline never creates a hot folder: one that is missing is usually a network share that went
away, and writing into an empty local folder of the same name would print nothing and say nothing.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from production.core.errors import PrinterError
from production.core.files import write_group
from production.core.templates import Printer

__all__ = ["Withdrawal", "deliver", "finished_names", "withdraw"]


def deliver(printer: Printer, files: Mapping[str, bytes]) -> list[Path]:
    """Put `files` (name → bytes) into the printer's hot folder, all of them or none."""
    folder = printer.hot_folder
    if not folder.is_dir():
        raise PrinterError(
            f"hot folder {folder} of printer '{printer.id}' does not exist "
            "(reconnect or create it, or fix printers.toml)"
        )
    try:
        return write_group(folder, files)
    except PermissionError as exc:
        raise PrinterError(
            f"hot folder {folder} of printer '{printer.id}' is not writable"
        ) from exc
    except OSError as exc:
        if exc.errno == errno.EROFS:
            raise PrinterError(
                f"hot folder {folder} of printer '{printer.id}' is on a read-only disk"
            ) from exc
        raise PrinterError(
            f"cannot write into hot folder {folder} of printer '{printer.id}': "
            f"{exc.strerror or exc}"
        ) from exc


@dataclass(frozen=True, slots=True)
class Withdrawal:
    removed: tuple[Path, ...]  # still waiting in the hot folder: taken back
    gone: tuple[Path, ...]  # already taken by the device (or removed by a person)


def withdraw(paths: Iterable[str | Path]) -> Withdrawal:
    """Take files back out of hot folders; those the device already took are reported."""
    removed: list[Path] = []
    gone: list[Path] = []
    for path in map(Path, paths):
        try:
            path.unlink()
        except FileNotFoundError:
            gone.append(path)
        except OSError as exc:
            raise PrinterError(f"cannot take {path.name} back out of {path.parent}: {exc}") from exc
        else:
            removed.append(path)
    return Withdrawal(tuple(removed), tuple(gone))


def finished_names(printer: Printer) -> set[str]:
    """The file names in the printer's done folder (where its RIP moves finished files)."""
    folder = printer.done_folder
    if folder is None:
        return set()
    try:
        return {entry.name for entry in folder.iterdir() if not entry.name.startswith(".")}
    except OSError:
        # A done folder that is unreachable for a moment is looked at again on the next pass.
        return set()
