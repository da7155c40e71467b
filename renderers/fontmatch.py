"""Which face of a family a request gets, after CSS Fonts 4 §5.2, and when none will do.

A browser — and Amazon's preview is drawn by one — given a bold or italic request for a family
that lacks that face, takes the nearest face and emboldens or slants it by computer
(font-synthesis). A print cannot do that faithfully, so `lacking_face` says when the chosen
face is one the browser would have synthesized from; the index then holds the job unless the
shop accepts the nearest face.
"""

from __future__ import annotations

from production.core.errors import RenderError
from renderers.fontfaces import FontFace
from renderers.fontnames import face_name

__all__ = [
    "display_family",
    "face_rank",
    "family_key",
    "lacking_face",
    "parse_style",
    "parse_weight",
]

_QUOTES_AND_SEPARATORS = str.maketrans("", "", " \t-_'\"‘’“”")
_NORMAL_WIDTH = 5  # OS/2 usWidthClass of a face that is neither condensed nor expanded
_BOLD_THRESHOLD = 600  # browsers synthesize bold for a request this heavy from a lighter face


def family_key(name: str) -> str:
    """'Amatic SC', "'amatic-sc'" and 'AmaticSC' all name the same family."""
    return name.translate(_QUOTES_AND_SEPARATORS).casefold()


def display_family(name: str) -> str:
    return name.strip().strip("'\"").strip()


def face_rank(face: FontFace, weight: int, italic: bool) -> tuple[object, ...]:
    """Sort key after CSS Fonts 4 §5.2: width, then style, then weight.

    On a tie, a face with outlines beats a bitmap-only one (no text can be printed in that),
    then a plain file the same face as a web font; TrueType and CFF are embedded alike.
    """
    return (
        _width_rank(face.width),
        face.italic != italic,
        _weight_rank(weight, face.weight),
        face.outlines == "bitmap",
        face.flavor is not None,  # a plain file over the same face as a web font
        face.file,
        face.font_number,
    )


def lacking_face(face: FontFace, weight: int, italic: bool) -> str | None:
    """The face asked for, if `face` would have to be emboldened or slanted to stand for it."""
    needs_bold = weight >= _BOLD_THRESHOLD > face.weight
    needs_slant = italic and not face.italic
    return face_name(weight, italic) if needs_bold or needs_slant else None


def parse_weight(weight: str | int) -> int:
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


def parse_style(style: str) -> bool:
    """Whether the style asks for a slanted face; italic and oblique faces serve both."""
    text = style.strip().lower()
    if text == "normal":
        return False
    if text == "italic" or text.split(" ")[0] == "oblique":  # 'oblique 10deg'
        return True
    raise RenderError(f"font style '{style}' is not understood (normal, italic or oblique)")


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
