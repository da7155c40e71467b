"""The rate policy: cheapest, fastest, a list of services, max_cost and a delivery deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from production.amazon.labels import IneligibleRate, Rate, RateQuote
from production.shipping.rates import NoRateError, choose_rate

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def rate(service: str, cost: str, days: int) -> Rate:
    return Rate(
        rate_id=f"rate-{service}",
        request_token="token",
        carrier_id=service.split()[0].upper(),
        carrier_name=service.split()[0],
        service_id=service,
        service_name=service,
        cost=Decimal(cost),
        currency="USD",
        delivery_start=NOW + timedelta(days=days),
        delivery_end=NOW + timedelta(days=days, hours=11),
        expires_at=NOW + timedelta(minutes=10),
    )


QUOTE = RateQuote(
    "token",
    (
        rate("UPS Ground", "8.45", 5),
        rate("USPS Priority", "7.90", 3),
        rate("FedEx 2Day", "14.20", 2),
    ),
    (IneligibleRate("DHL", "DHL_X", "DHL Express", ("WEIGHT_RESTRICTIONS: too heavy",)),),
)


def test_cheapest_fastest_and_a_list() -> None:
    assert choose_rate(QUOTE, service="cheapest", max_cost=None).service_name == "USPS Priority"
    assert choose_rate(QUOTE, service="fastest", max_cost=None).service_name == "FedEx 2Day"
    chosen = choose_rate(QUOTE, service=("DHL Express", "ups ground"), max_cost=None)
    assert chosen.service_name == "UPS Ground"  # the first of the list offered, any case


def test_fastest_under_max_cost() -> None:
    chosen = choose_rate(QUOTE, service="fastest", max_cost=Decimal("10"))
    assert chosen.service_name == "USPS Priority"


def test_never_delivered_after_the_latest_delivery_date() -> None:
    deadline = NOW + timedelta(days=4)
    assert choose_rate(QUOTE, service=["UPS Ground", "FedEx 2Day"], max_cost=None,
                       deliver_by=deadline).service_name == "FedEx 2Day"  # fmt: skip
    with pytest.raises(NoRateError) as raised:
        choose_rate(QUOTE, service="cheapest", max_cost=Decimal("10"), deliver_by=NOW)
    said = raised.value.message
    assert said.startswith("no rate fits the shop's policy (service cheapest, max_cost 10)")
    assert "delivered after 2026-03-02 12:00 UTC: UPS Ground, USPS Priority;" in said
    assert "DHL Express: WEIGHT_RESTRICTIONS: too heavy" in said  # Amazon's reasons as given
