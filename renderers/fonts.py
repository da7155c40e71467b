"""Find the font file for a family, weight and style named by Amazon's SVG or JSON.

The search path is ordered: the shop's font folders, then the fonts shipped by installed Python
`font_*` packages, then the system font folders, then the Bitstream Vera fonts reportlab ships.
A family found in an earlier folder hides the same family in later ones, so the shop can
override a system font by dropping its own copy into its fonts folder.

Nothing is substituted silently: a family that is not installed raises `RenderError`, unless
the shop configured an alias for it, and then the result says it is a substitute.
"""

from __future__ import annotations

import logging
import struct
import threading
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, distribution, distributions
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.parse import unquote, urlsplit

from fontTools.ttLib import TTCollection, TTFont, TTLibError

from production.core.errors import MissingFontError, RenderError

__all__ = [
    "FONT_SUFFIXES",
    "SYSTEM_FONT_DIRS",
    "FontIndex",
    "Outlines",
    "ResolvedFont",
    "installed_font_dirs",
    "missing_glyphs",
]

logger = logging.getLogger(__name__)

FONT_SUFFIXES = frozenset({".ttf", ".otf", ".ttc", ".otc"})
"""Font files the index reads; `.ttc`/`.otc` collections contribute one face per font."""

SYSTEM_FONT_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.fonts",
    "~/.local/share/fonts",
)
"""Where Linux keeps fonts (fontconfig's defaults); `~` is expanded when the index is built."""

Outlines = Literal["truetype", "cff", "bitmap"]
"""How the glyphs are drawn; reportlab can embed only `truetype` outlines."""

_QUOTES_AND_SEPARATORS = str.maketrans("", "", " \t-_'\"‘’“”")

# Checked in order, so compound words come before the plain "bold" and "light" they contain.
_WEIGHT_WORDS = (
    ("extralight", 200), ("ultralight", 200), ("semibold", 600), ("demibold", 600),
    ("extrabold", 800), ("ultrabold", 800), ("hairline", 100), ("thin", 100), ("light", 300),
    ("medium", 500), ("bold", 700), ("black", 900), ("heavy", 900),
)  # fmt: skip

# fontTools reports a damaged font with whatever its parser tripped on.
_UNREADABLE_FONT_ERRORS = (
    TTLibError,
    OSError,
    EOFError,
    struct.error,
    KeyError,
    ValueError,
    IndexError,
    AssertionError,
)

_FS_ITALIC = 1 << 0
_FS_OBLIQUE = 1 << 9
_NORMAL_WIDTH = 5  # OS/2 usWidthClass of a face that is neither condensed nor expanded


@dataclass(frozen=True, slots=True)
class ResolvedFont:
    """The face chosen for a request; `substituted_for` names the family it stands in for."""

    path: Path
    family: str
    weight: int
    italic: bool
    font_number: int = 0  # the face inside a .ttc collection
    outlines: Outlines = "truetype"
    substituted_for: str | None = None


@dataclass(frozen=True, slots=True)
class _Face:
    path: Path
    font_number: int
    family: str  # typographic family (name ID 16), else the legacy family (ID 1)
    other_names: tuple[str, ...]  # legacy family, full name, PostScript name
    weight: int
    italic: bool
    width: int
    outlines: Outlines


_Ranked = tuple[int, _Face]  # the position of the face's folder in the search path, and the face


@dataclass(frozen=True, slots=True)
class _Tables:
    families: dict[str, list[_Ranked]]
    other_names: dict[str, list[_Ranked]]
    file_names: dict[str, list[_Ranked]]
    unreadable: tuple[Path, ...]


class FontIndex:
    """The fonts in an ordered list of folders, by family name and by file name."""

    def __init__(
        self,
        font_dirs: Sequence[Path],
        *,
        aliases: Mapping[str, str] | None = None,
        include_installed: bool = True,
    ) -> None:
        self.font_dirs = tuple(Path(d).expanduser() for d in font_dirs)
        searched = self.font_dirs + (installed_font_dirs() if include_installed else ())
        self.dirs = tuple(dict.fromkeys(searched))
        self._aliases = {_family_key(k): v for k, v in (aliases or {}).items()}
        self._tables = _build_tables(self.dirs)

    def refresh(self) -> None:
        """Pick up font files added, changed or removed since the index was built."""
        self._tables = _build_tables(self.dirs)

    def families(self) -> list[str]:
        """Every family the index can resolve, as its font files spell it."""
        return sorted({ranked[0][1].family for ranked in self._tables.families.values()})

    def resolve(
        self,
        family: str,
        *,
        weight: str | int = "normal",
        style: str = "normal",
        url: str | None = None,
    ) -> ResolvedFont:
        """The closest face of `family`, or of the seller's font file named by `url`.

        Looks for a file named like the URL's last segment first, then the family, then the
        shop's alias for it. Rescans the folders once before giving up, so a font the shop has
        just added is found without a restart.
        """
        wanted_weight, wanted_italic = _parse_weight(weight), _parse_style(style)
        found = _lookup(self._tables, family, url, self._aliases)
        if found is None:
            self.refresh()
            found = _lookup(self._tables, family, url, self._aliases)
        if found is None:
            raise MissingFontError(self._not_installed(family, url), family=family)
        faces, substituted_for = found
        face = min(faces, key=lambda f: _face_rank(f, wanted_weight, wanted_italic))
        return ResolvedFont(
            path=face.path,
            family=face.family,
            weight=face.weight,
            italic=face.italic,
            font_number=face.font_number,
            outlines=face.outlines,
            substituted_for=substituted_for,
        )

    def _not_installed(self, family: str, url: str | None) -> str:
        file_name = _url_file_name(url)
        problem = f"font family '{_display_family(family)}' is not installed"
        if file_name:
            problem += f" and no font file is named '{file_name}'"
        alias = self._aliases.get(_family_key(family))
        if alias is not None:
            problem += f", nor its configured substitute '{alias}'"
        todo = self._what_to_do(file_name, family if alias is None else None)
        return f"{problem}: {self._where_looked()}; {todo}"

    def _where_looked(self) -> str:
        installed = f"{len(self.dirs) - len(self.font_dirs)} installed font folders"
        if not self.font_dirs:
            return f"the shop has no font folder configured, looked in {installed}"
        shop = ", ".join(str(d) for d in self.font_dirs)
        return f"looked in the shop's font folders ({shop}) and {installed}"

    def _what_to_do(self, file_name: str, family: str | None) -> str:
        if self.font_dirs:
            todo = f"add the .ttf or .otf file to the shop's fonts folder {self.font_dirs[0]}"
        else:
            todo = "configure a fonts folder for the shop and add the .ttf or .otf file to it"
        if file_name:
            todo += f", saving the seller's font as '{file_name}'"
        if family is not None:
            # Or the shop prints another font for it, said once in shop.toml.
            todo += (
                " (or name a substitute for it in shop.toml under [fonts.aliases]: "
                f'"{_display_family(family)}" = "an installed family")'
            )
        unreadable = [p.name for p in self._tables.unreadable if _is_under(p, self.font_dirs)]
        if unreadable:
            todo += f"; these font files there cannot be read: {', '.join(unreadable[:5])}"
        return todo


def installed_font_dirs() -> tuple[Path, ...]:
    """The font folders searched after the shop's: Python font packages, system, reportlab."""
    system = tuple(Path(d).expanduser() for d in SYSTEM_FONT_DIRS)
    return _package_font_dirs() + system + _reportlab_font_dirs()


def missing_glyphs(font: ResolvedFont, text: str) -> set[str]:
    """The characters of `text` the font has no glyph for, leaving out spaces and controls."""
    try:
        stat = font.path.stat()
        codepoints = _codepoints(str(font.path), font.font_number, stat.st_mtime_ns, stat.st_size)
    except _UNREADABLE_FONT_ERRORS as exc:
        raise RenderError(f"font file {font.path} cannot be read: {exc}") from exc
    return {ch for ch in set(text) if ord(ch) not in codepoints and not _is_invisible(ch)}


# Discovery ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _package_font_dirs() -> tuple[Path, ...]:
    """The `files/` folders of installed `font_*` packages, found from metadata, not imports."""
    found: dict[Path, None] = {}
    for dist in sorted(distributions(), key=lambda d: d.metadata["Name"] or ""):
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if not name.startswith("font-") and not dist.entry_points.select(group="fonts_ttf"):
            continue
        for file in dist.files or ():
            parts = PurePosixPath(str(file)).parts
            if len(parts) > 2 and parts[0].startswith("font_") and parts[1] == "files":
                found[Path(str(dist.locate_file(f"{parts[0]}/files")))] = None
    return tuple(found)


@lru_cache(maxsize=1)
def _reportlab_font_dirs() -> tuple[Path, ...]:
    try:
        return (Path(str(distribution("reportlab").locate_file("reportlab/fonts"))),)
    except PackageNotFoundError:
        return ()


def _font_files(root: Path) -> Iterator[Path]:
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


# Indexing ----------------------------------------------------------------------------------

_faces_lock = threading.Lock()
_faces_by_file: dict[tuple[Path, int, int], tuple[_Face, ...] | None] = {}
"""Faces per file version (path, mtime, size); None for a file that cannot be read."""


def _build_tables(dirs: Sequence[Path]) -> _Tables:
    families: dict[str, list[_Ranked]] = {}
    other_names: dict[str, list[_Ranked]] = {}
    file_names: dict[str, list[_Ranked]] = {}
    unreadable: list[Path] = []
    for rank, root in enumerate(dirs):
        for path in _font_files(root):
            faces = _faces_of(path)
            if faces is None:
                unreadable.append(path)
                continue
            for face in faces:
                families.setdefault(_family_key(face.family), []).append((rank, face))
                for name in {_family_key(n) for n in face.other_names}:
                    other_names.setdefault(name, []).append((rank, face))
                file_names.setdefault(path.name.casefold(), []).append((rank, face))
    return _Tables(families, other_names, file_names, tuple(unreadable))


def _faces_of(path: Path) -> tuple[_Face, ...] | None:
    """The faces in a font file, read once per version of the file."""
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (path, stat.st_mtime_ns, stat.st_size)
    with _faces_lock:
        if key in _faces_by_file:
            return _faces_by_file[key]
    try:
        faces: tuple[_Face, ...] | None = _read_faces(path)
    except _UNREADABLE_FONT_ERRORS as exc:
        logger.warning("skipping font file %s: %s", path, exc)
        faces = None
    with _faces_lock:
        _faces_by_file[key] = faces
    return faces


def _read_faces(path: Path) -> tuple[_Face, ...]:
    # lazy=True reads only the table directory; name and OS/2 are decoded on first access.
    if path.suffix.lower() in {".ttc", ".otc"}:
        with TTCollection(str(path), lazy=True) as collection:
            return tuple(_face(path, n, font) for n, font in enumerate(collection.fonts))
    with TTFont(str(path), lazy=True) as font:
        return (_face(path, 0, font),)


def _face(path: Path, font_number: int, font: TTFont) -> _Face:
    names = font["name"]
    legacy_family = names.getDebugName(1) or path.stem
    family = names.getDebugName(16) or legacy_family
    subfamily = names.getDebugName(17) or names.getDebugName(2) or ""
    full_name, postscript_name = names.getDebugName(4), names.getDebugName(6)
    other_names = tuple(n for n in (legacy_family, full_name, postscript_name) if n)
    os2 = font.get("OS/2")
    words = _family_key(subfamily)
    weight = int(os2.usWeightClass) if os2 is not None else 0
    if not 100 <= weight <= 1000:  # missing, or the 1-9 scale some old fonts use
        weight = next((w for word, w in _WEIGHT_WORDS if word in words), 400)
    italic = "italic" in words or "oblique" in words
    if os2 is not None:
        italic = italic or bool(int(os2.fsSelection) & (_FS_ITALIC | _FS_OBLIQUE))
    width = int(os2.usWidthClass) if os2 is not None and 1 <= os2.usWidthClass <= 9 else 5
    return _Face(path, font_number, family, other_names, weight, italic, width, _outlines(font))


def _outlines(font: TTFont) -> Outlines:
    if "glyf" in font:
        return "truetype"
    if "CFF " in font or "CFF2" in font:
        return "cff"
    return "bitmap"


# Matching ----------------------------------------------------------------------------------


def _family_key(name: str) -> str:
    """'Amatic SC', "'amatic-sc'" and 'AmaticSC' all name the same family."""
    return name.translate(_QUOTES_AND_SEPARATORS).casefold()


def _display_family(name: str) -> str:
    return name.strip().strip("'\"").strip()


def _url_file_name(url: str | None) -> str:
    return unquote(PurePosixPath(urlsplit(url).path).name) if url else ""


def _lookup(
    tables: _Tables, family: str, url: str | None, aliases: Mapping[str, str]
) -> tuple[list[_Face], str | None] | None:
    """The faces to choose from and the family they substitute for, if any."""
    file_name = _url_file_name(url).casefold()
    if file_name and file_name in tables.file_names:
        return _earliest(tables.file_names[file_name]), None
    faces = _family_faces(tables, family)
    if faces:
        return faces, None
    alias = aliases.get(_family_key(family))
    faces = _family_faces(tables, alias) if alias is not None else []
    return (faces, _display_family(family)) if faces else None


def _family_faces(tables: _Tables, family: str) -> list[_Face]:
    # A typographic family beats a face's own names ('Roboto Light', 'Roboto-Bold').
    key = _family_key(family)
    for table in (tables.families, tables.other_names):
        if key in table:
            return _earliest(table[key])
    return []


def _earliest(ranked: list[_Ranked]) -> list[_Face]:
    """The faces from the first folder of the search path that has any: the shop's wins."""
    first = min(rank for rank, _ in ranked)
    return [face for rank, face in ranked if rank == first]


def _face_rank(face: _Face, weight: int, italic: bool) -> tuple[object, ...]:
    """Sort key after CSS Fonts 4 §5.2: width, then style, then weight; TrueType on a tie."""
    return (
        _width_rank(face.width),
        face.italic != italic,
        _weight_rank(weight, face.weight),
        face.outlines != "truetype",
        str(face.path),
        face.font_number,
    )


def _width_rank(width: int) -> tuple[int, int]:
    # Requests never name a width, so a normal one is wanted: narrower faces before wider ones.
    if width <= _NORMAL_WIDTH:
        return (0, _NORMAL_WIDTH - width)
    return (1, width - _NORMAL_WIDTH)


def _weight_rank(wanted: int, have: int) -> tuple[int, int]:
    if 400 <= wanted <= 500:  # up to 500 first, then lighter, then heavier
        if wanted <= have <= 500:
            return (0, have - wanted)
        return (1, wanted - have) if have < wanted else (2, have - wanted)
    if wanted < 400:  # lighter first
        return (0, wanted - have) if have <= wanted else (1, have - wanted)
    return (0, have - wanted) if have >= wanted else (1, wanted - have)


def _parse_weight(weight: str | int) -> int:
    text = str(weight).strip().lower()
    named = {"normal": 400, "regular": 400, "bold": 700}
    if text in named:
        return named[text]
    try:
        value = round(float(text))
    except ValueError:
        value = 0
    if not 1 <= value <= 1000:
        raise RenderError(f"font weight '{weight}' is not understood (normal, bold or 1-1000)")
    return value


def _parse_style(style: str) -> bool:
    """Whether the style asks for a slanted face; italic and oblique faces serve both."""
    text = style.strip().lower()
    if text == "normal":
        return False
    if text == "italic" or text.split(" ")[0] == "oblique":  # 'oblique 10deg'
        return True
    raise RenderError(f"font style '{style}' is not understood (normal, italic or oblique)")


def _is_under(path: Path, folders: Sequence[Path]) -> bool:
    return any(path.is_relative_to(folder) for folder in folders)


# Glyph coverage ----------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _codepoints(path: str, font_number: int, mtime_ns: int, size: int) -> frozenset[int]:
    """The characters a font maps, cached per file version (mtime and size are the key)."""
    with TTFont(path, fontNumber=font_number, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


def _is_invisible(ch: str) -> bool:
    # Spaces, controls, format characters (ZWJ) and variation selectors draw nothing themselves.
    category = unicodedata.category(ch)
    return ch.isspace() or category in {"Cc", "Cf", "Zs", "Zl", "Zp"} or _is_selector(ord(ch))


def _is_selector(code: int) -> bool:
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF
