"""`production jobs | done | retry | cancel`: what the floor types while the daemon runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from production.app.cli import main
from production.store import JobState
from tests.daemon.shop import Shop, sample


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    shop = Shop(tmp_path)
    yield shop
    shop.close()


def run(capsys: pytest.CaptureFixture[str], shop: Shop, *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--config", str(shop.config)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_jobs_lists_every_job_and_filters_by_state(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    shop.drop(sample("two-surfaces").read_bytes(), "tote.zip")
    shop.drop(b"junk", "junk.zip")
    shop.settle()
    code, out, _ = run(capsys, shop, "jobs")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["JOB", "ORDER", "SURFACE", "PRINTER", "STATE", "REASON"]
    assert {line.split()[0] for line in lines[1:]} == {
        "90000000000044-FRONT",
        "90000000000044-BACK",
    }
    code, out, _ = run(capsys, shop, "jobs", "--state", "held", "--json")
    assert (code, out) == (0, "")
    code, out, _ = run(capsys, shop, "jobs", "--state", "queued", "--json")
    records = [json.loads(line) for line in out.splitlines()]
    assert {r["state"] for r in records} == {"queued"} and len(records) == 2
    assert all(Path(p).exists() for r in records for p in r["hot_paths"])


def test_done_by_barcode_marks_the_job_printed(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    shop.drop(sample("photo-text").read_bytes(), "mug.zip")
    shop.settle()
    [job] = shop.jobs()
    barcode = shop.ticket(job)["barcode"]
    code, out, _ = run(capsys, shop, "done", f" {barcode}\n")  # a scanner may add whitespace
    assert code == 0 and "printed" in out
    assert shop.job(job.job_id).state is JobState.PRINTED
    assert shop.store.orders_ready_to_ship() == ["900-0000003-0000003"]


def test_done_on_an_unknown_or_unqueued_job_is_one_line(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, shop, "done", "NOPE-1")
    assert code == 1 and err.count("\n") == 1 and "NOPE-1" in err
    shop.hot().rmdir()
    shop.drop(sample("photo-text").read_bytes(), "mug.zip")
    shop.settle()
    [job] = shop.jobs()
    assert job.state is JobState.HELD
    code, _, err = run(capsys, shop, "done", job.job_id)  # never delivered: not printed
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err


def test_done_twice_is_a_double_scan_and_succeeds_quietly(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    shop.drop(sample("photo-text").read_bytes(), "mug.zip")
    shop.settle()
    [job] = shop.jobs()
    assert run(capsys, shop, "done", job.job_id)[:2] == (0, f"{job.job_id}: printed\n")
    audit = shop.store.audit(job_id=job.job_id)
    assert run(capsys, shop, "done", job.job_id) == (0, f"{job.job_id}: already printed\n", "")
    assert shop.store.audit(job_id=job.job_id) == audit  # nothing changed


def test_jobs_json_says_where_the_files_are_after_the_rip_moved_them(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    shop.drop(sample("photo-text").read_bytes(), "mug.zip")  # uv-1, which has a done folder
    shop.settle()
    [job] = shop.jobs()
    pdf, ticket = sorted(map(Path, job.hot_paths))[::-1]
    assert (pdf.suffix, ticket.suffix) == (".pdf", ".json")
    pdf.rename(shop.done() / pdf.name)  # the RIP printed it; it deleted the ticket
    ticket.unlink()
    shop.daemon.loop()
    printed = shop.job(job.job_id)
    assert printed.state is JobState.PRINTED
    assert printed.hot_paths == (str(shop.done() / pdf.name),)  # the store says so too
    [record] = [json.loads(line) for line in run(capsys, shop, "jobs", "--json")[1].splitlines()]
    assert record["hot_paths"] == [str(shop.done() / pdf.name)]
    (shop.done() / pdf.name).unlink()  # the RIP cleaned its done folder
    [record] = [json.loads(line) for line in run(capsys, shop, "jobs", "--json")[1].splitlines()]
    assert record["hot_paths"] == []


def test_an_order_in_a_missing_font_reads_the_family_and_what_to_do(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    shop_toml = shop.config / "shop.toml"
    shop_toml.write_text(shop_toml.read_text().replace('"font-c85d8f95', '"no-such-alias'))
    shop.restart()
    shop.drop(sample("seller-font").read_bytes(), "order.zip")
    shop.settle()
    code, out, _ = run(capsys, shop, "jobs")
    [_, row] = out.splitlines()
    assert code == 0 and "*" not in row and "nothing to print" not in row
    assert "(whole item)" in row and "missing font: " in row
    assert "font family 'font-c85d8f95-b74e-a34c-051c-3' is not installed" in row
    assert "add the .ttf or .otf file" in row and "[fonts.aliases]" in row


def test_retry_renders_a_held_job_again_after_the_cause_is_fixed(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    shop.hot("uv-1").rmdir()
    shop.drop(sample("photo-text").read_bytes(), "mug.zip")
    shop.settle()
    [held] = shop.jobs()
    assert held.state is JobState.HELD
    code, out, _ = run(capsys, shop, "jobs", "--state", "held")
    assert "does not exist" in out
    shop.hot("uv-1").mkdir()
    assert run(capsys, shop, "retry", held.job_id)[0] == 0
    shop.daemon.loop()
    [job] = shop.jobs()
    assert (job.state, job.attempts) == (JobState.QUEUED, 1)
    code, _, err = run(capsys, shop, "retry", job.job_id)  # not held: refused, one line
    assert code == 1 and err.count("\n") == 1


def test_cancel_pulls_the_orders_files_back(shop: Shop, capsys: pytest.CaptureFixture[str]) -> None:
    shop.drop(sample("two-surfaces").read_bytes(), "tote.zip")
    shop.drop(sample("photo-text").read_bytes(), "mug.zip")
    shop.settle()
    code, out, _ = run(capsys, shop, "cancel", "900-0000004-0000004")
    assert code == 0 and "cancelled" in out
    left = sorted(p.name for p in shop.hot().iterdir())
    assert left == [
        "900-0000003-0000003_90000000000033_FRONT.json",
        "900-0000003-0000003_90000000000033_FRONT.pdf",
    ]
    states = {j.job_id: j.state for j in shop.jobs()}
    assert states["90000000000044-FRONT"] is JobState.CANCELLED
    assert states["90000000000033-FRONT"] is JobState.QUEUED
