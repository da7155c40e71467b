"""Looking for buyer data byte by byte: in every file under a folder and every value of a store.

A file is searched as it is on disk and, as its reader would see it, unpacked: every member of a
zip inflated, every stream of a PDF inflated. Words are searched in UTF-8 and UTF-16 (both byte
orders), photos by a 64-byte window, zip digests as the hex text the store keeps.
"""

from __future__ import annotations

import io
import re
import sqlite3
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.retention.buyers import BuyerOrder

_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)


@dataclass(frozen=True)
class Needles:
    """What to look for, each mapped to the order it belongs to."""

    words: dict[bytes, str]
    windows: dict[bytes, str]
    digests: dict[bytes, str]

    @classmethod
    def of(cls, orders: Iterable[BuyerOrder], digests: dict[str, str]) -> Needles:
        orders = list(orders)
        return cls(
            words={w.encode(): o.order_id for o in orders for w in o.words},
            windows={o.window: o.order_id for o in orders},
            digests={d.encode(): order for d, order in digests.items()},
        )

    def _runs(self) -> list[tuple[re.Pattern[bytes], int, int]]:
        # (pattern of candidate runs, offset of the letters, step) per encoding of the words
        shortest = min(map(len, self.words))
        return [
            (re.compile(rb"[a-z]{%d,}" % shortest), 0, 1),
            (re.compile(rb"(?:\x00[a-z]){%d,}" % shortest), 1, 2),  # UTF-16-BE
            (re.compile(rb"(?:[a-z]\x00){%d,}" % shortest), 0, 2),  # UTF-16-LE
        ]

    def find(self, data: bytes) -> set[bytes]:
        """The needles in `data` (words by their UTF-8 form)."""
        found: set[bytes] = set()
        lengths = sorted({len(w) for w in self.words})
        for pattern, offset, step in self._runs():
            for match in pattern.finditer(data):
                letters = match.group()[offset::step]
                for length in lengths:
                    for start in range(len(letters) - length + 1):
                        if letters[start : start + length] in self.words:
                            found.add(letters[start : start + length])
        for match in re.finditer(rb"[0-9a-f]{64,}", data):
            run = match.group()  # a digest may run on into other hex-looking bytes
            found.update(
                run[i : i + 64] for i in range(len(run) - 63) if run[i : i + 64] in self.digests
            )
        found.update(window for window in self.windows if window in data)
        return found

    def owner(self, needle: bytes) -> str:
        return self.words.get(needle) or self.windows.get(needle) or self.digests[needle]


def views(path: Path) -> Iterator[tuple[str, bytes]]:
    """(where, bytes): the file as it is, then whatever is packed inside it, unpacked."""
    data = path.read_bytes()
    yield str(path), data
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for name in archive.namelist():
                    yield f"{path} member {name}", archive.read(name)
        except zipfile.BadZipFile:
            pass
    if data.startswith(b"%PDF-"):
        for number, stream in enumerate(_STREAM.finditer(data)):
            inflated = _inflate(stream.group(1))
            if inflated is not None:
                yield f"{path} stream {number}", inflated


def _inflate(data: bytes) -> bytes | None:
    try:
        return zlib.decompressobj().decompress(data)
    except zlib.error:
        return None


def scan_files(root: Path, needles: Needles) -> dict[bytes, set[str]]:
    """needle → every place under `root` it was found."""
    found: dict[bytes, set[str]] = defaultdict(set)
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        for where, data in views(path):
            for needle in needles.find(data):
                found[needle].add(where)
    return found


def scan_tables(path: Path, needles: Needles) -> dict[bytes, set[str]]:
    """needle → every table column of the SQLite file at `path` it was found in."""
    found: dict[bytes, set[str]] = defaultdict(set)
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in names:
            cursor = db.execute(f'SELECT * FROM "{table}"')
            columns = [d[0] for d in cursor.description]
            for row in cursor:
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    data = value if isinstance(value, bytes) else str(value).encode()
                    for needle in needles.find(data):
                        found[needle].add(f"{path.name} {table}.{column}")
    finally:
        db.close()
    return found
