"""What wakes the daemon's loop: a file arriving in a watched folder, a watched file touched."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from production.floor.watching import Watch, watch_arrivals

WAIT_S = 5.0


@pytest.fixture
def folders(tmp_path: Path) -> Iterator[tuple[Path, Path, Path]]:
    inbox, outside, wake = tmp_path / "inbox", tmp_path / "outside", tmp_path / "wake"
    inbox.mkdir()
    outside.mkdir()
    wake.touch()
    yield inbox, outside, wake


def _watching(inbox: Path, wake: Path) -> tuple[Watch, threading.Event]:
    woken = threading.Event()
    return watch_arrivals([inbox, inbox / "missing"], [wake], woken.set), woken


def test_a_file_moved_in_or_written_wakes_the_loop(folders: tuple[Path, Path, Path]) -> None:
    inbox, outside, wake = folders
    watch, woken = _watching(inbox, wake)
    try:
        (outside / "order.zip").write_bytes(b"zip")
        assert not woken.wait(0.2)  # another folder: nothing
        (outside / "order.zip").rename(inbox / "order.zip")
        assert woken.wait(WAIT_S)
        woken.clear()
        (inbox / "copied.zip").write_bytes(b"zip")
        assert woken.wait(WAIT_S)
    finally:
        watch.stop()


def test_the_daemons_own_moves_out_do_not_wake_it(folders: tuple[Path, Path, Path]) -> None:
    inbox, outside, wake = folders
    (inbox / "order.zip").write_bytes(b"zip")
    watch, woken = _watching(inbox, wake)
    try:
        (inbox / "order.zip").rename(outside / "order.zip")  # a claim
        assert not woken.wait(0.3)
        wake.touch()  # `production retry`
        assert woken.wait(WAIT_S)
    finally:
        watch.stop()


def test_nothing_wakes_it_once_stopped(folders: tuple[Path, Path, Path]) -> None:
    inbox, _, wake = folders
    watch, woken = _watching(inbox, wake)
    watch.stop()
    (inbox / "order.zip").write_bytes(b"zip")
    wake.touch()
    assert not woken.wait(0.3)
