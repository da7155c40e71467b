"""The picture a person compares a held job by: our design | Amazon's preview | where they differ.

The three panels show the same part of the preview space (around the design), enlarged; the
regions that were compared are framed in blue, and the difference panel paints in red where
the two pictures are unlike (1 − SSIM), over a faded copy of the snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image, ImageChops, ImageDraw

from production.core.geometry import Box

__all__ = ["side_by_side"]

PANEL_PIXELS = 480  # a panel's longer side, at most
MAX_ZOOM = 3.0
_GAP = 8
_HEADER = 22
_FRAME = (0, 90, 200)
_RED = (220, 0, 0)


def side_by_side(
    ours: Image.Image,
    theirs: Image.Image,
    ssim: Image.Image,
    compared: Image.Image,
    boxes: Sequence[Box],
    caption: str,
) -> Image.Image:
    """The comparison sheet; all inputs cover the same area (`ssim` "F", `compared` "L" mask)."""
    unlike = ImageChops.multiply(ssim.point(lambda v: v * -255 + 255).convert("L"), compared)
    gray = theirs.convert("L").convert("RGB")
    faded = Image.blend(gray, Image.new("RGB", theirs.size, "white"), 0.6)
    difference = Image.composite(Image.new("RGB", theirs.size, _RED), faded, unlike)
    zoom = min(MAX_ZOOM, PANEL_PIXELS / max(ours.size))
    size = (round(ours.width * zoom), round(ours.height * zoom))
    sheet = Image.new("RGB", (3 * size[0] + 2 * _GAP, size[1] + _HEADER), "white")
    draw = ImageDraw.Draw(sheet)
    captions = ("our print file", "Amazon's preview", f"difference: {caption}")
    panels = (ours, theirs, difference)
    for index, (panel, text) in enumerate(zip(panels, captions, strict=True)):
        left = index * (size[0] + _GAP)
        sheet.paste(panel.resize(size, Image.Resampling.LANCZOS), (left, _HEADER))
        draw.text((left + 4, 5), text, fill="black")
        for box in boxes:
            x, y = left + box.x * zoom, _HEADER + box.y * zoom
            draw.rectangle(
                (x, y, x + box.width * zoom - 1, y + box.height * zoom - 1), outline=_FRAME
            )
    return sheet
