"""The job ticket written beside every print file: one typed record, written as JSON (and XJDF).

A ticket tells the person (or RIP) at the device what the file is: which order item and
product, the finished and printed size, the process and device settings, the photo
resolutions, and a barcode value to scan when the job is done. It never holds the buyer's
name, address or text: the print file is the only place the design lives.

The ticket is built once, when the job is rendered (`production.floor.rendering`), from the
item's record (ids, quantity, Amazon's ship-by date) and what the renderers report; a device
that prints a different file than the one rendered gets a copy that says so (`for_device`).
Fields follow `shared/specs/print-production.md` ("Job tickets"); `TICKET_VERSION` changes when
a field changes meaning, so RIP scripts written against a ticket keep working.

`hold` lists why nobody may print the job; a device never gets a ticket whose `hold` is not
empty, except that a held job a person approved (`production approve`, the desk's Approve)
reaches it with `hold` empty and an `approval` block saying who approved it, why, when, and
which holds that overrode (the findings keep their "hold" severity, as the check found them).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from production.core.errors import PrinterError

__all__ = [
    "TICKET_VERSION",
    "ApprovalLine",
    "DeviceFacts",
    "EngraveFacts",
    "FindingLine",
    "FontLine",
    "ImageLine",
    "JobTicket",
    "OptionLine",
    "ProofLine",
    "TemplateFacts",
]

TICKET_VERSION = 1


@dataclass(frozen=True, slots=True)
class TemplateFacts:
    """The product template a surface is printed by: sizes in millimetres, the process."""

    name: str  # "<product> / <surface template>"
    process: str
    finished_size_mm: tuple[float, float]
    print_size_mm: tuple[float, float]
    bleed_mm: float
    safe_margin_mm: float


@dataclass(frozen=True, slots=True)
class DeviceFacts:
    """The device the file is for, and what the file in its hot folder is."""

    printer: str
    printer_name: str
    dpi: int  # engrave photos are rastered at exactly this resolution; a RIP uses it as its own
    mirror: bool  # whether the file in the hot folder is a mirror image (the master never is)
    format: str  # "pdf", "svg", or another device kind's own ("tiff")


@dataclass(frozen=True, slots=True)
class EngraveFacts:
    dither: str
    invert: bool
    cut: str | None  # "rect", "rounded:R", or the cut drawing's file name


@dataclass(frozen=True, slots=True)
class ImageLine:
    """One photo as printed: its pixels, its size on the product and the resolution that gives."""

    member: str
    pixels: tuple[int, int]
    printed_mm: tuple[float, float]
    ppi: float
    warning: str | None = None


@dataclass(frozen=True, slots=True)
class FontLine:
    """The face a surface was printed with; tickets written before `style` read with defaults."""

    family: str
    file: str
    weight: int
    italic: bool
    substituted_for: str | None = None  # the family asked for, when another one stood in for it
    style: str = ""  # the face's own name: 'Bold Italic'; "" on tickets that predate it
    font_number: int = 0  # the face inside a .ttc collection
    metric_compatible: bool = False  # the substitute has the same character widths
    nearest_for: str | None = None  # the face asked for and missing, printed in this nearest one


@dataclass(frozen=True, slots=True)
class OptionLine:
    """A listing option (a colour, a size): the listing's own choice, not the buyer's words."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class FindingLine:
    """One preflight or proof-check result; ids and numbers only, never the buyer's text."""

    rule: str
    severity: str  # "warn" or "hold"
    message: str
    job: str = ""
    surface: str = ""


@dataclass(frozen=True, slots=True)
class ProofLine:
    """The proof check's account: scores against Amazon's preview and the pictures' names."""

    score: float | None  # None: not compared (see `note`)
    min_score: float
    elements: tuple[tuple[str, float], ...]
    snapshot: str | None
    note: str | None
    proof: str
    compare: str | None


@dataclass(frozen=True, slots=True)
class ApprovalLine:
    """A person sent the job on despite its holds: who, why, when, and what had held it."""

    by: str
    reason: str
    at: datetime
    cause: str  # "proof" or "review"


@dataclass(frozen=True, slots=True)
class JobTicket:
    """Everything a device's operator or RIP is told about one job."""

    job_id: str  # also the barcode value: Code 128 takes it as is
    shop: str
    order_id: str
    order_item_id: str
    asin: str | None
    sku: str | None
    quantity: int
    ship_by: datetime | None
    product: str
    surface: str
    file: str | None  # the file the device gets; None: nothing to print (options only)
    template: TemplateFacts | None = None
    device: DeviceFacts | None = None
    engrave: EngraveFacts | None = None
    images: tuple[ImageLine, ...] = ()
    fonts: tuple[FontLine, ...] = ()
    options: tuple[OptionLine, ...] = ()
    findings: tuple[FindingLine, ...] = ()
    proof: ProofLine | None = None
    created: datetime | None = None
    white: str = "none"  # no white underbase layer is generated yet
    spot_channels: tuple[str, ...] = ()
    approval: ApprovalLine | None = None  # printed as a person approved it, despite `overridden`

    @property
    def barcode(self) -> str:
        return self.job_id

    @property
    def process(self) -> str | None:
        return self.template.process if self.template is not None else None

    @property
    def hold(self) -> tuple[str, ...]:
        """Why nobody may print the job yet; () when it may go (also once a person approved it:
        the holds are then `overridden`)."""
        return () if self.approval is not None else _messages(self.findings, "hold")

    @property
    def overridden(self) -> tuple[str, ...]:
        """The holds a person's approval overrode; () without an approval."""
        return _messages(self.findings, "hold") if self.approval is not None else ()

    def approved(self, approval: ApprovalLine) -> JobTicket:
        """The ticket of a held job a person sent on: `hold` empty, the approval recorded."""
        return dataclasses.replace(self, approval=approval)

    @property
    def warnings(self) -> tuple[str, ...]:
        return _messages(self.findings, "warn")

    def for_device(self, *, file: str, format: str, mirror: bool) -> JobTicket:
        """The ticket of the file a device actually gets (another format, mirrored or not)."""
        if self.device is None:
            raise PrinterError(f"job {self.job_id} has no device to print on")
        device = dataclasses.replace(self.device, format=format, mirror=mirror)
        return dataclasses.replace(self, file=file, device=device)

    def as_dict(self) -> dict[str, Any]:
        """The ticket as the JSON document RIP scripts read (the keys of TICKET_VERSION 1)."""
        document: dict[str, Any] = {
            "ticket_version": TICKET_VERSION,
            "job_id": self.job_id,
            "barcode": self.barcode,
            "shop": self.shop,
            "order_id": self.order_id,
            "order_item_id": self.order_item_id,
            "asin": self.asin,
            "sku": self.sku,
            "quantity": self.quantity,
            "ship_by": _time(self.ship_by),
            "product": self.product,
            "surface": self.surface,
            "file": self.file,
        }
        if self.template is not None:
            t = self.template
            document |= {
                "template": t.name,
                "process": t.process,
                "finished_size_mm": [_mm(t.finished_size_mm[0]), _mm(t.finished_size_mm[1])],
                "print_size_mm": [_mm(t.print_size_mm[0]), _mm(t.print_size_mm[1])],
                "bleed_mm": _mm(t.bleed_mm),
                "safe_margin_mm": _mm(t.safe_margin_mm),
            }
        if self.device is not None:
            document |= dataclasses.asdict(self.device)
        if self.engrave is not None:
            document["engrave"] = dataclasses.asdict(self.engrave)
        document |= {
            "white": self.white,
            "spot_channels": list(self.spot_channels),
            "images": [_image(image) for image in self.images],
            "fonts": [dataclasses.asdict(font) for font in self.fonts],
            "options": [dataclasses.asdict(option) for option in self.options],
            "warnings": list(self.warnings),
            "hold": list(self.hold),
            "approval": _approval(self.approval, self.overridden) if self.approval else None,
            "preflight": {
                "findings": [_finding(finding) for finding in self.findings],
                "proof": _proof(self.proof) if self.proof is not None else None,
            },
            "created": _time(self.created),
        }
        return document

    def to_json(self) -> bytes:
        return (json.dumps(self.as_dict(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> JobTicket:
        """A ticket this module wrote, read back (a master's ticket, for another device)."""
        try:
            document = json.loads(data)
            return _ticket(document)
        except (ValueError, KeyError, TypeError) as exc:
            raise PrinterError(f"not a job ticket this program wrote: {exc}") from exc


def _messages(findings: tuple[FindingLine, ...], severity: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f.message for f in findings if f.severity == severity))


def _image(image: ImageLine) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "member": image.member,
        "pixels": list(image.pixels),
        "printed_mm": [_mm(image.printed_mm[0]), _mm(image.printed_mm[1])],
        "ppi": round(image.ppi, 1),
    }
    if image.warning is not None:
        entry["warning"] = image.warning
    return entry


def _finding(finding: FindingLine) -> dict[str, str]:
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "job": finding.job,
        "surface": finding.surface,
        "message": finding.message,
    }


def _approval(approval: ApprovalLine, overridden: tuple[str, ...]) -> dict[str, Any]:
    return {
        "by": approval.by,
        "reason": approval.reason,
        "at": _time(approval.at),
        "cause": approval.cause,
        "overrode": list(overridden),
    }


def _proof(proof: ProofLine) -> dict[str, Any]:
    return {
        "score": proof.score,
        "min_score": proof.min_score,
        "elements": [{"element": name, "score": score} for name, score in proof.elements],
        "snapshot": proof.snapshot,
        "note": proof.note,
        "proof": proof.proof,
        "compare": proof.compare,
    }


def _ticket(d: dict[str, Any]) -> JobTicket:
    template = None
    if "template" in d:
        template = TemplateFacts(
            name=d["template"],
            process=d["process"],
            finished_size_mm=_pair(d["finished_size_mm"]),
            print_size_mm=_pair(d["print_size_mm"]),
            bleed_mm=d["bleed_mm"],
            safe_margin_mm=d["safe_margin_mm"],
        )
    device = None
    if "printer" in d:
        device = DeviceFacts(d["printer"], d["printer_name"], d["dpi"], d["mirror"], d["format"])
    engrave = EngraveFacts(**d["engrave"]) if "engrave" in d else None
    preflight = d["preflight"]
    proof = preflight["proof"]
    return JobTicket(
        job_id=d["job_id"],
        shop=d["shop"],
        order_id=d["order_id"],
        order_item_id=d["order_item_id"],
        asin=d["asin"],
        sku=d["sku"],
        quantity=d["quantity"],
        ship_by=_parse_time(d["ship_by"]),
        product=d["product"],
        surface=d["surface"],
        file=d["file"],
        template=template,
        device=device,
        engrave=engrave,
        images=tuple(_image_line(image) for image in d["images"]),
        fonts=tuple(FontLine(**font) for font in d["fonts"]),
        options=tuple(OptionLine(**option) for option in d["options"]),
        findings=tuple(FindingLine(**finding) for finding in preflight["findings"]),
        proof=None if proof is None else _proof_line(proof),
        created=_parse_time(d["created"]),
        white=d["white"],
        spot_channels=tuple(d["spot_channels"]),
        approval=_approval_line(d.get("approval")),
    )


def _approval_line(d: dict[str, Any] | None) -> ApprovalLine | None:
    if d is None:
        return None
    at = _parse_time(d["at"])
    if at is None:
        raise ValueError("an approval without a time")
    return ApprovalLine(d["by"], d["reason"], at, d["cause"])


def _image_line(d: dict[str, Any]) -> ImageLine:
    return ImageLine(
        d["member"], _pair(d["pixels"]), _pair(d["printed_mm"]), d["ppi"], d.get("warning")
    )


def _proof_line(d: dict[str, Any]) -> ProofLine:
    return ProofLine(
        score=d["score"],
        min_score=d["min_score"],
        elements=tuple((e["element"], e["score"]) for e in d["elements"]),
        snapshot=d["snapshot"],
        note=d["note"],
        proof=d["proof"],
        compare=d["compare"],
    )


def _pair(values: list[Any]) -> tuple[Any, Any]:
    first, second = values
    return (first, second)


def _mm(value: float) -> float:
    return round(value, 2)


def _time(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None
