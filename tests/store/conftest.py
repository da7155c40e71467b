"""The store every contract test runs against, once per backend (`BACKENDS`), with a clock the
test moves by hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from production.store import JobStore
from tests.store.test_store_contract import BACKENDS, Backend, Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock) -> Backend:
    return BACKENDS[request.param](tmp_path, clock)


@pytest.fixture
def store(backend: Backend) -> Iterator[JobStore]:
    opened = backend.open()
    yield opened
    opened.close()
