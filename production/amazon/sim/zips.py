"""Customization zips as the simulator needs them: who they belong to, and fresh copies.

The sample zips all carry sample ids (`900-…` orders, `9000000000…` items); `renumbered` makes
a distinct order of one, so that a handful of samples can seed any number of orders.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from production.customization import parse_zip

__all__ = ["ZipItem", "read_item", "renumbered"]

_SAMPLE_IDS = re.compile(rb"9000000000\d{4}|900-\d{7}-\d{7}")
_ORDER_ID = re.compile(r"\d{3}-\d{7}-\d{7}")


@dataclass(frozen=True, slots=True)
class ZipItem:
    """The order item a zip belongs to, as its customization document says."""

    order_id: str
    order_item_id: str
    asin: str | None
    sku: str | None
    title: str | None
    quantity: int
    marketplace_id: str | None


def read_item(data: bytes) -> ZipItem:
    """Read the ids from a zip with the project's own parser (CustomizationError if unusable)."""
    item = parse_zip(data, source="simulated order").item
    return ZipItem(
        order_id=item.order_id,
        order_item_id=item.order_item_id,
        asin=item.asin,
        sku=item.sku,
        title=item.title,
        quantity=item.quantity,
        marketplace_id=item.marketplace_id,
    )


def renumbered(data: bytes, number: int, *, order_id: str | None = None) -> bytes:
    """A sample zip made into another order: its ids get `number` mixed in.

    `order_id` puts the item into that order instead (several zips with one `order_id` and
    different numbers make one order of several items).
    """
    if order_id is not None and _ORDER_ID.fullmatch(order_id) is None:
        raise ValueError(f"an Amazon order id looks like 123-1234567-1234567, not {order_id!r}")
    source = zipfile.ZipFile(io.BytesIO(data))
    document = next(n for n in source.namelist() if n.endswith((".json", ".xml")))
    old_ids = set(_SAMPLE_IDS.findall(source.read(document)))
    new_ids = {old: _new_id(old, number, order_id) for old in old_ids}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content, name = source.read(info), info.filename
            for old, new in new_ids.items():
                content = content.replace(old, new)
                name = name.replace(old.decode(), new.decode())
            archive.writestr(name, content)
    return out.getvalue()


def _new_id(old: bytes, number: int, order_id: str | None) -> bytes:
    text = old.decode()
    if text.startswith("900-"):
        return (order_id or f"901-{number:07d}-{text[-7:]}").encode()
    return f"8{number:05d}{text[6:]}".encode()
