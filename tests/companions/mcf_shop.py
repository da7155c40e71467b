"""A shop whose products have companion items, beside a simulated Amazon on loopback HTTP.

The shop runs in this process one daemon pass at a time (`tests.daemon.shop.Shop`); companion
orders move one `Companions.step()` at a time, on the simulator's hand-wound clock, so ten
days on hold take no time. Orders are put on the simulated Amazon and their zips dropped into
the inbox, as the intake would.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from production.amazon.client import SpApiClient
from production.amazon.credentials import Credentials
from production.amazon.sim import DEFAULT_CREDENTIALS, SimServer, SimState, serve
from production.amazon.sim.mcf_records import McfOrder
from production.amazon.sim.zips import renumbered
from production.companions.coordinator import Companions, Pace
from production.customization.samples import SAMPLES_DIR
from production.store import CompanionOrder, JobRecord, JobState
from tests.amazon.test_sim import FakeClock
from tests.daemon.shop import Shop, make_config

CREDENTIALS = Credentials(
    DEFAULT_CREDENTIALS.client_id,
    DEFAULT_CREDENTIALS.client_secret,
    DEFAULT_CREDENTIALS.refresh_token,
)
LEASH = "LEASH-RED"  # ships with the wooden sign (text-only, B0SAMPLE01)
BOX = "MUG-BOX"  # two of them ship with the photo mug (photo-text, B0SAMPLE03)
COMPANIONS = {
    "B0SAMPLE01": f'[{{ sku = "{LEASH}", quantity = 1 }}]',
    "B0SAMPLE03": f'[{{ sku = "{BOX}", quantity = 2 }}]',
}
PACE = Pace(
    settle=timedelta(0),
    held_poll=timedelta(hours=1),
    status_poll=timedelta(minutes=10),
    max_backoff=timedelta(minutes=1),
)


def add_companions(config: Path, companions: dict[str, str] = COMPANIONS) -> None:
    """Give the products with these ASINs their companions (in a copy of products.toml)."""
    products = config / "products.toml"
    text = products.read_text()
    for asin, value in companions.items():
        text, count = re.subn(
            rf'(?m)^asin = "{asin}"[ \t]*$', f'asin = "{asin}"\ncompanions = {value}', text
        )
        assert count == 1, f"products.toml has no product with asin {asin}"
    products.write_text(text)


def sample_zip(name: str, number: int, *, order_id: str | None = None) -> bytes:
    return renumbered((SAMPLES_DIR / f"{name}.zip").read_bytes(), number, order_id=order_id)


@dataclass
class McfShop(Shop):
    """The shop with companions; `connect()` gives it a simulated Amazon and `companions`."""

    stock: dict[str, int] = field(default_factory=lambda: {LEASH: 20, BOX: 20})

    def __post_init__(self) -> None:
        self.config = make_config(self.root / "config")
        add_companions(self.config)
        self.daemon = self._daemon()

    @contextmanager
    def connect(self, **state: object) -> Iterator[McfShop]:
        self.amazon_clock = FakeClock()
        # Amazon's clock starts at the store's (which stamps the items), then is wound by hand.
        self.amazon_clock.wall = datetime.now(UTC)
        self.state = SimState(now=self.amazon_clock.now, rate_scale=100.0, **state)  # type: ignore[arg-type]
        for sku, units in self.stock.items():
            self.state.mcf.stock(sku, units)
        with serve(self.state) as server:
            self.server: SimServer = server
            self.client = SpApiClient(
                endpoint=server.base_url,
                lwa_endpoint=server.base_url,
                credentials=CREDENTIALS,
                sleep=lambda seconds: time.sleep(min(seconds, 0.01)),
            )
            with self.client:
                self.companions = self.make_companions()
                yield self

    def make_companions(self, **changes: object) -> Companions:
        """A coordinator on this shop's pipeline (a new one is what a restart makes)."""
        return Companions(
            changes.pop("amazon", self.client),  # type: ignore[arg-type]
            self.daemon.pipeline,
            marketplace_id=self.state.marketplace_id,
            clock=self.amazon_clock.now,
            pace=PACE,
            log=self.events.append,
        )

    # -- orders ------------------------------------------------------------------------------

    def order(self, name: str, number: int, *, order_id: str | None = None) -> str:
        """An order on Amazon, its zip dropped into the inbox and taken in; its order id."""
        data = sample_zip(name, number, order_id=order_id)
        item = self.state.add_order(data)
        self.drop(data, f"{name}-{number}.zip")
        self.settle()
        return item.order_id

    def step(self, times: int = 1) -> None:
        # Amazon's clock never falls behind the store's, which stamps items as they come.
        self.amazon_clock.wall = max(self.amazon_clock.wall, datetime.now(UTC))
        for _ in range(times):
            self.companions.step()

    def advance(self, seconds: float) -> None:
        self.amazon_clock.advance(seconds)

    def print_order(self, order_id: str) -> list[JobRecord]:
        return [
            self.daemon.pipeline.mark_printed(job.job_id, reason="printed in a test")
            for job in self.store.jobs(order_id=order_id, state=JobState.QUEUED)
        ]

    def retry(self, order_id: str) -> None:
        """A person presses Retry on every held job of the order, and the daemon runs."""
        for job in self.store.jobs(order_id=order_id, state=JobState.HELD):
            self.store.transition(
                job.job_id, JobState.RECEIVED, reason="retried", expect={JobState.HELD}
            )
        self.daemon.loop()

    # -- what there is -------------------------------------------------------------------------

    def record(self, order_id: str) -> CompanionOrder:
        [record] = self.store.companion_orders(order_id=order_id)
        return record

    def at_amazon(self) -> dict[str, McfOrder]:
        return {o.seller_fulfillment_order_id: o for o in self.state.mcf.orders()}

    def job_states(self, order_id: str) -> set[tuple[JobState, str | None]]:
        return {(job.state, job.cause) for job in self.store.jobs(order_id=order_id)}

    def logged(self, state: str) -> list[dict[str, object]]:
        return [event for event in self.events if event.get("state") == state]
