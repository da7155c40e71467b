"""Shared fixtures: a clean environment for every test."""

from __future__ import annotations

import os

import pytest

_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "SYSTEMROOT", "PYTHONPATH")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may depend on the developer's secrets or settings."""
    for key in list(os.environ):
        if key not in _KEEP and not key.startswith(("PYTEST_", "COV_")):
            monkeypatch.delenv(key, raising=False)
