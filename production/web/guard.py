"""Connections the server closes by itself: a request too slow to arrive, one too many.

uvicorn times out only the idle time between two requests (`timeout_keep_alive`, armed once a
response is complete): a connection that sends nothing, or a header a byte a minute, is kept
forever (uvicorn issue 157, "--timeout-request-start", never built). 130 such sockets under a
limit of 128 open files starved the whole daemon. So, as other servers do (nginx's
`client_header_timeout`, gunicorn's worker timeout), each request has a deadline from its first
byte (from the connection, for the first one) until it has arrived whole, and the number of
connections is capped: one over the cap closes the connection that has waited longest for its
request (or idled longest between two), or the new one if every other is being answered.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import ClassVar, cast

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["ConnectionLimits", "GuardedH11Protocol", "guarded_protocol"]


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    request_seconds: float = 10.0  # a request's headers and body must all arrive within this
    keep_alive_seconds: int = 5  # idle time between two requests on one connection
    # Open at once. A desk station's browser opens up to 6; the rest are file descriptors the
    # floor needs (the store, the inbox, the hot folders, render workers' pipes).
    max_connections: int = 32
    # Taken from the listening socket per turn of the event loop: a burst of connections can
    # overshoot `max_connections` by this many until the ones closed to make room are gone.
    accept_backlog: int = 16
    max_header_bytes: int = 16 * 1024  # request line and headers; the desk's cookies are small


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request and a cap on connections."""

    limits: ClassVar[ConnectionLimits] = ConnectionLimits()
    _deadline: asyncio.TimerHandle | None = None
    _waiting_since: float | None = None  # loop time the request in arrival began

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()
        if len(self.connections) > self.limits.max_connections:
            self._make_room()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state in (h11.IDLE, h11.SEND_BODY):
            self._arm()  # the request's headers or body are still on their way
        else:
            self._disarm()  # arrived whole (or the connection failed): the app has it

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._deadline is None and self.conn.their_state is h11.IDLE:
            # Kept alive for the next request (uvicorn's timer closes it): may make room too.
            self._waiting_since = self.loop.time()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._deadline is None:  # never pushed back: a byte a second must not keep it open
            self._deadline = self.loop.call_later(self.limits.request_seconds, self._too_slow)
            self._waiting_since = self.loop.time()

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self._waiting_since = None

    def _too_slow(self) -> None:
        self._deadline = self._waiting_since = None
        if not self.transport.is_closing():
            self.transport.close()

    def _make_room(self) -> None:
        waiting = [
            connection
            for connection in self.connections
            if isinstance(connection, GuardedH11Protocol)
            and connection._waiting_since is not None
            and not connection.transport.is_closing()
        ]
        oldest = min(waiting, key=lambda c: cast(float, c._waiting_since), default=self)
        oldest._disarm()
        oldest.transport.close()


def guarded_protocol(limits: ConnectionLimits) -> type[GuardedH11Protocol]:
    """The protocol class uvicorn is given (`Config(http=...)`), holding these limits."""
    return cast(
        type[GuardedH11Protocol],
        type("GuardedH11Protocol", (GuardedH11Protocol,), {"limits": limits}),
    )
