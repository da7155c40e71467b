"""A second kind of device, added as a shop would add one: this module and one line in
printers.toml (`kind = "tests.printers.tiff_device:TiffDevice"`), nothing else.

A RIP that takes raster files: each job's print PDF becomes a TIFF at the printer's DPI, the
ticket says so, and the hot folder delivers, withdraws and notices it done as for a PDF.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from pathlib import Path

import pypdfium2 as pdfium

from printers.device import Withdrawal
from printers.hotfolder import HotFolderDevice
from printers.tickets import JobTicket
from production.core.stems import TICKET_SUFFIX
from production.core.templates import Printer

__all__ = ["TiffDevice"]


class TiffDevice:
    def __init__(self, printer: Printer) -> None:
        self._folder = HotFolderDevice(printer)

    @property
    def printer(self) -> Printer:
        return self._folder.printer

    @property
    def reports_done(self) -> bool:
        return self._folder.reports_done

    def files(self, masters: Mapping[str, bytes]) -> dict[str, bytes]:
        files = self._folder.files(masters)  # the PDF as the device gets it, and its ticket
        pdfs = [name for name in files if name.endswith(".pdf")]
        if not pdfs:
            return files  # a ticket alone: nothing to print
        [pdf_name] = pdfs
        stem = pdf_name.removesuffix(".pdf")
        ticket_name = f"{stem}{TICKET_SUFFIX}"
        ticket = JobTicket.from_json(files[ticket_name])
        tiff_name = f"{stem}.tiff"
        mirror = ticket.device.mirror if ticket.device is not None else False
        ticket = ticket.for_device(file=tiff_name, format="tiff", mirror=mirror)
        return {tiff_name: self._tiff(files[pdf_name]), ticket_name: ticket.to_json()}

    def _tiff(self, pdf: bytes) -> bytes:
        dpi = self.printer.dpi
        document = pdfium.PdfDocument(pdf)
        try:
            image = document[0].render(scale=dpi / 72).to_pil().convert("RGB")
        finally:
            document.close()
        out = io.BytesIO()
        image.save(out, format="TIFF", compression="tiff_lzw", dpi=(dpi, dpi))
        return out.getvalue()

    def deliver(self, files: Mapping[str, bytes]) -> list[Path]:
        return self._folder.deliver(files)

    def withdraw(self, paths: Iterable[str | Path]) -> Withdrawal:
        return self._folder.withdraw(paths)

    def finished(self) -> set[str]:
        return self._folder.finished()

    def tidy(self) -> None:
        self._folder.tidy()
