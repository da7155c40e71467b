"""The job store: order items, their print jobs, the jobs' states and the audit trail.

Everything above sees only `JobStore`, opened by `factory.open_store` (SQLite, the embedded
default, in `sqlite/`). Every state change
follows `states.TRANSITIONS` and is one transaction together with its audit row. Companion
orders (stock items shipped by Amazon's Multi-Channel Fulfillment) are kept beside the jobs.
Order-wide answers (ready to ship, due for purging) and a change count the desk's ETags come
from are kept up to date with every change, so none of them reads the whole history.
"""

from production.store.base import JobStore
from production.store.companions import (
    CompanionOrder,
    CompanionPackage,
    CompanionState,
    NewCompanionOrder,
)
from production.store.labels import LIVE_LABEL_STATES, LabelIntent, LabelRecord, LabelState
from production.store.records import (
    Approval,
    AuditEntry,
    ItemRecord,
    JobRecord,
    JobState,
    NewItem,
    NewJob,
    OrderRecords,
)
from production.store.shipments import ShipmentRecord, ShipmentState
from production.store.states import TRANSITIONS

__all__ = [
    "LIVE_LABEL_STATES",
    "TRANSITIONS",
    "Approval",
    "AuditEntry",
    "CompanionOrder",
    "CompanionPackage",
    "CompanionState",
    "ItemRecord",
    "JobRecord",
    "JobState",
    "JobStore",
    "LabelIntent",
    "LabelRecord",
    "LabelState",
    "NewCompanionOrder",
    "NewItem",
    "NewJob",
    "OrderRecords",
    "ShipmentRecord",
    "ShipmentState",
]
