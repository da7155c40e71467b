"""From a job's master files to what its device's hot folder gets.

The masters are kept as the design is (never mirrored) and hold every file the job may need:
`<stem>.pdf`, `<stem>.json` (the ticket), for an engrave surface on a laser that takes SVG,
`<stem>.svg`, and the pictures for people (`<stem>.proof.png`, `<stem>.compare.png`). A device
gets one print file in its own format, mirrored if it prints mirrored, and the ticket, which
says which file that is and whether it is mirrored; never the pictures.

    files = device_files(master_files, printer)   # name → bytes, ready for `deliver`
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from printers.mirror import is_mirrored, mirror_pdf, mirror_svg
from printers.tickets import ticket_bytes
from production.core.errors import PrinterError
from production.core.templates import Printer
from renderers.proofcheck import COMPARE_SUFFIX, PROOF_SUFFIX

__all__ = ["device_files", "is_mirrored"]

TICKET_SUFFIX = ".json"


def device_files(master: Mapping[str, bytes], printer: Printer | None) -> dict[str, bytes]:
    """The files for `printer`'s hot folder, from one job's master files (name → bytes).

    `printer` None (an options-only job nobody prints) gets the masters but the pictures. Raises
    `PrinterError` when the device takes SVG and the job was rendered without one (a printer
    switched to SVG after the job was rendered: render it again).
    """
    master = {name: data for name, data in master.items() if not _for_people(name)}
    tickets = [name for name in master if name.endswith(TICKET_SUFFIX)]
    if printer is None or len(tickets) != 1:
        return dict(master)
    ticket_name = tickets[0]
    stem = ticket_name.removesuffix(TICKET_SUFFIX)
    ticket = json.loads(master[ticket_name])
    wanted = f"{stem}.{printer.format}"
    if wanted not in master:
        if f"{stem}.pdf" not in master:
            return {ticket_name: master[ticket_name]}  # a ticket alone: nothing to print
        raise PrinterError(
            f"printer '{printer.id}' takes {printer.format.upper()} files and job {stem} was "
            "rendered without one: render it again"
        )
    mirrored = is_mirrored(ticket.get("process"), printer)
    data = master[wanted]
    if mirrored:
        data = mirror_svg(data) if printer.format == "svg" else mirror_pdf(data)
    truth = {"file": wanted, "format": printer.format, "mirror": mirrored}
    ticket_data = master[ticket_name]
    if any(ticket.get(key) != value for key, value in truth.items()):
        # Rendered for a device set up differently: the ticket must describe this file.
        ticket_data = ticket_bytes({**ticket, **truth})
    return {wanted: data, ticket_name: ticket_data}


def _for_people(name: str) -> bool:
    """The proof and comparison pictures: they stay with the masters, no device wants them."""
    return name.endswith((PROOF_SUFFIX, COMPARE_SUFFIX))
