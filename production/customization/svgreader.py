"""The per-surface SVG (a Fabric.js 3.2.0 export): what the buyer saw, element by element.

Amazon's SVGs use a small, regular subset: groups with matrix transforms, one rect clip per
element, `<image>`, `<text>/<tspan>`, and `@font-face` rules for seller fonts. This reader
extracts exactly that subset and lists anything else as unsupported, so the renderer can fall
back to a general converter instead of dropping it silently.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import tinycss2
from lxml import etree

from production.core.geometry import IDENTITY, Box, Matrix, TransformError, parse_transform
from production.core.limits import DEFAULT_LIMITS, ZipLimits, over_limit
from production.core.model import SellerFont, Tspan
from production.core.xmlsafe import UnsafeXml, XmlBudget, parse_xml
from production.customization.svgbudget import SvgOverLimit, check_svg_budget
from production.customization.values import parse_color

__all__ = ["SvgDocument", "SvgError", "SvgImage", "SvgOverLimit", "SvgText", "read_svg"]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_LENGTH = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(px)?\s*$")
_CLIP_REF = re.compile(r"^\s*url\(\s*['\"]?#([^'\")]+)['\"]?\s*\)\s*$")
_IGNORED_TAGS = frozenset({"desc", "title", "metadata", "defs", "style", "clipPath"})
_MAX_DEPTH = 64


class SvgError(ValueError):
    """The SVG is unreadable or uses something that makes its geometry unknowable."""


@dataclass(frozen=True, slots=True)
class SvgImage:
    href: str
    matrix: Matrix  # element units → preview units
    rect: Box  # x, y, width, height of the <image> in element units
    clip: Box | None


@dataclass(frozen=True, slots=True)
class SvgText:
    matrix: Matrix
    clip: Box | None
    font_family: str | None
    font_size: float | None
    font_style: str
    font_weight: str
    fill: str | None  # "#rrggbb"
    tspans: tuple[Tspan, ...]

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(span.text for span in self.tspans)


@dataclass(slots=True)
class SvgDocument:
    elements: list[SvgImage | SvgText] = field(default_factory=list)
    fonts: list[SellerFont] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)


def read_svg(data: bytes, limits: ZipLimits = DEFAULT_LIMITS) -> SvgDocument:
    """Read the subset of SVG that Amazon writes; raise `SvgError` if it is unusable.

    `SvgOverLimit` if it is over one of `limits`: found while parsing (elements, nesting) or
    right after, before anything is read out of it.
    """
    try:
        root = parse_xml(data, max_elements=limits.max_svg_elements, max_depth=limits.max_svg_depth)
    except XmlBudget as exc:
        if exc.over == "elements":
            raise SvgOverLimit(
                over_limit("has too many elements", "max_svg_elements", limits)
            ) from exc
        raise SvgOverLimit(over_limit("nests elements too deep", "max_svg_depth", limits)) from exc
    except UnsafeXml as exc:
        raise SvgError(str(exc)) from exc
    check_svg_budget(root, limits)
    if etree.QName(root).localname != "svg":
        raise SvgError("its root element is not <svg>")
    reader = _Reader(root)
    document = SvgDocument(fonts=reader.fonts())
    reader.walk(root, _root_matrix(root, document), None, document, 0)
    return document


def _root_matrix(root: etree._Element, document: SvgDocument) -> Matrix:
    view_box = root.get("viewBox")
    if view_box is None:
        return IDENTITY
    numbers = [float(v) for v in _NUMBER.findall(view_box)]
    if len(numbers) != 4 or numbers[2] <= 0 or numbers[3] <= 0:
        raise SvgError("its viewBox is malformed")
    x, y, width, height = numbers
    if (x, y, width, height) != (0.0, 0.0, 400.0, 400.0):
        document.unsupported.append(f"viewBox {view_box!r} (expected '0 0 400 400')")
    # Map the viewBox onto Amazon's 400×400 design space.
    return Matrix.translate(-x, -y).then(Matrix.scale(400 / width, 400 / height))


class _Reader:
    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.clips: dict[str, etree._Element] = {
            node.get("id", ""): node for node in root.iter(f"{{{SVG_NS}}}clipPath", "clipPath")
        }

    def fonts(self) -> list[SellerFont]:
        fonts: list[SellerFont] = []
        for style in self.root.iter(f"{{{SVG_NS}}}style", "style"):
            fonts.extend(_font_faces(style.text or ""))
        return fonts

    def walk(
        self,
        node: etree._Element,
        ctm: Matrix,
        clip: Box | None,
        document: SvgDocument,
        depth: int,
    ) -> None:
        if depth > _MAX_DEPTH:
            raise SvgError("it is nested deeper than any Fabric.js export")
        for child in node:
            if not isinstance(child.tag, str):
                continue
            tag = etree.QName(child).localname
            if tag in _IGNORED_TAGS or _is_hidden(child):
                continue
            matrix = ctm @ _transform(child.get("transform", ""))
            child_clip = self._clip(child, matrix, document) or clip
            if tag == "g":
                self.walk(child, matrix, child_clip, document, depth + 1)
            elif tag == "image":
                document.elements.append(_image(child, matrix, child_clip))
            elif tag == "text":
                document.elements.append(_text(child, matrix, child_clip))
            else:
                document.unsupported.append(f"<{tag}>")

    def _clip(self, node: etree._Element, ctm: Matrix, document: SvgDocument) -> Box | None:
        reference = node.get("clip-path")
        if not reference:
            return None
        match = _CLIP_REF.match(reference)
        clip_path = self.clips.get(match.group(1)) if match else None
        if clip_path is None:
            raise SvgError(f"clip-path {reference!r} names no clipPath in the SVG")
        rects = [c for c in clip_path if isinstance(c.tag, str)]
        if len(rects) != 1 or etree.QName(rects[0]).localname != "rect":
            document.unsupported.append("a clipPath that is not a single rect")
            return None
        rect = rects[0]
        # The clip rect lives in the user space of the element that references it,
        # which includes that element's own transform.
        matrix = ctm @ _transform(rect.get("transform", ""))
        if not matrix.is_axis_aligned:
            document.unsupported.append("a rotated clip rect")
            return None
        local = Box(
            _length(rect, "x", 0.0),
            _length(rect, "y", 0.0),
            _length(rect, "width"),
            _length(rect, "height"),
        )
        return matrix.map_box(local)


def _image(node: etree._Element, matrix: Matrix, clip: Box | None) -> SvgImage:
    href = node.get(XLINK_HREF) or node.get("href") or ""
    rect = Box(
        _length(node, "x", 0.0),
        _length(node, "y", 0.0),
        _length(node, "width"),
        _length(node, "height"),
    )
    return SvgImage(href=href.strip(), matrix=matrix, rect=rect, clip=clip)


def _text(node: etree._Element, matrix: Matrix, clip: Box | None) -> SvgText:
    style = _style(node)
    spans: list[Tspan] = []
    for span in node:
        if not isinstance(span.tag, str) or etree.QName(span).localname != "tspan":
            continue
        spans.append(
            Tspan(
                text="".join(str(t) for t in span.itertext()),
                x=_length(span, "x", 0.0),
                y=_length(span, "y", 0.0),
            )
        )
    if not spans and (node.text or "").strip():
        spans.append(Tspan(node.text or "", _length(node, "x", 0.0), _length(node, "y", 0.0)))
    size = _attribute(node, style, "font-size")
    fill = _attribute(node, style, "fill")
    family = _attribute(node, style, "font-family")
    return SvgText(
        matrix=matrix,
        clip=clip,
        font_family=_unquote(family) if family else None,
        font_size=_size(size) if size else None,
        font_style=_inherited(node, "font-style") or "normal",
        font_weight=_inherited(node, "font-weight") or "normal",
        fill=parse_color(fill) if fill else None,
        tspans=tuple(spans),
    )


def _transform(text: str) -> Matrix:
    try:
        return parse_transform(text)
    except TransformError as exc:
        raise SvgError(str(exc)) from exc


def _style(node: etree._Element) -> dict[str, str]:
    result: dict[str, str] = {}
    for declaration in (node.get("style") or "").split(";"):
        key, sep, value = declaration.partition(":")
        if sep:
            result[key.strip().lower()] = value.strip()
    return result


def _is_hidden(node: etree._Element) -> bool:
    style = _style(node)
    visibility = style.get("visibility") or node.get("visibility")
    display = style.get("display") or node.get("display")
    return visibility == "hidden" or display == "none"


def _attribute(node: etree._Element, style: dict[str, str], name: str) -> str | None:
    # Inline style wins over presentation attributes, as in CSS.
    return style.get(name) or node.get(name)


def _inherited(node: etree._Element, name: str) -> str | None:
    """A property the text or, as CSS inherits it, its nearest group sets ('inherit' skipped).

    Fabric.js writes the weight and style on the <text>; a file edited in a design app may set
    them on a group around it instead, and the face printed must be the same.
    """
    for element in (node, *node.iterancestors()):
        value = _attribute(element, _style(element), name)
        if value and value.strip().lower() != "inherit":
            return value.strip()
    return None


def _length(node: etree._Element, name: str, default: float | None = None) -> float:
    raw = node.get(name)
    if raw is None:
        if default is None:
            raise SvgError(f"<{etree.QName(node).localname}> has no {name}")
        return default
    return _size(raw)


def _size(raw: str) -> float:
    match = _LENGTH.match(raw)
    if not match:
        raise SvgError(f"length {raw[:30]!r} is not in user units")
    value = float(match.group(1))
    if not math.isfinite(value):
        raise SvgError("a length is not finite")
    return value


def _unquote(text: str) -> str:
    first = text.split(",")[0].strip()
    return first.strip("'\"").strip()


def _font_faces(css: str) -> list[SellerFont]:
    fonts: list[SellerFont] = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "at-rule" or rule.lower_at_keyword != "font-face" or rule.content is None:
            continue
        family = url = None
        for decl in tinycss2.parse_declaration_list(
            rule.content, skip_comments=True, skip_whitespace=True
        ):
            if decl.type != "declaration":
                continue
            if decl.lower_name == "font-family":
                family = _unquote(tinycss2.serialize(decl.value))
            elif decl.lower_name == "src":
                url = _first_url(decl.value)
        if family and url:
            fonts.append(SellerFont(family=family, url=url))
    return fonts


def _first_url(tokens: list[tinycss2.ast.Node]) -> str | None:
    for token in tokens:
        if token.type == "url":
            return str(token.value)
        if token.type == "function" and token.lower_name == "url":
            for arg in token.arguments:
                if arg.type == "string":
                    return str(arg.value)
    return None
