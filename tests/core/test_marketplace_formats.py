"""Dates and money as each marketplace's buyers write them (CLDR, through Babel)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from production.core.marketplace_formats import (
    MARKETPLACE_LOCALES,
    format_money,
    format_ship_date,
    marketplace_locale,
)
from production.core.regions import MARKETPLACES

DAY = date(2026, 2, 3)  # day and month differ, and each is one digit


@pytest.mark.parametrize(
    ("marketplace", "written"),
    [
        ("ATVPDKIKX0DER", "02/03/2026"),  # amazon.com: month first
        ("A1F83G8C2ARO7P", "03/02/2026"),  # amazon.co.uk: day first
        ("A1PA6795UKMFR9", "03.02.2026"),  # amazon.de
        ("A1VC38T7YXB528", "2026/02/03"),  # amazon.co.jp: year first
        ("A2NODRKZP88ZB9", "2026-02-03"),  # amazon.se
        ("A1805IZSGTT6HS", "03-02-2026"),  # amazon.nl
        ("NOT-A-MARKETPLACE", "2026-02-03"),  # unknown: ISO 8601
        (None, "2026-02-03"),
    ],
)
def test_ship_dates_are_numeric_with_fixed_widths_in_the_marketplaces_order(
    marketplace: str | None, written: str
) -> None:
    assert format_ship_date(DAY, marketplace) == written


@pytest.mark.parametrize(
    ("amount", "currency", "marketplace", "written"),
    [
        ("1234.5", "USD", "ATVPDKIKX0DER", "$1,234.50"),
        ("1234.5", "GBP", "A1F83G8C2ARO7P", "£1,234.50"),
        ("1234.5", "EUR", "A1PA6795UKMFR9", "1.234,50\xa0€"),
        ("1234.5", "EUR", "A13V1IB3VIYZZH", "1\u202f234,50\xa0€"),  # amazon.fr
        ("1234", "JPY", "A1VC38T7YXB528", "￥1,234"),  # yen have no decimals
        ("12.3", "USD", None, "12.30 USD"),
    ],
)
def test_money_is_written_as_the_marketplace_writes_it(
    amount: str, currency: str, marketplace: str | None, written: str
) -> None:
    assert format_money(Decimal(amount), currency, marketplace) == written


def test_every_marketplace_amazon_publishes_has_a_locale() -> None:
    assert {m.country_code for m in MARKETPLACES.values()} == set(MARKETPLACE_LOCALES)
    for marketplace_id in MARKETPLACES:
        assert marketplace_locale(marketplace_id) is not None
        written = format_ship_date(DAY, marketplace_id)
        assert all(part in written for part in ("2026", "02", "03")), (marketplace_id, written)
