"""`[amazon] region`: which SP-API endpoint a shop calls, and the marketplaces it may pull.

A seller's refresh token works against its region's endpoint only, so every marketplace of
`marketplace_ids` must be one of the region's. Without `region` the region is the one the
marketplaces share (a shop configured before regions existed keeps working); an explicit
`endpoint` still overrides the region's (the local simulator, a proxy). An id Amazon does not
publish is most likely a typo and is refused — unless the endpoint is given, when the shop
calls something that may know marketplaces this table does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from production.config.schema import Table
from production.core.regions import REGIONS, Region, endpoint_for, marketplace

__all__ = ["DEFAULT_REGION", "amazon_region"]

DEFAULT_REGION: Region = "na"


def amazon_region(
    table: Table, marketplace_ids: Sequence[str], *, endpoint_given: bool
) -> tuple[Region, str]:
    """The shop's region and its endpoint; `ConfigError` names the marketplaces that do not fit."""
    known = [found for m in marketplace_ids if (found := marketplace(m)) is not None]
    unknown = [m for m in marketplace_ids if marketplace(m) is None]
    if unknown and not endpoint_given:
        raise table.error(
            f"marketplace_ids: {', '.join(unknown)} is not a marketplace id Amazon publishes "
            "(Seller Central shows yours; amazon.com is ATVPDKIKX0DER)"
        )
    if table.raw("region") is None:
        regions = {m.region for m in known}
        if len(regions) > 1:
            raise table.error(
                "marketplace_ids name marketplaces of several regions ("
                + ", ".join(f"{m.marketplace_id} is {m.region}" for m in known)
                + "); one shop calls one region: set region and keep its marketplaces"
            )
        region = regions.pop() if regions else DEFAULT_REGION
    else:
        region = cast(Region, table.choice("region", REGIONS))
    outside = [m for m in known if m.region != region]
    if outside:
        raise table.error(
            f"marketplace_ids: {', '.join(f'{m.marketplace_id} ({m.domain})' for m in outside)} "
            f"{'is' if len(outside) == 1 else 'are'} not of region '{region}'; a refresh token "
            "works in its own region only"
        )
    return region, endpoint_for(region)
