"""Proofs of a rendered surface, and how closely it matches the preview Amazon showed the buyer.

Every zip carries, per surface, a 400×400 JPEG "snapshot": the design drawn in Amazon's preview
space over the product's base image, with the seller's option overlays on top. The print file
is rasterised once; that picture is the proof (`<stem>.proof.png`), and mapped back through the
inverse of the page's placement transform it is our design in the snapshot's own space. There
the two are compared element by element, only where the design has ink: a photo inside its
visible rectangle (`renderers.photomatch`: fine structure, correlation, and where it sits), a
text by its letters, seen as nearness to its colour, around them and in its whole placement
box (`renderers.textmatch`: their shapes, or for a substitute font their layout, and whether
any are missing). Elsewhere the snapshot shows the product photo and overlays, which the print
file rightly lacks. The surface's score is its worst element's; below the template's
`min_proof_score` a person compares the pictures side by side (`<stem>.compare.png`, drawn by
`Comparison.png` for a job a person will look at).
"""

from __future__ import annotations

import io
import math
import struct
import warnings
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from isal import isal_zlib
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

from production.core.geometry import Box, Matrix
from production.core.model import PREVIEW_SIZE
from renderers.extents import Extent
from renderers.inkcheck import missing_ink
from renderers.pdfraster import render_page
from renderers.placement import PageGeometry
from renderers.sidebyside import side_by_side
from renderers.similarity import C2, image_math, masked_mean, masked_similarity, similarity
from renderers.textmatch import match_text

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    _Gray = npt.NDArray[np.floating[Any]]

__all__ = [
    "PROOF_PIXELS",
    "Comparison",
    "ProofCheck",
    "Region",
    "check_proof",
    "proof_regions",
    "proof_scale",
]


PROOF_PIXELS = 600  # the proof's longer side, at least
_MAX_PROOF_PIXELS = 4000  # and at most: a huge page is not drawn larger than this
_PREVIEW = int(PREVIEW_SIZE)
_PREVIEW_BOX = Box(0, 0, PREVIEW_SIZE, PREVIEW_SIZE)
_PHOTO_BLUR = 1.0  # pixels: photos' gray pictures are blurred this much before correlating
_SUPERSAMPLE = 2  # the proof has at least this many pixels per preview unit
_TEXT_ROOM = 4.0  # preview units of background compared around a text's glyphs
# A photo is judged this far inside its edges: the comparison window must not reach past them,
# where the snapshot shows the product and the print file shows nothing.
_PHOTO_INSET = 3.0
_BLANK_RANGE = 6  # a snapshot whose gray levels all lie this close together shows nothing
_MARGIN = 12  # preview units around the compared regions: looked at, and shown to people
_SSIM_REACH = 6  # the blur and the SSIM window see this many pixels around each one


@dataclass(frozen=True, slots=True)
class Region:
    """Where one element's ink is in preview space: the part of the snapshot it is judged on."""

    name: str
    box: Box
    color: tuple[int, int, int] | None = None  # a text's colour: compared by nearness to it
    drawn: tuple[int, int, int] | None = None  # the colour our file draws it in, if another
    negative: bool = False  # a photo the laser engraves inverted: compared with its negative
    clip: Box | None = None  # a text's placement box: where the preview may show its letters
    substitute: bool = False  # a text printed in a substitute font: judged by its layout
    opaque: bool = True  # a photo covering its whole rectangle (a JPEG; a PNG may not)


@dataclass(frozen=True, slots=True)
class Comparison:
    """What the comparison picture is drawn from: the preview area around the design."""

    ours: Image.Image
    theirs: Image.Image
    compared: Image.Image  # "L": 255 where a region was compared
    boxes: tuple[Box, ...]  # the regions, in the area's pixels
    caption: str

    def png(self) -> bytes:
        """Ours | Amazon's | where they differ: `<stem>.compare.png`."""
        ssim = similarity(self.ours, self.theirs).ssim
        return _png(
            side_by_side(self.ours, self.theirs, ssim, self.compared, self.boxes, self.caption)
        )


@dataclass(frozen=True, slots=True)
class ProofCheck:
    """The proof of a surface and, when Amazon's snapshot could be used, the comparison."""

    proof_png: bytes
    score: float | None  # the lowest element score; None: nothing was compared (see `note`)
    elements: tuple[tuple[str, float], ...] = ()
    note: str | None = None  # why there is no score
    comparison: Comparison | None = None  # None once drawn, or when there is none
    remarks: tuple[tuple[str, str], ...] = ()  # element → what differs, for a person
    # The elements the print file has no ink for where the design puts them (`inkcheck`):
    # found with or without a snapshot.
    missing_ink: tuple[str, ...] = ()

    @property
    def worst(self) -> str | None:
        """The least alike element's name."""
        return min(self.elements, key=lambda pair: pair[1])[0] if self.elements else None

    def remark(self, name: str) -> str | None:
        return dict(self.remarks).get(name)


def proof_regions(
    extents: Sequence[Extent],
    *,
    text_ink: tuple[int, int, int] | None = None,
    negative_photos: bool = False,
) -> list[Region]:
    """The regions a surface is compared on: each element's visible ink, in preview units.

    `text_ink`: the one colour texts are drawn in (a laser's black), if not their own;
    `negative_photos`: the photos are printed inverted (an engrave template's `invert`).
    """
    regions = []
    for extent in extents:
        box = extent.visible
        if box is None:
            continue
        if extent.kind == "text" and extent.measured:
            box = box.inset(-_TEXT_ROOM)
            if extent.clip is not None:
                box = _intersect(box, extent.clip) or box
        elif extent.kind == "photo" and min(box.width, box.height) > 4 * _PHOTO_INSET:
            box = box.inset(_PHOTO_INSET)
        box = _intersect(box, _PREVIEW_BOX)
        if box is not None and box.width >= 1 and box.height >= 1:
            photo = extent.kind == "photo"
            clip = None
            if not photo and extent.clip is not None:
                clip = _intersect(extent.clip, _PREVIEW_BOX)
            region = Region(extent.name, box, extent.color, text_ink, negative_photos and photo)
            regions.append(
                replace(
                    region,
                    clip=clip,
                    substitute=extent.substitute is not None,
                    opaque=extent.opaque,
                )
            )
    return regions


def check_proof(
    pdf: bytes,
    page: PageGeometry,
    snapshot: bytes | None,
    regions: Sequence[Region],
    *,
    min_score: float,
) -> ProofCheck:
    """Rasterise `pdf`, compare it with `snapshot` on `regions`; the proof and the scores.

    `min_score` is only shown on the comparison picture: holding is the caller's decision.
    """
    scale = proof_scale(page)
    picture = render_page(pdf, scale=scale)
    proof = ProofCheck(
        _png(picture),
        None,
        missing_ink=missing_ink(picture, page, scale, regions),
    )
    if snapshot is None:
        return replace(proof, note="the zip has no snapshot of this surface")
    theirs = _open_snapshot(snapshot)
    if theirs is None:
        return replace(proof, note="the surface's snapshot cannot be read")
    if not regions:
        return replace(proof, note="the surface has no ink to compare")
    if _blank(theirs):
        # Amazon's preview always shows the product: one colour throughout is not a preview.
        return replace(proof, note="the snapshot is blank: nothing to compare")
    # Everything below happens in `area`, the part of the preview around the regions.
    area = _area(regions)
    judge = _Judge(_to_preview(picture, page, scale, area), theirs, area, page.mm_per_unit)
    judge.regions = regions
    scores, remarks = [], []
    for region in regions:
        value, remark = judge.region(region)
        if value is not None:
            scores.append((region.name, round(value, 3)))
        if remark is not None:
            remarks.append((region.name, remark))
    score = min((value for _, value in scores), default=None)
    caption = "no score" if score is None else f"score {score:.3f}, threshold {min_score:.3f}"
    boxes = tuple(_shifted(region.box, area) for region in regions)
    union = _union([_mask(region.box, area) for region in regions])
    comparison = Comparison(judge.ours, judge.theirs, union, boxes, caption)
    return replace(
        proof, score=score, elements=tuple(scores), comparison=comparison, remarks=tuple(remarks)
    )


class _Judge:
    """The pictures of one comparison, and the scoring of each region on them."""

    def __init__(
        self,
        ours: Image.Image,
        snapshot: Image.Image,
        area: tuple[int, int, int, int],
        mm_per_unit: float,
    ) -> None:
        self.ours, self.snapshot, self.area = ours, snapshot, area
        self.theirs = snapshot.crop(area)
        self.mm_per_unit = mm_per_unit
        self._ssim: tuple[Image.Image, Image.Image] | None = None  # photos' SSIM, weights
        self._photos = (0, 0, *self.ours.size)  # where in the area that SSIM was computed
        self.regions: Sequence[Region] = ()
        self._grays: dict[bool, tuple[_Gray, _Gray]] = {}

    @cached_property
    def _around(self) -> tuple[int, int, int, int]:
        """The part of the snapshot a photo's place is searched in: the area and the search's
        reach around it (photos only: `renderers.photomatch` loads NumPy)."""
        from renderers.photomatch import SEARCH_UNITS

        area, snapshot = self.area, self.snapshot
        return (
            max(area[0] - SEARCH_UNITS, 0),
            max(area[1] - SEARCH_UNITS, 0),
            min(area[2] + SEARCH_UNITS, snapshot.width),
            min(area[3] + SEARCH_UNITS, snapshot.height),
        )

    def region(self, region: Region) -> tuple[float | None, str | None]:
        """The region's score (None: nothing to judge there) and what differs."""
        mask = _mask(region.box, self.area)
        if region.color is not None:
            clip = _mask(region.clip, self.area) if region.clip is not None else mask
            text = match_text(
                self.ours,
                self.theirs,
                drawn=region.drawn or region.color,
                color=region.color,
                mask=mask,
                clip=clip,
                mm_per_unit=self.mm_per_unit,
                substitute=region.substitute,
            )
            return text.score, text.remark
        from renderers.photomatch import match_photo  # NumPy: for a photo only

        ours, snapshot = self._gray(region.negative)
        x0, y0, x1, y1 = _pixels(_shifted(region.box, self.area))
        left, top = self._around[:2]
        photo = match_photo(
            ours[y0:y1, x0:x1],
            snapshot,
            (self.area[0] + x0 - left, self.area[1] + y0 - top),
            mm_per_unit=self.mm_per_unit,
            opaque=region.opaque,
        )
        values = [v for v in (self._fine(region, mask), photo.score) if v is not None]
        return (min(values) if values else None), photo.remark

    def _fine(self, region: Region, mask: Image.Image) -> float | None:
        """SSIM: the fine structure (letters and edges in the photo), as our photo has it."""
        if region.negative:
            ours, theirs = self.ours.convert("L"), ImageOps.invert(self.theirs.convert("L"))
            return masked_similarity(ours, theirs, mask)
        if self._ssim is None:
            # Photos: one map for all of them, over the part of the area they are in.
            self._photos = self._photo_bounds()
            ours, theirs = self.ours.crop(self._photos), self.theirs.crop(self._photos)
            gray = similarity(ours, theirs)
            self._ssim = (gray.ssim, image_math(lambda e: e["v"] + C2, v=gray.variance))
        return masked_mean(self._ssim[0], mask.crop(self._photos), self._ssim[1])

    def _photo_bounds(self) -> tuple[int, int, int, int]:
        """The area's pixels around its photos' regions, with room for the SSIM window."""
        boxes = [_pixels(_shifted(r.box, self.area)) for r in self.regions if r.color is None]
        if not boxes:
            return (0, 0, *self.ours.size)
        return (
            max(min(b[0] for b in boxes) - _SSIM_REACH, 0),
            max(min(b[1] for b in boxes) - _SSIM_REACH, 0),
            min(max(b[2] for b in boxes) + _SSIM_REACH, self.ours.width),
            min(max(b[3] for b in boxes) + _SSIM_REACH, self.ours.height),
        )

    def _gray(self, negative: bool) -> tuple[_Gray, _Gray]:
        """Our area and the whole snapshot, gray and lightly blurred (JPEG's blocks), as
        arrays; the snapshot inverted for a photo engraved as a negative."""
        if negative not in self._grays:
            import numpy as np

            blur = ImageFilter.GaussianBlur(_PHOTO_BLUR)
            ours = np.asarray(self.ours.convert("L").filter(blur), dtype=np.float32)
            snapshot = self.snapshot.crop(self._around).convert("L").filter(blur)
            if negative:
                snapshot = ImageOps.invert(snapshot)
            self._grays[negative] = (ours, np.asarray(snapshot, dtype=np.float32))
        return self._grays[negative]


def _blank(snapshot: Image.Image) -> bool:
    """Whether the picture is one colour throughout (JPEG noise aside)."""
    histogram = snapshot.convert("L").reduce(4).histogram()  # averaged: JPEG noise aside
    present = [level for level, count in enumerate(histogram) if count]
    return present[-1] - present[0] <= _BLANK_RANGE


def _pixels(box: Box) -> tuple[int, int, int, int]:
    """The whole pixels (left, top, right, bottom) a box in an area's pixels covers."""
    x0, y0 = round(box.x), round(box.y)
    return x0, y0, max(round(box.right), x0 + 1), max(round(box.bottom), y0 + 1)


def proof_scale(page: PageGeometry) -> float:
    """The proof's pixels per point: fine enough for the comparison and for a person."""
    points_per_unit = page.to_page.scale_x
    longer = max(page.width_pt, page.height_pt)
    scale = max(_SUPERSAMPLE / points_per_unit, PROOF_PIXELS / longer)
    return min(scale, _MAX_PROOF_PIXELS / longer)


def _area(regions: Sequence[Region]) -> tuple[int, int, int, int]:
    """The preview pixels (left, top, right, bottom) around the regions, with a margin."""
    # A text's whole placement box is looked at: a line missing from ours is somewhere there.
    boxes = [region.box for region in regions]
    bounds = Box.union_of([*boxes, *(region.clip for region in regions if region.clip)])
    assert bounds is not None
    return (
        max(int(bounds.x) - _MARGIN, 0),
        max(int(bounds.y) - _MARGIN, 0),
        min(int(bounds.right + 1) + _MARGIN, _PREVIEW),
        min(int(bounds.bottom + 1) + _MARGIN, _PREVIEW),
    )


def _to_preview(
    picture: Image.Image, page: PageGeometry, scale: float, area: tuple[int, int, int, int]
) -> Image.Image:
    """The proof mapped back onto `area` of the preview space: what the page shows, else white.

    The page is the preview space scaled and moved (`page_geometry`), so the inverse is a crop
    and a reduction: a resampling with proper filtering, where a general affine warp would
    alias.
    """
    m = page.to_page.then(Matrix.scale(scale))  # preview units → proof pixels
    if m.b or m.c:
        raise ValueError("the page is not the preview space scaled and moved")
    left, top = m.apply(area[0], area[1]).x, m.apply(area[0], area[1]).y
    right, bottom = m.apply(area[2], area[3]).x, m.apply(area[2], area[3]).y
    # Where the area reaches past the page, the page is widened with white.
    pad = max(0, math.ceil(max(-left, -top, right - picture.width, bottom - picture.height)))
    if pad:
        picture = ImageOps.expand(picture, border=pad, fill=(255, 255, 255))
    box = (left + pad, top + pad, right + pad, bottom + pad)
    size = (area[2] - area[0], area[3] - area[1])
    return picture.resize(size, Image.Resampling.BICUBIC, box=box, reducing_gap=None)


def _open_snapshot(data: bytes) -> Image.Image | None:
    try:
        with warnings.catch_warnings():
            # Damaged EXIF in Amazon's preview: Pillow skips it, and would say so on stderr.
            warnings.simplefilter("ignore", UserWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.width * image.height > 16 * _PREVIEW * _PREVIEW:
                    return None  # not a preview: nothing that large is one
                snapshot = ImageOps.exif_transpose(image).convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    if snapshot.size != (_PREVIEW, _PREVIEW):
        snapshot = snapshot.resize((_PREVIEW, _PREVIEW), Image.Resampling.LANCZOS)
    return snapshot


def _shifted(box: Box, area: tuple[int, int, int, int]) -> Box:
    return Box(box.x - area[0], box.y - area[1], box.width, box.height)


def _mask(box: Box, area: tuple[int, int, int, int]) -> Image.Image:
    mask = Image.new("L", (area[2] - area[0], area[3] - area[1]), 0)
    local = _shifted(box, area)
    x0, y0 = round(local.x), round(local.y)
    x1, y1 = max(round(local.right), x0 + 1), max(round(local.bottom), y0 + 1)
    ImageDraw.Draw(mask).rectangle((x0, y0, x1 - 1, y1 - 1), fill=255)
    return mask


def _union(masks: Sequence[Image.Image]) -> Image.Image:
    union = masks[0]
    for mask in masks[1:]:
        union = ImageChops.lighter(union, mask)
    return union


def _intersect(a: Box, b: Box) -> Box | None:
    x0, y0 = max(a.x, b.x), max(a.y, b.y)
    x1, y1 = min(a.right, b.right), min(a.bottom, b.bottom)
    if x1 <= x0 or y1 <= y0:
        return None
    return Box(x0, y0, x1 - x0, y1 - y0)


def _png(picture: Image.Image) -> bytes:
    """The picture as a PNG; 8-bit gray or RGB(A) without filtering, ISA-L deflating it.

    Pillow chooses a filter for every row, which takes six times as long as ISA-L's deflate of
    the unfiltered rows, for files about as small (a proof has large flat areas).
    """
    color_type = _PNG_COLOR_TYPES.get(picture.mode)
    width, height = picture.size
    special = "icc_profile" in picture.info or "transparency" in picture.info
    if color_type is None or special or not width or not height:
        out = io.BytesIO()
        picture.save(out, format="PNG", compress_level=1)
        return out.getvalue()
    pixels = picture.tobytes()
    stride = len(pixels) // height
    rows = b"".join(b"\0" + pixels[at : at + stride] for at in range(0, len(pixels), stride))
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", isal_zlib.compress(rows, 1)),
            _png_chunk(b"IEND", b""),
        ]
    )


_PNG_COLOR_TYPES = {"L": 0, "RGB": 2, "RGBA": 6}


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
