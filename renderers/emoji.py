"""Emoji in a buyer's line: where they are, what they are called, and whether a font has them.

A line is cut into grapheme clusters (Unicode's "user-perceived characters", UAX #29) with the
`regex` module's `\\X`, which follows the Unicode version of its release: a ZWJ family, a thumb
with a skin tone, a flag, a keycap, each stays one cluster even when it is newer than any list
of emoji we could ship. A cluster is an emoji when UTS #51 says it is shown as one:

- its first character is emoji-presented by default (`Emoji_Presentation`: 🐶, 😀, 🇩, 🏽), or
- it is an emoji character (`Emoji` or `Extended_Pictographic`: ❤, 1, ©) made an emoji by what
  follows it: VS16 (U+FE0F, "❤️"), the keycap mark (U+20E3, "1️⃣"), a skin tone, a ZWJ, or the
  tag characters of a subdivision flag;
- never when it asks for text presentation with VS15 (U+FE0E): "❤︎" is text, drawn from the
  text's own font like any other character (UTS #51 §4, and what a browser does).

A default-text character without VS16 ("❤" alone, "©", "™") is text, as a browser draws it
when the text font has it.

Names are CLDR's (the `emoji` package's data: "RED HEART", "FAMILY MAN WOMAN GIRL", "FLAG:
GERMANY"), which are what a person knows them by; a sequence the data does not know is named by
the Unicode names of its characters. Holds name emoji this way, never by the buyer's words.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import Any

from renderers.fonts import ResolvedFont, missing_glyphs

__all__ = [
    "emoji_clusters",
    "emoji_name",
    "emoji_problems",
    "grapheme_clusters",
    "is_emoji",
    "split_emoji",
]

# Characters that turn the emoji character before them into an emoji (see the module doc).
_MAKES_EMOJI = r"[\uFE0F\u20E3\u200D\p{Emoji_Modifier}\U000E0020-\U000E007F]"
_VS16 = "\ufe0f"
# Below U+2000 the only emoji characters are # * 0-9 © ®, and the first four are emoji only
# with a character from far above it after them (VS16, the keycap mark): a line of these
# characters has no emoji, and needs no grapheme clusters to say so.
_NO_EMOJI_BELOW = 0x2000
_EMOJI_BELOW = frozenset("\u00a9\u00ae")


@cache
def _patterns() -> tuple[Any, Any, Any]:
    """`\\X`, an emoji cluster and a pictograph, compiled once (`regex` loads for them)."""
    import regex

    cluster = regex.compile(r"\X", regex.DOTALL)
    emoji = regex.compile(
        r"(?!.*\uFE0E)(?:\p{Emoji_Presentation}.*|[\p{Emoji}\p{Extended_Pictographic}].*"
        + _MAKES_EMOJI
        + r".*)",
        regex.DOTALL,
    )
    return cluster, emoji, regex.compile(r"\p{Extended_Pictographic}")


def grapheme_clusters(text: str) -> list[str]:
    """The text's grapheme clusters (UAX #29), in order."""
    clusters: list[str] = _patterns()[0].findall(text)
    return clusters


_REGIONAL_INDICATORS = range(0x1F1E6, 0x1F200)
_BLACK_FLAG = "\U0001f3f4"  # the base of the subdivision flags (England, Scotland, Wales)
_INVISIBLE = frozenset("\u200d\ufe0e\ufe0f")
_TAGS = range(0xE0020, 0xE0080)

_SET_EMOJI_FONT = "set [fonts] emoji in shop.toml to print emoji"


def is_emoji(cluster: str) -> bool:
    """Whether one grapheme cluster is shown as an emoji (the module doc says when)."""
    return _patterns()[1].fullmatch(cluster) is not None


def split_emoji(text: str, *, text_font: ResolvedFont | None = None) -> list[tuple[str, bool]]:
    """`text` as runs of ordinary text (False) and of emoji (True), in order, joined back whole.

    Emoji are whole grapheme clusters, so a run never cuts a ZWJ sequence, a skin tone, a flag
    or a keycap; two emoji side by side are one run (one font draws them both). With
    `text_font`, a pictograph shown as text by default ("❤" without VS16) that the font lacks is
    an emoji too, drawn from the emoji font as a browser falls back to it; VS15 keeps it text.
    """
    if all(ord(ch) < _NO_EMOJI_BELOW and ch not in _EMOJI_BELOW for ch in text):
        return [(text, False)] if text else []  # no emoji to find (see _NO_EMOJI_BELOW)
    runs: list[tuple[str, bool]] = []
    for cluster in grapheme_clusters(text):
        flag = is_emoji(cluster) or (text_font is not None and _falls_back(cluster, text_font))
        if runs and runs[-1][1] == flag:
            runs[-1] = (runs[-1][0] + cluster, flag)
        else:
            runs.append((cluster, flag))
    return runs


def emoji_clusters(text: str, *, text_font: ResolvedFont | None = None) -> list[str]:
    """The emoji of `text` (as `split_emoji` finds them), first occurrence first, no repeats."""
    runs = split_emoji(text, text_font=text_font)
    found = (c for run, flag in runs if flag for c in grapheme_clusters(run))
    return list(dict.fromkeys(found))


def emoji_name(cluster: str) -> str:
    """What a person calls the emoji, upper case: 'RED HEART', 'FLAG: GERMANY', 'KEYCAP 1'."""
    data = _emoji_data(cluster)
    if data is None:
        return " + ".join(_character_name(ch) for ch in cluster if _is_named_part(ch))
    name = str(data["en"]).strip(":").replace("_", " ")
    if _is_flag(cluster):
        name = f"flag: {name}"
    return name.upper()


def emoji_problems(
    text_font: ResolvedFont, text: str, emoji_font: ResolvedFont | None = None
) -> tuple[list[str], set[str]]:
    """Why the emoji of `text` cannot be printed, and the characters that are left to check.

    Returns the messages (no buyer text but the emoji's names), and the characters of `text`
    outside its emoji clusters that `text_font` lacks, for the ordinary missing-glyph rule.
    Without `emoji_font`, an emoji is printed from the text's font if that font has every one
    of its characters (a symbol font); otherwise it holds the job with what to configure.
    """
    runs = split_emoji(text, text_font=text_font)
    plain = "".join(run for run, flag in runs if not flag)
    clusters = list(dict.fromkeys(c for run, f in runs if f for c in grapheme_clusters(run)))
    messages: list[str] = []
    if emoji_font is None:
        lacking = [c for c in clusters if missing_glyphs(text_font, c)]
        if lacking:
            messages.append(
                f"{_named(lacking)} {_is_are(lacking)} not in font {text_font.family!r}; "
                f"{_SET_EMOJI_FONT}"
            )
    else:
        lacking = [c for c in clusters if missing_glyphs(emoji_font, c)]
        if lacking:
            messages.append(
                f"{_named(lacking)} {_is_are(lacking)} not in the emoji font "
                f"{emoji_font.family!r} ([fonts] emoji in shop.toml); install a newer version "
                "of it or name another emoji font there"
            )
    return messages, missing_glyphs(text_font, plain)


def _falls_back(cluster: str, text_font: ResolvedFont) -> bool:
    """A text-default pictograph the text font cannot draw, not asked for as text (VS15)."""
    if "\ufe0e" in cluster or _patterns()[2].match(cluster) is None:
        return False
    return bool(missing_glyphs(text_font, cluster))


# -- names ---------------------------------------------------------------------------------


def _emoji_data(cluster: str) -> dict[str, object] | None:
    """The `emoji` package's entry for the cluster, as typed or with VS16 added or removed."""
    import emoji as emoji_data  # its tables take a fifth of a second: only to name an emoji

    without = cluster.replace(_VS16, "")
    for form in (cluster, without, without[:1] + _VS16 + without[1:]):
        data = emoji_data.EMOJI_DATA.get(form)
        if data is not None:
            return dict(data)
    return None


def _is_flag(cluster: str) -> bool:
    if ord(cluster[0]) in _REGIONAL_INDICATORS:
        return True
    return cluster.startswith(_BLACK_FLAG) and any(ord(ch) in _TAGS for ch in cluster)


def _is_named_part(ch: str) -> bool:
    return ch not in _INVISIBLE and ord(ch) not in _TAGS


def _character_name(ch: str) -> str:
    # Python's Unicode data may be older than the emoji: then the code point names it.
    return unicodedata.name(ch, f"U+{ord(ch):04X}")


def _named(clusters: Iterable[str]) -> str:
    names = list(dict.fromkeys(emoji_name(c) for c in clusters))
    return "emoji " + ", ".join(repr(n) for n in names)


def _is_are(clusters: list[str]) -> str:
    return "is" if len(clusters) == 1 else "are"
