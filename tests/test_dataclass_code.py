"""The kept dataclass code: real processes, a real cache file, classes as @dataclass makes them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from production.app.dataclass_code import _read

_PROGRAM = """
import dataclasses, sys
from pathlib import Path
from production.app import dataclass_code
dataclass_code.install(Path(sys.argv[1]))

@dataclasses.dataclass(frozen=True, slots=True)
class Point:
    x: int
    y: int = 2
    tags: tuple[str, ...] = dataclasses.field(default=())

p = Point(1)
assert p == Point(1, 2) and p != Point(1, 3), "eq"
assert hash(p) == hash(Point(1, 2)), "hash"
assert repr(p) == "Point(x=1, y=2, tags=())", repr(p)
try:
    p.x = 5  # type: ignore[misc]
except dataclasses.FrozenInstanceError:
    pass
else:
    raise AssertionError("not frozen")
print("ok")
"""


def _run(cache: Path, *, write_bytecode: bool = True) -> None:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not write_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", _PROGRAM, str(cache)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_code_is_kept_and_used_by_the_next_process(tmp_path: Path) -> None:
    cache = tmp_path / "code.marshal"
    _run(cache)
    kept = _read(cache)
    assert any("__init__" in text and "tags" in text for text in kept)
    written = cache.stat().st_mtime_ns
    _run(cache)  # every text found: nothing new, the file is not written again
    assert cache.stat().st_mtime_ns == written
    assert _read(cache).keys() == kept.keys()


def test_an_unreadable_file_is_ignored_and_replaced(tmp_path: Path) -> None:
    cache = tmp_path / "code.marshal"
    cache.write_bytes(b"\x00not marshal at all")
    _run(cache)
    assert _read(cache)


def test_nothing_is_written_when_python_writes_no_bytecode(tmp_path: Path) -> None:
    cache = tmp_path / "code.marshal"
    _run(cache, write_bytecode=False)
    assert not cache.exists()
