"""The font index kept on disk, so a process start reads one small file instead of every font.

The cache holds the faces of every font file seen, keyed by the file's path, modification time
and size, and the font folders of the installed Python font packages, keyed by the
modification times of the site-packages folders (installing or removing a package changes them).
A start walks the font folders (a `stat` per file, no font opened) and reads a font file only
when it is new or changed. The file is replaced atomically, so processes sharing it (render
workers) never read half of one; the last writer wins, and every writer's version is correct.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from renderers.fontfaces import (
    FONT_SUFFIXES,
    FaceReader,
    FontFace,
    face_from_json,
    face_to_json,
    read_faces,
    unreadable_font_errors,
)

__all__ = ["FaceCache", "FontFile", "default_cache_dir", "font_file_versions", "unpacked_sfnt"]

logger = logging.getLogger(__name__)

_FORMAT = 2  # bumped when what is stored changes; an older cache is then rebuilt
_APP_FOLDER = "production-fonts"


@dataclass(frozen=True, slots=True)
class FontFile:
    """One version of a font file: a change of either number means it must be read again."""

    path: str  # a plain string: a warm start builds no Path for a file it does not read
    name: str
    mtime_ns: int
    size: int


@dataclass(frozen=True, slots=True)
class _Entry:
    mtime_ns: int
    size: int
    faces: tuple[FontFace, ...] | None  # None: the file cannot be read


def default_cache_dir() -> Path:
    """`$XDG_CACHE_HOME/production-fonts`, else `~/.cache/production-fonts`."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path("~/.cache").expanduser())
    return Path(base) / _APP_FOLDER


def font_file_versions(root: Path) -> Iterator[FontFile]:
    """The font files under `root`, skipping hidden ones (macOS leaves `._X.ttf` copies).

    One `stat` per file and none per folder beyond the walk itself; a folder reached twice
    (through a symlink) is walked once.
    """
    seen: set[tuple[int, int]] = set()
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            stat = folder.stat()
            if (stat.st_dev, stat.st_ino) in seen:
                continue
            seen.add((stat.st_dev, stat.st_ino))
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            found = _font_file(entry, pending)
            if found is not None:
                yield found


def _font_file(entry: os.DirEntry[str], pending: list[Path]) -> FontFile | None:
    name = entry.name
    if name.startswith("."):
        return None
    try:
        if entry.is_dir():
            pending.append(Path(entry.path))
            return None
        suffix = "." + name.rpartition(".")[2].lower()
        if suffix not in FONT_SUFFIXES or not entry.is_file():
            return None
        stat = entry.stat()
    except OSError:
        return None
    return FontFile(entry.path, name, stat.st_mtime_ns, stat.st_size)


class FaceCache:
    """Faces per font file version, read from `file` once and written back when they change.

    `file` None keeps them in memory only. `reader` opens a font file; tests count its calls.
    """

    def __init__(self, file: Path | None, reader: FaceReader = read_faces) -> None:
        self.file = file
        self.reader = reader
        self._entries: dict[str, _Entry] = {}
        self._installed: dict[str, Any] = {}
        self._changed = False
        if file is not None:
            self._load(file)

    @staticmethod
    def file_for(cache_dir: Path, font_dirs: Sequence[Path], include_installed: bool) -> Path:
        """One cache file per search path, so two shops on one machine do not evict each other."""
        key = json.dumps([[str(d) for d in font_dirs], include_installed, sys.prefix])
        return cache_dir / f"index-{hashlib.sha1(key.encode()).hexdigest()[:16]}.json"

    def faces(self, font: FontFile) -> tuple[FontFace, ...] | None:
        """The faces of this version of the file, reading it only if the cache has not."""
        entry = self._entries.get(font.path)
        if entry is not None and (entry.mtime_ns, entry.size) == (font.mtime_ns, font.size):
            return entry.faces
        faces: tuple[FontFace, ...] | None
        try:
            faces = self.reader(Path(font.path))
        except unreadable_font_errors() as exc:
            logger.warning("skipping font file %s: %s", font.path, exc)
            faces = None
        self._entries[font.path] = _Entry(font.mtime_ns, font.size, faces)
        self._changed = True
        return faces

    def forget_all_but(self, paths: set[str]) -> None:
        """Drop the files no longer found, so the cache does not grow with every removed font."""
        gone = [path for path in self._entries if path not in paths]
        for path in gone:
            del self._entries[path]
        self._changed = self._changed or bool(gone)

    def installed_dirs(self, name: str, find: Callable[[], tuple[Path, ...]]) -> tuple[Path, ...]:
        """Folders `find` looks up among installed packages (slow: it reads every package's
        metadata), looked up again only when a site-packages folder has changed."""
        key = _sys_path_key()
        known = self._installed.get(name)
        if isinstance(known, dict) and known.get("key") == key:
            return tuple(Path(d) for d in known["dirs"])
        dirs = find()
        self._installed[name] = {"key": key, "dirs": [str(d) for d in dirs]}
        self._changed = True
        return dirs

    def save(self) -> None:
        """Write the cache if anything changed; a cache that cannot be written is only slower."""
        if self.file is None or not self._changed:
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", dir=self.file.parent, prefix=".index-", suffix=".tmp", delete=False
            ) as out:
                json.dump(self._to_json(), out, separators=(",", ":"))
            Path(out.name).replace(self.file)
        except OSError as exc:
            logger.warning("cannot write the font index cache %s: %s", self.file, exc)
            return
        self._changed = False

    def _load(self, file: Path) -> None:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            if data.get("format") != _FORMAT:
                return
            self._entries = {path: _entry(path, raw) for path, raw in data["files"].items()}
            self._installed = dict(data["installed"])
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            # A damaged cache costs one full index build, never a failed start.
            logger.warning("ignoring the font index cache %s: %s", file, exc)
            self._entries, self._installed = {}, {}

    def _to_json(self) -> dict[str, Any]:
        files = {
            path: [
                entry.mtime_ns,
                entry.size,
                None if entry.faces is None else [face_to_json(f) for f in entry.faces],
            ]
            for path, entry in self._entries.items()
        }
        return {"format": _FORMAT, "installed": self._installed, "files": files}


def _entry(path: str, raw: list[Any]) -> _Entry:
    mtime_ns, size, faces = raw
    if faces is None:
        return _Entry(int(mtime_ns), int(size), None)
    return _Entry(int(mtime_ns), int(size), tuple(face_from_json(path, f) for f in faces))


def _sys_path_key() -> list[list[object]]:
    """The package folders on `sys.path` and their modification times.

    Only site-packages/dist-packages folders count: pip installs font packages there, and the
    script's own folder or the working directory, which change all the time, would make every
    start look up the packages again.
    """
    key: list[list[object]] = []
    for entry in sys.path:
        if Path(entry).name not in {"site-packages", "dist-packages"}:
            continue
        try:
            key.append([entry, Path(entry).stat().st_mtime_ns])
        except OSError:
            continue
    return key


def unpacked_sfnt(font: Path, truetype: bool, cache_dir: Path) -> Path:
    """A WOFF or WOFF2 file as the plain TrueType (or CFF OpenType) file inside it, unpacked once.

    PDF embedding and outline drawing read plain sfnt files only. The copy is named by the web
    font's path, modification time and size, so a changed upload is unpacked again.
    """
    stat = font.stat()
    version = f"{font.resolve()}:{stat.st_mtime_ns}:{stat.st_size}"
    digest = hashlib.sha1(version.encode()).hexdigest()[:16]
    target = cache_dir / "unpacked" / f"{font.stem}-{digest}{'.ttf' if truetype else '.otf'}"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    from fontTools.ttLib import TTFont  # only a web font is unpacked: fontTools loads for it

    with (
        TTFont(str(font)) as unpacked,
        tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as out,
    ):
        unpacked.flavor = None
        unpacked.save(out)
    Path(out.name).replace(target)
    return target
