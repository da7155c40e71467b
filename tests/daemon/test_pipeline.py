"""The daemon, one pass at a time: inbox to hot folder, holds, retries, feedback, cancellation."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from production.core.errors import StoreError
from production.floor.daemon import _SETTLE_POLL_SECONDS, Daemon
from production.store import JobState, NewItem
from tests.daemon.shop import SETTLE, Shop, renumbered, sample


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    shop = Shop(tmp_path)
    yield shop
    shop.close()


def test_a_dropped_zip_reaches_the_hot_folder_with_its_ticket(shop: Shop) -> None:
    shop.drop(sample("photo-text").read_bytes(), "order.zip")
    shop.settle()

    [job] = shop.jobs()
    assert (job.job_id, job.state) == ("90000000000033-FRONT", JobState.QUEUED)
    stem = "900-0000003-0000003_90000000000033_FRONT"
    assert sorted(p.name for p in shop.hot().iterdir()) == [f"{stem}.json", f"{stem}.pdf"]
    assert shop.ticket(job)["job_id"] == job.job_id
    assert not any(shop.inbox.glob("*.zip"))  # taken out of the inbox
    states = [entry.to_state for entry in shop.store.audit(job_id=job.job_id)]
    assert states == [JobState.RECEIVED, JobState.RENDERED, JobState.QUEUED]
    item = shop.store.item(job.order_item_id)
    assert item is not None and item.ship_by is None  # dropped by hand: Amazon's date unknown


def test_the_ship_by_date_amazon_intake_saw_lands_on_the_item(shop: Shop) -> None:
    ship_by = datetime(2026, 3, 4, 6, 59, 59, tzinfo=UTC)
    shop.daemon.pipeline.expect_ship_by("90000000000033", ship_by)
    shop.drop(sample("photo-text").read_bytes(), "order.zip")
    shop.settle()
    item = shop.store.item("90000000000033")
    assert item is not None and item.ship_by == ship_by


def test_a_file_is_claimed_only_once_it_has_settled(shop: Shop) -> None:
    path = shop.drop(sample("photo-text").read_bytes()[:3000], "copying.zip")
    shop.daemon.loop()
    shop.clock.advance(SETTLE / 2)
    path.write_bytes(sample("photo-text").read_bytes())  # the copy goes on
    shop.daemon.loop()
    shop.clock.advance(SETTLE / 2 + 0.1)
    shop.daemon.loop()
    assert path.exists() and shop.jobs() == []  # changed half-way: the clock started again
    shop.clock.advance()
    shop.daemon.loop()
    assert not path.exists() and [j.state for j in shop.jobs()] == [JobState.QUEUED]


@pytest.mark.parametrize("name", [".hidden.zip", "order.zip.part", "order.zip.tmp", "x.crdownload"])
def test_names_of_files_being_written_are_left_alone(shop: Shop, name: str) -> None:
    path = shop.drop(sample("photo-text").read_bytes(), name)
    shop.settle()
    assert path.exists() and shop.jobs() == []


def test_the_same_zip_dropped_twice_is_one_job(shop: Shop) -> None:
    shop.drop(sample("photo-text").read_bytes(), "first.zip")
    shop.settle()
    shop.drop(sample("photo-text").read_bytes(), "again.zip")
    shop.drop(sample("photo-text").read_bytes(), "third (1).zip")
    shop.settle()
    assert len(shop.jobs()) == 1
    assert len(list(shop.hot().iterdir())) == 2
    assert not any(shop.inbox.glob("*.zip"))
    assert sum(1 for e in shop.events if e["state"] == "duplicate") == 2


def test_an_unreadable_file_goes_to_rejected_with_its_reason(shop: Shop) -> None:
    shop.drop(b"this is not a zip", "broken.zip")
    shop.drop(sample("text-only").read_bytes(), "good.zip")
    shop.settle()
    rejected = shop.inbox / "rejected"
    assert (rejected / "broken.zip").read_bytes() == b"this is not a zip"
    reason = (rejected / "broken.zip.reason.txt").read_text()
    assert "zip" in reason and reason.count("\n") == 1
    assert [j.state for j in shop.jobs()] == [JobState.QUEUED]  # the good one went on
    # The log line says where the operator finds it, its size and why (not its name: that
    # may be the buyer's).
    [event] = [e for e in shop.events if e["state"] == "rejected"]
    assert event["folder"] == str(rejected) and event["bytes"] == len(b"this is not a zip")
    assert event["reason"] == reason.strip() and "broken" not in str(event)


def test_an_unknown_product_is_held_and_retry_renders_it_once_configured(shop: Shop) -> None:
    products = shop.config / "products.toml"
    original = products.read_text()
    products.write_text(original.replace('asin = "B0SAMPLE03"', 'asin = "B0NOTSAMPLE3"'))
    shop.restart()
    shop.drop(sample("photo-text").read_bytes(), "order.zip")
    shop.settle()
    [held] = shop.jobs()
    assert (held.state, held.cause) == (JobState.HELD, "unknown product")
    assert "B0SAMPLE03" in (held.reason or "")
    assert list(shop.hot().iterdir()) == []

    products.write_text(original)
    shop.restart()
    shop.store.transition(held.job_id, JobState.RECEIVED, reason="retry", expect={JobState.HELD})
    shop.daemon.loop()
    [job] = shop.jobs()
    assert (job.job_id, job.state) == ("90000000000033-FRONT", JobState.QUEUED)


def test_a_missing_font_holds_the_item_naming_the_family(shop: Shop) -> None:
    shop_toml = shop.config / "shop.toml"
    shop_toml.write_text(shop_toml.read_text().replace('"font-c85d8f95', '"no-such-alias'))
    shop.restart()
    shop.drop(sample("seller-font").read_bytes(), "order.zip")
    shop.settle()
    [held] = shop.jobs()
    assert (held.state, held.cause) == (JobState.HELD, "missing font")
    assert "font-c85d8f95-b74e-a34c-051c-3" in (held.reason or "")


def test_a_missing_hot_folder_holds_the_job_and_the_daemon_goes_on(shop: Shop) -> None:
    shop.hot("uv-1").rmdir()
    shop.drop(sample("photo-text").read_bytes(), "mug.zip")  # uv-1
    shop.drop(sample("text-only").read_bytes(), "sign.zip")  # laser-1
    shop.settle()
    by_printer = {j.printer: j for j in shop.jobs()}
    assert by_printer["uv-1"].state is JobState.HELD
    assert by_printer["uv-1"].cause == "printer"
    assert "does not exist" in (by_printer["uv-1"].reason or "")
    assert by_printer["laser-1"].state is JobState.QUEUED


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """A folder nobody can write into, root included (root ignores mode bits)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    subprocess.run(["chattr", "+i", str(folder)], check=True)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_a_read_only_hot_folder_holds_the_job(shop: Shop) -> None:
    with read_only(shop.hot("uv-1")):
        shop.drop(sample("photo-text").read_bytes(), "mug.zip")
        shop.settle()
    [job] = shop.jobs()
    assert (job.state, job.cause) == (JobState.HELD, "printer")
    assert "not writable" in (job.reason or "")
    assert list(shop.hot("uv-1").iterdir()) == []


def test_the_done_folder_marks_jobs_printed_and_the_order_ready(shop: Shop) -> None:
    shop.drop(sample("two-surfaces").read_bytes(), "tote.zip")
    shop.settle()
    jobs = shop.jobs()
    assert {j.state for j in jobs} == {JobState.QUEUED}
    # The RIP moves each finished file into its done folder.
    for job in jobs:
        pdf = next(Path(p) for p in job.hot_paths if p.endswith(".pdf"))
        pdf.rename(shop.done() / pdf.name)
    shop.daemon.loop()
    assert {j.state for j in shop.jobs()} == {JobState.PRINTED}
    assert shop.store.orders_ready_to_ship() == ["900-0000004-0000004"]
    assert any(e["state"] == "ready to ship" for e in shop.events)


def test_cancelling_pulls_waiting_files_back_out_of_the_hot_folder(shop: Shop) -> None:
    shop.drop(sample("two-surfaces").read_bytes(), "tote.zip")
    shop.settle()
    front = shop.job("90000000000044-FRONT")
    taken = next(Path(p) for p in front.hot_paths if p.endswith(".pdf"))
    taken.rename(shop.root / taken.name)  # the RIP already took FRONT's PDF
    messages = shop.daemon.pipeline.cancel_order("900-0000004-0000004", reason="buyer cancelled")
    assert {j.state for j in shop.jobs()} == {JobState.CANCELLED}
    assert list(shop.hot().iterdir()) == []
    assert any("already taken" in m and "FRONT" in m for m in messages)


def test_after_a_restart_nothing_is_lost_or_repeated(shop: Shop) -> None:
    for number in range(5):
        shop.drop(renumbered(sample("text-only"), number), f"{number}.zip")
    shop.settle()
    before = {p.name: p.stat().st_mtime_ns for p in shop.hot("laser-1").iterdir()}
    shop.restart()
    shop.settle()
    after = {p.name: p.stat().st_mtime_ns for p in shop.hot("laser-1").iterdir()}
    assert after == before and len(after) == 10
    assert len(shop.jobs(JobState.QUEUED)) == 5


def test_low_resolution_holds_for_review_when_the_template_says_so(shop: Shop) -> None:
    products = shop.config / "products.toml"
    text = products.read_text()
    mug = text.index('asin = "B0SAMPLE03"')
    cut = text.index("design_box", mug)
    products.write_text(text[:cut] + "min_ppi_hold = 1000\n" + text[cut:])
    shop.restart()
    shop.drop(sample("photo-text").read_bytes(), "mug.zip")
    shop.settle()
    [job] = shop.jobs()
    assert (job.state, job.cause) == (JobState.HELD, "review")
    assert "ppi" in (job.reason or "")
    assert list(shop.hot().iterdir()) == []


def test_events_are_one_line_per_change_without_buyer_text(shop: Shop) -> None:
    shop.drop(sample("photo-text").read_bytes(), "Best Dad order.zip")
    shop.settle()
    text = json.dumps(shop.events)
    for words in ("Best Dad", "Ever"):
        assert words not in text
    changes = [e for e in shop.events if "job" in e]
    assert [e["state"] for e in changes] == ["received", "rendered", "queued"]
    assert all({"time", "job", "order", "state"} <= set(e) for e in changes)
    assert all("duration_ms" in e for e in changes[1:])


class _BrokenRenderer:
    """Stands in for a renderer bug on one order item; the others render normally."""

    def __init__(self, real: object, item_id: str) -> None:
        self.real = real
        self.item_id = item_id

    def render_zip(self, data: bytes, *, source: str = "zip") -> object:
        if self.item_id.encode() in data:
            raise RuntimeError("Best Dad Ever")  # a bug whose message quotes the input
        return self.real.render_zip(data, source=source)  # type: ignore[attr-defined]

    def render_members(self, members: Any, *, source: str = "zip", **parsed: object) -> object:
        if members.item_id == self.item_id:
            raise RuntimeError("Best Dad Ever")
        return self.real.render_members(members, source=source, **parsed)  # type: ignore[attr-defined]


def test_a_bug_while_rendering_holds_that_item_and_the_shop_goes_on(shop: Shop) -> None:
    pipeline = shop.daemon.pipeline
    pipeline.renderer = _BrokenRenderer(pipeline.renderer, "90000000000033")  # type: ignore[assignment]
    shop.drop(sample("photo-text").read_bytes(), "mug.zip")
    shop.drop(sample("text-only").read_bytes(), "sign.zip")
    shop.settle()
    states = {j.order_item_id: j for j in shop.jobs()}
    held = states["90000000000033"]
    assert (held.state, held.cause) == (JobState.HELD, "internal error")
    assert "RuntimeError" in (held.reason or "") and "Best Dad" not in (held.reason or "")
    assert states["90000000000011"].state is JobState.QUEUED


def test_a_job_cancelled_while_its_files_were_written_takes_them_back(shop: Shop) -> None:
    pipeline = shop.daemon.pipeline
    shop.drop(sample("photo-text").read_bytes(), "mug.zip")
    shop.daemon.loop()
    shop.clock.advance()
    [path] = pipeline.inbox.settled()
    claimed = pipeline.inbox.claim(path)
    assert claimed is not None
    item_id = pipeline.take_in(claimed)
    assert item_id is not None
    [rendered] = pipeline.render_item(item_id)
    assert rendered.state is JobState.RENDERED
    shop.store.cancel_order(rendered.order_id, reason="buyer cancelled")  # meanwhile, elsewhere
    result = pipeline.deliver_job(rendered)
    assert result.state is JobState.CANCELLED
    assert list(shop.hot().iterdir()) == []


def test_a_failing_pass_is_logged_and_tried_again(shop: Shop) -> None:
    pipeline = shop.daemon.pipeline
    real = pipeline.render_received

    def locked() -> int:
        raise StoreError("database is locked")

    pipeline.render_received = locked  # type: ignore[method-assign]
    assert shop.daemon.loop() is False
    [error] = [e for e in shop.events if e["state"] == "error"]
    assert "locked" in str(error["reason"])
    pipeline.render_received = real  # type: ignore[method-assign]
    shop.drop(sample("photo-text").read_bytes(), "mug.zip")
    shop.settle()
    assert [j.state for j in shop.jobs()] == [JobState.QUEUED]


def test_an_item_announced_without_its_zip_waits_for_it_in_the_inbox(shop: Shop) -> None:
    pipeline = shop.daemon.pipeline
    [held] = pipeline.expect_zip(
        NewItem("90000000000033", "900-0000003-0000003", "B0SAMPLE03", None, 1, "", ""),
        reason="Amazon sent no CustomizedURL",
    )
    assert (held.state, held.cause) == (JobState.HELD, "no zip")
    shop.store.transition(held.job_id, JobState.RECEIVED, reason="retry", expect={JobState.HELD})
    shop.daemon.loop()  # a retry without the zip holds it again, saying what to do
    [again] = shop.jobs()
    assert again.cause == "no zip" and "drop it into the inbox" in (again.reason or "")
    shop.drop(sample("photo-text").read_bytes(), "from-seller-central.zip")
    shop.settle()
    [job] = shop.jobs()
    assert (job.job_id, job.state) == ("90000000000033-FRONT", JobState.QUEUED)


class _CountingDaemon(Daemon):
    """Counts its passes, each with nothing to do, while files settle in the inbox."""

    passes = 0

    def initialize(self) -> None:
        pass

    def shutdown(self, *, at_once: bool = False) -> None:
        pass

    def loop(self) -> bool:
        self.passes += 1
        return False

    def _settling(self) -> bool:
        return True


def test_a_burst_of_wake_ups_while_files_settle_costs_one_pass_per_poll(shop: Shop) -> None:
    """A drop of many zips is as many inotify events: while files settle, the loop looks at
    the inbox once per settle poll, not once per event."""
    daemon = _CountingDaemon(shop.daemon.pipeline, watch=False)

    def burst() -> None:
        # Events for a third of a second, as fast as they come, then a stop.
        until = time.monotonic() + 3.5 * _SETTLE_POLL_SECONDS
        while time.monotonic() < until:
            daemon.wake.set()
        daemon.stop()

    feeder = threading.Thread(target=burst)
    started = time.monotonic()
    feeder.start()
    daemon.run()
    feeder.join()
    polls = (time.monotonic() - started) / _SETTLE_POLL_SECONDS
    assert daemon.passes <= polls + 2, f"{daemon.passes} passes in {polls:.1f} settle polls"
