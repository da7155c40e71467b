"""From one order item's zip to its print jobs: a PDF and a ticket per printable surface.

This is where the parts meet: the zip reader gives the customization, the shop's product
templates say how large each surface prints and on which device, the PDF renderer (or, for
engrave surfaces, the engraver) draws it, and the ticket describes it. Everything happens in
memory; nothing is written until every surface of the item has rendered, so a failure leaves no
partial output behind.

Every rendered surface is preflighted (`renderers.preflight`: photo resolution, safe margin,
clipping, missing glyphs, JSON/SVG disagreements) and compared with the preview Amazon showed
the buyer (`renderers.proofcheck`). The findings are on the job (`JobOutput.preflight`) and in
its ticket; one of severity "hold" holds the job (`JobOutput.hold_reasons`).

A job's files come in two forms. `JobOutput.files()` are the masters: the design as it is, never
mirrored, plus an SVG for a laser that takes SVG, and two pictures for people: the proof
(`<stem>.proof.png`) and the comparison with Amazon's preview (`<stem>.compare.png`).
`JobOutput.device_files()` is what the printer's hot folder gets
(`printers.device.device_files`): its one print file, mirrored for a mirroring device, and the
ticket, never the pictures. `production render --out` writes device files, so what it shows is
what the device would print.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from printers.kinds import device_for
from printers.tickets import JobTicket, ProofLine
from production.config.settings import Settings
from production.core.clock import utc_now
from production.core.errors import (
    ConfigError,
    CustomizationError,
    ProductionError,
    RenderError,
    UnknownProductError,
)
from production.core.files import write_group
from production.core.model import Customization, Surface
from production.core.stems import (
    COMPARE_SUFFIX,
    PROOF_SUFFIX,
    JobIdentity,
    is_for_people,
    job_identity,
)
from production.core.templates import Printer, Product, SurfaceTemplate
from production.customization import ZipMembers, parse_members, read_zip
from production.floor.folders import Folders
from production.floor.ticketing import ItemFacts, build_ticket, proof_line
from renderers.engrave_settings import EngraveSettings
from renderers.fonts import FontIndex
from renderers.pdf import PdfRenderer, RenderedSurface, image_report
from renderers.placement import PageGeometry, page_geometry
from renderers.preflight import Finding, check_surface, customization_findings
from renderers.proofcheck import ProofCheck, proof_scale
from renderers.proofphotos import proof_members

if TYPE_CHECKING:
    from renderers.engraving import Engraver

__all__ = [
    "ItemOutput",
    "ItemRenderer",
    "JobOutput",
    "engrave_settings",
    "job_report",
    "preflight_report",
    "shop_font_index",
]


@dataclass(frozen=True, slots=True)
class JobOutput:
    """One job: a surface to print (with its PDF), or an options-only item (ticket alone)."""

    identity: JobIdentity
    surface: str
    template: SurfaceTemplate | None
    printer: Printer | None
    pdf: bytes | None  # the master: never mirrored
    ticket: JobTicket
    svg: bytes | None = None  # engrave surfaces on a laser that takes SVG
    preflight: tuple[Finding, ...] = ()  # what preflight and the proof check found, in order
    proof: ProofCheck | None = None  # the proof picture and the scores against Amazon's preview
    compare_png: bytes | None = None  # ours beside Amazon's preview: held jobs only

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
    def proof_name(self) -> str | None:
        return f"{self.identity.stem}{PROOF_SUFFIX}" if self.proof is not None else None

    @property
    def compare_name(self) -> str | None:
        """`<stem>.compare.png`: ours beside Amazon's preview, for a held job that has one."""
        return f"{self.identity.stem}{COMPARE_SUFFIX}" if self.compare_png is not None else None

    @property
    def held(self) -> bool:
        return bool(self.ticket.hold)

    @property
    def hold_reasons(self) -> tuple[str, ...]:
        """Why nobody may print the job yet (the ticket's `hold`); () when it may go."""
        return self.ticket.hold

    @property
    def proof_score(self) -> float | None:
        """How closely the print file matches Amazon's preview (1 = alike); None: not compared."""
        return self.proof.score if self.proof is not None else None

    def files(self) -> dict[str, bytes]:
        """The masters, file name → bytes: PDF, SVG (if any), ticket, proof and comparison."""
        files: dict[str, bytes] = {}
        if self.pdf is not None and self.pdf_name is not None:
            files[self.pdf_name] = self.pdf
        if self.svg is not None and self.svg_name is not None:
            files[self.svg_name] = self.svg
        files[self.ticket_name] = self.ticket.to_json()
        if self.proof is not None and self.proof_name is not None:
            files[self.proof_name] = self.proof.proof_png
        if self.compare_png is not None and self.compare_name is not None:
            files[self.compare_name] = self.compare_png
        return files

    def device_files(self) -> dict[str, bytes]:
        """What the printer's hot folder gets: its print file (mirrored if it mirrors), ticket."""
        if self.printer is None:
            return {name: data for name, data in self.files().items() if not is_for_people(name)}
        return device_for(self.printer).files(self.files())


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
        self.fonts = fonts or shop_font_index(settings)
        self.pdf = PdfRenderer(
            fonts=self.fonts, emoji=settings.fonts.emoji, overlay_asset=self._overlay_asset
        )

    @cached_property
    def engraver(self) -> Engraver:
        """The laser's renderer, loaded on the first engrave surface: outlines, rasters, cuts."""
        from renderers.engraving import Engraver

        return Engraver(self.pdf)

    def render_zip(
        self, data: bytes, *, source: str = "zip", facts: ItemFacts | None = None
    ) -> ItemOutput:
        members = read_zip(data, source=source, limits=self.settings.limits)
        return self.render_members(members, source=source, facts=facts)

    def render_members(
        self,
        members: ZipMembers,
        *,
        source: str = "zip",
        customization: Customization | None = None,
        facts: ItemFacts | None = None,
    ) -> ItemOutput:
        """Render every surface; `customization` is `members` parsed, if the caller has it.

        `facts` are what the job store knows of the item (Amazon's ship-by date): on the ticket.
        """
        if customization is None:
            customization = parse_members(members, source=source, limits=self.settings.limits)
        item = customization.item
        try:
            return self._render(customization, members, facts or ItemFacts())
        except ProductionError as exc:
            # Errors from deep inside (a font, an image) know nothing of the order: name it.
            exc.order_id = exc.order_id or item.order_id
            exc.item_id = exc.item_id or item.order_item_id
            exc.source = exc.source or source
            raise

    def _render(
        self, customization: Customization, members: Mapping[str, bytes], facts: ItemFacts
    ) -> ItemOutput:
        product = self._product(customization)
        now = self.clock()
        taken: set[str] = set()
        jobs: list[JobOutput] = []
        if customization.is_options_only:
            name = customization.surfaces[0].name if customization.surfaces else "options"
            identity = job_identity(customization, name, taken)
            template = product.surface(name)
            printer = self.settings.printers.get(template.printer) if template else None
            surface = customization.surfaces[0] if customization.surfaces else None
            findings = customization_findings(customization, surface, job=identity.job_id)
            document = self._ticket(
                identity, customization, product, template, printer, name, now, facts,
                findings=findings,
            )  # fmt: skip
            jobs.append(
                JobOutput(identity, name, template, printer, None, document, None, tuple(findings))
            )
        for surface in customization.surfaces:
            if not surface.is_printable:
                continue
            jobs.append(self._surface(customization, product, surface, members, taken, now, facts))
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
        facts: ItemFacts,
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
        drawn_here = not (surface.svg_unsupported and surface.svg_member in members)
        engraved = template.process == "engrave" and drawn_here
        # The proof's photos are reduced before the print file is made: a phone photo's
        # decoding buffers are gone by the time its copy in the PDF takes their place.
        reduced = (
            self._proof_photos(surface, page, members) if drawn_here and not engraved else None
        )
        if not drawn_here:
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
        job = identity.job_id
        snapshot = members.get(surface.snapshot_member) if surface.snapshot_member else None
        proof_pdf = None
        if reduced is not None:
            proof_pdf = self._proof_pdf(customization, surface, page, reduced, template, title)
        checked = check_surface(
            customization,
            surface,
            rendered,
            template,
            snapshot,
            job=job,
            proof_pdf=proof_pdf,
            text_ink=_engrave_rgb() if engraved else None,
            negative_photos=engraved and engrave_settings(template, printer).invert,
        )
        findings, proof, compare = checked.findings, checked.proof, checked.compare_png
        document = self._ticket(
            identity,
            customization,
            product,
            template,
            printer,
            surface.name,
            now,
            facts,
            rendered=rendered,
            findings=findings,
            proof=proof_line(proof, identity, template, surface.snapshot_member, compare),
        )
        return JobOutput(
            identity,
            surface.name,
            template,
            printer,
            rendered.pdf,
            document,
            rendered.svg,
            tuple(findings),
            proof,
            compare,
        )

    @staticmethod
    def _proof_photos(
        surface: Surface, page: PageGeometry, members: Mapping[str, bytes]
    ) -> dict[str, bytes] | None:
        """`members` with the large photos reduced for the proof; None: none is large."""
        reduced = proof_members(surface, page, members, scale=proof_scale(page))
        if all(reduced[name] is data for name, data in members.items()):
            return None
        return reduced

    def _proof_pdf(
        self,
        customization: Customization,
        surface: Surface,
        page: PageGeometry,
        reduced: Mapping[str, bytes],
        template: SurfaceTemplate,
        title: str,
    ) -> bytes:
        """The print page again with its large photos reduced (`reduced`), for the proof."""
        drawn = self.pdf.render(
            customization, surface, page, reduced, title=title, overlays=template.overlays
        )
        return drawn.pdf

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
        from renderers.svgfallback import render_svg_page  # CairoSVG and pikepdf: only for this

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
        facts: ItemFacts,
        *,
        rendered: RenderedSurface | None = None,
        findings: Sequence[Finding] = (),
        proof: ProofLine | None = None,
    ) -> JobTicket:
        # The ticket names the file the device gets: an SVG laser's SVG, else the PDF.
        suffix = printer.format if printer is not None and rendered and rendered.svg else "pdf"
        engrave = None
        if template is not None and printer is not None and template.process == "engrave":
            engrave = engrave_settings(template, printer)
        return build_ticket(
            identity=identity,
            customization=customization,
            product=product,
            template=template,
            printer=printer,
            surface_name=surface_name,
            file_name=f"{identity.stem}.{suffix}" if rendered is not None else None,
            images=rendered.images if rendered else (),
            fonts=rendered.fonts if rendered else (),
            findings=findings,
            proof=proof,
            facts=facts,
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


def preflight_report(output: ItemOutput) -> list[str]:
    """What preflight and the proof check found for every job of an item (`job_report`)."""
    return [line for job in output.jobs for line in job_report(job)]


def job_report(job: JobOutput) -> list[str]:
    """A job's verdict, proof score and findings, one line each: ids and numbers, never text.

    90000000000033-FRONT: held; proof score 0.973 (threshold 0.60)
      hold ppi: photo '….jpg' prints at 107 ppi, under the 150 ppi the template accepts
      warn safe-margin: photo '….jpg' reaches the trim (safe margin 3 mm)
    """
    verdict = "held" if job.held else "ready"
    if job.proof is None:
        proof = "nothing to print" if job.pdf is None else "no proof"
    elif job.proof.score is None:
        proof = f"proof not compared ({job.proof.note})"
    else:
        threshold = job.template.min_proof_score if job.template else 0.0
        proof = f"proof score {job.proof.score:.3f} (threshold {threshold:.2f})"
    lines = [f"{job.identity.job_id}: {verdict}; {proof}"]
    lines += [f"  {f.severity} {f.rule}: {f.message}" for f in job.preflight]
    return lines


def engrave_settings(template: SurfaceTemplate, printer: Printer) -> EngraveSettings:
    """How a surface is engraved: the template's choices over the laser's, then the defaults."""
    return EngraveSettings(
        dpi=printer.dpi,
        dither=template.dither or printer.dither or "none",
        invert=bool(template.invert if template.invert is not None else printer.invert),
        cut=template.cut,
        svg=printer.format == "svg",
    )


def _engrave_rgb() -> tuple[int, int, int]:
    from renderers.engrave_drawing import ENGRAVE_RGB

    return ENGRAVE_RGB


def shop_font_index(settings: Settings) -> FontIndex:
    """The shop's fonts, as shop.toml's [fonts] configures them.

    The index is cached in the shop's data folder once there is one (the daemon makes it);
    before that — `production render` with the packaged configuration — in the user's cache
    folder, never in a folder that merely could be a data folder.
    """
    fonts, data = settings.fonts, settings.shop.data_dir
    return FontIndex(
        fonts.dirs,
        aliases=fonts.aliases,
        metric_substitutes=fonts.metric_substitutes,
        nearest_face=fonts.nearest_face,
        cache_dir=Folders(data).font_cache if data.is_dir() else None,
    )
