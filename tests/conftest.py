"""Shared fixtures: a clean environment for every test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "SYSTEMROOT", "PYTHONPATH")


@pytest.fixture(scope="session")
def _session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("xdg-cache")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, _session_cache: Path) -> None:
    """No test may depend on the developer's secrets or settings."""
    for key in list(os.environ):
        if key not in _KEEP and not key.startswith(("PYTEST_", "COV_")):
            monkeypatch.delenv(key, raising=False)
    # The font index cache of a FontIndex built without a cache folder: one for the session,
    # so the tests neither write into the developer's ~/.cache nor re-read every font.
    monkeypatch.setenv("XDG_CACHE_HOME", str(_session_cache))
