"""The composition root: the one place that builds the store, the clients, the pipeline, the
daemon and the services that run beside it, from the shop's configuration.

Every part below takes what it needs as a parameter (a `JobStore`, an SP-API client, a clock,
an event log); only this module decides which real ones those are.

    with floor_lock(settings), amazon_client(settings) as client:
        daemon = floor_daemon(settings, floor_pipeline(settings), client)
        daemon.run()
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from production.amazon.client import SpApiClient
from production.amazon.credentials import Credentials
from production.companions.coordinator import Companions, Pace
from production.config.settings import Settings
from production.core.clock import utc_now
from production.core.errors import ConfigError
from production.floor.amazon_intake import OrderIntake, orders_from_2026, orders_from_v0
from production.floor.amazon_poller import IntakeThread, StepThread
from production.floor.daemon import DEFAULT_RESCAN_SECONDS, Daemon
from production.floor.events import EventLog, json_lines
from production.floor.folders import Folders
from production.floor.holds import Holds
from production.floor.inbox import Inbox
from production.floor.lock import DataFolderLock
from production.floor.pipeline import Pipeline
from production.floor.render_pool import default_render_workers
from production.floor.watchdog import DataFolderWatch
from production.retention.purge import Retention
from production.shipping.confirm import ShipmentConfirmer, Shipping
from production.shipping.label_slips import LabelSlips
from production.shipping.labels import Labels
from production.shipping.order_facts import AmazonOrderFacts
from production.store import JobStore
from production.store.factory import open_store, store_backups

if TYPE_CHECKING:  # the web stack loads only for a shop with a desk page
    from production.desk.companions import ProofSource
    from production.desk.service import DeskService
    from production.web.guard import ConnectionLimits

__all__ = [
    "amazon_client",
    "desk_service",
    "floor_daemon",
    "floor_lock",
    "floor_pipeline",
    "label_buyer",
]

LABEL_STEP_SECONDS = 5.0  # how often the daemon looks for printed orders to buy labels for


def floor_lock(settings: Settings) -> DataFolderLock:
    """The lock on the shop's data folder that the one daemon holds (taken with `with`)."""
    return DataFolderLock(settings.shop.data_dir)


@contextmanager
def amazon_client(
    settings: Settings,
    *,
    environ: Mapping[str, str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Iterator[SpApiClient | None]:
    """A client for `[amazon]` in shop.toml, secrets from secrets.toml or the environment;
    `progress` is told of every wait between attempts (a person may be watching).

    None when Amazon is not configured.
    """
    if settings.amazon is None:
        yield None
        return
    # secrets.toml beside shop.toml, each key overridden by its SPAPI_* environment variable.
    credentials = (
        Credentials.load(settings.root)
        if environ is None
        else Credentials.load(settings.root, environ)
    )
    client = SpApiClient(
        endpoint=settings.amazon.endpoint,
        lwa_endpoint=settings.amazon.lwa_endpoint,
        credentials=credentials,
        deadline=settings.amazon.deadline_seconds,
        progress=progress,
    )
    try:
        yield client
    finally:
        client.close()


def floor_pipeline(
    settings: Settings,
    *,
    render_workers: int | None = 0,
    log: EventLog = json_lines,
    inbox: Inbox | None = None,
) -> Pipeline:
    """The pipeline on the shop's own store; `render_workers` None: as shop.toml says."""
    if render_workers is None:
        configured = settings.shop.render_workers
        # Rendering is most of the work: worker processes do it while the loop writes.
        render_workers = default_render_workers() if configured is None else configured
    settings.shop.data_dir.mkdir(parents=True, exist_ok=True)
    return Pipeline(
        settings, open_store(settings), log=log, inbox=inbox, render_workers=render_workers
    )


def floor_daemon(
    settings: Settings,
    pipeline: Pipeline,
    client: SpApiClient | None,
    *,
    rescan_seconds: float = DEFAULT_RESCAN_SECONDS,
) -> Daemon:
    """The daemon of `production run`: the pipeline, buyer-data deletion after every pass, and
    beside the loop Amazon's order intake, companion items and the desk page, as configured."""
    retention = Retention(settings, pipeline.store, log=pipeline.log)
    retention.announce()
    backups = store_backups(settings)

    def keep_backups(settings: Settings) -> None:
        backups.kept = settings.shop.backups_kept

    daemon = Daemon(
        pipeline,
        rescan_seconds=rescan_seconds,
        # The daily copy of the store last: taken after the purge, so it holds nothing purged.
        after_pass=[retention.purge_due, backups.step],
        on_reload=[retention.reconfigure, keep_backups],
        # Stops the daemon if its data folder or store file is deleted or replaced under it.
        guard=DataFolderWatch(settings.shop.data_dir, Path(pipeline.store.location)),
    )
    if client is not None and settings.amazon is not None:
        _order_intake(settings, pipeline, daemon, client)
    _companions(settings, pipeline, daemon, client)
    _labels(settings, pipeline, daemon, client)
    if settings.desk is not None:
        daemon.services.append(
            desk_service(
                settings,
                amazon=client,
                fulfillment=client,
                label_api=client,
                current=lambda: pipeline.settings,  # as re-read on a reload
                wake=daemon.wake.set,
                reload=daemon.request_reload,
                log=pipeline.log,
            )
        )
    return daemon


def _order_intake(
    settings: Settings, pipeline: Pipeline, daemon: Daemon, client: SpApiClient
) -> None:
    assert settings.amazon is not None
    api = settings.amazon.orders_api
    intake = OrderIntake(
        client,
        pipeline,
        marketplace_ids=settings.amazon.marketplace_ids,
        orders=orders_from_v0 if api == "v0" else orders_from_2026,
        wake=daemon.wake.set,
    )
    poll = intake.poll_report if api == "report" else intake.poll
    daemon.services.append(
        IntakeThread(poll, interval=settings.amazon.poll_seconds, log=pipeline.log)
    )
    pipeline.order_reports = lambda data: intake.take_flat_file(data).summary()


def _companions(
    settings: Settings, pipeline: Pipeline, daemon: Daemon, client: SpApiClient | None
) -> None:
    """Companion items through Amazon's Multi-Channel Fulfillment, when products list them."""
    if not any(product.companions for product in settings.products):
        return
    if client is None or settings.amazon is None:
        pipeline.log({
            "time": utc_now().isoformat(timespec="milliseconds"),
            "state": "companions off",
            "level": "warning",
            "reason": "products.toml lists companion items but Amazon is not configured "
                      "([amazon] in shop.toml): they are not ordered; send them by hand",
        })  # fmt: skip
        return
    companions = Companions(
        client,
        pipeline,
        marketplace_id=settings.amazon.marketplace_ids[0],
        pace=Pace.for_poll_seconds(settings.amazon.poll_seconds),
    )
    daemon.services.append(
        StepThread(
            companions.step,
            interval=companions.pace.step_seconds,
            log=pipeline.log,
            name="companions",
        )
    )


def label_buyer(pipeline: Pipeline, client: SpApiClient | None) -> Labels | None:
    """Labels bought through Amazon, when `[shipping] labels = "amazon"`; cancelling an order
    through `pipeline` voids its labels from then on."""
    if pipeline.settings.shipping.labels != "amazon" or client is None:
        return None

    def settings() -> Settings:
        return pipeline.settings  # as re-read on a reload

    labels = _labels_on(pipeline.store, client, settings, pipeline.log)
    pipeline.cancel_hooks.append(labels.on_cancel)
    return labels


def _labels_on(
    store: JobStore, client: SpApiClient, settings: Callable[[], Settings], log: EventLog
) -> Labels:
    facts = AmazonOrderFacts(client)
    slips = LabelSlips(store, settings, facts, log=log)
    return Labels(store, client, settings, log=log, deliver_by=facts.deliver_by, slips=slips)


def _labels(
    settings: Settings, pipeline: Pipeline, daemon: Daemon, client: SpApiClient | None
) -> None:
    """The thread that finishes lost purchases and voids, and buys for printed orders."""
    labels = label_buyer(pipeline, client)
    if labels is None:
        return
    assert settings.amazon is not None  # labels = "amazon" needs it: checked at load
    interval = min(LABEL_STEP_SECONDS, settings.amazon.poll_seconds)
    thread = StepThread(labels.step, interval=interval, log=pipeline.log, name="labels")
    daemon.services.append(thread)


def desk_service(
    settings: Settings,
    *,
    amazon: ShipmentConfirmer | None,
    wake: Callable[[], None],
    reload: Callable[[], None] = lambda: None,
    fulfillment: ProofSource | None = None,
    label_api: SpApiClient | None = None,
    current: Callable[[], Settings] | None = None,
    environ: Mapping[str, str] | None = None,
    now: Callable[[], datetime] = utc_now,
    monotonic: Callable[[], float] = time.monotonic,
    port: int | None = None,
    log: EventLog | None = None,
    limits: ConnectionLimits | None = None,
) -> DeskService:
    """The desk `[desk]` asks for; `ConfigError` at once if its password is not set.

    `wake` tells the daemon there is work (a shipment to purge after, a job released);
    `reload` asks it to re-read its configuration first (the desk's Retry and Approve).
    With `[shipping] labels = "amazon"`, `label_api` buys, voids and reprints labels from the
    desk (on the desk's own store connection, as the daemon's thread does on the loop's), with
    the settings `current` gives (the daemon's, as re-read on a reload), else `settings`.
    """
    from production.desk.app import Desk
    from production.desk.labels import LabelDesk
    from production.desk.proofs import Proofs
    from production.desk.service import DeskService
    from production.desk.sessions import Sessions, password_from_environment

    if settings.desk is None:
        raise ConfigError("shop.toml has no [desk] table")
    password = password_from_environment(environ)
    folders = Folders(settings.shop.data_dir)
    store = open_store(settings)  # its own connection: pages never wait on the loop's
    marketplace = settings.amazon.marketplace_ids[0] if settings.amazon else None
    labels = None
    if settings.shipping.labels == "amazon" and label_api is not None:
        buyer = _labels_on(store, label_api, current or (lambda: settings), log or json_lines)
        labels = LabelDesk(buyer, marketplace_id=marketplace)
    desk = Desk(
        store=store,
        shipping=Shipping(store, amazon=amazon, marketplace_id=marketplace, clock=now),
        sessions=Sessions(password, monotonic=monotonic),
        proofs=Proofs(masters=folders.masters, proofs=folders.proofs),
        shop=settings.shop.name,
        wake=wake,
        holds=Holds(store, masters=folders.masters, reload=reload, wake=wake, clock=now),
        now=now,
        fulfillment=fulfillment,
        product_name=lambda asin, sku: _product_name(settings, asin, sku),
        hosts=settings.desk.hosts,
        https=settings.desk.https,
        labels=labels,
    )
    return DeskService(
        desk,
        host=settings.desk.host,
        port=settings.desk.port if port is None else port,
        on_stop=store.close,
        log=log,
        trusted_proxies=settings.desk.trusted_proxies,
        limits=limits,
    )


def _product_name(settings: Settings, asin: str | None, sku: str | None) -> str | None:
    product = settings.product_for(asin, sku)
    return product.name if product is not None else None
