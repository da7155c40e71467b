"""From one order item's zip to its print jobs: a PDF and a ticket per printable surface.

This is where the parts meet: the zip reader gives the customization, the shop's product
templates say how large each surface prints and on which device, the PDF renderer (or, for
engrave surfaces, the engraver) draws it, and the ticket describes it. Everything happens in
memory; nothing is written until every surface of the item has rendered, so a failure leaves no
partial output behind.

A job's files come in two forms. `JobOutput.files()` are the masters: the design as it is, never
mirrored, plus an SVG for a laser that takes SVG. `JobOutput.device_files()` is what the
printer's hot folder gets (`printers.device.device_files`): its one print file, mirrored for a
mirroring device, and the ticket. `production render --out` writes device files, so what it
shows is what the device would print.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from printers.device import device_files
from printers.tickets import JobIdentity, Preflight, job_identity, ticket, ticket_bytes
from production.customization import ZipMembers, parse_members, read_zip
from production.errors import (
    ConfigError,
    CustomizationError,
    ProductionError,
    RenderError,
    UnknownProductError,
)
from production.files import write_group
from production.model import Customization, Surface
from production.settings import Printer, Settings
from production.settings_products import Product, SurfaceTemplate
from renderers.engraving import Engraver, EngraveSettings
from renderers.fonts import FontIndex
from renderers.pdf import PdfRenderer, RenderedSurface, image_report
from renderers.placement import PageGeometry, page_geometry
from renderers.svgfallback import render_svg_page

__all__ = ["ItemOutput", "ItemRenderer", "JobOutput", "engrave_settings", "utc_now"]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class JobOutput:
    """One job: a surface to print (with its PDF), or an options-only item (ticket alone)."""

    identity: JobIdentity
    surface: str
    template: SurfaceTemplate | None
    printer: Printer | None
    pdf: bytes | None  # the master: never mirrored
    ticket: dict[str, Any]
    svg: bytes | None = None  # engrave surfaces on a laser that takes SVG

    @property
    def pdf_name(self) -> str | None:
        return f"{self.identity.stem}.pdf" if self.pdf is not None else None

    @property
    def svg_name(self) -> str | None:
        return f"{self.identity.stem}.svg" if self.svg is not None else None

    @property
    def ticket_name(self) -> str:
        return f"{self.identity.stem}.json"

    @property
    def held(self) -> bool:
        return bool(self.ticket["hold"])

    def files(self) -> dict[str, bytes]:
        """The masters, file name → bytes: the PDF (if any), the SVG (if any) and the ticket."""
        files = {self.ticket_name: ticket_bytes(self.ticket)}
        if self.svg is not None and self.svg_name is not None:
            files = {self.svg_name: self.svg, **files}
        if self.pdf is not None and self.pdf_name is not None:
            files = {self.pdf_name: self.pdf, **files}
        return files

    def device_files(self) -> dict[str, bytes]:
        """What the printer's hot folder gets: its print file (mirrored if it mirrors), ticket."""
        return device_files(self.files(), self.printer)


@dataclass(frozen=True, slots=True)
class ItemOutput:
    customization: Customization
    product: Product
    jobs: tuple[JobOutput, ...]

    def files(self) -> dict[str, bytes]:
        """Every job's masters."""
        return {name: data for job in self.jobs for name, data in job.files().items()}

    def device_files(self) -> dict[str, bytes]:
        """Every job's files as their printers' hot folders would get them."""
        return {name: data for job in self.jobs for name, data in job.device_files().items()}

    def write(self, folder: Path) -> list[Path]:
        """Write every job's device files into `folder`: all of them, or none."""
        return write_group(folder, self.device_files())


class ItemRenderer:
    """Renders order items for one shop; keeps the font index warm between items."""

    def __init__(
        self,
        settings: Settings,
        *,
        fonts: FontIndex | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.fonts = fonts or FontIndex(settings.fonts.dirs, aliases=settings.fonts.aliases)
        self.pdf = PdfRenderer(fonts=self.fonts, overlay_asset=self._overlay_asset)
        self.engraver = Engraver(self.pdf)

    def render_zip(self, data: bytes, *, source: str = "zip") -> ItemOutput:
        return self.render_members(read_zip(data, source=source), source=source)

    def render_members(
        self,
        members: ZipMembers,
        *,
        source: str = "zip",
        customization: Customization | None = None,
    ) -> ItemOutput:
        """Render every surface; `customization` is `members` parsed, if the caller has it."""
        if customization is None:
            customization = parse_members(members, source=source)
        item = customization.item
        try:
            return self._render(customization, members)
        except ProductionError as exc:
            # Errors from deep inside (a font, an image) know nothing of the order: name it.
            exc.order_id = exc.order_id or item.order_id
            exc.item_id = exc.item_id or item.order_item_id
            exc.source = exc.source or source
            raise

    def _render(self, customization: Customization, members: Mapping[str, bytes]) -> ItemOutput:
        product = self._product(customization)
        now = self.clock()
        taken: set[str] = set()
        jobs: list[JobOutput] = []
        if customization.is_options_only:
            name = customization.surfaces[0].name if customization.surfaces else "options"
            identity = job_identity(customization, name, taken)
            template = product.surface(name)
            printer = self.settings.printers.get(template.printer) if template else None
            document = self._ticket(identity, customization, product, template, printer, name, now)
            jobs.append(JobOutput(identity, name, template, printer, None, document))
        for surface in customization.surfaces:
            if not surface.is_printable:
                continue
            jobs.append(self._surface(customization, product, surface, members, taken, now))
        return ItemOutput(customization, product, tuple(jobs))

    def _product(self, customization: Customization) -> Product:
        item = customization.item
        product = self.settings.product_for(item.asin, item.sku)
        if product is None:
            raise UnknownProductError(
                f"no product in products.toml matches ASIN {item.asin or '(none)'} or "
                f"SKU {item.sku or '(none)'}; add a [[product]] with that asin or sku"
            )
        return product

    def _surface(
        self,
        customization: Customization,
        product: Product,
        surface: Surface,
        members: Mapping[str, bytes],
        taken: set[str],
        now: datetime,
    ) -> JobOutput:
        template = product.surface(surface.name)
        if template is None:
            known = ", ".join(f"'{s.name}'" for s in product.surfaces) or "none"
            raise ConfigError(
                f"product '{product.name}' has no surface '{surface.name}' in products.toml "
                f"(its surfaces: {known})"
            )
        printer = self.settings.printers[template.printer]
        design_box = template.design_box or surface.design_box
        if design_box is None:
            raise CustomizationError(
                f"surface '{surface.name}' has no placement boxes to size the print by; "
                "give the template a design_box"
            )
        page = page_geometry(
            width_mm=template.width_mm,
            height_mm=template.height_mm,
            bleed_mm=template.bleed_mm,
            design_box=design_box,
        )
        identity = job_identity(customization, surface.name, taken)
        item = customization.item
        title = f"Order {item.order_id} item {item.order_item_id} {surface.name}"
        if surface.svg_unsupported and surface.svg_member in members:
            rendered = self._fallback(surface, page, members, template, title=title, now=now)
            if template.process == "engrave":
                rendered.holds.append(
                    "drawn by the general SVG converter, which cannot make an engrave file "
                    "(text as outlines, grayscale photos, cut line): prepare it by hand"
                )
        elif template.process == "engrave":
            rendered = self.engraver.render(
                customization,
                surface,
                page,
                members,
                engrave_settings(template, printer),
                title=title,
                now=now,
                overlays=template.overlays,
            )
        else:
            rendered = self.pdf.render(
                customization,
                surface,
                page,
                members,
                title=title,
                now=now,
                overlays=template.overlays,
            )
        preflight = _preflight(rendered, template)
        document = self._ticket(
            identity,
            customization,
            product,
            template,
            printer,
            surface.name,
            now,
            rendered=rendered,
            preflight=preflight,
        )
        return JobOutput(
            identity, surface.name, template, printer, rendered.pdf, document, rendered.svg
        )

    def _fallback(
        self,
        surface: Surface,
        page: PageGeometry,
        members: Mapping[str, bytes],
        template: SurfaceTemplate,
        *,
        title: str,
        now: datetime,
    ) -> RenderedSurface:
        """A surface whose SVG goes beyond Amazon's subset, drawn by the general converter."""
        assert surface.svg_member is not None
        extra: dict[str, bytes] = {}
        drop: set[str] = set()
        warnings: list[str] = []
        for overlay in surface.overlays:
            asset = None if template.overlays == "skip" else self._overlay_asset(overlay.file_name)
            if asset is not None:
                extra[overlay.url] = asset
                continue
            if template.overlays == "print":
                raise RenderError(
                    f"overlay image {overlay.file_name!r} is not in the shop's assets folder"
                )
            drop.add(overlay.url)
            if template.overlays == "auto":
                warnings.append(f"overlay image {overlay.file_name!r} was not printed")
        pdf = render_svg_page(
            members[surface.svg_member],
            {**members, **extra},
            page,
            title=title,
            now=now,
            drop=drop,
        )
        what = ", ".join(surface.svg_unsupported)
        warnings.append(f"the SVG uses {what}: drawn by the general SVG converter")
        holds = []
        if surface.texts:
            # The converter finds fonts through the system's font list, not the shop's folders:
            # its text may be in a substitute font, which a person has to look at first.
            holds.append(
                "drawn by the general SVG converter, whose text may not be in the buyer's "
                "font: check the PDF before printing"
            )
        return RenderedSurface(
            pdf=pdf,
            page=page,
            images=[image_report(image, page) for image in surface.images],
            warnings=warnings,
            holds=holds,
        )

    def _ticket(
        self,
        identity: JobIdentity,
        customization: Customization,
        product: Product,
        template: SurfaceTemplate | None,
        printer: Printer | None,
        surface_name: str,
        now: datetime,
        *,
        rendered: RenderedSurface | None = None,
        preflight: Preflight | None = None,
    ) -> dict[str, Any]:
        # The ticket names the file the device gets: an SVG laser's SVG, else the PDF.
        suffix = printer.format if printer is not None and rendered and rendered.svg else "pdf"
        engrave = None
        if template is not None and printer is not None and template.process == "engrave":
            engrave = _engrave_ticket(engrave_settings(template, printer))
        return ticket(
            identity=identity,
            customization=customization,
            product=product,
            template=template,
            printer=printer,
            surface_name=surface_name,
            file_name=f"{identity.stem}.{suffix}" if rendered is not None else None,
            images=rendered.images if rendered else (),
            fonts=rendered.fonts if rendered else (),
            preflight=preflight,
            shop=self.settings.shop.name,
            created=now,
            engrave=engrave,
        )

    def _overlay_asset(self, name: str) -> bytes | None:
        # The name comes from a URL in the customer file: only a plain file name is looked up.
        if not name or name.startswith(".") or "/" in name or "\\" in name:
            return None
        path = self.settings.assets.dir / name
        try:
            return path.read_bytes()
        except OSError:
            return None


def engrave_settings(template: SurfaceTemplate, printer: Printer) -> EngraveSettings:
    """How a surface is engraved: the template's choices over the laser's, then the defaults."""
    return EngraveSettings(
        dpi=printer.dpi,
        dither=template.dither or printer.dither or "none",
        invert=bool(template.invert if template.invert is not None else printer.invert),
        cut=template.cut,
        svg=printer.format == "svg",
    )


def _engrave_ticket(settings: EngraveSettings) -> dict[str, Any]:
    cut = settings.cut
    if cut is not None and cut.lower().endswith(".svg"):
        cut = Path(cut).name  # the shop's own file; its folder is no business of the device
    return {"dither": settings.dither, "invert": settings.invert, "cut": cut}


def _preflight(rendered: RenderedSurface, template: SurfaceTemplate) -> Preflight:
    preflight = Preflight(warnings=list(rendered.warnings), holds=list(rendered.holds))
    for image in rendered.images:
        if image.ppi < template.min_ppi_hold:
            preflight.holds.append(
                f"photo {image.member} prints at {image.ppi:.0f} ppi, under the "
                f"{template.min_ppi_hold:.0f} ppi the template accepts"
            )
    return preflight
