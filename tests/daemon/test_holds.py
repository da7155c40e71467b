"""Holds a person can clear: approve, reject, retry by cause or all, and printer holds that
resume by themselves once their hot folder is back."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from printers.tickets import ApprovalLine, JobTicket
from printers.xjdf import xjdf_ticket
from production.app.cli import main
from production.config.settings import DEFAULT_CONFIG_DIR, load_settings
from production.floor.rendering import ItemRenderer
from production.store import JobRecord, JobState
from tests.daemon.held_zips import proof_held, review_held
from tests.daemon.shop import Shop, renumbered, sample


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    shop = Shop(tmp_path)
    yield shop
    shop.close()


def run(capsys: pytest.CaptureFixture[str], shop: Shop, *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--config", str(shop.config)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def held_for_proof(shop: Shop, number: int = 9) -> JobRecord:
    shop.drop(proof_held(number), f"shifted-{number}.zip")
    shop.settle()
    [job] = [j for j in shop.jobs() if j.order_id == f"901-{number:07d}-0000003"]
    assert (job.state, job.cause) == (JobState.HELD, "proof"), job.reason
    return job


def hot_ticket(shop: Shop, job: JobRecord) -> dict[str, object]:
    ticket: dict[str, object] = json.loads((shop.hot() / f"{job.stem}.json").read_text())
    return ticket


# -- approve -------------------------------------------------------------------------------------


def test_an_approved_proof_hold_goes_to_the_printer_as_rendered_with_who_and_why(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    job = held_for_proof(shop)
    master = shop.daemon.pipeline.folders.masters / f"{job.stem}.pdf"
    rendered_at = master.stat().st_mtime_ns
    code, out, err = run(capsys, shop, "approve", job.job_id, "--reason", "photo  checked\nby eye")
    assert (code, err) == (0, "")
    assert f"{job.job_id}: approved" in out and "uv-1" in out
    shop.daemon.loop()

    queued = shop.job(job.job_id)
    assert queued.state is JobState.QUEUED
    assert master.stat().st_mtime_ns == rendered_at  # sent on as rendered, not rendered again
    assert sorted(p.name for p in shop.hot().iterdir()) == [f"{job.stem}.json", f"{job.stem}.pdf"]
    person = getpass.getuser()
    ticket = hot_ticket(shop, queued)
    assert ticket["hold"] == []  # what a RIP script reads: nothing stops it any more
    approval = ticket["approval"]
    assert isinstance(approval, dict)
    assert (approval["by"], approval["reason"], approval["cause"]) == (
        person,
        "photo checked by eye",
        "proof",
    )
    assert approval["overrode"] == [job.reason]  # what the person saw: "…differs from Amazon's…"
    audit = shop.store.audit(job_id=job.job_id)
    assert (audit[-2].from_state, audit[-2].to_state) == (JobState.HELD, JobState.RENDERED)
    assert audit[-2].reason == f"approved by {person} (proof hold): photo checked by eye"
    assert queued.approval is not None and queued.approval.by == person


def test_an_approved_ticket_reaches_an_xjdf_printer_without_its_hold() -> None:
    output = ItemRenderer(load_settings(DEFAULT_CONFIG_DIR)).render_zip(proof_held(9))
    [job] = output.jobs
    assert job.ticket.hold
    approved = job.ticket.approved(ApprovalLine("alice", "checked", datetime.now(UTC), "proof"))
    again = JobTicket.from_json(approved.to_json())
    assert (again.hold, again.overridden) == ((), job.ticket.hold)
    xjdf = xjdf_ticket(approved).decode()
    assert 'Type="Hold"' not in xjdf and 'Type="Approval"' in xjdf and "alice" in xjdf


def test_an_approval_lasts_through_a_printer_hold_and_a_retry(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    job = held_for_proof(shop)
    shop.hot().rename(shop.config / "hot" / "uv-1-away")  # the share goes away meanwhile
    assert run(capsys, shop, "approve", job.job_id, "--reason", "checked")[0] == 0
    shop.daemon.loop()
    assert (shop.job(job.job_id).state, shop.job(job.job_id).cause) == (JobState.HELD, "printer")
    (shop.config / "hot" / "uv-1-away").rename(shop.hot())
    assert run(capsys, shop, "retry", job.job_id)[0] == 0  # rendered again: the same proof hold
    shop.daemon.loop()
    again = shop.job(job.job_id)
    assert again.state is JobState.QUEUED, again.reason
    reasons = [r.reason for r in shop.store.audit(job_id=job.job_id)]
    assert f"rendered; the proof hold stays approved by {getpass.getuser()}" in reasons
    assert hot_ticket(shop, again)["hold"] == []


def test_a_review_hold_is_approved_too(shop: Shop, capsys: pytest.CaptureFixture[str]) -> None:
    shop.drop(review_held(), "small.zip")
    shop.settle()
    [job] = shop.jobs()
    assert (job.state, job.cause) == (JobState.HELD, "review") and "ppi" in (job.reason or "")
    assert run(capsys, shop, "approve", job.job_id, "--reason", "buyer wants it")[0] == 0
    shop.daemon.loop()
    assert shop.job(job.job_id).state is JobState.QUEUED
    assert hot_ticket(shop, job)["hold"] == []


def test_approving_what_approval_cannot_fix_is_refused_with_what_to_fix(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    shop_toml = shop.config / "shop.toml"
    shop_toml.write_text(shop_toml.read_text().replace('"font-c85d8f95', '"no-such-alias'))
    shop.restart()
    shop.drop(sample("seller-font").read_bytes(), "font.zip")
    shop.settle()
    [held] = shop.jobs()
    assert held.cause == "missing font"
    code, out, err = run(capsys, shop, "approve", held.job_id, "--reason", "print it")
    assert code == 1 and out == "" and err.count("\n") == 1
    assert "approving cannot clear" in err and "[fonts.aliases]" in err
    assert shop.job(held.job_id) == held

    with pytest.raises(SystemExit) as usage:  # a reason is required
        run(capsys, shop, "approve", held.job_id)
    assert usage.value.code == 2 and "--reason" in capsys.readouterr().err
    shop.drop(sample("text-only").read_bytes(), "sign.zip")
    shop.settle()
    queued = next(j for j in shop.jobs() if j.state is JobState.QUEUED)
    code, _, err = run(capsys, shop, "approve", queued.job_id, "--reason", "x")
    assert code == 1 and "not held" in err


# -- reject --------------------------------------------------------------------------------------


def test_rejecting_cancels_the_job_and_says_what_to_do_with_the_order(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    shop.drop(renumbered(sample("two-surfaces"), 2), "tote.zip")
    shop.settle()
    front, back = sorted(shop.jobs(), key=lambda j: j.surface, reverse=True)
    assert (front.surface, back.surface) == ("FRONT", "BACK")
    code, out, _ = run(capsys, shop, "reject", front.job_id, "--reason", "wrong colours")
    assert code == 0
    assert f"{front.job_id}: took {Path(front.hot_paths[0]).name} back out" in out
    assert f"order {front.order_id} still has 1 job" in out
    assert f"production cancel {front.order_id}" in out and "Seller Central" in out
    rejected = shop.job(front.job_id)
    assert (rejected.state, rejected.reason) == (
        JobState.CANCELLED,
        f"rejected by {getpass.getuser()}: wrong colours",
    )
    assert not any(Path(p).exists() for p in front.hot_paths)
    assert shop.job(back.job_id).state is JobState.QUEUED

    code, out, _ = run(capsys, shop, "reject", back.job_id)
    assert code == 0 and f"order {front.order_id} has no job left" in out
    code, _, err = run(capsys, shop, "reject", back.job_id)
    assert code == 1 and "cancelled" in err and err.count("\n") == 1


# -- retry by cause, or all ----------------------------------------------------------------------


def test_retry_by_cause_or_all_releases_every_job_held_so(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    shop.hot("laser-1").rmdir()
    for number in (1, 2):
        shop.drop(renumbered(sample("text-only"), number), f"sign-{number}.zip")
    held_for_proof(shop)
    printer_held = [j for j in shop.jobs() if j.cause == "printer"]
    assert len(printer_held) == 2

    code, out, _ = run(capsys, shop, "retry", "--cause", "font")
    assert code == 0 and "no job is held for 'font'; held now: printer (2), proof (1)" in out
    shop.hot("laser-1").mkdir()
    code, out, _ = run(capsys, shop, "retry", "--cause", "printer")
    assert code == 0 and "2 jobs will be rendered again" in out
    assert {shop.job(j.job_id).state for j in printer_held} == {JobState.RECEIVED}
    assert shop.jobs(JobState.HELD)[0].cause == "proof"

    code, out, _ = run(capsys, shop, "retry", "--all")
    assert code == 0 and "1 job will be rendered again" in out
    code, out, _ = run(capsys, shop, "retry", "--all")
    assert code == 0 and "no job is held at all" in out
    with pytest.raises(SystemExit) as usage:
        run(capsys, shop, "retry")
    assert usage.value.code == 2 and "JOB --cause --all" in capsys.readouterr().err


# -- printer holds resume by themselves ----------------------------------------------------------


def test_printer_holds_go_on_by_themselves_once_the_hot_folder_is_back(shop: Shop) -> None:
    shop.hot("laser-1").rmdir()
    for number in (1, 2):
        shop.drop(renumbered(sample("text-only"), number), f"sign-{number}.zip")
    shop.settle()
    held = shop.jobs(JobState.HELD)
    assert [j.cause for j in held] == ["printer", "printer"]

    logged = len(shop.events)
    for _ in range(3):  # still away: nothing to do, nothing logged, no busy pass
        assert shop.daemon.loop() is False
    assert len(shop.events) == logged

    shop.hot("laser-1").mkdir()  # reconnected; nobody retries anything
    assert shop.daemon.loop() is True
    assert {j.state for j in shop.jobs()} == {JobState.QUEUED}
    assert len(list(shop.hot("laser-1").iterdir())) == 4
    assert all(j.attempts == 0 for j in shop.jobs())  # not a person's retry
    reasons = [r.reason for r in shop.store.audit(job_id=held[0].job_id)]
    assert "printer laser-1 can be reached again" in reasons


def test_a_missing_hot_folder_is_warned_about_at_start(shop: Shop) -> None:
    shop.hot("laser-1").rmdir()
    shop.done("uv-1").rmdir()
    shop.events.clear()
    shop.restart()
    warnings = [e for e in shop.events if e["state"] == "folder missing"]
    by_folder = {e["folder"]: e for e in warnings}
    assert len(warnings) == 2 and set(by_folder) == {str(shop.hot("laser-1")), str(shop.done())}
    assert all(e["level"] == "warning" for e in warnings)
    assert "hot folder of printer 'laser-1'" in str(by_folder[str(shop.hot("laser-1"))]["reason"])
