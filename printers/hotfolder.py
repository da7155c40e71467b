"""Hot folders: where print files are handed to a RIP or laser, and taken back on cancellation.

A device's software picks up whatever appears in its hot folder, so a file must appear whole
(`production.core.files` writes through a hidden `.part` and a rename) and exactly once. The
pipeline never creates a hot folder: one that is missing is usually a network share that went
away, and writing into an empty local folder of the same name would print nothing and say
nothing.

The masters are kept as the design is (never mirrored) and hold every file the job may need:
`<stem>.pdf`, `<stem>.json` (the ticket), for an engrave surface on a laser that takes SVG,
`<stem>.svg`, and the pictures for people (`<stem>.proof.png`, `<stem>.compare.png`). The hot
folder gets one print file in the printer's format, mirrored if it prints mirrored, and the
ticket, which says which file that is and whether it is mirrored (and `<stem>.xjdf` beside it
for a printer with `ticket = "xjdf"`); never the pictures. A printer with `job_sheet = true`
gets `<stem>.sheet.pdf` too, which the floor draws from the ticket (`production.floor.jobsheets`).
"""

from __future__ import annotations

import errno
from collections.abc import Iterable, Mapping
from pathlib import Path

from printers.device import Withdrawal
from printers.mirror import is_mirrored, mirror_pdf, mirror_svg
from printers.tickets import JobTicket
from printers.xjdf import xjdf_ticket
from production.core.errors import PrinterError
from production.core.files import missing_folder, remove_partial_files, write_group
from production.core.stems import TICKET_SUFFIX, XJDF_SUFFIX, is_for_people
from production.core.templates import Printer

__all__ = ["HotFolderDevice", "job_files"]


class HotFolderDevice:
    """A printer reached through a folder its RIP watches (and, maybe, a done folder)."""

    def __init__(self, printer: Printer) -> None:
        self._printer = printer

    @property
    def printer(self) -> Printer:
        return self._printer

    @property
    def reports_done(self) -> bool:
        return self._printer.done_folder is not None and self._printer.feedback == "done_folder"

    def files(self, masters: Mapping[str, bytes]) -> dict[str, bytes]:
        return job_files(masters, self._printer)

    def deliver(self, files: Mapping[str, bytes]) -> list[Path]:
        """Put `files` (name → bytes) into the printer's hot folder, all of them or none."""
        printer = self._printer
        folder = printer.hot_folder
        if not folder.is_dir():
            raise PrinterError(
                f"hot folder {folder} of printer '{printer.id}' {missing_folder(folder)} "
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

    def withdraw(self, paths: Iterable[str | Path]) -> Withdrawal:
        return withdraw(paths)

    def finished(self) -> set[str]:
        """The file names in the printer's done folder (where its RIP moves finished files)."""
        folder = self._printer.done_folder
        if folder is None:
            return set()
        try:
            return {entry.name for entry in folder.iterdir() if not entry.name.startswith(".")}
        except OSError:
            # A done folder that is unreachable for a moment is looked at again on the next pass.
            return set()

    def tidy(self) -> None:
        remove_partial_files(self._printer.hot_folder)


def job_files(masters: Mapping[str, bytes], printer: Printer | None) -> dict[str, bytes]:
    """The files of one job for `printer`, from the job's master files (name → bytes).

    `printer` None (an options-only job nobody prints) gets the masters but the pictures. Raises
    `PrinterError` when the device takes SVG and the job was rendered without one (a printer
    switched to SVG after the job was rendered: render it again).
    """
    masters = {name: data for name, data in masters.items() if not is_for_people(name)}
    tickets = [name for name in masters if name.endswith(TICKET_SUFFIX)]
    if printer is None or len(tickets) != 1:
        return dict(masters)
    ticket_name = tickets[0]
    stem = ticket_name.removesuffix(TICKET_SUFFIX)
    ticket = JobTicket.from_json(masters[ticket_name])
    wanted = f"{stem}.{printer.format}"
    if wanted not in masters:
        if f"{stem}.pdf" not in masters:
            return {ticket_name: masters[ticket_name]}  # a ticket alone: nothing to print
        raise PrinterError(
            f"printer '{printer.id}' takes {printer.format.upper()} files and job {stem} was "
            "rendered without one: render it again"
        )
    mirrored = is_mirrored(ticket.process, printer)
    data = masters[wanted]
    if mirrored:
        data = mirror_svg(data) if printer.format == "svg" else mirror_pdf(data)
    device = ticket.device
    ticket_data = masters[ticket_name]
    if device is None or (ticket.file, device.format, device.mirror) != (
        wanted,
        printer.format,
        mirrored,
    ):
        # Rendered for a device set up differently: the ticket must describe this file.
        ticket = ticket.for_device(file=wanted, format=printer.format, mirror=mirrored)
        ticket_data = ticket.to_json()
    files = {wanted: data, ticket_name: ticket_data}
    if printer.ticket == "xjdf":
        files[f"{stem}{XJDF_SUFFIX}"] = xjdf_ticket(ticket)
    return files


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
