"""Serving an ASGI app from a background thread: the SP-API simulator and the desk page.

uvicorn runs the app on a socket bound before the thread starts, so a port taken or refused is
a `ConfigError` in the caller's thread, and `start` returns only once the server answers.

Proxy headers (`X-Forwarded-For`, `X-Forwarded-Proto`) count only from `trusted_proxies`: by
default nobody, not even 127.0.0.1, since anyone on this machine can send them. Each request
has a deadline to arrive and connections are capped (`production.web.guard`); errors that
repeat (out of file descriptors in the accept loop) are logged once a minute with a count.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp

from production.core.errors import ConfigError
from production.core.repeats import RepeatFilter
from production.web.guard import ConnectionLimits, guarded_protocol

__all__ = [
    "GRACEFUL_SHUTDOWN",
    "START_TIMEOUT",
    "BackgroundServer",
    "ConnectionLimits",
    "bind",
    "start",
    "url_of",
]

START_TIMEOUT = 10.0
GRACEFUL_SHUTDOWN = 1  # seconds a stopping server waits for answers still being written


class Server(uvicorn.Server):
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


@dataclass
class BackgroundServer:
    """An app served from a background thread; `base_url` is where it answers."""

    base_url: str
    _server: Server
    _thread: threading.Thread

    def stop(self) -> None:
        self._server.request_exit()
        self._thread.join(timeout=START_TIMEOUT)

    def __enter__(self) -> BackgroundServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


# asyncio's accept loop and uvicorn's error log: where an error can repeat thousands of times.
_REPEATING_LOGGERS = ("asyncio", "uvicorn.error")


def server_for(
    app: ASGIApp,
    *,
    trusted_proxies: Sequence[str] = (),
    limits: ConnectionLimits | None = None,
) -> Server:
    limits = limits or ConnectionLimits()
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
        http=guarded_protocol(limits),
        proxy_headers=bool(trusted_proxies),
        forwarded_allow_ips=list(trusted_proxies) or None,
        timeout_keep_alive=limits.keep_alive_seconds,
        h11_max_incomplete_event_size=limits.max_header_bytes,
        # uvicorn answers 503 once connections or requests reach this; the guard already keeps
        # connections at `max_connections`, and each carries one request at a time.
        limit_concurrency=limits.max_connections + 1,
        backlog=limits.accept_backlog,
    )
    return Server(config)


def _log_repeats_once_a_minute() -> None:
    for name in _REPEATING_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RepeatFilter) for f in logger.filters):
            logger.addFilter(RepeatFilter())


def start(
    app: ASGIApp,
    *,
    host: str,
    port: int,
    name: str,
    what: str,
    trusted_proxies: Sequence[str] = (),
    limits: ConnectionLimits | None = None,
) -> BackgroundServer:
    """Serve `app` on `host:port` (0: any free port); `what` names it in error messages.
    `trusted_proxies`: the addresses whose X-Forwarded-For and -Proto headers are believed."""
    _log_repeats_once_a_minute()
    sock = bind(host, port, what=what)
    server = server_for(app, trusted_proxies=trusted_proxies, limits=limits)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=name, daemon=True)
    thread.start()
    if not _wait_started(server, thread):
        server.request_exit()
        sock.close()
        raise ConfigError(f"{what} did not start on {host}:{port}")
    return BackgroundServer(url_of(host, sock), server, thread)


def bind(host: str, port: int, *, what: str) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY only on sockets that say so, and without
    # it every answer waits ~40 ms for a delayed ACK (headers and body are separate writes).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise ConfigError(f"{what} cannot listen on {host}:{port}: {error}") from error
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def url_of(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _wait_started(server: Server, thread: threading.Thread) -> bool:
    stop = threading.Event()
    for _ in range(int(START_TIMEOUT / 0.01)):
        if server.started:
            return True
        if not thread.is_alive():
            return False
        stop.wait(0.01)
    return False
