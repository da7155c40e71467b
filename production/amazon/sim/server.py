"""Running the simulator: in a background thread (tests, the demo) or in the foreground (CLI)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import TextIO

from starlette.types import ASGIApp

from production.amazon.sim.app import create_app
from production.amazon.sim.auth import DEFAULT_CREDENTIALS, Credentials
from production.amazon.sim.faults import Faults
from production.amazon.sim.state import SimState
from production.amazon.sim.zips import renumbered
from production.core.errors import ConfigError
from production.customization.samples import SAMPLES_DIR, sample_zips
from production.web.server import BackgroundServer, bind, server_for, start, url_of

__all__ = ["DEFAULT_HOST", "SimServer", "main_sim", "run_forever", "seed_orders", "serve"]

DEFAULT_HOST = "127.0.0.1"


@dataclass
class SimServer:
    """A simulator running in a background thread; `base_url` is its endpoint and LWA host."""

    state: SimState
    credentials: Credentials
    _server: BackgroundServer

    @property
    def base_url(self) -> str:
        return self._server.base_url

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/auth/o2/token"

    def stop(self) -> None:
        self._server.stop()

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
    app = _app(state, credentials, faults)
    server = start(app, host=host, port=port, name="sp-api-sim", what="the SP-API simulator")
    return SimServer(state, credentials, server)


def run_forever(
    port: int,
    *,
    state: SimState | None = None,
    host: str = DEFAULT_HOST,
    credentials: Credentials = DEFAULT_CREDENTIALS,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve in the foreground until Ctrl-C; `ready(base_url)` is called once it listens."""
    sock = bind(host, port, what="the SP-API simulator")
    server = server_for(_app(state or SimState(), credentials, None))
    if ready is not None:
        ready(url_of(host, sock))
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


def _app(state: SimState, credentials: Credentials, faults: Faults | None) -> ASGIApp:
    return create_app(
        state,
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
        refresh_token=credentials.refresh_token,
        faults=faults,
    )
