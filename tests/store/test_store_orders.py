"""The job store contract for its order-wide answers, over random histories: every backend passes.

Ready to ship, due for purging, the records of many orders at once and the change count are
kept up to date by the backend as things change. Each test here drives a store through random
sequences of everything that changes an order (items, plans, state changes, cancellations,
holds, purges, packages, companion orders) and compares, after every step, the store's answers
with a plain computation from the records it lists.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Iterator
from contextlib import suppress
from datetime import datetime, timedelta

import pytest

from production.core.errors import StoreError
from production.store import (
    CompanionState,
    ItemRecord,
    JobRecord,
    JobStore,
    NewCompanionOrder,
    ShipmentState,
)
from production.store.states import TRANSITIONS
from tests.store.test_store_contract import (
    START,
    Clock,
    S,
    new_item,
    new_job,
)

ORDERS = [f"900-000000{n}-000000{n}" for n in range(1, 6)]
SURFACES = ("A", "B")
FORWARD = {S.RECEIVED: S.RENDERED, S.RENDERED: S.QUEUED, S.QUEUED: S.PRINTED,
           S.PRINTED: S.SHIPPED, S.SHIPPED: S.PURGED, S.HELD: S.RECEIVED}  # fmt: skip


# -- the reference: computed from the records, the way the contract words it ----------------------


def planned(items: list[ItemRecord], jobs: list[JobRecord]) -> bool:
    return {i.order_item_id for i in items} <= {j.order_item_id for j in jobs}


def ready_reference(store: JobStore) -> list[str]:
    ready = []
    for order_id in sorted({item.order_id for item in store.items()}):
        items, jobs = store.items(order_id=order_id), store.jobs(order_id=order_id)
        states = {job.state for job in jobs}
        if planned(items, jobs) and S.PRINTED in states and states <= {S.PRINTED, S.CANCELLED}:
            ready.append(order_id)
    return ready


def purge_reference(store: JobStore, closed_before: datetime) -> list[str]:
    due = []
    for order_id in sorted({item.order_id for item in store.items()}):
        items, jobs = store.items(order_id=order_id), store.jobs(order_id=order_id)
        closing = [j.updated_at for j in jobs if j.state in (S.SHIPPED, S.CANCELLED)]
        if (
            planned(items, jobs)
            and {job.state for job in jobs} <= {S.SHIPPED, S.CANCELLED, S.PURGED}
            and closing
            and max(closing) <= closed_before
        ):
            due.append(order_id)
    return due


def shown(store: JobStore) -> tuple[object, ...]:
    """Everything the desk can show; the change count must move exactly when this does."""
    return (store.items(), store.jobs(), store.shipments(), store.companion_orders())


# -- random steps ------------------------------------------------------------------------------


Step = Callable[[JobStore, random.Random], object]


def add_item(store: JobStore, rng: random.Random) -> object:
    order_id = rng.choice(ORDERS)
    item_id = f"9{ORDERS.index(order_id)}{rng.randrange(2):012d}"
    added = store.add_item(new_item(item_id, order_id))
    if added and rng.random() < 0.8:  # usually planned at once, as intake does
        store.set_jobs(
            item_id, [new_job(s, item_id, order_id) for s in SURFACES[: rng.randint(1, 2)]]
        )
    return added


def plan(store: JobStore, rng: random.Random) -> object:
    item = rng.choice(store.items())
    surfaces = rng.sample(SURFACES, rng.randint(0, len(SURFACES)))  # none: jobs taken away
    held = rng.random() < 0.2
    return store.set_jobs(
        item.order_item_id,
        [new_job(s, item.order_item_id, item.order_id) for s in surfaces],
        state=S.HELD if held else S.RECEIVED,
        cause="review" if held else None,
    )


def step_job(store: JobStore, rng: random.Random) -> object:
    job = rng.choice(store.jobs())
    # Mostly on along the main line, so that orders get printed, shipped and purged; now and
    # then any allowed change, or a refused one (which must change nothing).
    chance = rng.random()
    if chance < 0.7 and job.state in FORWARD:
        to = FORWARD[job.state]
        if to is S.SHIPPED and job.order_id not in ready_reference(store):
            return None  # as the desk does: a box goes out whole
    elif chance < 0.95:
        to = rng.choice(sorted(TRANSITIONS[job.state]) or [S.RECEIVED])
    else:
        to = rng.choice(list(S))
    return store.transition(job.job_id, to, cause="proof" if to is S.HELD else None)


def cancel(store: JobStore, rng: random.Random) -> object:
    return store.cancel_order(rng.choice(ORDERS), reason="buyer cancelled")


def hold(store: JobStore, rng: random.Random) -> object:
    return store.hold_order(rng.choice(ORDERS), reason="companions", cause="companion")


def purge(store: JobStore, rng: random.Random) -> object:
    return store.purge_order(rng.choice(ORDERS), reason="retention")


def ship(store: JobStore, rng: random.Random) -> object:
    order_id = rng.choice(ORDERS)
    package = store.add_shipment(
        order_id, carrier="UPS", tracking=f"1Z{rng.randrange(3)}", ship_date=START, items=[]
    )
    if rng.random() < 0.5:
        state = rng.choice([ShipmentState.CONFIRMED, ShipmentState.FAILED, ShipmentState.MANUAL])
        return store.finish_shipment(order_id, package.package_ref, state=state)
    return package


def companion(store: JobStore, rng: random.Random) -> object:
    order_id = rng.choice(ORDERS)
    record = store.add_companion_order(
        NewCompanionOrder(order_id, "", f"{order_id}-1", (("LEASH", 1),), (), START)
    )
    if rng.random() < 0.5:
        state = rng.choice(list(CompanionState))
        return store.save_companion_order(dataclasses.replace(record, state=state))
    return record


def meta(store: JobStore, rng: random.Random) -> object:
    store.set_meta("last_poll", str(rng.random()))
    return None


def ship_by(store: JobStore, rng: random.Random) -> object:
    item = rng.choice(store.items())
    return store.set_item_ship_by(item.order_item_id, START + timedelta(days=rng.randrange(3)))


# Weighted towards moving jobs, so that orders get printed, shipped and purged.
STEPS: dict[Step, int] = {add_item: 3, plan: 3, step_job: 24, cancel: 1, hold: 1, purge: 3,
                          ship: 2, companion: 2, meta: 1, ship_by: 1}  # fmt: skip


def history(store: JobStore, seed: int, steps: int) -> Iterator[str]:
    """Make `steps` random changes (refused ones included); the name of each, after it."""
    rng = random.Random(seed)
    store.add_item(new_item("90000000000001", ORDERS[0]))
    for _ in range(steps):
        [step] = rng.choices(list(STEPS), weights=list(STEPS.values()))
        if step is not add_item and not store.jobs() and step is not plan:
            step = plan
        # Refused as the contract says (a forbidden change, an open order's purge): no change.
        with suppress(StoreError):
            step(store, rng)
        yield step.__name__


# -- the contract ----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_ready_and_purge_answers_match_the_records_through_any_history(
    store: JobStore, clock: Clock, seed: int
) -> None:
    seen_ready = seen_due = 0
    for name in history(store, seed, 200):
        ready = ready_reference(store)
        assert store.orders_ready_to_ship() == ready, name
        assert [o for o in ORDERS if store.ready_to_ship(o)] == ready, name
        middle = START + (clock.now - START) / 2
        for closed_before in (clock.now, middle, START):
            assert store.orders_to_purge(closed_before=closed_before) == purge_reference(
                store, closed_before
            ), name
        seen_ready += bool(ready)
        seen_due += bool(purge_reference(store, clock.now))
    # The histories reach both answers, or they would prove little.
    assert seen_ready and seen_due


@pytest.mark.parametrize("seed", range(4, 7))
def test_the_change_count_moves_exactly_when_what_the_desk_shows_changes(
    store: JobStore, seed: int
) -> None:
    before, count = shown(store), store.change_count()
    moved = stayed = 0
    for name in history(store, seed, 120):
        after, now = shown(store), store.change_count()
        assert (now > count) == (after != before), name
        assert now >= count, name
        moved, stayed = moved + (now > count), stayed + (now == count)
        before, count = after, now
    assert moved and stayed


@pytest.mark.parametrize("seed", range(7, 9))
def test_orders_reads_many_orders_as_one_order_at_a_time_would(store: JobStore, seed: int) -> None:
    for _ in history(store, seed, 100):
        pass
    unknown = "900-0000099-0000099"
    wanted = [ORDERS[3], unknown, *ORDERS, ORDERS[0]]
    found = store.orders(wanted)
    known = [o for o in dict.fromkeys(wanted) if store.items(order_id=o)]
    assert [records.order_id for records in found] == known
    ready = set(store.orders_ready_to_ship())
    for records in found:
        order_id = records.order_id
        assert records.items == tuple(store.items(order_id=order_id))
        assert records.jobs == tuple(store.jobs(order_id=order_id))
        assert records.shipments == tuple(store.shipments(order_id=order_id))
        assert records.companions == tuple(store.companion_orders(order_id=order_id))
        assert records.ready is (order_id in ready)
    assert store.orders([]) == [] and store.orders([unknown]) == []


def test_jobs_planned_away_change_the_orders_answers(store: JobStore, clock: Clock) -> None:
    # An item whose printed (or shipped) job stays while its unfinished one is planned away.
    for order_id, done in ((ORDERS[0], S.PRINTED), (ORDERS[1], S.SHIPPED)):
        item_id = f"9{ORDERS.index(order_id)}000000000001"
        assert store.add_item(new_item(item_id, order_id))
        first, _ = store.set_jobs(item_id, [new_job(s, item_id, order_id) for s in SURFACES])
        for state in (S.RENDERED, S.QUEUED, S.PRINTED, S.SHIPPED)[: 3 if done is S.PRINTED else 4]:
            store.transition(first.job_id, state)
    assert store.orders_ready_to_ship() == []
    assert store.orders_to_purge(closed_before=clock.now) == []
    for order_id in ORDERS[:2]:
        store.set_jobs(f"9{ORDERS.index(order_id)}000000000001", [])
    assert store.orders_ready_to_ship() == [ORDERS[0]] == ready_reference(store)
    assert store.orders_to_purge(closed_before=clock.now) == [ORDERS[1]]
