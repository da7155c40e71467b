"""Which characters of a text a font has no glyph for."""

from __future__ import annotations

import struct
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from production.core.errors import RenderError
from renderers.fontfaces import unreadable_font_errors
from renderers.sfnt import NotPlain, read_plain_face

__all__ = ["missing_glyphs"]


class _FontFile(Protocol):
    @property
    def path(self) -> Path: ...

    @property
    def font_number(self) -> int: ...


def missing_glyphs(font: _FontFile, text: str) -> set[str]:
    """The characters of `text` the font has no glyph for, leaving out spaces and controls."""
    try:
        stat = font.path.stat()
        codepoints = _codepoints(str(font.path), font.font_number, stat.st_mtime_ns, stat.st_size)
    except unreadable_font_errors() as exc:
        raise RenderError(f"font file {font.path} cannot be read: {exc}") from exc
    return {ch for ch in set(text) if ord(ch) not in codepoints and not _is_invisible(ch)}


@lru_cache(maxsize=64)
def _codepoints(path: str, font_number: int, mtime_ns: int, size: int) -> frozenset[int]:
    """The characters a font maps, cached per file version (mtime and size are the key)."""
    data = Path(path).read_bytes()
    try:
        return frozenset(read_plain_face(data, font_number if data[:4] == b"ttcf" else -1).cmap)
    except (NotPlain, struct.error, IndexError):
        pass  # not plain TrueType: fontTools reads its cmap
    from fontTools.ttLib import TTFont

    from renderers.glyphorder import name_by_number

    with TTFont(path, fontNumber=font_number, lazy=True) as font:
        name_by_number(font)  # the code points are all it needs: no names made up from them
        return frozenset(font.getBestCmap() or {})


def _is_invisible(ch: str) -> bool:
    # Spaces, controls, format characters (ZWJ) and variation selectors draw nothing themselves.
    category = unicodedata.category(ch)
    return ch.isspace() or category in {"Cc", "Cf", "Zs", "Zl", "Zp"} or _is_selector(ord(ch))


def _is_selector(code: int) -> bool:
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF
