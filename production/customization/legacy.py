"""The flat `version3.0` list and the 2018 `version 2.0` aspects: fallbacks for zips with no tree.

`version3.0` loses filled-in text on image-capable products (it becomes `ImagePrinting`), so it
is read only when the `customizationData` tree is absent.
"""

from __future__ import annotations

from typing import Any

from production.core.model import Option
from production.customization.drafts import DraftSurface, DraftText
from production.customization.values import Shape, as_list, split_lines

__all__ = ["find_version3", "read_aspects", "read_version3"]


def find_version3(document: dict[str, Any], shape: Shape) -> tuple[list[Any], str] | None:
    """The `surfaces` list, wherever this file keeps it (top level, or inside customizationInfo)."""
    info = document.get("customizationInfo")
    candidates = [
        (document.get("version3.0"), "version3.0"),
        (
            info.get("version3.0") if isinstance(info, dict) else None,
            "customizationInfo.version3.0",
        ),
    ]
    for value, path in candidates:
        if not value:
            continue
        data = shape.obj(value, path)
        nested = data.get("customizationInfo")
        if isinstance(nested, dict) and "surfaces" in nested:
            return as_list(nested["surfaces"]), f"{path}.customizationInfo.surfaces"
        if "surfaces" in data:
            return as_list(data["surfaces"]), f"{path}.surfaces"
    return None


def read_version3(surfaces: list[Any], shape: Shape, path: str) -> list[DraftSurface]:
    result: list[DraftSurface] = []
    for index, raw in enumerate(surfaces):
        surface_path = f"{path}[{index}]"
        data = shape.obj(raw, surface_path)
        label = shape.text(data.get("name"), f"{surface_path}.name").strip()
        surface = DraftSurface(name=label or f"Surface {index + 1}", label=label)
        for area_index, area in enumerate(as_list(data.get("areas"))):
            area_path = f"{surface_path}.areas[{area_index}]"
            _read_area(surface, shape.obj(area, area_path), shape, area_path)
        result.append(surface)
    if not result:
        raise shape.error(path, "lists no surface")
    return result


def _read_area(surface: DraftSurface, area: dict[str, Any], shape: Shape, path: str) -> None:
    kind = area.get("customizationType")
    name = shape.text(area.get("name"), f"{path}.name")
    if kind == "Options":
        surface.options.append(_option(area, shape, path))
        return
    if kind not in ("TextPrinting", "ImagePrinting"):
        return  # an area type this reader does not know carries nothing printable it can place
    box = shape.box(area.get("Position"), area.get("Dimensions"), path, capital=True)
    surface.boxes.append(box)
    if kind == "ImagePrinting":
        surface.image_boxes.append((name, box))
        svg = shape.optional_text(area.get("svgImage"), f"{path}.svgImage")
        surface.svg_member = surface.svg_member or svg
        return
    text = shape.text(area.get("text"), f"{path}.text")
    if not text:
        return
    color_name = shape.optional_text(area.get("colorName"), f"{path}.colorName")
    surface.texts.append(
        DraftText(
            name=name,
            label=shape.text(area.get("label"), f"{path}.label"),
            lines=split_lines(text),
            font_family=shape.optional_text(area.get("fontFamily"), f"{path}.fontFamily"),
            color=shape.color(area.get("fill"), f"{path}.fill", name=color_name),
            box=box,
            buyer_placement=None,
        )
    )


def _option(area: dict[str, Any], shape: Shape, path: str) -> Option:
    delta = shape.obj(area.get("priceDelta"), f"{path}.priceDelta")
    return Option(
        name=shape.text(area.get("name"), f"{path}.name"),
        label=shape.text(area.get("label"), f"{path}.label"),
        value=shape.text(area.get("optionValue"), f"{path}.optionValue"),
        price_delta=shape.decimal(delta.get("value"), f"{path}.priceDelta.value"),
        currency=shape.optional_text(delta.get("currency"), f"{path}.priceDelta.currency"),
        overlay_url=shape.optional_text(area.get("optionImage"), f"{path}.optionImage"),
        option_id=shape.optional_text(area.get("optionId"), f"{path}.optionId"),
    )


def read_aspects(document: dict[str, Any], shape: Shape) -> list[DraftSurface] | None:
    """The oldest layout: `customizationInfo.aspects[]`, text, font and colour by title."""
    info = document.get("customizationInfo")
    if not isinstance(info, dict) or "aspects" not in info:
        return None
    surface = DraftSurface(name="Surface 1", label="")
    for index, raw in enumerate(as_list(info.get("aspects"))):
        path = f"customizationInfo.aspects[{index}]"
        aspect = shape.obj(raw, path)
        text = shape.text(
            shape.obj(aspect.get("text"), f"{path}.text").get("value"), f"{path}.text"
        )
        if not text:
            continue
        font = shape.obj(aspect.get("font"), f"{path}.font").get("value")
        color = shape.obj(aspect.get("color"), f"{path}.color").get("value")
        surface.texts.append(
            DraftText(
                name=f"aspect {index + 1}",
                label=shape.text(aspect.get("title"), f"{path}.title"),
                lines=split_lines(text),
                font_family=shape.optional_text(font, f"{path}.font.value"),
                color=shape.color(color, f"{path}.color.value"),
                box=None,
                buyer_placement=None,
            )
        )
    return [surface]
