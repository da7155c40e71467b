"""`[desk]` in shop.toml: where the desk page listens, under which names, behind which proxy.

    listen = "127.0.0.1:8080"
    hosts = ["desk.shop.lan"]          # names in the browser's address bar (Host header)
    trusted_proxies = ["127.0.0.1"]    # whose X-Forwarded-For / -Proto are believed
    https = true                       # the page is reached over https: cookies are Secure

Host names are checked so that a web page elsewhere cannot reach the desk through a name of
its own pointed at this machine (DNS rebinding); the listen address and localhost are always
allowed. No proxy is trusted unless named: anyone on this machine can send those headers.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from production.config.schema import Table

__all__ = ["DEFAULT_DESK_LISTEN", "DESK_KEYS", "LOCAL_HOSTS", "DeskSettings", "desk_settings"]

DEFAULT_DESK_LISTEN = "127.0.0.1:8080"
DESK_KEYS = frozenset({"listen", "hosts", "trusted_proxies", "https"})
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
_ANY_ADDRESS = ("0.0.0.0", "::")  # listening everywhere names no host to be reached by


@dataclass(frozen=True, slots=True)
class DeskSettings:
    listen: str  # as written, e.g. "127.0.0.1:8080"
    host: str
    port: int
    # Host header names the page answers to (lower case, no port): `hosts`, the listen address
    # and localhost.
    hosts: tuple[str, ...] = LOCAL_HOSTS
    trusted_proxies: tuple[str, ...] = ()  # addresses or networks, as uvicorn takes them
    https: bool = False  # cookies always Secure (else only when a trusted proxy says https)


def desk_settings(file: Table) -> DeskSettings | None:
    table = file.table("desk", DESK_KEYS)
    if table is None:
        return None
    listen = table.text("listen", DEFAULT_DESK_LISTEN)
    host, _, port = listen.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise table.error(f"listen must be HOST:PORT such as {DEFAULT_DESK_LISTEN}, not '{listen}'")
    return DeskSettings(
        listen=listen,
        host=host,
        port=int(port),
        hosts=_hosts(table, host),
        trusted_proxies=_proxies(table),
        https=table.boolean("https", False),
    )


def _hosts(table: Table, listen_host: str) -> tuple[str, ...]:
    named = []
    for index, name in enumerate(table.text_list("hosts", ())):
        bare = name.lower().removeprefix("[").removesuffix("]")
        if any(c in bare for c in "/ @*") or bare.count(":") == 1:
            raise table.error(
                f"hosts[{index}] must be a host name or address without port or scheme"
                f" (such as desk.shop.lan), not '{name}'"
            )
        named.append(bare)
    own = [] if listen_host in _ANY_ADDRESS else [listen_host.lower()]
    return tuple(dict.fromkeys([*named, *own, *LOCAL_HOSTS]))


def _proxies(table: Table) -> tuple[str, ...]:
    proxies = table.text_list("trusted_proxies", ())
    for index, proxy in enumerate(proxies):
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise table.error(
                f"trusted_proxies[{index}] must be an IP address or network such as 127.0.0.1,"
                f" not '{proxy}'"
            ) from None
    return proxies
