"""Which carrier a tracking number belongs to, and the carrier code Amazon is told.

A packer scans the label's number; the carrier is read from its format, so the buyer's
tracking link goes to the carrier that really has the parcel. The check digits and the less
common formats (DHL Express Air, OnTrac, FedEx Ground 96, UPU S10 postal numbers) come from
the `tracking-numbers` package (the data of jkeen/tracking_number_data); the table below adds
the formats by shape alone, since a label's number with a wrong check digit is still that
carrier's number (most likely mistyped: the detection says whether the digit checked out).

A shape is *distinctive* when no other carrier uses it (`1Z…`, `TBA…`, USPS's `94…`): a carrier
chosen against it is refused. Bare digits of a length (FedEx's 12, DHL's 10) only fill in a
carrier nobody chose. USPS numbers starting `92` are also printed by the consolidators that hand
their parcels to USPS (FedEx SmartPost, UPS Mail Innovations, DHL eCommerce): those carriers are
accepted for them too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracking_numbers import DEFINITIONS

from production.core.errors import ProductionError

__all__ = [
    "AMAZON_LOGISTICS",
    "CARRIERS",
    "OTHER",
    "Carrier",
    "CarrierError",
    "Detection",
    "amazon_carrier",
    "canonical_carrier",
    "choose_carrier",
    "detect",
]

AMAZON_LOGISTICS = "Amazon Logistics"
OTHER = "Other"


class CarrierError(ProductionError):
    """The carrier of a package cannot be told, or contradicts its tracking number."""

    cause = "shipping"


@dataclass(frozen=True, slots=True)
class Carrier:
    """A carrier the desk offers: its name here and the `carrierCode` Amazon accepts for it."""

    name: str
    amazon_code: str
    aliases: tuple[str, ...] = ()


# Amazon's carrierCode values (the shipping confirmation's list); "Amazon Logistics" (TBA…
# numbers) is Amazon's own network, which confirmShipment names "Amazon Shipping".
CARRIERS = (
    Carrier("USPS", "USPS", ("united states postal service", "us postal service")),
    Carrier("UPS", "UPS", ("united parcel service",)),
    Carrier("FedEx", "FedEx", ("federal express",)),
    Carrier("DHL", "DHL", ("dhl express",)),
    Carrier(AMAZON_LOGISTICS, "Amazon Shipping", ("amazon", "amzl", "amazon shipping")),
    Carrier("OnTrac", "OnTrac"),
    Carrier("Royal Mail", "Royal Mail"),
    Carrier("Deutsche Post", "Deutsche Post"),
    Carrier("Canada Post", "Canada Post"),
    Carrier(OTHER, OTHER),
)
_BY_KEY = {key: c for c in CARRIERS for key in (c.name.casefold(), *c.aliases)}
_COURIERS = {"usps": "USPS", "ups": "UPS", "fedex": "FedEx", "dhl": "DHL",
             "amazon": AMAZON_LOGISTICS, "ontrac": "OnTrac"}  # fmt: skip
_POSTS = {"US": "USPS", "GB": "Royal Mail", "DE": "Deutsche Post", "CA": "Canada Post"}
_USPS_92_ALSO = frozenset({"FedEx", "UPS", "DHL"})  # consolidators that hand over to USPS


@dataclass(frozen=True, slots=True)
class _Shape:
    carrier: str
    pattern: re.Pattern[str]
    distinctive: bool


_SHAPES = (
    _Shape("UPS", re.compile(r"1Z[0-9A-Z]{16}"), True),
    _Shape(AMAZON_LOGISTICS, re.compile(r"TBA\d{12}"), True),
    # IMpb: 20–22 digits from 92–95, alone or behind "420" and the ZIP code (5 or 9 digits).
    _Shape("USPS", re.compile(r"(?:420(?:\d{9}|\d{5}))?9[2-5]\d{18,20}"), True),
    _Shape("FedEx", re.compile(r"96\d{20}"), True),  # FedEx Ground 96
    _Shape("FedEx", re.compile(r"\d{12}|\d{15}|\d{20}"), False),
    _Shape("DHL", re.compile(r"\d{10}|JJD\d{16,20}"), False),
)


@dataclass(frozen=True, slots=True)
class Detection:
    """What a tracking number's format says of its carrier."""

    carrier: str  # a name of `CARRIERS`
    distinctive: bool  # no other carrier uses this format: a different choice is a mistake
    checked: bool  # the format's check digit is right (False: none known, or it is wrong)
    usps_92: bool = False  # a USPS number of the kind consolidators print too


def compact(tracking: str) -> str:
    """The number as carriers read it: no spaces (people type them in groups), upper case."""
    return "".join(tracking.split()).upper()


def detect(tracking: str) -> Detection | None:
    """The carrier of a tracking number by its format; None when the format is unknown."""
    number = compact(tracking)
    shape = next((s for s in _SHAPES if s.pattern.fullmatch(number)), None)
    checked = _checked(number)
    if checked is not None:
        distinctive = not number.isdigit() or (shape is not None and shape.distinctive)
        return Detection(checked, distinctive, True, _usps_92(number, checked))
    if shape is None:
        return None
    return Detection(shape.carrier, shape.distinctive, False, _usps_92(number, shape.carrier))


def canonical_carrier(name: str) -> str:
    """A carrier as typed ("ups", "Amazon") under its desk name; unknown names as they are."""
    known = _BY_KEY.get(" ".join(name.split()).casefold())
    return known.name if known is not None else " ".join(name.split())


def amazon_carrier(name: str) -> tuple[str, str | None]:
    """`carrierCode` and `carrierName` for Amazon: a carrier not in its list is "Other", named."""
    known = _BY_KEY.get(name.casefold())
    if known is not None:
        return known.amazon_code, None
    return OTHER, name


def choose_carrier(chosen: str, tracking: str) -> str:
    """The carrier a package is recorded with: the one the number shows, or the one chosen.

    `CarrierError` when nothing was chosen and the number's format is unknown, or when the
    choice contradicts a distinctive format.
    """
    chosen = canonical_carrier(chosen)
    found = detect(tracking)
    number = compact(tracking)
    if not chosen:
        if found is None:
            raise CarrierError(
                f"the carrier of tracking number {number} cannot be told from its format:"
                " say which carrier it is"
            )
        return found.carrier
    if found is None or found.carrier == chosen or not found.distinctive or chosen == OTHER:
        return chosen
    if found.usps_92 and chosen in _USPS_92_ALSO:
        return chosen
    raise CarrierError(
        f"tracking number {number} is a {found.carrier} number, not {chosen}: choose"
        f" {found.carrier} (or correct the number)"
    )


def _checked(number: str) -> str | None:
    """The carrier whose format and check digit `number` passes (tracking-numbers' data)."""
    for definition in DEFINITIONS:
        result = definition.test(number)
        if result is None or not result.valid:
            continue
        code = str(result.courier.code)
        if code == "s10":
            return _POSTS.get(number[-2:])
        if code in _COURIERS:
            return _COURIERS[code]
    return None


def _usps_92(number: str, carrier: str) -> bool:
    return carrier == "USPS" and _impb(number).startswith("92")


def _impb(number: str) -> str:
    """An IMpb number without its "420" + ZIP prefix (5 digits: 28–30 long, 9: 32–34)."""
    if number.startswith("420") and len(number) >= 28:
        return number[8:] if len(number) <= 30 else number[12:]
    return number
