"""The desk page as one of the daemon's services: its own store connection, its own thread."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from production.config.desk import LOCAL_HOSTS
from production.core.clock import utc_now
from production.core.errors import ConfigError
from production.desk.app import Desk, create_desk_app
from production.floor.events import EventLog
from production.web.server import BackgroundServer, ConnectionLimits, start

__all__ = ["DeskService"]


class DeskService:
    """Serves a `Desk` on `host:port` while the daemon runs."""

    def __init__(
        self,
        desk: Desk,
        *,
        host: str,
        port: int,
        on_stop: Callable[[], None],
        log: EventLog | None = None,
        trusted_proxies: Sequence[str] = (),
        limits: ConnectionLimits | None = None,
    ) -> None:
        self.desk = desk
        self.trusted_proxies = tuple(trusted_proxies)
        self.limits = limits
        self._log = log
        self.host = host
        self.port = port
        self._on_stop = on_stop
        self._server: BackgroundServer | None = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise ConfigError("the desk page is not running")
        return self._server.base_url

    def start(self) -> None:
        self._server = start(
            create_desk_app(self.desk),
            host=self.host,
            port=self.port,
            name="desk",
            what="the desk page",
            trusted_proxies=self.trusted_proxies,
            limits=self.limits,
        )
        if self._log is None:
            return
        self._log({"time": utc_now().isoformat(), "state": "desk page", "url": self.base_url})
        if self.host in ("0.0.0.0", "::") and set(self.desk.hosts) <= set(LOCAL_HOSTS):
            self._log({
                "time": utc_now().isoformat(),
                "state": "desk hosts",
                "level": "warning",
                "reason": f"the desk listens on every address ({self.host}) but answers only to"
                          " localhost: list the names and addresses it is opened by in"
                          " [desk] hosts in shop.toml",
            })  # fmt: skip

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        self._on_stop()
