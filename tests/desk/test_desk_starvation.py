"""The daemon as a real process under a low open-file limit, its desk page flooded with idle
sockets: the floor goes on, the desk answers, and the log does not fill up."""

from __future__ import annotations

import json
import resource
import socket
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.daemon.processes import Floor, Run
from tests.daemon.shop import renumbered, sample
from tests.desk.desk_shop import PASSWORD

IDLE_SOCKETS = 130
LOW_LIMIT = 128


def limit_open_files(soft: int, hard: int) -> Callable[[], None]:
    def limit() -> None:  # runs in the child, before `python -m production run`
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

    return limit


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def open_files_limit(pid: int) -> tuple[int, int]:
    """The soft and hard RLIMIT_NOFILE of process `pid`, from /proc."""
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            soft, hard = line.split()[3:5]
            return int(soft), int(hard)
    raise AssertionError(f"/proc/{pid}/limits has no open-files line")


def waiting_to_be_accepted(port: int) -> int:
    """Connections in the accept queue of the socket listening on `port` (/proc/net/tcp's
    rx_queue of a LISTEN entry)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, state, queues = fields[1], fields[3], fields[4]
        if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
            return int(queues.split(":")[1], 16)
    raise AssertionError(f"nothing listens on port {port}")


def open_files(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/fd").iterdir()))


def not_json(run: Run) -> list[str]:
    """stderr lines that are not the daemon's events: tracebacks, asyncio's and uvicorn's logs."""
    lines = []
    for line in run.lines():
        try:
            json.loads(line)
        except ValueError:
            lines.append(line)
    return lines


@pytest.fixture
def floor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Floor:
    monkeypatch.setenv("PRODUCTION_DESK_PASSWORD", PASSWORD)
    return Floor(tmp_path, settle=0.2)


def test_the_daemon_raises_its_soft_open_file_limit_to_the_hard_one(floor: Floor) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert hard > LOW_LIMIT, "this machine's hard limit leaves nothing to raise"
    run = floor.start(preexec_fn=limit_open_files(LOW_LIMIT, hard))
    try:
        floor.wait_event(run, lambda e: e.get("state") == "started", timeout=60, what="start")
        assert open_files_limit(run.pid) == (hard, hard)
        assert floor.stop(run) == 0
    finally:
        floor.stop_all()


def test_idle_sockets_on_the_desk_do_not_starve_the_floor(floor: Floor) -> None:
    port = free_port()
    with (floor.config / "shop.toml").open("a") as shop_toml:
        shop_toml.write(f'\n[desk]\nlisten = "127.0.0.1:{port}"\n')
    # Hard as low as soft: the daemon cannot raise it, as in a container started that way.
    run = floor.start(preexec_fn=limit_open_files(LOW_LIMIT, LOW_LIMIT))
    try:
        floor.wait_event(run, lambda e: e.get("state") == "desk page", timeout=60, what="desk")
        with ExitStack() as idle:
            for _ in range(IDLE_SOCKETS):  # connect, then say nothing
                idle.enter_context(socket.create_connection(("127.0.0.1", port), timeout=10))
            floor.wait_until(
                lambda: waiting_to_be_accepted(port) == 0 or open_files(run.pid) >= LOW_LIMIT - 1,
                timeout=30,
                what="the desk to take every connection it can",
                run=run,
            )
            floor.drop(renumbered(sample("text-only"), 7), "order.zip")
            floor.wait_event(
                run,
                lambda e: e.get("state") in ("queued", "error"),
                timeout=60,
                what="the zip taken in while the sockets are open",
            )
            errors = [e for e in run.events() if e.get("state") == "error"]
            assert not errors, errors
            assert "queued" in {e.get("state") for e in run.events()}
            # A person opening the page is answered too, the idle sockets still open.
            page = httpx.get(f"http://127.0.0.1:{port}/login", timeout=10)
            assert page.status_code == 200
        # Whatever went wrong in the accept loop was logged a few times, not in a loop.
        assert len(not_json(run)) <= 20, not_json(run)[:20]
        assert floor.stop(run) == 0
    finally:
        floor.stop_all()
