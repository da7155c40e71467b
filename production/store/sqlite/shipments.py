"""The shipments table of the SQLite job store."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Sequence
from datetime import datetime

from production.core.errors import StoreError
from production.store.shipments import ShipmentRecord, ShipmentState
from production.store.sqlite.parts import StoreParts
from production.store.sqlite.tables import stamp

__all__ = ["SHIPMENTS_SCHEMA", "ShipmentTable", "shipment_from_row"]

SHIPMENTS_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS shipments (
        order_id TEXT NOT NULL,
        package_ref TEXT NOT NULL CHECK (CAST(package_ref AS INTEGER) > 0),
        carrier TEXT NOT NULL,
        tracking TEXT NOT NULL,
        ship_date TEXT NOT NULL,
        items TEXT NOT NULL,
        state TEXT NOT NULL,
        message TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (order_id, package_ref))""",
)


class ShipmentTable(StoreParts):
    """Shipment methods of `SqliteStore`, over its transactions and clock."""

    def _now(self) -> datetime:  # provided by SqliteStore
        raise NotImplementedError

    def add_shipment(
        self,
        order_id: str,
        *,
        carrier: str,
        tracking: str,
        ship_date: datetime,
        items: Sequence[tuple[str, int]],
        package_ref: str | None = None,
    ) -> ShipmentRecord:
        """Record a package before it is confirmed; the same tracking number is the same package."""
        with self._transaction(order_id=order_id) as db:
            rows = db.execute("SELECT * FROM shipments WHERE order_id = ?", (order_id,)).fetchall()
            for row in rows:
                if row["tracking"] == tracking and package_ref in (None, row["package_ref"]):
                    return shipment_from_row(row)
            refs = [int(row["package_ref"]) for row in rows]
            if package_ref is None:
                package_ref = str(max(refs, default=0) + 1)
            elif not package_ref.isdigit() or int(package_ref) <= 0:
                raise StoreError(
                    f"package reference {package_ref!r} is not a positive number",
                    order_id=order_id,
                )
            elif int(package_ref) in refs:
                raise StoreError(
                    f"package {package_ref} of this order has another tracking number",
                    order_id=order_id,
                )
            now = _stamp(self._now())
            db.execute(
                "INSERT INTO shipments (order_id, package_ref, carrier, tracking, ship_date,"
                " items, state, message, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
                (order_id, package_ref, carrier, tracking, _stamp(ship_date),
                 json.dumps([list(pair) for pair in items]), ShipmentState.PENDING.value, now, now),
            )  # fmt: skip
            row = db.execute(
                "SELECT * FROM shipments WHERE order_id = ? AND package_ref = ?",
                (order_id, package_ref),
            ).fetchone()
            return shipment_from_row(row)

    def finish_shipment(
        self, order_id: str, package_ref: str, *, state: ShipmentState, message: str | None = None
    ) -> ShipmentRecord:
        with self._transaction(order_id=order_id) as db:
            cursor = db.execute(
                "UPDATE shipments SET state = ?, message = ?, updated_at = ?"
                " WHERE order_id = ? AND package_ref = ?",
                (state.value, message, _stamp(self._now()), order_id, package_ref),
            )
            if cursor.rowcount != 1:
                raise StoreError(f"no package {package_ref} for this order", order_id=order_id)
            row = db.execute(
                "SELECT * FROM shipments WHERE order_id = ? AND package_ref = ?",
                (order_id, package_ref),
            ).fetchone()
            return shipment_from_row(row)

    def shipments(self, *, order_id: str | None = None) -> list[ShipmentRecord]:
        with self._read(order_id=order_id) as db:
            if order_id is None:
                rows = db.execute("SELECT * FROM shipments ORDER BY created_at").fetchall()
            else:
                rows = db.execute(
                    "SELECT * FROM shipments WHERE order_id = ? ORDER BY created_at", (order_id,)
                ).fetchall()
        return [shipment_from_row(row) for row in rows]

    def recent_shipments(
        self,
        *,
        limit: int,
        since: datetime | None = None,
        states: Collection[ShipmentState] | None = None,
    ) -> list[ShipmentRecord]:
        """The packages changed last, newest first: through the index on `updated_at`, so the
        desk reads `limit` rows however many packages the shop has sent."""
        clauses, args = [], []
        if since is not None:
            clauses.append("updated_at >= ?")
            args.append(_stamp(since))
        if states is not None:
            values = sorted(ShipmentState(state).value for state in states)
            clauses.append(f"state IN ({', '.join('?' for _ in values)})")
            args.extend(values)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._read() as db:
            rows = db.execute(
                f"SELECT * FROM shipments{where}"
                " ORDER BY updated_at DESC, order_id DESC, package_ref DESC LIMIT ?",
                (*args, limit),
            ).fetchall()
        return [shipment_from_row(row) for row in rows]


def shipment_from_row(row: sqlite3.Row) -> ShipmentRecord:
    return ShipmentRecord(
        order_id=row["order_id"],
        package_ref=row["package_ref"],
        carrier=row["carrier"],
        tracking=row["tracking"],
        ship_date=datetime.fromisoformat(row["ship_date"]),
        items=tuple((str(item), int(qty)) for item, qty in json.loads(row["items"])),
        state=ShipmentState(row["state"]),
        message=row["message"],
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


def _stamp(moment: datetime) -> str:
    return stamp(moment)
