"""Companion items through Multi-Channel Fulfillment, against the simulator over real HTTP.

Hold on arrival, hold the custom job when Amazon cannot send the companions (and check again
on Retry), release once printed, cancel with the order (and report Amazon's refusal), warn at
ten days on hold, recover a lost answer without a second order, track until delivered.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from production.amazon.errors import UnreachableError
from production.amazon.fulfillment_client import MCF_PATH
from production.amazon.sim import Faults
from production.store import CompanionState, JobState
from tests.amazon.test_sim import lwa
from tests.companions.mcf_shop import BOX, LEASH, McfShop, sample_zip

C = CompanionState
DAY = 86400.0
PACE_STATUS = 600.0  # PACE.status_poll: how often a released order is looked at


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[McfShop]:
    shop = McfShop(tmp_path)
    with shop.connect():
        yield shop
    shop.close()


def held_order(shop: McfShop, name: str = "text-only", number: int = 1) -> str:
    order_id = shop.order(name, number)
    shop.step()
    assert shop.record(order_id).state is C.HELD
    return order_id


# -- on arrival ----------------------------------------------------------------------------------


def test_an_order_with_companions_is_held_at_amazon_on_arrival(shop: McfShop) -> None:
    sign = shop.order("text-only", 1)
    mug = shop.order("photo-text", 2)
    plain = shop.order("two-surfaces", 3)  # a tote bag: no companions
    shop.step()

    at_amazon = shop.at_amazon()
    assert set(at_amazon) == {sign, mug}  # the fulfillment order id is the Amazon order id
    assert [(line.sku, line.quantity) for line in at_amazon[sign].lines] == [(LEASH, 1)]
    assert [(line.sku, line.quantity) for line in at_amazon[mug].lines] == [(BOX, 2)]
    for order_id in (sign, mug):
        placed = at_amazon[order_id]
        assert (placed.action, placed.status, placed.displayable_order_id) == (
            "Hold",
            "Received",
            order_id,
        )
        record = shop.record(order_id)
        assert (record.state, record.amazon_status, record.message) == (C.HELD, "Received", None)
        assert record.held_since is not None  # Amazon's receivedDate, to the millisecond
        assert abs(record.held_since - shop.amazon_clock.wall) < timedelta(milliseconds=1)
        assert shop.job_states(order_id) == {(JobState.QUEUED, None)}  # printing goes on
    assert shop.store.companion_orders(order_id=plain) == []
    assert shop.state.mcf.inventory()[BOX]["reserved"] == 2
    assert [e["order"] for e in shop.logged("companion held")] == [sign, mug]

    shop.step(3)  # nothing more to do: no second order, no call
    assert set(shop.at_amazon()) == {sign, mug}


def test_items_of_one_order_go_out_together_and_a_later_item_alone(shop: McfShop) -> None:
    order_id = "902-0000001-0000001"
    shop.state.add_order(data := _zip("text-only", 11, order_id))
    shop.drop(data, "first.zip")
    shop.state.add_order(data := _zip("photo-text", 12, order_id))
    shop.drop(data, "second.zip")
    shop.settle()
    shop.step()
    [together] = shop.at_amazon().values()
    assert together.seller_fulfillment_order_id == order_id
    assert sorted((line.sku, line.quantity) for line in together.lines) == [(LEASH, 1), (BOX, 2)]

    shop.order("text-only", 13, order_id=order_id)  # a third item, days later
    shop.step()
    records = shop.store.companion_orders(order_id=order_id)
    assert [(r.batch, r.state) for r in records] == [("", C.HELD), ("80001300000011", C.HELD)]
    assert set(shop.at_amazon()) == {order_id, f"{order_id}-80001300000011"}


def test_unfulfillable_companions_hold_the_custom_job_until_a_retry_finds_stock(
    shop: McfShop,
) -> None:
    shop.state.mcf.stock(LEASH, 0)
    order_id = shop.order("text-only", 1)
    [job] = shop.store.jobs(order_id=order_id)
    assert job.state is JobState.QUEUED and job.hot_paths
    shop.step()

    record = shop.record(order_id)
    assert record.state is C.UNFULFILLABLE
    assert record.message == f"{LEASH} × 1: InventoryUnavailable"
    [held] = shop.store.jobs(order_id=order_id)
    assert (held.state, held.cause) == (JobState.HELD, "companion")
    assert "InventoryUnavailable" in (held.reason or "") and "Retry" in (held.reason or "")
    assert not any(Path(p).exists() for p in job.hot_paths)  # pulled back out of the hot folder
    assert shop.at_amazon() == {}
    [event] = shop.logged("companion unfulfillable")
    assert event["level"] == "error" and "InventoryUnavailable" in str(event["reason"])

    shop.step(2)  # nothing changes until a person acts
    assert shop.record(order_id).state is C.UNFULFILLABLE and shop.at_amazon() == {}

    shop.state.mcf.stock(LEASH, 5)  # restocked at Amazon; the person presses Retry
    shop.retry(order_id)
    shop.step()
    assert shop.record(order_id).state is C.HELD
    assert shop.at_amazon()[order_id].status == "Received"
    assert shop.job_states(order_id) == {(JobState.QUEUED, None)}


def test_a_retry_while_still_out_of_stock_holds_the_job_again(shop: McfShop) -> None:
    shop.state.mcf.stock(LEASH, 0)
    order_id = shop.order("text-only", 1)
    shop.step()
    shop.retry(order_id)
    assert shop.job_states(order_id) == {(JobState.QUEUED, None)}
    shop.step()
    assert shop.job_states(order_id) == {(JobState.HELD, "companion")}
    assert shop.record(order_id).state is C.UNFULFILLABLE
    assert len(shop.logged("companion unfulfillable")) == 2


def test_an_order_amazon_does_not_know_holds_its_job_with_amazons_words(shop: McfShop) -> None:
    shop.drop(_zip("text-only", 5), "dropped-by-hand.zip")  # never an Amazon order
    shop.settle()
    shop.step()
    [record] = shop.store.companion_orders()
    assert record.state is C.UNFULFILLABLE and "was not found" in (record.message or "")
    assert shop.job_states(record.order_id) == {(JobState.HELD, "companion")}


# -- release, cancel -----------------------------------------------------------------------------


def test_printing_every_custom_job_releases_the_companions(shop: McfShop) -> None:
    order_id = held_order(shop, "photo-text", 2)
    shop.step()
    assert shop.at_amazon()[order_id].action == "Hold"

    shop.print_order(order_id)
    shop.step()
    released = shop.at_amazon()[order_id]
    assert (released.action, released.status) == ("Ship", "Planning")
    record = shop.record(order_id)
    assert (record.state, record.amazon_status) == (C.RELEASED, "Planning")
    assert [e["order"] for e in shop.logged("companion released")] == [order_id]

    shop.advance(shop.state.mcf.planning_seconds + PACE_STATUS)
    shop.step()
    assert shop.record(order_id).amazon_status == "Processing"


def test_an_order_is_released_only_once_all_its_jobs_are_printed(shop: McfShop) -> None:
    order_id = "902-0000002-0000002"
    for number, name in ((21, "text-only"), (22, "two-surfaces")):
        shop.state.add_order(data := _zip(name, number, order_id))
        shop.drop(data, f"{name}.zip")
    shop.settle()
    shop.step()
    jobs = shop.store.jobs(order_id=order_id)
    assert len(jobs) == 3
    for job in jobs[:2]:
        shop.daemon.pipeline.mark_printed(job.job_id, reason="printed")
    shop.step()
    assert shop.record(order_id).state is C.HELD
    shop.daemon.pipeline.mark_printed(jobs[2].job_id, reason="printed")
    shop.step()
    assert shop.record(order_id).state is C.RELEASED


def test_a_cancelled_order_cancels_its_companions(shop: McfShop) -> None:
    order_id = held_order(shop)
    assert shop.state.mcf.inventory()[LEASH]["available"] == 19
    shop.daemon.pipeline.cancel_order(order_id, reason="cancelled on Amazon")
    shop.step()
    assert shop.at_amazon()[order_id].status == "Cancelled"
    record = shop.record(order_id)
    assert (record.state, record.amazon_status) == (C.CANCELLED, "Cancelled")
    assert shop.state.mcf.inventory()[LEASH]["available"] == 20
    assert [e["order"] for e in shop.logged("companion cancelled")] == [order_id]


def test_a_cancelled_order_purged_before_the_companions_look_still_cancels_them(
    shop: McfShop,
) -> None:
    """With retention 0 the daemon purges a cancelled order in the same pass: its companions
    must still be cancelled, not wait for jobs that will never read "cancelled" again."""
    order_id = held_order(shop)
    shop.daemon.pipeline.cancel_order(order_id, reason="cancelled on Amazon")
    shop.daemon.loop()  # the pass that cancelled it purges it too
    assert {job.state.value for job in shop.daemon.pipeline.store.jobs(order_id=order_id)} == {
        "purged"
    }
    shop.step()
    assert shop.at_amazon()[order_id].status == "Cancelled"
    assert shop.record(order_id).state is C.CANCELLED


def test_a_cancel_after_amazon_started_picking_is_refused_and_reported(shop: McfShop) -> None:
    order_id = held_order(shop)
    shop.print_order(order_id)
    shop.step()
    shop.advance(shop.state.mcf.planning_seconds)  # Amazon is picking it now
    shop.daemon.pipeline.cancel_order(order_id, reason="cancelled on Amazon")
    shop.step()
    record = shop.record(order_id)
    assert record.state is C.CANCEL_REFUSED and record.amazon_status == "Processing"
    assert record.message == (
        "Amazon did not cancel the companion items: it is Processing at Amazon; only orders "
        "that are Received or Planning can be cancelled"
    )
    [event] = shop.logged("companion cancel refused")
    assert event["level"] == "error" and event["reason"] == record.message
    assert shop.at_amazon()[order_id].status == "Processing"


def test_amazons_own_refusal_of_a_cancel_is_kept_word_for_word(shop: McfShop) -> None:
    order_id = held_order(shop)
    shop.print_order(order_id)
    shop.step()  # released: Planning, which can still be cancelled...
    shop.daemon.pipeline.cancel_order(order_id, reason="cancelled on Amazon")
    # ...but Amazon starts picking between the daemon's look and its cancel.
    shop.companions = shop.make_companions(amazon=PickingBeforeCancel(shop))
    shop.step()
    record = shop.record(order_id)
    assert record.state is C.CANCEL_REFUSED
    assert record.message is not None and record.message.startswith(
        "Amazon did not cancel the companion items: "
    )
    assert (
        "cannot be cancelled: its status is Processing. Only orders with status Received or "
        "Planning can be cancelled." in record.message
    )


class PickingBeforeCancel:
    """The real client, except that the simulator moves to Processing right before a cancel."""

    def __init__(self, shop: McfShop) -> None:
        self.shop = shop

    def __getattr__(self, name: str) -> Any:
        return getattr(self.shop.client, name)

    def cancel_fulfillment_order(self, sfo_id: str, **kwargs: Any) -> None:
        self.shop.state.mcf.set_status(sfo_id, "Processing")
        self.shop.client.cancel_fulfillment_order(sfo_id, **kwargs)


# -- the 14-day hold -----------------------------------------------------------------------------


def test_a_hold_warns_once_at_day_ten_and_amazon_drops_it_at_day_fourteen(shop: McfShop) -> None:
    order_id = held_order(shop)
    shop.advance(10 * DAY - 60)
    shop.step()
    assert shop.logged("companion hold expiring") == []
    shop.advance(60)
    shop.step(2)
    [warning] = shop.logged("companion hold expiring")
    assert warning["level"] == "warning" and warning["order"] == order_id
    held_since = shop.record(order_id).held_since
    assert held_since is not None
    assert warning["expires"] == (held_since + timedelta(days=14)).isoformat(timespec="minutes")
    assert shop.record(order_id).warned_at == shop.amazon_clock.wall

    shop.advance(4 * DAY + 3600)  # Amazon cancelled the hold; the daemon's next look sees it
    shop.step()
    record = shop.record(order_id)
    assert record.state is C.UNFULFILLABLE and record.attempt == 2
    assert record.seller_fulfillment_order_id == f"{order_id}-r2"
    assert record.message == (
        f"Amazon ended fulfillment order {order_id} as Cancelled (a hold is cancelled after 14 "
        "days)"
    )
    assert shop.job_states(order_id) == {(JobState.HELD, "companion")}

    shop.retry(order_id)  # a person decides to go ahead: a new order on hold
    shop.step()
    assert shop.record(order_id).state is C.HELD
    assert {k: o.status for k, o in shop.at_amazon().items()} == {
        order_id: "Cancelled",
        f"{order_id}-r2": "Received",
    }


# -- crashes and failures ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "midway", "after"),
    [
        ("create_fulfillment_order", C.CREATING, C.HELD),
        ("update_fulfillment_order", C.RELEASING, C.RELEASED),
        ("cancel_fulfillment_order", C.CANCELLING, C.CANCELLED),
    ],
)
def test_a_call_whose_answer_was_lost_is_finished_once_after_a_restart(
    shop: McfShop, call: str, midway: CompanionState, after: CompanionState
) -> None:
    order_id = shop.order("text-only", 1)
    if call != "create_fulfillment_order":
        shop.step()
        if call == "update_fulfillment_order":
            shop.print_order(order_id)
        else:
            shop.daemon.pipeline.cancel_order(order_id, reason="cancelled on Amazon")
    shop.companions = shop.make_companions(amazon=LostAnswer(shop, call))
    shop.step()  # Amazon carried the call out; its answer never came back
    assert shop.record(order_id).state is midway
    [error] = shop.logged("companion error")
    assert error["level"] == "warning" and error["order"] == order_id

    shop.companions = shop.make_companions()  # the daemon restarted
    shop.step()
    assert shop.record(order_id).state is after
    assert list(shop.at_amazon()) == [order_id]


class LostAnswer:
    """The real client, but one call's answer is lost after Amazon carried the call out."""

    def __init__(self, shop: McfShop, call: str) -> None:
        self.shop = shop
        self.call = call

    def __getattr__(self, name: str) -> Any:
        real = getattr(self.shop.client, name)
        if name != self.call:
            return real

        def lost(*args: Any, **kwargs: Any) -> None:
            real(*args, **kwargs)
            raise UnreachableError("timed out", code="Unreachable", status=None)

        return lost


def test_companions_amazon_takes_only_after_printing_are_released_next(shop: McfShop) -> None:
    shop.state.set_faults(Faults(internal_error=1.0, operations=("getFulfillmentPreview",)))
    order_id = shop.order("text-only", 1)
    shop.step()
    shop.print_order(order_id)  # printed while Amazon was down
    shop.state.set_faults(Faults())
    shop.state.mcf.stock(LEASH, 0)
    shop.advance(60)
    shop.step()
    assert shop.record(order_id).state is C.UNFULFILLABLE
    assert shop.job_states(order_id) == {(JobState.PRINTED, None)}  # nothing left to hold

    shop.state.mcf.stock(LEASH, 3)  # restocked; no held job to press Retry on
    shop.step()
    assert shop.record(order_id).state is C.UNFULFILLABLE  # looked at again only hourly
    shop.advance(3600)
    shop.step(2)
    assert shop.record(order_id).state is C.RELEASED
    assert shop.at_amazon()[order_id].action == "Ship"


def test_amazon_failing_is_retried_later_and_stops_nothing(shop: McfShop) -> None:
    shop.state.set_faults(Faults(internal_error=1.0, operations=("getFulfillmentPreview",)))
    order_id = shop.order("text-only", 1)
    shop.step()
    waiting = shop.record(order_id)
    assert waiting.state is C.CHECKING
    assert (waiting.message or "").startswith("Amazon did not answer: ")  # shown on the desk
    assert shop.job_states(order_id) == {(JobState.QUEUED, None)}
    assert len(shop.logged("companion error")) == 1
    shop.step()  # too soon: the record waits
    assert len(shop.logged("companion error")) == 1
    shop.state.set_faults(Faults())
    shop.advance(60)
    shop.step()
    held = shop.record(order_id)
    assert (held.state, held.message) == (C.HELD, None)


# -- tracking ------------------------------------------------------------------------------------


def test_released_companions_are_tracked_until_delivered(shop: McfShop) -> None:
    order_id = held_order(shop)
    shop.print_order(order_id)
    shop.step()
    assert _sandbox_status(shop, order_id, "Complete").status_code == 200
    shop.step()  # not due yet: a released order is looked at every ten minutes
    assert shop.record(order_id).state is C.RELEASED
    shop.advance(PACE_STATUS)
    shop.step()
    record = shop.record(order_id)
    [package] = record.packages
    [shipped] = shop.at_amazon()[order_id].packages
    assert (record.state, record.amazon_status) == (C.SHIPPED, "Complete")
    assert (package.number, package.carrier, package.tracking_number) == (
        shipped.number,
        "UPS",
        shipped.tracking_number,
    )
    assert package.status == "IN_TRANSIT" and not package.proof_of_delivery
    assert (
        package.tracking_link
        == f"https://www.swiship.com/track?id={shipped.amazon_tracking_number}"
    )
    [event] = shop.logged("companion shipped")
    assert event["tracking"] == [f"UPS {shipped.tracking_number}"]

    shop.advance(3 * DAY)
    shop.step()
    delivered = shop.record(order_id)
    assert delivered.state is C.DELIVERED
    assert delivered.packages[0].status == "DELIVERED" and delivered.packages[0].proof_of_delivery
    shop.advance(3 * DAY)
    shop.step()  # final: nothing more is asked
    assert shop.record(order_id) == delivered


def test_statuses_in_upper_case_are_understood(shop: McfShop) -> None:
    shop.state.mcf.upper_case_statuses = True
    order_id = held_order(shop)
    assert shop.record(order_id).amazon_status == "RECEIVED"
    shop.print_order(order_id)
    shop.step()
    assert shop.record(order_id).state is C.RELEASED
    _sandbox_status(shop, order_id, "CompletePartialled")
    shop.advance(PACE_STATUS)
    shop.step()
    record = shop.record(order_id)
    assert (record.state, record.amazon_status) == (C.SHIPPED, "COMPLETE_PARTIALLED")


def _sandbox_status(shop: McfShop, sfo_id: str, status: str) -> httpx.Response:
    """submitFulfillmentOrderStatusUpdate, as a sandbox test drives it."""
    with httpx.Client(base_url=shop.server.base_url) as http:
        token = lwa(http).json()["access_token"]
        return http.put(
            f"{MCF_PATH}/fulfillmentOrders/{sfo_id}/status",
            json={"fulfillmentOrderStatus": status},
            headers={"x-amz-access-token": token},
        )


def _zip(name: str, number: int, order_id: str | None = None) -> bytes:
    return sample_zip(name, number, order_id=order_id)
