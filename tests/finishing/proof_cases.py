"""The proof check's labelled set: prints that show what the buyer saw, and prints that do not.

Every case is a customization zip made here with the sample generator's building blocks
(`samples/`): a surface described once, written as JSON, SVG and snapshot, and then either the
zip's design (what is printed) or its snapshot (what Amazon showed the buyer) edited. Nothing
comes from a real person, and nothing is stored: the set is drawn again on every run.

- faithful: small text, thin strokes, Cyrillic, Greek and accented Latin at 20 preview units,
  a heavily compressed snapshot, a textured product photo behind the design, a soft photo, a
  substitute font the shop configured, and every sample zip with a snapshot. The check must
  hold none of them.
- wrong: a photo or a text mirrored, shifted by 3 mm (and a photo by 12 mm), a missing line,
  another photo, a blank or transparent photo, a substitute font with a line missing or moved
  by 3 mm. The check must hold each, and name the substitute font when there is one.

`tests/finishing/test_proof_accuracy.py` asserts both, `benchmarks/proof_accuracy.py` prints
the false-hold and miss rates.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image

from production.config.settings import DEFAULT_CONFIG_DIR, Settings, load_settings
from production.customization.samples import SAMPLES_DIR
from production.floor.rendering import ItemRenderer, JobOutput
from samples import photos
from samples.fabricjs import Box
from samples.make_samples import (
    AMATIC,
    BLACK,
    ROBOTO,
    SAMPLES,
    ids,
    jpeg_upload,
    mug_image,
    mug_text,
    surface,
)
from samples.surfaces import Color, Font, ImageSlot, Order, Slot, TextSlot, Upload
from tests.finishing.proof_pictures import (
    LayerEdit,
    drawn,
    jpeg,
    mirrored,
    mug,
    shifted,
    soft_photo,
    with_snapshot,
    wood,
    zipped,
)
from tests.finishing.zips import Document, member, moved_in_json, moved_in_svg, rewritten

__all__ = [
    "SUBSTITUTE_ALIAS",
    "ProofCase",
    "Verdict",
    "judge",
    "labelled_settings",
    "proof_cases",
    "sample",
    "tote_photo",
]

MUG_MM_PER_UNIT = 215.9 / 311  # the sample mugs' design box: 311 units print 215.9 mm wide
TOTE_MM_PER_UNIT = 254 / 240  # the tote's photo box: 240 units print 254 mm
SIGN_MM_PER_UNIT = 304.8 / 300  # the sign's text area: 300 units print 304.8 mm
NOISY_QUALITY = 30  # a snapshot compressed this hard shows blocks and ringing around letters
SUBSTITUTE_ALIAS = ("Brand Sans", "Roboto")  # a family the shop lacks, and what it prints
# What Amazon drew "Brand Sans" in: the shop lacks it and prints Roboto (Regular) instead.
ROBOTO_BOLD = Font("Brand Sans", photos.font_file("font_roboto", "Roboto-Bold.ttf"), 117)
ROBOTO_BLACK = Font("Brand Sans", photos.font_file("font_roboto", "Roboto-Black.ttf"), 117)
ROBOTO_THIN = Font(
    "font-thin-sample-0000000000",
    photos.font_file("font_roboto", "Roboto-Thin.ttf"),
    117,
    # A seller's upload, found by its file name: the installed Roboto Thin.
    face_url="https://pc-vendor-gallery-prod-eu.s3.amazonaws.com/S/font/Roboto-Thin.ttf",
)
SLUG = "proof-accuracy"

_MUG_ASIN, _TOTE_ASIN, _SIGN_ASIN = "B0SAMPLE03", "B0SAMPLE04", "B0SAMPLE01"


@dataclass(frozen=True)
class ProofCase:
    """One labelled render: the zip, and whether its print shows what the buyer saw."""

    name: str
    faithful: bool
    data: bytes
    # For a wrong print: words the hold reason must hold (a substitute font is named).
    reason: str | None = None


@dataclass(frozen=True)
class Verdict:
    """What the proof check made of a case: held or not, the scores, the reasons."""

    held: bool
    scores: tuple[tuple[str, float], ...]
    reasons: tuple[str, ...]

    @property
    def score(self) -> float | None:
        return min((score for _, score in self.scores), default=None)


def labelled_settings(folder: Path) -> Settings:
    """The default configuration, with the shop's alias for the substitute-font cases."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("printers.toml", "products.toml"):
        shutil.copyfile(DEFAULT_CONFIG_DIR / name, folder / name)
    shop = (DEFAULT_CONFIG_DIR / "shop.toml").read_text()
    family, alias = SUBSTITUTE_ALIAS
    shop = shop.replace("[fonts.aliases]\n", f'[fonts.aliases]\n"{family}" = "{alias}"\n')
    assert f'"{family}"' in shop, "the default shop.toml has no [fonts.aliases] table"
    (folder / "shop.toml").write_text(shop)
    return load_settings(folder)


def judge(renderer: ItemRenderer, case: ProofCase) -> Verdict:
    """Render the case's zip as the daemon does; held: the proof check held a surface."""
    jobs = [job for job in renderer.render_zip(case.data, source=case.name).jobs if job.pdf]
    assert jobs, f"{case.name}: nothing was printed"
    reasons = tuple(message for job in jobs for message in _proof_holds(job))
    scores = tuple(pair for job in jobs if job.proof is not None for pair in job.proof.elements)
    return Verdict(bool(reasons), scores, reasons)


def _proof_holds(job: JobOutput) -> list[str]:
    return [f.message for f in job.preflight if f.rule == "proof" and f.severity == "hold"]


@cache
def proof_cases() -> tuple[ProofCase, ...]:
    """The whole set, faithful cases first."""
    cases: list[ProofCase] = []
    for build in (*_FAITHFUL, *_WRONG):
        made = build()
        cases += made if isinstance(made, list) else [made]
    return tuple(cases)


# -- orders -------------------------------------------------------------------------------------


def _mug(slug: str, slots: Sequence[Slot]) -> Order:
    return Order(
        *ids(3), _MUG_ASIN, "Mug", (surface(slug, "FRONT", "mug", list(slots)),), with_xml=False
    )


def _line(text: str, font: Font, height: int, *, color: Color = BLACK, y: int = 185) -> TextSlot:
    """One line of text in a box `height` units tall across the mug: about that high printed."""
    return TextSlot(
        "LINE  TEXT", "Text 1", "LINE  TEXT", "Text Input 1", "Line", Box(60, y, 280, height),
        font, color, text,
    )  # fmt: skip


def line_order(text: str, font: Font = ROBOTO, height: int = 20, *, color: Color = BLACK) -> Order:
    return _mug(f"{SLUG}-{text}-{height}", [_line(text, font, height, color=color)])


@cache
def tote_photo(seed: int = 1) -> tuple[Order, Upload]:
    """The tote's photo-only FRONT with a soft phone photo."""
    upload = jpeg_upload(SLUG, f"soft-{seed}", soft_photo((1600, 1600), seed), "IMG_1.jpg")
    slot = ImageSlot("FRONT PHOTO", "Front photo", "Front photo", Box(80, 90, 240, 240), upload)
    slots: list[Slot] = [slot]
    order = Order(
        *ids(4), _TOTE_ASIN, "Tote", (surface(SLUG, "FRONT", "tote", slots),), with_xml=False
    )
    return order, upload


@cache
def mug_photo(seed: int = 2) -> tuple[Order, Upload]:
    """A mug with one soft photo in the front box and nothing else."""
    upload = jpeg_upload(SLUG, f"mug-{seed}", soft_photo((2000, 1500), seed), "IMG_2.jpg")
    return _mug(f"{SLUG}-mug-photo", [mug_image("FRONT", upload)]), upload


@cache
def sample_order(name: str) -> Order:
    made = SAMPLES[name](name)
    assert isinstance(made, Order)
    return made


def sample(name: str) -> bytes:
    return (SAMPLES_DIR / f"{name}.zip").read_bytes()


# -- edits of the printed design ----------------------------------------------------------------


def _replace_member(data: bytes, name: str, picture: Image.Image) -> bytes:
    original = Image.open(io.BytesIO(member(data, name)))
    same = picture.resize(original.size)
    if name.endswith(".png"):
        out = io.BytesIO()
        same.save(out, "PNG")
        return rewritten(data, members={name: out.getvalue()})
    return rewritten(data, members={name: jpeg(same)})


def without_line(data: bytes, label: str, line: str) -> bytes:
    """The design with `line` of the text labelled `label` gone from the JSON and the SVG."""

    def svg(text: str) -> str:
        span = re.compile(rf'<tspan x="[^"]*" y="[^"]*" >{re.escape(line)}</tspan>')
        assert span.search(text), line
        return span.sub("", text)

    def document(tree: Document) -> None:
        def walk(node: Document) -> None:
            if node.get("type") == "TextCustomization" and node.get("label") == label:
                kept = [part for part in node["inputValue"].split("\n") if part != line]
                node["inputValue"] = "\n".join(kept)
            for child in node.get("children", []):
                walk(child)

        walk(tree["customizationData"])

    return rewritten(data, svg=svg, document=document)


def moved(data: bytes, marker: str, label: str, dx_mm: float, dy_mm: float, mm: float) -> bytes:
    """The design with an element moved by (dx_mm, dy_mm) on a product of `mm` per unit."""
    dx, dy = dx_mm / mm, dy_mm / mm
    return rewritten(data, svg=moved_in_svg(marker, dx, dy), document=moved_in_json(label, dx, dy))


# -- the cases ----------------------------------------------------------------------------------

_Build = Callable[[], ProofCase]


def _faithful_samples() -> list[ProofCase]:
    names = (
        "photo-text", "two-surfaces", "xml-only", "rotated-photo", "exif-rotated", "png-alpha",
        "text-only", "seller-font",
    )  # fmt: skip
    return [ProofCase(f"sample {name}", True, sample(name)) for name in names]


def _scripts() -> list[ProofCase]:
    lines = {"Cyrillic": "Привет, мир", "Greek": "Καλημέρα κόσμε", "accents": "Crème brûlée"}
    return [
        ProofCase(f"{script} at 20 units", True, zipped(line_order(text)))
        for script, text in lines.items()
    ]


def _small_and_thin() -> list[ProofCase]:
    return [
        ProofCase(
            "small text, 7 units", True, line_order("Forever & always", height=7).zip_bytes()
        ),
        ProofCase("thin strokes", True, line_order("Anna & Tom", ROBOTO_THIN, 14).zip_bytes()),
        ProofCase("thin small caps", True, line_order("Our home", AMATIC, 10).zip_bytes()),
        ProofCase(
            "gold text, thin",
            True,
            line_order("Sweet 16", ROBOTO_THIN, 24, color=Color("Gold", "#FFD700")).zip_bytes(),
        ),
    ]


def _noisy_snapshots() -> list[ProofCase]:
    cases = []
    for name in ("photo-text", "text-only", "png-alpha"):
        order = sample_order(name)
        cases.append(
            ProofCase(
                f"JPEG noise, {name}",
                True,
                with_snapshot(order, drawn(order.surfaces[0], quality=NOISY_QUALITY)),
            )
        )
    order = line_order("Привет, мир")
    cases.append(
        ProofCase(
            "JPEG noise, Cyrillic",
            True,
            with_snapshot(order, drawn(order.surfaces[0], quality=NOISY_QUALITY)),
        )
    )
    return cases


def _products_behind() -> list[ProofCase]:
    cases = []
    for name, base in (("text-only", wood()), ("photo-text", mug()), ("png-alpha", mug())):
        order = sample_order(name)
        cases.append(
            ProofCase(
                f"product behind, {name}",
                True,
                with_snapshot(order, drawn(order.surfaces[0], base=base)),
            )
        )
    order = line_order("Crème brûlée", height=14)
    cases.append(
        ProofCase(
            "product behind, accents",
            True,
            with_snapshot(order, drawn(order.surfaces[0], base=wood())),
        )
    )
    return cases


def _soft_photos() -> list[ProofCase]:
    tote, _ = tote_photo()
    mug_order, _ = mug_photo()
    return [
        ProofCase("soft photo, tote", True, zipped(tote)),
        ProofCase("soft photo, mug", True, zipped(mug_order)),
        ProofCase(
            "soft photo, JPEG noise",
            True,
            with_snapshot(tote, drawn(tote.surfaces[0], quality=NOISY_QUALITY)),
        ),
    ]


def _substitute() -> list[ProofCase]:
    """Amazon showed a face the shop lacks (Roboto Bold, Black); it prints Roboto (alias)."""
    bold = _mug(f"{SLUG}-substitute", [mug_text("BACK", ROBOTO_BOLD, BLACK, "Best Dad\nEver")])
    black = line_order("Familie Müller", ROBOTO_BLACK, 24)
    return [
        ProofCase("substitute font", True, zipped(bold)),
        ProofCase("substitute font, wider face", True, zipped(black)),
    ]


_FAITHFUL: tuple[_Build | Callable[[], list[ProofCase]], ...] = (
    _faithful_samples,
    _scripts,
    _small_and_thin,
    _noisy_snapshots,
    _products_behind,
    _soft_photos,
    _substitute,
)


def _redrawn(name: str, order: Order, edit: LayerEdit) -> ProofCase:
    """A wrong case: the order printed as it is, the preview drawn with `edit`."""
    return ProofCase(name, False, with_snapshot(order, drawn(order.surfaces[0], edit=edit)))


def _mirrored() -> list[ProofCase]:
    return [
        _redrawn("photo mirrored, tote", tote_photo()[0], mirrored(0)),
        _redrawn("photo mirrored, mug", mug_photo()[0], mirrored(0)),
        _redrawn("photo mirrored, photo-text", sample_order("photo-text"), mirrored(0)),
        _redrawn("text mirrored, text-only", sample_order("text-only"), mirrored(0)),
    ]


def _shifted() -> list[ProofCase]:
    cases = []
    for dx, dy in ((3, 0), (0, 3), (-2.2, 2.2), (12, 0)):
        where = f"{dx:g}, {dy:g} mm"
        for product, (order, _), mm in (
            ("tote", tote_photo(), TOTE_MM_PER_UNIT),
            ("mug", mug_photo(), MUG_MM_PER_UNIT),
        ):
            edit = shifted(0, dx / mm, dy / mm)
            cases.append(_redrawn(f"photo shifted {where}, {product}", order, edit))
    sign = moved(sample("text-only"), "Happy Birthday", "Main text", 3, 0, SIGN_MM_PER_UNIT)
    mug_text_down = moved(sample("photo-text"), "Best Dad", "BACK TEXT", 0, 3, MUG_MM_PER_UNIT)
    cyrillic = _redrawn(
        "Cyrillic shifted 3 mm", line_order("Привет, мир"), shifted(0, 3 / MUG_MM_PER_UNIT)
    )
    return [
        *cases,
        ProofCase("text shifted 3 mm, sign", False, sign),
        ProofCase("text shifted 3 mm down, mug", False, mug_text_down),
        cyrillic,
    ]


def _missing_lines() -> list[ProofCase]:
    mug, sign = sample("photo-text"), sample("text-only")
    return [
        ProofCase("missing line, sign", False, without_line(sign, "Main text", "Sam")),
        ProofCase("missing line, mug", False, without_line(mug, "BACK TEXT", "Ever")),
        ProofCase("missing first line, mug", False, without_line(mug, "BACK TEXT", "Best Dad")),
    ]


_PHOTO_TEXT_PHOTO = "d26e15ba-ac45-3d40-8260-fee4e36d4b94.jpg"
_PNG_ALPHA_PHOTO = "a4348b3f-d74f-c85b-aa32-a6699a1ade5d.png"


def _wrong_photos() -> list[ProofCase]:
    tote, upload = tote_photo()
    other = photos.photo((2000, 1500), "2", top="#e8793a", bottom="#3b2a6b", accent="#ffd23f")
    another_soft = _replace_member(zipped(tote), upload.member, soft_photo((1600, 1600), 9))
    another = _replace_member(sample("photo-text"), _PHOTO_TEXT_PHOTO, other)
    return [
        ProofCase("another photo, tote", False, another_soft),
        # The same sample picture with another number on it: another photo, barely.
        ProofCase("another photo, photo-text", False, another),
    ]


def _blank() -> list[ProofCase]:
    tote, upload = tote_photo()
    white = Image.new("RGB", (64, 64), "white")
    clear = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    return [
        ProofCase("blank photo, tote", False, _replace_member(zipped(tote), upload.member, white)),
        ProofCase(
            "blank photo, photo-text",
            False,
            _replace_member(sample("photo-text"), _PHOTO_TEXT_PHOTO, white),
        ),
        ProofCase(
            "transparent PNG, png-alpha",
            False,
            _replace_member(sample("png-alpha"), _PNG_ALPHA_PHOTO, clear),
        ),
    ]


def _substitute_wrong() -> list[ProofCase]:
    order = _mug(f"{SLUG}-substitute", [mug_text("BACK", ROBOTO_BOLD, BLACK, "Best Dad\nEver")])
    data = zipped(order)
    black = line_order("Familie Müller", ROBOTO_BLACK, 24)
    shifted_line = drawn(black.surfaces[0], edit=shifted(0, 3 / MUG_MM_PER_UNIT))
    return [
        ProofCase(
            "substitute font, missing line",
            False,
            without_line(data, "BACK TEXT", "Ever"),
            reason="substitute font",
        ),
        ProofCase(
            "substitute font, shifted 3 mm",
            False,
            with_snapshot(black, shifted_line),
            reason="substitute font",
        ),
    ]


_WRONG: tuple[_Build | Callable[[], list[ProofCase]], ...] = (
    _mirrored,
    _shifted,
    _missing_lines,
    _wrong_photos,
    _blank,
    _substitute_wrong,
)
