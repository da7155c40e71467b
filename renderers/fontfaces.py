"""The faces in a font file: names, weight, style, width, outlines — what the index matches on.

A file is read with fontTools' lazy loader, which decodes only the `name` and `OS/2` tables;
WOFF and WOFF2 files (`brotli` decompresses the latter) are read the same way, and a `.ttc` or
`.otc` collection gives one face per font in it.
"""

from __future__ import annotations

import struct
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont

__all__ = [
    "COLLECTION_SUFFIXES",
    "FONT_SUFFIXES",
    "UNREADABLE_FONT_ERRORS",
    "FaceReader",
    "Flavor",
    "FontFace",
    "Outlines",
    "face_from_json",
    "face_to_json",
    "font_files",
    "read_faces",
    "unreadable_font_errors",
]

FONT_SUFFIXES = frozenset({".ttf", ".otf", ".ttc", ".otc", ".woff", ".woff2"})
"""Font files the index reads; `.ttc`/`.otc` collections contribute one face per font."""

COLLECTION_SUFFIXES = frozenset({".ttc", ".otc"})

Outlines = Literal["truetype", "cff", "bitmap"]
"""How the glyphs are drawn. TrueType and CFF outlines are both embedded as they are
(`renderers.fontembed`); a `bitmap` face (colour emoji: CBDT, sbix) has no outlines to print
text in, only pictures (`renderers.emoji_bitmaps`)."""

Flavor = Literal["woff", "woff2"] | None
"""The compressed wrapper of a web font, or None for a plain sfnt (TrueType/OpenType) file."""

# fontTools reports a damaged font with whatever its parser tripped on, and with its TTLibError
# (`unreadable_font_errors`).
UNREADABLE_FONT_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    EOFError,
    struct.error,
    KeyError,
    ValueError,
    IndexError,
    AssertionError,
)


def unreadable_font_errors() -> tuple[type[Exception], ...]:
    """What reading a damaged font raises, for an `except` clause.

    fontTools' own TTLibError is among them once fontTools is loaded: only its readers raise
    it, so a process that has not loaded it (a render of a plain TrueType face, a warm font
    index) need not load it to catch it.
    """
    ttlib = sys.modules.get("fontTools.ttLib")
    own: tuple[type[Exception], ...] = (ttlib.TTLibError,) if ttlib is not None else ()
    return (*own, *UNREADABLE_FONT_ERRORS)


# Checked in order, so compound words come before the plain "bold" and "light" they contain.
_WEIGHT_WORDS = (
    ("extralight", 200), ("ultralight", 200), ("semibold", 600), ("demibold", 600),
    ("extrabold", 800), ("ultrabold", 800), ("hairline", 100), ("thin", 100), ("light", 300),
    ("medium", 500), ("bold", 700), ("black", 900), ("heavy", 900),
)  # fmt: skip
_SEPARATORS = str.maketrans("", "", " \t-_")

_FS_ITALIC = 1 << 0
_FS_OBLIQUE = 1 << 9


@dataclass(frozen=True, slots=True)
class FontFace:
    """One face of a font file, as the index knows it."""

    file: str  # the font file's path; a string, so a warm start builds no Path per face
    font_number: int  # the face inside a .ttc collection
    family: str  # typographic family (name ID 16), else the legacy family (ID 1)
    other_names: tuple[str, ...]  # legacy family, full name, PostScript name
    style_name: str  # the face's own subfamily name: 'Bold Italic', 'SemiBold'
    weight: int
    italic: bool
    width: int
    outlines: Outlines
    flavor: Flavor = None

    @property
    def path(self) -> Path:
        return Path(self.file)


FaceReader = Callable[[Path], tuple[FontFace, ...]]
"""Reads the faces of one font file; raises one of `UNREADABLE_FONT_ERRORS` if it cannot."""


def read_faces(path: Path) -> tuple[FontFace, ...]:
    """The faces in a font file, read lazily: only `name` and `OS/2` are decoded."""
    from fontTools.ttLib import TTCollection, TTFont  # a warm font index reads no font file

    if path.suffix.lower() in COLLECTION_SUFFIXES:
        with TTCollection(str(path), lazy=True) as collection:
            return tuple(_face(path, n, font) for n, font in enumerate(collection.fonts))
    with TTFont(str(path), lazy=True) as font:
        return (_face(path, 0, font),)


def font_files(root: Path) -> Iterator[Path]:
    """Font files under `root`, sorted, skipping hidden ones (macOS leaves `._X.ttf` copies)."""
    seen: set[Path] = set()
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            real = folder.resolve()
            children = sorted(folder.iterdir()) if real not in seen else []
        except OSError:
            continue
        seen.add(real)
        for child in children:
            if child.name.startswith("."):
                continue
            if child.is_dir():
                pending.append(child)
            elif child.suffix.lower() in FONT_SUFFIXES and child.is_file():
                yield child


def face_to_json(face: FontFace) -> list[Any]:
    """The face as a compact row (no keys): the cache holds hundreds and is read at every start."""
    return [
        face.font_number,
        face.family,
        list(face.other_names),
        face.style_name,
        face.weight,
        face.italic,
        face.width,
        face.outlines,
        face.flavor,
    ]


def face_from_json(file: str, row: list[Any]) -> FontFace:
    number, family, other_names, style_name, weight, italic, width, outlines, flavor = row
    if outlines not in ("truetype", "cff", "bitmap") or flavor not in (None, "woff", "woff2"):
        raise ValueError(f"a cached face of {file} has outlines {outlines!r}, flavor {flavor!r}")
    return FontFace(
        file,
        int(number),
        str(family),
        tuple(str(name) for name in other_names),
        str(style_name),
        int(weight),
        bool(italic),
        int(width),
        outlines,
        flavor,
    )


def _face(path: Path, font_number: int, font: TTFont) -> FontFace:
    names = font["name"]
    legacy_family = names.getDebugName(1) or path.stem
    family = names.getDebugName(16) or legacy_family
    subfamily = names.getDebugName(17) or names.getDebugName(2) or ""
    full_name, postscript_name = names.getDebugName(4), names.getDebugName(6)
    other_names = tuple(n for n in (legacy_family, full_name, postscript_name) if n)
    os2 = font.get("OS/2")
    words = subfamily.translate(_SEPARATORS).casefold()
    weight = int(os2.usWeightClass) if os2 is not None else 0
    if not 100 <= weight <= 1000:  # missing, or the 1-9 scale some old fonts use
        weight = next((w for word, w in _WEIGHT_WORDS if word in words), 400)
    italic = "italic" in words or "oblique" in words
    if os2 is not None:
        italic = italic or bool(int(os2.fsSelection) & (_FS_ITALIC | _FS_OBLIQUE))
    width = int(os2.usWidthClass) if os2 is not None and 1 <= os2.usWidthClass <= 9 else 5
    return FontFace(
        file=str(path),
        font_number=font_number,
        family=family,
        other_names=other_names,
        style_name=subfamily or "Regular",
        weight=weight,
        italic=italic,
        width=width,
        outlines=_outlines(font),
        flavor=font.flavor,
    )


def _outlines(font: TTFont) -> Outlines:
    if "glyf" in font:
        return "truetype"
    if "CFF " in font or "CFF2" in font:
        return "cff"
    return "bitmap"
