"""Zips over the input budgets: the engraved sample (a wooden sign) with its JSON or SVG edited.

Every member is stored, not deflated, as a hostile sender would: nothing here trips the zip
bomb check, so what refuses the zip is the budget under test.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

from production.customization.samples import SAMPLES_DIR

ENGRAVED = SAMPLES_DIR / "text-only.zip"  # B0SAMPLE01: engraved by the laser, text outlined
ITEM = "90000000000011"
SVG_TEXT = ">Happy Birthday<"  # the first line, in the SVG's first tspan
SVG_SECOND_LINE = ">Sam<"
SVG_MATRIX = "matrix(0.50396939 0 0 0.50396939 200 155)"  # the text's group
SVG_FONT_SIZE = 'font-size="138.20143884892087"'

Document = dict[str, Any]


def engraved(
    *,
    svg: Callable[[str], str] | None = None,
    document: Callable[[Document], None] | None = None,
    json_bytes: bytes | None = None,
) -> bytes:
    """The engraved sample with `svg` applied to its SVG and `document` to its JSON."""
    source = zipfile.ZipFile(ENGRAVED)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith(".svg") and svg is not None:
                data = svg(data.decode()).encode()
            elif info.filename.endswith(".json") and json_bytes is not None:
                data = json_bytes
            elif info.filename.endswith(".json") and document is not None:
                tree = json.loads(data)
                document(tree)
                data = json.dumps(tree).encode()
            archive.writestr(info.filename, data)
    return out.getvalue()


def engraved_json() -> bytes:
    """The sample's JSON as it is in the zip."""
    return zipfile.ZipFile(ENGRAVED).read(f"{ITEM}.json")


def with_text(text: str) -> bytes:
    """The sign with `text` as the buyer's text (its only line), in the JSON and the SVG alike."""

    def edit(tree: Document) -> None:
        for node in _nodes(tree["customizationData"]):
            if node.get("type") == "TextCustomization" and node.get("inputValue"):
                node["inputValue"] = text

    def lines(svg: str) -> str:
        return svg.replace(SVG_TEXT, f">{text}<").replace(SVG_SECOND_LINE, "><")

    return engraved(svg=lines, document=edit)


def with_svg_elements(count: int) -> bytes:
    """The sign's SVG with `count` more (tiny, empty) elements: 40 bytes each."""
    rects = '<rect x="1" y="1" width="2" height="2"/>' * count
    return engraved(svg=lambda s: s.replace("</svg>", f"{rects}</svg>"))


def in_svg(old: str, new: str) -> bytes:
    def edit(svg: str) -> str:
        assert old in svg
        return svg.replace(old, new)

    return engraved(svg=edit)


def placement(edit: Callable[[Document], None]) -> bytes:
    """The sign with `edit` applied to the text's placement (its buyerPlacement, position...)."""

    def apply(tree: Document) -> None:
        for node in _nodes(tree["customizationData"]):
            if node.get("type") == "PlacementContainerCustomization":
                edit(node)

    return engraved(document=apply)


def _nodes(node: Document) -> list[Document]:
    found = [node]
    for child in node.get("children", []):
        found += _nodes(child)
    return found
