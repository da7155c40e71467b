"""Preflight: what a person must know about a rendered surface before anybody prints it.

Each finding names its rule, says whether the job may go on (`warn`) or must wait for a person
(`hold`), and explains itself in ids and numbers: a photo by its zip member, a text by the
seller's label, characters by their code points, never the buyer's words.

Rules (template keys in brackets):

- `ppi`: a photo's effective resolution under `min_ppi_warn` (300): warn; under `min_ppi_hold`
  (150; 0 accepts any): hold.
- `safe-margin`: text ink or a photo nearer the trim than `safe_margin_mm` (3): warn; text ink
  running past the trim, where it would be cut off: hold.
- `clipped`: a text's glyphs cut by its placement box, a photo mostly outside its box: warn.
- `missing-glyph`: characters of the text the chosen font has no glyph for: hold; emoji are
  named by their CLDR names ('RED HEART'), with the setting that prints them ([fonts] emoji),
  or, with an emoji font set, those it lacks.
- `json-svg`: the JSON and the SVG disagree (found by the zip reader): warn; a text that reads
  differently in the two, so that what to print is in doubt: hold.
- `customization`: the zip reader's other remarks: warn.
- `render`: the renderer's remarks (an overlay left out, a font alias, the general SVG
  converter): warn or hold, as the renderer says.
- `ink`: an element of the design the print file has no ink for where the design puts it (off
  the page, outside the design area, or not drawn at all), or a print file with no ink at all
  although the design shows something: hold, naming the elements. Found on the proof picture,
  so with or without Amazon's preview; a text in white is not judged (white on white paper).
- `proof`: the print file unlike Amazon's preview (`renderers.proofcheck`) under
  `min_proof_score`: hold, naming the least alike element and what differs (a text printed in
  a substitute font is said to be so); no preview to compare with: warn.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from production.core.geometry import MM
from production.core.model import Customization, Surface
from production.core.templates import SurfaceTemplate
from renderers.emoji import emoji_problems
from renderers.extents import Extent, element_name, surface_extents
from renderers.inkcheck import ink_problems
from renderers.pdf import RenderedSurface, TextReport
from renderers.placement import PageGeometry
from renderers.proofcheck import ProofCheck, Region, check_proof, proof_regions

__all__ = [
    "RULES",
    "Finding",
    "Severity",
    "SurfaceCheck",
    "check_surface",
    "customization_findings",
    "holds",
    "ink_findings",
    "preflight",
    "proof_findings",
    "warnings",
]

Severity = Literal["warn", "hold"]
RULES = (
    "ppi",
    "safe-margin",
    "clipped",
    "missing-glyph",
    "json-svg",
    "customization",
    "render",
    "ink",
    "proof",
)

_MARGIN_TOLERANCE_MM = 0.05  # geometry rounding, not a finding
_CUT_TOLERANCE_MM = 0.1  # glyph boxes are a hair larger than the ink of curved glyphs
_MIN_PHOTO_SHARE = 0.5  # a photo showing less than this of itself was cropped hard
# The zip reader's remarks on JSON and SVG disagreeing (production.customization.merge), and
# the one among them that leaves the words to print in doubt.
_JSON_SVG = re.compile(r"in the JSON|the JSON does not list|JSON and the SVG|JSON than in the SVG")
_READS_DIFFERENTLY = "reads differently in the JSON and the SVG"


@dataclass(frozen=True, slots=True)
class Finding:
    """One preflight result for one job."""

    rule: str  # one of RULES
    severity: Severity
    message: str  # ids and numbers only: never the buyer's text
    job: str = ""
    surface: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "job": self.job,
            "surface": self.surface,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class SurfaceCheck:
    """Everything found about one rendered surface, and the pictures a person needs."""

    findings: list[Finding]  # preflight's, then the proof check's
    proof: ProofCheck
    compare_png: bytes | None  # ours beside Amazon's preview: only for a held job


def check_surface(
    customization: Customization,
    surface: Surface,
    rendered: RenderedSurface,
    template: SurfaceTemplate,
    snapshot: bytes | None,
    *,
    job: str,
    proof_pdf: bytes | None = None,
    text_ink: tuple[int, int, int] | None = None,
    negative_photos: bool = False,
) -> SurfaceCheck:
    """Preflight and the proof check of one surface (`snapshot`: the zip's JPEG of it).

    `proof_pdf` is the page to draw the proof from, if not the rendered one (the same design
    with its photos reduced: `renderers.proofphotos`). `text_ink` and `negative_photos` say how
    an engrave file draws the design: texts in the laser's one colour, photos maybe inverted.
    """
    extents = surface_extents(surface, rendered.texts)
    findings = preflight(customization, surface, rendered, template, extents, job=job)
    regions = proof_regions(extents, text_ink=text_ink, negative_photos=negative_photos)
    pdf = proof_pdf if proof_pdf is not None else rendered.pdf
    proof = check_proof(pdf, rendered.page, snapshot, regions, min_score=template.min_proof_score)
    substitutes = {
        extent.name: (asked, report.font.family)
        for extent, report in _substituted(extents, rendered)
        if (asked := extent.substitute) is not None
    }
    findings += ink_findings(proof, extents, regions, job=job, surface=surface.name)
    findings += proof_findings(
        proof, template, job=job, surface=surface.name, substitutes=substitutes
    )
    # The comparison picture is for a person, and only a held job is looked at.
    held = any(finding.severity == "hold" for finding in findings)
    compare = proof.comparison.png() if held and proof.comparison is not None else None
    return SurfaceCheck(findings, replace(proof, comparison=None), compare)


def preflight(
    customization: Customization,
    surface: Surface,
    rendered: RenderedSurface,
    template: SurfaceTemplate,
    extents: Sequence[Extent] | None = None,
    *,
    job: str,
) -> list[Finding]:
    """Every finding of one rendered surface except the proof check's (`proof_findings`).

    `extents` are the surface's (`surface_extents`), if the caller has them already.
    """
    found = _Found(job, surface.name)
    _ppi(found, rendered, template)
    if extents is None:
        extents = surface_extents(surface, rendered.texts)
    for extent in extents:
        _safe_margin(found, extent, rendered.page, template.safe_margin_mm)
        _clipped(found, extent, rendered.page)
    _glyphs(found, rendered)
    _nearest_faces(found, rendered)
    found.items += customization_findings(customization, surface, job=job)
    for message in rendered.warnings:
        found.add("render", "warn", message)
    for message in rendered.holds:
        found.add("render", "hold", message)
    return _unique(found.items)


def customization_findings(
    customization: Customization, surface: Surface | None, *, job: str
) -> list[Finding]:
    """The zip reader's warnings that concern `surface` (None: an item without one)."""
    name = surface.name if surface is not None else ""
    found = _Found(job, name)
    members = {image.member for image in surface.images} if surface is not None else set()
    for message in customization.warnings:
        about = _surface_of(message)
        if about is not None and about != name:
            continue
        if about is None and any(repr(member) in message for member in members):
            about = name
        if about is None and re.match(r"image '", message):
            # An image of another surface of the item.
            continue
        if about is not None and _JSON_SVG.search(message):
            severity: Severity = "hold" if _READS_DIFFERENTLY in message else "warn"
            found.add("json-svg", severity, message)
        else:
            found.add("customization", "warn", message)
    return found.items


def ink_findings(
    proof: ProofCheck,
    extents: Sequence[Extent],
    regions: Sequence[Region],
    *,
    job: str,
    surface: str,
) -> list[Finding]:
    """A hold for each way the print file lacks ink the design shows (`inkcheck.ink_problems`)."""
    found = _Found(job, surface)
    shown = [region.name for region in regions]
    for message in ink_problems([e.name for e in extents], shown, proof.missing_ink):
        found.add("ink", "hold", message)
    return found.items


def proof_findings(
    proof: ProofCheck | None,
    template: SurfaceTemplate,
    *,
    job: str,
    surface: str,
    substitutes: Mapping[str, tuple[str, str]] | None = None,
) -> list[Finding]:
    """A hold when the render strays from Amazon's preview; a warning when it could not be told.

    `substitutes`: element name → (the family asked for, the family printed) for texts a
    configured alias printed: when one of them is the least alike, the hold says so, since the
    person who fixes it installs the font rather than looks for a fault in the render.
    """
    if proof is None:
        return []
    found = _Found(job, surface)
    if proof.score is None:
        if proof.note is not None:
            found.add("proof", "warn", f"no comparison with Amazon's preview: {proof.note}")
    elif proof.score < template.min_proof_score:
        worst = proof.worst or "-"
        remark = proof.remark(worst)
        detail = f"{worst}: {remark}" if remark else worst
        numbers = (
            f"score {proof.score:.2f}, under the {template.min_proof_score:.2f} the template "
            "accepts"
        )
        substituted = (substitutes or {}).get(worst)
        if substituted is not None:
            asked, printed = substituted
            message = (
                f"{worst} is printed in the substitute font {printed!r} (the shop's alias for "
                f"{asked!r}) and does not line up with Amazon's preview: {numbers}"
                f"{f' ({remark})' if remark else ''}; install {asked!r} or compare them side "
                "by side"
            )
        else:
            message = (
                f"the print file differs from Amazon's preview: {numbers} (least alike: "
                f"{detail}); compare them side by side"
            )
        found.add("proof", "hold", message)
    return found.items


def warnings(findings: Sequence[Finding]) -> list[str]:
    return list(dict.fromkeys(f.message for f in findings if f.severity == "warn"))


def holds(findings: Sequence[Finding]) -> list[str]:
    return list(dict.fromkeys(f.message for f in findings if f.severity == "hold"))


# -- the rules -----------------------------------------------------------------------------------


class _Found:
    """Findings of one job as they are made."""

    def __init__(self, job: str, surface: str) -> None:
        self.job, self.surface = job, surface
        self.items: list[Finding] = []

    def add(self, rule: str, severity: Severity, message: str) -> None:
        self.items.append(Finding(rule, severity, message, self.job, self.surface))


def _ppi(found: _Found, rendered: RenderedSurface, template: SurfaceTemplate) -> None:
    for image in rendered.images:
        name = f"photo {image.member!r}"
        if image.ppi < template.min_ppi_hold:
            found.add(
                "ppi",
                "hold",
                f"{name} prints at {image.ppi:.0f} ppi, under the "
                f"{template.min_ppi_hold:.0f} ppi the template accepts",
            )
        elif image.ppi < template.min_ppi_warn:
            found.add(
                "ppi",
                "warn",
                f"{name} prints at {image.ppi:.0f} ppi, under {template.min_ppi_warn:.0f} ppi",
            )


def _safe_margin(found: _Found, extent: Extent, page: PageGeometry, margin_mm: float) -> None:
    if not extent.measured:
        return
    visible = extent.visible
    if visible is None:
        return
    ink = page.to_page.map_box(visible)
    trim = page.trim
    inside_mm = (
        min(ink.x - trim.x, ink.y - trim.y, trim.right - ink.right, trim.bottom - ink.bottom) / MM
    )
    if inside_mm >= margin_mm - _MARGIN_TOLERANCE_MM:
        return
    where = f"(safe margin {margin_mm:g} mm)"
    if inside_mm < -_MARGIN_TOLERANCE_MM:
        cut = extent.kind == "text"
        message = f"{extent.name} runs {-inside_mm:.1f} mm past the trim {where}"
        found.add("safe-margin", "hold" if cut else "warn", message + (": cut off" if cut else ""))
        return
    if inside_mm < _MARGIN_TOLERANCE_MM:
        found.add("safe-margin", "warn", f"{extent.name} reaches the trim {where}")
        return
    found.add(
        "safe-margin", "warn", f"{extent.name} comes within {inside_mm:.1f} mm of the trim {where}"
    )


def _clipped(found: _Found, extent: Extent, page: PageGeometry) -> None:
    if extent.clip is None or not extent.measured:
        return
    if extent.kind == "photo":
        share = extent.visible_share
        if share < _MIN_PHOTO_SHARE:
            found.add(
                "clipped",
                "warn",
                f"{extent.name} shows {share:.0%} of its picture; the rest is outside its "
                "placement box",
            )
        return
    ink, clip = extent.bounds, extent.clip
    over = max(clip.x - ink.x, ink.right - clip.right, clip.y - ink.y, ink.bottom - clip.bottom)
    over_mm = over * page.mm_per_unit
    if over_mm > _CUT_TOLERANCE_MM:
        found.add(
            "clipped",
            "warn",
            f"{extent.name} is cut by its placement box: its glyphs reach {over_mm:.1f} mm past it",
        )


def _glyphs(found: _Found, rendered: RenderedSurface) -> None:
    for report in rendered.texts:
        name = element_name(report.element)
        printed = "".join(line for line, _, _ in report.layout.spans)
        # Emoji are named, with the setting that prints them; other characters by code point.
        text = f"{printed}\n{report.element.text}"
        emoji, missing = emoji_problems(report.font, text, report.layout.emoji_font)
        for message in emoji:
            found.add("missing-glyph", "hold", f"{name}: {message}")
        if missing:
            codes = ", ".join(f"U+{ord(ch):04X}" for ch in sorted(missing))
            found.add(
                "missing-glyph",
                "hold",
                f"{name}: font {report.font.family!r} has no glyph for {codes}",
            )


def _nearest_faces(found: _Found, rendered: RenderedSurface) -> None:
    # The shop accepts the nearest face ([fonts] nearest_face); the print still differs from
    # Amazon's preview, which showed the browser's computer-made bold or slant.
    for font in rendered.fonts:
        if font.nearest_for is not None:
            found.add(
                "font-face",
                "warn",
                f"font {font.family!r} has no {font.nearest_for} face: printed in its "
                f"{font.style_name} (nearest_face in shop.toml)",
            )


def _substituted(
    extents: Sequence[Extent], rendered: RenderedSurface
) -> Iterator[tuple[Extent, TextReport]]:
    """The texts a configured alias printed, with the report of how they were drawn."""
    reports = {element_name(report.element): report for report in rendered.texts}
    for extent in extents:
        report = reports.get(extent.name)
        if extent.substitute is not None and report is not None:
            yield extent, report


def _surface_of(message: str) -> str | None:
    """The surface a zip reader's warning is about (`surface 'FRONT': ...`), if it names one."""
    match = re.match(r"surface (['\"])(.*?)\1: ", message)
    return match.group(2) if match else None


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, str]] = set()
    result = []
    for finding in findings:
        key = (finding.rule, finding.severity, finding.message)
        if key not in seen:
            seen.add(key)
            result.append(finding)
    return result
