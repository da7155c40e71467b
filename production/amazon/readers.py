"""Lenient readers for fields of SP-API answers that are only shown or compared.

Each turns whatever Amazon sent into a plain value (or an empty one) and never raises: an
answer with one odd optional field must not stop a status poll. Fields the shop cannot do
without are checked by the caller, which names the operation in its error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

__all__ = [
    "count",
    "is_number",
    "link",
    "name_key",
    "objects",
    "optional",
    "text",
    "texts",
    "time",
]


def name_key(value: object) -> str:
    """What enum values are compared by: `COMPLETE_PARTIALLED` and `CompletePartialled` agree."""
    return re.sub(r"[^a-z]", "", str(value).lower())


def objects(value: object) -> list[Mapping[str, Any]]:
    """The objects of a list; anything else is no objects."""
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def optional(value: object) -> str | None:
    return text(value) or None


def texts(value: object) -> tuple[str, ...]:
    return tuple(text(v) for v in value if text(v)) if isinstance(value, list) else ()


def count(value: object) -> int:
    """A non-negative whole number, also when written as a string; 0 otherwise."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return max(value, 0)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return 0


def is_number(value: object) -> bool:
    """A whole number, or a string of digits (ids such as `packageNumber`)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())


def time(value: object) -> datetime | None:
    """An ISO 8601 date-time (a missing zone is UTC); None when absent or not one."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def link(value: object) -> str:
    """An http(s) URL or "". The models' examples percent-encode whole links: decoded once."""
    url = text(value)
    if url and "://" not in url and "%3A%2F%2F" in url.upper():
        url = unquote(url).strip()
    return url if url.lower().startswith(("https://", "http://")) else ""
