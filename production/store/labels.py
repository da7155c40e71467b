"""Shipping labels bought through Amazon: one record per package of an order and attempt.

A label goes PLANNED (a package: which items, how many) → BUYING (the purchase is about to be
made: the request token, the rate id and the idempotency key are written first, in their own
transaction) → BOUGHT (Amazon's shipment id and tracking number). A purchase whose answer was
lost stays BUYING and is made again with the same key, which Amazon answers with the first
purchase: one label per package, whatever crashed. HELD waits for facts the shop must add
(`message` says which; checked again by itself), REFUSED for a person (`message` is Amazon's
words). A voided label (VOIDED) is history: a new record for the same package may follow.
Records hold ids, tracking numbers, carriers, costs and Amazon's messages — no buyer data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

__all__ = ["LIVE_LABEL_STATES", "LabelIntent", "LabelRecord", "LabelState"]


class LabelState(StrEnum):
    PLANNED = "planned"  # a package to buy a label for
    HELD = "held"  # facts are missing (what to add is in `message`)
    REFUSED = "refused"  # Amazon refused, or no rate fits the policy: a person decides
    BUYING = "buying"  # the purchase is recorded and may have gone through
    BOUGHT = "bought"  # the label exists: shipment id and tracking number
    VOIDING = "voiding"  # cancelShipment is about to be called
    VOID_REFUSED = "void refused"  # the carrier has the package: the label stands
    VOIDED = "voided"  # cancelled at Amazon: history


# States in which a package has, or may have, a label at Amazon.
LIVE_LABEL_STATES = frozenset(
    {LabelState.BUYING, LabelState.BOUGHT, LabelState.VOIDING, LabelState.VOID_REFUSED}
)


@dataclass(frozen=True, slots=True)
class LabelIntent:
    """What a purchase is made with; written before purchaseShipment is called."""

    request_token: str
    rate_id: str
    idempotency_key: str
    carrier_id: str
    carrier: str
    service: str
    cost: Decimal
    currency: str
    label_format: str
    dpi: int


@dataclass(frozen=True, slots=True)
class LabelRecord:
    label_id: int
    order_id: str
    package_ref: str  # "1", "2"… within the order; the label's packageClientReferenceId
    items: tuple[tuple[str, int], ...]  # (order item id, quantity) in this package
    state: LabelState
    intent: LabelIntent | None
    shipment_id: str | None
    tracking: str | None
    message: str | None
    created_at: datetime
    updated_at: datetime
