"""What the shop makes and on what: products, their surfaces, and the devices that print them.

Plain data read from `products.toml` and `printers.toml` (by `production.config`) and used by
every layer above: the renderers size a surface by its `SurfaceTemplate`, the devices deliver
to a `Printer`. Amazon describes a design in 400×400 preview units; a template says how large
the finished (trim) area is in millimetres and which part of the preview (`design_box`) maps
onto it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from production.core.geometry import Box

__all__ = [
    "DEFAULT_BLEED_MM",
    "DEFAULT_MIN_PPI_HOLD",
    "DEFAULT_MIN_PPI_WARN",
    "DEFAULT_MIN_PROOF_SCORE",
    "DEFAULT_PRINTER_DPI",
    "DEFAULT_SAFE_MARGIN_MM",
    "DITHERS",
    "OVERLAYS",
    "PROCESSES",
    "TICKET_FORMATS",
    "Companion",
    "Dither",
    "Feedback",
    "Overlays",
    "PrintFormat",
    "Printer",
    "Process",
    "Product",
    "SurfaceTemplate",
    "TicketFormat",
    "surface_key",
]

Process = Literal["print", "engrave", "sublimation"]
PROCESSES: tuple[Process, ...] = ("print", "engrave", "sublimation")
Overlays = Literal["auto", "print", "skip"]
OVERLAYS: tuple[Overlays, ...] = ("auto", "print", "skip")
Dither = Literal["none", "threshold", "floyd-steinberg", "ordered"]
DITHERS: tuple[Dither, ...] = ("none", "threshold", "floyd-steinberg", "ordered")
PrintFormat = Literal["pdf", "svg"]
Feedback = Literal["done_folder", "manual"]
# "xjdf": a CIP4 XJDF ticket beside the JSON one, for RIPs that read JDF/XJDF from a hot folder.
TicketFormat = Literal["json", "xjdf"]
TICKET_FORMATS: tuple[TicketFormat, ...] = ("json", "xjdf")

DEFAULT_BLEED_MM = 0.0
DEFAULT_SAFE_MARGIN_MM = 3.0
DEFAULT_MIN_PPI_HOLD = 150.0
DEFAULT_MIN_PPI_WARN = 300.0
# Structural similarity of the print file and Amazon's preview (renderers.proofcheck): faithful
# renders of the samples score 0.93 or more even over a product photo, a 2.5 mm shift 0.4 or less.
DEFAULT_MIN_PROOF_SCORE = 0.6
DEFAULT_PRINTER_DPI = 300


def surface_key(name: str) -> str:
    """A surface name as Amazon's variants of it compare: case and runs of spaces ignored."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True, slots=True)
class Companion:
    """A stock item that ships with the product (a leash with a tag), sent by Amazon (MCF)."""

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
    min_ppi_warn: float = DEFAULT_MIN_PPI_WARN  # below this the ticket warns
    # Below this similarity to Amazon's preview the job is held (0: never held for it).
    min_proof_score: float = DEFAULT_MIN_PROOF_SCORE
    cut: str | None = None  # engrave only: "rect", "rounded:R_MM" or an absolute SVG path
    # Engrave only, over the printer's own setting: how photos are screened for the laser, and
    # whether they are inverted (marks lighter than the surface: anodized aluminium).
    dither: Dither | None = None
    invert: bool | None = None
    # Option overlay images: "auto" prints those found in the assets folder (the rest are
    # usually preview masks), "print" requires them, "skip" never prints them.
    overlays: Overlays = "auto"

    @property
    def print_size_mm(self) -> tuple[float, float]:
        """The printed page: the finished size with the bleed on every side."""
        return (self.width_mm + 2 * self.bleed_mm, self.height_mm + 2 * self.bleed_mm)


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


@dataclass(frozen=True, slots=True)
class Printer:
    """A device the shop prints on; `kind` says how its files reach it (`printers.devices`)."""

    id: str
    name: str
    hot_folder: Path
    done_folder: Path | None = None  # where the RIP moves finished files, if it does
    dpi: int = DEFAULT_PRINTER_DPI
    mirror: bool = False  # a property of the device (sublimation, DTF), never of the design
    format: PrintFormat = "pdf"  # "svg": lasers only, for engrave surfaces
    feedback: Feedback = "manual"
    # Lasers: how engraved photos are screened and whether they are inverted, unless the
    # product's template says otherwise (None: not set here).
    dither: Dither | None = None
    invert: bool | None = None
    kind: str = "hotfolder"  # a built-in device kind, or "package.module:Class"
    ticket: TicketFormat = "json"  # "xjdf": an XJDF ticket beside the JSON one
    job_sheet: bool = False  # a printed sheet with the job's barcode beside each job's files
