"""The job store: order items, their print jobs, the jobs' states and the audit trail.

The pipeline sees only `JobStore`; `SqliteStore` is the embedded default. Every state change
follows `states.TRANSITIONS` and is one transaction together with its audit row. Companion
orders (stock items shipped by Amazon's Multi-Channel Fulfillment) are kept beside the jobs.
"""

from production.store.base import JobStore
from production.store.companions import (
    CompanionOrder,
    CompanionPackage,
    CompanionState,
    NewCompanionOrder,
)
from production.store.records import AuditEntry, ItemRecord, JobRecord, JobState, NewItem, NewJob
from production.store.shipments import ShipmentRecord, ShipmentState
from production.store.sqlite.store import SqliteStore
from production.store.states import TRANSITIONS

__all__ = [
    "TRANSITIONS",
    "AuditEntry",
    "CompanionOrder",
    "CompanionPackage",
    "CompanionState",
    "ItemRecord",
    "JobRecord",
    "JobState",
    "JobStore",
    "NewCompanionOrder",
    "NewItem",
    "NewJob",
    "ShipmentRecord",
    "ShipmentState",
    "SqliteStore",
]
