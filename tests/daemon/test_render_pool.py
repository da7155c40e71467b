"""Rendering in worker processes (`production run`): the same jobs, holds and events as inline.

In-process, the shop renders inline unless it is given render workers; these tests give it two
and compare it with an inline shop, then break a worker's renderer (a bug, a crash), and run the
daemon as a process with and without workers.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from printers.tickets import JobTicket
from production.config.settings import Settings, load_settings
from production.customization import read_zip
from production.floor.render_pool import RenderPool, RenderTask, default_render_workers
from production.floor.rendering import ItemRenderer
from production.store import JobState
from tests.daemon.processes import Floor, expected_jobs, session_processes, store_matches_folders
from tests.daemon.shop import Shop, renumbered, sample

SAMPLES = (
    "text-only", "options-only", "photo-text", "two-surfaces", "seller-font", "legacy-v3-only",
    "xml-only", "rotated-photo", "exif-rotated", "png-alpha",
)  # fmt: skip
MUG = "90000000000033"  # the photo-text sample's order item


@pytest.fixture
def shops(tmp_path: Path) -> Iterator[list[Shop]]:
    made: list[Shop] = []
    yield made
    for shop in made:
        shop.close()


def _break_config(shop: Shop) -> None:
    """The seller-font sample's font unknown, the two-surfaces sample's product unknown."""
    shop_toml = shop.config / "shop.toml"
    shop_toml.write_text(shop_toml.read_text().replace('"font-c85d8f95', '"no-such-alias'))
    products = shop.config / "products.toml"
    text = products.read_text()
    assert 'asin = "B0SAMPLE04"' in text
    products.write_text(text.replace('asin = "B0SAMPLE04"', 'asin = "B0SAMPLE04X"'))
    shop.restart()


def _jobs(shop: Shop) -> dict[str, tuple[str, str | None, str, list[str]]]:
    """Each job's state, cause, reason (the shop's own folder left out) and hot files."""
    here = str(shop.root)
    return {
        job.job_id: (
            job.state.value,
            job.cause,
            (job.reason or "").replace(here, "<shop>"),
            sorted(map(_name, job.hot_paths)),
        )
        for job in shop.jobs()
    }


def _name(path: str) -> str:
    return Path(path).name


def _stories(shop: Shop) -> dict[str, list[dict[str, str]]]:
    """Each job's (or item's) events in order, without their times or the shop's folder."""
    here = str(shop.root)
    stories: dict[str, list[dict[str, str]]] = {}
    for event in shop.events:
        key = str(event.get("job") or event.get("item") or event["state"])
        kept = {
            k: str(v).replace(here, "<shop>")
            for k, v in event.items()
            if k not in ("time", "duration_ms", "pid")
        }
        stories.setdefault(key, []).append(kept)
    return stories


def test_workers_render_what_the_loop_renders(tmp_path: Path, shops: list[Shop]) -> None:
    inline = Shop(tmp_path / "inline")
    pooled = Shop(tmp_path / "pooled", render_workers=2)
    shops += [inline, pooled]
    for shop in shops:
        _break_config(shop)
        for name in SAMPLES:
            shop.drop(sample(name).read_bytes(), f"{name}.zip")
        shop.drop(b"PK\x03\x04 not really a zip", "broken.zip")
        shop.settle()

    jobs = _jobs(inline)
    assert _jobs(pooled) == jobs
    states = {state for state, *_ in jobs.values()}
    assert states == {"queued", "held"}
    causes = {cause for state, cause, *_ in jobs.values() if state == "held"}
    assert {"missing font", "unknown product"} <= causes
    assert _stories(pooled) == _stories(inline)
    masters = [sorted(p.name for p in s.daemon.pipeline.folders.masters.iterdir()) for s in shops]
    assert masters[0] == masters[1]
    # What the workers staged was moved into masters/ or, for a held item, removed.
    assert list(pooled.daemon.pipeline.folders.rendering.iterdir()) == []


def test_a_worker_writes_the_masters_itself_and_sends_back_their_names(
    tmp_path: Path, shops: list[Shop]
) -> None:
    """Megabytes of photo do not cross the pipe twice: the worker writes the master files
    where the task says, and the daemon's thread only renames them into masters/."""
    inline = Shop(tmp_path / "inline")
    shops.append(inline)
    settings = load_settings(inline.config)
    members = read_zip(sample("photo-text").read_bytes(), source="test")
    expected = inline.daemon.pipeline.renderer.render_members(members, source="test").jobs
    stage = tmp_path / "staging"
    stage.mkdir()
    pool = RenderPool(settings, 1)
    try:
        outcome = pool.submit(RenderTask(MUG, members=members, stage=f"{stage}/{MUG}-1.")).result()
    finally:
        pool.close()
    assert outcome.held is None
    [job] = outcome.jobs
    [want] = expected
    assert job.files == {}
    assert sorted(job.staged) == sorted(want.files())
    staged = {p.name.removeprefix(f"{MUG}-1."): p.read_bytes() for p in stage.iterdir()}
    assert sorted(staged) == sorted(job.staged)
    # The same ticket as inline, but for when each was made (the two renders are moments apart).
    made, inline_made = (
        replace(JobTicket.from_json(data), created=None)
        for data in (staged[want.ticket_name], want.files()[want.ticket_name])
    )
    assert made == inline_made
    assert staged[str(want.pdf_name)].startswith(b"%PDF-")


def test_staged_files_a_crash_left_are_removed_at_start(tmp_path: Path, shops: list[Shop]) -> None:
    shop = Shop(tmp_path, render_workers=1)
    shops.append(shop)
    rendering = shop.daemon.pipeline.folders.rendering
    (rendering / f"{MUG}-7.900-0000000-0000000_{MUG}_front.pdf").write_bytes(b"%PDF- half")
    shop.restart()
    assert list(rendering.iterdir()) == []


class _BrokenRenderer:
    """An ItemRenderer with a bug (or a crash) on one item."""

    def __init__(self, settings: Settings, item_id: str, crash: bool) -> None:
        self.real = ItemRenderer(settings)
        self.item_id = item_id
        self.crash = crash

    def render_zip(self, data: bytes, *, source: str = "zip", **facts: Any) -> Any:
        return self.real.render_zip(data, source=source, **facts)

    def render_members(self, members: Any, *, source: str = "zip", **parsed: Any) -> Any:
        if members.item_id == self.item_id:
            if self.crash:
                os._exit(70)  # as a crash in a C library would end the process
            raise RuntimeError("Best Dad Ever")  # a bug whose message quotes the input
        return self.real.render_members(members, source=source, **parsed)


def buggy_renderer(settings: Settings) -> _BrokenRenderer:
    return _BrokenRenderer(settings, MUG, crash=False)


def crashing_renderer(settings: Settings) -> _BrokenRenderer:
    return _BrokenRenderer(settings, MUG, crash=True)


@pytest.mark.parametrize(
    ("factory", "reason"),
    [
        (buggy_renderer, "internal error (RuntimeError) while rendering; please report it"),
        (
            crashing_renderer,
            "the render process ended while rendering this item, twice (a crash, or memory past"
            " 1,024 MiB: render_memory_mib in shop.toml [limits])",
        ),
    ],
)
def test_a_bug_or_a_crash_in_a_worker_holds_that_item_only(
    tmp_path: Path, shops: list[Shop], factory: Any, reason: str
) -> None:
    shop = Shop(tmp_path, render_workers=2, renderer_factory=factory)
    shops.append(shop)
    zips = [sample("photo-text").read_bytes()]
    zips += [renumbered(sample(kind), n) for n in range(6) for kind in ("text-only", "photo-text")]
    for number, data in enumerate(zips):
        shop.drop(data, f"order-{number}.zip")
    shop.settle()

    jobs = {job.order_item_id: job for job in shop.jobs()}
    assert len(jobs) == len(zips)
    held = jobs.pop(MUG)
    assert (held.state, held.cause, held.reason) == (JobState.HELD, "internal error", reason)
    assert {job.state for job in jobs.values()} == {JobState.QUEUED}
    assert not any("Best Dad" in str(event) for event in shop.events)

    shop.drop(renumbered(sample("text-only"), 99), "later.zip")  # a new pool takes it
    shop.settle()
    assert len(shop.jobs(JobState.QUEUED)) == len(zips)


def test_stopping_the_daemon_stops_its_workers(tmp_path: Path) -> None:
    shop = Shop(tmp_path, render_workers=2)
    try:
        shop.drop(sample("text-only").read_bytes(), "sign.zip")
        shop.settle()
        assert [job.state for job in shop.jobs()] == [JobState.QUEUED]
        pool = shop.daemon.pipeline.render_pool
        assert pool is not None and pool._executor is not None
        workers = list(pool._executor._processes.values())
        assert len(workers) == 2 and all(worker.is_alive() for worker in workers)
    finally:
        shop.close()
    deadline = time.monotonic() + 5
    while any(worker.is_alive() for worker in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(worker.is_alive() for worker in workers)


RENDERING = "render-started"  # the hanging renderer's mark in the data folder: it is in a render


class _HangingRenderer(_BrokenRenderer):
    def __init__(self, settings: Settings, item_id: str, crash: bool) -> None:
        super().__init__(settings, item_id, crash)
        self.mark = settings.shop.data_dir / RENDERING

    def render_members(self, members: Any, *, source: str = "zip", **parsed: Any) -> Any:
        self.mark.parent.mkdir(parents=True, exist_ok=True)
        self.mark.touch()  # the test waits for this, not for a guessed time
        time.sleep(3600)  # a render that never ends


def hanging_renderer(settings: Settings) -> _HangingRenderer:
    return _HangingRenderer(settings, MUG, crash=False)


def test_a_second_signal_kills_workers_in_the_middle_of_a_render(tmp_path: Path) -> None:
    """`close(at_once=True)`, as the daemon does on a second signal, does not wait for them."""
    shop = Shop(tmp_path)
    pool = RenderPool(load_settings(shop.config), 2, factory=hanging_renderer)
    try:
        pool.start()
        members = read_zip(sample("text-only").read_bytes(), source="test")
        future = pool.submit(RenderTask("90000000000011", members=members))
        assert pool._executor is not None
        workers = list(pool._executor._processes.values())
        mark = load_settings(shop.config).shop.data_dir / RENDERING
        deadline = time.monotonic() + 30
        while not mark.exists() and time.monotonic() < deadline:
            time.sleep(0.02)  # paces the wait for the worker's mark; the deadline bounds it
        assert mark.exists(), "the worker never started the render"
        assert not future.done()
        started = time.monotonic()
        pool.close(at_once=True)
        # Waiting for the render would take an hour: any bound far under that tells them apart.
        assert time.monotonic() - started < 30.0
        for worker in workers:
            worker.join(timeout=5)
        assert not any(worker.is_alive() for worker in workers)
    finally:
        pool.close(at_once=True)
        shop.close()


@pytest.mark.slow
@pytest.mark.parametrize("workers", [None, 0])
def test_the_daemon_process_renders_with_as_many_workers_as_it_is_told(
    tmp_path: Path, workers: int | None
) -> None:
    """By default one worker per CPU (up to 4), which end with the daemon, even killed; 0: none."""
    floor = Floor(tmp_path, settle=0.2)
    try:
        if workers is not None:
            shop_toml = floor.config / "shop.toml"
            shop_toml.write_text(
                shop_toml.read_text().replace("[shop]\n", f"[shop]\nrender_workers = {workers}\n")
            )
        zips = {f"order-{n}.zip": renumbered(sample("photo-text"), n) for n in range(4)}
        expected = expected_jobs(floor.config, zips)
        run = floor.start()
        for name, data in zips.items():
            floor.drop(data, name)
        floor.wait_until(
            lambda: (
                set(floor.peek_states().values()) == {"queued"}
                and len(floor.peek_states()) == len(expected)
            ),
            timeout=30,
            what="every job queued",
            run=run,
        )
        processes = session_processes(run.pid)
        if workers == 0:
            assert processes == [run.pid]
        else:
            # The daemon, its workers, multiprocessing's fork server and resource tracker.
            assert len(processes) == 3 + default_render_workers(), processes
        floor.kill(run)  # fails if any of them outlives it

        run = floor.start()
        floor.wait_event(run, lambda e: e.get("state") == "started", timeout=20, what="start")
        assert floor.stop(run) == 0, floor.report()
        store_matches_folders(floor, expected)
    finally:
        floor.stop_all()


@pytest.mark.parametrize(("cpus", "workers"), [(1, 1), (2, 2), (4, 4), (32, 4)])
def test_by_default_one_worker_per_cpu_up_to_four(
    monkeypatch: pytest.MonkeyPatch, cpus: int, workers: int
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cpus)))
    assert default_render_workers() == workers
