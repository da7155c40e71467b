"""The product templates of `products.toml`: which printer makes each surface, and at what size.

Amazon describes a design in 400×400 preview units; a `SurfaceTemplate` says how large the
finished (trim) area is in millimetres and which part of the preview (`design_box`) maps onto it.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from production.geometry import Box
from production.settings_schema import Location, Table, resolve_path

__all__ = [
    "DEFAULT_BLEED_MM",
    "DEFAULT_MIN_PPI_HOLD",
    "DEFAULT_SAFE_MARGIN_MM",
    "OVERLAYS",
    "PROCESSES",
    "Companion",
    "Overlays",
    "Process",
    "Product",
    "SurfaceTemplate",
    "parse_products",
    "surface_key",
]

Process = Literal["print", "engrave", "sublimation"]
PROCESSES: tuple[Process, ...] = ("print", "engrave", "sublimation")
Overlays = Literal["auto", "print", "skip"]
OVERLAYS: tuple[Overlays, ...] = ("auto", "print", "skip")

DEFAULT_BLEED_MM = 0.0
DEFAULT_SAFE_MARGIN_MM = 3.0
DEFAULT_MIN_PPI_HOLD = 150.0

_PRODUCT_KEYS = frozenset({"asin", "sku", "name", "companions", "surface"})
_COMPANION_KEYS = frozenset({"sku", "quantity"})
_SURFACE_KEYS = frozenset(
    {
        "name", "printer", "process", "width_mm", "height_mm", "bleed_mm", "design_box",
        "safe_margin_mm", "min_ppi_hold", "cut", "overlays",
    }
)  # fmt: skip
_ROUNDED = re.compile(r"rounded:(\d+(?:\.\d+)?)")


def surface_key(name: str) -> str:
    """A surface name as Amazon's variants of it compare: case and runs of spaces ignored."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True, slots=True)
class Companion:
    """Something that ships with the product (a leash with a tag); kept for a later feature."""

    sku: str
    quantity: int = 1


@dataclass(frozen=True, slots=True)
class SurfaceTemplate:
    """One printable surface of a product (a `PreviewContainerCustomization`)."""

    name: str
    printer: str  # a key of `Settings.printers`
    process: Process
    width_mm: float  # the finished (trim) size
    height_mm: float
    bleed_mm: float = DEFAULT_BLEED_MM
    design_box: Box | None = None  # preview units; None: the union of the placement boxes
    safe_margin_mm: float = DEFAULT_SAFE_MARGIN_MM
    min_ppi_hold: float = DEFAULT_MIN_PPI_HOLD  # below this effective ppi the job is held
    cut: str | None = None  # engrave only: "rect", "rounded:R_MM" or an absolute SVG path
    # Option overlay images: "auto" prints those found in the assets folder (the rest are
    # usually preview masks), "print" requires them, "skip" never prints them.
    overlays: Overlays = "auto"


@dataclass(frozen=True, slots=True)
class Product:
    """A product the shop makes, found by ASIN or seller SKU."""

    asin: str | None
    sku: str | None
    name: str
    surfaces: tuple[SurfaceTemplate, ...] = ()
    companions: tuple[Companion, ...] = ()

    def surface(self, name: str) -> SurfaceTemplate | None:
        """The template for a surface: the exact name first, then ignoring case and spacing."""
        for surface in self.surfaces:
            if surface.name == name:
                return surface
        key = surface_key(name)
        for surface in self.surfaces:
            if surface_key(surface.name) == key:
                return surface
        return None


def parse_products(
    data: dict[str, object] | None, root: Path, printers: Collection[str]
) -> tuple[Product, ...]:
    """Every `[[product]]` of products.toml, checked against the printer ids."""
    file = Table(data or {}, Location(str(root), "products.toml"), {"product"})
    products: list[Product] = []
    for number, entry in enumerate(file.array_of_tables("product"), start=1):
        location = file.location.child(f"product[{number}]{_label(entry)}")
        products.append(_product(Table(entry, location, _PRODUCT_KEYS), root, printers))
    _check_unique(products, file.location)
    return tuple(products)


def _label(entry: dict[str, object]) -> str:
    # Name the entry by what the shop owner searches for; fall back to its number alone.
    for key in ("sku", "asin"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return f" ({key} {value.strip()})"
    return ""


def _product(table: Table, root: Path, printers: Collection[str]) -> Product:
    asin, sku = table.optional_text("asin"), table.optional_text("sku")
    if asin is None and sku is None:
        raise table.error("needs an asin or a sku to be matched to orders")
    surfaces: list[SurfaceTemplate] = []
    seen: dict[str, str] = {}
    for entry in table.array_of_tables("surface"):
        name = entry.get("name")
        label = f"surface '{name.strip()}'" if isinstance(name, str) else "surface"
        surface_table = Table(entry, table.location.child(label), _SURFACE_KEYS)
        surface = _surface(surface_table, root, printers)
        if surface_key(surface.name) in seen:
            raise surface_table.error(f"repeats surface '{seen[surface_key(surface.name)]}'")
        seen[surface_key(surface.name)] = surface.name
        surfaces.append(surface)
    return Product(
        asin=asin,
        sku=sku,
        name=table.text("name", sku or asin),
        surfaces=tuple(surfaces),
        companions=_companions(table),
    )


def _companions(table: Table) -> tuple[Companion, ...]:
    raw = table.raw("companions")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise table.error("companions must be an array of { sku = ..., quantity = ... } tables")
    companions = []
    for index, entry in enumerate(raw):
        item = Table(entry, table.location.child(f"companions[{index}]"), _COMPANION_KEYS)
        companions.append(Companion(item.text("sku"), item.integer("quantity", 1, minimum=1)))
    return tuple(companions)


def _surface(table: Table, root: Path, printers: Collection[str]) -> SurfaceTemplate:
    name = table.text("name")
    printer = table.text("printer")
    if printer not in printers:
        known = ", ".join(sorted(printers)) or "none"
        raise table.error(f"printer '{printer}' is not in printers.toml (known: {known})")
    process = cast(Process, table.choice("process", PROCESSES))
    width = table.number("width_mm", positive=True)
    height = table.number("height_mm", positive=True)
    margin = table.number("safe_margin_mm", DEFAULT_SAFE_MARGIN_MM)
    if 2 * margin >= min(width, height):
        raise table.error(f"safe_margin_mm {margin:g} leaves no room in {width:g}×{height:g} mm")
    return SurfaceTemplate(
        name=name,
        printer=printer,
        process=process,
        width_mm=width,
        height_mm=height,
        bleed_mm=table.number("bleed_mm", DEFAULT_BLEED_MM),
        design_box=_design_box(table),
        safe_margin_mm=margin,
        min_ppi_hold=table.number("min_ppi_hold", DEFAULT_MIN_PPI_HOLD),
        cut=_cut(table, root, process, width, height),
        overlays=cast(Overlays, table.choice("overlays", OVERLAYS, "auto")),
    )


def _design_box(table: Table) -> Box | None:
    if "design_box" not in table:
        return None
    values = table.number_list("design_box")
    if len(values) != 4:
        raise table.error(f"design_box must be 4 numbers [x, y, width, height], not {len(values)}")
    x, y, width, height = values
    if width <= 0 or height <= 0:
        raise table.error(f"design_box width and height must be greater than 0 in {list(values)}")
    return Box(x, y, width, height)


def _cut(table: Table, root: Path, process: Process, width: float, height: float) -> str | None:
    cut = table.optional_text("cut")
    if cut is None:
        return None
    if process != "engrave":
        raise table.error(f"cut applies to engrave surfaces only, this one is '{process}'")
    if cut == "rect":
        return cut
    rounded = _ROUNDED.fullmatch(cut)
    if rounded is not None:
        radius = float(rounded.group(1))
        if not 0 < radius <= min(width, height) / 2:
            raise table.error(f"cut radius {radius:g} mm does not fit {width:g}×{height:g} mm")
        return cut
    if not cut.lower().endswith(".svg"):
        raise table.error(f"cut must be 'rect', 'rounded:R_MM' or an .svg file, not '{cut}'")
    # Checked now: a missing cut file found at render time would stop a job mid-batch.
    path = resolve_path(root, cut)
    if not path.is_file():
        raise table.error(f"cut file {path} does not exist")
    return str(path)


def _check_unique(products: list[Product], location: Location) -> None:
    # ASINs are upper-case and Amazon treats seller SKUs case-insensitively: compare folded.
    first: dict[tuple[str, str], int] = {}
    for number, product in enumerate(products, start=1):
        for kind, value in (("asin", product.asin), ("sku", product.sku)):
            if value is None:
                continue
            key = (kind, value.casefold())
            if key in first:
                label = f" (sku {product.sku})" if product.sku else f" (asin {product.asin})"
                entry = location.child(f"product[{number}]{label}")
                raise entry.error(f"repeats the {kind} {value} of product[{first[key]}]")
            first[key] = number
