"""The companion_orders table of the SQLite job store (schema version 4)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from datetime import datetime
from typing import Any

from production.core.errors import StoreError
from production.store.companions import (
    CompanionOrder,
    CompanionPackage,
    CompanionState,
    NewCompanionOrder,
)
from production.store.sqlite.parts import StoreParts
from production.store.sqlite.tables import stamp

__all__ = ["COMPANIONS_SCHEMA", "CompanionTable", "companion_from_row"]

_STATES = ", ".join(f"'{state}'" for state in CompanionState)

COMPANIONS_SCHEMA = (
    f"""CREATE TABLE IF NOT EXISTS companion_orders (
        order_id TEXT NOT NULL,
        batch TEXT NOT NULL,
        seller_fulfillment_order_id TEXT NOT NULL UNIQUE,
        items TEXT NOT NULL,
        order_item_ids TEXT NOT NULL,
        displayable_date TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ({_STATES})),
        attempt INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1),
        amazon_status TEXT,
        message TEXT,
        packages TEXT NOT NULL DEFAULT '[]',
        held_since TEXT,
        warned_at TEXT,
        retries_seen INTEGER NOT NULL DEFAULT 0,
        polled_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (order_id, batch))""",
    "CREATE INDEX IF NOT EXISTS companion_orders_state ON companion_orders (state)",
)

_SELECT = "SELECT * FROM companion_orders"
_ORDER = " ORDER BY created_at, order_id, batch"


class CompanionTable(StoreParts):
    """Companion-order methods of `SqliteStore`, over its transactions and clock."""

    def _now(self) -> datetime:  # provided by SqliteStore
        raise NotImplementedError

    def add_companion_order(self, order: NewCompanionOrder) -> CompanionOrder:
        """Record the companions of a batch in CHECKING; the record already there if any."""
        with self._transaction(order_id=order.order_id) as db:
            now = stamp(self._now())
            db.execute(
                "INSERT INTO companion_orders (order_id, batch, seller_fulfillment_order_id,"
                " items, order_item_ids, displayable_date, state, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (order_id, batch) DO NOTHING",
                (order.order_id, order.batch, order.seller_fulfillment_order_id,
                 json.dumps([list(item) for item in order.items]),
                 json.dumps(list(order.order_item_ids)), stamp(order.displayable_date),
                 CompanionState.CHECKING.value, now, now),
            )  # fmt: skip
            return _one(db, order.order_id, order.batch)

    def save_companion_order(
        self, order: CompanionOrder, *, expect: Collection[CompanionState] | None = None
    ) -> CompanionOrder:
        """Write what may change of a record (state, Amazon's answers, times); `expect` makes
        it a compare-and-set on the state."""
        with self._transaction(order_id=order.order_id) as db:
            current = _one(db, order.order_id, order.batch)
            if expect is not None and current.state not in expect:
                wanted = ", ".join(sorted(str(s) for s in expect)) or "nothing"
                raise StoreError(
                    f"companion order {current.seller_fulfillment_order_id} is {current.state},"
                    f" expected {wanted}",
                    order_id=order.order_id,
                )
            db.execute(
                "UPDATE companion_orders SET seller_fulfillment_order_id = ?, state = ?,"
                " attempt = ?, amazon_status = ?, message = ?, packages = ?, held_since = ?,"
                " warned_at = ?, retries_seen = ?, polled_at = ?, updated_at = ?"
                " WHERE order_id = ? AND batch = ?",
                (order.seller_fulfillment_order_id, order.state.value, order.attempt,
                 order.amazon_status, order.message, _packages_json(order.packages),
                 _optional(order.held_since), _optional(order.warned_at), order.retries_seen,
                 _optional(order.polled_at), stamp(self._now()), order.order_id, order.batch),
            )  # fmt: skip
            return _one(db, order.order_id, order.batch)

    def companion_orders(
        self, *, order_id: str | None = None, states: Collection[CompanionState] | None = None
    ) -> list[CompanionOrder]:
        """Every record, or those of one order, or in these states; oldest first."""
        clauses, args = [], []
        if order_id is not None:
            clauses.append("order_id = ?")
            args.append(order_id)
        if states is not None:
            values = sorted(CompanionState(state).value for state in states)
            clauses.append(f"state IN ({', '.join('?' for _ in values)})")
            args.extend(values)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._read(order_id=order_id) as db:
            rows = db.execute(_SELECT + where + _ORDER, args).fetchall()
        return [companion_from_row(row) for row in rows]

    def companion_order(self, seller_fulfillment_order_id: str) -> CompanionOrder | None:
        with self._read() as db:
            row = db.execute(
                _SELECT + " WHERE seller_fulfillment_order_id = ?", (seller_fulfillment_order_id,)
            ).fetchone()
        return None if row is None else companion_from_row(row)


def _one(db: sqlite3.Connection, order_id: str, batch: str) -> CompanionOrder:
    row = db.execute(_SELECT + " WHERE order_id = ? AND batch = ?", (order_id, batch)).fetchone()
    if row is None:
        raise StoreError(
            f"no companion order {batch or 'of the order'} recorded", order_id=order_id
        )
    return companion_from_row(row)


def companion_from_row(row: sqlite3.Row) -> CompanionOrder:
    return CompanionOrder(
        order_id=row["order_id"],
        batch=row["batch"],
        seller_fulfillment_order_id=row["seller_fulfillment_order_id"],
        items=tuple((str(sku), int(quantity)) for sku, quantity in json.loads(row["items"])),
        order_item_ids=tuple(str(item) for item in json.loads(row["order_item_ids"])),
        displayable_date=datetime.fromisoformat(row["displayable_date"]),
        state=CompanionState(row["state"]),
        attempt=row["attempt"],
        amazon_status=row["amazon_status"],
        message=row["message"],
        packages=tuple(_package(raw) for raw in json.loads(row["packages"])),
        held_since=_time(row["held_since"]),
        warned_at=_time(row["warned_at"]),
        retries_seen=row["retries_seen"],
        polled_at=_time(row["polled_at"]),
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


def _package(raw: dict[str, Any]) -> CompanionPackage:
    return CompanionPackage(
        number=int(raw["number"]),
        carrier=str(raw["carrier"]),
        tracking_number=raw.get("tracking_number"),
        status=str(raw.get("status") or "UNKNOWN"),
        tracking_link=raw.get("tracking_link"),
        proof_of_delivery=bool(raw.get("proof_of_delivery")),
    )


def _packages_json(packages: tuple[CompanionPackage, ...]) -> str:
    return json.dumps(
        [
            {
                "number": p.number,
                "carrier": p.carrier,
                "tracking_number": p.tracking_number,
                "status": p.status,
                "tracking_link": p.tracking_link,
                "proof_of_delivery": p.proof_of_delivery,
            }
            for p in packages
        ]
    )


def _optional(moment: datetime | None) -> str | None:
    return None if moment is None else stamp(moment)


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
