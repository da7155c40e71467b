"""One line as drawn: its text's glyphs from the text font, its emoji from the emoji font.

The whole line is shaped in the text font first (`renderers.shaping.shape`), so the bidi
levels, the visual order and every join are the line's own, exactly as without emoji. Then
each emoji cluster (`renderers.emoji.split_emoji`) the emoji font has gives up the glyphs the
text font set for it (.notdef boxes) and takes the emoji font's glyphs there instead
(`renderers.emoji_glyphs`); the text after it moves by the difference in advance. All on one
baseline: an emoji in a right-to-left run stands where the bidi algorithm put its cluster, and
is drawn left to right itself (a ZWJ family is one picture either way).

An emoji the emoji font lacks keeps the text font's glyph: preflight holds the job naming it.
Without an emoji font the line is the text font's, as before: a symbol font may have them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from renderers.emoji import grapheme_clusters, split_emoji
from renderers.fonts import ResolvedFont, missing_glyphs
from renderers.glyphruns import GlyphRun, PlacedGlyph
from renderers.shaping import shape

if TYPE_CHECKING:
    from renderers.emoji_glyphs import EmojiRun

__all__ = ["LaidLine", "PlacedEmoji", "lay_line"]


@dataclass(frozen=True, slots=True)
class PlacedEmoji:
    x: float  # where the run starts, in the text font's units from the line's start
    run: EmojiRun
    text: str  # the cluster it draws, as typed
    start: int  # where that cluster starts in the line (a character index)
    rtl: bool  # it stands in a right-to-left run of the line


@dataclass(frozen=True, slots=True)
class LaidLine:
    """A line's text glyphs (gaps where emoji go) and its emoji, left to right."""

    line: str
    text: GlyphRun  # the text font's glyphs, positioned around the emoji
    emoji: tuple[PlacedEmoji, ...]
    width: float  # the whole line's advance, text font units

    @property
    def emoji_font(self) -> ResolvedFont | None:
        return self.emoji[0].run.font if self.emoji else None


def lay_line(
    font: ResolvedFont, line: str, emoji_font: ResolvedFont | None, *, ppem: float
) -> LaidLine:
    """`line` in `font`, its emoji from `emoji_font`; `ppem`: pixels per em on the print."""
    shaped = shape(font, line)
    owners = _emoji_owners(font, line, emoji_font)
    if emoji_font is None or not owners:
        return LaidLine(line, shaped, (), shaped.width)
    # The emoji font's colour tables and pictures load only for a line that has emoji.
    from renderers.emoji_glyphs import emoji_glyphs

    ratio = shaped.units_per_em  # emoji font units → text font units, with the emoji's upem
    glyphs: list[PlacedGlyph] = []
    emoji: list[PlacedEmoji] = []
    placed: set[int] = set()
    shift = 0.0  # how far the emoji so far moved what follows them
    for glyph in shaped.glyphs:
        owner = owners.get(glyph.cluster)
        if owner is None:
            glyphs.append(replace(glyph, x=glyph.x + shift))
            continue
        start, cluster = owner
        if start not in placed:
            placed.add(start)
            run = emoji_glyphs(emoji_font, cluster, ppem=ppem)
            emoji.append(PlacedEmoji(glyph.x + shift, run, cluster, start, glyph.rtl))
            shift += run.width * ratio / run.units_per_em
        shift -= glyph.advance
    text = replace(shaped, glyphs=tuple(glyphs), width=shaped.width + shift)
    return LaidLine(line, text, tuple(emoji), text.width)


def _emoji_owners(
    font: ResolvedFont, line: str, emoji_font: ResolvedFont | None
) -> dict[int, tuple[int, str]]:
    """Character index → (start, cluster) of the emoji cluster it belongs to, for the emoji
    the emoji font has."""
    if emoji_font is None:
        return {}
    owners: dict[int, tuple[int, str]] = {}
    start = 0
    for run, is_emoji in split_emoji(line, text_font=font):
        if is_emoji:
            offset = start
            for cluster in grapheme_clusters(run):
                if not missing_glyphs(emoji_font, cluster):
                    for index in range(offset, offset + len(cluster)):
                        owners[index] = (offset, cluster)
                offset += len(cluster)
        start += len(run)
    return owners
