"""What the floor needs of a printer or laser: the `Device` contract.

A `Device` answers four questions about one `Printer` of `printers.toml`: which files a job's
masters become for it (its format, mirrored or not, its tickets), how they are handed over
(all or none), how they are taken back (a cancelled order), and which of them it has finished.
The hot folder (`printers.hotfolder`) is the first kind; `printers.kinds` finds a printer's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from production.core.templates import Printer

__all__ = ["Device", "Withdrawal"]


@dataclass(frozen=True, slots=True)
class Withdrawal:
    removed: tuple[Path, ...]  # still waiting at the device: taken back
    gone: tuple[Path, ...]  # already taken by the device (or removed by a person)


class Device(Protocol):
    """One printer as the floor drives it."""

    @property
    def printer(self) -> Printer: ...

    @property
    def reports_done(self) -> bool:
        """Whether the device says when a job is finished (else a person marks it done)."""
        ...

    def files(self, masters: Mapping[str, bytes]) -> dict[str, bytes]:
        """What one job's master files (name → bytes, with its `.json` ticket) become here.

        Raises `PrinterError` when the job cannot be printed on this device as rendered.
        """
        ...

    def deliver(self, files: Mapping[str, bytes]) -> list[Path]:
        """Hand the files over, all of them or none; where each now is."""
        ...

    def withdraw(self, paths: Iterable[str | Path]) -> Withdrawal:
        """Take delivered files back; those the device already took are reported as gone."""
        ...

    def finished(self) -> set[str]:
        """The names of delivered files the device has finished with."""
        ...

    def tidy(self) -> None:
        """Remove what a writer killed half-way left at the device."""
        ...
