"""What a label is rated with: a package of the store's items measured by the shop's facts, and
the ship-from address, as the Shipping API v2 client takes them."""

from __future__ import annotations

from collections.abc import Sequence

from production.amazon.labels import LabelItem, LabelPackage, ShipFrom
from production.config.settings import Settings
from production.config.shipping import Address
from production.shipping.packages import MissingFactsError, PackedUnit, pack
from production.store import ItemRecord

__all__ = ["label_package", "ship_from"]


def label_package(
    settings: Settings,
    package_ref: str,
    items: Sequence[tuple[str, int]],
    known: Sequence[ItemRecord],
) -> LabelPackage:
    """The package of `items` (order item id, quantity); `MissingFactsError` says what to add."""
    by_id = {item.order_item_id: item for item in known}
    units = []
    for item_id, quantity in items:
        record = by_id[item_id]
        product = settings.product_for(record.asin, record.sku)
        name = f"SKU {record.sku}" if record.sku else f"ASIN {record.asin}"
        if product is None:
            raise MissingFactsError(f"{name} is not a [[product]] of products.toml: add it,"
                                    " with its package")  # fmt: skip
        facts = settings.shipping.package_of(product)
        units.append(PackedUnit(name, facts, quantity))
    packed = pack(units, settings.shipping.boxes)
    return LabelPackage(
        reference=package_ref,
        weight_g=packed.weight_g,
        length_mm=packed.length_mm,
        width_mm=packed.width_mm,
        height_mm=packed.height_mm,
        items=tuple(LabelItem(item_id, quantity) for item_id, quantity in items),
    )


def ship_from(settings: Settings) -> ShipFrom:
    address: Address | None = settings.shipping.ship_from
    if address is None:
        raise MissingFactsError(
            "no ship-from address: add [shipping.ship_from] (name, address_line1, city,"
            " state_or_region, postal_code, country_code) to shop.toml"
        )
    return ShipFrom(
        name=address.name,
        address_line1=address.address_line1,
        city=address.city,
        state_or_region=address.state_or_region,
        postal_code=address.postal_code,
        country_code=address.country_code,
        address_line2=address.address_line2,
        company_name=address.company_name,
        phone_number=address.phone_number,
    )
