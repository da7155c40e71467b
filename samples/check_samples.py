"""Check the sample zips: members, JSON/XML agreement, SVG geometry, sizes, reproducibility.

    python samples/check_samples.py [--dir DIR]

Exits non-zero with one line per problem. The geometry check is the spec's formula: for every
placed element, center = position + R(θ)·(w/2, h/2) must equal the SVG matrix's (e, f).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import re
import sys
import zipfile
from pathlib import Path
from typing import Any, cast

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lxml import etree
from PIL import Image, ImageOps

from samples.fabricjs import IMAGE_STROKE, TEXT_STROKE
from samples.make_samples import DEFAULT_OUT, SAMPLES, build

MAX_TOTAL = 3 * 1024 * 1024
TOLERANCE = 1e-6
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
MEMBER = re.compile(rf"(\d{{14}}\.(json|xml)|{UUID}\.(svg|jpg|png))")
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"

Node = dict[str, Any]
LIST_KEYS = {"children", "surfaces", "areas"}
NUMBER_KEYS = {"x", "y", "width", "height", "scaleX", "scaleY", "angleOfRotation", "amount"}
NUMBER = re.compile(r"-?\d+(\.\d+)?(E-?\d+)?")


def xml_to_object(element: etree._Element) -> object:
    """Generic reading of Amazon's XML: repeated tags become lists, leaves stay strings."""
    if len(element) == 0:
        return element.text or ""
    result: dict[str, object] = {}
    for child in element:
        value = xml_to_object(child)
        if child.tag in result:
            previous = result[child.tag]
            result[child.tag] = (
                [*previous, value] if isinstance(previous, list) else [previous, value]
            )
        else:
            result[child.tag] = value
    return result


def as_xml_sees(value: object) -> object:
    """A JSON value as the XML carries it: no types, one-element lists look like the element."""
    if isinstance(value, dict):
        return {k: as_xml_sees(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [as_xml_sees(v) for v in value]
        return items[0] if len(items) == 1 else items
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def nodes(node: Node) -> list[Node]:
    found = [node]
    for child in node.get("children", []):
        found += nodes(child)
    return found


def placed_elements(preview: Node) -> list[tuple[Node, Node]]:
    """(placement node, content node) for every filled placement, in tree (= SVG) order."""
    placed = []
    for node in nodes(preview):
        if node["type"] == "PlacementContainerCustomization" and "buyerPlacement" in node:
            content = [
                n
                for n in nodes(node)[1:]
                if n["type"] in ("ImageCustomization", "TextCustomization")
            ]
            placed.append((node, content[0]))
    return placed


def fonts_by_node(node: Node, family: str | None = None) -> dict[int, str | None]:
    """The font family governing each node: set by a FontCustomization among its siblings."""
    children = node.get("children", [])
    family = next(
        (c["fontSelection"]["family"] for c in children if c["type"] == "FontCustomization"),
        family,
    )
    found = {id(node): family}
    for child in children:
        found.update(fonts_by_node(child, family))
    return found


def _child(element: etree._Element, path: str) -> etree._Element:
    found = element.find(path)
    if found is None:
        raise ValueError(f"no {path} in <{element.tag}>")
    return found


def _attr(element: etree._Element, name: str) -> str:
    return str(element.get(name, ""))


def matrix(text: str) -> list[float]:
    match = re.fullmatch(r"matrix\(([^)]*)\)", text)
    if match is None:
        raise ValueError(f"not a matrix: {text!r}")
    return [float(v) for v in match.group(1).split()]


def check_geometry(where: str, placement: Node, stroke: int, group: etree._Element) -> list[str]:
    """center = position + R(θ)·(w/2, h/2) against the matrix; the clip rect against the box."""
    problems = []
    bp = placement["buyerPlacement"]
    s, theta = bp["scale"]["scaleX"], math.radians(bp["angleOfRotation"])
    w = (bp["dimension"]["width"] + stroke) * s
    h = (bp["dimension"]["height"] + stroke) * s
    cx = bp["position"]["x"] + (w / 2) * math.cos(theta) - (h / 2) * math.sin(theta)
    cy = bp["position"]["y"] + (w / 2) * math.sin(theta) + (h / 2) * math.cos(theta)
    inner = _child(group, f"{SVG}g")
    a, b, c, d, e, f = matrix(_attr(inner, "transform"))
    cos, sin = s * math.cos(theta), s * math.sin(theta)
    if max(abs(e - cx), abs(f - cy)) > TOLERANCE:
        problems.append(f"{where}: centre ({cx}, {cy}) but matrix e,f ({e}, {f})")
    if max(abs(a - cos), abs(b - sin), abs(c + sin), abs(d - cos)) > TOLERANCE:
        problems.append(f"{where}: matrix {a, b, c, d} is not s·R(θ)")
    rect = _child(inner, f"{SVG}clipPath/{SVG}rect")
    box = placement["position"] | placement["dimension"]
    *_, rx, ry = matrix(_attr(rect, "transform"))
    clip = (rx, ry, float(_attr(rect, "width")), float(_attr(rect, "height")))
    expected = (
        box["x"] + (box["width"] + 1) / 2,
        box["y"] + (box["height"] + 1) / 2,
        box["width"],
        box["height"],
    )
    if clip != expected:
        problems.append(f"{where}: clip rect {clip} does not match the placement box")
    return problems


def check_image(
    where: str, placement: Node, content: Node, group: etree._Element, members: dict[str, bytes]
) -> list[str]:
    """The SVG size, the JSON size and the EXIF-oriented pixel size must all agree."""
    image = _child(group, f"{SVG}g/{SVG}image")
    name = content["image"]["imageName"]
    oriented = ImageOps.exif_transpose(Image.open(io.BytesIO(members[name])))
    dimension = placement["buyerPlacement"]["dimension"]
    sizes = {
        (float(_attr(image, "width")), float(_attr(image, "height"))),
        (dimension["width"], dimension["height"]),
        oriented.size,
    }
    if _attr(image, XLINK) != name or len(sizes) != 1:
        return [f"{where}: image {name} sizes disagree: {sizes}"]
    width, height = oriented.size
    if (float(_attr(image, "x")), float(_attr(image, "y"))) != (-width / 2, -height / 2):
        return [f"{where}: image {name} is not centred on its local origin"]
    return []


def check_text(where: str, content: Node, group: etree._Element, font: str | None) -> list[str]:
    text = _child(group, f"{SVG}g/{SVG}text")
    lines = [line for line in content["inputValue"].split("\n") if line]
    if [t.text for t in text] != lines or _attr(text, "font-family") != font:
        return [f"{where}: text or font differs from the JSON"]
    return []


def check_surface(where: str, preview: Node, members: dict[str, bytes]) -> list[str]:
    problems = []
    svg = etree.fromstring(members[preview["svg"]])
    snapshot = Image.open(io.BytesIO(members[preview["snapshot"]["imageName"]]))
    if snapshot.size != (400, 400) or snapshot.format != "JPEG":
        problems.append(f"{where}: snapshot is not a 400×400 JPEG")
    groups = [g for g in svg.iter(f"{SVG}g") if g.get("clip-path")]
    placed = placed_elements(preview)
    if len(groups) != len(placed):
        problems.append(f"{where}: {len(placed)} placed elements but {len(groups)} clipped groups")
    font_of = fonts_by_node(preview)
    for index, ((placement, content), group) in enumerate(zip(placed, groups, strict=False)):
        at = f"{where} element {index}"
        if content["type"] == "ImageCustomization":
            problems += check_geometry(at, placement, IMAGE_STROKE, group)
            problems += check_image(at, placement, content, group, members)
        else:
            problems += check_geometry(at, placement, TEXT_STROKE, group)
            problems += check_text(at, content, group, font_of.get(id(placement)))
    overlays = [
        n["optionSelection"]["overlayImage"]["imageUrl"]
        for n in nodes(preview)
        if "overlayImage" in n.get("optionSelection", {})
    ]
    hrefs = [i.get(XLINK) for i in svg.iter(f"{SVG}image")]
    if overlays and hrefs[-len(overlays) :] != overlays:
        problems.append(f"{where}: option overlays are not the last images")
    return problems


def check_zip(problems: list[str], path: Path) -> Node:
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    bad = [name for name in members if not MEMBER.fullmatch(name)]
    if bad:
        problems.append(f"{path.name}: unexpected member names {bad}")
    json_name = next((n for n in members if n.endswith(".json")), None)
    xml_name = next((n for n in members if n.endswith(".xml")), None)
    document: Node | None = json.loads(members[json_name]) if json_name else None
    if xml_name:
        from_xml = xml_to_object(etree.fromstring(members[xml_name]))
        if document is not None and as_xml_sees(document) != from_xml:
            problems.append(f"{path.name}: XML does not carry the same data as the JSON")
        document = document or cast(Node, from_xml)
    if document is None:
        problems.append(f"{path.name}: neither JSON nor XML")
        return {}
    if json_name is None:  # read back from XML: numbers are strings, single items not lists
        document = cast(Node, json.loads(json.dumps(document), object_hook=_typed))
    if "customizationData" not in document:
        return document  # a 2018 file: version3.0 and aspects only
    previews = document["customizationData"]["children"]
    for preview in previews:
        problems += check_surface(f"{path.name} {preview['name']}", preview, members)
    return document


def _typed(obj: Node) -> Node:
    """Give data read back from XML its JSON shape: lists where Amazon has lists, numbers."""
    for key, value in obj.items():
        if key in LIST_KEYS and not isinstance(value, list):
            obj[key] = [value]
        elif key in NUMBER_KEYS and isinstance(value, str) and NUMBER.fullmatch(value):
            obj[key] = float(value)
    return obj


def describe(document: Node) -> str:
    """orderItemId, ASIN, surface names and font families of a zip's document."""
    previews = document.get("customizationData", {}).get("children", [])
    previews = previews if isinstance(previews, list) else [previews]
    surfaces = [p["name"] for p in previews] or [
        s["name"] for s in document["version3.0"]["customizationInfo"]["surfaces"]
    ]
    fonts = {
        n["fontSelection"]["family"]
        for p in previews
        for n in nodes(p)
        if n["type"] == "FontCustomization"
    }
    fonts |= {
        a["fontFamily"]
        for s in document["version3.0"]["customizationInfo"]["surfaces"]
        for a in s["areas"]
        if "fontFamily" in a
    }
    return f"{document['orderItemId']} {document['asin']} surfaces={surfaces} fonts={sorted(fonts)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    problems: list[str] = []
    for slug in SAMPLES:
        path = args.dir / f"{slug}.zip"
        if not path.exists():
            problems.append(f"{path.name}: missing")
            continue
        document = check_zip(problems, path)
        if build(slug) != path.read_bytes():
            problems.append(f"{path.name}: differs from a fresh build (stale or not reproducible)")
        print(f"{path.name}: {describe(document)}")
    files = {
        p.resolve()
        for folder in (Path(__file__).parent, args.dir)  # the scripts, and the zips they made
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    total = sum(p.stat().st_size for p in files)
    if total >= MAX_TOTAL:
        problems.append(f"the samples and their scripts hold {total} bytes, more than {MAX_TOTAL}")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(SAMPLES)} zips, with their scripts {total:,} bytes, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
