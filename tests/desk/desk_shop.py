"""A shop with printed orders and the desk page served on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from production.app.wiring import desk_service
from production.config.settings import load_settings
from production.desk import DeskService
from production.shipping.confirm import ShipmentConfirmer
from production.store import JobRecord, JobState, NewItem, NewJob
from tests.daemon.shop import Shop, renumbered, sample

PASSWORD = "correct horse battery"
ENVIRON = {"PRODUCTION_DESK_PASSWORD": PASSWORD}
HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


class DeskShop(Shop):
    """A `Shop` whose config has a `[desk]` table, with helpers to make orders ready."""

    def __post_init__(self) -> None:
        super().__post_init__()
        with (self.config / "shop.toml").open("a") as shop_toml:
            shop_toml.write('\n[desk]\nlisten = "127.0.0.1:8080"\n')
        self.wakes = 0

    def add_orders(self, *names: str, first: int = 1) -> list[str]:
        """Drop renumbered samples, run the daemon until they are queued; their order ids."""
        before = {j.order_id for j in self.jobs()}
        for number, name in enumerate(names, start=first):
            self.drop(renumbered(sample(name), number), f"{name}-{number}.zip")
        self.settle()
        return sorted({j.order_id for j in self.jobs()} - before)

    def print_order(self, order_id: str) -> list[JobRecord]:
        return [
            self.daemon.pipeline.mark_printed(job.job_id, reason="printed in a test")
            for job in self.store.jobs(order_id=order_id, state=JobState.QUEUED)
        ]

    def hostile_held_job(self) -> JobRecord:
        """A held job whose SKU and reason are markup, as a careless feed could deliver."""
        self.store.add_item(
            NewItem("77700000000001", "777-0000001-0000001", "B0HOSTILE1", HOSTILE, 1, "", "")
        )
        [job] = self.store.set_jobs(
            "77700000000001",
            [NewJob("77700000000001-FRONT", "FRONT", "uv-1", "777_FRONT")],
            state=JobState.HELD,
            reason=HOSTILE,
            cause="review",
        )
        return job

    def connect_amazon(self, base_url: str, marketplace_id: str) -> None:
        with (self.config / "shop.toml").open("a") as shop_toml:
            shop_toml.write(
                f'\n[amazon]\nendpoint = "{base_url}"\nlwa_endpoint = "{base_url}"\n'
                f'marketplace_ids = ["{marketplace_id}"]\n'
            )

    @contextmanager
    def desk(self, *, amazon: ShipmentConfirmer | None = None) -> Iterator[DeskService]:
        def wake() -> None:
            self.wakes += 1

        service = desk_service(
            load_settings(self.config),
            amazon=amazon,
            wake=wake,
            # As the daemon wires it: Retry re-reads config (of the daemon running now).
            reload=lambda: self.daemon.request_reload(),
            environ=ENVIRON,
            port=0,
        )
        service.start()
        try:
            yield service
        finally:
            service.stop()


def make_shop(root: Path) -> DeskShop:
    return DeskShop(root)
