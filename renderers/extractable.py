"""How the buyer's text reads back out of a print file: ToUnicode per glyph, ActualText per line.

Text extractors (pdfium, poppler) read glyphs in the order they stand on the page and turn
right-to-left stretches back into logical order themselves: they reverse every character of
such a stretch and mirror brackets. So a glyph drawn in a right-to-left run maps (ToUnicode) to
its characters as they stand on the page — reversed and mirrored: the Arabic lam-alef ligature
of "لا" maps to "ال", the mirrored parenthesis HarfBuzz draws for "(" to ")". A reader's
reversal then gives the buyer's "لا" and "(" back.

That reversal is a guess, and a left-to-right line with right-to-left words in it defeats it:
"Mazal tov שלום 2024" comes back as "Mazal tov 2024 שלום" from pdfium. A glyph that stands for
no characters of its own (the second glyph of a cluster: an Indic consonant whose vowel sign
HarfBuzz moved before it) is worse: a reader finds no ToUnicode entry and reads its glyph code
as a character. Such a line is wrapped in a marked-content span whose ActualText is the line
as the buyer typed it, in logical order (ISO 32000-1 §14.9.4), which replaces what its glyphs
say. Not every line gets one: pdfium and poppler put an ActualText through their own
reordering as if it stood in page order, so in a right-to-left line (its first strong
character right to left) they would turn its words around, while they read its glyphs right.
"""

from __future__ import annotations

from collections.abc import Sequence

from renderers.bidi import embedding_levels
from renderers.glyphruns import PlacedGlyph

__all__ = [
    "actual_text_operator",
    "glyph_texts",
    "needs_actual_text",
    "page_order",
    "visual_text",
]

# Bidi_Mirroring_Glyph pairs (Unicode's BidiMirroring.txt) of the brackets buyers type.
_PAIRS = (
    "()[]{}<>«»‹›⁅⁆⁽⁾₍₎⌈⌉⌊⌋〈〉❨❩❪❫❬❭❮❯❰❱❲❳❴❵⟦⟧⟨"
    "⟩⟪⟫⦃⦄⦅⦆〈〉《》「」『』【】〔〕〖〗〘〙〚〛﹙﹚﹛﹜﹝﹞（）［］｛｝｟｠｢｣"
)
_MIRROR = {a: b for a, b in zip(_PAIRS[0::2], _PAIRS[1::2], strict=True)} | {
    b: a for a, b in zip(_PAIRS[0::2], _PAIRS[1::2], strict=True)
}


def visual_text(glyph: PlacedGlyph) -> str:
    """The characters a glyph maps to: as typed, or as they stand on the page when RTL."""
    return page_order(glyph.text, rtl=glyph.rtl)


def glyph_texts(glyphs: Sequence[PlacedGlyph]) -> list[str]:
    """What each glyph of a run maps to (ToUnicode), in the run's order.

    A right-to-left cluster of as many glyphs as characters (a letter and its vowel marks,
    which HarfBuzz sets mark first) maps one character to each glyph, in page order: each
    glyph then reads as itself, and a reader's reversal puts letter and marks back in order.
    Any other cluster maps all of its characters to its first glyph and none to the others.
    """
    texts = [visual_text(glyph) for glyph in glyphs]
    start = 0
    while start < len(glyphs):
        end = start + 1
        while end < len(glyphs) and glyphs[end].cluster == glyphs[start].cluster:
            end += 1
        first = glyphs[start]
        if first.rtl and end - start > 1 and len(first.text) == end - start:
            texts[start:end] = list(texts[start])
        start = end
    return texts


def page_order(text: str, *, rtl: bool) -> str:
    """`text` as it stands on the page: reversed and mirrored in a right-to-left run."""
    if not rtl:
        return text
    return "".join(_MIRROR.get(ch, ch) for ch in reversed(text))


def needs_actual_text(line: str, glyphs: Sequence[PlacedGlyph]) -> bool:
    """Whether the line is wrapped in an ActualText span (the module doc says when).

    `glyphs`: the line's glyphs as drawn, in visual order.
    """
    levels = embedding_levels(line)
    if not levels or min(levels) % 2:
        return False  # empty, or a right-to-left line
    if any(level % 2 for level in levels):
        return True
    clusters = [glyph.cluster for glyph in glyphs]
    return any(not glyph.text for glyph in glyphs) or clusters != sorted(clusters)


def actual_text_operator(text: str) -> str:
    """`BDC` opening a span whose ActualText is `text` (UTF-16BE with its byte order mark)."""
    encoded = ("\ufeff" + text).encode("utf-16-be").hex().upper()
    return f"/Span <</ActualText <{encoded}>>> BDC"
