"""Fabric.js 3.2.0 as Amazon's customizer uses it: placement geometry, text metrics, SVG export.

Everything is in the 400×400 preview space. The formulas were checked against the real files in
`shared/reference/amazon-custom/`: text heights, tspan baselines and matrices agree to the last
digit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import ImageFont

FONT_SIZE_MULT = 1.13  # fabric.Text._fontSizeMult
LINE_HEIGHT = 1.16  # fabric.Text.lineHeight
FONT_SIZE_FRACTION = (
    0.222  # fabric.Text._fontSizeFraction: baseline sits this far above the line bottom
)
FRACTION_DIGITS = 8  # fabric.Object.NUM_FRACTION_DIGITS
MEASURE_SIZE = 1000  # px; measuring big keeps hinting from rounding the advances
TEXT_STROKE = 1  # Fabric pads a text object's box by its stroke width, 1 for Amazon's text
IMAGE_STROKE = 0

XML_ENTITIES = {'"': "&quot;", "'": "&apos;"}


def js_str(value: float) -> str:
    """`String(number)` in JavaScript."""
    if value == 0:
        return "0"
    if float(value).is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(float(value))
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{'-' if exponent.startswith('-') else '+'}{int(exponent.lstrip('+-'))}"
    return text


def js_fixed(value: float) -> str:
    """`fabric.util.toFixed(value, 8)` printed: rounded to 8 decimals, then `String()`."""
    return js_str(round(value, FRACTION_DIGITS))


def js_value(value: float) -> int | float:
    """A number as the browser's JSON carries it: integral values have no fraction."""
    return int(value) if float(value).is_integer() else value


def xml_text(text: str) -> str:
    """`fabric.util.string.escapeXml`."""
    return escape(text, XML_ENTITIES)


@dataclass(frozen=True)
class Box:
    """A seller's placement box: integer position and size in preview units."""

    x: int
    y: int
    width: int
    height: int

    @property
    def center(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y + self.height / 2

    @property
    def clip_center(self) -> tuple[float, float]:
        # Fabric draws the clip rect with its 1-unit stroke, so its centre is half a unit off.
        return self.x + (self.width + 1) / 2, self.y + (self.height + 1) / 2

    def to_json(self) -> dict[str, dict[str, int]]:
        return {
            "dimension": {"width": self.width, "height": self.height},
            "position": {"x": self.x, "y": self.y},
        }


@dataclass(frozen=True)
class Placement:
    """`buyerPlacement`: Fabric's left/top, width/height, scale and angle of a placed object."""

    left: float
    top: float
    width: float
    height: float
    scale: float
    angle: float
    stroke: int

    @classmethod
    def centred(
        cls,
        center: tuple[float, float],
        width: float,
        height: float,
        *,
        scale: float,
        angle: float,
        stroke: int,
    ) -> Placement:
        w, h = (width + stroke) * scale, (height + stroke) * scale
        dx, dy = rotate(w / 2, h / 2, angle)
        return cls(center[0] - dx, center[1] - dy, width, height, scale, angle, stroke)

    @property
    def center(self) -> tuple[float, float]:
        w, h = (self.width + self.stroke) * self.scale, (self.height + self.stroke) * self.scale
        dx, dy = rotate(w / 2, h / 2, self.angle)
        return self.left + dx, self.top + dy

    @property
    def matrix(self) -> tuple[float, float, float, float, float, float]:
        """The SVG `matrix(a b c d e f)` mapping the object's local units to preview units."""
        rad = math.radians(self.angle)
        cos, sin = math.cos(rad) * self.scale, math.sin(rad) * self.scale
        return (cos, sin, -sin, cos, *self.center)

    def to_json(self) -> dict[str, object]:
        return {
            "position": {"x": js_value(self.left), "y": js_value(self.top)},
            "dimension": {"width": js_value(self.width), "height": js_value(self.height)},
            "scale": {"scaleX": js_value(self.scale), "scaleY": js_value(self.scale)},
            "angleOfRotation": js_value(self.angle),
        }


def rotate(x: float, y: float, angle: float) -> tuple[float, float]:
    """Rotate a vector clockwise on screen (y down) by `angle` degrees, as Fabric does."""
    rad = math.radians(angle)
    return x * math.cos(rad) - y * math.sin(rad), x * math.sin(rad) + y * math.cos(rad)


def cover_scale(box: Box, width: float, height: float, angle: float) -> float:
    """The smallest scale at which a `width`×`height` object rotated by `angle` covers the box."""
    needed = 0.0
    for cx in (-box.width / 2, box.width / 2):
        for cy in (-box.height / 2, box.height / 2):
            lx, ly = rotate(cx, cy, -angle)
            needed = max(needed, 2 * abs(lx) / width, 2 * abs(ly) / height)
    return needed


@cache
def _measuring_font(path: Path) -> ImageFont.FreeTypeFont:
    # Raqm (HarfBuzz) kerns, as the browser's canvas does for Fabric (`fontKerning: auto`).
    return ImageFont.truetype(str(path), MEASURE_SIZE, layout_engine=ImageFont.Layout.RAQM)


def text_width(path: Path, font_size: float, line: str) -> float:
    return _measuring_font(path).getlength(line) * font_size / MEASURE_SIZE


@dataclass(frozen=True)
class TextBlock:
    """A Fabric text object's natural layout: local units, origin at the block's centre."""

    lines: tuple[str, ...]
    font_size: float
    line_widths: tuple[float, ...]

    @classmethod
    def measure(cls, text: str, font_path: Path, font_size: float) -> TextBlock:
        lines = tuple(text.split("\n"))
        widths = tuple(text_width(font_path, font_size, line) for line in lines)
        return cls(lines, font_size, widths)

    @property
    def line_height(self) -> float:
        return self.font_size * LINE_HEIGHT * FONT_SIZE_MULT

    @property
    def width(self) -> float:
        return max(self.line_widths)

    @property
    def height(self) -> float:
        # fabric.Text.calcTextHeight: the last line does not get the line-height factor.
        height = 0.0
        for index in range(len(self.lines)):
            last = index == len(self.lines) - 1
            height += self.line_height / LINE_HEIGHT if last else self.line_height
        return height

    def tspans(self) -> list[tuple[float, float, str]]:
        """(x, y, line) per non-empty line: x = left edge (centred text), y = baseline."""
        spans = []
        top = -self.height / 2
        for line, width in zip(self.lines, self.line_widths, strict=True):
            if line:
                x = -self.width / 2 + (self.width - width) / 2
                y = top + self.line_height * (1 - FONT_SIZE_FRACTION) / LINE_HEIGHT
                spans.append((x, y, line))
            top += self.line_height
        return spans


IMAGE_STYLE = (
    "stroke: none; stroke-width: 0; stroke-dasharray: none; stroke-linecap: butt; "
    "stroke-dashoffset: 0; stroke-linejoin: miter; stroke-miterlimit: 4; fill: rgb(0,0,0); "
    "fill-rule: nonzero; opacity: 1;"
)
TEXT_STYLE = (
    "stroke: none; stroke-width: 1; stroke-dasharray: none; stroke-linecap: butt; "
    "stroke-dashoffset: 0; stroke-linejoin: miter; stroke-miterlimit: 4; fill: rgb({rgb}); "
    "fill-rule: nonzero; opacity: 1; white-space: pre;"
)
OUTLINE_STYLE = (
    "stroke: rgb(231,118,0); stroke-width: 2; stroke-dasharray: none; stroke-linecap: butt; "
    "stroke-dashoffset: 0; stroke-linejoin: miter; stroke-miterlimit: 4; fill: rgb(0,0,0); "
    "fill-opacity: 0; fill-rule: nonzero; opacity: 1; visibility: hidden;"
)
SVG_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n'
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
    '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'version="1.1" width="3200" height="3200" viewBox="0 0 400 400" xml:space="preserve">\n'
    "<desc>Created with Fabric.js 3.2.0</desc>\n"
)


def _matrix(m: tuple[float, ...]) -> str:
    return "matrix(" + " ".join(js_fixed(v) for v in m) + ")"


def hex_to_rgb(value: str) -> tuple[int, int, int]:
    digits = value.lstrip("#")
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


class SvgDocument:
    """One surface's SVG, written element by element in Fabric's `toSVG()` format."""

    def __init__(self, *, first_clip_id: int) -> None:
        self._next_clip = first_clip_id
        self._font_faces: list[tuple[str, str]] = []
        self._body: list[str] = []

    def font_face(self, family: str, url: str) -> None:
        if (family, url) not in self._font_faces:
            self._font_faces.append((family, url))

    def _clipped(self, box: Box, placement: Placement, inner: str, *, group_style: bool) -> None:
        clip = self._next_clip
        self._next_clip += 1
        cx, cy = box.clip_center
        style = 'style="" ' if group_style else ""
        self._body.append(
            f'<g {style}clip-path="url(#CLIPPATH_{clip})"  >\n'
            f'<g transform="{_matrix(placement.matrix)}"  >\n'
            f'<clipPath id="CLIPPATH_{clip}" >\n'
            f'\t<rect transform="{_matrix((1, 0, 0, 1, cx, cy))}" x="{js_str(-box.width / 2)}" '
            f'y="{js_str(-box.height / 2)}" rx="0" ry="0" width="{box.width}" '
            f'height="{box.height}" />\n'
            f"</clipPath>\n{inner}\n</g>\n</g>\n"
        )

    def image(self, href: str, box: Box, placement: Placement) -> None:
        w, h = placement.width, placement.height
        element = (
            f'\t<image style="{IMAGE_STYLE}"  xlink:href="{xml_text(href)}" '
            f'x="{js_str(-w / 2)}" y="{js_str(-h / 2)}" width="{js_str(w)}" height="{js_str(h)}">'
            "</image>"
        )
        self._clipped(box, placement, element, group_style=False)

    def text(
        self, block: TextBlock, family: str, fill: str, box: Box, placement: Placement
    ) -> None:
        spans = []
        for x, y, line in block.tspans():
            # fabric.Text._createTextCharSpan: edge or repeated spaces get an explicit white-space
            keep_space = line != line.strip() or "  " in line
            style = 'style="white-space: pre; "' if keep_space else ""
            spans.append(
                f'<tspan x="{js_fixed(x)}" y="{js_fixed(y)}" {style}>{xml_text(line)}</tspan>'
            )
        rgb = ",".join(str(v) for v in hex_to_rgb(fill))
        self._clipped(
            box,
            placement,
            (
                f'\t\t<text xml:space="preserve" font-family="{xml_text(family)}" '
                f'font-size="{js_str(block.font_size)}" font-style="normal" font-weight="normal" '
                f'style="{TEXT_STYLE.format(rgb=rgb)}" >{"".join(spans)}</text>'
            ),
            group_style=True,
        )

    def hidden_outline(self, box: Box) -> None:
        """An invisible editor outline, as some real files carry; renderers must ignore it."""
        cx, cy = box.x + (box.width + 2) / 2, box.y + (box.height + 2) / 2
        self._body.append(
            f'<g transform="{_matrix((1, 0, 0, 1, cx, cy))}"  >\n'
            f'<rect style="{OUTLINE_STYLE}"  x="{js_str(-box.width / 2)}" '
            f'y="{js_str(-box.height / 2)}" rx="0" ry="0" width="{box.width}" '
            f'height="{box.height}" />\n</g>\n'
        )

    def overlay(self, url: str) -> None:
        self._body.append(
            '<g transform="matrix(1 0 0 1 200 200)"  >\n'
            f'\t<image style="{IMAGE_STYLE}"  xlink:href="{xml_text(url)}" x="-200" y="-200" '
            'width="400" height="400"></image>\n</g>\n'
        )

    def render(self) -> str:
        defs = "".join(
            '\t<style type="text/css"><![CDATA[\n'
            f"\t\t@font-face {{\n\t\t\tfont-family: '{family}';\n\t\t\tsrc: url('{url}');\n\t\t}}\n"
            "]]></style>\n"
            for family, url in self._font_faces
        )
        return f"{SVG_HEAD}<defs>\n{defs}</defs>\n{''.join(self._body)}</svg>"
