"""Shipments: one package of an order, confirmed with Amazon (or recorded by hand).

A shipment is written to the store before Amazon is called, with the package reference it will
be sent under. A retry after a crash finds it and repeats the call with the same reference, so
Amazon edits that package instead of creating a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = ["ShipmentRecord", "ShipmentState"]


class ShipmentState(StrEnum):
    PENDING = "pending"  # recorded; the call to Amazon has not succeeded yet
    CONFIRMED = "confirmed"  # Amazon answered 204
    FAILED = "failed"  # Amazon refused it (400); `message` says why
    MANUAL = "manual"  # recorded without Amazon (no SP-API configured)


@dataclass(frozen=True, slots=True)
class ShipmentRecord:
    order_id: str
    package_ref: str  # positive numeric string, unique within the order
    carrier: str
    tracking: str
    ship_date: datetime
    items: tuple[tuple[str, int], ...]  # (order item id, quantity) in this package
    state: ShipmentState
    message: str | None
    created_at: datetime
    updated_at: datetime
