"""Labels bought through Amazon: the real client against the simulator over loopback HTTP, a
real SQLite job store, the label printer's real hot folder.

Each test starts from an order whose jobs are printed, as the daemon leaves it, and asks what
a shop owner would: is there one label in the printer's folder, does Amazon show the order
shipped with that tracking number, and is there exactly one label at Amazon for it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from production.amazon.client import SpApiClient
from production.amazon.sim import Faults, SimServer, SimState, serve
from production.amazon.sim.records import SimItem
from production.config.settings import Settings, load_settings
from production.core.errors import ConfigError, ProductionError
from production.retention.audit import audit
from production.retention.purge import Retention
from production.shipping.label_slips import LabelSlips
from production.shipping.labels import Labels
from production.shipping.order_facts import AmazonOrderFacts, latest_delivery
from production.store import JobState, LabelState, NewItem, NewJob
from production.store.sqlite.store import SqliteStore
from tests.amazon.test_labels_client import CREDENTIALS, Recording
from tests.amazon.test_sim import FakeClock, zip_of
from tests.shipping.label_shop import label_config, label_files, read_label, set_packages
from tests.slips.pictures import barcodes, pages, text_of

_S = JobState


@dataclass
class LabelShop:
    server: SimServer
    state: SimState
    clock: FakeClock
    store: SqliteStore
    config: Path
    wire: Recording
    client: SpApiClient
    labels: Labels

    def reload(self) -> Settings:
        settings = load_settings(self.config)
        self.labels.settings = lambda: settings
        return settings

    def order(
        self, *kinds: str, number: int = 1, delivery_days: int = 5, gift: str | None = None
    ) -> list[SimItem]:
        """An order on Amazon of one item per kind, taken in and printed in the store; Amazon
        promised it delivered `delivery_days` after its latest ship date."""
        order_id = f"902-{number:07d}-0000001"
        items = []
        for index, kind in enumerate(kinds):
            zipped = zip_of(kind, number * 10 + index, order_id=order_id)
            item = self.state.add_order(zipped, delivery_days=delivery_days, gift_message=gift)
            printed(self.store, item)
            items.append(item)
        return items

    def at_amazon(self, order_id: str) -> list[dict[str, object]]:
        return [label.summary() for label in self.state.labels.shipments(order_id)]


def printed(store: SqliteStore, item: SimItem) -> None:
    new = NewItem(item.order_item_id, item.order_id, item.asin, item.sku, item.quantity,
                  zip_path="zips/x.zip", digest="0" * 64)  # fmt: skip
    store.add_item(new)
    job_id = f"{item.order_item_id}-FRONT"
    store.set_jobs(item.order_item_id, [NewJob(job_id, "FRONT", "uv-1", job_id)])
    for state in (_S.RENDERED, _S.QUEUED, _S.PRINTED):
        store.transition(job_id, state, reason="test")


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[LabelShop]:
    clock = FakeClock()
    state = SimState(now=clock.now, monotonic=clock.monotonic)
    with serve(state) as server:
        config = label_config(tmp_path / "config", server.base_url, state.marketplace_id)
        settings = load_settings(config)
        wire = Recording()
        client = SpApiClient(
            endpoint=server.base_url,
            lwa_endpoint=server.base_url,
            credentials=CREDENTIALS,
            transport=wire,
            sleep=lambda seconds: time.sleep(min(seconds, 0.01)),
            now=clock.now,
            timeout=0.5,
            deadline=3.0,
        )
        store = SqliteStore(tmp_path / "store.sqlite")
        labels = Labels(store, client, lambda: settings)
        yield LabelShop(server, state, clock, store, config, wire, client, labels)
        client.close()
        store.close()


def test_a_printed_order_gets_one_label_and_amazon_ships_it(shop: LabelShop) -> None:
    (item,) = shop.order("photo-text")
    shop.labels.step()
    shop.labels.step()  # a second look buys nothing more
    (record,) = shop.store.labels(order_id=item.order_id)
    assert record.state is LabelState.BOUGHT and record.tracking
    assert record.intent is not None and record.intent.service and record.intent.cost > 0
    (label,) = shop.at_amazon(item.order_id)
    assert label["trackingId"] == record.tracking and label["shipmentId"] == record.shipment_id
    order = shop.state.order(item.order_id)
    assert order is not None and order.status == "Shipped"
    assert [s.package.tracking_number for s in shop.state.shipments(item.order_id)] == [
        record.tracking
    ]
    assert {job.state for job in shop.store.jobs(order_id=item.order_id)} == {_S.SHIPPED}
    # Bought, not confirmed: no confirmShipment (nor any Orders API call) was made.
    assert not [r for r in shop.wire.requests if "/orders/" in r.url.path]
    (name,) = label_files(shop.config)
    assert read_label(shop.config / "hot" / "label-1" / name) == record.tracking
    # The cheapest service was bought, the mug in its box (130×110×110 mm, 350 g + 80 g).
    assert label["serviceName"] == "USPS Priority Mail"


def test_expired_rates_are_fetched_again_once(shop: LabelShop) -> None:
    (item,) = shop.order("photo-text")
    shop.state.set_faults(Faults(rate_token_expired=1.0, max_hits=1))
    (record,) = shop.labels.buy_label(item.order_id)
    assert record.state is LabelState.BOUGHT
    assert len(shop.at_amazon(item.order_id)) == 1


def test_rates_expiring_twice_wait_for_a_person_with_amazons_words(shop: LabelShop) -> None:
    (item,) = shop.order("photo-text")
    shop.state.set_faults(Faults(rate_token_expired=1.0, max_hits=2))
    (record,) = shop.labels.buy_label(item.order_id)
    assert record.state is LabelState.REFUSED
    assert record.message is not None and "within 10 minutes of the rates" in record.message
    assert shop.at_amazon(item.order_id) == []
    assert {job.state for job in shop.store.jobs(order_id=item.order_id)} == {_S.PRINTED}
    (again,) = shop.labels.buy_label(item.order_id)  # a person tries again
    assert again.state is LabelState.BOUGHT


def test_a_refusal_is_kept_word_for_word_and_not_retried_alone(shop: LabelShop) -> None:
    (item,) = shop.order("photo-text")
    shop.state.set_status(item.order_id, "Pending")
    shop.labels.step()
    (record,) = shop.store.labels(order_id=item.order_id)
    assert record.state is LabelState.REFUSED
    # Amazon's words whole, with the operation and request id the client adds (for support).
    assert record.message is not None
    words = f"Order {item.order_id} is Pending; it cannot be shipped."
    assert f"InvalidInput: {words} (request id" in record.message
    asked = len(shop.wire.requests)
    shop.labels.step()
    assert len(shop.wire.requests) == asked  # waits for a person: Amazon is not asked again
    shop.state.set_status(item.order_id, "Unshipped")
    (bought,) = shop.labels.buy_label(item.order_id)
    assert bought.state is LabelState.BOUGHT and len(shop.at_amazon(item.order_id)) == 1


def test_a_lost_answer_is_bought_again_with_the_same_key_into_one_label(
    shop: LabelShop,
) -> None:
    (item,) = shop.order("photo-text")
    # Every answer of purchaseShipment is lost (the purchase itself goes through).
    shop.state.set_faults(Faults(timeout=1.0, timeout_seconds=1.0,
                                 operations=("purchaseShipment",)))  # fmt: skip
    shop.labels.step()  # the error is logged; the record stays BUYING
    (record,) = shop.store.labels(order_id=item.order_id)
    assert record.state is LabelState.BUYING and record.intent is not None
    assert len(shop.at_amazon(item.order_id)) == 1
    shop.state.set_faults(Faults())
    shop.labels.step()
    (bought,) = shop.store.labels(order_id=item.order_id)
    (label,) = shop.at_amazon(item.order_id)
    assert bought.state is LabelState.BOUGHT and bought.tracking == label["trackingId"]
    assert label["idempotencyKey"] == record.intent.idempotency_key
    assert len(label_files(shop.config)) == 1


def test_a_cancelled_order_voids_its_label_until_the_carrier_has_it(shop: LabelShop) -> None:
    (first,) = shop.order("photo-text", number=1)
    (second,) = shop.order("photo-text", number=2)
    for item in (first, second):
        shop.labels.buy_label(item.order_id)
    assert len(label_files(shop.config)) == 2
    second_label = shop.at_amazon(second.order_id)[0]
    shop.state.labels.hand_over(str(second_label["shipmentId"]))

    shop.store.cancel_order(first.order_id, reason="cancelled by an operator")
    shop.labels.on_cancel(first.order_id)
    (voided,) = shop.store.labels(order_id=first.order_id)
    assert voided.state is LabelState.VOIDED
    assert shop.at_amazon(first.order_id)[0]["status"] == "Cancelled"
    assert {job.state for job in shop.store.jobs(order_id=first.order_id)} == {_S.CANCELLED}
    assert len(label_files(shop.config)) == 1  # its label taken back out of the folder

    shop.store.cancel_order(second.order_id, reason="cancelled by an operator")
    (said,) = shop.labels.on_cancel(second.order_id)
    (kept,) = shop.store.labels(order_id=second.order_id)
    assert kept.state is LabelState.VOID_REFUSED
    assert kept.message is not None and "already handed over to the carrier" in kept.message
    assert kept.message in said
    assert {job.state for job in shop.store.jobs(order_id=second.order_id)} == {_S.SHIPPED}


def test_an_order_cancelled_while_its_purchase_is_unanswered_gets_the_label_voided(
    shop: LabelShop,
) -> None:
    (item,) = shop.order("photo-text")
    # The purchase goes through at Amazon but its answer is lost; then Amazon is down while
    # the order is cancelled, so the label can be neither finished nor voided yet.
    shop.state.set_faults(Faults(timeout=1.0, timeout_seconds=1.0,
                                 operations=("purchaseShipment",)))  # fmt: skip
    shop.labels.step()
    shop.state.set_faults(Faults(internal_error=1.0))
    shop.store.cancel_order(item.order_id, reason="cancelled by an operator")
    (said,) = shop.labels.on_cancel(item.order_id)
    assert "not voided yet" in said
    assert [label["status"] for label in shop.at_amazon(item.order_id)] != ["Cancelled"]
    shop.state.set_faults(Faults())
    shop.labels.step()  # the lost purchase is finished, then voided: the order is cancelled
    (record,) = shop.store.labels(order_id=item.order_id)
    assert record.state is LabelState.VOIDED
    assert [label["status"] for label in shop.at_amazon(item.order_id)] == ["Cancelled"]
    assert label_files(shop.config) == []
    assert {job.state for job in shop.store.jobs(order_id=item.order_id)} == {_S.CANCELLED}


def test_a_damaged_label_is_voided_and_bought_again(shop: LabelShop) -> None:
    (item,) = shop.order("photo-text")
    (first,) = shop.labels.buy_label(item.order_id)
    (second,) = shop.labels.reprint_label(item.order_id)
    assert second.state is LabelState.BOUGHT and second.tracking != first.tracking
    at_amazon = shop.at_amazon(item.order_id)
    assert sorted(str(label["status"]) for label in at_amazon) == ["Cancelled", "Purchased"]
    order = shop.state.order(item.order_id)
    assert order is not None and order.status == "Shipped"
    assert len(label_files(shop.config)) == 1


def test_a_label_a_person_voided_is_bought_again_only_when_asked(shop: LabelShop) -> None:
    mug, sign = shop.order("photo-text", "text-only")
    shop.labels.split(mug.order_id, [[(mug.order_item_id, 1)], [(sign.order_item_id, 1)]])
    shop.labels.step()
    first = shop.store.labels(order_id=mug.order_id)
    shop.labels.void_label(mug.order_id)
    assert label_files(shop.config) == []
    shop.labels.step()  # a person stopped it: the daemon does not buy it again by itself
    assert {r.state for r in shop.store.labels(order_id=mug.order_id)} == {LabelState.VOIDED}
    assert len(shop.labels.voided_to_buy_again(mug.order_id)) == 2

    again = shop.labels.buy_label(mug.order_id)
    assert [(r.package_ref, r.items, r.state) for r in again] == [
        (old.package_ref, old.items, LabelState.BOUGHT) for old in first
    ]  # the packages the person split, each with a new label
    assert {r.tracking for r in again}.isdisjoint({r.tracking for r in first})
    assert len(label_files(shop.config)) == 2
    assert shop.labels.voided_to_buy_again(mug.order_id) == []


def test_a_cancelled_orders_voided_label_is_not_bought_again(shop: LabelShop) -> None:
    (item,) = shop.order("photo-text")
    shop.labels.buy_label(item.order_id)
    shop.store.cancel_order(item.order_id, reason="cancelled by an operator")
    shop.labels.on_cancel(item.order_id)
    assert shop.labels.voided_to_buy_again(item.order_id) == []
    with pytest.raises(ProductionError, match="nothing of this order is left to ship"):
        shop.labels.buy_label(item.order_id)
    assert len(shop.at_amazon(item.order_id)) == 1


def test_a_split_order_gets_a_label_per_package(shop: LabelShop) -> None:
    mug, sign = shop.order("photo-text", "text-only")
    shop.labels.split(mug.order_id, [[(mug.order_item_id, 1)], [(sign.order_item_id, 1)]])
    shop.labels.step()
    records = shop.store.labels(order_id=mug.order_id)
    assert [(r.package_ref, r.state) for r in records] == [
        ("1", LabelState.BOUGHT),
        ("2", LabelState.BOUGHT),
    ]
    at_amazon = {str(label["trackingId"]): label["items"] for label in shop.at_amazon(mug.order_id)}
    assert at_amazon == {
        records[0].tracking: [{"orderItemId": mug.order_item_id, "quantity": 1}],
        records[1].tracking: [{"orderItemId": sign.order_item_id, "quantity": 1}],
    }
    assert len(label_files(shop.config)) == 2
    order = shop.state.order(mug.order_id)
    assert order is not None and order.status == "Shipped"


def test_a_split_must_hold_the_whole_order(shop: LabelShop) -> None:
    mug, sign = shop.order("photo-text", "text-only")
    from production.shipping.confirm import ShippingError

    with pytest.raises(ShippingError, match=f"in no package: {sign.order_item_id}"):
        shop.labels.split(mug.order_id, [[(mug.order_item_id, 1)]])


def test_missing_package_facts_hold_the_order_saying_what_to_add(shop: LabelShop) -> None:
    (item,) = shop.order("photo-text")
    set_packages(shop.config, {})
    shop.reload()
    shop.labels.step()
    (record,) = shop.store.labels(order_id=item.order_id)
    assert record.state is LabelState.HELD
    assert record.message is not None
    assert "ASIN B0SAMPLE03" in record.message and "products.toml" in record.message
    assert not [r for r in shop.wire.requests if "/shipping/" in r.url.path]  # Amazon not asked
    set_packages(shop.config, {"B0SAMPLE03": 'package = { weight_g = 350, box = "mug" }'})
    shop.reload()
    shop.labels.step()  # goes on by itself once the facts are there
    (bought,) = shop.store.labels(order_id=item.order_id)
    assert bought.state is LabelState.BOUGHT


def test_the_policy_picks_the_service_and_keeps_under_max_cost(shop: LabelShop) -> None:
    first, second, third = (shop.order("photo-text", number=n)[0] for n in (1, 2, 3))
    text = (shop.config / "shop.toml").read_text()

    def policy(line: str) -> None:
        section = '\n[shipping]\nlabels = "amazon"\n'
        assert section in text
        (shop.config / "shop.toml").write_text(text.replace(section, f"{section}{line}\n"))
        shop.reload()

    policy('service = "fastest"')
    shop.labels.buy_label(first.order_id)
    assert shop.at_amazon(first.order_id)[0]["serviceName"] == "FedEx 2Day"
    policy('service = ["UPS Ground"]')
    shop.labels.buy_label(second.order_id)
    assert shop.at_amazon(second.order_id)[0]["serviceName"] == "UPS Ground"
    policy("max_cost = 5")
    (refused,) = shop.labels.buy_label(third.order_id)
    assert refused.state is LabelState.REFUSED and refused.message is not None
    assert refused.message.startswith("no rate fits the shop's policy")
    assert "max_cost 5" in refused.message
    assert shop.at_amazon(third.order_id) == []


def test_no_rate_arriving_after_the_promised_delivery_date_is_bought(shop: LabelShop) -> None:
    # The sim's clock says 12:00; an order ships within 2 days, and these were promised
    # delivered 1 day and 0 days after that: USPS (3 days) and UPS (5) would arrive too late
    # for the first, FedEx 2Day (by 20:00 on the second day) for the second too.
    shop.labels.deliver_by = AmazonOrderFacts(shop.client).deliver_by
    (soon,) = shop.order("photo-text", number=1, delivery_days=1)
    (sooner,) = shop.order("photo-text", number=2, delivery_days=0)
    shop.labels.buy_label(soon.order_id)
    assert [s["serviceName"] for s in shop.at_amazon(soon.order_id)] == ["FedEx 2Day"]
    (refused,) = shop.labels.buy_label(sooner.order_id)
    assert refused.state is LabelState.REFUSED and refused.message is not None
    assert "delivered after 2026-03-04 12:00 UTC" in refused.message
    assert shop.at_amazon(sooner.order_id) == []
    # The promised date was asked of Amazon once per order, not once per attempt.
    shop.labels.buy_label(sooner.order_id)
    asked = [r for r in shop.wire.requests if r.url.path.startswith("/orders/2026-01-01/orders/")]
    assert len(asked) == 2


def test_the_promised_delivery_date_is_the_end_of_amazons_deliver_by_window() -> None:
    window = {"latestDateTime": "2026-03-09T07:59:59Z", "earliestDateTime": "2026-03-02T08:00:00Z"}
    assert latest_delivery({"fulfillment": {"deliverByWindow": window}}) == datetime(
        2026, 3, 9, 7, 59, 59, tzinfo=UTC
    )
    assert latest_delivery({"fulfillment": {"shipByWindow": window}}) is None
    assert latest_delivery({}) is None


def test_the_packing_slip_lands_beside_the_orders_first_label(shop: LabelShop) -> None:
    shop.labels.slips = LabelSlips(shop.store, shop.labels.settings, AmazonOrderFacts(shop.client))
    mug, sign = shop.order("photo-text", "text-only", gift="Für Oma, alles Liebe ❤")
    order_id = mug.order_id
    shop.labels.split(order_id, [[(mug.order_item_id, 1)], [(sign.order_item_id, 1)]])
    shop.labels.buy_label(order_id)
    slip = f"{order_id}.slip.pdf"
    assert label_files(shop.config) == [slip, f"{order_id}_1.label.pdf", f"{order_id}_2.label.pdf"]
    pdf = (shop.config / "hot" / "label-1" / slip).read_bytes()
    assert ("Code128", order_id) in barcodes(pages(pdf)[0])
    assert "Für Oma, alles Liebe" in text_of(pdf)
    assert "Sim Buyer" not in text_of(pdf)  # no address unless the shop prints them
    (shop.config / "hot" / "label-1" / slip).unlink()  # printed
    shop.labels.reprint_label(order_id)  # two damaged labels: bought again, the slip not
    assert label_files(shop.config) == [f"{order_id}_1.label.pdf", f"{order_id}_2.label.pdf"]
    shop.labels.buy_label(order_id)
    shop.store.cancel_order(order_id, reason="cancelled by an operator")
    shop.labels.on_cancel(order_id)
    assert label_files(shop.config) == []


def test_a_shop_printing_addresses_gets_the_buyers_on_the_slip(shop: LabelShop) -> None:
    text = (shop.config / "shop.toml").read_text()
    section = '\n[shipping]\nlabels = "amazon"\n'
    (shop.config / "shop.toml").write_text(text.replace(section, f"{section}slip_address = true\n"))
    shop.reload()
    shop.labels.slips = LabelSlips(shop.store, shop.labels.settings, AmazonOrderFacts(shop.client))
    (item,) = shop.order("photo-text")
    shop.labels.buy_label(item.order_id)
    pdf = (shop.config / "hot" / "label-1" / f"{item.order_id}.slip.pdf").read_bytes()
    assert "Sim Buyer" in text_of(pdf) and "1 Simulator Way" in text_of(pdf)


def test_labels_and_slips_carry_the_address_so_the_purge_takes_them_and_the_audit_knows(
    shop: LabelShop,
) -> None:
    shop.labels.slips = LabelSlips(shop.store, shop.labels.settings, AmazonOrderFacts(shop.client))
    (item,) = shop.order("photo-text")
    shop.labels.buy_label(item.order_id)
    hot = shop.config / "hot" / "label-1"
    files = {name: (hot / name).read_bytes() for name in label_files(shop.config)}
    assert len(files) == 2  # the label and the slip
    settings = shop.reload()
    assert Retention(settings, shop.store).purge_due() == 1  # shipped by the label
    assert label_files(shop.config) == []
    assert audit(settings, shop.store).clean
    for name, data in files.items():  # a copy put back: the audit names it
        (hot / name).write_bytes(data)
        report = audit(settings, shop.store)
        assert not report.clean and any(str(hot / name) in line for line in report.lines())
        (hot / name).unlink()


def test_a_slip_printer_of_its_own_gets_the_slip(shop: LabelShop) -> None:
    text = (shop.config / "shop.toml").read_text()
    section = '\n[shipping]\nlabels = "amazon"\n'
    (shop.config / "shop.toml").write_text(
        text.replace(section, f'{section}slip_printer = "uv-1"\n')
    )
    shop.reload()
    shop.labels.slips = LabelSlips(shop.store, shop.labels.settings, AmazonOrderFacts(shop.client))
    (item,) = shop.order("photo-text")
    shop.labels.buy_label(item.order_id)
    assert label_files(shop.config) == [f"{item.order_id}_1.label.pdf"]
    slip = shop.config / "hot" / "uv-1" / f"{item.order_id}.slip.pdf"
    assert ("Code128", item.order_id) in barcodes(pages(slip.read_bytes())[0])
    shop.store.cancel_order(item.order_id, reason="cancelled by an operator")
    shop.labels.on_cancel(item.order_id)
    assert not slip.exists()
    (shop.config / "shop.toml").write_text(
        text.replace(section, f'{section}slip_printer = "nope"\n')
    )
    with pytest.raises(ConfigError, match="slip_printer 'nope' is not a \\[\\[printer\\]\\]"):
        shop.reload()


def test_a_slip_that_cannot_be_drawn_never_stops_the_label(shop: LabelShop) -> None:
    events: list[dict[str, object]] = []
    facts = AmazonOrderFacts(shop.client)
    shop.labels.slips = LabelSlips(shop.store, shop.labels.settings, facts, log=events.append)
    (item,) = shop.order("photo-text")
    shop.state.set_faults(Faults(internal_error=1.0, operations=("getOrder",)))
    (record,) = shop.labels.buy_label(item.order_id)
    assert record.state is LabelState.BOUGHT
    assert label_files(shop.config) == [f"{item.order_id}_1.label.pdf"]
    (event,) = [e for e in events if e["state"] == "slip not written"]
    assert "getOrder" in str(event["reason"])


def test_a_zpl_shop_gets_zpl_labels(shop: LabelShop) -> None:
    (item,) = shop.order("photo-text")
    text = (shop.config / "shop.toml").read_text()
    section = '\n[shipping]\nlabels = "amazon"\n'
    (shop.config / "shop.toml").write_text(
        text.replace(section, f'{section}label_format = "ZPL"\n')
    )
    shop.reload()
    (record,) = shop.labels.buy_label(item.order_id)
    (name,) = label_files(shop.config)
    assert name == f"{item.order_id}_1.label.zpl"
    label = (shop.config / "hot" / "label-1" / name).read_text()
    assert label.startswith("^XA") and record.tracking is not None and record.tracking in label
    assert shop.at_amazon(item.order_id)[0]["format"] == "ZPL"


def test_manual_stays_the_default(tmp_path: Path) -> None:
    state = SimState()
    config = label_config(tmp_path / "c", "http://127.0.0.1:1", state.marketplace_id,
                          shipping="")  # fmt: skip
    assert load_settings(config).shipping.labels == "manual"


def test_one_package_never_has_two_live_labels(shop: LabelShop) -> None:
    from production.core.errors import StoreError

    (item,) = shop.order("photo-text")
    (record,) = shop.labels.buy_label(item.order_id)
    with pytest.raises(StoreError, match="has a label: void it before re-planning"):
        shop.store.plan_labels(item.order_id, [[(item.order_item_id, 1)]])
    with pytest.raises(StoreError, match="not bought again"):
        assert record.intent is not None
        shop.store.record_label_intent(record.label_id, record.intent)
    assert len(shop.at_amazon(item.order_id)) == 1


def test_amazon_failing_leaves_the_package_to_be_bought_later(shop: LabelShop) -> None:
    (item,) = shop.order("photo-text")
    shop.state.set_faults(Faults(internal_error=1.0, operations=("getRates",)))
    shop.labels.step()  # logged; nothing is refused for Amazon being down
    (record,) = shop.store.labels(order_id=item.order_id)
    assert record.state is LabelState.PLANNED and record.message is None
    shop.state.set_faults(Faults())
    shop.labels.step()
    (bought,) = shop.store.labels(order_id=item.order_id)
    assert bought.state is LabelState.BOUGHT and len(shop.at_amazon(item.order_id)) == 1
