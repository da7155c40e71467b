"""Buying shipping labels through Amazon's Shipping API v2, exactly once per package.

With `[shipping] labels = "amazon"` an order is shipped by its label: `buy_label(order_id)`
rates each package (`getRates`), picks a rate by the shop's policy (`production.shipping.rates`),
records the purchase — request token, rate id and a fresh idempotency key — in its own
transaction, and only then calls `purchaseShipment`. The label goes into the label printer's
hot folder; the record becomes BOUGHT and the package's printed jobs SHIPPED in one
transaction. Amazon marks the order shipped itself: no confirmShipment follows.

A purchase whose answer never came (a timeout, a dropped connection, kill -9) is left BUYING;
`step()` (the daemon's thread) or the next `buy_label` makes it again with the same three,
which Amazon answers with the first purchase: never two labels for one package. Rates older
than ten minutes (`RateExpiredError`) are fetched again once. Amazon's refusals are kept word
for word on the record (REFUSED) for the desk to show; missing package facts hold the package
(HELD) with what to add, and it goes on by itself once they are there.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Protocol, TypeVar, cast

from printers.label import LabelDevice, label_name
from production.amazon.errors import InvalidInputError, RateExpiredError, RequestValidationError
from production.amazon.labels import LabelFormat, LabelPackage, Purchase, RateQuote, ShipFrom
from production.config.settings import Settings
from production.core.errors import ProductionError
from production.shipping.confirm import ShippingError
from production.shipping.label_facts import label_package, ship_from
from production.shipping.label_slips import LabelSlips
from production.shipping.packages import MissingFactsError
from production.shipping.rates import NoRateError, choose_rate
from production.store import (
    JobState,
    JobStore,
    LabelIntent,
    LabelRecord,
    LabelState,
)

__all__ = ["LabelApi", "Labels"]

_L = LabelState
_BUYABLE = (_L.PLANNED, _L.HELD, _L.REFUSED)
_OPEN_JOBS = (JobState.CANCELLED, JobState.PURGED)
EventLog = Callable[[dict[str, object]], None]
_T = TypeVar("_T")
_CANCELLED = "the order was cancelled"  # a void's reason that cancels the package's jobs too


class LabelApi(Protocol):
    """What labels need of the SP-API client (`production.amazon.labels_client`)."""

    def get_rates(
        self,
        order_id: str,
        package: LabelPackage,
        ship_from: ShipFrom,
        *,
        ship_date: datetime | None = None,
    ) -> RateQuote: ...

    def purchase_shipment(
        self,
        request_token: str,
        rate_id: str,
        *,
        idempotency_key: str,
        label_format: LabelFormat = "PDF",
        dpi: int = 203,
        carrier_id: str = "",
        order_id: str | None = None,
    ) -> Purchase: ...

    def cancel_shipment(self, shipment_id: str, *, order_id: str | None = None) -> None: ...


class Labels:
    def __init__(
        self,
        store: JobStore,
        amazon: LabelApi,
        settings: Callable[[], Settings],
        *,
        log: EventLog = lambda event: None,
        deliver_by: Callable[[str], datetime | None] = lambda order_id: None,
        slips: LabelSlips | None = None,
        new_key: Callable[[], str] = lambda: uuid.uuid4().hex,
    ) -> None:
        self.store = store
        self.amazon = amazon
        self.settings = settings  # the daemon's, as re-read on a reload
        self.log = log
        self.deliver_by = deliver_by  # the order's latest delivery date, where one is known
        self.slips = slips  # the packing slip beside the label; None: no slips
        self.new_key = new_key

    # -- what a person (the CLI, the desk) asks for ---------------------------------------------

    def buy_label(self, order_id: str) -> list[LabelRecord]:
        """A label for every package of the order that has none; refused or held ones again,
        and the packages whose labels a person voided (the same packages, new labels)."""
        self._finish_buying(order_id)
        return [
            self._buy(record) if record.state in _BUYABLE else record
            for record in self._plan(order_id, again=True)
        ]

    def voided_to_buy_again(self, order_id: str) -> list[LabelRecord]:
        """The last voided label of each package that has no other and is not cancelled: a
        person voided it (wrong service, a box changed) and `buy_label` buys it again.

        Its jobs stay SHIPPED after the void, so the daemon never buys it again by itself."""
        records = self.store.labels(order_id=order_id)
        if any(record.state is not _L.VOIDED for record in records):
            return []
        latest = {record.package_ref: record for record in records}  # oldest first: last wins
        return [record for record in latest.values() if not self._cancelled(record)]

    def split(
        self, order_id: str, packages: Sequence[Sequence[tuple[str, int]]]
    ) -> list[LabelRecord]:
        """Ship the order in these packages (order item id, quantity), each its own label."""
        known = {item.order_item_id: item.quantity for item in self.store.items(order_id=order_id)}
        if not known:
            raise ShippingError("no such order in the job store", order_id=order_id)
        given: dict[str, int] = {}
        for package in packages:
            if not package:
                raise ShippingError("a package needs at least one item", order_id=order_id)
            for item_id, quantity in package:
                if item_id not in known:
                    raise ShippingError(f"item {item_id} is not in this order", order_id=order_id)
                given[item_id] = given.get(item_id, 0) + quantity
        for item_id, quantity in given.items():
            if quantity != known[item_id] or quantity < 1:
                raise ShippingError(f"item {item_id}: the packages hold {quantity}, the order"
                                    f" {known[item_id]}", order_id=order_id)  # fmt: skip
        missing = sorted(set(known) - set(given))
        if missing:
            raise ShippingError(f"in no package: {', '.join(missing)}", order_id=order_id)
        return self.store.plan_labels(order_id, packages)

    def void_label(self, order_id: str, *, reason: str = "voided by a person") -> list[LabelRecord]:
        """Void every label of the order the carrier does not have yet (cancelShipment).

        A label the carrier has is refused by Amazon: kept as VOID_REFUSED with its words. When
        the order was cancelled (`on_cancel`), the voided packages' jobs are cancelled too.
        """
        done = [r for r in self._finish_buying(order_id) if r.state is _L.VOIDED]
        for record in self.store.labels(order_id=order_id):
            if record.state in (_L.BOUGHT, _L.VOIDING, _L.VOID_REFUSED):
                done.append(self._void(record, reason))
        if not done:
            raise ShippingError("no label of this order to void", order_id=order_id)
        return done

    def reprint_label(self, order_id: str) -> list[LabelRecord]:
        """A damaged label: void it and buy a new one for the same package."""
        voided = self.void_label(order_id, reason="voided to be bought again (damaged label)")
        bought = []
        for record in voided:
            if record.state is _L.VOIDED:
                bought.append(self._buy(self.store.replan_label(record.label_id)))
            else:
                bought.append(record)  # the carrier has it: nothing to buy again
        return bought

    def on_cancel(self, order_id: str) -> list[str]:
        """The order was cancelled: void its labels (`Pipeline.cancel_order` calls this)."""
        if not any(
            record.state in (_L.BUYING, _L.BOUGHT, _L.VOIDING)
            for record in self.store.labels(order_id=order_id)
        ):
            return []
        try:
            voided = self.void_label(order_id, reason=_CANCELLED)
        except ProductionError as exc:  # Amazon down: a VOIDING label is voided by `step()`
            return [f"the label is not voided yet ({exc.message}): it is tried again"]
        return [
            f"package {record.package_ref}: label {record.state.value}"
            + (f" ({record.message})" if record.message else "")
            for record in voided
        ]

    # -- the daemon's thread -------------------------------------------------------------------

    def step(self) -> int:
        """Finish lost purchases and voids; with `buy = "printed"`, buy what is printed."""
        count = 0
        for record in self.store.labels(states={_L.BUYING, _L.VOIDING}):
            count += 1
            self._guarded(record.order_id, self._resume, record)
        if self.settings().shipping.buy != "printed":
            return count
        waiting = {r.order_id for r in self.store.labels(states={_L.PLANNED, _L.HELD})}
        for order_id in sorted({*self.store.orders_ready_to_ship(), *waiting}):
            count += 1
            self._guarded(order_id, self._buy_printed, order_id)
        return count

    def _resume(self, record: LabelRecord) -> None:
        if record.state is _L.BUYING:
            self._finish_buying(record.order_id)
        else:
            self._void(record, record.message or "voided")

    def _buy_printed(self, order_id: str) -> None:
        for record in self._plan(order_id):
            if record.state in (_L.PLANNED, _L.HELD) and self._printed(record):
                self._buy(record)

    def _guarded(self, order_id: str, work: Callable[[_T], object], arg: _T) -> None:
        try:
            work(arg)
        except ProductionError as exc:  # Amazon down or slow: tried again at the next step
            self._event("label error", order_id, reason=exc.message)

    # -- buying ----------------------------------------------------------------------------------

    def _plan(self, order_id: str, *, again: bool = False) -> list[LabelRecord]:
        """The order's packages: as split, or one of every item still to ship; with `again`,
        the packages whose labels were voided by a person, planned afresh."""
        records = [r for r in self.store.labels(order_id=order_id) if r.state is not _L.VOIDED]
        if records:
            return records
        voided = self.voided_to_buy_again(order_id) if again else []
        if voided:
            return [self.store.replan_label(record.label_id) for record in voided]
        jobs = self.store.jobs(order_id=order_id)
        items = [
            (item.order_item_id, item.quantity)
            for item in self.store.items(order_id=order_id)
            if any(j.order_item_id == item.order_item_id and j.state not in _OPEN_JOBS
                   and j.state is not JobState.SHIPPED for j in jobs)
        ]  # fmt: skip
        if not items:
            raise ShippingError("nothing of this order is left to ship", order_id=order_id)
        return self.store.plan_labels(order_id, [items])

    def _buy(self, record: LabelRecord) -> LabelRecord:
        settings = self.settings()
        if not self._printed(record):
            raise ShippingError(
                f"package {record.package_ref} is not printed yet (mark its jobs done first)",
                order_id=record.order_id,
            )
        try:
            known = self.store.items(order_id=record.order_id)
            package = label_package(settings, record.package_ref, record.items, known)
            origin = ship_from(settings)
        except MissingFactsError as exc:
            return self._stop(record, _L.HELD, exc.message)
        for attempt in (1, 2):
            try:
                intent = self._quote(settings, record.order_id, package, origin)
            except (NoRateError, InvalidInputError, RequestValidationError) as exc:
                return self._stop(record, _L.REFUSED, exc.message)
            record = self.store.record_label_intent(record.label_id, intent)
            self._event("label buying", record.order_id, package=record.package_ref)
            try:
                return self._purchase(record)
            except RateExpiredError as exc:
                record = self.store.finish_label(
                    record.label_id, state=_L.PLANNED, expect={_L.BUYING}, message=exc.message
                )
                if attempt == 2:
                    return self._stop(record, _L.REFUSED, exc.message)
        raise AssertionError("unreachable")

    def _quote(
        self, settings: Settings, order_id: str, package: LabelPackage, origin: ShipFrom
    ) -> LabelIntent:
        quote = self.amazon.get_rates(order_id, package, origin)
        shipping = settings.shipping
        rate = choose_rate(
            quote,
            service=shipping.service,
            max_cost=shipping.max_cost,
            deliver_by=self.deliver_by(order_id),
        )
        assert shipping.printer is not None  # labels = "amazon" has one (checked at load)
        return LabelIntent(
            request_token=rate.request_token,
            rate_id=rate.rate_id,
            idempotency_key=self.new_key(),
            carrier_id=rate.carrier_id,
            carrier=rate.carrier_name or rate.carrier_id,
            service=rate.service_name,
            cost=rate.cost,
            currency=rate.currency,
            label_format=shipping.label_format,
            dpi=settings.printers[shipping.printer].dpi,
        )

    def _purchase(self, record: LabelRecord) -> LabelRecord:
        """purchaseShipment with the recorded token, rate and key; a repeat is the same label.

        `RateExpiredError` goes to the caller; Amazon failing otherwise leaves it BUYING."""
        intent = record.intent
        assert intent is not None
        try:
            purchase = self.amazon.purchase_shipment(
                intent.request_token,
                intent.rate_id,
                idempotency_key=intent.idempotency_key,
                label_format=cast(LabelFormat, intent.label_format),
                dpi=intent.dpi,
                carrier_id=intent.carrier_id,
                order_id=record.order_id,
            )
        except RateExpiredError:
            raise
        except (InvalidInputError, RequestValidationError) as exc:
            return self._stop(record, _L.REFUSED, exc.message)
        self._deliver(record, purchase.label.content, intent.label_format)
        bought = self.store.finish_label(
            record.label_id,
            state=_L.BOUGHT,
            expect={_L.BUYING},
            shipment_id=purchase.shipment_id,
            tracking=purchase.tracking_id,
            jobs_to=JobState.SHIPPED,
            reason=f"shipped with a label bought through Amazon ({intent.carrier}"
            f" {purchase.tracking_id})",
        )
        cost = f"{intent.cost} {intent.currency}"
        self._event("label bought", record.order_id, package=record.package_ref,
                    carrier=intent.carrier, service=intent.service,
                    tracking=purchase.tracking_id, cost=cost)  # fmt: skip
        return bought

    def _finish_buying(self, order_id: str) -> list[LabelRecord]:
        """Make every purchase of the order whose answer was lost again, with the same key.

        A package whose order was cancelled meanwhile (Amazon was down when it was, so its
        label could not be voided then) has the label voided as soon as it is known."""
        finished = []
        for record in self.store.labels(order_id=order_id, states={_L.BUYING}):
            try:
                finished.append(self._purchase(record))
            except RateExpiredError as exc:
                # The token expired before any purchase was made with it: buy afresh, unless
                # the order was cancelled meanwhile (nothing was bought: nothing to void).
                again = self.store.finish_label(
                    record.label_id, state=_L.PLANNED, expect={_L.BUYING}, message=exc.message
                )
                finished.append(again if self._cancelled(again) else self._buy(again))
        return [
            self._void(record, _CANCELLED)
            if record.state is _L.BOUGHT and self._cancelled(record)
            else record
            for record in finished
        ]

    # -- voiding ---------------------------------------------------------------------------------

    def _void(self, record: LabelRecord, reason: str) -> LabelRecord:
        assert record.shipment_id is not None
        record = self.store.finish_label(
            record.label_id,
            state=_L.VOIDING,
            expect={_L.BOUGHT, _L.VOIDING, _L.VOID_REFUSED},
            message=reason,
        )
        try:
            self.amazon.cancel_shipment(record.shipment_id or "", order_id=record.order_id)
        except (InvalidInputError, RequestValidationError) as exc:
            return self._stop(record, _L.VOID_REFUSED, exc.message)
        cancelled = reason == _CANCELLED
        voided = self.store.finish_label(
            record.label_id,
            state=_L.VOIDED,
            expect={_L.VOIDING},
            message=reason,
            jobs_to=JobState.CANCELLED if cancelled else None,
            reason=f"label {record.tracking} voided: {reason}",
        )
        self._withdraw(record)
        if cancelled and self.slips is not None:
            self.slips.withdraw(record.order_id, self._device().printer.hot_folder)
        self._event("label voided", record.order_id, package=record.package_ref, reason=reason)
        return voided

    # -- files and records -----------------------------------------------------------------------

    def _cancelled(self, record: LabelRecord) -> bool:
        """Every job of the package's items is cancelled: the order was, while buying."""
        items = {item for item, _ in record.items}
        jobs = [j for j in self.store.jobs(order_id=record.order_id) if j.order_item_id in items]
        return bool(jobs) and all(j.state is JobState.CANCELLED for j in jobs)

    def _printed(self, record: LabelRecord) -> bool:
        """Every job of the package's items is printed (or shipped: a label bought again)."""
        items = {item for item, _ in record.items}
        jobs = [j for j in self.store.jobs(order_id=record.order_id) if j.order_item_id in items]
        live = [j for j in jobs if j.state not in _OPEN_JOBS]
        return bool(live) and all(j.state in (JobState.PRINTED, JobState.SHIPPED) for j in live)

    def _device(self) -> LabelDevice:
        settings = self.settings()
        printer_id = settings.shipping.printer
        if printer_id is None:
            raise ShippingError('no label printer: [shipping] labels = "amazon" needs one')
        return LabelDevice(settings.printers[printer_id])

    def _deliver(self, record: LabelRecord, content: bytes, label_format: str) -> None:
        name = label_name(record.order_id, record.package_ref, label_format)
        device = self._device()
        device.deliver_label(name, content)
        if self.slips is not None:
            self.slips.deliver(record, device.printer.hot_folder)

    def _withdraw(self, record: LabelRecord) -> None:
        """Take a voided label out of the printer's folder if it has not printed it yet."""
        if record.intent is None:
            return
        device = self._device()
        name = label_name(record.order_id, record.package_ref, record.intent.label_format)
        device.withdraw([device.printer.hot_folder / name])

    def _stop(self, record: LabelRecord, state: LabelState, message: str) -> LabelRecord:
        stopped = self.store.finish_label(
            record.label_id, state=state, expect={record.state}, message=message
        )
        self._event(f"label {state.value}", record.order_id, package=record.package_ref,
                    reason=message)  # fmt: skip
        return stopped

    def _event(self, state: str, order_id: str, **fields: object) -> None:
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        self.log({"time": now, "state": state, "order": order_id, **fields})
