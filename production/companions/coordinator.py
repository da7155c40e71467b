"""Companion items through Multi-Channel Fulfillment: held at Amazon, released, cancelled, tracked.

A product may list companions (`companions = [{ sku = "LEASH-RED", quantity = 1 }]`): stock
items Amazon keeps and ships for the shop. When an order of it arrives, `Companions.step()`

1. records the batch (CHECKING), fetches the destination (with an RDT; never kept) and asks
   Amazon for a preview; if Amazon cannot fulfil the items, the custom jobs are held with its
   reasons (a person's Retry on such a job means "check again");
2. records CREATING and creates the fulfillment order on Hold, under an id derived from the
   Amazon order id and with the date recorded in step 1, so a repeat is the same request;
3. once every custom job of the order is printed, records RELEASING and releases it (Ship);
   once the custom order is cancelled, records CANCELLING and cancels it (Amazon refuses once
   it is picking: that is recorded, logged and shown on the desk page);
4. warns when a hold is ten days old (Amazon cancels it at fourteen), and polls the order's
   status, packages and tracking until it is delivered.

Every call to Amazon follows a record of what it is about to do, and a record in an "-ing"
state is finished after a crash by looking the order up first (`find_fulfillment_order`).
Amazon failing (throttled, down, unreachable) never stops anything: the record is tried again
later, less often each time. Steps run on their own thread (`StepThread`) beside the loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from production.amazon.errors import (
    InvalidInputError,
    NotFoundError,
    RequestValidationError,
)
from production.amazon.fulfillment import (
    HOLD_LIFETIME,
    HOLD_WARNING_AGE,
    FulfillmentOrder,
    FulfillmentOrderStatus,
)
from production.amazon.fulfillment_requests import DestinationAddress, FulfillmentItem
from production.companions.api import FulfillmentApi, Pace
from production.companions.rules import (
    COMPANION_CAUSE,
    all_cancelled,
    fulfillment_order_id,
    hold_reason,
    hold_warning_due,
    holdable,
    new_batches,
    preview_problem,
    ready_to_release,
    retried_since_hold,
)
from production.companions.tracking import packages_of, tracking_done
from production.config.settings import Settings
from production.core.errors import AmazonError, ProductionError
from production.core.templates import Product
from production.floor.events import EventLog
from production.floor.pipeline import Pipeline
from production.store import CompanionOrder, CompanionState, ItemRecord, JobRecord, JobState

__all__ = ["Companions", "FulfillmentApi", "Pace"]

_S = CompanionState
_LIVE = [state for state in CompanionState if not state.final]
_TRACKED = (_S.RELEASED, _S.SHIPPED, _S.CANCEL_REFUSED)
_CANCELS_WITH_ORDER = (_S.CHECKING, _S.UNFULFILLABLE, _S.CREATING, _S.HELD, _S.RELEASING,
                       _S.RELEASED)  # fmt: skip
_ON_HOLD = (_S.HELD, _S.RELEASING)
_DROPPED = (
    FulfillmentOrderStatus.CANCELLED,
    FulfillmentOrderStatus.UNFULFILLABLE,
    FulfillmentOrderStatus.INVALID,
)


class Companions:
    """Moves every companion order on by one step; `step()` is what the thread repeats."""

    def __init__(
        self,
        amazon: FulfillmentApi,
        pipeline: Pipeline,
        *,
        marketplace_id: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        pace: Pace | None = None,
        log: EventLog | None = None,
    ) -> None:
        self.amazon = amazon
        self.pipeline = pipeline
        self.store = pipeline.store
        self.marketplace_id = marketplace_id
        self.clock = clock
        self.pace = pace or Pace()
        self.log = log or pipeline.log
        self._covered: set[str] = set()  # order item ids a record covers (never uncovered)
        self._failures: dict[str, tuple[int, datetime]] = {}  # sfo id -> (failures, retry at)

    @property
    def settings(self) -> Settings:
        """The pipeline's, as re-read when a person asks (a retry, SIGHUP)."""
        return self.pipeline.settings

    def step(self) -> int:
        """Record new batches and move every live record on; the number of records looked at."""
        now = self.clock()
        for batch in new_batches(
            self._uncovered_items(),
            lambda order_id: self.store.companion_orders(order_id=order_id),
            self._product_of,
            settled_before=now - self.pace.settle,
        ):
            record = self.store.add_companion_order(batch.new_record())
            self._covered.update(record.order_item_ids)
        records = self.store.companion_orders(states=_LIVE)
        for record in records:
            if not self._due_after_failure(record, now):
                continue
            sfo_id = record.seller_fulfillment_order_id
            failures = self._failures.get(sfo_id)
            try:
                self._advance(record)
            except AmazonError as error:
                self._failed(record, error.message)
            except Exception as error:  # noqa: BLE001 - one record must not stop the others
                reason = error.message if isinstance(error, ProductionError) else None
                self._failed(record, reason or f"internal error ({type(error).__name__})")
            else:
                if self._failures.get(sfo_id) is failures:  # not backed off by this step
                    self._failures.pop(sfo_id, None)
        return len(records)

    # -- the states ------------------------------------------------------------------------------

    def _as_closed(self, job: JobRecord) -> JobRecord:
        """A purged job as the state it was purged from: with retention 0 a cancelled order's
        jobs are purged at once, perhaps before this thread saw them cancelled."""
        if job.state is not JobState.PURGED:
            return job
        trail = self.store.audit(job_id=job.job_id)
        if any(entry.to_state is JobState.CANCELLED for entry in trail):
            return replace(job, state=JobState.CANCELLED)
        return job

    def _advance(self, record: CompanionOrder) -> None:
        jobs = [self._as_closed(job) for job in self.store.jobs(order_id=record.order_id)]
        if record.state in _CANCELS_WITH_ORDER and all_cancelled(record, jobs):
            if record.state in (_S.CHECKING, _S.UNFULFILLABLE):  # nothing at Amazon
                self._save(replace(record, message=None), _S.CANCELLED, "companion cancelled")
                return
            record = self._save(record, _S.CANCELLING, None)
        if record.state is _S.CHECKING:
            self._check(record)
        elif record.state is _S.UNFULFILLABLE:
            self._unfulfillable(record)
        elif record.state is _S.CREATING:
            self._create(record)
        elif record.state is _S.HELD:
            self._held(record)
        elif record.state is _S.RELEASING:
            self._release(record)
        elif record.state is _S.CANCELLING:
            self._cancel(record)
        elif record.state in _TRACKED and self._poll_due(record, self.pace.status_poll):
            self._track(record)

    def _check(self, record: CompanionOrder) -> None:
        """CHECKING: can Amazon fulfil the items? Then create the order on Hold."""
        try:
            address = self.amazon.get_order_address(record.order_id)
            previews = self.amazon.get_fulfillment_preview(
                address, self._lines(record), marketplace_id=self.marketplace_id,
                order_id=record.order_id,
            )  # fmt: skip
        except (InvalidInputError, NotFoundError, RequestValidationError) as refused:
            self._cannot(record, refused.message)
            return
        problem = preview_problem(previews)
        if problem is not None:
            self._cannot(record, problem)
            return
        record = self._save(record, _S.CREATING, None)
        self._create(record, address)

    def _create(self, record: CompanionOrder, address: DestinationAddress | None = None) -> None:
        """CREATING: the order on Hold, unless a create before a crash got through."""
        sfo = record.seller_fulfillment_order_id
        found = self.amazon.find_fulfillment_order(sfo, order_id=record.order_id)
        if found is None:
            try:
                self.amazon.create_fulfillment_order(
                    sfo,
                    destination_address=address or self.amazon.get_order_address(record.order_id),
                    items=self._lines(record),
                    displayable_order_date=record.displayable_date,
                    displayable_order_id=record.order_id,
                    fulfillment_action="Hold",
                    marketplace_id=self.marketplace_id,
                    order_id=record.order_id,
                )
            except (InvalidInputError, NotFoundError, RequestValidationError) as refused:
                self._cannot(record, refused.message)
                return
            found = self.amazon.get_fulfillment_order(sfo, order_id=record.order_id)
        self._adopt(record, found)

    def _held(self, record: CompanionOrder) -> None:
        """HELD: release once printed; warn at ten days; look at Amazon's side now and then."""
        items = self.store.items(order_id=record.order_id)
        if ready_to_release(record, items, self.store.jobs(order_id=record.order_id)):
            self._release(self._save(record, _S.RELEASING, None))
            return
        now = self.clock()
        if hold_warning_due(record, now, HOLD_WARNING_AGE):
            assert record.held_since is not None
            expires = record.held_since + HOLD_LIFETIME
            record = self.store.save_companion_order(replace(record, warned_at=now))
            self._event(
                record, "companion hold expiring", level="warning",
                expires=expires.isoformat(timespec="minutes"),
                reason="the custom jobs are not printed yet and Amazon cancels a held order "
                       "14 days after it was received",
            )  # fmt: skip
        if self._poll_due(record, self.pace.held_poll):
            found = self.amazon.find_fulfillment_order(
                record.seller_fulfillment_order_id, order_id=record.order_id
            )
            if found is None:  # unknown to Amazon after all: create it (again)
                self._save(record, _S.CREATING, None)
            else:
                self._adopt(record, found)

    def _release(self, record: CompanionOrder) -> None:
        """RELEASING: Ship, unless the release before a crash got through."""
        sfo = record.seller_fulfillment_order_id
        current = self.amazon.get_fulfillment_order(sfo, order_id=record.order_id)
        if current.held:
            try:
                self.amazon.update_fulfillment_order(
                    sfo, fulfillment_action="Ship", order_id=record.order_id
                )
            except InvalidInputError as refused:
                current = self.amazon.get_fulfillment_order(sfo, order_id=record.order_id)
                if current.held:  # tried again later; the desk shows why
                    event = None if record.message == refused.message else "companion refused"
                    record = replace(record, message=refused.message)
                    self._save(record, _S.RELEASING, event, level="error", call="release")
                    self._back_off(record)
                    return
            else:
                current = self.amazon.get_fulfillment_order(sfo, order_id=record.order_id)
        self._adopt(record, current)

    def _cancel(self, record: CompanionOrder) -> None:
        """CANCELLING: cancel while Amazon allows it (Received, Planning); report it if not."""
        sfo = record.seller_fulfillment_order_id
        found = self.amazon.find_fulfillment_order(sfo, order_id=record.order_id)
        if found is None:  # never created
            self._save(replace(record, message=None), _S.CANCELLED, "companion cancelled")
            return
        status = found.status
        if status.final and not status.shipped:
            record = replace(record, amazon_status=found.status_text)
            self._save(record, _S.CANCELLED, "companion cancelled")
            return
        if not status.cancellable:
            self._refused(record, found, f"it is {found.status_text or 'shipped'} at Amazon; only "
                          "orders that are Received or Planning can be cancelled")  # fmt: skip
            return
        try:
            self.amazon.cancel_fulfillment_order(sfo, order_id=record.order_id)
        except InvalidInputError as refused:
            self._refused(record, found, refused.message)
            return
        after = self.amazon.get_fulfillment_order(sfo, order_id=record.order_id)
        record = replace(record, amazon_status=after.status_text, message=None)
        self._save(record, _S.CANCELLED, "companion cancelled")

    def _unfulfillable(self, record: CompanionOrder) -> None:
        """UNFULFILLABLE: check again once a person retried a held job; keep new jobs held."""
        jobs = self.store.jobs(order_id=record.order_id)
        if retried_since_hold(record, jobs):
            record = self._save(replace(record, message=None), _S.CHECKING, "companion check")
            self._check(record)
        elif holdable(jobs):  # jobs made after the hold (an item rendered again, say)
            self._hold_jobs(record)
        elif not any(job.state is JobState.HELD for job in jobs) and self._poll_due(
            record, self.pace.held_poll
        ):
            # Printed before Amazon took the companions: no held job to press Retry on, so
            # look again now and then (the shop may have restocked).
            self._check(self.store.save_companion_order(replace(record, polled_at=self.clock())))

    def _track(self, record: CompanionOrder) -> None:
        """RELEASED, SHIPPED, CANCEL_REFUSED: status, packages and tracking until delivered."""
        found = self.amazon.get_fulfillment_order(
            record.seller_fulfillment_order_id, order_id=record.order_id
        )
        self._adopt(record, found)

    # -- what Amazon said ------------------------------------------------------------------------

    def _adopt(self, record: CompanionOrder, order: FulfillmentOrder) -> None:
        """Take Amazon's view of the order into the record: its status decides the state."""
        status = order.status
        now = self.clock()
        record = replace(
            record, amazon_status=order.status_text, polled_at=now,
            held_since=order.received_date if order.held else record.held_since,
        )  # fmt: skip
        if order.held:
            if record.state is _S.HELD:
                self.store.save_companion_order(record)
            else:
                self._save(replace(record, message=None), _S.HELD, "companion held")
        elif status.shipped or (status.final and order.packages):
            self._shipped(record, order)
        elif status is FulfillmentOrderStatus.CANCELLED and record.state is _S.CANCEL_REFUSED:
            self._save(record, _S.CANCELLED, "companion cancelled")  # cancelled at Amazon after all
        elif status in _DROPPED:
            self._dropped(record, order)
        elif record.state in (_S.RELEASED, _S.CANCEL_REFUSED):
            self.store.save_companion_order(record)
        else:
            self._save(replace(record, message=None), _S.RELEASED, "companion released")

    def _shipped(self, record: CompanionOrder, order: FulfillmentOrder) -> None:
        packages = packages_of(self.amazon, order, record)
        first = record.state not in (_S.SHIPPED, _S.CANCEL_REFUSED) or not record.packages
        record = replace(record, packages=packages)
        shipped_at = order.status_updated_date or self.clock()
        if tracking_done(packages, shipped_at, self.clock(), self.pace.tracking_for):
            self._save(record, _S.DELIVERED, "companion delivered")
        elif first:
            state = _S.CANCEL_REFUSED if record.state is _S.CANCEL_REFUSED else _S.SHIPPED
            tracking = [f"{p.carrier} {p.tracking_number or '-'}" for p in packages]
            self._save(record, state, "companion shipped", tracking=tracking)
        else:
            self.store.save_companion_order(record)

    def _dropped(self, record: CompanionOrder, order: FulfillmentOrder) -> None:
        """Amazon cancelled the order itself (a hold past 14 days) or cannot fulfil it."""
        message = (
            f"Amazon ended fulfillment order {record.seller_fulfillment_order_id} as "
            f"{order.status_text}"
            + (" (a hold is cancelled after 14 days)" if record.state in _ON_HOLD else "")
        )
        attempt = record.attempt + 1  # a new check needs a new id: Amazon keeps the old one
        sfo_id = fulfillment_order_id(record.order_id, record.batch, attempt)
        record = replace(
            record, attempt=attempt, seller_fulfillment_order_id=sfo_id, held_since=None,
            warned_at=None, packages=(),
        )  # fmt: skip
        self._cannot(record, message)

    def _cannot(self, record: CompanionOrder, message: str) -> None:
        """Amazon cannot send the companions: hold the custom jobs until a person retries."""
        record = replace(record, message=message, polled_at=self.clock())
        record = self._save(record, _S.UNFULFILLABLE, "companion unfulfillable", level="error")
        self._hold_jobs(record)

    def _hold_jobs(self, record: CompanionOrder) -> None:
        self.pipeline.hold_order(record.order_id, reason=hold_reason(record), cause=COMPANION_CAUSE)
        jobs = self.store.jobs(order_id=record.order_id)
        retries = max((job.attempts for job in jobs), default=0)
        if retries != record.retries_seen:
            self.store.save_companion_order(replace(record, retries_seen=retries))

    def _refused(self, record: CompanionOrder, order: FulfillmentOrder, why: str) -> None:
        """Too late to cancel: it ships anyway. Said loudly, kept on the desk page."""
        message = f"Amazon did not cancel the companion items: {why}"
        record = replace(record, amazon_status=order.status_text, message=message)
        self._save(record, _S.CANCEL_REFUSED, "companion cancel refused", level="error")

    # -- helpers ---------------------------------------------------------------------------------

    def _save(
        self,
        record: CompanionOrder,
        state: CompanionState,
        event: str | None,
        *,
        level: str | None = None,
        **fields: object,
    ) -> CompanionOrder:
        """Record the new state (and whatever else changed), then log `event` about it."""
        saved = self.store.save_companion_order(replace(record, state=state))
        if event is not None:
            extra = {"reason": saved.message} if saved.message and level else {}
            self._event(saved, event, level=level, **extra, **fields)
        return saved

    def _event(self, record: CompanionOrder, state: str, *, level: str | None = None,
               **fields: object) -> None:  # fmt: skip
        event: dict[str, object] = {
            "time": self.clock().isoformat(timespec="milliseconds"),
            "order": record.order_id,
            "fulfillment_order": record.seller_fulfillment_order_id,
            "state": state,
        }
        if level is not None:
            event["level"] = level
        self.log(event | fields)

    def _failed(self, record: CompanionOrder, reason: str) -> None:
        """Amazon failed (not refused): look again later, twice as long each time. A batch
        still being checked shows why on the desk page (nothing else shows it waiting)."""
        wait = self._back_off(record)
        self._event(record, "companion error", level="warning", reason=reason,
                    retry_in_s=round(wait.total_seconds(), 1))  # fmt: skip
        current = self.store.companion_order(record.seller_fulfillment_order_id)
        message = f"Amazon did not answer: {reason}"
        if current is not None and current.state is _S.CHECKING and current.message != message:
            self.store.save_companion_order(replace(current, message=message), expect={_S.CHECKING})

    def _back_off(self, record: CompanionOrder) -> timedelta:
        """Leave the record alone for a while: twice as long after each failure in a row."""
        failures, _ = self._failures.get(record.seller_fulfillment_order_id, (0, self.clock()))
        wait = min(self.pace.max_backoff, timedelta(seconds=self.pace.step_seconds * 2**failures))
        self._failures[record.seller_fulfillment_order_id] = (failures + 1, self.clock() + wait)
        return wait

    def _due_after_failure(self, record: CompanionOrder, now: datetime) -> bool:
        failed = self._failures.get(record.seller_fulfillment_order_id)
        return failed is None or now >= failed[1]

    def _poll_due(self, record: CompanionOrder, every: timedelta) -> bool:
        return record.polled_at is None or self.clock() - record.polled_at >= every

    def _lines(self, record: CompanionOrder) -> list[FulfillmentItem]:
        return [FulfillmentItem(sku, quantity) for sku, quantity in record.items]

    def _product_of(self, item: ItemRecord) -> Product | None:
        return self.settings.product_for(item.asin, item.sku)

    def _uncovered_items(self) -> list[ItemRecord]:
        """Items of open orders, leaving out orders whose items all have a record already."""
        items = self.store.open_order_items()
        self._covered &= {item.order_item_id for item in items}
        uncovered = {i.order_id for i in items if i.order_item_id not in self._covered}
        return [item for item in items if item.order_id in uncovered]
