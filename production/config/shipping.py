"""Reading `[shipping]`, `[shipping.ship_from]` and `[[box]]` of shop.toml, and the products'
`package` facts of products.toml, into `ShippingSettings`.

    [shipping]
    labels = "amazon"            # "manual" (default): a person scans a label bought elsewhere
    buy = "printed"              # or "scan": bought when the packer scans the order at the desk
    service = "cheapest"         # or "fastest", or ["UPS Ground", "USPS Priority Mail"]
    max_cost = 25.0              # never a label dearer than this (the marketplace's currency)
    label_format = "PDF"         # or "ZPL"; 4×6 in at the label printer's dpi

With `labels = "amazon"` the shop needs a `[[printer]] kind = "label"` (its dpi 203 or 300),
`[amazon]` and a ship-from address; a product's package facts are checked when an order is
bought, so a product without them holds that order only, saying what to add.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal, cast

from production.config.schema import Location, Table
from production.config.slips import SLIP_KEYS
from production.core.templates import Printer, Product

__all__ = [
    "LABEL_DPIS",
    "LABEL_KIND",
    "SHIPPING_KEYS",
    "Address",
    "BoxSpec",
    "ItemPackage",
    "ShippingSettings",
    "package_key",
    "parse_boxes",
    "parse_packages",
    "parse_shipping",
]

LABEL_KIND = "label"  # `[[printer]] kind = "label"`: the printer labels go to
LABEL_DPIS = (203, 300)  # what purchaseShipment prints a 4×6 in label at
Labels = Literal["manual", "amazon"]
Buy = Literal["printed", "scan"]
LabelFormat = Literal["PDF", "ZPL"]
# The packing slip's keys (`production.config.slips`) share the table.
SHIPPING_KEYS = frozenset(
    {"labels", "buy", "service", "max_cost", "label_format", "printer", "ship_from"}
)
_SHIPPING_KEYS = SHIPPING_KEYS | SLIP_KEYS
_ADDRESS_KEYS = frozenset(
    {"name", "company_name", "address_line1", "address_line2", "city", "state_or_region",
     "postal_code", "country_code", "phone_number"}
)  # fmt: skip
_BOX_KEYS = frozenset({"name", "length_mm", "width_mm", "height_mm", "weight_g", "max_items"})
_PACKAGE_KEYS = frozenset({"weight_g", "length_mm", "width_mm", "height_mm", "box"})
_SIDES = ("length_mm", "width_mm", "height_mm")


@dataclass(frozen=True, slots=True)
class Address:
    """The shop's own address (never a buyer's): where the carrier picks packages up."""

    name: str
    address_line1: str
    city: str
    state_or_region: str
    postal_code: str
    country_code: str
    address_line2: str = ""
    company_name: str = ""
    phone_number: str = ""


@dataclass(frozen=True, slots=True)
class BoxSpec:
    """A `[[box]]` the shop packs in: inner sides, empty weight, how many items it takes."""

    name: str
    length_mm: int
    width_mm: int
    height_mm: int
    weight_g: int
    max_items: int | None = None  # None: as many as fit by size

    @property
    def sides(self) -> tuple[int, int, int]:
        return (self.length_mm, self.width_mm, self.height_mm)


@dataclass(frozen=True, slots=True)
class ItemPackage:
    """One unit of a product as it ships: its weight, and its own sides or the box it needs."""

    weight_g: int
    sides: tuple[int, int, int] | None = None  # packed in its own packaging
    box: str | None = None  # the name of the `[[box]]` it ships in


@dataclass(frozen=True, slots=True)
class ShippingSettings:
    labels: Labels = "manual"
    buy: Buy = "printed"
    service: str | tuple[str, ...] = "cheapest"  # "cheapest", "fastest" or service names
    max_cost: Decimal | None = None
    label_format: LabelFormat = "PDF"
    printer: str | None = None  # the label printer's id (with labels = "amazon")
    ship_from: Address | None = None
    boxes: tuple[BoxSpec, ...] = ()
    packages: Mapping[tuple[str | None, str | None], ItemPackage] = field(default_factory=dict)

    def package_of(self, product: Product) -> ItemPackage | None:
        return self.packages.get(package_key(product))


def package_key(product: Product) -> tuple[str | None, str | None]:
    """How a product's package facts are found: its (asin, sku), unique in products.toml."""
    return (product.asin, product.sku)


def parse_shipping(
    file: Table,
    printers: Mapping[str, Printer],
    products_data: dict[str, object] | None,
    products: Sequence[Product],
    root: Path,
    *,
    amazon: bool,
) -> ShippingSettings:
    """`[shipping]` with the boxes and packages it uses; `ConfigError` names what is wrong."""
    table = file.table("shipping", _SHIPPING_KEYS) or Table(
        {}, file.location.child("[shipping]"), ()
    )
    boxes = parse_boxes(file)
    labels = cast(Labels, table.choice("labels", ("manual", "amazon"), "manual"))
    printer = _label_printer(table, printers) if labels == "amazon" else None
    if labels == "amazon" and not amazon:
        raise table.error('labels = "amazon" needs [amazon] (the Selling Partner API)')
    max_cost = table.number("max_cost", positive=True) if "max_cost" in table else None
    return ShippingSettings(
        labels=labels,
        buy=cast(Buy, table.choice("buy", ("printed", "scan"), "printed")),
        service=_service(table),
        max_cost=None if max_cost is None else Decimal(str(max_cost)),
        label_format=cast(LabelFormat, table.choice("label_format", ("PDF", "ZPL"), "PDF")),
        printer=printer,
        ship_from=_address(table),
        boxes=boxes,
        packages=parse_packages(products_data, products, root, {box.name for box in boxes}),
    )


def parse_boxes(file: Table) -> tuple[BoxSpec, ...]:
    boxes: list[BoxSpec] = []
    for number, entry in enumerate(file.array_of_tables("box"), start=1):
        table = Table(entry, file.location.child(f"box[{number}]"), _BOX_KEYS)
        name = table.text("name")
        if any(box.name == name for box in boxes):
            raise table.error(f"repeats the box name '{name}'")
        boxes.append(
            BoxSpec(
                name=name,
                length_mm=table.integer("length_mm", minimum=1),
                width_mm=table.integer("width_mm", minimum=1),
                height_mm=table.integer("height_mm", minimum=1),
                weight_g=table.integer("weight_g", 0),
                max_items=table.integer("max_items", minimum=1) if "max_items" in table else None,
            )
        )
    return tuple(boxes)


def parse_packages(
    data: dict[str, object] | None,
    products: Sequence[Product],
    root: Path,
    box_names: set[str],
) -> dict[tuple[str | None, str | None], ItemPackage]:
    """The `package` of each `[[product]]` that has one (products are already checked)."""
    entries = (data or {}).get("product", [])
    found: dict[tuple[str | None, str | None], ItemPackage] = {}
    if not isinstance(entries, list):
        return found
    for number, (entry, product) in enumerate(zip(entries, products, strict=False), start=1):
        if not isinstance(entry, dict) or "package" not in entry:
            continue
        location = Location(str(root), "products.toml").child(f"product[{number}] package")
        found[package_key(product)] = _package(Table(entry["package"], location, _PACKAGE_KEYS),
                                               box_names)  # fmt: skip
    return found


def _package(table: Table, box_names: set[str]) -> ItemPackage:
    weight = table.integer("weight_g", minimum=1)
    box = table.optional_text("box")
    given = [side for side in _SIDES if side in table]
    if box is not None:
        if given:
            raise table.error("gives a box and its own sides: give one or the other")
        if box not in box_names:
            known = ", ".join(sorted(box_names)) or "none"
            raise table.error(f"box '{box}' is not a [[box]] of shop.toml (known: {known})")
        return ItemPackage(weight, box=box)
    if len(given) != len(_SIDES):
        raise table.error('needs length_mm, width_mm and height_mm, or box = "name"')
    sides = tuple(table.integer(side, minimum=1) for side in _SIDES)
    return ItemPackage(weight, sides=(sides[0], sides[1], sides[2]))


def _label_printer(table: Table, printers: Mapping[str, Printer]) -> str:
    labels = [p for p in printers.values() if p.kind == LABEL_KIND]
    wanted = table.optional_text("printer")
    if wanted is not None:
        labels = [p for p in labels if p.id == wanted]
        if not labels:
            raise table.error(f"printer '{wanted}' is not a [[printer]] with kind = \"label\"")
    if not labels:
        raise table.error(
            'labels = "amazon" needs a label printer: a [[printer]] with kind = "label" in'
            " printers.toml"
        )
    if len(labels) > 1:
        raise table.error('several label printers: say which one with printer = "id"')
    if labels[0].dpi not in LABEL_DPIS:
        raise table.error(
            f"the label printer '{labels[0].id}' has dpi {labels[0].dpi}; Amazon prints labels"
            f" at {' or '.join(map(str, LABEL_DPIS))}"
        )
    return labels[0].id


def _service(table: Table) -> str | tuple[str, ...]:
    raw = table.raw("service")
    if raw is None:
        return "cheapest"
    if isinstance(raw, list):
        names = table.text_list("service")
        if not names:
            raise table.error("service must name at least one service")
        return names
    return table.choice("service", ("cheapest", "fastest"))


def _address(table: Table) -> Address | None:
    raw = table.table("ship_from", _ADDRESS_KEYS)
    if raw is None:
        return None
    return Address(
        name=raw.text("name"),
        address_line1=raw.text("address_line1"),
        city=raw.text("city"),
        state_or_region=raw.text("state_or_region"),
        postal_code=raw.text("postal_code"),
        country_code=raw.text("country_code"),
        address_line2=raw.optional_text("address_line2") or "",
        company_name=raw.optional_text("company_name") or "",
        phone_number=raw.optional_text("phone_number") or "",
    )
