"""The SQLite store file checked before it is trusted: damaged pages and a read-only file.

Real files, damaged for real: 4 KB of garbage written over a page of a store that holds jobs,
and a store made immutable with `chattr +i` (the tests run as root, whom mode bits do not stop;
an immutable file is refused to root too, as a read-only disk would be).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from production.core.errors import StoreError
from production.store import NewItem, NewJob
from production.store.factory import open_store_in, store_file, store_file_problems
from production.store.sqlite.health import store_problems

PAGE = 4096  # SQLite's default page size, the unit a disk or a bad copy damages


def a_store_with_jobs(data_dir: Path, items: int = 40) -> Path:
    with open_store_in(data_dir) as store:
        for n in range(items):
            item = f"9000000000{n:04d}"
            store.add_item(
                NewItem(
                    order_item_id=item, order_id=f"900-0000000-{n:07d}", asin="B0SAMPLE01",
                    sku=None, quantity=1, zip_path=f"/zips/{item}.zip", digest="ab" * 32,
                )
            )  # fmt: skip
            store.set_jobs(item, [NewJob(f"{item}-FRONT", "FRONT", "uv-1", f"{item}-FRONT")])
    return store_file(data_dir)


def write_garbage(path: Path, *, page: int) -> None:
    """4 KB of random bytes over page `page` (counted from 1) of the file."""
    assert path.stat().st_size >= page * PAGE, "the store is too small for this page"
    with path.open("r+b") as handle:
        handle.seek((page - 1) * PAGE)
        handle.write(os.urandom(PAGE))


@contextmanager
def immutable(path: Path) -> Iterator[None]:
    """A file nobody may write, root included: `chattr +i` (mode bits do not stop root)."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o644)
        return
    subprocess.run(["chattr", "+i", str(path)], check=True)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_whole_store_has_no_problems(tmp_path: Path) -> None:
    a_store_with_jobs(tmp_path)
    assert store_file_problems(tmp_path) == []
    assert store_file_problems(tmp_path, full=True) == []


@pytest.mark.parametrize("page", [1, 3, 6])
def test_garbage_over_a_page_is_found(tmp_path: Path, page: int) -> None:
    path = a_store_with_jobs(tmp_path)
    write_garbage(path, page=page)
    problems = store_problems(path)
    assert problems, f"garbage over page {page} went unnoticed"
    assert len(problems) <= 10  # SQLite's report is cut short, not a flood
    assert store_problems(path, full=True)


def test_a_read_only_store_says_so_when_opened(tmp_path: Path) -> None:
    path = a_store_with_jobs(tmp_path)
    with immutable(path), pytest.raises(StoreError, match="cannot be written"):
        open_store_in(tmp_path)
    with open_store_in(tmp_path) as store:
        store.check_writable()  # writable again: no error, and nothing changed
        assert store.get_meta("write check") is None
        assert len(store.jobs()) == 40
