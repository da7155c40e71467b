"""The labels table of the SQLite job store: shipping labels bought through Amazon.

A partial unique index allows one record per package that is not voided, so two live labels
for one package cannot be written, whatever two processes try at once. A label bought ships
its package's printed jobs in the same transaction; one voided because the order was
cancelled cancels them in the same transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Sequence
from datetime import datetime
from decimal import Decimal

from production.core.errors import StoreError
from production.store.labels import LIVE_LABEL_STATES, LabelIntent, LabelRecord, LabelState
from production.store.records import JobState
from production.store.sqlite.parts import StoreParts
from production.store.sqlite.tables import job_from_row, stamp

__all__ = ["LABELS_SCHEMA", "LabelTable", "label_from_row"]

_STATES = ", ".join(f"'{state}'" for state in LabelState)
LABELS_SCHEMA = (
    f"""CREATE TABLE IF NOT EXISTS labels (
        label_id INTEGER PRIMARY KEY AUTOINCREMENT,
        order_id TEXT NOT NULL,
        package_ref TEXT NOT NULL CHECK (CAST(package_ref AS INTEGER) > 0),
        items TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ({_STATES})),
        intent TEXT,
        shipment_id TEXT,
        tracking TEXT,
        message TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS labels_order ON labels (order_id)",
    "CREATE INDEX IF NOT EXISTS labels_state ON labels (state)",
    # One label per package that is not voided: never two labels for one package.
    "CREATE UNIQUE INDEX IF NOT EXISTS labels_package ON labels (order_id, package_ref)"
    " WHERE state != 'voided'",
)
_REPLANNABLE = (LabelState.PLANNED, LabelState.HELD, LabelState.REFUSED)


class LabelTable(StoreParts):
    """Label methods of `SqliteStore`, over its transactions and clock."""

    def _now(self) -> datetime:  # provided by SqliteStore
        raise NotImplementedError

    def plan_labels(
        self, order_id: str, packages: Sequence[Sequence[tuple[str, int]]]
    ) -> list[LabelRecord]:
        """The order's packages, numbered 1, 2…; replaces a plan with no label bought yet."""
        with self._transaction(order_id=order_id) as db:
            rows = _rows(db, order_id)
            live = [row for row in rows if LabelState(row["state"]) in LIVE_LABEL_STATES]
            if live:
                refs = ", ".join(row["package_ref"] for row in live)
                raise StoreError(
                    f"package {refs} of this order has a label: void it before re-planning",
                    order_id=order_id,
                )
            db.execute(
                "DELETE FROM labels WHERE order_id = ? AND state IN (?, ?, ?)",
                (order_id, *(state.value for state in _REPLANNABLE)),
            )
            now = stamp(self._now())
            for number, items in enumerate(packages, start=1):
                db.execute(
                    "INSERT INTO labels (order_id, package_ref, items, state, created_at,"
                    " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (order_id, str(number), _items_text(items), LabelState.PLANNED.value, now,
                     now),
                )  # fmt: skip
            return [label_from_row(row) for row in _rows(db, order_id) if _open(row)]

    def replan_label(self, label_id: int) -> LabelRecord:
        """A new record for the package of a voided label (a damaged label bought again)."""
        with self._transaction() as db:
            old = _one(db, label_id)
            if LabelState(old["state"]) is not LabelState.VOIDED:
                raise StoreError(
                    f"package {old['package_ref']}'s label is {old['state']}, not voided",
                    order_id=old["order_id"],
                )
            now = stamp(self._now())
            cursor = db.execute(
                "INSERT INTO labels (order_id, package_ref, items, state, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (old["order_id"], old["package_ref"], old["items"], LabelState.PLANNED.value,
                 now, now),
            )  # fmt: skip
            assert cursor.lastrowid is not None
            return label_from_row(_one(db, cursor.lastrowid))

    def record_label_intent(self, label_id: int, intent: LabelIntent) -> LabelRecord:
        """BUYING with what the purchase is made with; committed before Amazon is called."""
        with self._transaction() as db:
            row = _one(db, label_id)
            if LabelState(row["state"]) not in _REPLANNABLE:
                raise StoreError(
                    f"package {row['package_ref']}'s label is {row['state']}: not bought again",
                    order_id=row["order_id"],
                )
            db.execute(
                "UPDATE labels SET state = ?, intent = ?, message = NULL, updated_at = ?"
                " WHERE label_id = ?",
                (LabelState.BUYING.value, _intent_text(intent), stamp(self._now()), label_id),
            )
            return label_from_row(_one(db, label_id))

    def finish_label(
        self,
        label_id: int,
        *,
        state: LabelState,
        expect: Collection[LabelState],
        message: str | None = None,
        shipment_id: str | None = None,
        tracking: str | None = None,
        jobs_to: JobState | None = None,
        reason: str = "",
    ) -> LabelRecord:
        """Move a label on from one of `expect`; `jobs_to` SHIPPED ships its printed jobs, and
        CANCELLED cancels its shipped ones, in the same transaction."""
        with self._transaction() as db:
            row = _one(db, label_id)
            if LabelState(row["state"]) not in expect:
                raise StoreError(
                    f"package {row['package_ref']}'s label is {row['state']}, not"
                    f" {' or '.join(sorted(expect))}",
                    order_id=row["order_id"],
                )
            keep_intent = state is not LabelState.PLANNED  # back to planned: a new purchase
            db.execute(
                "UPDATE labels SET state = ?, message = ?, shipment_id = COALESCE(?, shipment_id),"
                " tracking = COALESCE(?, tracking), intent = CASE WHEN ? THEN intent END,"
                " updated_at = ? WHERE label_id = ?",
                (state.value, message, shipment_id, tracking, keep_intent, stamp(self._now()),
                 label_id),
            )  # fmt: skip
            if jobs_to is not None:
                self._move_jobs(db, row, jobs_to, reason)
            return label_from_row(_one(db, label_id))

    def labels(
        self, *, order_id: str | None = None, states: Collection[LabelState] | None = None
    ) -> list[LabelRecord]:
        clauses, args = [], []
        if order_id is not None:
            clauses.append("order_id = ?")
            args.append(order_id)
        if states is not None:
            values = sorted(LabelState(state).value for state in states)
            clauses.append(f"state IN ({', '.join('?' for _ in values)})")
            args.extend(values)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._read(order_id=order_id) as db:
            rows = db.execute(f"SELECT * FROM labels{where} ORDER BY label_id", args).fetchall()
        return [label_from_row(row) for row in rows]

    def _move_jobs(
        self, db: sqlite3.Connection, row: sqlite3.Row, to: JobState, reason: str
    ) -> None:
        items = {item for item, _ in json.loads(row["items"])}
        source = JobState.PRINTED if to is JobState.SHIPPED else JobState.SHIPPED
        jobs = db.execute(
            "SELECT * FROM jobs WHERE order_id = ? AND state = ? ORDER BY created_at, job_id",
            (row["order_id"], source.value),
        ).fetchall()
        for job_row in jobs:
            job = job_from_row(job_row)
            if job.order_item_id in items:
                self._change(db, job, to, reason=reason, expect={source})


def label_from_row(row: sqlite3.Row) -> LabelRecord:
    return LabelRecord(
        label_id=int(row["label_id"]),
        order_id=row["order_id"],
        package_ref=row["package_ref"],
        items=tuple((str(item), int(qty)) for item, qty in json.loads(row["items"])),
        state=LabelState(row["state"]),
        intent=_intent(row["intent"]),
        shipment_id=row["shipment_id"],
        tracking=row["tracking"],
        message=row["message"],
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


def _rows(db: sqlite3.Connection, order_id: str) -> list[sqlite3.Row]:
    return db.execute(
        "SELECT * FROM labels WHERE order_id = ? ORDER BY label_id", (order_id,)
    ).fetchall()


def _one(db: sqlite3.Connection, label_id: int) -> sqlite3.Row:
    row: sqlite3.Row | None = db.execute(
        "SELECT * FROM labels WHERE label_id = ?", (label_id,)
    ).fetchone()
    if row is None:
        raise StoreError(f"no label {label_id} in the job store")
    return row


def _open(row: sqlite3.Row) -> bool:
    return LabelState(row["state"]) is not LabelState.VOIDED


def _items_text(items: Sequence[tuple[str, int]]) -> str:
    return json.dumps([[item, quantity] for item, quantity in items])


def _intent_text(intent: LabelIntent) -> str:
    fields = {
        "request_token": intent.request_token,
        "rate_id": intent.rate_id,
        "idempotency_key": intent.idempotency_key,
        "carrier_id": intent.carrier_id,
        "carrier": intent.carrier,
        "service": intent.service,
        "cost": str(intent.cost),
        "currency": intent.currency,
        "label_format": intent.label_format,
        "dpi": intent.dpi,
    }
    return json.dumps(fields)


def _intent(text: str | None) -> LabelIntent | None:
    if text is None:
        return None
    fields = json.loads(text)
    return LabelIntent(
        request_token=fields["request_token"],
        rate_id=fields["rate_id"],
        idempotency_key=fields["idempotency_key"],
        carrier_id=fields["carrier_id"],
        carrier=fields["carrier"],
        service=fields["service"],
        cost=Decimal(fields["cost"]),
        currency=fields["currency"],
        label_format=fields["label_format"],
        dpi=int(fields["dpi"]),
    )
