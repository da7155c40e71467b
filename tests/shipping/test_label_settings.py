"""`[shipping]`, `[[box]]`, a product's `package` and the label printer, as shop.toml,
products.toml and printers.toml say them; every mistake named where it is."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from production.config.settings import load_settings
from production.core.errors import ConfigError
from tests.shipping.label_shop import label_config, set_packages

URL = "http://127.0.0.1:9"
MARKET = "ATVPDKIKX0DER"


def test_a_label_shop_reads_whole(tmp_path: Path) -> None:
    config = label_config(tmp_path / "c", URL, MARKET,
                          shipping='labels = "amazon"\nservice = ["UPS Ground", "FedEx 2Day"]\n'
                                   'max_cost = 12.5\nlabel_format = "ZPL"')  # fmt: skip
    shipping = load_settings(config).shipping
    assert shipping.labels == "amazon" and shipping.buy == "printed"
    assert shipping.service == ("UPS Ground", "FedEx 2Day")
    assert shipping.max_cost == Decimal("12.5") and shipping.label_format == "ZPL"
    assert shipping.printer == "label-1"
    assert shipping.ship_from is not None and shipping.ship_from.postal_code == "97201"
    assert [box.name for box in shipping.boxes] == ["mug", "flat"]
    settings = load_settings(config)
    mug = settings.product_for("B0SAMPLE03", None)
    assert mug is not None
    package = shipping.package_of(mug)
    assert package is not None and package.box == "mug" and package.weight_g == 350


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (("printers.toml", "dpi = 203", "dpi = 600"), "has dpi 600; Amazon prints labels at 203"),
        (("printers.toml", 'kind = "label"', 'kind = "hotfolder"'), 'kind = "label"'),
        (("shop.toml", 'labels = "amazon"', 'labels = "amazon"\nbuy = "later"'), "buy must be"),
        (("products.toml", 'box = "mug"', 'box = "crate"'), "box 'crate' is not a [[box]]"),
        (("products.toml", ", height_mm = 25 }", " }"), "needs length_mm, width_mm and height_mm"),
        (("shop.toml", "weight_g = 80", "weight_g = -1"), "box[1]: weight_g must be at least 0"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, change: tuple[str, str, str], said: str) -> None:
    config = label_config(tmp_path / "c", URL, MARKET)
    name, old, new = change
    text = (config / name).read_text()
    assert old in text
    (config / name).write_text(text.replace(old, new))
    with pytest.raises(ConfigError) as raised:
        load_settings(config)
    assert said in raised.value.message


def test_a_surface_sent_to_the_label_printer_is_refused(tmp_path: Path) -> None:
    config = label_config(tmp_path / "c", URL, MARKET)
    text = (config / "products.toml").read_text()
    (config / "products.toml").write_text(
        text.replace('printer = "uv-1"', 'printer = "label-1"', 1)
    )
    with pytest.raises(ConfigError, match="prints shipping labels only"):
        load_settings(config)


def test_amazon_labels_need_amazon(tmp_path: Path) -> None:
    config = label_config(tmp_path / "c", URL, MARKET)
    text = (config / "shop.toml").read_text()
    start = text.index("\n[amazon]\n")
    end = text.index("\n[shipping]\n")
    (config / "shop.toml").write_text(text[:start] + text[end:])
    with pytest.raises(ConfigError, match=r'labels = "amazon" needs \[amazon\]'):
        load_settings(config)


def test_packages_are_optional_until_an_order_needs_them(tmp_path: Path) -> None:
    config = label_config(tmp_path / "c", URL, MARKET)
    set_packages(config, {})
    assert load_settings(config).shipping.packages == {}
