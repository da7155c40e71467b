"""Where installed fonts live: Python font packages, the system's folders, reportlab's own.

The shop's font folders come first in the search path (`renderers.fonts.FontIndex`); these
follow, in this order.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path, PurePosixPath

__all__ = [
    "SYSTEM_FONT_DIRS",
    "installed_font_dirs",
    "package_font_dirs",
    "reportlab_font_dirs",
    "system_font_dirs",
]

SYSTEM_FONT_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.fonts",
    "~/.local/share/fonts",
)
"""Where Linux keeps fonts (fontconfig's defaults); `~` is expanded when the index is built."""


def installed_font_dirs() -> tuple[Path, ...]:
    """The font folders searched after the shop's: Python font packages, system, reportlab."""
    return package_font_dirs() + system_font_dirs() + reportlab_font_dirs()


def system_font_dirs() -> tuple[Path, ...]:
    return tuple(Path(d).expanduser() for d in SYSTEM_FONT_DIRS)


@lru_cache(maxsize=1)
def package_font_dirs() -> tuple[Path, ...]:
    """The `files/` folders of installed `font_*` packages, found from metadata, not imports.

    Slow (it reads every installed package's metadata): the font index caches the answer, and
    importlib.metadata (with the email package it parses with) loads only when it is asked.
    """
    from importlib.metadata import distributions

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
def reportlab_font_dirs() -> tuple[Path, ...]:
    """The Bitstream Vera fonts reportlab ships: always there, searched last."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        return (Path(str(distribution("reportlab").locate_file("reportlab/fonts"))),)
    except PackageNotFoundError:
        return ()
