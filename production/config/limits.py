"""`[limits]` in shop.toml: the budgets every customization zip is held to (`ZipLimits`).

Each key raises or lowers one budget; a missing key keeps its default, which no real Amazon
order comes near (`production.core.limits` says why each is what it is).
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from production.config.schema import Table
from production.core.limits import DEFAULT_LIMITS, LIMIT_KEYS, ZipLimits

__all__ = ["LIMITS_KEYS", "parse_limits"]

LIMITS_KEYS = frozenset(LIMIT_KEYS.values())
_FIELDS = {key: field for field, key in LIMIT_KEYS.items()}
_INTEGER = {field.name for field in fields(ZipLimits) if field.type == "int"}


def parse_limits(file: Table) -> ZipLimits:
    """The shop's budgets: the defaults, with what `[limits]` changes."""
    table = file.table("limits", LIMITS_KEYS)
    if table is None:
        return DEFAULT_LIMITS
    changed: dict[str, Any] = {}
    for key, field in _FIELDS.items():
        if key not in table:
            continue
        if field in _INTEGER:
            changed[field] = table.integer(key, minimum=1)
        else:
            changed[field] = table.number(key, positive=True)
    if changed.get("max_scale", 2.0) < 1:
        raise table.error("largest_scale must be at least 1")
    return replace(DEFAULT_LIMITS, **changed)
