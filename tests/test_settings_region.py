"""`[amazon] region`: the endpoint of the shop's region, and marketplaces checked against it."""

from __future__ import annotations

from pathlib import Path

import pytest

from production.config.settings import AmazonSettings, load_settings
from tests.test_settings import config_error, write

UK, DE, US, JP = "A1F83G8C2ARO7P", "A1PA6795UKMFR9", "ATVPDKIKX0DER", "A1VC38T7YXB528"


def amazon(tmp_path: Path, table: str) -> AmazonSettings:
    settings = load_settings(write(tmp_path, shop_toml=f"[amazon]\n{table}"))
    assert settings.amazon is not None
    return settings.amazon


def test_a_region_picks_its_endpoint_and_takes_several_of_its_marketplaces(
    tmp_path: Path,
) -> None:
    settings = amazon(tmp_path, f'region = "eu"\nmarketplace_ids = ["{UK}", "{DE}"]\n')
    assert settings.region == "eu"
    assert settings.endpoint == "https://sellingpartnerapi-eu.amazon.com"
    assert settings.marketplace_ids == (UK, DE)


def test_without_a_region_the_marketplaces_say_which(tmp_path: Path) -> None:
    assert amazon(tmp_path, f'marketplace_ids = ["{JP}"]\n').endpoint == (
        "https://sellingpartnerapi-fe.amazon.com"
    )
    default = amazon(tmp_path, "")
    assert (default.region, default.marketplace_ids) == ("na", (US,))
    assert default.endpoint == "https://sellingpartnerapi-na.amazon.com"


def test_the_endpoint_key_still_overrides_the_regions(tmp_path: Path) -> None:
    settings = amazon(
        tmp_path, f'region = "eu"\nendpoint = "http://127.0.0.1:9000"\nmarketplace_ids = ["{DE}"]\n'
    )
    assert (settings.region, settings.endpoint) == ("eu", "http://127.0.0.1:9000")


@pytest.mark.parametrize(
    ("table", "fragments"),
    [
        (f'region = "na"\nmarketplace_ids = ["{US}", "{DE}"]\n', [DE, "amazon.de", "'na'"]),
        (f'marketplace_ids = ["{US}", "{UK}"]\n', ["several regions", f"{UK} is eu"]),
        ('marketplace_ids = ["ATVPDKIKX0DERX"]\n', ["ATVPDKIKX0DERX", "not a marketplace id"]),
        ('region = "asia"\n', ["[amazon]", "region"]),
    ],
)
def test_marketplaces_outside_the_region_are_refused(
    tmp_path: Path, table: str, fragments: list[str]
) -> None:
    message = config_error(write(tmp_path, shop_toml=f"[amazon]\n{table}"))
    for fragment in fragments:
        assert fragment in message
