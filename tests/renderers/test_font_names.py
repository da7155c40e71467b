"""Windows font file names as families, and the metric-compatible substitutes a shop may allow.

The faces come from Debian's font packages (fonts-liberation2, fonts-crosextra-carlito,
fonts-crosextra-caladea, installed by .ci/run), searched as the only font folders so that a
Microsoft font installed on the machine cannot answer instead.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from production.core.errors import MissingFontError
from production.core.model import TextElement
from renderers.fontnames import WINDOWS_FONT_FILES, WindowsFont, face_name, windows_font
from renderers.fonts import FontIndex, ResolvedFont
from renderers.textlayout import font_notes

LIBERATION = Path("/usr/share/fonts/truetype/liberation2")
CROSEXTRA = Path("/usr/share/fonts/truetype/crosextra")  # Carlito and Caladea

R, B, IT, BI = (400, False), (700, False), (400, True), (700, True)

# What each name means, as Windows' own font list gives it (file name → family and face).
EXPECTED = {
    "arial": ("Arial", R), "arialbd": ("Arial", B), "ariali": ("Arial", IT),
    "arialbi": ("Arial", BI), "ariblk": ("Arial Black", (900, False)),
    "times": ("Times New Roman", R), "timesbd": ("Times New Roman", B),
    "timesi": ("Times New Roman", IT), "timesbi": ("Times New Roman", BI),
    "cour": ("Courier New", R), "courbd": ("Courier New", B), "couri": ("Courier New", IT),
    "courbi": ("Courier New", BI),
    "verdana": ("Verdana", R), "verdanab": ("Verdana", B), "verdanai": ("Verdana", IT),
    "verdanaz": ("Verdana", BI),
    "georgia": ("Georgia", R), "georgiab": ("Georgia", B), "georgiai": ("Georgia", IT),
    "georgiaz": ("Georgia", BI),
    "comic": ("Comic Sans MS", R), "comicbd": ("Comic Sans MS", B),
    "impact": ("Impact", R),
    "tahoma": ("Tahoma", R), "tahomabd": ("Tahoma", B),
    "trebuc": ("Trebuchet MS", R), "trebucbd": ("Trebuchet MS", B),
    "trebucit": ("Trebuchet MS", IT), "trebucbi": ("Trebuchet MS", BI),
    "calibri": ("Calibri", R), "calibrib": ("Calibri", B), "calibrii": ("Calibri", IT),
    "calibriz": ("Calibri", BI),
    "cambria": ("Cambria", R), "cambriab": ("Cambria", B), "cambriai": ("Cambria", IT),
    "cambriaz": ("Cambria", BI),
    "segoeui": ("Segoe UI", R), "segoeuib": ("Segoe UI", B), "segoeuii": ("Segoe UI", IT),
    "segoeuiz": ("Segoe UI", BI), "segoeuil": ("Segoe UI", (300, False)),
    "pala": ("Palatino Linotype", R), "palab": ("Palatino Linotype", B),
    "garamond": ("Garamond", R), "lucon": ("Lucida Console", R),
    "consola": ("Consolas", R), "gothic": ("Century Gothic", R),
}  # fmt: skip


def _fonts(folder: Path, package: str) -> Path:
    if not folder.is_dir():
        pytest.fail(f"install the Debian package {package} (.ci/run does)")
    return folder


@pytest.fixture
def free_fonts() -> list[Path]:
    return [
        _fonts(LIBERATION, "fonts-liberation2"),
        _fonts(CROSEXTRA, "fonts-crosextra-carlito fonts-crosextra-caladea"),
    ]


@pytest.mark.parametrize(("name", "expected"), EXPECTED.items())
def test_each_windows_name_is_a_family_and_a_face(
    name: str, expected: tuple[str, tuple[int, bool]]
) -> None:
    family, (weight, italic) = expected

    assert windows_font(name) == WindowsFont(family, weight, italic)


@pytest.mark.parametrize("spelling", ["TIMESBD", "TimesBd.ttf", "timesbd.TTF", " 'timesbd' "])
def test_windows_names_ignore_case_quotes_and_the_suffix(spelling: str) -> None:
    assert windows_font(spelling) == WindowsFont("Times New Roman", 700)


def test_every_table_entry_is_a_lower_case_file_name_of_a_named_face() -> None:
    for name, font in WINDOWS_FONT_FILES.items():
        assert name == name.lower() and "." not in name, name
        assert font.family.strip() and 100 <= font.weight <= 900, name
    assert windows_font("Amatic SC") is None
    assert windows_font("times new roman") is None  # a family name, not a file name


def test_face_names_are_a_designers() -> None:
    assert [face_name(400, False), face_name(700, True), face_name(400, True)] == [
        "Regular",
        "Bold Italic",
        "Italic",
    ]
    assert face_name(300, True) == "Light Italic"


def test_timesbd_is_held_naming_times_new_roman_bold_without_substitutes(
    free_fonts: list[Path],
) -> None:
    index = FontIndex(free_fonts, include_installed=False)

    with pytest.raises(MissingFontError) as caught:
        index.resolve("timesbd")

    message = caught.value.message
    assert message.startswith(
        "font family 'Times New Roman' Bold (named 'timesbd' in the design) is not installed"
    )
    assert "metric_substitutes = true" in message and "Liberation Serif" in message
    assert caught.value.family == "Times New Roman"


def test_timesbd_is_a_bold_times_compatible_face_with_substitutes(
    free_fonts: list[Path],
) -> None:
    index = FontIndex(free_fonts, include_installed=False, metric_substitutes=True)

    font = index.resolve("timesbd")

    assert font.path == LIBERATION / "LiberationSerif-Bold.ttf"
    assert (font.family, font.weight, font.italic) == ("Liberation Serif", 700, False)
    assert (font.substituted_for, font.metric_compatible) == ("Times New Roman", True)
    assert font.style_name == "Bold"


@pytest.mark.parametrize(
    ("family", "weight", "style", "file"),
    [
        ("arialbi", "normal", "normal", "LiberationSans-BoldItalic.ttf"),
        ("ariali", "bold", "normal", "LiberationSans-BoldItalic.ttf"),  # bold from the SVG
        ("arialbd", "normal", "italic", "LiberationSans-BoldItalic.ttf"),  # italic from it
        ("arial", "normal", "normal", "LiberationSans-Regular.ttf"),
        ("Arial", "700", "normal", "LiberationSans-Bold.ttf"),
        ("couri", "normal", "normal", "LiberationMono-Italic.ttf"),
        ("Courier New", "normal", "normal", "LiberationMono-Regular.ttf"),
        ("calibriz", "normal", "normal", "Carlito-BoldItalic.ttf"),
        ("Cambria", "bold", "normal", "Caladea-Bold.ttf"),
    ],
)
def test_the_windows_face_and_the_designs_combine(
    free_fonts: list[Path], family: str, weight: str, style: str, file: str
) -> None:
    index = FontIndex(free_fonts, include_installed=False, metric_substitutes=True)

    font = index.resolve(family, weight=weight, style=style)

    assert font.path.name == file
    assert font.metric_compatible


def test_an_installed_original_beats_its_substitute(tmp_path: Path, free_fonts: list[Path]) -> None:
    # A shop that has the real font prints it: here Liberation Sans renamed to Arial Bold.
    font = TTFont(str(LIBERATION / "LiberationSans-Bold.ttf"))
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = "Arial"
    shop = tmp_path / "fonts"
    shop.mkdir()
    font.save(str(shop / "arialbd.ttf"))
    index = FontIndex([shop, *free_fonts], include_installed=False, metric_substitutes=True)

    resolved = index.resolve("arialbd")

    assert resolved.path == shop / "arialbd.ttf"
    assert (resolved.family, resolved.substituted_for, resolved.metric_compatible) == (
        "Arial",
        None,
        False,
    )


def test_an_alias_the_shop_chose_wins_over_the_metric_substitute(free_fonts: list[Path]) -> None:
    index = FontIndex(
        free_fonts,
        include_installed=False,
        aliases={"Times New Roman": "Carlito"},
        metric_substitutes=True,
    )

    font = index.resolve("timesbd")

    assert (font.family, font.weight) == ("Carlito", 700)
    assert (font.substituted_for, font.metric_compatible) == ("Times New Roman", False)


def test_a_missing_substitute_package_is_named(tmp_path: Path) -> None:
    index = FontIndex([tmp_path], include_installed=False, metric_substitutes=True)

    with pytest.raises(MissingFontError) as caught:
        index.resolve("calibri")

    message = caught.value.message
    assert message.startswith("font family 'Calibri' is not installed")
    assert "substitute 'Carlito' (Debian package fonts-crosextra-carlito)" in message


def test_a_family_without_a_metric_twin_is_never_substituted(free_fonts: list[Path]) -> None:
    index = FontIndex(free_fonts, include_installed=False, metric_substitutes=True)

    with pytest.raises(MissingFontError, match=r"font family 'Verdana' Bold .* is not installed"):
        index.resolve("verdanab")


def test_a_substitute_without_the_face_asked_for_names_both(tmp_path: Path) -> None:
    folder = tmp_path / "fonts"
    folder.mkdir()
    carlito = _fonts(CROSEXTRA, "fonts-crosextra-carlito") / "Carlito-Regular.ttf"
    (folder / "Carlito-Regular.ttf").write_bytes(carlito.read_bytes())
    index = FontIndex([folder], include_installed=False, metric_substitutes=True)

    with pytest.raises(MissingFontError) as caught:
        index.resolve("calibrib")

    assert caught.value.message.startswith(
        "font family 'Calibri' Bold (named 'calibrib' in the design) is not installed, and its "
        "substitute 'Carlito' has only Regular"
    )


def test_the_render_note_says_a_metric_twin_is_not_an_alias() -> None:
    element = TextElement(name="NAME", label="Name", lines=("Ada",), font_family="Times New Roman")
    alias = ResolvedFont(
        Path("LiberationSerif-Regular.ttf"), "Liberation Serif", 400, False,
        substituted_for="Times New Roman",
    )  # fmt: skip
    twin = dataclasses.replace(alias, metric_compatible=True)

    assert font_notes(element, alias) == [
        "font 'Times New Roman' is printed as 'Liberation Serif' (configured alias)"
    ]
    assert font_notes(element, twin) == [
        "font 'Times New Roman' is printed as 'Liberation Serif' (metric-compatible substitute)"
    ]
