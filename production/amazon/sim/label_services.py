"""The simulated carriers' services: what a package costs, when it arrives, its tracking number.

Three services, priced by billed weight (the larger of the scale weight and the dimensional
weight, length × width × height / 5000 in cm and kg, as carriers bill), each with a weight
limit beyond which it is listed among the ineligible rates. Tracking numbers carry the check
digits of their carriers (UPS's 1Z, FedEx's 12 digits, USPS's 22), so that the shop's own
carrier detection takes them for real ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "DIMENSIONAL_DIVISOR",
    "SERVICES",
    "Service",
    "billed_kg",
    "delivery_window",
    "price",
    "service",
    "tracking_number",
]

DIMENSIONAL_DIVISOR = 5000.0  # cm³ per billed kg
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Service:
    carrier_id: str
    carrier_name: str
    service_id: str
    service_name: str
    base: Decimal  # the price of the first kilogram
    per_kg: Decimal  # every further (started) kilogram
    days: int  # from pickup to delivery
    max_kg: float


SERVICES: tuple[Service, ...] = (
    Service("UPS", "UPS", "UPS_PTP_GND", "UPS Ground", Decimal("8.45"), Decimal("1.10"), 5, 68.0),
    Service(
        "USPS",
        "USPS",
        "USPS_PTP_PRI",
        "USPS Priority Mail",
        Decimal("7.90"),
        Decimal("1.75"),
        3,
        31.75,
    ),
    Service(
        "FEDEX",
        "FedEx",
        "FEDEX_PTP_2DAY",
        "FedEx 2Day",
        Decimal("14.20"),
        Decimal("2.40"),
        2,
        68.0,
    ),
)


def service(service_id: str) -> Service | None:
    return next((s for s in SERVICES if s.service_id == service_id), None)


def billed_kg(weight_kg: float, length_cm: float, width_cm: float, height_cm: float) -> float:
    return max(weight_kg, length_cm * width_cm * height_cm / DIMENSIONAL_DIVISOR)


def price(offered: Service, billed: float) -> Decimal:
    """Base for the first kilogram, `per_kg` for every further one begun."""
    further = max(0, -int(-billed // 1) - 1)  # ceil(billed) - 1, for billed > 0
    return (offered.base + offered.per_kg * further).quantize(_CENT, rounding=ROUND_HALF_UP)


def delivery_window(offered: Service, ship_date: datetime) -> tuple[datetime, datetime]:
    """Delivered `days` after the ship date, between 09:00 and 20:00 (UTC) that day."""
    day = (ship_date + timedelta(days=offered.days)).date()
    start = datetime.combine(day, time(9, 0), tzinfo=ship_date.tzinfo)
    return start, start + timedelta(hours=11)


def tracking_number(offered: Service, number: int) -> str:
    """The `number`th package of the carrier, with the carrier's check digit."""
    if offered.carrier_id == "UPS":
        body = f"999AA103{number:07d}"[-15:]  # shipper 999AA1, service 03 (Ground), package
        return f"1Z{body}{_ups_check(body)}"
    if offered.carrier_id == "FEDEX":
        body = f"7{number:010d}"[-11:]
        return f"{body}{_fedex_check(body)}"
    body = f"9405511899{number:011d}"[-21:]
    return f"{body}{_usps_check(body)}"


def _ups_check(body: str) -> int:
    """UPS: letters count as (ord - 63) mod 10; odd positions once, even ones twice."""
    values = [int(c) if c.isdigit() else (ord(c) - 63) % 10 for c in body]
    total = sum(v if i % 2 == 0 else 2 * v for i, v in enumerate(values))
    return (10 - total % 10) % 10


def _fedex_check(body: str) -> int:
    """FedEx Express (12): weights 1, 3, 7 from the right, sum mod 11, mod 10."""
    weights = (1, 3, 7)
    total = sum(int(c) * weights[i % 3] for i, c in enumerate(reversed(body)))
    return total % 11 % 10


def _usps_check(body: str) -> int:
    """USPS (22 digits): mod 10 with weights 3 and 1 from the right."""
    total = sum(int(c) * (3 if i % 2 == 0 else 1) for i, c in enumerate(reversed(body)))
    return (10 - total % 10) % 10
