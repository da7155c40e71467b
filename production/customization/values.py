"""Typed access to loosely shaped JSON (or XML turned into JSON), with errors that name the path.

The XML backup has no types (numbers are strings, a one-element array looks like an object),
so every accessor here accepts both spellings.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from production.core.errors import CustomizationError
from production.core.geometry import Box, Point, Size
from production.core.limits import DEFAULT_LIMITS, ZipLimits, finite_within, over_limit
from production.core.model import Color

__all__ = ["Shape", "as_list", "brief_path", "split_lines"]

_HEX3 = re.compile(r"^#?([0-9a-fA-F]{3})$")
_HEX6 = re.compile(r"^#?([0-9a-fA-F]{6})$")
_STEP = re.compile(r"\.children\[\d+\]")
_SHOWN_STEPS = 2  # of a deep path, the last steps shown after its depth
_RGB = re.compile(r"^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,\s*[\d.]+\s*)?\)$")


def as_list(value: Any) -> list[Any]:
    """A JSON array, or the single object the XML backup writes for a one-element array."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    return [value]


def split_lines(text: str) -> tuple[str, ...]:
    """The lines of a buyer's text, whatever line ends the browser sent."""
    return tuple(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


class Shape:
    """Reads values out of a parsed document and reports shape problems for one order item."""

    def __init__(
        self,
        *,
        item_id: str | None,
        source: str,
        document: str,
        limits: ZipLimits = DEFAULT_LIMITS,
    ) -> None:
        self.item_id = item_id
        self.source = source
        self.document = document  # "JSON", "XML", ... as named in messages
        self.limits = limits

    def error(self, path: str, problem: str) -> CustomizationError:
        return CustomizationError(
            f"{self.document} {brief_path(path)} {problem}",
            item_id=self.item_id,
            source=self.source,
        )

    def coordinate(self, value: Any, path: str) -> float:
        """A position or size in preview units: finite, and within `max_coordinate`."""
        number = self.number(value, path)
        if not finite_within(number, self.limits.max_coordinate):
            raise self.error(path, over_limit(f"is {number:g}", "max_coordinate", self.limits))
        return number

    def obj(self, value: Any, path: str) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        if value == "" or value is None:
            return {}
        raise self.error(path, f"should be an object, found {_kind(value)}")

    def text(self, value: Any, path: str, *, default: str = "") -> str:
        if value is None:
            return default
        if isinstance(value, str):
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(path, f"should be text, found {_kind(value)}")
        return str(value)

    def optional_text(self, value: Any, path: str) -> str | None:
        text = self.text(value, path)
        return text or None

    def number(self, value: Any, path: str) -> float:
        if isinstance(value, bool) or value is None:
            raise self.error(path, "is missing" if value is None else "should be a number")
        if isinstance(value, int | float):
            result = float(value)
        elif isinstance(value, str):
            try:
                result = float(value.strip())
            except ValueError:
                raise self.error(path, "should be a number") from None
        else:
            raise self.error(path, f"should be a number, found {_kind(value)}")
        if not math.isfinite(result):
            raise self.error(path, "should be a finite number")
        return result

    def scale(self, value: Any, path: str) -> float:
        """A scale factor: positive, neither growing nor shrinking more than `max_scale`."""
        number = self.number(value, path)
        if number <= 0:
            raise self.error(path, "should be positive")
        bound = self.limits.max_scale
        if not 1 / bound <= number <= bound:
            raise self.error(path, over_limit(f"is {number:g}", "max_scale", self.limits))
        return number

    def integer(self, value: Any, path: str, *, default: int | None = None) -> int:
        if value is None and default is not None:
            return default
        number = self.number(value, path)
        if number != int(number):
            raise self.error(path, "should be a whole number")
        return int(number)

    def decimal(self, value: Any, path: str) -> Decimal | None:
        if value is None or value == "":
            return None
        self.number(value, path)  # rejects booleans, objects, NaN
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            raise self.error(path, "should be an amount") from None

    def point(self, value: Any, path: str) -> Point:
        data = self.obj(value, path)
        return Point(
            self.coordinate(data.get("x"), f"{path}.x"),
            self.coordinate(data.get("y"), f"{path}.y"),
        )

    def size(self, value: Any, path: str) -> Size:
        data = self.obj(value, path)
        width = self.coordinate(data.get("width"), f"{path}.width")
        height = self.coordinate(data.get("height"), f"{path}.height")
        if width < 0 or height < 0:
            raise self.error(path, "has a negative size")
        return Size(width, height)

    def box(self, position: Any, dimension: Any, path: str, *, capital: bool = False) -> Box:
        p_key, d_key = ("Position", "Dimensions") if capital else ("position", "dimension")
        origin = self.point(position, f"{path}.{p_key}")
        size = self.size(dimension, f"{path}.{d_key}")
        return Box(origin.x, origin.y, size.width, size.height)

    def color(self, value: Any, path: str, *, name: str | None = None) -> Color | None:
        text = self.text(value, path).strip()
        if not text:
            return None
        parsed = parse_color(text)
        if parsed is None:
            raise self.error(path, "is not a colour Amazon writes (#rgb, #rrggbb or rgb(r,g,b))")
        return Color(parsed, name or None)


def brief_path(path: str) -> str:
    """`path`, with a deep run of `.children[i]` told by its depth rather than spelled out."""
    steps = list(_STEP.finditer(path))
    if len(steps) <= 2 * _SHOWN_STEPS + 1:
        return path
    first, last = steps[0], steps[-_SHOWN_STEPS]
    return f"{path[: first.start()]}…{path[last.start() :]} (at depth {len(steps)})"


def parse_color(text: str) -> str | None:
    """`#rgb`, `#rrggbb`, `rgb(r,g,b)` (and Amazon's bare `111`) as `#rrggbb`, else None."""
    text = text.strip()
    if match := _HEX6.match(text):
        return "#" + match.group(1).lower()
    if match := _HEX3.match(text):
        return "#" + "".join(ch * 2 for ch in match.group(1).lower())
    if match := _RGB.match(text):
        channels = [int(v) for v in match.groups()]
        if all(0 <= v <= 255 for v in channels):
            return "#" + "".join(f"{v:02x}" for v in channels)
    return None


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "text"
    if isinstance(value, int | float):
        return "a number"
    return "null" if value is None else type(value).__name__
