"""Join what the JSON says with what the SVG drew and what the images are, into one Surface.

The JSON is authoritative for what the buyer chose (text, font, colour, options); the SVG for
how it was drawn (matrices, clip boxes, tspan layout, z-order). Where they disagree the order
gets a warning; nothing is dropped silently.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from production.core.errors import CustomizationError
from production.core.geometry import Box
from production.core.limits import DEFAULT_LIMITS, ZipLimits
from production.core.model import (
    TEXT_STROKE_WIDTH,
    Color,
    Element,
    ImageElement,
    OverlayElement,
    Surface,
    SvgPlacement,
    TextElement,
)
from production.customization.drafts import DraftImage, DraftSurface, DraftText
from production.customization.images import ImageInfo, ImageProblem, inspect_image
from production.customization.svgreader import (
    SvgDocument,
    SvgError,
    SvgImage,
    SvgOverLimit,
    SvgText,
    read_svg,
)

__all__ = ["SurfaceMerger"]

_URL = re.compile(r"^https?://([^\s/:@]+)/", re.IGNORECASE)
# Seller images and fonts live on Amazon's media hosts; a customer file naming any other host
# is not from Amazon (and nothing here ever fetches it anyway).
_AMAZON_HOSTS = ("media-amazon.com", "amazonaws.com", "ssl-images-amazon.com", "amazon.com")
_CENTER_TOLERANCE = 0.5  # preview units: well under a millimetre on any product


class SurfaceMerger:
    """Builds model surfaces for one order item, collecting warnings as it goes."""

    def __init__(
        self,
        members: Mapping[str, bytes],
        *,
        item_id: str,
        source: str,
        limits: ZipLimits = DEFAULT_LIMITS,
    ) -> None:
        self.members = members
        self.item_id = item_id
        self.source = source
        self.limits = limits
        self.warnings: list[str] = []
        self._images: dict[str, ImageInfo] = {}

    def error(self, message: str) -> CustomizationError:
        return CustomizationError(message, item_id=self.item_id, source=self.source)

    def surface(self, draft: DraftSurface) -> Surface:
        svg = self._svg(draft)
        if svg is None:
            elements: list[Element] = [self._text(t, None) for t in draft.texts]
            elements += [self._image(i, None) for i in draft.images]
        else:
            elements = self._join(draft, svg)
        if draft.snapshot_member and draft.snapshot_member not in self.members:
            self.warnings.append(
                f"surface {draft.name!r}: snapshot {draft.snapshot_member!r} is not in the zip"
            )
        return Surface(
            name=draft.name,
            label=draft.label,
            elements=tuple(elements),
            options=tuple(draft.options),
            boxes=tuple(draft.boxes),
            svg_member=draft.svg_member,
            snapshot_member=draft.snapshot_member,
            base_image_url=draft.base_image_url,
            fonts=tuple(svg.fonts) if svg else (),
            svg_unsupported=tuple(dict.fromkeys(svg.unsupported)) if svg else (),
        )

    # -- the SVG ---------------------------------------------------------------------------

    def _svg(self, draft: DraftSurface) -> SvgDocument | None:
        name = draft.svg_member
        if not name:
            return None
        if name not in self.members:
            self.warnings.append(f"surface {draft.name!r}: SVG {name!r} is missing from the zip")
            return None
        try:
            svg = read_svg(self.members[name], self.limits)
        except SvgOverLimit as exc:
            raise self.error(f"SVG {name!r} {exc}") from exc
        except SvgError as exc:
            raise self.error(f"SVG {name!r} is unusable: {exc}") from exc
        for image in svg.elements:
            if isinstance(image, SvgImage):
                self._check_href(image.href, name)
        for what in dict.fromkeys(svg.unsupported):
            self.warnings.append(f"surface {draft.name!r}: SVG {name!r} uses {what}")
        return svg

    def _check_href(self, href: str, svg_name: str) -> None:
        if href in self.members:
            return
        if url := _URL.match(href):
            host = url.group(1).lower()
            if any(host == h or host.endswith("." + h) for h in _AMAZON_HOSTS):
                return
            raise self.error(f"SVG {svg_name!r} refers to an image on {host!r}, not an Amazon host")
        if not href:
            raise self.error(f"SVG {svg_name!r} has an <image> without a reference")
        if "/" in href or "\\" in href or ":" in href or href.startswith("."):
            raise self.error(
                f"SVG {svg_name!r} refers to {href[:80]!r}, outside the zip (only zip members "
                "and seller image URLs are allowed)"
            )
        raise self.error(f"SVG {svg_name!r} shows image {href[:80]!r}, which is not in the zip")

    # -- joining ---------------------------------------------------------------------------

    def _join(self, draft: DraftSurface, svg: SvgDocument) -> list[Element]:
        texts = list(draft.texts)
        images = list(draft.images)
        elements: list[Element] = []
        for drawn in svg.elements:
            if isinstance(drawn, SvgText):
                elements.append(self._join_text(draft, drawn, texts))
            elif _URL.match(drawn.href):
                elements.append(
                    OverlayElement(url=drawn.href, svg=_placement(drawn), svg_rect=drawn.rect)
                )
            else:
                elements.append(self._join_image(draft, drawn, images))
        for text in texts:
            self.warnings.append(
                f"surface {draft.name!r}: text {text.label or text.name!r} is in the JSON "
                "but not in the SVG"
            )
            elements.append(self._text(text, None))
        for image in images:
            self.warnings.append(
                f"surface {draft.name!r}: image {image.member!r} is in the JSON but not in the SVG"
            )
            elements.append(self._image(image, None))
        return elements

    def _join_text(self, draft: DraftSurface, drawn: SvgText, pending: list[DraftText]) -> Element:
        match = _best_text(drawn, pending)
        if match is None:
            self.warnings.append(
                f"surface {draft.name!r}: the SVG shows a text the JSON does not list"
            )
            return self._text(None, drawn)
        pending.remove(match)
        if _normalised(match.lines) != _normalised(drawn.lines):
            self.warnings.append(
                f"surface {draft.name!r}: text {match.label or match.name!r} reads differently "
                "in the JSON and the SVG"
            )
        if match.font_family and drawn.font_family and match.font_family != drawn.font_family:
            self.warnings.append(
                f"surface {draft.name!r}: text {match.label or match.name!r} is in font "
                f"{match.font_family!r} in the JSON but {drawn.font_family!r} in the SVG"
            )
        self._check_center(draft, match.label or match.name, match, drawn, TEXT_STROKE_WIDTH)
        return self._text(match, drawn)

    def _join_image(
        self, draft: DraftSurface, drawn: SvgImage, pending: list[DraftImage]
    ) -> Element:
        match = next((i for i in pending if i.member == drawn.href), None)
        if match is None:
            box = next(
                (b for _, b in draft.image_boxes if drawn.clip and _near_box(b, drawn.clip)), None
            )
            if box is None:
                self.warnings.append(
                    f"surface {draft.name!r}: the SVG shows image {drawn.href!r} "
                    "that the JSON does not list"
                )
            match = DraftImage(name="", label="", member=drawn.href, box=box, buyer_placement=None)
        else:
            pending.remove(match)
            self._check_center(draft, match.member, match, drawn, 0.0)
        return self._image(match, drawn)

    def _check_center(
        self,
        draft: DraftSurface,
        what: str,
        element: DraftText | DraftImage,
        drawn: SvgText | SvgImage,
        stroke: float,
    ) -> None:
        placement = element.buyer_placement
        if placement is None:
            return
        center = placement.center(stroke)
        if math.hypot(center.x - drawn.matrix.e, center.y - drawn.matrix.f) > _CENTER_TOLERANCE:
            self.warnings.append(
                f"surface {draft.name!r}: {what!r} sits elsewhere in the JSON than in the SVG"
            )

    # -- model elements --------------------------------------------------------------------

    def _text(self, draft: DraftText | None, drawn: SvgText | None) -> TextElement:
        color = draft.color if draft else None
        if color is None and drawn is not None and drawn.fill:
            color = Color(drawn.fill)
        lines = draft.lines if draft else (drawn.lines if drawn else ())
        return TextElement(
            name=draft.name if draft else "",
            label=draft.label if draft else "",
            lines=lines,
            font_family=(draft.font_family if draft else None)
            or (drawn.font_family if drawn else None),
            color=color,
            font_size=drawn.font_size if drawn else None,
            font_style=drawn.font_style if drawn else "normal",
            font_weight=drawn.font_weight if drawn else "normal",
            box=draft.box if draft else None,
            buyer_placement=draft.buyer_placement if draft else None,
            svg=_placement(drawn) if drawn else None,
            tspans=drawn.tspans if drawn else (),
            price_delta=draft.price_delta if draft else None,
        )

    def _image(self, draft: DraftImage, drawn: SvgImage | None) -> ImageElement:
        info = self._inspect(draft.member)
        oriented = info.oriented_size
        placement = draft.buyer_placement
        if placement and (placement.size.width, placement.size.height) != (
            oriented.width,
            oriented.height,
        ):
            self.warnings.append(
                f"image {draft.member!r} is {oriented.width:g}×{oriented.height:g} pixels "
                f"but the design expects {placement.size.width:g}×{placement.size.height:g}"
            )
        return ImageElement(
            name=draft.name,
            label=draft.label,
            member=draft.member,
            media_type=info.media_type,
            pixel_size=oriented,
            stored_size=info.stored_size,
            exif_orientation=info.orientation,
            box=draft.box,
            buyer_placement=placement,
            svg=_placement(drawn) if drawn else None,
            svg_rect=drawn.rect if drawn else None,
        )

    def _inspect(self, member: str) -> ImageInfo:
        if member in self._images:
            return self._images[member]
        if member not in self.members:
            raise self.error(f"image {member!r} is named in the customization but not in the zip")
        try:
            info = inspect_image(self.members[member])
        except ImageProblem as exc:
            raise self.error(f"image {member!r} is unusable: {exc}") from exc
        if info.exif_damaged:
            self.warnings.append(
                f"image {member!r} has damaged EXIF data: printed in orientation "
                f"{info.orientation}, as much of it as could be read says; check it is upright"
            )
        self._images[member] = info
        return info


def _placement(drawn: SvgText | SvgImage) -> SvgPlacement:
    return SvgPlacement(matrix=drawn.matrix, clip=drawn.clip)


def _normalised(lines: tuple[str, ...]) -> str:
    return "".join("".join(lines).split())


def _best_text(drawn: SvgText, pending: list[DraftText]) -> DraftText | None:
    """The JSON text an SVG text draws: the nearest placed one, else one that reads the same."""
    placed = [
        (math.hypot(c.x - drawn.matrix.e, c.y - drawn.matrix.f), t)
        for t in pending
        if t.buyer_placement is not None
        for c in [t.buyer_placement.center(TEXT_STROKE_WIDTH)]
    ]
    near = [
        t for distance, t in sorted(placed, key=lambda p: p[0]) if distance <= _CENTER_TOLERANCE
    ]
    if near:
        return near[0]
    wanted = _normalised(drawn.lines)
    same = [t for t in pending if _normalised(t.lines) == wanted]
    if same:
        return same[0]
    if drawn.clip is not None:
        boxed = [t for t in pending if t.box is not None and _near_box(t.box, drawn.clip)]
        if boxed:
            return boxed[0]
    return None


def _near_box(a: Box, b: Box) -> bool:
    """Two boxes that are the same placement (Fabric offsets clip rects by half a stroke)."""
    return all(
        abs(p - q) <= 1.01
        for p, q in ((a.x, b.x), (a.y, b.y), (a.right, b.right), (a.bottom, b.bottom))
    )
