"""`production ship` against the SP-API simulator over loopback: the carrier read from the
tracking number, refusals that say what is wrong, and credentials from `secrets.toml`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from production.amazon.sim import DEFAULT_CREDENTIALS, SimState, serve
from production.amazon.sim.server import SimServer
from production.app.cli import main
from production.store import JobState, ShipmentState
from tests.daemon.shop import Shop, renumbered, sample

USPS = "9400111202555842332669"
UPS = "1Z999AA10123456784"
SECRET_LINES = (
    "[amazon]\n"
    f'client_id = "{DEFAULT_CREDENTIALS.client_id}"\n'
    f'client_secret = "{DEFAULT_CREDENTIALS.client_secret}"\n'
    f'refresh_token = "{DEFAULT_CREDENTIALS.refresh_token}"\n'
)


@dataclass
class Desk:
    """A shop with one printed order that Amazon (the simulator) knows."""

    shop: Shop
    sim: SimServer
    order: str
    capsys: pytest.CaptureFixture[str]

    def ship(self, *argv: str, order: str | None = None) -> tuple[int, str, str]:
        code = main(["ship", order or self.order, *argv, "--config", str(self.shop.config)])
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def secrets(self, text: str = SECRET_LINES, mode: int = 0o600) -> Path:
        path = self.shop.config / "secrets.toml"
        path.write_text(text)
        path.chmod(mode)
        return path


@pytest.fixture
def desk(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[Desk]:
    shop = Shop(tmp_path)
    state = SimState(visibility_delay=0)
    with serve(state) as sim:
        with (shop.config / "shop.toml").open("a") as shop_toml:
            shop_toml.write(
                f'\n[amazon]\nendpoint = "{sim.base_url}"\nlwa_endpoint = "{sim.base_url}"\n'
                f'marketplace_ids = ["{state.marketplace_id}"]\n'
            )
        data = renumbered(sample("text-only"), 41)
        shop.drop(data, "order.zip")
        shop.settle()
        [job] = shop.jobs()
        shop.daemon.pipeline.mark_printed(job.job_id, reason="printed in a test")
        state.add_order(data)
        desk = Desk(shop, sim, job.order_id, capsys)
        desk.secrets()
        try:
            yield desk
        finally:
            shop.close()


def test_without_a_carrier_the_tracking_number_names_it(desk: Desk) -> None:
    assert desk.ship("--tracking", USPS) == (
        0, f"order {desk.order}: package 1 confirmed with Amazon (USPS {USPS})\n", ""
    )  # fmt: skip
    [shipment] = desk.sim.state.shipments(desk.order)
    assert (shipment.package.carrier_code, shipment.package.tracking_number) == ("USPS", USPS)
    assert {job.state for job in desk.shop.jobs()} == {JobState.SHIPPED}


def test_a_chosen_carrier_the_number_contradicts_is_refused(desk: Desk) -> None:
    code, out, err = desk.ship("--carrier", "UPS", "--tracking", USPS)
    assert (code, out) == (1, "")
    assert err == (
        f"production: order {desk.order}: tracking number {USPS} is a USPS number, not UPS:"
        " choose USPS (or correct the number)\n"
    )
    assert desk.shop.store.shipments() == [] and desk.sim.state.shipments() == []


def test_a_matching_carrier_and_an_unknown_format_with_a_carrier_go_through(desk: Desk) -> None:
    assert desk.ship("--carrier", "ups", "--tracking", UPS)[0] == 0
    [shipment] = desk.sim.state.shipments(desk.order)
    assert shipment.package.carrier_code == "UPS"


def test_an_unknown_format_without_a_carrier_asks_for_it(desk: Desk) -> None:
    code, _, err = desk.ship("--tracking", "ZX-4471")
    assert code == 1
    assert "tracking number ZX-4471 cannot be told from its format: say which carrier" in err
    assert desk.shop.store.shipments() == []
    assert desk.ship("--carrier", "Evri", "--tracking", "ZX-4471")[0] == 0
    [shipment] = desk.sim.state.shipments(desk.order)  # not on Amazon's list: "Other", named
    assert (shipment.package.carrier_code, shipment.package.carrier_name) == ("Other", "Evri")


def test_amazon_logistics_is_confirmed_under_amazons_carrier_code(desk: Desk) -> None:
    assert desk.ship("--tracking", "TBA123456789012")[0] == 0
    [package] = desk.shop.store.shipments()
    assert package.carrier == "Amazon Logistics"
    [shipment] = desk.sim.state.shipments(desk.order)
    assert shipment.package.carrier_code == "Amazon Shipping"


def test_an_order_shipped_before_says_when_and_how(desk: Desk) -> None:
    assert desk.ship("--tracking", USPS)[0] == 0
    assert desk.ship("--tracking", USPS)[0] == 0  # the same package again: a double scan
    code, _, err = desk.ship("--tracking", UPS)  # another package: nothing is left to send
    [package] = desk.shop.store.shipments()
    day = f"{package.ship_date:%Y-%m-%d}"
    assert (code, err) == (
        1, f"production: order {desk.order}: already shipped: package 1 on {day} (USPS {USPS})\n"
    )  # fmt: skip
    assert main(["purge", "--order", desk.order, "--config", str(desk.shop.config)]) == 0
    desk.capsys.readouterr()
    assert {job.state for job in desk.shop.jobs()} == {JobState.PURGED}
    code, _, err = desk.ship("--tracking", UPS)
    assert code == 1 and f"already shipped: package 1 on {day} (USPS {USPS})" in err
    assert "not printed" not in err and len(desk.sim.state.shipments()) == 1


def test_a_cancelled_order_and_an_unknown_order(desk: Desk) -> None:
    [job] = desk.shop.jobs()
    desk.shop.store.transition(job.job_id, JobState.CANCELLED, reason="cancelled by the buyer")
    code, _, err = desk.ship("--tracking", USPS)
    assert (code, err) == (
        1, f"production: order {desk.order}: the order was cancelled: there is nothing to ship\n"
    )  # fmt: skip
    code, _, err = desk.ship("--tracking", USPS, order="999-0000000-0000000")
    assert (code, err) == (
        1, "production: order 999-0000000-0000000: no such order in the job store\n"
    )  # fmt: skip
    assert desk.sim.state.shipments() == []


# -- credentials from secrets.toml ---------------------------------------------------------------


def test_credentials_in_secrets_toml_alone_are_enough(desk: Desk) -> None:
    assert not any(key.startswith("SPAPI_") for key in os.environ)
    code, out, err = desk.ship("--tracking", USPS)
    assert (code, err) == (0, "") and "confirmed with Amazon" in out
    assert desk.shop.store.shipments()[0].state is ShipmentState.CONFIRMED


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604], ids=["0644", "0640", "0604"])
def test_secrets_others_may_read_are_refused(desk: Desk, mode: int) -> None:
    path = desk.secrets(mode=mode)
    code, out, err = desk.ship("--tracking", USPS)
    assert (code, out) == (1, "")
    assert str(path) in err and f"chmod 600 {path}" in err and f"{mode:04o}" in err
    for secret in (DEFAULT_CREDENTIALS.client_secret, DEFAULT_CREDENTIALS.refresh_token):
        assert secret not in err
    assert desk.shop.store.shipments() == [] and desk.sim.state.shipments() == []


def test_the_environment_overrides_the_file(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    desk.secrets(SECRET_LINES.replace(DEFAULT_CREDENTIALS.client_secret, "a-stale-secret"))
    code, _, err = desk.ship("--tracking", USPS)
    assert code == 1 and "a-stale-secret" not in err  # Amazon refused the stale file's secret
    monkeypatch.setenv("SPAPI_CLIENT_SECRET", DEFAULT_CREDENTIALS.client_secret)
    code, _, err = desk.ship("--tracking", USPS)
    assert (code, err) == (0, "")
    [shipment] = desk.sim.state.shipments(desk.order)
    assert shipment.package.tracking_number == USPS


def test_a_missing_credential_names_the_variable_and_the_file(desk: Desk) -> None:
    desk.secrets('[amazon]\nclient_id = "only-this"\n')
    code, _, err = desk.ship("--tracking", USPS)
    assert code == 1 and "SPAPI_CLIENT_SECRET" in err and "secrets.toml" in err
    assert "only-this" not in err
