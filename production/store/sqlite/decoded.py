"""Records decoded from rows once: the desk reads the same few thousand rows at every change.

A row's values are the whole of what its record is made from, so a record kept under those
values is exactly the record decoding them again would give. A board of 300 ready orders is
about 2,000 rows of items, jobs and packages; decoding them (times, JSON, enums) was most of
the board's queries.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["DecodedRows"]

T = TypeVar("T")
_KEPT = 20_000  # rows remembered per table: several boards' worth, a few MiB


class DecodedRows(Generic[T]):
    """`decode(row)` for one table's `SELECT *` rows, remembering the latest ones."""

    def __init__(self, decode: Callable[[sqlite3.Row], T], *, kept: int = _KEPT) -> None:
        self._decode = decode
        self._kept: OrderedDict[tuple[object, ...], T] = OrderedDict()
        self._size = kept
        self._lock = threading.Lock()

    def __call__(self, row: sqlite3.Row) -> T:
        key = tuple(row)
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found
        record = self._decode(row)
        with self._lock:
            self._kept[key] = record
            if len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return record
