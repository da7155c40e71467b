"""The Unicode Bidirectional Algorithm (UAX #9) for one line: embedding levels, visual order.

The levels come from GNU FriBidi (`libfribidi0`, the implementation Pango and libraqm use; it
covers isolates and bracket pairs, UAX #9 since Unicode 6.3), called through ctypes. Why not a
PyPI package: python-bidi 0.6 (the maintained one, over the Rust crate unicode-bidi) exposes only
`get_display`, a reordered string, and `get_base_level`; its levels exist only inside the Rust
`Debug` text of `debug=True`, per UTF-8 byte, and its older pure-Python `bidi.algorithm` follows
UAX #9 from before isolates and bracket pairs. Shaping needs the levels, not a reordered string:
each run is shaped in its own direction and only then are the runs put in visual order.

The paragraph direction is that of the line's first strong character (rules P2 and P3), as a
browser does for `dir="auto"`; a line without any strong character is left to right.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Sequence
from functools import lru_cache

from production.core.errors import RenderError

__all__ = ["embedding_levels", "visual_order"]

# fribidi-bidi-types.h: FRIBIDI_PAR_ON is FRIBIDI_MASK_NEUTRAL, "take the first strong letter".
_PAR_ON = 0x40
# Below Hebrew (U+0590) no character is R, AL, AN or an explicit embedding: all levels are 0.
_FIRST_RTL_CHAR = "\u0590"


def embedding_levels(text: str) -> tuple[int, ...]:
    """The resolved embedding level of each character of `text` (one line, rules P2–I2 and L1).

    Even levels run left to right, odd ones right to left.
    """
    if not text or max(text) < _FIRST_RTL_CHAR:
        return (0,) * len(text)  # the common case, without a call into FriBidi
    lib = _fribidi()
    n = len(text)
    chars = (ctypes.c_uint32 * n)(*map(ord, text))
    types = (ctypes.c_uint32 * n)()
    brackets = (ctypes.c_uint32 * n)()
    levels = (ctypes.c_int8 * n)()
    lib.fribidi_get_bidi_types(chars, n, types)
    lib.fribidi_get_bracket_types(chars, n, types, brackets)
    direction = ctypes.c_uint32(_PAR_ON)
    if not lib.fribidi_get_par_embedding_levels_ex(
        types, brackets, n, ctypes.byref(direction), levels
    ):
        raise RenderError("the bidirectional algorithm (FriBidi) failed on a line of text")
    return tuple(levels)


def visual_order(levels: Sequence[int]) -> list[int]:
    """Indices of items at `levels` in visual order, left to right (UAX #9 rule L2).

    From the highest level down to the lowest odd one, every maximal sequence of items at that
    level or higher is reversed. The items may be characters or runs of equal level.
    """
    order = list(range(len(levels)))
    if not levels:
        return order
    lowest_odd = min(levels) | 1
    for level in range(max(levels), lowest_odd - 1, -1):
        start = 0
        while start < len(order):
            if levels[order[start]] < level:
                start += 1
                continue
            end = start
            while end < len(order) and levels[order[end]] >= level:
                end += 1
            order[start:end] = order[start:end][::-1]
            start = end
    return order


@lru_cache(maxsize=1)
def _fribidi() -> ctypes.CDLL:
    name = ctypes.util.find_library("fribidi") or "libfribidi.so.0"
    try:
        lib = ctypes.CDLL(name)
    except OSError as exc:
        raise RenderError(
            "GNU FriBidi is not installed (Debian package libfribidi0): right-to-left text "
            "cannot be laid out"
        ) from exc
    array = ctypes.POINTER(ctypes.c_uint32)
    lib.fribidi_get_bidi_types.argtypes = [array, ctypes.c_int, array]
    lib.fribidi_get_bidi_types.restype = None
    lib.fribidi_get_bracket_types.argtypes = [array, ctypes.c_int, array, array]
    lib.fribidi_get_bracket_types.restype = None
    lib.fribidi_get_par_embedding_levels_ex.argtypes = [
        array,
        array,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_uint32),
        ctypes.POINTER(ctypes.c_int8),
    ]
    lib.fribidi_get_par_embedding_levels_ex.restype = ctypes.c_int8
    return lib
