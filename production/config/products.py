"""Reading `products.toml` into the core's product templates (`production.core.templates`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

from production.config.schema import Location, Table, resolve_path
from production.core.geometry import Box
from production.core.templates import (
    DEFAULT_BLEED_MM,
    DEFAULT_MIN_PPI_HOLD,
    DEFAULT_MIN_PPI_WARN,
    DEFAULT_MIN_PROOF_SCORE,
    DEFAULT_SAFE_MARGIN_MM,
    DITHERS,
    OVERLAYS,
    PROCESSES,
    Companion,
    Dither,
    Overlays,
    Process,
    Product,
    SurfaceTemplate,
    surface_key,
)

__all__ = ["parse_dither", "parse_products"]

# Error-diffusion kernels a shop may ask for by name but that are not offered: each pixel
# depends on the one before it, which pure Python does at a few seconds per engraved sign.
_SLOW_DITHERS = frozenset(
    {"atkinson", "jarvis", "jarvis-judice-ninke", "stucki", "burkes", "sierra"}
)

# `package` is read by production.config.shipping (the facts a label is rated with).
_PRODUCT_KEYS = frozenset({"asin", "sku", "name", "companions", "surface", "package"})
_COMPANION_KEYS = frozenset({"sku", "quantity"})
_SURFACE_KEYS = frozenset(
    {
        "name", "printer", "process", "width_mm", "height_mm", "bleed_mm", "design_box",
        "safe_margin_mm", "min_ppi_hold", "min_ppi_warn", "min_proof_score", "cut", "overlays",
        "dither", "invert",
    }
)  # fmt: skip
_ROUNDED = re.compile(r"rounded:(\d+(?:\.\d+)?)")
_T = TypeVar("_T")
_SIZE_TOLERANCE_MM = 0.5  # a cut drawing this close to the surface's size is taken as meant


@dataclass(frozen=True, slots=True)
class _Context:
    root: Path  # the configuration folder
    printers: Collection[str]
    svg_printers: Collection[str]  # printers that take SVG: lasers, so engrave surfaces only
    assets: Path | None  # the shop's assets folder: cut drawings named by file name live there


def parse_products(
    data: dict[str, object] | None,
    root: Path,
    printers: Collection[str],
    *,
    svg_printers: Collection[str] = (),
    assets: Path | None = None,
) -> tuple[Product, ...]:
    """Every `[[product]]` of products.toml, checked against the printer ids."""
    file = Table(data or {}, Location(str(root), "products.toml"), {"product"})
    context = _Context(root, printers, svg_printers, assets)
    products: list[Product] = []
    for number, entry in enumerate(file.array_of_tables("product"), start=1):
        location = file.location.child(f"product[{number}]{_label(entry)}")
        products.append(_product(Table(entry, location, _PRODUCT_KEYS), context))
    _check_unique(products, file.location)
    return tuple(products)


def _label(entry: dict[str, object]) -> str:
    # Name the entry by what the shop owner searches for; fall back to its number alone.
    for key in ("sku", "asin"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return f" ({key} {value.strip()})"
    return ""


def _product(table: Table, context: _Context) -> Product:
    asin, sku = table.optional_text("asin"), table.optional_text("sku")
    if asin is None and sku is None:
        raise table.error("needs an asin or a sku to be matched to orders")
    surfaces: list[SurfaceTemplate] = []
    seen: dict[str, str] = {}
    for entry in table.array_of_tables("surface"):
        name = entry.get("name")
        label = f"surface '{name.strip()}'" if isinstance(name, str) else "surface"
        surface_table = Table(entry, table.location.child(label), _SURFACE_KEYS)
        surface = _surface(surface_table, context)
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


def _surface(table: Table, context: _Context) -> SurfaceTemplate:
    name = table.text("name")
    printer = table.text("printer")
    if printer not in context.printers:
        known = ", ".join(sorted(context.printers)) or "none"
        raise table.error(f"printer '{printer}' is not in printers.toml (known: {known})")
    process = cast(Process, table.choice("process", PROCESSES))
    if printer in context.svg_printers and process != "engrave":
        raise table.error(
            f"printer '{printer}' takes SVG files, which are made for engrave surfaces only; "
            f"this one is '{process}' (give it a printer with format = \"pdf\")"
        )
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
        min_ppi_warn=table.number("min_ppi_warn", DEFAULT_MIN_PPI_WARN),
        min_proof_score=_score(table, "min_proof_score", DEFAULT_MIN_PROOF_SCORE),
        cut=_cut(table, context, process, width, height),
        overlays=cast(Overlays, table.choice("overlays", OVERLAYS, "auto")),
        dither=_engrave_only(table, process, "dither", parse_dither),
        invert=_engrave_only(table, process, "invert", lambda t, key: t.boolean(key)),
    )


def _score(table: Table, key: str, default: float) -> float:
    value = table.number(key, default)
    if value > 1:
        raise table.error(f"{key} is a similarity from 0 to 1, not {value:g}")
    return value


def parse_dither(table: Table, key: str = "dither") -> Dither:
    """A `dither` value; the error names the methods offered and why others are not."""
    value = table.text(key).lower()
    if value in DITHERS:
        return value
    offered = ", ".join(f"'{d}'" for d in DITHERS)
    if value in _SLOW_DITHERS:
        raise table.error(
            f"{key} '{value}' is not offered: only Floyd–Steinberg error diffusion is fast "
            f"enough here (use one of {offered}, or let the laser software dither)"
        )
    raise table.error(f"{key} must be one of {offered}, not '{value}'")


def _engrave_only(
    table: Table, process: Process, key: str, read: Callable[[Table, str], _T]
) -> _T | None:
    if key not in table:
        return None
    if process != "engrave":
        raise table.error(f"{key} applies to engrave surfaces only, this one is '{process}'")
    return read(table, key)


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


def _cut(
    table: Table, context: _Context, process: Process, width: float, height: float
) -> str | None:
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
    # Checked now: a missing or unreadable cut file found at render time would stop a job
    # mid-batch.
    path = _cut_path(context, cut)
    if not path.is_file():
        raise table.error(f"cut file {path} does not exist")
    # Imported here: only shops with SVG cut lines pay for the SVG path reader at start-up.
    from renderers.cutlines import CutFileError, read_cut_svg

    try:
        drawing = read_cut_svg(path.read_bytes())
    except (OSError, CutFileError) as exc:
        raise table.error(f"cut file {path} cannot be used: {exc}") from exc
    _check_cut_size(table, path, drawing.size_mm, drawing.view_box, width, height)
    return str(path)


def _cut_path(context: _Context, cut: str) -> Path:
    """A bare file name is looked for in the assets folder first, then the config folder."""
    if context.assets is not None and "/" not in cut and "\\" not in cut:
        in_assets = context.assets / cut
        if in_assets.is_file():
            return in_assets
    return resolve_path(context.root, cut)


def _check_cut_size(
    table: Table,
    path: Path,
    size_mm: tuple[float, float] | None,
    view_box: Box,
    width: float,
    height: float,
) -> None:
    """The drawing is stretched onto the trim area: refuse one drawn for another size."""
    if size_mm is not None:
        drawn_w, drawn_h = size_mm
        if max(abs(drawn_w - width), abs(drawn_h - height)) > _SIZE_TOLERANCE_MM:
            raise table.error(
                f"cut file {path.name} is {drawn_w:g}×{drawn_h:g} mm but the surface is "
                f"{width:g}×{height:g} mm"
            )
        return
    drawn, wanted = view_box.width / view_box.height, width / height
    if abs(drawn / wanted - 1) > 0.01:
        raise table.error(
            f"cut file {path.name} has the proportions {drawn:.3f}:1 but the surface "
            f"{wanted:.3f}:1; it would be stretched"
        )


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
