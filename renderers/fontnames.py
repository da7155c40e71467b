"""Font names as designs spell them: Windows file names, face names, metric-compatible twins.

Designs made with 2018-era tools name a font by its Windows file name — `fontFamily: "timesbd"`
is Times New Roman Bold, `arialbi` Arial Bold Italic — so the name carries a weight and style
as well as a family. `windows_font` reads one back; the table lists the fonts Windows and Office
install (Microsoft's file names, https://learn.microsoft.com/typography/fonts/windows_11_font_list).

`METRIC_SUBSTITUTES` are the free families drawn to the same advance widths as a Microsoft or
Adobe one: a line set in the substitute breaks and fills its box exactly as the original did.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "METRIC_SUBSTITUTES",
    "WINDOWS_FONT_FILES",
    "MetricSubstitute",
    "WindowsFont",
    "face_name",
    "windows_font",
]

_FONT_FILE_SUFFIXES = (".ttf", ".ttc", ".otf")
_STRIPPED = " \t'\"‘’“”"

_WEIGHT_NAMES = {
    100: "Thin", 200: "ExtraLight", 300: "Light", 350: "SemiLight", 400: "Regular",
    500: "Medium", 600: "SemiBold", 700: "Bold", 800: "ExtraBold", 900: "Black",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class WindowsFont:
    """The family, weight and style a Windows font file name stands for."""

    family: str
    weight: int = 400
    italic: bool = False


@dataclass(frozen=True, slots=True)
class MetricSubstitute:
    """A family with the same advance widths as the one it stands in for, and its package."""

    family: str
    package: str  # the Debian package that installs it


def _four(
    family: str, regular: str, bold: str, italic: str, bold_italic: str
) -> dict[str, WindowsFont]:
    return {
        regular: WindowsFont(family),
        bold: WindowsFont(family, 700),
        italic: WindowsFont(family, italic=True),
        bold_italic: WindowsFont(family, 700, italic=True),
    }


WINDOWS_FONT_FILES: Mapping[str, WindowsFont] = {
    **_four("Arial", "arial", "arialbd", "ariali", "arialbi"),
    "ariblk": WindowsFont("Arial Black", 900),
    **_four("Arial Narrow", "arialn", "arialnb", "arialni", "arialnbi"),
    **_four("Times New Roman", "times", "timesbd", "timesi", "timesbi"),
    **_four("Courier New", "cour", "courbd", "couri", "courbi"),
    **_four("Verdana", "verdana", "verdanab", "verdanai", "verdanaz"),
    **_four("Georgia", "georgia", "georgiab", "georgiai", "georgiaz"),
    **_four("Comic Sans MS", "comic", "comicbd", "comici", "comicz"),
    "impact": WindowsFont("Impact"),
    "tahoma": WindowsFont("Tahoma"),
    "tahomabd": WindowsFont("Tahoma", 700),
    **_four("Trebuchet MS", "trebuc", "trebucbd", "trebucit", "trebucbi"),
    **_four("Calibri", "calibri", "calibrib", "calibrii", "calibriz"),
    "calibril": WindowsFont("Calibri Light"),
    "calibrili": WindowsFont("Calibri Light", italic=True),
    **_four("Cambria", "cambria", "cambriab", "cambriai", "cambriaz"),
    **_four("Candara", "candara", "candarab", "candarai", "candaraz"),
    **_four("Consolas", "consola", "consolab", "consolai", "consolaz"),
    **_four("Constantia", "constan", "constanb", "constani", "constanz"),
    **_four("Corbel", "corbel", "corbelb", "corbeli", "corbelz"),
    **_four("Segoe UI", "segoeui", "segoeuib", "segoeuii", "segoeuiz"),
    "segoeuil": WindowsFont("Segoe UI", 300),
    "seguili": WindowsFont("Segoe UI", 300, italic=True),
    "segoeuisl": WindowsFont("Segoe UI", 350),
    "seguisli": WindowsFont("Segoe UI", 350, italic=True),
    "seguisb": WindowsFont("Segoe UI", 600),
    "seguisbi": WindowsFont("Segoe UI", 600, italic=True),
    "seguibl": WindowsFont("Segoe UI", 900),
    "seguibli": WindowsFont("Segoe UI", 900, italic=True),
    "segoepr": WindowsFont("Segoe Print"),
    "segoeprb": WindowsFont("Segoe Print", 700),
    "segoesc": WindowsFont("Segoe Script"),
    "segoescb": WindowsFont("Segoe Script", 700),
    **_four("Palatino Linotype", "pala", "palab", "palai", "palabi"),
    **_four("Book Antiqua", "bkant", "antquab", "antquai", "antquabi"),
    **_four("Bookman Old Style", "bookos", "bookosb", "bookosi", "bookosbi"),
    **_four("Century Gothic", "gothic", "gothicb", "gothici", "gothicbi"),
    "century": WindowsFont("Century"),
    "garamond": WindowsFont("Garamond"),
    "gara": WindowsFont("Garamond"),
    "garabd": WindowsFont("Garamond", 700),
    "garait": WindowsFont("Garamond", italic=True),
    "framd": WindowsFont("Franklin Gothic Medium"),
    "framdit": WindowsFont("Franklin Gothic Medium", italic=True),
    "lucon": WindowsFont("Lucida Console"),
    "l_10646": WindowsFont("Lucida Sans Unicode"),
    "lhandw": WindowsFont("Lucida Handwriting", italic=True),
    "mtcorsva": WindowsFont("Monotype Corsiva", italic=True),
    "brushsci": WindowsFont("Brush Script MT", italic=True),
    "micross": WindowsFont("Microsoft Sans Serif"),
    "sylfaen": WindowsFont("Sylfaen"),
    "symbol": WindowsFont("Symbol"),
    "webdings": WindowsFont("Webdings"),
    "wingding": WindowsFont("Wingdings"),
    "msyh": WindowsFont("Microsoft YaHei"),
    "msyhbd": WindowsFont("Microsoft YaHei", 700),
    "simsun": WindowsFont("SimSun"),
    "simhei": WindowsFont("SimHei"),
    "msgothic": WindowsFont("MS Gothic"),
    "malgun": WindowsFont("Malgun Gothic"),
    "malgunbd": WindowsFont("Malgun Gothic", 700),
}
"""Windows font file names (lower case, no suffix) and the face each one holds."""

_LIBERATION = "fonts-liberation2"
METRIC_SUBSTITUTES: Mapping[str, MetricSubstitute] = {
    "arial": MetricSubstitute("Liberation Sans", _LIBERATION),
    "helvetica": MetricSubstitute("Liberation Sans", _LIBERATION),
    "timesnewroman": MetricSubstitute("Liberation Serif", _LIBERATION),
    "times": MetricSubstitute("Liberation Serif", _LIBERATION),
    "couriernew": MetricSubstitute("Liberation Mono", _LIBERATION),
    "courier": MetricSubstitute("Liberation Mono", _LIBERATION),
    "calibri": MetricSubstitute("Carlito", "fonts-crosextra-carlito"),
    "cambria": MetricSubstitute("Caladea", "fonts-crosextra-caladea"),
}
"""Families (as `family_key` spells them) and their metric-compatible free substitutes."""


def windows_font(name: str) -> WindowsFont | None:
    """The face a Windows font file name stands for: `'TimesBD.ttf'` is Times New Roman Bold."""
    key = name.strip(_STRIPPED).casefold()
    for suffix in _FONT_FILE_SUFFIXES:
        key = key.removesuffix(suffix)
    return WINDOWS_FONT_FILES.get(key)


def face_name(weight: int, italic: bool) -> str:
    """How a type designer names the face: 'Regular', 'Bold', 'Light Italic', 'Italic'."""
    nearest = min(_WEIGHT_NAMES, key=lambda w: abs(w - weight))
    name = _WEIGHT_NAMES[nearest] if nearest == weight else f"weight {weight}"
    if italic:
        return "Italic" if name == "Regular" else f"{name} Italic"
    return name
