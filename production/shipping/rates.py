"""Which of Amazon's rates a package is bought with: the shop's policy, in one function.

`service = "cheapest"` takes the lowest total charge, `"fastest"` the earliest promised
delivery (then the lower charge), a list of service names the first of them offered (in the
shop's order). A rate is never taken above `max_cost`, nor when its promised delivery ends
after the order's latest delivery date (asked of Amazon by `shipping.order_facts`); an order
Amazon gave no such date for has no rate refused for its date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from production.amazon.labels import Rate, RateQuote
from production.core.errors import ProductionError

__all__ = ["NoRateError", "choose_rate"]


class NoRateError(ProductionError):
    """No rate fits the policy; the message says why, with Amazon's reasons word for word."""

    cause = "shipping"


def choose_rate(
    quote: RateQuote,
    *,
    service: str | Sequence[str],
    max_cost: Decimal | None,
    deliver_by: datetime | None = None,
) -> Rate:
    allowed = [r for r in quote.rates if max_cost is None or r.cost <= max_cost]
    late = [r for r in allowed if _late(r, deliver_by)]
    allowed = [r for r in allowed if r not in late]
    if isinstance(service, str) and service == "cheapest":
        chosen = min(allowed, key=lambda r: (r.cost, _arrival(r)), default=None)
    elif isinstance(service, str) and service == "fastest":
        chosen = min(allowed, key=lambda r: (_arrival(r), r.cost), default=None)
    else:
        names = [service] if isinstance(service, str) else list(service)
        chosen = next(
            (r for name in names for r in allowed if r.service_name.casefold() == name.casefold()),
            None,
        )
    if chosen is None:
        raise NoRateError(_why(quote, service, max_cost, deliver_by, late))
    return chosen


def _late(rate: Rate, deliver_by: datetime | None) -> bool:
    return deliver_by is not None and (rate.delivery_end is None or rate.delivery_end > deliver_by)


def _arrival(rate: Rate) -> datetime:
    return rate.delivery_end or datetime.max.replace(tzinfo=rate.expires_at.tzinfo)


def _why(
    quote: RateQuote,
    service: str | Sequence[str],
    max_cost: Decimal | None,
    deliver_by: datetime | None,
    late: Sequence[Rate],
) -> str:
    offered = "; ".join(f"{r.service_name} {r.cost} {r.currency}" for r in quote.rates)
    parts = [f"no rate fits the shop's policy (service {_policy(service)}"]
    if max_cost is not None:
        parts[0] += f", max_cost {max_cost}"
    parts[0] += ")"
    parts.append(f"offered: {offered}" if offered else "Amazon offered no rate")
    if late and deliver_by is not None:
        parts.append(f"delivered after {deliver_by:%Y-%m-%d %H:%M} UTC: "
                     + ", ".join(r.service_name for r in late))  # fmt: skip
    for rate in quote.ineligible:
        parts.append(f"{rate.service_name or rate.service_id}: {' '.join(rate.reasons)}")
    return "; ".join(parts)


def _policy(service: str | Sequence[str]) -> str:
    return service if isinstance(service, str) else ", ".join(service)
