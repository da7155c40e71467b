"""The desk page as one of the daemon's services: its own store connection, its own thread."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from production.config.settings import Settings
from production.core.errors import ConfigError
from production.desk.app import Desk, create_desk_app
from production.desk.companions import ProofSource
from production.desk.proofs import Proofs
from production.desk.sessions import Sessions, password_from_environment
from production.floor.pipeline import EventLog, Folders
from production.floor.rendering import utc_now
from production.shipping.confirm import ShipmentConfirmer, Shipping
from production.store import SqliteStore
from production.web.server import BackgroundServer, start

__all__ = ["DeskService", "desk_service"]


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
    ) -> None:
        self.desk = desk
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
        )
        if self._log is not None:
            self._log({"time": utc_now().isoformat(), "state": "desk page", "url": self.base_url})

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        self._on_stop()


def desk_service(
    settings: Settings,
    *,
    amazon: ShipmentConfirmer | None,
    wake: Callable[[], None],
    fulfillment: ProofSource | None = None,
    environ: Mapping[str, str] | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    monotonic: Callable[[], float] = time.monotonic,
    port: int | None = None,
    log: EventLog | None = None,
) -> DeskService:
    """The desk `[desk]` asks for; `ConfigError` at once if its password is not set."""
    if settings.desk is None:
        raise ConfigError("shop.toml has no [desk] table")
    password = password_from_environment(environ)
    folders = Folders(settings.shop.data_dir)
    store = SqliteStore(folders.store)  # its own connection: pages never wait on the loop's
    marketplace = settings.amazon.marketplace_ids[0] if settings.amazon else None
    desk = Desk(
        store=store,
        shipping=Shipping(store, amazon=amazon, marketplace_id=marketplace, clock=now),
        sessions=Sessions(password, monotonic=monotonic),
        proofs=Proofs(masters=folders.masters, proofs=folders.root / "proofs"),
        shop=settings.shop.name,
        wake=wake,
        now=now,
        fulfillment=fulfillment,
    )
    return DeskService(
        desk,
        host=settings.desk.host,
        port=settings.desk.port if port is None else port,
        on_stop=store.close,
        log=log,
    )
