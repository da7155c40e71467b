"""The pure rules behind companion orders: batches, release and cancel conditions, words."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from production.amazon.fulfillment import FulfillmentPreview, UnfulfillableItem
from production.companions.rules import (
    all_cancelled,
    companions_of,
    fulfillment_order_id,
    new_batches,
    preview_problem,
    ready_to_release,
    retried_since_hold,
)
from production.core.templates import Companion, Product
from production.store import CompanionOrder, CompanionState, ItemRecord, JobRecord, JobState

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
ORDER = "902-1234567-7654321"
SIGN = Product("B0SIGN", None, "sign", companions=(Companion("LEASH", 1), Companion("TAG", 2)))
MUG = Product("B0MUG", None, "mug", companions=(Companion("TAG", 1),))
PLAIN = Product("B0PLAIN", None, "plain")
PRODUCTS = {p.asin: p for p in (SIGN, MUG, PLAIN)}


def item(
    item_id: str, asin: str, quantity: int = 1, *, at: datetime = T0, order: str = ORDER
) -> ItemRecord:
    return ItemRecord(item_id, order, asin, None, quantity, "z.zip", "ab", at)


def product_of(record: ItemRecord) -> Product | None:
    return PRODUCTS.get(record.asin or "")


def job(item_id: str, state: JobState, attempts: int = 0) -> JobRecord:
    return JobRecord(
        f"{item_id}-FRONT", ORDER, item_id, "FRONT", "uv-1", "stem", state, None,
        "companion" if state is JobState.HELD else None, (), attempts, T0, T0,
    )  # fmt: skip


def record(*item_ids: str, retries_seen: int = 0) -> CompanionOrder:
    return CompanionOrder(
        ORDER, "", ORDER, (("LEASH", 1),), item_ids, T0, CompanionState.HELD, 1, None, None,
        (), None, None, retries_seen, None, T0, T0,
    )  # fmt: skip


def test_companions_are_summed_per_sku_times_the_items_quantity() -> None:
    items = [item("1", "B0SIGN", 3), item("2", "B0MUG", 2), item("3", "B0PLAIN")]
    assert companions_of(items, product_of) == (("LEASH", 3), ("TAG", 8))
    assert companions_of([item("4", "B0UNKNOWN")], product_of) == ()


def test_an_order_waits_until_its_items_have_settled_then_makes_one_batch() -> None:
    items = [item("1", "B0SIGN"), item("2", "B0MUG", at=T0 + timedelta(seconds=2))]
    none = new_batches(
        items, lambda order: [], product_of, settled_before=T0 + timedelta(seconds=1)
    )
    assert none == []
    [batch] = new_batches(items, lambda order: [], product_of, settled_before=T0 + timedelta(1))
    assert (batch.batch, batch.companions) == ("", (("LEASH", 1), ("TAG", 3)))
    new = batch.new_record()
    assert new.seller_fulfillment_order_id == ORDER and new.displayable_date == T0
    assert new.order_item_ids == ("1", "2")


def test_items_a_record_covers_get_no_second_batch_and_a_later_one_its_own() -> None:
    items = [item("1", "B0SIGN"), item("2", "B0PLAIN"), item("3", "B0MUG")]
    known = [record("1")]
    [later] = new_batches(items, lambda order: known, product_of, settled_before=T0)
    assert (later.batch, [i.order_item_id for i in later.items]) == ("3", ["3"])
    assert later.new_record().seller_fulfillment_order_id == f"{ORDER}-3"
    covered = [record("1", "3")]
    assert new_batches(items, lambda order: covered, product_of, settled_before=T0) == []


def test_fulfillment_order_ids_stay_within_forty_characters() -> None:
    assert fulfillment_order_id(ORDER, "", 1) == ORDER
    assert fulfillment_order_id(ORDER, "", 2) == f"{ORDER}-r2"
    assert fulfillment_order_id(ORDER, "80001300000011", 3) == f"{ORDER}-80001300000011-r3"
    long = fulfillment_order_id(ORDER, "80001300000011", 1234)  # past 40 characters: a digest
    assert len(long) == 40 and long.startswith(ORDER)
    assert long != fulfillment_order_id(ORDER, "80001300000011", 1235)


def test_release_waits_for_every_job_of_the_order() -> None:
    items = [item("1", "B0SIGN"), item("2", "B0PLAIN")]
    mine = record("1")
    printed, queued, cancelled = JobState.PRINTED, JobState.QUEUED, JobState.CANCELLED
    assert not ready_to_release(mine, items, [job("1", printed), job("2", queued)])
    assert ready_to_release(mine, items, [job("1", printed), job("2", JobState.SHIPPED)])
    assert ready_to_release(mine, items, [job("1", printed), job("2", cancelled)])
    assert not ready_to_release(mine, items, [job("1", cancelled), job("2", printed)])
    assert not ready_to_release(mine, items, [job("1", printed)])  # item 2 not planned yet
    assert all_cancelled(mine, [job("1", cancelled), job("2", printed)])
    assert not all_cancelled(mine, [job("1", printed), job("2", cancelled)])
    assert not all_cancelled(mine, [job("2", cancelled)])


def test_a_retry_is_a_job_retried_more_often_than_when_it_was_held() -> None:
    assert not retried_since_hold(record("1", retries_seen=1), [job("1", JobState.HELD, 1)])
    assert retried_since_hold(record("1", retries_seen=1), [job("1", JobState.RECEIVED, 2)])


def test_a_preview_problem_names_each_sku_and_amazons_reasons() -> None:
    def preview(
        fulfillable: bool, *items: UnfulfillableItem, reasons: Iterable[str] = ()
    ) -> FulfillmentPreview:
        return FulfillmentPreview("Standard", fulfillable, items, tuple(reasons), None, None)

    assert preview_problem([preview(False), preview(True)]) is None
    short = UnfulfillableItem("LEASH", "LEASH", 2, ("InventoryUnavailable",))
    unknown = UnfulfillableItem("", "TAG", 1, ())
    problem = preview_problem([preview(False, short, unknown, reasons=["InvalidDestination"])])
    assert problem == (
        "LEASH × 2: InventoryUnavailable; TAG × 1: no reason given; the order: InvalidDestination"
    )
    assert preview_problem([]) == "Amazon gave no fulfillment preview"
