"""The top level of a customization document (the zip's JSON, or its XML backup)."""

from __future__ import annotations

import json
from typing import Any

from production.core.errors import CustomizationError
from production.core.model import Item, Source
from production.customization.drafts import DraftCustomization, DraftSurface
from production.customization.legacy import find_version3, read_aspects, read_version3
from production.customization.tree import read_tree
from production.customization.values import Shape

__all__ = ["read_document"]


def read_document(data: Any, shape: Shape, *, from_xml: bool = False) -> DraftCustomization:
    """Turn a parsed document into a draft: the item, and each surface with what the buyer chose."""
    document = shape.obj(data, "document")
    if isinstance(document.get("fulfillmentData"), dict):
        document = _from_seller_central_page(document, shape)
    item = _read_item(document, shape)
    shape.item_id = item.order_item_id
    surfaces, source = _read_surfaces(document, shape)
    return DraftCustomization(item=item, source="xml" if from_xml else source, surfaces=surfaces)


def _read_surfaces(document: dict[str, Any], shape: Shape) -> tuple[list[DraftSurface], Source]:
    tree = document.get("customizationData")
    if tree:
        return read_tree(tree, shape), "customizationData"
    version3 = find_version3(document, shape)
    if version3 is not None:
        surfaces, path = version3
        return read_version3(surfaces, shape, path), "version3.0"
    aspects = read_aspects(document, shape)
    if aspects is not None:
        return aspects, "version2.0"
    raise shape.error("document", "has neither customizationData nor version3.0 nor aspects")


def _read_item(document: dict[str, Any], shape: Shape) -> Item:
    order_item_id = _identifier(document.get("orderItemId"), "orderItemId", shape)
    shape.item_id = order_item_id
    quantity = shape.integer(document.get("quantity"), "quantity", default=1)
    if quantity < 1:
        raise shape.error("quantity", "should be at least 1")
    return Item(
        order_id=_identifier(document.get("orderId"), "orderId", shape),
        order_item_id=order_item_id,
        asin=shape.optional_text(document.get("asin"), "asin"),
        sku=shape.optional_text(document.get("sku"), "sku"),
        quantity=quantity,
        title=shape.optional_text(document.get("title"), "title"),
        marketplace_id=shape.optional_text(document.get("marketplaceId"), "marketplaceId"),
        merchant_id=shape.optional_text(document.get("merchantId"), "merchantId"),
    )


def _identifier(value: Any, key: str, shape: Shape) -> str:
    text = shape.text(value, key).strip()
    if not text:
        raise shape.error(key, "is missing")
    # Ids become file names downstream: allow what Amazon uses, nothing that could be a path.
    if len(text) > 64 or not all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in text):
        raise shape.error(key, "is not an Amazon id (digits, letters and '-' only)")
    return text


def _from_seller_central_page(page: dict[str, Any], shape: Shape) -> dict[str, Any]:
    """The JSON Seller Central's order page loads: the tree is a JSON string inside it."""
    fulfillment = shape.obj(page.get("fulfillmentData"), "fulfillmentData")
    product = shape.obj(page.get("productData"), "productData")
    tree = fulfillment.get("customizationData")
    if isinstance(tree, str):
        try:
            tree = json.loads(tree)
        except json.JSONDecodeError as exc:
            raise CustomizationError(
                "fulfillmentData.customizationData is not valid JSON",
                item_id=shape.item_id,
                source=shape.source,
            ) from exc
    return {
        "orderId": fulfillment.get("orderId"),
        "orderItemId": fulfillment.get("orderItemId"),
        "quantity": fulfillment.get("quantity"),
        "asin": product.get("asin"),
        "sku": product.get("sku"),
        "title": product.get("title"),
        "marketplaceId": product.get("marketplaceId"),
        "merchantId": product.get("merchantId"),
        "customizationData": tree,
    }
