"""The desk answers only under its own names: the Host header is checked on every request.

A web page on another site can make the desk computer's browser send requests to a name of the
attacker's that resolves to 127.0.0.1 (DNS rebinding); the browser then treats the desk as that
site and lets the page read it. The request still says the attacker's name in its Host header,
so a desk that answers only to `[desk] hosts`, its listen address and localhost is out of
reach. The port is not checked: a proxy in front may serve the page on another one.
"""

from __future__ import annotations

from collections.abc import Collection

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["HostCheck", "host_name"]


def host_name(header: str) -> str | None:
    """The name in a Host header, lower case, without port or brackets; None if malformed."""
    value = header.strip().lower()
    if value.startswith("["):  # an IPv6 address: [::1] or [::1]:8080
        name, bracket, rest = value[1:].partition("]")
        if not bracket or not _port_or_nothing(rest):
            return None
    elif value.count(":") <= 1:
        name, _, port = value.partition(":")
        if ":" in value and not port.isdigit():
            return None
    else:
        return None
    name = name.removesuffix(".")  # "localhost." is localhost
    return name or None


def _port_or_nothing(rest: str) -> bool:
    return rest == "" or (rest.startswith(":") and rest[1:].isdigit())


class HostCheck:
    """Answers 400 to a request without a usable Host header, 421 to one for another name."""

    def __init__(self, app: ASGIApp, hosts: Collection[str]) -> None:
        self.app = app
        self.hosts = frozenset(host.lower() for host in hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        name = host_name(headers.get(b"host", b"").decode("latin-1"))
        if name is None:
            answer = PlainTextResponse("This request has no valid Host header.", status_code=400)
        elif name not in self.hosts:
            # 421 Misdirected Request: this server does not serve that name.
            answer = PlainTextResponse(
                "This desk page is not served under that name; add it to [desk] hosts in"
                " shop.toml if it is the desk's own.",
                status_code=421,
            )
        else:
            await self.app(scope, receive, send)
            return
        await answer(scope, receive, send)
