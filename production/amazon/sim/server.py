"""Running the simulator: in a background thread (tests, the demo) or in the foreground (CLI)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import TextIO

import uvicorn

from production.amazon.sim.app import create_app
from production.amazon.sim.auth import DEFAULT_CREDENTIALS, Credentials
from production.amazon.sim.faults import Faults
from production.amazon.sim.state import SimState
from production.amazon.sim.zips import renumbered
from production.errors import ConfigError
from production.samples import SAMPLES_DIR, sample_zips

__all__ = ["DEFAULT_HOST", "SimServer", "main_sim", "run_forever", "seed_orders", "serve"]

DEFAULT_HOST = "127.0.0.1"
START_TIMEOUT = 10.0
GRACEFUL_SHUTDOWN = 1  # seconds a stopping server waits for calls still answering (timeouts)


@dataclass
class SimServer:
    """A simulator running in a background thread; `base_url` is its endpoint and LWA host."""

    state: SimState
    credentials: Credentials
    base_url: str
    _server: _Server
    _thread: threading.Thread

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/auth/o2/token"

    def stop(self) -> None:
        self._server.request_exit()
        self._thread.join(timeout=START_TIMEOUT)

    def __enter__(self) -> SimServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


def serve(
    state: SimState,
    *,
    host: str = DEFAULT_HOST,
    port: int = 0,
    credentials: Credentials = DEFAULT_CREDENTIALS,
    faults: Faults | None = None,
) -> SimServer:
    """Start the simulator on `host:port` (0: any free port) and return once it answers."""
    sock = _bind(host, port)
    server = _server(state, credentials, faults)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="sp-api-sim", daemon=True
    )
    thread.start()
    if not _wait_started(server, thread):
        server.request_exit()
        sock.close()
        raise ConfigError(f"the SP-API simulator did not start on {host}:{port}")
    return SimServer(state, credentials, _url(host, sock), server, thread)


def run_forever(
    port: int,
    *,
    state: SimState | None = None,
    host: str = DEFAULT_HOST,
    credentials: Credentials = DEFAULT_CREDENTIALS,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve in the foreground until Ctrl-C; `ready(base_url)` is called once it listens."""
    sock = _bind(host, port)
    server = _server(state or SimState(), credentials, None)
    if ready is not None:
        ready(_url(host, sock))
    server.run(sockets=[sock])


def seed_orders(state: SimState, count: int) -> int:
    """Add `count` distinct orders made from the sample zips; returns how many were added."""
    samples = sample_zips()
    if count > 0 and not samples:
        raise ConfigError(f"no sample zips in {SAMPLES_DIR} to make orders from")
    for number in range(1, count + 1):
        sample = samples[(number - 1) % len(samples)]
        state.add_order(renumbered(sample.read_bytes(), number))
    return count


def main_sim(port: int, orders: int, out: TextIO) -> int:
    """`production sim`: seed orders, say how to connect, serve until Ctrl-C."""
    state = SimState()
    seed_orders(state, orders)
    credentials = DEFAULT_CREDENTIALS

    def announce(base_url: str) -> None:
        lines = [
            f"SP-API simulator at {base_url}",
            f"  endpoint        {base_url}",
            f"  LWA token URL   {base_url}/auth/o2/token",
            f"  client id       {credentials.client_id}",
            f"  client secret   {credentials.client_secret}",
            f"  refresh token   {credentials.refresh_token}",
            f"  marketplace id  {state.marketplace_id}",
            f"  orders          {orders} unshipped, made from the sample zips",
            f"  controls        {base_url}/_sim/orders, /_sim/faults, /_sim/shipments",
            "Ctrl-C stops it.",
        ]
        print("\n".join(lines), file=out, flush=True)

    with contextlib.suppress(KeyboardInterrupt):
        run_forever(port, state=state, credentials=credentials, ready=announce)
    return 0


class _Server(uvicorn.Server):
    """uvicorn's server, but one that stops at once when asked from another thread.

    uvicorn looks at `should_exit` every 0.1 s; a test suite starting a server per test would
    spend most of its time waiting for that.
    """

    _loop: asyncio.AbstractEventLoop | None = None
    _wake: asyncio.Event | None = None

    async def main_loop(self) -> None:
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)

    def request_exit(self) -> None:
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(wake.set)


def _server(state: SimState, credentials: Credentials, faults: Faults | None) -> _Server:
    app = create_app(
        state,
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
        refresh_token=credentials.refresh_token,
        faults=faults,
    )
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
    )
    return _Server(config)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY only on sockets that say so, and without
    # it every answer waits ~40 ms for a delayed ACK (headers and body are separate writes).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise ConfigError(
            f"the SP-API simulator cannot listen on {host}:{port}: {error}"
        ) from error
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _url(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _wait_started(server: _Server, thread: threading.Thread) -> bool:
    stop = threading.Event()
    for _ in range(int(START_TIMEOUT / 0.01)):
        if server.started:
            return True
        if not thread.is_alive():
            return False
        stop.wait(0.01)
    return False
