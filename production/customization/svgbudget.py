"""An SVG's numbers and texts held to the shop's budgets, over every element, before any is drawn.

The reader (`svgreader`) extracts only the subset Amazon writes; the general converter draws
everything else, so this pass looks at every element, drawn by either. It is cheap: the parse
has already stopped at `max_svg_elements`, and nothing here recurses.
"""

from __future__ import annotations

import math
import re

from lxml import etree

from production.core.geometry import IDENTITY, Matrix, TransformError, parse_transform
from production.core.limits import ZipLimits, finite_within, over_limit

__all__ = ["SvgOverLimit", "check_svg_budget"]

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
# Attributes holding positions and sizes (a list, for a tspan's x and y).
_COORDINATES = (
    "x", "y", "width", "height", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry",
    "dx", "dy", "viewBox", "stroke-width",
)  # fmt: skip
_PATHS = ("d", "points")
_FONT_SIZE = re.compile(r"(?:^|;)\s*font-size\s*:\s*([^;]*)", re.IGNORECASE)


class SvgOverLimit(ValueError):
    """The SVG is over one of the shop's budgets; the message names it and its key."""


def check_svg_budget(root: etree._Element, limits: ZipLimits) -> None:
    """Raise `SvgOverLimit` for the first element whose numbers or text are out of budget."""
    characters = 0
    stack: list[tuple[etree._Element, Matrix]] = [(root, IDENTITY)]
    while stack:
        node, ctm = stack.pop()
        if not isinstance(node.tag, str):
            continue
        matrix = ctm @ _transform(node.get("transform"))
        _check_matrix(matrix, limits)
        _check_numbers(node, limits)
        if etree.QName(node).localname == "text":
            count = sum(len(str(part)) for part in node.itertext())
            if count > limits.max_text_chars:
                what = f"has a text of {count:,} characters"
                raise SvgOverLimit(over_limit(what, "max_text_chars", limits))
            characters += count
            if characters > limits.max_surface_chars:
                what = f"has more than {characters:,} characters of text"
                raise SvgOverLimit(over_limit(what, "max_surface_chars", limits))
        stack.extend((child, matrix) for child in node)


def _transform(text: str | None) -> Matrix:
    try:
        return parse_transform(text or "")
    except TransformError:
        return IDENTITY  # malformed: the reader says so, in its own words


def _check_matrix(matrix: Matrix, limits: ZipLimits) -> None:
    values = (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)
    if not all(math.isfinite(value) for value in values):
        raise SvgOverLimit("has a transform that is not a finite number")
    for offset in (matrix.e, matrix.f):
        if abs(offset) > limits.max_coordinate:
            what = f"moves an element to {offset:g}"
            raise SvgOverLimit(over_limit(what, "max_coordinate", limits))
    bound = limits.max_scale
    for axis in (math.hypot(matrix.a, matrix.b), math.hypot(matrix.c, matrix.d)):
        if axis > bound:
            raise SvgOverLimit(over_limit(f"scales an element {axis:g}×", "max_scale", limits))
        if axis * bound < 1:
            shrink = f"{1 / axis:g}×" if axis else "to nothing"
            what = f"shrinks an element {shrink}"
            raise SvgOverLimit(over_limit(what, "max_scale", limits))


def _check_numbers(node: etree._Element, limits: ZipLimits) -> None:
    for name in _COORDINATES:
        for value in _numbers(node.get(name)):
            if not finite_within(value, limits.max_coordinate):
                what = f"has {name}={value:g}"
                raise SvgOverLimit(over_limit(what, "max_coordinate", limits))
    for name in _PATHS:
        data = node.get(name)
        if data is None:
            continue
        if len(data) > limits.max_path_chars:
            what = f"has path data of {len(data):,} characters"
            raise SvgOverLimit(over_limit(what, "max_path_chars", limits))
        if not all(finite_within(v, limits.max_coordinate) for v in _numbers(data)):
            raise SvgOverLimit(over_limit("has path data", "max_coordinate", limits))
    style = _FONT_SIZE.search(node.get("style") or "")
    for raw in (node.get("font-size"), style.group(1) if style else None):
        for value in _numbers(raw):
            if not finite_within(value, limits.max_font_size):
                what = f"has font-size {value:g}"
                raise SvgOverLimit(over_limit(what, "max_font_size", limits))


def _numbers(text: str | None) -> list[float]:
    return [float(v) for v in _NUMBER.findall(text)] if text else []
