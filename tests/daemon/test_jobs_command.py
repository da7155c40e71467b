"""`production jobs` on a longer history: the most recent page, how many are left out, and the
filters (`--since`, `--order`, `--state`) and `--limit 0` (everything, streamed)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from production.app.cli import main
from production.app.commands.jobs import DEFAULT_LIMIT
from production.config.settings import load_settings
from production.store import JobState, NewItem, NewJob
from production.store.factory import open_store_in
from tests.daemon.shop import make_config

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ORDERS = 115  # two jobs each: more than one default page


def order(n: int) -> str:
    return f"903-{n:07d}-{n:07d}"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A shop whose store holds ORDERS orders made an hour apart; every tenth one held."""
    config = make_config(tmp_path / "config")
    data = load_settings(config).shop.data_dir
    data.mkdir(parents=True)
    moment = [START]
    with open_store_in(data, clock=lambda: moment[0]) as store:
        for n in range(ORDERS):
            moment[0] = START + timedelta(hours=n)
            item_id = f"93{n:012d}"
            store.add_item(NewItem(item_id, order(n), "B0X", "MUG", 1, "", ""))
            jobs = [NewJob(f"{item_id}-{s}", s, "uv-1", f"{order(n)}_{item_id}_{s}")
                    for s in ("BACK", "FRONT")]  # fmt: skip
            if n % 10:
                store.set_jobs(item_id, jobs)
            else:
                store.set_jobs(item_id, jobs, state=JobState.HELD, cause="review")
    return config


Run = Callable[..., tuple[str, str]]


@pytest.fixture
def run(config: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    def run(*argv: str) -> tuple[str, str]:
        """`production jobs ARGV`, which must succeed: its stdout and stderr."""
        assert main(["jobs", *argv, "--config", str(config)]) == 0
        captured = capsys.readouterr()
        return captured.out, captured.err

    return run


def job_ids(table: str) -> list[str]:
    return [line.split()[0] for line in table.splitlines()[1:] if not line.startswith("(")]


def every_job_id() -> list[str]:
    return [f"93{n:012d}-{s}" for n in range(ORDERS) for s in ("BACK", "FRONT")]


def test_jobs_shows_the_most_recent_page_and_how_many_are_left_out(run: Run) -> None:
    out, err = run()
    assert err == ""
    assert job_ids(out) == every_job_id()[-DEFAULT_LIMIT:]  # oldest of the page first
    assert out.splitlines()[-1].startswith(f"({2 * ORDERS - DEFAULT_LIMIT} earlier jobs not shown")
    out, _ = run("--limit", "5")
    assert job_ids(out) == every_job_id()[-5:]
    assert f"({2 * ORDERS - 5} earlier jobs not shown" in out
    out, _ = run("--limit", "0")
    assert job_ids(out) == every_job_id() and "not shown" not in out


def test_jobs_json_stays_one_object_per_line_and_says_the_rest_on_stderr(run: Run) -> None:
    out, err = run("--json", "--limit", "3")
    assert [json.loads(line)["job_id"] for line in out.splitlines()] == every_job_id()[-3:]
    assert err.startswith(f"({2 * ORDERS - 3} earlier jobs not shown")
    out, err = run("--json", "--limit", "0")
    assert [json.loads(line)["job_id"] for line in out.splitlines()] == every_job_id()
    assert err == ""


def test_jobs_filters_by_creation_date_order_and_state(run: Run) -> None:
    since = (START + timedelta(hours=100)).isoformat()
    out, _ = run("--since", since)
    assert job_ids(out) == every_job_id()[200:] and "not shown" not in out
    out, _ = run("--since", "2026-03-06")  # a date: midnight UTC, 87 hours in
    assert job_ids(out) == every_job_id()[2 * 87 :]
    out, _ = run("--order", order(42))
    assert job_ids(out) == [f"93{42:012d}-BACK", f"93{42:012d}-FRONT"]
    assert out.splitlines()[1].split()[1] == order(42)
    out, _ = run("--state", "held", "--limit", "4")
    held = [job for job in every_job_id() if int(job[2:14]) % 10 == 0]
    assert job_ids(out) == held[-4:] and f"({len(held) - 4} earlier jobs not shown" in out
    out, _ = run("--state", "held", "--order", order(40), "--json")
    assert [json.loads(line)["state"] for line in out.splitlines()] == ["held", "held"]
    out, _ = run("--state", "held", "--since", since)
    assert job_ids(out) == [f"93{n:012d}-{s}" for n in (100, 110) for s in ("BACK", "FRONT")]


@pytest.mark.parametrize("argv", [["--since", "last tuesday"], ["--limit", "-1"]])
def test_jobs_refuses_what_is_not_a_date_or_a_count(run: Run, argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        run(*argv)
    assert exit_.value.code == 2
