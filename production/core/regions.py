"""Amazon's SP-API regions and the marketplaces each one serves, as Amazon publishes them.

Every marketplace belongs to exactly one region, and a seller's refresh token works against
that region's endpoint only: a shop that sells on amazon.co.uk and amazon.de calls the EU
endpoint for both. The table is Amazon's "Marketplace IDs" page (SP-API developer docs);
the currency is the one the marketplace sells in (packing slips, insured values).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ENDPOINTS",
    "MARKETPLACES",
    "REGIONS",
    "Marketplace",
    "Region",
    "endpoint_for",
    "marketplace",
    "marketplaces_outside",
]

Region = Literal["na", "eu", "fe"]
REGIONS: tuple[Region, ...] = ("na", "eu", "fe")

ENDPOINTS: dict[Region, str] = {
    "na": "https://sellingpartnerapi-na.amazon.com",
    "eu": "https://sellingpartnerapi-eu.amazon.com",
    "fe": "https://sellingpartnerapi-fe.amazon.com",
}
"""The production SP-API endpoint of each region."""


@dataclass(frozen=True, slots=True)
class Marketplace:
    marketplace_id: str
    country_code: str  # ISO 3166-1 alpha-2 (the UK is "GB" here, "UK" in Amazon's table)
    domain: str
    region: Region
    currency: str  # ISO 4217


def _m(
    marketplace_id: str, country: str, domain: str, region: Region, currency: str
) -> Marketplace:
    return Marketplace(marketplace_id, country, domain, region, currency)


MARKETPLACES: dict[str, Marketplace] = {
    m.marketplace_id: m
    for m in (
        _m("A2EUQ1WTGCTBG2", "CA", "amazon.ca", "na", "CAD"),
        _m("ATVPDKIKX0DER", "US", "amazon.com", "na", "USD"),
        _m("A1AM78C64UM0Y8", "MX", "amazon.com.mx", "na", "MXN"),
        _m("A2Q3Y263D00KWC", "BR", "amazon.com.br", "na", "BRL"),
        _m("A28R8C7NBKEWEA", "IE", "amazon.ie", "eu", "EUR"),
        _m("A1RKKUPIHCS9HS", "ES", "amazon.es", "eu", "EUR"),
        _m("A1F83G8C2ARO7P", "GB", "amazon.co.uk", "eu", "GBP"),
        _m("A13V1IB3VIYZZH", "FR", "amazon.fr", "eu", "EUR"),
        _m("AMEN7PMS3EDWL", "BE", "amazon.com.be", "eu", "EUR"),
        _m("A1805IZSGTT6HS", "NL", "amazon.nl", "eu", "EUR"),
        _m("A1PA6795UKMFR9", "DE", "amazon.de", "eu", "EUR"),
        _m("APJ6JRA9NG5V4", "IT", "amazon.it", "eu", "EUR"),
        _m("A2NODRKZP88ZB9", "SE", "amazon.se", "eu", "SEK"),
        _m("AE08WJ6YKNBMC", "ZA", "amazon.co.za", "eu", "ZAR"),
        _m("A1C3SOZRARQ6R3", "PL", "amazon.pl", "eu", "PLN"),
        _m("ARBP9OOSHTCHU", "EG", "amazon.eg", "eu", "EGP"),
        _m("A33AVAJ2PDY3EV", "TR", "amazon.com.tr", "eu", "TRY"),
        _m("A17E79C6D8DWNP", "SA", "amazon.sa", "eu", "SAR"),
        _m("A2VIGQ35RCS4UG", "AE", "amazon.ae", "eu", "AED"),
        _m("A21TJRUUN4KGV", "IN", "amazon.in", "eu", "INR"),
        _m("A19VAU5U5O7RUS", "SG", "amazon.sg", "fe", "SGD"),
        _m("A39IBJ37TRP1C6", "AU", "amazon.com.au", "fe", "AUD"),
        _m("A1VC38T7YXB528", "JP", "amazon.co.jp", "fe", "JPY"),
    )
}


def marketplace(marketplace_id: str) -> Marketplace | None:
    """The marketplace of an id Amazon publishes; None for one it does not."""
    return MARKETPLACES.get(marketplace_id.strip())


def endpoint_for(region: Region) -> str:
    return ENDPOINTS[region]


def marketplaces_outside(region: Region, marketplace_ids: Iterable[str]) -> list[str]:
    """The ids that are not marketplaces of `region` (unknown ids included), in the given order."""
    return [
        m for m in marketplace_ids if (found := marketplace(m)) is None or found.region != region
    ]
