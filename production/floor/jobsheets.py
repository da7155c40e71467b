"""Job sheets beside a job's files in the hot folder, for printers with `job_sheet = true`.

The sheet (`renderers.job_sheet`) is drawn from the ticket the device gets, when the job is
delivered, not when it is rendered: a printer whose `job_sheet` is turned on later gets sheets
for the jobs already rendered too. It is named after the job's stem (`<stem>.sheet.pdf`), so
it is recorded, withdrawn on cancellation and purged with the job's other files.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from printers.tickets import JobTicket
from production.config.settings import Settings
from production.core.marketplace_formats import format_ship_date
from production.core.stems import SHEET_SUFFIX, TICKET_SUFFIX
from production.core.templates import Printer

if TYPE_CHECKING:
    from renderers.slip_text import SlipFonts

__all__ = ["JobSheets", "job_sheet_for"]


class JobSheets:
    """Adds a printer's job sheet to the files it is given; the fonts load on first use."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._fonts: SlipFonts | None = None

    def reconfigure(self, settings: Settings) -> None:
        self._settings = settings
        self._fonts = None  # the font folders may have changed

    def add(self, files: Mapping[str, bytes], printer: Printer) -> dict[str, bytes]:
        """`files` with `<stem>.sheet.pdf` for a printer that takes job sheets."""
        out = dict(files)
        tickets = [name for name in files if name.endswith(TICKET_SUFFIX)]
        if not printer.job_sheet or len(tickets) != 1:
            return out
        stem = tickets[0].removesuffix(TICKET_SUFFIX)
        ticket = JobTicket.from_json(files[tickets[0]])
        out[f"{stem}{SHEET_SUFFIX}"] = job_sheet_for(ticket, printer, self.fonts())
        return out

    def fonts(self) -> SlipFonts:
        if self._fonts is None:
            from production.floor.slips import slip_fonts

            self._fonts = slip_fonts(self._settings)
        return self._fonts


def job_sheet_for(ticket: JobTicket, printer: Printer, fonts: SlipFonts) -> bytes:
    """The sheet of the job `ticket` describes, on `printer`: ids and the shop's names only."""
    from renderers.job_sheet import JobSheet, draw_job_sheet

    sheet = JobSheet(
        job_id=ticket.barcode,
        order_id=ticket.order_id,
        product=ticket.product,
        surface=ticket.surface,
        printer=printer.name,
        quantity=ticket.quantity,
        # A ticket does not know the marketplace: the sheet's date is ISO 8601.
        ship_by=format_ship_date(ticket.ship_by.date(), None) if ticket.ship_by else None,
    )
    return draw_job_sheet(sheet, fonts)
