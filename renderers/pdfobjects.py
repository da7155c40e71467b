"""A reader of plain PDF files: objects by number through a classic cross-reference table.

Every print file is read back once to check its PDF/X claim (`renderers.pdfx`). The files this
project writes are plain: reportlab's objects are written as text, found through an `xref`
table, with nothing in object or cross-reference streams. Such a file needs no PDF library to
be read: this finds an object by its offset and parses its dictionaries and arrays; a stream's
data is never read. Importing pikepdf took longer than a photo's whole check, and its own copy
of a 30 MB file is memory a render worker has not got to spare.

A file outside that (a cross-reference stream, an offset that does not lead to its object)
raises `Unreadable`; whoever asked reads it with a full PDF library then.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["PlainPdf", "Ref", "Unreadable"]


class Unreadable(ValueError):
    """The file is not one this reader knows: read it with a PDF library."""


@dataclass(frozen=True, slots=True)
class Ref:
    """An indirect reference, `number generation R`."""

    number: int
    generation: int


_SPACE = re.compile(rb"(?:[\x00\t\n\x0c\r ]|%[^\r\n]*)*")
_REF = re.compile(
    rb"(\d+)[\x00\t\n\x0c\r ]+(\d+)[\x00\t\n\x0c\r ]+R(?![^\x00\t\n\x0c\r ()<>\[\]{}/%])"
)
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)")
_NAME = re.compile(rb"/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*")
_KEYWORD = re.compile(rb"[A-Za-z]+")
_HEX = re.compile(rb"<[0-9A-Fa-f\x00\t\n\x0c\r ]*>")
_OBJ = re.compile(rb"(\d+)[\x00\t\n\x0c\r ]+(\d+)[\x00\t\n\x0c\r ]+obj")
_STARTXREF = re.compile(rb"startxref[\x00\t\n\x0c\r ]+(\d+)")
_SUBSECTION = re.compile(rb"(\d+) (\d+)[\x00\t\n\x0c\r ]+")
_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_KEYWORDS: dict[bytes, Any] = {b"true": True, b"false": False, b"null": None}


class PlainPdf:
    """The objects of a plain PDF file: `trailer`, `get` by reference, `resolve` any value.

    Names are str with their slash ("/Font"), strings bytes, arrays lists, dictionaries dicts
    keyed by name; a stream is its dictionary.
    """

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._offsets: dict[int, int] = {}
        self._cache: dict[int, Any] = {}
        found = [m.group(1) for m in _STARTXREF.finditer(data, max(len(data) - 1024, 0))]
        if not found:
            raise Unreadable("no startxref")
        self.trailer: dict[str, Any] = self._read_xref(int(found[-1]))

    def get(self, ref: Ref) -> Any:
        if ref.number not in self._cache:
            self._cache[ref.number] = self._object(ref)
        return self._cache[ref.number]

    def resolve(self, value: Any) -> Any:
        """The value, its reference followed (a chain of them too)."""
        seen = 0
        while isinstance(value, Ref):
            value = self.get(value)
            seen += 1
            if seen > 32:
                raise Unreadable("a loop of references")
        return value

    def _read_xref(self, offset: int) -> dict[str, Any]:
        trailer: dict[str, Any] | None = None
        visited: set[int] = set()
        while offset not in visited:
            visited.add(offset)
            if not self.data.startswith(b"xref", offset):
                raise Unreadable("a cross-reference stream, not a table")
            at = _SPACE.match(self.data, offset + 4).end()  # type: ignore[union-attr]
            while (section := _SUBSECTION.match(self.data, at)) is not None:
                first, count = int(section.group(1)), int(section.group(2))
                at = section.end()
                for number in range(first, first + count):
                    entry = _ENTRY.match(self.data, at)
                    if entry is None:
                        raise Unreadable("a damaged cross-reference table")
                    if entry.group(3) == b"n" and number not in self._offsets:
                        self._offsets[number] = int(entry.group(1))
                    at = _SPACE.match(self.data, entry.end()).end()  # type: ignore[union-attr]
            if not self.data.startswith(b"trailer", at):
                raise Unreadable("no trailer after the cross-reference table")
            part, _ = self._value(at + len(b"trailer"))
            if not isinstance(part, dict) or "/XRefStm" in part:
                raise Unreadable("a hybrid cross-reference")
            trailer = trailer if trailer is not None else part
            previous = part.get("/Prev")
            if not isinstance(previous, int):
                break
            offset = previous
        assert trailer is not None
        return trailer

    def _object(self, ref: Ref) -> Any:
        offset = self._offsets.get(ref.number)
        if offset is None:
            return None  # a reference to a missing object is null (ISO 32000-1 §7.3.10)
        head = _OBJ.match(self.data, offset)
        if head is None or int(head.group(1)) != ref.number:
            raise Unreadable(f"object {ref.number} is not where the table says")
        value, _ = self._value(head.end())
        return value

    def _value(self, at: int) -> tuple[Any, int]:
        data = self.data
        at = _SPACE.match(data, at).end()  # type: ignore[union-attr]
        if data.startswith(b"<<", at):
            return self._dictionary(at + 2)
        first = data[at : at + 1]
        if first == b"[":
            return self._array(at + 1)
        if first == b"/":
            name = _NAME.match(data, at)
            assert name is not None
            return _name(name.group()), name.end()
        if first == b"(":
            return self._string(at)
        if first == b"<":
            hex_string = _HEX.match(data, at)
            if hex_string is None:
                raise Unreadable("a damaged hex string")
            return bytes.fromhex(hex_string.group()[1:-1].decode()), hex_string.end()
        if (ref := _REF.match(data, at)) is not None:
            return Ref(int(ref.group(1)), int(ref.group(2))), ref.end()
        if (number := _NUMBER.match(data, at)) is not None:
            text = number.group()
            return (float(text) if b"." in text else int(text)), number.end()
        if (word := _KEYWORD.match(data, at)) is not None and word.group() in _KEYWORDS:
            return _KEYWORDS[word.group()], word.end()
        raise Unreadable(f"an unknown token at offset {at}")

    def _dictionary(self, at: int) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        while True:
            at = _SPACE.match(self.data, at).end()  # type: ignore[union-attr]
            if self.data.startswith(b">>", at):
                return result, at + 2
            key, at = self._value(at)
            if not isinstance(key, str):
                raise Unreadable("a dictionary key that is not a name")
            result[key], at = self._value(at)

    def _array(self, at: int) -> tuple[list[Any], int]:
        result: list[Any] = []
        while True:
            at = _SPACE.match(self.data, at).end()  # type: ignore[union-attr]
            if self.data.startswith(b"]", at):
                return result, at + 1
            value, at = self._value(at)
            result.append(value)

    def _string(self, at: int) -> tuple[bytes, int]:
        """A literal string, as it is written (its escapes kept): only ever skipped here."""
        depth, start, at = 0, at, at
        data, end = self.data, len(self.data)
        while at < end:
            byte = data[at]
            if byte == 0x5C:  # backslash: the next byte is escaped
                at += 2
                continue
            if byte == 0x28:
                depth += 1
            elif byte == 0x29:
                depth -= 1
                if depth == 0:
                    return data[start + 1 : at], at + 1
            at += 1
        raise Unreadable("an unterminated string")


def _name(raw: bytes) -> str:
    return _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")
