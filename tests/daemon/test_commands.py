"""`production jobs | done | retry | cancel`: what the floor types while the daemon runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from production.app.cli import main
from production.store import JobState
from tests.daemon.shop import Shop, make_config, renumbered, sample


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


def test_commands_print_their_one_line_result_and_no_log_lines(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    """The floor's JSON events are the daemon's log; at a terminal a command answers in a line."""
    shop.hot("uv-1").rmdir()
    shop.drop(sample("photo-text").read_bytes(), "mug.zip")  # uv-1: held, its folder is gone
    shop.drop(sample("text-only").read_bytes(), "sign.zip")  # laser-1
    shop.drop(renumbered(sample("text-only"), 1), "another sign.zip")
    shop.settle()
    shop.hot("uv-1").mkdir()
    [held] = shop.jobs(JobState.HELD)
    queued = shop.jobs(JobState.QUEUED)
    assert len(queued) == 2
    answers = [
        (("done", queued[0].job_id), f"{queued[0].job_id}: printed\n"),
        (("retry", held.job_id), f"{held.job_id}: will be rendered again\n"),
        (("cancel", queued[1].order_id), f"order {queued[1].order_id}: cancelled\n"),
    ]
    for argv, answer in answers:
        code, out, err = run(capsys, shop, *argv)
        assert (code, err) == (0, ""), argv
        # cancel also says what became of each file it took back out of a hot folder
        assert out.endswith(answer) and "{" not in out, (argv, out)
    assert shop.job(queued[0].job_id).state is JobState.PRINTED
    assert shop.job(held.job_id).state is JobState.RECEIVED
    assert shop.job(queued[1].job_id).state is JobState.CANCELLED


def test_commands_on_a_shop_where_no_daemon_has_run_yet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A fresh data folder: no jobs yet, said as such; and no command creates the store (or
    the data folder) as a side effect of a look or of a refusal."""
    config = make_config(tmp_path / "config")
    data = config / "data"

    def command(*argv: str) -> tuple[int, str, str]:
        code = main([*argv, "--config", str(config)])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    assert command("jobs") == (0, f"no jobs yet (no daemon has run on {data})\n", "")
    assert command("jobs", "--state", "held", "--json") == (0, "", "")
    assert command("purge", "--dry-run") == (
        0, f"nothing to purge (no daemon has run on {data})\n", ""
    )  # fmt: skip
    ship = ("ship", "900-1", "--carrier", "UPS", "--tracking", "1Z999AA10123456784")
    refusals = [
        (("done", "X-1"), "job 'X-1'"),
        (("retry", "X-1"), "job 'X-1'"),
        (("cancel", "900-1"), "order '900-1'"),
        (ship, "order '900-1'"),
        (("purge", "--order", "900-1"), "order '900-1'"),
    ]
    for argv, what in refusals:
        assert command(*argv) == (1, "", f"production: no {what} (no daemon has run on {data})\n")
    assert not data.exists()
    data.mkdir()  # made by hand, or by a daemon that stopped before it made its store
    assert command("jobs")[0:2] == (0, f"no jobs yet (no daemon has run on {data})\n")
    assert list(data.iterdir()) == []
