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
  another photo, a blank photo, a missing line in a substitute font. The check must hold each.

`tests/finishing/test_proof_accuracy.py` asserts both, `benchmarks/proof_accuracy.py` prints
the false-hold and miss rates.
"""

from __future__ import annotations

import io
import random
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from PIL import Image, ImageColor, ImageDraw, ImageFilter, ImageOps

from production.config.settings import DEFAULT_CONFIG_DIR, Settings, load_settings
from production.customization.samples import SAMPLES_DIR
from production.floor.rendering import ItemRenderer, JobOutput
from samples import photos, snapshot
from samples.fabricjs import Box, SvgDocument
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
from samples.surfaces import Color, Font, ImageSlot, Order, Slot, Surface, TextSlot, Upload
from tests.finishing.zips import Document, member, moved_in_json, moved_in_svg, rewritten

__all__ = [
    "SUBSTITUTE_ALIAS",
    "ProofCase",
    "Verdict",
    "judge",
    "labelled_settings",
    "proof_cases",
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


# -- pictures -----------------------------------------------------------------------------------


def soft_photo(size: tuple[int, int], seed: int) -> Image.Image:
    """A 'photo' like a phone's: soft shapes on a gradient, sensor noise, no sharp labels.

    The sample photos shout their orientation with big letters; a real portrait or landscape
    is mostly smooth, so mirrored or shifted it stays alike to a blurred comparison.
    """
    rng = random.Random(seed)
    full = size
    size = (size[0] // 4, size[1] // 4)  # drawn small and enlarged: it is smooth anyway
    width, height = size
    ramp = Image.linear_gradient("L").resize(size, Image.Resampling.BICUBIC)
    picture = ImageOps.colorize(ramp, _color(rng), _color(rng)).convert("RGB")
    shapes = Image.new("RGB", size)
    alpha = Image.new("L", size, 0)
    for _ in range(9):
        r = rng.uniform(0.08, 0.3) * min(size)
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        layer = Image.new("L", size, 0)
        ImageDraw.Draw(layer).ellipse((cx - r, cy - r * 1.3, cx + r, cy + r * 1.3), fill=200)
        shapes.paste(ImageColor.getrgb(_color(rng)), (0, 0), layer)
        alpha = Image.composite(layer, alpha, layer)
    blur = ImageFilter.GaussianBlur(min(size) * 0.02)
    picture = Image.composite(shapes.filter(blur), picture, alpha.filter(blur))
    picture = picture.resize(full, Image.Resampling.BICUBIC)
    noise = Image.effect_noise(full, 6).convert("RGB")
    return Image.blend(picture, noise, 0.04)


def _color(rng: random.Random) -> str:
    return "#" + "".join(f"{rng.randrange(40, 230):02x}" for _ in range(3))


def wood(size: int = snapshot.SIZE) -> Image.Image:
    """A light wood board seen from above: the product photo behind an engraved sign."""
    rng = random.Random(7)
    board = Image.new("RGB", (size, size), (222, 190, 150))
    draw = ImageDraw.Draw(board)
    for _ in range(90):
        y = rng.uniform(0, size)
        shade = rng.randrange(150, 205)
        wobble = rng.uniform(2, 9)
        points = [(x, y + wobble * ((x / 37 + y) % 3 - 1.5)) for x in range(0, size + 8, 8)]
        draw.line(points, fill=(shade, shade - 40, shade - 80), width=rng.choice((1, 1, 2)))
    return board.filter(ImageFilter.GaussianBlur(0.8))


def mug(size: int = snapshot.SIZE) -> Image.Image:
    """A white mug lit from the left: shading across the wrap, a speckled glaze."""
    ramp = Image.linear_gradient("L").rotate(90).resize((size, size))
    shade = ramp.point(lambda v: 255 - round(45 * abs(v - 96) / 160))
    speckle = Image.effect_noise((size, size), 10).point(lambda v: 0 if v < 140 else 30)
    gray = Image.merge("RGB", [shade] * 3)
    return Image.composite(Image.new("RGB", (size, size), (170, 170, 175)), gray, speckle)


def _jpeg(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


# -- snapshots ----------------------------------------------------------------------------------

LayerEdit = Callable[[int, snapshot.Layer], snapshot.Layer]


def drawn(
    described: Surface,
    *,
    base: Image.Image | None = None,
    edit: LayerEdit | None = None,
    quality: int = snapshot.JPEG_QUALITY,
) -> bytes:
    """The surface's snapshot as Amazon would draw it, over `base`, with layer `edit`s."""
    layers: list[snapshot.Layer] = []
    for slot in described.slots:
        slot.draw(SvgDocument(first_clip_id=1), layers)
    if edit is not None:
        layers = [edit(index, layer) for index, layer in enumerate(layers)]
    if base is not None:
        art = base.convert("RGBA")
        units = (snapshot.SIZE / art.width, snapshot.SIZE / art.height)
        layers.insert(0, snapshot.Layer(art, (-200.0, -200.0), units, (1, 0, 0, 1, 200, 200), None))
    out = io.BytesIO()
    snapshot.draw(layers).save(out, "JPEG", quality=quality)
    return out.getvalue()


def mirrored(which: int) -> LayerEdit:
    """Layer `which` drawn mirrored left to right about its own centre."""

    def edit(index: int, layer: snapshot.Layer) -> snapshot.Layer:
        if index != which:
            return layer
        a, b, c, d, e, f = layer.matrix
        return replace(layer, matrix=(-a, -b, c, d, e, f))

    return edit


def shifted(which: int, dx: float, dy: float = 0.0) -> LayerEdit:
    """Layer `which` moved by (dx, dy) preview units inside its unmoved clip."""

    def edit(index: int, layer: snapshot.Layer) -> snapshot.Layer:
        if index != which:
            return layer
        a, b, c, d, e, f = layer.matrix
        return replace(layer, matrix=(a, b, c, d, e + dx, f + dy))

    return edit


def with_snapshot(order: Order, snapshot_jpeg: bytes) -> bytes:
    """The order's zip with its (only) surface's snapshot replaced."""
    [described] = order.surfaces
    return rewritten(zipped(order), members={described.snapshot_member: snapshot_jpeg})


@cache
def zipped(order: Order) -> bytes:
    """The order's zip, made once: drawing its snapshot is most of the set's making."""
    return order.zip_bytes()


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
    return rewritten(data, members={name: _jpeg(same)})


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
