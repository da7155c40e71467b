"""A render worker keeps the memory a render freed for the next one (production.floor.malloc).

Measured as the kernel counts it: minor page faults, each a page the process asked for again.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from production.config.settings import load_settings
from production.customization import parse_members, read_zip
from production.floor.render_pool import RenderPool, RenderTask
from tests.daemon.shop import make_config, renumbered, sample

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="glibc's malloc, /proc")

_FAULTS_OF_A_REUSE = """
import resource, sys
from production.floor.malloc import keep_freed_memory
if sys.argv[1] == "keep":
    assert keep_freed_memory()
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
def render():  # a render's pictures: forty of a MiB each, written, then all freed
    pictures = [b"x" * (1 << 20) for _ in range(40)]
    del pictures
render()
before = faults()
render()
print(faults() - before)
"""


def _faults(mode: str) -> int:
    run = subprocess.run(
        [sys.executable, "-c", _FAULTS_OF_A_REUSE, mode],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    return int(run.stdout)


def test_memory_freed_is_taken_again_without_asking_the_kernel() -> None:
    pages = (40 << 20) // 4096
    assert _faults("default") > pages // 2  # glibc's defaults: mapped and faulted in again
    assert _faults("keep") < pages // 20


def _worker_faults(pool: RenderPool) -> int:
    assert pool._executor is not None
    total = 0
    for pid in pool._executor._processes:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[7])  # minflt
    return total


def test_a_workers_second_render_takes_few_new_pages(tmp_path: Path) -> None:
    settings = load_settings(make_config(tmp_path / "config"))
    tasks = []
    for number in (1, 2, 3):
        members = read_zip(
            renumbered(sample("text-only"), number), source="test", limits=settings.limits
        )
        customization = parse_members(members, source="test", limits=settings.limits)
        tasks.append(
            RenderTask(
                customization.item.order_item_id, members=members, customization=customization
            )
        )
    pool = RenderPool(settings, 1)
    pool.start()
    try:
        for task in tasks[:2]:
            assert pool.submit(task).result().jobs  # rendered: the pictures' memory is there
        before = _worker_faults(pool)
        assert pool.submit(tasks[2]).result().jobs
        # glibc's defaults: some 900 pages for a text render, each mapped and zeroed again.
        assert _worker_faults(pool) - before < 300
    finally:
        pool.close()
