"""Who is logged in to the desk page: server-side sessions, CSRF tokens, the password check.

Sessions live in memory: a restarted daemon asks for the password again, which is the safe
direction. The cookie holds only a random session id; the CSRF token is a second random value
that the server puts into every form and compares on every POST. Failed logins are counted per
client address so a guessing script is slowed to a few tries a minute: the address of the peer
itself (an IPv6 address by its /64, which one machine holds whole), never a header it sends,
unless a proxy named in `[desk] trusted_proxies` forwards it. The desk has one password and no
user names, so there is nothing else to key on. The table of failures is bounded (the oldest
address is forgotten first) and forgets an address `FORGET_SECONDS` after its last failure.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from production.core.errors import ConfigError

__all__ = [
    "PASSWORD_VARIABLE",
    "SESSION_HOURS",
    "Session",
    "Sessions",
    "client_key",
    "password_from_environment",
]

PASSWORD_VARIABLE = "PRODUCTION_DESK_PASSWORD"
SESSION_HOURS = 12.0  # one shift; after that the desk asks for the password again
MIN_PASSWORD_LENGTH = 8
FAILURES_ALLOWED = 5  # wrong passwords from one address before it must wait
LOCKOUT_SECONDS = 60.0
FORGET_SECONDS = 15 * 60.0  # an address's failures are forgotten this long after its last one
MAX_CLIENTS_TRACKED = 1024  # addresses with failures remembered at once


def password_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """The desk password; `ConfigError` when it is not set, since there is no page without it."""
    value = (os.environ if environ is None else environ).get(PASSWORD_VARIABLE, "")
    if not value:
        raise ConfigError(
            f"the desk page needs a password: set {PASSWORD_VARIABLE} in the daemon's environment"
            " (for systemd, an EnvironmentFile), or remove [desk] from shop.toml"
        )
    if len(value) < MIN_PASSWORD_LENGTH:
        raise ConfigError(f"{PASSWORD_VARIABLE} must be at least {MIN_PASSWORD_LENGTH} characters")
    return value


@dataclass
class Session:
    id: str
    csrf: str
    expires: float
    flash: list[tuple[str, str]] = field(default_factory=list)  # (kind, message) shown once


@dataclass
class _Failures:
    count: int = 0
    until: float = 0.0  # locked out until then
    last: float = 0.0  # the last failure


def client_key(address: str) -> str:
    """What failures are counted under: the address, or for IPv6 its /64 network."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class Sessions:
    def __init__(self, password: str, *, monotonic: Callable[[], float]) -> None:
        self._password = password.encode()
        self._monotonic = monotonic
        self._sessions: dict[str, Session] = {}
        self._failures: OrderedDict[str, _Failures] = OrderedDict()  # least recent first
        self._lock = threading.Lock()

    def locked_out(self, client: str) -> float:
        """Seconds `client` must still wait before trying a password again (0: may try)."""
        with self._lock:
            failures = self._failures.get(client_key(client))
            if failures is None:
                return 0.0
            return max(0.0, failures.until - self._monotonic())

    def tracked(self) -> int:
        """How many addresses have failures remembered."""
        with self._lock:
            self._forget_old(self._monotonic())
            return len(self._failures)

    def log_in(self, client: str, password: str) -> Session | None:
        """A new session if the password is right; None (and one failure counted) if not."""
        right = hmac.compare_digest(password.encode(), self._password)
        key = client_key(client)
        with self._lock:
            if not right:
                self._count_failure(key)
                return None
            self._failures.pop(key, None)
            self._expire()
            session = Session(
                id=secrets.token_urlsafe(32),
                csrf=secrets.token_urlsafe(32),
                expires=self._monotonic() + SESSION_HOURS * 3600,
            )
            self._sessions[session.id] = session
            return session

    def get(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None or session.expires <= self._monotonic():
                self._sessions.pop(session_id or "", None)
                return None
            return session

    def log_out(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)

    def _count_failure(self, key: str) -> None:
        now = self._monotonic()
        self._forget_old(now)
        failures = self._failures.pop(key, None) or _Failures()
        self._failures[key] = failures  # now the most recent
        failures.count, failures.last = failures.count + 1, now
        if failures.count >= FAILURES_ALLOWED:
            failures.count, failures.until = 0, now + LOCKOUT_SECONDS
        while len(self._failures) > MAX_CLIENTS_TRACKED:
            self._failures.popitem(last=False)

    def _forget_old(self, now: float) -> None:
        """Drop addresses whose last failure is old and who are not locked out any more; the
        table is in order of last failure, so they are all at its start."""
        while self._failures:
            key, oldest = next(iter(self._failures.items()))
            if now - oldest.last < FORGET_SECONDS or oldest.until > now:
                return
            del self._failures[key]

    def _expire(self) -> None:
        now = self._monotonic()
        for key in [k for k, s in self._sessions.items() if s.expires <= now]:
            del self._sessions[key]


def same_token(expected: str, given: object) -> bool:
    """Compare a form's CSRF token in constant time; anything not a string is wrong."""
    return isinstance(given, str) and hmac.compare_digest(expected.encode(), given.encode())
