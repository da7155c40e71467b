"""The desk tests' shop and desk service, and a real Chromium for the browser tests: the
system's, installed by `.ci/run`."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from production.desk.service import DeskService
from tests.desk.desk_shop import DeskShop

CHROMIUM = os.environ.get("PRODUCTION_TEST_CHROMIUM") or shutil.which("chromium") or ""
IN_CI = bool(os.environ.get("CI"))
# Chromium's own background traffic is refused by a closed network, many times a second.
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).is_file():
        message = "the browser tests need Chromium: apt-get install chromium (see .ci/run)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[DeskShop]:
    shop = DeskShop(tmp_path)
    yield shop
    shop.close()


@pytest.fixture
def desk(shop: DeskShop) -> Iterator[DeskService]:
    with shop.desk() as service:
        yield service
