"""The job store: order items, their print jobs, the jobs' states and the audit trail.

The pipeline sees only `JobStore`; `SqliteStore` is the embedded default. Every state change
follows `states.TRANSITIONS` and is one transaction together with its audit row.
"""

from production.store.base import JobStore
from production.store.records import AuditEntry, ItemRecord, JobRecord, JobState, NewItem, NewJob
from production.store.shipments import ShipmentRecord, ShipmentState
from production.store.sqlite import SqliteStore
from production.store.states import TRANSITIONS

__all__ = [
    "TRANSITIONS",
    "AuditEntry",
    "ItemRecord",
    "JobRecord",
    "JobState",
    "JobStore",
    "NewItem",
    "NewJob",
    "ShipmentRecord",
    "ShipmentState",
    "SqliteStore",
]
