"""Held jobs on the desk page: Approve (with a reason), Reject, Retry that re-reads the
configuration, and what to fix for a hold approving cannot clear."""

from __future__ import annotations

import json

import httpx

from production.desk import DeskService
from production.store import JobRecord, JobState
from tests.daemon.held_zips import proof_held
from tests.daemon.shop import renumbered, sample
from tests.desk.desk_shop import DeskShop
from tests.desk.test_desk_http import csrf_of, logged_in

ALIAS = '"font-c85d8f95-b74e-a34c-051c-3" = "Roboto"'


def held_row(page: str, job: JobRecord) -> str:
    held = page.split('id="held-title"')[1].split('id="shipped-title"')[0]
    return held.split(f'data-job="{job.job_id}"')[1].split("</tr>")[0]


def proof_held_job(shop: DeskShop) -> JobRecord:
    shop.drop(proof_held(9), "shifted.zip")
    shop.settle()
    [job] = shop.store.jobs()
    assert (job.state, job.cause) == (JobState.HELD, "proof")
    return job


def missing_font_job(shop: DeskShop) -> JobRecord:
    shop_toml = shop.config / "shop.toml"
    shop_toml.write_text(shop_toml.read_text().replace(ALIAS, "# alias removed"))
    shop.restart()
    shop.drop(renumbered(sample("seller-font"), 4), "font.zip")
    shop.settle()
    [job] = shop.store.jobs()
    assert (job.state, job.cause) == (JobState.HELD, "missing font")
    return job


def test_a_proof_hold_is_approved_from_the_page_with_a_reason(
    shop: DeskShop, desk: DeskService
) -> None:
    job = proof_held_job(shop)
    client = logged_in(desk)
    page = client.get("/").text
    row = held_row(page, job)
    assert f'action="/jobs/{job.job_id}/approve"' in row and 'name="reason"' in row
    assert f'action="/jobs/{job.job_id}/reject"' in row
    answer = client.post(
        f"/jobs/{job.job_id}/approve",
        data={"csrf": csrf_of(page), "reason": "the photo sits where the buyer wants it"},
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/")
    approved = shop.job(job.job_id)
    assert approved.state is JobState.RENDERED and shop.wakes == 1
    reason = "the photo sits where the buyer wants it"
    assert approved.reason == f"approved by desk (proof hold): {reason}"
    assert "approved: it goes to printer uv-1" in client.get("/").text
    shop.daemon.loop()
    assert shop.job(job.job_id).state is JobState.QUEUED
    ticket = json.loads((shop.hot() / f"{job.stem}.json").read_text())
    assert ticket["hold"] == [] and ticket["approval"]["by"] == "desk"


def test_approving_needs_the_pages_token_and_a_reason(shop: DeskShop, desk: DeskService) -> None:
    job = proof_held_job(shop)
    client = logged_in(desk)
    forged = client.post(f"/jobs/{job.job_id}/approve", data={"reason": "sure"})
    assert forged.status_code == 403
    anonymous = httpx.post(f"{desk.base_url}/jobs/{job.job_id}/approve", data={"reason": "x"})
    assert anonymous.headers["location"] == "/login"
    page = client.get("/").text
    empty = client.post(
        f"/jobs/{job.job_id}/approve", data={"csrf": csrf_of(page), "reason": "  "},
        follow_redirects=True,
    )  # fmt: skip
    assert "say why it may be printed" in empty.text
    assert shop.job(job.job_id) == job


def test_a_missing_font_shows_what_to_fix_and_cannot_be_approved(
    shop: DeskShop, desk: DeskService
) -> None:
    job = missing_font_job(shop)
    client = logged_in(desk)
    page = client.get("/").text
    row = held_row(page, job)
    assert "approve" not in row and f'action="/jobs/{job.job_id}/retry"' in row
    assert "font-c85d8f95-b74e-a34c-051c-3" in row and "[fonts.aliases]" in row
    assert "To clear it: install the font" in row
    order = client.get(f"/orders/{job.order_id}").text
    assert "nothing to print" not in order and "<figcaption>*" not in order
    assert "not rendered: missing font" in order and "whole item" in order
    refused = client.post(
        f"/jobs/{job.job_id}/approve", data={"csrf": csrf_of(page), "reason": "print it"},
        follow_redirects=True,
    )  # fmt: skip
    assert f"Job {job.job_id} is held for missing font, which approving cannot clear" in (
        refused.text
    )
    assert shop.job(job.job_id) == job


def test_retry_on_the_page_renders_with_the_alias_added_meanwhile(
    shop: DeskShop, desk: DeskService
) -> None:
    job = missing_font_job(shop)
    shop_toml = shop.config / "shop.toml"
    shop_toml.write_text(shop_toml.read_text().replace("# alias removed", ALIAS))
    client = logged_in(desk)
    page = client.get("/").text
    assert client.post(f"/jobs/{job.job_id}/retry", data={"csrf": csrf_of(page)}).is_redirect
    shop.daemon.loop()
    [rendered] = shop.store.jobs(order_id=job.order_id)
    assert rendered.state is JobState.QUEUED, rendered.reason


def test_a_rejected_job_is_cancelled_and_the_page_says_what_to_do_with_the_order(
    shop: DeskShop, desk: DeskService
) -> None:
    job = proof_held_job(shop)
    client = logged_in(desk)
    page = client.get("/").text
    answer = client.post(
        f"/jobs/{job.job_id}/reject", data={"csrf": csrf_of(page), "reason": "not ours to print"},
        follow_redirects=True,
    )  # fmt: skip
    rejected = shop.job(job.job_id)
    assert (rejected.state, rejected.reason) == (
        JobState.CANCELLED,
        "rejected by desk: not ours to print",
    )
    assert f"Job {job.job_id} rejected. Now order {job.order_id} has no job left" in answer.text
    assert "Seller Central" in answer.text
    assert f'data-job="{job.job_id}"' not in answer.text.split('id="held-title"')[1]
