"""The packing slip that goes with an order's label into the label printer's folder.

One slip per order, drawn when its first label is bought (again when a lost purchase is made
again, under the same name), so the packer finds label and slip side by side. A label bought
again (damaged, or voided and bought later) or a split order's further packages add none.
A slip that cannot be drawn never stops the label: the label is bought already; the event
says why and `production slip ORDER` draws it by hand. A cancelled order's slip is taken back
with its label.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from production.config.settings import Settings
from production.core.errors import ProductionError
from production.shipping.order_facts import AmazonOrderFacts
from production.store import JobStore, LabelRecord

if TYPE_CHECKING:
    from production.amazon.fulfillment_requests import DestinationAddress
    from production.floor.slips import SlipWriter
    from renderers.packing_slip import SlipAddress

__all__ = ["LabelSlips"]

EventLog = Callable[[dict[str, object]], None]


class LabelSlips:
    def __init__(
        self,
        store: JobStore,
        settings: Callable[[], Settings],
        facts: AmazonOrderFacts,
        *,
        log: EventLog = lambda event: None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.facts = facts
        self.log = log
        self._writer: SlipWriter | None = None
        self._drawn_with: Settings | None = None

    def deliver(self, record: LabelRecord, folder: Path) -> None:
        """Put the order's slip beside `record`'s label, unless another label has had one."""
        others = self.store.labels(order_id=record.order_id)
        if any(o.label_id != record.label_id and o.shipment_id is not None for o in others):
            return
        try:
            self._write(record.order_id, folder)
        except ProductionError as exc:
            self._event("slip not written", record.order_id, reason=exc.message)
        finally:
            self.facts.forget(record.order_id)  # the gift message is not kept

    def withdraw(self, order_id: str, folder: Path) -> None:
        """Take the cancelled order's slip out of the folder, if not printed yet."""
        from production.floor.slips import slip_name

        own = self.settings().slips.printer
        if own is not None:
            folder = self.settings().printers[own].hot_folder

        (folder / slip_name(order_id)).unlink(missing_ok=True)

    def _write(self, order_id: str, folder: Path) -> None:
        settings = self.settings()
        if settings.slips.printer is not None:  # a printer of its own, e.g. A4 in the office
            folder = settings.printers[settings.slips.printer].hot_folder
        facts = self.facts(order_id)
        buyer = _slip_address(self.facts.address(order_id)) if settings.slips.address else None
        self._slip_writer(settings).write(
            self.store, order_id, folder, buyer=buyer, gift_message=facts.gift_message
        )
        self._event("slip delivered", order_id, folder=str(folder))

    def _slip_writer(self, settings: Settings) -> SlipWriter:
        from production.floor.slips import SlipWriter  # reportlab and the fonts: on first use

        if self._writer is None:
            self._writer = SlipWriter(settings)
        elif self._drawn_with is not settings:
            self._writer.reconfigure(settings)  # re-read: the font folders may have changed
        self._drawn_with = settings
        return self._writer

    def _event(self, state: str, order_id: str, **fields: object) -> None:
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        self.log({"time": now, "state": state, "order": order_id, **fields})


def _slip_address(address: DestinationAddress) -> SlipAddress:
    from renderers.packing_slip import SlipAddress

    town = " ".join(
        part for part in (address.city, address.state_or_region, address.postal_code) if part
    )
    lines = (address.address_line1, address.address_line2, address.address_line3, town,
             address.country_code)  # fmt: skip
    return SlipAddress(name=address.name, lines=tuple(line for line in lines if line))
