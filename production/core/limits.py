"""Budgets for everything a customization zip holds, and the checks that enforce them cheaply.

Amazon's own inputs are small: a text box takes at most 99 characters (50 for a text the buyer
places freely), a surface at most 5 text boxes, and its SVG has a few dozen elements in a 400×400
design space. Every default below is far above that, so no real order comes near one, while a
hostile or broken zip (a million characters to outline for the laser, a million SVG elements, a
matrix of 1e309) is refused before anything is drawn, in one line naming the limit and the key
of `[limits]` in shop.toml that raises it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DEFAULT_LIMITS",
    "LIMIT_KEYS",
    "ZipLimits",
    "finite_within",
    "json_depth",
    "over_limit",
]


@dataclass(frozen=True, slots=True)
class ZipLimits:
    """Bounds that keep a hostile zip from exhausting memory or time."""

    max_members: int = 200
    max_member_bytes: int = 80 * 1024 * 1024  # a 24-megapixel PNG stays well under this
    max_total_bytes: int = 300 * 1024 * 1024
    max_ratio: float = 100.0  # photos barely compress; only a bomb inflates 100×
    ratio_floor_bytes: int = 1024 * 1024  # small members (JSON, SVG) may compress well
    # Amazon: 99 characters a text box, 5 boxes a surface; 10× that and more.
    max_text_chars: int = 1_000
    max_surface_chars: int = 5_000
    max_document_bytes: int = 4 * 1024 * 1024  # the JSON or XML: Amazon's are a few KB
    max_document_depth: int = 100  # nested objects and arrays: Amazon's stay under 20
    max_svg_elements: int = 10_000  # Amazon's SVGs have a few dozen
    max_svg_depth: int = 64  # nested elements: Fabric.js writes 4 or 5
    max_path_chars: int = 100_000  # one path's data (`d`, `points`): Fabric.js writes none
    # Numbers in the design (preview units, 400×400 in all): beyond these nothing prints.
    max_scale: float = 10_000.0  # a transform growing or shrinking more than this
    max_font_size: float = 1_000.0
    max_coordinate: float = 100_000.0  # positions and sizes, either sign
    # What rendering one item may cost, whatever slipped past the budgets above: a real item
    # renders in well under a second and a few tens of MiB (a 250-megapixel photo included).
    render_seconds: float = 60.0
    render_memory_mib: int = 1024  # beyond what the renderer holds loaded before it starts


DEFAULT_LIMITS = ZipLimits()

LIMIT_KEYS = {
    "max_members": "members_per_zip",
    "max_text_chars": "characters_per_text",
    "max_surface_chars": "characters_per_surface",
    "max_document_bytes": "document_bytes",
    "max_document_depth": "document_depth",
    "max_svg_elements": "elements_per_svg",
    "max_svg_depth": "svg_depth",
    "max_path_chars": "path_characters",
    "max_scale": "largest_scale",
    "max_font_size": "largest_font_size",
    "max_coordinate": "largest_coordinate",
    "render_seconds": "render_seconds",
    "render_memory_mib": "render_memory_mib",
}
"""The `[limits]` key in shop.toml of each field a shop may change."""


def over_limit(what: str, field: str, limits: ZipLimits) -> str:
    """`<what>, over the limit of N (characters_per_text in shop.toml [limits])`."""
    value = getattr(limits, field)
    shown = f"{value:,}" if isinstance(value, int) else f"{value:,g}"
    return f"{what}, over the limit of {shown} ({LIMIT_KEYS[field]} in shop.toml [limits])"


def json_depth(data: Any, limit: int) -> int | None:
    """The nesting of parsed JSON if it is deeper than `limit`, else None (no recursion)."""
    stack: list[tuple[Iterable[Any], int]] = [((data,), 0)]
    while stack:
        values, depth = stack.pop()
        for value in values:
            if isinstance(value, dict | list):
                if depth + 1 > limit:
                    return depth + 1
                stack.append((value.values() if isinstance(value, dict) else value, depth + 1))
    return None


def finite_within(value: float, bound: float) -> bool:
    """Whether `value` is a real number no further from zero than `bound`."""
    return math.isfinite(value) and abs(value) <= bound
