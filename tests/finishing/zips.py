"""Purpose-built zips for the preflight and proof tests: a sample zip with its JSON or SVG edited.

The snapshot JPEG is never touched, so an edit that changes what is printed makes the render
differ from Amazon's preview, and one that does not (a smaller photo drawn at the same place)
keeps them alike.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from typing import Any

from PIL import Image

from tests.finishing.shop import sample_bytes

Document = dict[str, Any]
SvgEdit = Callable[[str], str]  # the SVG's text in, the edited text out
JsonEdit = Callable[[Document], None]  # edits the parsed JSON in place
_MATRIX = re.compile(r"matrix\(([^)]*)\)")


def rewritten(
    sample: str | bytes,
    *,
    svg: SvgEdit | None = None,
    document: JsonEdit | None = None,
    members: dict[str, bytes] | None = None,
) -> bytes:
    """The zip with `svg` applied to its SVGs, `document` to its JSON, `members` replaced."""
    source = zipfile.ZipFile(
        io.BytesIO(sample_bytes(sample) if isinstance(sample, str) else sample)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            name, data = info.filename, source.read(info)
            if svg is not None and name.endswith(".svg"):
                data = svg(data.decode()).encode()
            elif document is not None and name.endswith(".json"):
                tree = json.loads(data)
                document(tree)
                data = json.dumps(tree, indent=2).encode()
            elif members is not None and name in members:
                data = members[name]
            archive.writestr(name, data)
    return out.getvalue()


def member(sample: str | bytes, name: str) -> bytes:
    data = sample_bytes(sample) if isinstance(sample, str) else sample
    return zipfile.ZipFile(io.BytesIO(data)).read(name)


# -- the SVG ------------------------------------------------------------------------------------


def _element_chunk(svg: str, marker: str) -> tuple[int, int]:
    """Where the `<g transform=matrix>` group drawing `marker` (an href or a text) starts, ends."""
    starts = [m.start() for m in re.finditer(r'<g transform="matrix\(', svg)]
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(svg)
        if marker in svg[start:end]:
            return start, end
    raise AssertionError(f"nothing in the SVG shows {marker!r}")


def _remap(chunk: str, count: int, change: Callable[[list[float]], list[float]]) -> str:
    def one(match: re.Match[str]) -> str:
        values = change([float(v) for v in match.group(1).split()])
        return "matrix(" + " ".join(f"{v:.8g}" for v in values) + ")"

    return _MATRIX.sub(one, chunk, count=count)


def moved_in_svg(marker: str, dx: float, dy: float = 0.0, *, clip: bool = True) -> SvgEdit:
    """An SVG edit: the element showing `marker` moved by (dx, dy), with its clip if `clip`."""

    def edit(svg: str) -> str:
        start, end = _element_chunk(svg, marker)
        count = 2 if clip else 1  # the element's matrix, then its clip rect's

        def shift(v: list[float]) -> list[float]:
            return [*v[:4], v[4] + dx, v[5] + dy]

        return svg[:start] + _remap(svg[start:end], count, shift) + svg[end:]

    return edit


def scaled_in_svg(marker: str, factor: float) -> SvgEdit:
    """An SVG edit: the element showing `marker` drawn `factor` times larger (its clip stays)."""

    def edit(svg: str) -> str:
        start, end = _element_chunk(svg, marker)
        return (
            svg[:start]
            + _remap(svg[start:end], 1, lambda v: [x * factor for x in v[:4]] + v[4:])
            + svg[end:]
        )

    return edit


def replaced_in_svg(old: str, new: str) -> SvgEdit:
    def edit(svg: str) -> str:
        assert old in svg
        return svg.replace(old, new)

    return edit


# -- the JSON -----------------------------------------------------------------------------------


def placement_of(document: Document, marker: str) -> Document:
    """The placement container holding the image member or the text (label) `marker`."""

    def holds(node: Document) -> bool:
        if (
            node.get("type") == "ImageCustomization"
            and node.get("image", {}).get("imageName") == marker
        ):
            return True
        if node.get("type") == "TextCustomization" and node.get("label") == marker:
            return True
        return any(holds(child) for child in node.get("children", []))

    def find(node: Document) -> Document | None:
        if node.get("type") == "PlacementContainerCustomization" and holds(node):
            return node
        for child in node.get("children", []):
            found = find(child)
            if found is not None:
                return found
        return None

    found = find(document["customizationData"])
    assert found is not None, marker
    return found


def moved_in_json(marker: str, dx: float, dy: float = 0.0, *, box: bool = True) -> JsonEdit:
    """A JSON edit: the buyer's placement of `marker` moved, and its box too if `box`."""

    def edit(document: Document) -> None:
        placement = placement_of(document, marker)
        placement["buyerPlacement"]["position"]["x"] += dx
        placement["buyerPlacement"]["position"]["y"] += dy
        if box:
            placement["position"]["x"] += dx
            placement["position"]["y"] += dy

    return edit


def text_in_json(label: str, text: str) -> JsonEdit:
    def edit(document: Document) -> None:
        def walk(node: Document) -> None:
            if node.get("type") == "TextCustomization" and node.get("label") == label:
                node["inputValue"] = text
            for child in node.get("children", []):
                walk(child)

        walk(document["customizationData"])

    return edit


# -- a smaller photo ----------------------------------------------------------------------------


def smaller_photo(sample: str, photo: str, factor: int) -> bytes:
    """The zip with `photo` stored `factor` times smaller, drawn at the same place and size.

    What a buyer's small upload looks like: the JSON and SVG say the new pixel size, the
    element matrix scales it up as much more, the snapshot is the same picture.
    """
    image = Image.open(io.BytesIO(member(sample, photo)))
    small = image.resize((image.width // factor, image.height // factor), Image.Resampling.BOX)
    out = io.BytesIO()
    small.save(out, "JPEG", quality=90)

    def svg(text: str) -> str:
        start, end = _element_chunk(text, photo)
        chunk = _remap(text[start:end], 1, lambda v: [x * factor for x in v[:4]] + v[4:])
        for key in ("x", "y", "width", "height"):
            chunk = re.sub(
                rf'(<image[^>]*\s{key}=")(-?[\d.]+)"',
                lambda m: f'{m.group(1)}{float(m.group(2)) / factor:g}"',
                chunk,
            )
        return text[:start] + chunk + text[end:]

    def document(tree: Document) -> None:
        placement = placement_of(tree, photo)["buyerPlacement"]
        placement["dimension"] = {"width": small.width, "height": small.height}
        placement["scale"] = {k: v * factor for k, v in placement["scale"].items()}

    return rewritten(sample, svg=svg, document=document, members={photo: out.getvalue()})
