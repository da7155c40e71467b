"""A proof-held job approved from the desk page in a real Chromium, with the real daemon running:
its files reach the printer's hot folder with a ticket that no longer says hold."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.daemon.held_zips import proof_held
from tests.daemon.processes import Floor
from tests.desk.desk_shop import PASSWORD

pytestmark = pytest.mark.slow  # real processes end to end: `-m 'not slow'` skips them

TIMEOUT_MS = 30_000
WAIT = 60.0  # seconds a step of the daemon may take before the test gives up on it


@pytest.fixture
def floor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Floor]:
    floor = Floor(tmp_path, settle=0.2)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (floor.config / "shop.toml").open("a") as shop_toml:
        shop_toml.write(f'\n[desk]\nlisten = "127.0.0.1:{port}"\n')
    monkeypatch.setenv("PRODUCTION_DESK_PASSWORD", PASSWORD)
    yield floor
    floor.stop_all()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def test_a_proof_held_job_approved_in_the_browser_reaches_the_hot_folder(
    floor: Floor, page: Page
) -> None:
    run = floor.start()
    floor.wait_event(run, lambda e: e.get("state") == "desk page", timeout=WAIT, what="the desk")
    [desk] = [str(e["url"]) for e in run.events() if e.get("state") == "desk page"]
    floor.drop(proof_held(9), "shifted.zip")
    floor.wait_event(run, lambda e: e.get("cause") == "proof", timeout=WAIT, what="a proof hold")
    [held] = [e for e in run.events() if e.get("cause") == "proof"]
    job_id, order_id = str(held["job"]), str(held["order"])
    assert floor.files_in(floor.hot("uv-1")) == []

    page.goto(desk + "/")
    expect(page).to_have_url(desk + "/login")
    page.locator("#password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(desk + "/")
    page.goto(f"{desk}/orders/{order_id}")
    entry = page.locator(f'li[data-job="{job_id}"]')
    expect(entry.locator("figure.comparison img")).to_be_visible()  # what the person looks at
    entry.get_by_placeholder("why it may print").fill("photo placed as the buyer asked")
    entry.get_by_role("button", name="Approve").click()
    expect(page.locator(".flash")).to_contain_text(f"Job {job_id} approved")

    names = {f"901-0000009-0000003_{job_id.split('-')[0]}_FRONT{s}" for s in (".pdf", ".json")}
    floor.wait_until(
        lambda: set(floor.files_in(floor.hot("uv-1"))) == names,
        timeout=WAIT, what="the approved job in the hot folder", run=run,
    )  # fmt: skip
    ticket = json.loads((floor.hot("uv-1") / sorted(names)[0]).read_text())
    assert ticket["hold"] == [] and ticket["approval"]["by"] == "desk"
    assert ticket["approval"]["reason"] == "photo placed as the buyer asked"
    expect(page.locator(f'li[data-job="{job_id}"] .state-queued')).to_be_visible()
    assert floor.stop(run) == 0, floor.report()
