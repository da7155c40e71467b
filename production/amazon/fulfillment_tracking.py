"""Where a Multi-Channel Fulfillment package is: getPackageTrackingDetails as a typed record.

The record leaves out `shipToAddress` and `signedForBy` (buyer data); what it keeps can be
shown on the desk page and logged. Statuses are read case-insensitively into the model's
upper-case spelling.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from production.amazon import readers as read

__all__ = ["DELIVERED", "TRACKING_STATUSES", "PackageTracking", "TrackingEvent", "tracking_status"]

# CurrentStatus, as the model spells it.
TRACKING_STATUSES = (
    "IN_TRANSIT",
    "DELIVERED",
    "RETURNING",
    "RETURNED",
    "UNDELIVERABLE",
    "DELAYED",
    "AVAILABLE_FOR_PICKUP",
    "CUSTOMER_ACTION",
    "UNKNOWN",
    "OUT_FOR_DELIVERY",
    "DELIVERY_ATTEMPTED",
    "PICKUP_SUCCESSFUL",
    "PICKUP_CANCELLED",
    "PICKUP_ATTEMPTED",
    "PICKUP_SCHEDULED",
    "RETURN_REQUEST_ACCEPTED",
    "REFUND_ISSUED",
    "RETURN_RECEIVED_IN_FC",
)
DELIVERED = "DELIVERED"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # where an event without a date sorts


def tracking_status(value: object) -> str:
    """A CurrentStatus in the model's spelling (`in transit` → IN_TRANSIT); UNKNOWN otherwise."""
    key = read.name_key(value)
    return next((s for s in TRACKING_STATUSES if read.name_key(s) == key), "UNKNOWN")


@dataclass(frozen=True, slots=True)
class TrackingEvent:
    """A carrier scan; the place is the scan's city, never a street."""

    date: datetime | None
    code: str  # EVENT_301 (delivered)…
    description: str
    city: str
    state: str
    country: str


@dataclass(frozen=True, slots=True)
class PackageTracking:
    """One package's tracking; `customer_tracking_link` is the buyer's page on swiship.com."""

    package_number: int
    tracking_number: str | None
    carrier_code: str | None
    carrier_url: str | None
    carrier_phone_number: str | None
    customer_tracking_link: str | None
    ship_date: datetime | None
    estimated_arrival: datetime | None
    status: str  # one of TRACKING_STATUSES
    status_description: str
    events: tuple[TrackingEvent, ...]  # oldest first

    @property
    def delivered(self) -> bool:
        return self.status == DELIVERED

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> PackageTracking:
        events = sorted(
            (_event(e) for e in read.objects(raw.get("trackingEvents"))),
            key=lambda event: event.date or _EPOCH,
        )
        return cls(
            package_number=read.count(raw.get("packageNumber")),
            tracking_number=read.optional(raw.get("trackingNumber")),
            carrier_code=read.optional(raw.get("carrierCode")),
            carrier_url=read.link(raw.get("carrierURL")) or None,
            carrier_phone_number=read.optional(raw.get("carrierPhoneNumber")),
            customer_tracking_link=read.link(raw.get("customerTrackingLink")) or None,
            ship_date=read.time(raw.get("shipDate")),
            estimated_arrival=read.time(raw.get("estimatedArrivalDate")),
            status=tracking_status(raw.get("currentStatus")),
            status_description=read.text(raw.get("currentStatusDescription")),
            events=tuple(events),
        )


def _event(raw: Mapping[str, Any]) -> TrackingEvent:
    place = raw.get("eventAddress")
    where: Mapping[str, Any] = place if isinstance(place, dict) else {}
    return TrackingEvent(
        date=read.time(raw.get("eventDate")),
        code=read.text(raw.get("eventCode")).upper(),
        description=read.text(raw.get("eventDescription")),
        city=read.text(where.get("city")),
        state=read.text(where.get("state")),
        country=read.text(where.get("country")),
    )
