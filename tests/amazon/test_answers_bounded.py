"""Amazon's answers read within bounds, against a real HTTP server on loopback that misbehaves:
an answer of 60 MB, one that trickles a byte at a time, one that never comes, 503 for ever.
The client gives up with one clear error, without reading the rest, inside its deadline; and
`production ship` says on the screen what it waits for and gives up on time."""

from __future__ import annotations

import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from production.amazon.client import SpApiClient
from production.amazon.credentials import Credentials
from production.amazon.errors import SpApiError
from production.amazon.sim import DEFAULT_CREDENTIALS
from tests.amazon.misbehaving import MIB, Misbehaving, misbehaving_amazon
from tests.daemon.shop import Shop, renumbered, sample

CREDENTIALS = Credentials("amzn1.application-oa2-client.ID42", "SECRET-abc123", "Atzr|REFRESH-xyz")


@pytest.fixture
def amazon() -> Iterator[tuple[Misbehaving, str]]:
    with misbehaving_amazon() as served:
        yield served


def client(base_url: str, *, deadline: float = 90.0) -> SpApiClient:
    return SpApiClient(
        endpoint=base_url, lwa_endpoint=base_url, credentials=CREDENTIALS, deadline=deadline
    )


def search(spapi: SpApiClient) -> object:
    after = datetime.now(UTC) - timedelta(days=1)
    return spapi.search_orders(marketplace_ids=["ATVPDKIKX0DER"], last_updated_after=after)


def test_an_answer_of_60_mb_is_refused_without_being_read_whole(
    amazon: tuple[Misbehaving, str],
) -> None:
    state, base_url = amazon
    with client(base_url) as spapi:
        tracemalloc.start()
        try:
            with pytest.raises(SpApiError, match="more than 8 MiB") as refused:
                search(spapi)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert refused.value.code == "MalformedResponse"
    assert state.requests == 1  # not asked again: a second try would be as large
    assert peak < 24 * MIB, f"{peak / MIB:.0f} MiB held while refusing it"


def test_an_answer_that_trickles_is_given_up_at_the_deadline(
    amazon: tuple[Misbehaving, str],
) -> None:
    state, base_url = amazon
    state.mode = "trickle"
    started = time.monotonic()
    with client(base_url, deadline=2.0) as spapi, pytest.raises(SpApiError) as gave_up:
        search(spapi)
    # Never the 1 MiB it announced, nor httpx's 30 s per read: the call's own 2 s, and a read.
    assert time.monotonic() - started < 15
    assert "gave up after" in gave_up.value.message or "could not reach" in gave_up.value.message


@pytest.mark.slow
def test_ship_shows_what_it_waits_for_and_gives_up_on_time(
    tmp_path: Path, amazon: tuple[Misbehaving, str]
) -> None:
    state, base_url = amazon
    shop = Shop(tmp_path)
    try:
        with (shop.config / "shop.toml").open("a") as shop_toml:
            shop_toml.write(
                f'\n[amazon]\nendpoint = "{base_url}"\nlwa_endpoint = "{base_url}"\n'
                'marketplace_ids = ["ATVPDKIKX0DER"]\ndeadline_seconds = 8\n'
            )
        (shop.config / "secrets.toml").write_text(
            "[amazon]\n"
            f'client_id = "{DEFAULT_CREDENTIALS.client_id}"\n'
            f'client_secret = "{DEFAULT_CREDENTIALS.client_secret}"\n'
            f'refresh_token = "{DEFAULT_CREDENTIALS.refresh_token}"\n'
        )
        (shop.config / "secrets.toml").chmod(0o600)
        shop.drop(renumbered(sample("text-only"), 43), "order.zip")
        shop.settle()
        [job] = shop.jobs()
        shop.daemon.pipeline.mark_printed(job.job_id, reason="printed in a test")
        shop.close()
        state.mode = "hang"
        command = [sys.executable, "-m", "production", "ship", job.order_id,
                   "--tracking", "1Z999AA10123456784", "--config", str(shop.config)]  # fmt: skip
        started = time.monotonic()
        run = subprocess.run(command, capture_output=True, text=True, timeout=120)
        took = time.monotonic() - started
    finally:
        shop.close()
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"order {job.order_id}: still waiting for Amazon (5 s; it is given 8 s)" in run.stderr
    assert "gave up after" in run.stderr
    assert "Traceback" not in run.stderr
    assert took < 60, f"{took:.0f} s for a call given 8 s"
