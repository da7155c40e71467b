"""A summary of a parsed customization that is safe to print: ids, geometry, fonts, no text."""

from __future__ import annotations

from typing import Any

from production.core.model import Customization, Element, ImageElement, OverlayElement, TextElement

__all__ = ["describe"]


def describe(customization: Customization) -> dict[str, Any]:
    item = customization.item
    return {
        "order_id": item.order_id,
        "order_item_id": item.order_item_id,
        "asin": item.asin,
        "sku": item.sku,
        "quantity": item.quantity,
        "source": customization.source,
        "surfaces": [
            {
                "name": surface.name,
                "svg": surface.svg_member,
                "design_box": _box(surface.design_box),
                "elements": [_element(e) for e in surface.elements],
                "options": [{"name": o.name, "label": o.label} for o in surface.options],
                "fonts": [f.family for f in surface.fonts],
            }
            for surface in customization.surfaces
        ],
        "warnings": list(customization.warnings),
    }


def _element(element: Element) -> dict[str, Any]:
    if isinstance(element, TextElement):
        return {
            "kind": "text",
            "lines": len(element.lines),
            "font_family": element.font_family,
            "color": element.color.value if element.color else None,
            "box": _box(element.box),
            "summary": (
                f"text: {len(element.lines)} line(s) in {element.font_family or '?'}"
                f" {element.color.value if element.color else ''}".rstrip()
            ),
        }
    if isinstance(element, ImageElement):
        size = element.pixel_size
        return {
            "kind": "image",
            "member": element.member,
            "media_type": element.media_type,
            "pixels": [size.width, size.height],
            "exif_orientation": element.exif_orientation,
            "box": _box(element.box),
            "summary": (
                f"image: {element.member} {size.width:g}×{size.height:g} {element.media_type}"
                + (
                    f" (EXIF orientation {orientation})"
                    if (orientation := element.exif_orientation) != 1
                    else ""
                )
            ),
        }
    assert isinstance(element, OverlayElement)
    return {
        "kind": "overlay",
        "file": element.file_name,
        "summary": f"overlay: {element.file_name}",
    }


def _box(box: Any) -> list[float] | None:
    return None if box is None else [box.x, box.y, box.width, box.height]
