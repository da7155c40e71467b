"""A job's ticket, built once from the item's record and what the renderers reported.

The ticket (`printers.tickets.JobTicket`) is plain data; this is where the renderers' reports
(photos and their resolution, fonts, preflight findings, the proof check) and the shop's
templates become its lines, so that the devices below never need to know the renderers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from printers.mirror import is_mirrored
from printers.tickets import (
    DeviceFacts,
    EngraveFacts,
    FindingLine,
    FontLine,
    ImageLine,
    JobTicket,
    OptionLine,
    ProofLine,
    TemplateFacts,
)
from production.core.model import Customization
from production.core.stems import COMPARE_SUFFIX, PROOF_SUFFIX, JobIdentity
from production.core.templates import DEFAULT_MIN_PPI_WARN, Printer, Product, SurfaceTemplate
from renderers.engrave_settings import EngraveSettings
from renderers.fonts import ResolvedFont
from renderers.pdf import ImageReport
from renderers.preflight import Finding
from renderers.proofcheck import ProofCheck

__all__ = ["ItemFacts", "build_ticket", "proof_line"]


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """What the shop knows of the order item beyond its zip: from the job store's record."""

    ship_by: datetime | None = None  # Amazon's latest ship date; None for zips dropped by hand


def build_ticket(
    *,
    identity: JobIdentity,
    customization: Customization,
    product: Product,
    template: SurfaceTemplate | None,
    printer: Printer | None,
    surface_name: str,
    file_name: str | None,
    facts: ItemFacts,
    shop: str,
    created: datetime,
    images: Sequence[ImageReport] = (),
    fonts: Sequence[ResolvedFont] = (),
    findings: Sequence[Finding] = (),
    proof: ProofLine | None = None,
    engrave: EngraveSettings | None = None,
) -> JobTicket:
    """The ticket of one job (`file_name` None: nothing to print, an options-only item)."""
    item = customization.item
    return JobTicket(
        job_id=identity.job_id,
        shop=shop,
        order_id=item.order_id,
        order_item_id=item.order_item_id,
        asin=item.asin,
        sku=item.sku,
        quantity=item.quantity,
        ship_by=facts.ship_by,
        product=product.name,
        surface=surface_name,
        file=file_name,
        template=_template(product, template) if template is not None else None,
        device=_device(printer, template) if printer is not None else None,
        engrave=_engrave(engrave) if engrave is not None else None,
        images=tuple(_image(report, template) for report in images),
        fonts=tuple(_font(font) for font in fonts),
        # Option values are the listing's own choices (a colour, a size), not the buyer's words.
        options=tuple(OptionLine(o.label or o.name, o.value) for o in customization.options),
        findings=tuple(
            FindingLine(f.rule, f.severity, f.message, f.job, f.surface) for f in findings
        ),
        proof=proof,
        created=created,
    )


def proof_line(
    proof: ProofCheck,
    identity: JobIdentity,
    template: SurfaceTemplate,
    snapshot: str | None,
    compare: bytes | None,
) -> ProofLine:
    """The ticket's account of the proof check: scores, threshold and the pictures' names."""
    return ProofLine(
        score=proof.score,
        min_score=template.min_proof_score,
        elements=tuple(proof.elements),
        snapshot=snapshot if proof.score is not None else None,
        note=proof.note,
        proof=f"{identity.stem}{PROOF_SUFFIX}",
        compare=f"{identity.stem}{COMPARE_SUFFIX}" if compare is not None else None,
    )


def _template(product: Product, template: SurfaceTemplate) -> TemplateFacts:
    return TemplateFacts(
        name=f"{product.name} / {template.name}",
        process=template.process,
        finished_size_mm=(template.width_mm, template.height_mm),
        print_size_mm=template.print_size_mm,
        bleed_mm=template.bleed_mm,
        safe_margin_mm=template.safe_margin_mm,
    )


def _device(printer: Printer, template: SurfaceTemplate | None) -> DeviceFacts:
    process = template.process if template is not None else None
    return DeviceFacts(
        printer=printer.id,
        printer_name=printer.name,
        dpi=printer.dpi,
        mirror=is_mirrored(process, printer),
        format=printer.format,
    )


def _engrave(settings: EngraveSettings) -> EngraveFacts:
    cut = settings.cut
    if cut is not None and cut.lower().endswith(".svg"):
        cut = Path(cut).name  # the shop's own file; its folder is no business of the device
    return EngraveFacts(dither=settings.dither, invert=settings.invert, cut=cut)


def _image(report: ImageReport, template: SurfaceTemplate | None) -> ImageLine:
    limit = template.min_ppi_warn if template is not None else DEFAULT_MIN_PPI_WARN
    warning = f"prints at {report.ppi:.0f} ppi, under {limit:.0f}" if report.ppi < limit else None
    return ImageLine(report.member, report.pixels, report.printed_mm, report.ppi, warning)


def _font(font: ResolvedFont) -> FontLine:
    return FontLine(
        family=font.family,
        file=font.file_name,
        weight=font.weight,
        italic=font.italic,
        substituted_for=font.substituted_for,
        style=font.style_name,
        font_number=font.font_number,
        metric_compatible=font.metric_compatible,
        nearest_for=font.nearest_for,
    )
