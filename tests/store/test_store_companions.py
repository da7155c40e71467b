"""The job store contract for companion orders and whole-order holds: every backend passes these.

A backend joins by its entry in `test_store_contract.BACKENDS`.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from production.core.errors import StoreError
from production.store import (
    CompanionPackage,
    CompanionState,
    JobStore,
    NewCompanionOrder,
)
from tests.store.test_store_contract import (
    ITEM,
    ORDER,
    ROUTE,
    START,
    Clock,
    S,
    add,
    get,
    new_item,
    walk,
)

C = CompanionState
OTHER = "900-0000009-0000009"


def batch(order_id: str = ORDER, name: str = "", *, sfo: str | None = None) -> NewCompanionOrder:
    return NewCompanionOrder(
        order_id=order_id,
        batch=name,
        seller_fulfillment_order_id=sfo or "-".join(p for p in (order_id, name) if p),
        items=(("LEASH-RED", 2), ("TAG-BLANK", 1)),
        order_item_ids=(ITEM, "90000000000044"),
        displayable_date=START,
    )


# -- companion orders --------------------------------------------------------------------------


def test_a_companion_order_is_recorded_once_in_checking(store: JobStore) -> None:
    first = store.add_companion_order(batch())
    assert (first.order_id, first.batch, first.seller_fulfillment_order_id) == (ORDER, "", ORDER)
    assert first.items == (("LEASH-RED", 2), ("TAG-BLANK", 1)) and first.units == 3
    assert first.order_item_ids == (ITEM, "90000000000044")
    assert first.displayable_date == START and first.displayable_date.utcoffset() == timedelta(0)
    assert (first.state, first.attempt, first.retries_seen) == (C.CHECKING, 1, 0)
    assert (first.amazon_status, first.message, first.packages) == (None, None, ())
    assert (first.held_since, first.warned_at, first.polled_at) == (None, None, None)
    assert first.created_at == first.updated_at

    # A repeat (after a crash) changes nothing and gives back what is there.
    again = store.add_companion_order(dataclasses.replace(batch(), items=(("OTHER", 9),)))
    assert again == first
    assert store.companion_orders() == [first]
    assert store.companion_order(ORDER) == first
    assert store.companion_order("no-such-order") is None


def test_every_change_is_written_and_read_back(store: JobStore, clock: Clock) -> None:
    record = store.add_companion_order(batch())
    package = CompanionPackage(
        100001, "UPS", "1Z999", "IN_TRANSIT", "https://www.swiship.com/track?id=TBA1", False
    )
    changed = dataclasses.replace(
        record,
        seller_fulfillment_order_id=f"{ORDER}-r2",
        state=C.SHIPPED,
        attempt=2,
        amazon_status="COMPLETE",
        message="Amazon's words",
        packages=(package, dataclasses.replace(package, number=100002, proof_of_delivery=True)),
        held_since=START,
        warned_at=START + timedelta(days=10),
        retries_seen=3,
        polled_at=START + timedelta(days=11),
    )
    saved = store.save_companion_order(changed)
    assert saved == dataclasses.replace(changed, updated_at=saved.updated_at)
    assert saved.updated_at > record.updated_at and saved.created_at == record.created_at
    assert store.companion_order(f"{ORDER}-r2") == saved
    assert store.companion_order(ORDER) is None  # the id moved on with the new attempt
    # What never changes: the items, the custom items they go with, the displayable date.
    moved = dataclasses.replace(saved, items=(("X", 1),), displayable_date=clock.now)
    assert store.save_companion_order(moved).items == saved.items


def test_saving_can_be_a_compare_and_set_on_the_state(store: JobStore) -> None:
    record = store.add_companion_order(batch())
    creating = store.save_companion_order(
        dataclasses.replace(record, state=C.CREATING), expect={C.CHECKING}
    )
    with pytest.raises(StoreError, match="is creating, expected checking"):
        store.save_companion_order(dataclasses.replace(record, state=C.HELD), expect={C.CHECKING})
    assert store.companion_orders() == [creating]
    unknown = dataclasses.replace(record, order_id=OTHER)
    with pytest.raises(StoreError, match=OTHER):
        store.save_companion_order(unknown)


def test_companion_orders_filter_by_order_and_state(store: JobStore) -> None:
    first = store.add_companion_order(batch())
    later = store.add_companion_order(batch(name="90000000000055"))
    other = store.add_companion_order(batch(OTHER))
    held = store.save_companion_order(dataclasses.replace(other, state=C.HELD))
    assert store.companion_orders() == [first, later, held]
    assert store.companion_orders(order_id=ORDER) == [first, later]
    assert store.companion_orders(states={C.HELD, C.RELEASED}) == [held]
    assert store.companion_orders(order_id=ORDER, states={C.HELD}) == []
    assert store.companion_orders(states=[]) == []


def test_two_batches_cannot_share_a_fulfillment_order_id(store: JobStore) -> None:
    store.add_companion_order(batch())
    with pytest.raises(StoreError):
        store.add_companion_order(batch(name="90000000000055", sfo=ORDER))


def test_companion_orders_outlive_a_purge(store: JobStore) -> None:
    (job,) = add(store)
    walk(store, job.job_id, *ROUTE[S.SHIPPED])
    record = store.add_companion_order(batch())
    store.purge_order(ORDER, reason="purged")
    assert store.companion_orders(order_id=ORDER) == [record]


# -- holding and open orders -------------------------------------------------------------------


def test_hold_order_holds_the_jobs_not_printed_yet(store: JobStore) -> None:
    jobs = add(store, surfaces=("A", "B", "C", "D", "E", "F"))
    states = [S.RECEIVED, S.RENDERED, S.QUEUED, S.HELD, S.PRINTED, S.CANCELLED]
    for job, state in zip(jobs, states, strict=True):
        if state is S.QUEUED:  # delivered: its files are what the pipeline pulls back
            walk(store, job.job_id, S.RENDERED)
            store.transition(job.job_id, S.QUEUED, hot_paths=["hot/uv-1/C.pdf"])
        else:
            walk(store, job.job_id, *ROUTE[state])
    (other,) = add(store, item_id="90000000000055", order_id=OTHER)
    before = [get(store, job.job_id) for job in jobs[3:]]

    held = store.hold_order(ORDER, reason="companions out of stock", cause="companion")

    assert [job.job_id for job in held] == [job.job_id for job in jobs[:3]]
    for job in held:
        assert store.job(job.job_id) == job
        assert (job.state, job.cause) == (S.HELD, "companion")
        assert job.reason == "companions out of stock"
    assert held[2].hot_paths == ("hot/uv-1/C.pdf",)
    assert [get(store, job.job_id) for job in jobs[3:]] == before  # their own cause stays
    assert get(store, other.job_id).state is S.RECEIVED
    audit = [r for r in store.audit(order_id=ORDER) if r.reason == "companions out of stock"]
    assert [(r.job_id, r.from_state) for r in audit] == [
        (job.job_id, state) for job, state in zip(jobs[:3], states[:3], strict=True)
    ]
    assert store.hold_order(ORDER, reason="again", cause="companion") == []
    assert store.hold_order("900-0000099-0000099", reason="unknown", cause="companion") == []
    with pytest.raises(StoreError):
        store.hold_order(OTHER, reason="no cause", cause="")


def test_open_order_items_are_those_of_orders_not_finished(store: JobStore) -> None:
    def order(n: int, *states: S) -> str:
        order_id = f"900-000000{n}-000000{n}"
        for i, state in enumerate(states):
            (job,) = add(store, f"9000000000{n}{i}00", order_id)
            walk(store, job.job_id, *ROUTE[state])
        return order_id

    printed = order(1, S.PRINTED, S.SHIPPED)  # one item still to ship: open
    order(2, S.SHIPPED, S.CANCELLED)  # done
    held = order(3, S.HELD)
    order(4, S.CANCELLED)
    order(5, S.PURGED)
    queued = order(6, S.QUEUED)
    assert store.add_item(new_item("90000000000799", "900-0000007-0000007"))  # no job yet

    found = store.open_order_items()
    assert {item.order_id for item in found} == {printed, held, queued}
    assert [i.order_item_id for i in found if i.order_id == printed] == [
        "90000000001000",
        "90000000001100",
    ]
    assert [i.received_at for i in found] == sorted(i.received_at for i in found)
