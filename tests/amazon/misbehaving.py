"""A real HTTP server on loopback that plays Amazon misbehaving: Login with Amazon answers at
once; every SP-API request gets what `Misbehaving.mode` says (an answer of 60 MB, one that
trickles a byte at a time, one that never comes, 503)."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

__all__ = ["HUGE", "MIB", "Misbehaving", "misbehaving_amazon"]

MIB = 1024 * 1024
HUGE = 60 * MIB


@dataclass
class Misbehaving:
    """What the server does with every SP-API request (LWA always answers at once)."""

    mode: str = "huge"
    requests: int = 0
    gone: threading.Event = field(default_factory=threading.Event)  # a client hung up


def _handler(amazon: Misbehaving) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            if self.path != "/auth/o2/token":
                self.do_GET()
                return
            self.rfile.read(int(self.headers.get("content-length", "0")))
            self._json(200, {"access_token": "Atza|ACCESS-1", "expires_in": 3600})

        def do_GET(self) -> None:
            amazon.requests += 1
            try:
                getattr(self, f"_{amazon.mode}")()
            except (BrokenPipeError, ConnectionResetError):
                amazon.gone.set()

        def _json(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _huge(self) -> None:
            # Chunked, no length announced: only reading tells how large it is.
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            piece = b'{"orders": [' + b'{"orderId": "902-0000000-0000000"},' * 29000
            sent = 0
            while sent < HUGE:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                sent += len(piece)
            self.wfile.write(b"0\r\n\r\n")

        def _trickle(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(MIB))
            self.end_headers()
            while True:
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.05)  # the misbehaviour itself: a byte now and then

        def _hang(self) -> None:
            while not amazon.gone.wait(0.2):  # until the client has hung up, or the test ends
                if self.rfile.peek(1) == b"":  # type: ignore[attr-defined]
                    amazon.gone.set()

        def _unavailable(self) -> None:
            self._json(503, {"errors": [{"code": "ServiceUnavailable", "message": "slow down"}]})

    return Handler


@contextmanager
def misbehaving_amazon(mode: str = "huge") -> Iterator[tuple[Misbehaving, str]]:
    """The server's state and base URL, while it serves."""
    state = Misbehaving(mode)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        state.gone.set()
        server.shutdown()
        server.server_close()
