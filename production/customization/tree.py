"""The `customizationData` tree: the authoritative account of what the buyer chose."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from production.core.geometry import Box, Size
from production.core.model import BuyerPlacement, Color, Option
from production.customization.drafts import DraftImage, DraftSurface, DraftText
from production.customization.values import Shape, as_list, split_lines

__all__ = ["read_tree"]

_MAX_DEPTH = 32


@dataclass(frozen=True, slots=True)
class _Context:
    """What enclosing containers set for the text inside them."""

    font_family: str | None = None
    color: Color | None = None
    placement: dict[str, Any] | None = None
    placement_path: str = ""
    price_delta: Decimal | None = None


def read_tree(tree: Any, shape: Shape, path: str = "customizationData") -> list[DraftSurface]:
    """Every surface (PreviewContainerCustomization) of the tree, in order."""
    root = shape.obj(tree, path)
    surfaces: list[DraftSurface] = []
    _find_surfaces(root, shape, path, surfaces, 0)
    if not surfaces:
        raise shape.error(path, "has no surface (PreviewContainerCustomization)")
    return surfaces


def _find_surfaces(
    node: dict[str, Any], shape: Shape, path: str, out: list[DraftSurface], depth: int
) -> None:
    if depth > _MAX_DEPTH:
        raise shape.error(path, f"is nested deeper than any customization ({_MAX_DEPTH} levels)")
    if node.get("type") == "PreviewContainerCustomization":
        out.append(_read_surface(node, shape, path))
        return
    for index, child in enumerate(as_list(node.get("children"))):
        child_path = f"{path}.children[{index}]"
        _find_surfaces(shape.obj(child, child_path), shape, child_path, out, depth + 1)


def _read_surface(node: dict[str, Any], shape: Shape, path: str) -> DraftSurface:
    snapshot = shape.obj(node.get("snapshot"), f"{path}.snapshot")
    base = shape.obj(node.get("baseImage"), f"{path}.baseImage")
    surface = DraftSurface(
        name=shape.text(node.get("name"), f"{path}.name").strip(),
        label=shape.text(node.get("label"), f"{path}.label").strip(),
        svg_member=shape.optional_text(node.get("svg"), f"{path}.svg"),
        snapshot_member=shape.optional_text(
            snapshot.get("imageName"), f"{path}.snapshot.imageName"
        ),
        base_image_url=shape.optional_text(base.get("imageUrl"), f"{path}.baseImage.imageUrl"),
    )
    _SurfaceWalker(surface, shape).walk(node, path, _Context(), 0)
    return surface


class _SurfaceWalker:
    def __init__(self, surface: DraftSurface, shape: Shape) -> None:
        self.surface = surface
        self.shape = shape

    def walk(self, node: dict[str, Any], path: str, ctx: _Context, depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise self.shape.error(
                path, f"is nested deeper than any customization ({_MAX_DEPTH} levels)"
            )
        kind = node.get("type")
        if kind == "PlacementContainerCustomization":
            self.surface.boxes.append(self._box(node, path))
            ctx = replace(ctx, placement=node, placement_path=path)
        elif kind == "FlatRatePriceDeltaContainerCustomization":
            delta = self.shape.obj(node.get("priceDelta"), f"{path}.priceDelta")
            amount = self.shape.decimal(delta.get("amount"), f"{path}.priceDelta.amount")
            ctx = replace(ctx, price_delta=amount)
        elif kind == "TextCustomization":
            self._text(node, path, ctx)
            return
        elif kind == "ImageCustomization":
            self._image(node, path, ctx)
            return
        elif kind == "OptionCustomization":
            self.surface.options.append(self._option(node, path))
            return
        children = [
            (f"{path}.children[{i}]", self.shape.obj(child, f"{path}.children[{i}]"))
            for i, child in enumerate(as_list(node.get("children")))
        ]
        # Font and colour apply to every text in the same container, wherever they stand in it.
        for child_path, child in children:
            ctx = self._style(child, child_path, ctx)
        for child_path, child in children:
            self.walk(child, child_path, ctx, depth + 1)

    def _style(self, node: dict[str, Any], path: str, ctx: _Context) -> _Context:
        kind = node.get("type")
        if kind == "FontCustomization":
            selection = self.shape.obj(node.get("fontSelection"), f"{path}.fontSelection")
            family = self.shape.optional_text(
                selection.get("family"), f"{path}.fontSelection.family"
            )
            return replace(ctx, font_family=family or ctx.font_family)
        if kind == "ColorCustomization":
            selection = self.shape.obj(node.get("colorSelection"), f"{path}.colorSelection")
            name = self.shape.optional_text(selection.get("name"), f"{path}.colorSelection.name")
            color = self.shape.color(
                selection.get("value"), f"{path}.colorSelection.value", name=name
            )
            return replace(ctx, color=color or ctx.color)
        return ctx

    def _box(self, node: dict[str, Any], path: str) -> Box:
        return self.shape.box(node.get("position"), node.get("dimension"), path)

    def _buyer_placement(self, ctx: _Context) -> BuyerPlacement | None:
        if ctx.placement is None or not ctx.placement.get("buyerPlacement"):
            return None
        path = f"{ctx.placement_path}.buyerPlacement"
        data = self.shape.obj(ctx.placement.get("buyerPlacement"), path)
        scale = self.shape.obj(data.get("scale"), f"{path}.scale")
        scale_x = self.shape.scale(scale.get("scaleX"), f"{path}.scale.scaleX")
        scale_y = self.shape.scale(scale.get("scaleY", scale_x), f"{path}.scale.scaleY")
        return BuyerPlacement(
            position=self.shape.point(data.get("position"), f"{path}.position"),
            size=self.shape.size(data.get("dimension"), f"{path}.dimension"),
            scale=scale_x,
            rotation=self.shape.number(data.get("angleOfRotation", 0), f"{path}.angleOfRotation"),
            scale_y=None if abs(scale_y - scale_x) < 1e-12 else scale_y,
        )

    def _placement_names(self, node: dict[str, Any], path: str, ctx: _Context) -> tuple[str, str]:
        own_name = self.shape.text(node.get("name"), f"{path}.name")
        own_label = self.shape.text(node.get("label"), f"{path}.label")
        if ctx.placement is not None:
            outer = ctx.placement
            name = self.shape.text(outer.get("name"), f"{ctx.placement_path}.name") or own_name
            return name, own_label or self.shape.text(outer.get("label"), ctx.placement_path)
        return own_name, own_label

    def _text(self, node: dict[str, Any], path: str, ctx: _Context) -> None:
        value = self.shape.text(node.get("inputValue"), f"{path}.inputValue")
        if not value:
            return  # left empty by the buyer: nothing to print
        name, label = self._placement_names(node, path, ctx)
        self.surface.texts.append(
            DraftText(
                name=name,
                label=label,
                lines=split_lines(value),
                font_family=ctx.font_family,
                color=ctx.color,
                box=self._box(ctx.placement, ctx.placement_path) if ctx.placement else None,
                buyer_placement=self._buyer_placement(ctx),
                price_delta=ctx.price_delta,
            )
        )

    def _image(self, node: dict[str, Any], path: str, ctx: _Context) -> None:
        image = self.shape.obj(node.get("image"), f"{path}.image")
        member = self.shape.optional_text(image.get("imageName"), f"{path}.image.imageName")
        if member is None:
            return  # no upload for this placement
        name, label = self._placement_names(node, path, ctx)
        self.surface.images.append(
            DraftImage(
                name=name,
                label=label,
                member=member,
                box=self._box(ctx.placement, ctx.placement_path) if ctx.placement else None,
                buyer_placement=self._buyer_placement(ctx),
            )
        )

    def _option(self, node: dict[str, Any], path: str) -> Option:
        sel_path = f"{path}.optionSelection"
        selection = self.shape.obj(node.get("optionSelection"), sel_path)
        cost = self.shape.obj(selection.get("additionalCost"), f"{sel_path}.additionalCost")
        overlay = self.shape.obj(selection.get("overlayImage"), f"{sel_path}.overlayImage")
        thumb = self.shape.obj(selection.get("thumbnailImage"), f"{sel_path}.thumbnailImage")
        display = self.shape.text(node.get("displayValue"), f"{path}.displayValue")
        value = display or self.shape.text(selection.get("label"), f"{sel_path}.label")
        overlay_size: Size | None = None
        if overlay.get("dimension"):
            overlay_size = self.shape.size(overlay.get("dimension"), f"{sel_path}.overlayImage")
        return Option(
            name=self.shape.text(node.get("name"), f"{path}.name"),
            label=self.shape.text(node.get("label"), f"{path}.label"),
            value=value or self.shape.text(selection.get("name"), f"{sel_path}.name"),
            price_delta=self.shape.decimal(cost.get("amount"), f"{sel_path}.additionalCost.amount"),
            currency=self.shape.optional_text(cost.get("currency"), f"{sel_path}.currency"),
            overlay_url=self.shape.optional_text(
                overlay.get("imageUrl"), f"{sel_path}.overlayImage"
            ),
            overlay_size=overlay_size,
            thumbnail_url=self.shape.optional_text(thumb.get("imageUrl"), f"{sel_path}.thumbnail"),
        )
