"""The bytes Amazon writes: Jackson-style JSON, its generic XML twin, and a deterministic zip.

Amazon's XML lists each object's keys in `java.util.HashMap` iteration order; `hashmap_order`
reproduces it (checked against all 24 reference XML files).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable

ZIP_DATE = (2026, 1, 15, 9, 30, 0)


def sample_uuid(*parts: str) -> str:
    """A lower-case 8-4-4-4-12 hex id derived from `parts` (as random-looking as Amazon's)."""
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def jackson_json(data: object) -> bytes:
    """Jackson's default pretty printer: `"key" : value`, two-space indent, no final newline."""
    return json.dumps(data, indent=2, separators=(",", " : "), ensure_ascii=False).encode()


def python_json(data: object) -> bytes:
    """The 2018 files' layout: `"key": value`, two-space indent."""
    return json.dumps(data, indent=2, ensure_ascii=False).encode()


def _java_hash(key: str) -> int:
    h = 0
    units = key.encode("utf-16-be")
    for i in range(0, len(units), 2):
        h = (31 * h + int.from_bytes(units[i : i + 2], "big")) & 0xFFFFFFFF
    return h ^ (h >> 16)


def hashmap_order(keys: Iterable[str]) -> list[str]:
    """Iteration order of a `java.util.HashMap` filled with `keys` in this order."""
    keys = list(keys)
    capacity = 16
    while len(keys) > capacity * 0.75:
        capacity *= 2
    buckets: dict[int, list[str]] = {}
    for key in keys:
        buckets.setdefault(_java_hash(key) & (capacity - 1), []).append(key)
    return [key for bucket in sorted(buckets) for key in buckets[bucket]]


def _xml_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )


def _xml_scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)  # Java's Double.toString agrees for these magnitudes ("0.0", "3.88")
    return _xml_escape(str(value))


def _xml_element(name: str, value: object, out: list[str]) -> None:
    if isinstance(value, list):
        for item in value:
            _xml_element(name, item, out)
    elif isinstance(value, dict):
        out.append(f"<{name}>")
        for key in hashmap_order(value):
            _xml_element(key, value[key], out)
        out.append(f"</{name}>")
    else:
        text = _xml_scalar(value)
        out.append(f"<{name}>{text}</{name}>" if text else f"<{name}/>")


def amazon_xml(data: dict[str, object]) -> bytes:
    """The generic serialization: root `<data>`, one line, no declaration, arrays repeated."""
    out: list[str] = []
    _xml_element("data", data, out)
    return "".join(out).encode()


def write_zip(members: list[tuple[str, bytes]]) -> bytes:
    """A flat zip with fixed timestamps and attributes, so equal members give equal bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever machine writes it
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()
