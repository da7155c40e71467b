"""Idle and slow connections to the desk over real sockets: each request has a deadline to
arrive, and connections are capped, so that sockets left open cannot pile up."""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from urllib.parse import urlsplit

import httpx

from production.app.wiring import desk_service
from production.config.settings import load_settings
from production.desk import DeskService
from production.web.guard import ConnectionLimits
from tests.desk.desk_shop import ENVIRON, DeskShop

WAIT = 20.0  # far beyond every deadline below: only a server that never closes reaches it


@contextmanager
def serving(shop: DeskShop, limits: ConnectionLimits) -> Iterator[DeskService]:
    service = desk_service(
        load_settings(shop.config),
        amazon=None,
        wake=lambda: None,
        environ=ENVIRON,
        port=0,
        limits=limits,
    )
    service.start()
    try:
        yield service
    finally:
        service.stop()


def connect(desk: DeskService) -> socket.socket:
    parts = urlsplit(desk.base_url)
    assert parts.hostname is not None and parts.port is not None
    return socket.create_connection((parts.hostname, parts.port), timeout=WAIT)


def closed_by_server(sock: socket.socket) -> bytes:
    """Read until the server closes; what it sent. Times out (fails) if it never does."""
    received = b""
    while chunk := sock.recv(4096):
        received += chunk
    return received


def test_a_connection_that_sends_nothing_is_closed(shop: DeskShop) -> None:
    with serving(shop, ConnectionLimits(request_seconds=0.5)) as desk, connect(desk) as sock:
        started = time.monotonic()
        assert closed_by_server(sock) == b""
        assert time.monotonic() - started < WAIT / 2


def test_headers_sent_a_byte_at_a_time_do_not_hold_the_connection(shop: DeskShop) -> None:
    """Slowloris: every byte arrives before any idle timeout, the request never completes."""
    request = b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * 10_000
    with serving(shop, ConnectionLimits(request_seconds=1.0)) as desk, connect(desk) as sock:
        started = time.monotonic()
        sent = 0
        for byte in request:
            # Each byte waits for the server's answer (or its closing) a tenth of a second.
            readable, _, _ = select.select([sock], [], [], 0.1)
            if readable:
                break
            sock.sendall(bytes([byte]))
            sent += 1
        assert closed_by_server(sock) == b""
        assert sent < len(request), "the server waited for the whole dribbled header"
        assert time.monotonic() - started < WAIT / 2


def test_requests_on_time_are_answered_beside_an_idle_connection(shop: DeskShop) -> None:
    with serving(shop, ConnectionLimits(request_seconds=0.5)) as desk, connect(desk) as idle:
        # Keep-alive: two requests on one connection, each on time, both answered.
        with httpx.Client(base_url=desk.base_url) as client:
            assert client.get("/login").status_code == 200
            assert client.get("/login").status_code == 200
        assert closed_by_server(idle) == b""


def test_connections_over_the_cap_close_the_longest_waiting(shop: DeskShop) -> None:
    limits = ConnectionLimits(max_connections=8, request_seconds=60.0)
    with serving(shop, limits) as desk, ExitStack() as stack:
        idle = [stack.enter_context(connect(desk)) for _ in range(30)]
        # A person opening the page still gets it, on a connection of its own.
        assert httpx.get(f"{desk.base_url}/login", timeout=WAIT).status_code == 200
        for sock in idle[:20]:  # the oldest ones were closed to make room for the newer
            assert closed_by_server(sock) == b""
        closed, _, _ = select.select([idle[-1]], [], [], 0)
        assert closed == [], "the newest connection should have been kept"


def test_a_kept_alive_connection_makes_room_for_a_new_one(shop: DeskShop) -> None:
    limits = ConnectionLimits(max_connections=4, keep_alive_seconds=60)
    with serving(shop, limits) as desk, ExitStack() as stack:
        kept = [stack.enter_context(connect(desk)) for _ in range(limits.max_connections)]
        for sock in kept:  # one whole request each, answered, the connection kept open
            sock.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert sock.recv(12) == b"HTTP/1.1 200"
        assert httpx.get(f"{desk.base_url}/login", timeout=WAIT).status_code == 200
        kept[0].settimeout(WAIT)
        rest = closed_by_server(kept[0])  # the longest idle, closed once it was answered
        assert b"HTTP/1.1 " not in rest  # the rest of its answer, and nothing more
