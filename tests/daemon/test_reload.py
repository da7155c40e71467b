"""The configuration re-read while the daemon runs: on a retry, on SIGHUP; a broken one is kept
out. First in one process a pass at a time, then with real daemon processes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from production.app.cli import main
from production.store import JobState
from tests.daemon.held_zips import proof_held
from tests.daemon.processes import REPO, Floor
from tests.daemon.shop import Shop, renumbered, sample

ALIAS = '"font-c85d8f95-b74e-a34c-051c-3" = "Roboto"'  # config/shop.toml's, for seller-font
NO_ALIAS = '"font-c85d8f95-b74e-a34c-051c-3" = "Not Installed Anywhere"'
WAIT = 60.0  # seconds: only how long a broken run may take to fail, never a pace


def without_alias(config: Path) -> None:
    shop_toml = config / "shop.toml"
    text = shop_toml.read_text()
    assert ALIAS in text, "config/shop.toml no longer aliases the seller-font sample's font"
    shop_toml.write_text(text.replace(ALIAS, NO_ALIAS))


def with_alias(config: Path) -> None:
    shop_toml = config / "shop.toml"
    shop_toml.write_text(shop_toml.read_text().replace(NO_ALIAS, ALIAS))


# -- one pass at a time --------------------------------------------------------------------------


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    shop = Shop(tmp_path)
    without_alias(shop.config)
    shop.restart()
    yield shop
    shop.close()


def held_font_job(shop: Shop, number: int = 1) -> str:
    shop.drop(renumbered(sample("seller-font"), number), f"font-{number}.zip")
    shop.settle()
    [job] = [j for j in shop.jobs(JobState.HELD) if j.order_id.startswith(f"901-{number:07d}")]
    assert job.cause == "missing font", job.reason
    return job.job_id


def test_a_retry_renders_with_the_alias_added_since_the_daemon_started(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    job_id = held_font_job(shop)
    with_alias(shop.config)
    assert main(["retry", job_id, "--config", str(shop.config)]) == 0
    capsys.readouterr()
    shop.daemon.loop()
    jobs = shop.store.jobs(order_id=shop.store.jobs()[0].order_id)
    assert {j.state for j in jobs} == {JobState.QUEUED}, [j.reason for j in jobs]
    [reloaded] = [e for e in shop.events if e["state"] == "config reloaded"]
    assert "restart_needed" not in reloaded


def test_the_render_workers_render_with_the_new_configuration_too(tmp_path: Path) -> None:
    shop = Shop(tmp_path, render_workers=1)
    try:
        without_alias(shop.config)
        shop.restart()
        job_id = held_font_job(shop)
        with_alias(shop.config)
        shop.daemon.request_reload()  # as the desk's Retry does, in the daemon's process
        shop.store.transition(job_id, JobState.RECEIVED, reason="retried", expect={JobState.HELD})
        shop.daemon.loop()
        assert {j.state for j in shop.jobs()} == {JobState.QUEUED}
    finally:
        shop.close()


def test_a_broken_configuration_is_kept_out_with_one_error_line(shop: Shop) -> None:
    job_id = held_font_job(shop)
    shop_toml = shop.config / "shop.toml"
    good = shop_toml.read_text()
    shop_toml.write_text(good + "\n[fonts\nbroken = \n")
    shop.daemon.request_reload()
    shop.daemon.loop()
    [kept] = [e for e in shop.events if e["state"] == "config kept"]
    assert kept["level"] == "error" and "shop.toml" in str(kept["reason"])
    assert "invalid TOML on line" in str(kept["reason"]) and "\n" not in str(kept["reason"])
    assert not [e for e in shop.events if e["state"] == "config reloaded"]
    # The old configuration goes on: a new order is taken in and rendered as before.
    shop.drop(renumbered(sample("text-only"), 7), "sign.zip")
    shop.settle()
    assert any(j.state is JobState.QUEUED for j in shop.jobs())
    assert shop.job(job_id).cause == "missing font"


def test_what_needs_a_restart_is_said_in_the_log_line_and_kept(shop: Shop) -> None:
    inbox = shop.daemon.pipeline.settings.shop.inbox
    shop_toml = shop.config / "shop.toml"
    shop_toml.write_text(shop_toml.read_text().replace('inbox = "inbox"', 'inbox = "elsewhere"'))
    with_alias(shop.config)
    shop.daemon.request_reload()
    shop.daemon.loop()
    [reloaded] = [e for e in shop.events if e["state"] == "config reloaded"]
    assert reloaded["level"] == "warning" and reloaded["restart_needed"] == ["[shop] inbox"]
    assert "until the daemon is restarted" in str(reloaded["reason"])
    assert shop.daemon.pipeline.settings.shop.inbox == inbox
    assert shop.daemon.pipeline.settings.fonts.aliases["font-c85d8f95-b74e-a34c-051c-3"] == "Roboto"


def test_a_job_for_a_printer_taken_out_of_the_configuration_is_held_not_lost(
    shop: Shop, capsys: pytest.CaptureFixture[str]
) -> None:
    shop.drop(proof_held(9), "shifted.zip")  # made on uv-1, held for its proof
    shop.settle()
    [job] = shop.jobs()
    assert (job.printer, job.cause) == ("uv-1", "proof")
    for name in ("printers.toml", "products.toml"):  # the UV printer is renamed uv-2
        path = shop.config / name
        path.write_text(path.read_text().replace('"uv-1"', '"uv-2"'))
    assert main(["approve", job.job_id, "--reason", "ok", "--config", str(shop.config)]) == 0
    capsys.readouterr()
    shop.daemon.loop()  # re-reads the configuration, then would deliver the approved job
    held = shop.job(job.job_id)
    assert (held.state, held.cause) == (JobState.HELD, "printer"), held.reason
    assert "printer 'uv-1' is not in printers.toml any more" in (held.reason or "")


# -- real daemon processes -----------------------------------------------------------------------


@pytest.fixture
def floor(tmp_path: Path) -> Iterator[Floor]:
    floor = Floor(tmp_path, settle=0.2)
    without_alias(floor.config)
    yield floor
    floor.stop_all()


def cli(floor: Floor, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "production", *args, "--config", str(floor.config)],
        cwd=REPO, capture_output=True, text=True, timeout=WAIT, check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_a_running_daemon_renders_a_retry_with_the_fixed_font_alias(floor: Floor) -> None:
    run = floor.start()
    floor.drop(renumbered(sample("seller-font"), 1), "font-1.zip")
    floor.wait_event(run, lambda e: e.get("cause") == "missing font", timeout=WAIT, what="held")
    [held] = [e for e in run.events() if e.get("cause") == "missing font"]
    with_alias(floor.config)
    result = cli(floor, "retry", str(held["job"]))
    assert result.returncode == 0, result.stderr
    floor.wait_event(
        run, lambda e: e.get("state") == "queued", timeout=WAIT, what="the retry rendered"
    )
    assert [e["state"] for e in run.events()].count("config reloaded") == 1
    delivered = [name for names in floor.hot_files().values() for name in names]
    assert any(name.endswith(".pdf") for name in delivered), floor.report()
    assert floor.stop(run) == 0, floor.report()


@pytest.mark.slow
def test_sighup_rereads_and_a_broken_configuration_keeps_the_old_one(floor: Floor) -> None:
    run = floor.start()
    floor.wait_event(run, lambda e: e.get("state") == "started", timeout=WAIT, what="started")
    with_alias(floor.config)
    floor.signal(run, signal.SIGHUP)
    floor.wait_event(
        run, lambda e: e.get("state") == "config reloaded", timeout=WAIT, what="the reload"
    )
    floor.drop(renumbered(sample("seller-font"), 2), "font-2.zip")  # renders with the alias now
    floor.wait_event(run, lambda e: e.get("state") == "queued", timeout=WAIT, what="queued")
    assert not [e for e in run.events() if e.get("state") == "held"], floor.report()

    shop_toml = floor.config / "shop.toml"
    shop_toml.write_text(shop_toml.read_text() + "\n[fonts\n")
    floor.signal(run, signal.SIGHUP)
    floor.wait_event(
        run, lambda e: e.get("state") == "config kept", timeout=WAIT, what="the refusal"
    )
    lines = [line for line in run.lines() if "config kept" in line]
    assert len(lines) == 1 and json.loads(lines[0])["level"] == "error", floor.report()
    assert "shop.toml" in lines[0] and "invalid TOML" in lines[0]
    floor.drop(renumbered(sample("seller-font"), 3), "font-3.zip")  # still the old config
    floor.wait_until(
        lambda: [e["state"] for e in run.events()].count("queued") == 2,
        timeout=WAIT, what="the next order queued", run=run,
    )  # fmt: skip
    assert run.alive() and floor.stop(run) == 0, floor.report()
