"""Find the font file for a family, weight and style named by Amazon's SVG or JSON.

The search path is ordered: the shop's font folders, then the fonts shipped by installed Python
`font_*` packages, then the system font folders, then the Bitstream Vera fonts reportlab ships.
A family found in an earlier folder hides the same family in later ones, so the shop can
override a system font by dropping its own copy into its fonts folder.

A family is named as a designer's app names it — family, weight and style — or by its Windows
file name (`timesbd` is Times New Roman Bold), whose weight and style add to the request's.
Nothing is substituted silently: a family that is not installed raises `MissingFontError`
naming the family and the face, unless the shop configured an alias for it or turned on
metric-compatible substitutes, and then the result says it is a substitute. A family that is
there but lacks the bold or italic face asked for is held too (a browser would have faked that
face; a print cannot), unless the shop accepts the nearest face (`nearest_face`).

The faces of every file are cached on disk (`renderers.fontcache`): a process start reads that
one file and opens only fonts that are new or changed.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from production.core.errors import MissingFontError, RenderError
from renderers.fontcache import FaceCache, default_cache_dir, font_file_versions, unpacked_sfnt
from renderers.fontcoverage import missing_glyphs
from renderers.fontdirs import (
    SYSTEM_FONT_DIRS,
    installed_font_dirs,
    package_font_dirs,
    reportlab_font_dirs,
    system_font_dirs,
)
from renderers.fontfaces import (
    FONT_SUFFIXES,
    FaceReader,
    Flavor,
    FontFace,
    Outlines,
    read_faces,
    unreadable_font_errors,
)
from renderers.fontmatch import (
    display_family,
    face_rank,
    family_key,
    lacking_face,
    parse_style,
    parse_weight,
)
from renderers.fontnames import METRIC_SUBSTITUTES, face_name, windows_font

__all__ = [
    "FONT_SUFFIXES",
    "SYSTEM_FONT_DIRS",
    "FontIndex",
    "Outlines",
    "ResolvedFont",
    "installed_font_dirs",
    "missing_glyphs",
]


@dataclass(frozen=True, slots=True)
class ResolvedFont:
    """The face chosen for a request.

    `substituted_for` names the family it stands in for (an alias, or a metric-compatible
    substitute when `metric_compatible`); `nearest_for` names the face asked for that the
    family lacks, when the shop accepts the nearest face instead.
    """

    path: Path
    family: str
    weight: int
    italic: bool
    font_number: int = 0  # the face inside a .ttc collection
    outlines: Outlines = "truetype"
    substituted_for: str | None = None
    metric_compatible: bool = False
    style_name: str = "Regular"  # the face's own subfamily name, e.g. 'Bold Italic'
    nearest_for: str | None = None
    flavor: Flavor = None  # 'woff'/'woff2': `path` is the plain font unpacked from `source`
    source: Path | None = None  # the web font file as the shop saved it

    @property
    def file_name(self) -> str:
        """The font file's name as the shop's folder has it (the web font, not its unpacking)."""
        return (self.source or self.path).name


_Ranked = tuple[int, FontFace]  # the position of the face's folder in the search path, and it


@dataclass(frozen=True, slots=True)
class _Tables:
    families: dict[str, list[_Ranked]]
    other_names: dict[str, list[_Ranked]]
    file_names: dict[str, list[_Ranked]]
    unreadable: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class _Request:
    """What the design asks for, its Windows file name (if any) read as family and face."""

    asked: str  # the family as the design spells it
    family: str
    weight: int
    italic: bool

    @classmethod
    def of(cls, family: str, weight: str | int, style: str) -> _Request:
        wanted_weight, wanted_italic = parse_weight(weight), parse_style(style)
        windows = windows_font(family)
        if windows is None:
            return cls(family, display_family(family), wanted_weight, wanted_italic)
        # Bold from either the name or the design; a light name keeps its weight unless the
        # design asks for a weight of its own.
        combined = windows.weight if wanted_weight == 400 else wanted_weight
        if windows.weight != 400 and wanted_weight != 400:
            combined = max(windows.weight, wanted_weight)
        return cls(family, windows.family, combined, wanted_italic or windows.italic)

    @property
    def face(self) -> str:
        return face_name(self.weight, self.italic)

    def describe(self) -> str:
        """How a message names the request: font family 'Times New Roman' Bold (named …)."""
        text = f"font family '{self.family}'"
        if self.face != "Regular":
            text += f" {self.face}"
        if family_key(self.asked) != family_key(self.family):
            text += f" (named '{display_family(self.asked)}' in the design)"
        return text


@dataclass(frozen=True, slots=True)
class _Found:
    faces: list[FontFace]
    substituted_for: str | None = None
    metric_compatible: bool = False


class FontIndex:
    """The fonts in an ordered list of folders, by family name and by file name.

    `metric_substitutes` lets Liberation, Carlito and Caladea stand in for the Microsoft
    families they match width for width; `nearest_face` prints a family's nearest face when it
    lacks the bold or italic asked for. `cache_dir` holds the on-disk index (default
    `default_cache_dir()`); `reader` opens font files (tests count its calls).
    """

    def __init__(
        self,
        font_dirs: Sequence[Path],
        *,
        aliases: Mapping[str, str] | None = None,
        include_installed: bool = True,
        metric_substitutes: bool = False,
        nearest_face: bool = False,
        cache_dir: Path | None = None,
        reader: FaceReader = read_faces,
    ) -> None:
        self.font_dirs = tuple(Path(d).expanduser() for d in font_dirs)
        self.metric_substitutes = metric_substitutes
        self.nearest_face = nearest_face
        self._aliases = {family_key(k): v for k, v in (aliases or {}).items()}
        self._cache_dir = cache_dir or default_cache_dir()
        cache_file = FaceCache.file_for(self._cache_dir, self.font_dirs, include_installed)
        self._cache = FaceCache(cache_file, reader)
        searched = self.font_dirs + (self._installed_dirs() if include_installed else ())
        self.dirs = tuple(dict.fromkeys(searched))
        self._lock = threading.Lock()
        self._tables = self._build()

    def refresh(self) -> None:
        """Pick up font files added, changed or removed since the index was built."""
        self._tables = self._build()

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

        Looks for a file named like the URL's last segment first, then the family (a Windows
        file name read as its family and face), then the shop's alias for it, then its
        metric-compatible substitute if the shop allows those. Rescans the folders once before
        giving up, so a font the shop has just added is found without a restart.
        """
        request = _Request.of(family, weight, style)
        result = self._attempt(request, url)
        if isinstance(result, str):
            self.refresh()
            result = self._attempt(request, url)
        if isinstance(result, str):
            raise MissingFontError(result, family=request.family)
        return result

    def _attempt(self, request: _Request, url: str | None) -> ResolvedFont | str:
        """The face, or why there is none."""
        found = self._lookup(request, url)
        if found is None:
            return self._not_installed(request, url)
        face = min(found.faces, key=lambda f: face_rank(f, request.weight, request.italic))
        lacking = lacking_face(face, request.weight, request.italic)
        if lacking is not None and not self.nearest_face:
            return self._face_not_installed(request, found.faces)
        return ResolvedFont(
            path=self._sfnt(face),
            family=face.family,
            weight=face.weight,
            italic=face.italic,
            font_number=face.font_number,
            outlines=face.outlines,
            substituted_for=found.substituted_for,
            metric_compatible=found.metric_compatible,
            style_name=face.style_name,
            nearest_for=lacking,
            flavor=face.flavor,
            source=face.path if face.flavor is not None else None,
        )

    def _sfnt(self, face: FontFace) -> Path:
        if face.flavor is None:
            return face.path
        try:
            return unpacked_sfnt(face.path, face.outlines == "truetype", self._cache_dir)
        except unreadable_font_errors() as exc:
            raise RenderError(f"font file {face.path} cannot be unpacked: {exc}") from exc

    def _lookup(self, request: _Request, url: str | None) -> _Found | None:
        tables = self._tables
        file_name = _url_file_name(url).casefold()
        if file_name and file_name in tables.file_names:
            return _Found(_earliest(tables.file_names[file_name]))
        faces = _family_faces(tables, request.family)
        if faces:
            return _Found(faces)
        alias = self._alias(request)
        faces = _family_faces(tables, alias) if alias is not None else []
        if faces:
            return _Found(faces, request.family)
        substitute = METRIC_SUBSTITUTES.get(family_key(request.family))
        if self.metric_substitutes and substitute is not None:
            faces = _family_faces(tables, substitute.family)
            if faces:
                return _Found(faces, request.family, metric_compatible=True)
        return None

    def _alias(self, request: _Request) -> str | None:
        # The family as the design spells it ('timesbd') first, then as read ('Times New Roman').
        return self._aliases.get(family_key(request.asked)) or self._aliases.get(
            family_key(request.family)
        )

    # Messages --------------------------------------------------------------------------------

    def _not_installed(self, request: _Request, url: str | None) -> str:
        file_name = _url_file_name(url)
        problem = f"{request.describe()} is not installed"
        if file_name:
            problem += f" and no font file is named '{file_name}'"
        alias = self._alias(request)
        if alias is not None:
            problem += f", nor its configured substitute '{alias}'"
        substitute = METRIC_SUBSTITUTES.get(family_key(request.family))
        if substitute is not None and self.metric_substitutes and alias is None:
            problem += (
                f", nor its metric-compatible substitute '{substitute.family}'"
                f" (Debian package {substitute.package})"
            )
        todo = self._what_to_do(file_name, request.family if alias is None else None)
        if substitute is not None and not self.metric_substitutes and alias is None:
            todo += (
                f"; or set metric_substitutes = true under [fonts] in shop.toml to print it in "
                f"{substitute.family}, which has the same character widths"
            )
        return f"{problem}: {self._where_looked()}; {todo}"

    def _face_not_installed(self, request: _Request, faces: Sequence[FontFace]) -> str:
        family = faces[0].family
        has = ", ".join(sorted({f.style_name for f in faces}))
        folders = ", ".join(sorted({str(f.path.parent) for f in faces}))
        if family_key(family) == family_key(request.family):
            problem = f"{request.describe()} is not installed: the family has only {has}"
        else:
            problem = (
                f"{request.describe()} is not installed, and its substitute '{family}' has "
                f"only {has}"
            )
        return (
            f"{problem} (in {folders}); a browser, and so Amazon's preview, draws a "
            f"computer-made {request.face} instead. Add the {request.face} font file to the "
            "shop's fonts folder, or set nearest_face = true under [fonts] in shop.toml to "
            "print the nearest face"
        )

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
                f'"{family}" = "an installed family")'
            )
        unreadable = [p.name for p in self._tables.unreadable if _is_under(p, self.font_dirs)]
        if unreadable:
            todo += f"; these font files there cannot be read: {', '.join(unreadable[:5])}"
        return todo

    # Indexing --------------------------------------------------------------------------------

    def _installed_dirs(self) -> tuple[Path, ...]:
        packages = self._cache.installed_dirs("packages", package_font_dirs)
        reportlab = self._cache.installed_dirs("reportlab", reportlab_font_dirs)
        return packages + system_font_dirs() + reportlab

    def _build(self) -> _Tables:
        families: dict[str, list[_Ranked]] = {}
        other_names: dict[str, list[_Ranked]] = {}
        file_names: dict[str, list[_Ranked]] = {}
        unreadable: list[Path] = []
        seen: set[str] = set()
        with self._lock:  # render threads may refresh at once; the cache is not thread-safe
            for rank, root in enumerate(self.dirs):
                for file in font_file_versions(root):
                    seen.add(file.path)
                    faces = self._cache.faces(file)
                    if faces is None:
                        unreadable.append(Path(file.path))
                        continue
                    for face in faces:
                        families.setdefault(family_key(face.family), []).append((rank, face))
                        for name in {family_key(n) for n in face.other_names}:
                            other_names.setdefault(name, []).append((rank, face))
                        file_names.setdefault(file.name.casefold(), []).append((rank, face))
            self._cache.forget_all_but(seen)
            self._cache.save()
        return _Tables(families, other_names, file_names, tuple(unreadable))


# Matching ----------------------------------------------------------------------------------


def _url_file_name(url: str | None) -> str:
    return unquote(PurePosixPath(urlsplit(url).path).name) if url else ""


def _family_faces(tables: _Tables, family: str) -> list[FontFace]:
    # A typographic family beats a face's own names ('Roboto Light', 'Roboto-Bold').
    key = family_key(family)
    for table in (tables.families, tables.other_names):
        if key in table:
            return _earliest(table[key])
    return []


def _earliest(ranked: list[_Ranked]) -> list[FontFace]:
    """The faces from the first folder of the search path that has any: the shop's wins."""
    first = min(rank for rank, _ in ranked)
    return [face for rank, face in ranked if rank == first]


def _is_under(path: Path, folders: Sequence[Path]) -> bool:
    return any(path.is_relative_to(folder) for folder in folders)
