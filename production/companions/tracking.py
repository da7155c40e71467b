"""The packages of a shipped companion order, as the desk page shows them: carrier, tracking
number, where it is, the tracking page, whether Amazon has a delivery photo."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from production.amazon.fulfillment import FulfillmentOrder
from production.amazon.fulfillment_tracking import PackageTracking
from production.store import CompanionOrder, CompanionPackage

__all__ = ["ARRIVED", "PackageTracker", "packages_of", "tracking_done"]

# Tracking statuses after which nothing more happens to a package.
ARRIVED = frozenset(
    {"DELIVERED", "RETURNED", "UNDELIVERABLE", "RETURN_RECEIVED_IN_FC", "REFUND_ISSUED"}
)


class PackageTracker(Protocol):
    def get_package_tracking_details(
        self, package_number: int, *, order_id: str | None = ...
    ) -> PackageTracking: ...


def packages_of(
    amazon: PackageTracker, order: FulfillmentOrder, record: CompanionOrder
) -> tuple[CompanionPackage, ...]:
    """Every package of the order, tracked; one that arrived before is not asked about again."""
    known = {package.number: package for package in record.packages}
    packages = []
    for package in order.packages:
        before = known.get(package.package_number)
        proof = bool(package.delivery_documents)
        if before is not None and before.status in ARRIVED:
            packages.append(
                CompanionPackage(
                    before.number, before.carrier, before.tracking_number, before.status,
                    before.tracking_link, proof or before.proof_of_delivery,
                )
            )  # fmt: skip
            continue
        tracking = amazon.get_package_tracking_details(
            package.package_number, order_id=record.order_id
        )
        packages.append(
            CompanionPackage(
                number=package.package_number,
                carrier=tracking.carrier_code or package.carrier_code,
                tracking_number=tracking.tracking_number or package.tracking_number,
                status=tracking.status,
                tracking_link=tracking.customer_tracking_link or tracking.carrier_url,
                proof_of_delivery=proof,
            )
        )
    return tuple(packages)


def tracking_done(
    packages: Sequence[CompanionPackage], shipped_at: datetime, now: datetime, limit: timedelta
) -> bool:
    """Every package has arrived (or come back), or it shipped so long ago that it is over."""
    arrived = bool(packages) and all(package.status in ARRIVED for package in packages)
    return arrived or now - shipped_at >= limit
