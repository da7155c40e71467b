"""Everything a render may import, imported at once: for processes that render many times.

A one-off `production render` imports NumPy, fontTools, pikepdf, CairoSVG and the emoji tables
only when the surface needs them (start-up time is most of a one-off render). A render worker
lives for thousands of renders, and caps its memory once its renderer is loaded
(`production.floor.render_limits`): a module first imported under that cap would be charged to
the render that happened to need it — and, with a tight `render_memory_mib`, fail to map its
shared library and hold a good zip as an "internal error (ImportError)". So workers, and a
daemon rendering inline, import all of it before the cap: the cap is the renders' own.
"""

from __future__ import annotations

import importlib
import pkgutil

__all__ = ["THIRD_PARTY", "preload", "render_modules"]

# Imported inside functions of the renderers (grep "^    +import" renderers/): only then.
THIRD_PARTY = (
    "numpy",
    "numpy.fft",  # the photo match's correlation: a C extension of its own
    "numpy.ma",
    "regex",
    "emoji",
    "uharfbuzz",
    "fontTools.ttLib",
    "fontTools.subset",
    "fontTools.varLib.instancer",
    "fontTools.cffLib.CFF2ToCFF",
    "pikepdf",
    "cairosvg",
    "cairosvg.surface",
    "PIL.JpegImagePlugin",  # Pillow's formats load at the first open of a file
    "PIL.PngImagePlugin",
    "PIL.GifImagePlugin",
    "PIL.BmpImagePlugin",
    "PIL.PpmImagePlugin",
    "PIL.TiffImagePlugin",  # a JPEG's EXIF
    "PIL.WebPImagePlugin",
)


def render_modules() -> list[str]:
    """Every module of this package, and the libraries its functions import when needed."""
    import renderers

    own = [info.name for info in pkgutil.walk_packages(renderers.__path__, "renderers.")]
    return [*sorted(own), *THIRD_PARTY]


def preload() -> None:
    """Import every module a render may need (those already imported cost nothing)."""
    for name in render_modules():
        importlib.import_module(name)
