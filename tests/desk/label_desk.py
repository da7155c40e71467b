"""A label-buying shop (`[shipping] labels = "amazon"`) with its desk page served on a loopback
port, the Amazon simulator on another, and the shop's real SQLite store holding printed orders.

The desk is built by `desk_service` as the daemon builds it: its own store connection, the
real SP-API client, `Labels` on that connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from production.amazon.client import SpApiClient
from production.amazon.sim import SimServer, SimState, serve
from production.amazon.sim.records import SimItem
from production.app.wiring import desk_service
from production.config.settings import Settings, load_settings
from production.desk import DeskService
from production.store import LabelRecord
from production.store.factory import open_store
from production.store.sqlite.store import SqliteStore
from tests.amazon.test_labels_client import CREDENTIALS
from tests.amazon.test_sim import zip_of
from tests.desk.desk_shop import ENVIRON
from tests.shipping.label_shop import label_config
from tests.shipping.test_labels import printed

__all__ = ["LabelDeskShop", "label_desk_shop"]


@dataclass
class LabelDeskShop:
    server: SimServer
    state: SimState
    config: Path
    store: SqliteStore  # the shop's store, a connection of the test's own
    client: SpApiClient
    desk: DeskService
    settings: list[Settings]  # what the desk works with: the daemon's, as re-read on a reload

    def reload(self) -> None:
        """Re-read the configuration, as the daemon does on a reload."""
        self.settings[0] = load_settings(self.config)

    def order(self, *kinds: str, number: int = 1) -> tuple[str, list[SimItem]]:
        """An order on Amazon of one item per kind, taken in and printed in the store."""
        order_id = f"903-{number:07d}-0000001"
        items = []
        for index, kind in enumerate(kinds):
            zipped = zip_of(kind, number * 10 + index, order_id=order_id)
            item = self.state.add_order(zipped, delivery_days=5)
            printed(self.store, item)
            items.append(item)
        return order_id, items

    def at_amazon(self, order_id: str) -> list[dict[str, object]]:
        """The labels the simulator sold for the order, voided ones too."""
        return [label.summary() for label in self.state.labels.shipments(order_id)]

    def labels(self, order_id: str) -> list[LabelRecord]:
        return self.store.labels(order_id=order_id)

    def label_files(self) -> list[Path]:
        folder = self.config / "hot" / "label-1"
        return sorted(folder.glob("*.label.*"))  # beside them: the order's packing slip


@contextmanager
def label_desk_shop(root: Path, *, shipping: str = 'labels = "amazon"') -> Iterator[LabelDeskShop]:
    state = SimState()
    with serve(state) as server:
        config = label_config(root / "config", server.base_url, state.marketplace_id,
                              shipping=shipping)  # fmt: skip
        with (config / "shop.toml").open("a") as shop_toml:
            shop_toml.write('\n[desk]\nlisten = "127.0.0.1:8080"\n')
        settings = load_settings(config)
        current = [settings]
        settings.shop.data_dir.mkdir(parents=True, exist_ok=True)
        client = SpApiClient(
            endpoint=server.base_url,
            lwa_endpoint=server.base_url,
            credentials=CREDENTIALS,
            timeout=2.0,
            deadline=10.0,
        )
        store = open_store(settings)
        assert isinstance(store, SqliteStore)
        desk = desk_service(
            settings,
            amazon=client,
            fulfillment=client,
            label_api=client,
            current=lambda: current[0],
            wake=lambda: None,
            environ=ENVIRON,
            port=0,
        )
        desk.start()
        try:
            yield LabelDeskShop(server, state, config, store, client, desk, current)
        finally:
            desk.stop()
            store.close()
            client.close()
