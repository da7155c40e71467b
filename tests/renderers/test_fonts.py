"""The font resolver, on copies of the TTFs shipped by the installed font packages."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
from fontTools.ttLib import TTCollection, TTFont

from production.core.errors import MissingFontError, RenderError
from renderers.fonts import FontIndex, installed_font_dirs, missing_glyphs

ROBOTO_FILES = (
    "Roboto-Thin.ttf", "Roboto-ThinItalic.ttf", "Roboto-Light.ttf", "Roboto-LightItalic.ttf",
    "Roboto-Regular.ttf", "Roboto-Italic.ttf", "Roboto-Medium.ttf", "Roboto-MediumItalic.ttf",
    "Roboto-Bold.ttf", "Roboto-BoldItalic.ttf", "Roboto-Black.ttf", "Roboto-BlackItalic.ttf",
)  # fmt: skip


@pytest.fixture(autouse=True)
def _private_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The ~/.fonts of whoever runs the tests must not leak into the search path."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def _package_fonts(dist_name: str, package: str) -> Path:
    try:
        dist = distribution(dist_name)
    except PackageNotFoundError:
        pytest.skip(f"the {dist_name} package is not installed")
    return Path(str(dist.locate_file(f"{package}/files")))


@pytest.fixture
def amatic() -> Path:
    return _package_fonts("font-amatic-sc", "font_amatic_sc")


@pytest.fixture
def roboto() -> Path:
    return _package_fonts("font-roboto", "font_roboto")


def _copy(source: Path, folder: Path, *names: str, rename: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(source / name, folder / (rename or name))
    return folder


@pytest.fixture
def shop(tmp_path: Path, amatic: Path, roboto: Path) -> Path:
    folder = _copy(amatic, tmp_path / "shop", "AmaticSC-Regular.ttf", "AmaticSC-Bold.ttf")
    return _copy(roboto, folder, *ROBOTO_FILES)


@pytest.mark.parametrize(
    "family", ["Amatic SC", "AmaticSC", "'Amatic SC'", '"amatic-sc"', "AMATIC SC", " Amatic_SC "]
)
def test_family_matches_ignoring_case_spaces_hyphens_and_quotes(shop: Path, family: str) -> None:
    font = FontIndex([shop], include_installed=False).resolve(family)

    assert font.path == shop / "AmaticSC-Regular.ttf"
    assert font.family == "Amatic SC"
    assert (font.weight, font.italic, font.substituted_for) == (400, False, None)


@pytest.mark.parametrize(
    ("weight", "style", "expected"),
    [
        ("normal", "normal", "Roboto-Regular.ttf"),
        ("bold", "normal", "Roboto-Bold.ttf"),
        ("700", "italic", "Roboto-BoldItalic.ttf"),
        ("400", "oblique", "Roboto-Italic.ttf"),
        ("normal", "oblique 10deg", "Roboto-Italic.ttf"),
        ("300", "normal", "Roboto-Light.ttf"),
        (900, "italic", "Roboto-BlackItalic.ttf"),
        # CSS: between 400 and 500 look up to 500 first, above 500 look heavier first,
        # below 400 look lighter first, then the other way.
        ("450", "normal", "Roboto-Medium.ttf"),
        ("600", "normal", "Roboto-Bold.ttf"),
        ("950", "normal", "Roboto-Black.ttf"),
        ("100", "normal", "Roboto-Thin.ttf"),  # Roboto Thin says 250: the nearest heavier one
    ],
)
def test_closest_weight_and_style(shop: Path, weight: str | int, style: str, expected: str) -> None:
    font = FontIndex([shop], include_installed=False).resolve("Roboto", weight=weight, style=style)

    assert font.path.name == expected
    assert font.family == "Roboto"


def test_style_counts_before_weight(tmp_path: Path, roboto: Path) -> None:
    folder = _copy(roboto, tmp_path / "fonts", "Roboto-Italic.ttf", "Roboto-Bold.ttf")
    index = FontIndex([folder], include_installed=False, nearest_face=True)

    font = index.resolve("Roboto", weight="bold", style="italic")

    assert (font.path.name, font.weight, font.italic) == ("Roboto-Italic.ttf", 400, True)
    assert font.nearest_for == "Bold Italic"


def test_a_missing_bold_or_italic_face_holds_naming_it(shop: Path) -> None:
    index = FontIndex([shop], include_installed=False)

    with pytest.raises(MissingFontError) as caught:
        index.resolve("Amatic SC", style="italic")

    message = caught.value.message
    assert message.startswith("font family 'Amatic SC' Italic is not installed")
    assert "the family has only Bold, Regular" in message
    assert "nearest_face = true" in message
    assert caught.value.family == "Amatic SC"


def test_a_present_face_never_holds(shop: Path) -> None:
    index = FontIndex([shop], include_installed=False)

    # A light request served by the regular face, a bold one by the bold face: a browser
    # would have drawn these faces too, nothing is faked.
    assert index.resolve("Amatic SC", weight=300).path.name == "AmaticSC-Regular.ttf"
    assert index.resolve("Amatic SC", weight="bold").nearest_for is None


def test_the_nearest_face_when_the_shop_accepts_it_and_the_result_says_so(shop: Path) -> None:
    index = FontIndex([shop], include_installed=False, nearest_face=True)

    font = index.resolve("Amatic SC", style="italic")

    assert (font.path.name, font.italic, font.nearest_for) == (
        "AmaticSC-Regular.ttf",
        False,
        "Italic",
    )


def test_a_face_can_be_named_by_its_own_names(shop: Path) -> None:
    index = FontIndex([shop], include_installed=False)

    assert index.resolve("Roboto Light").path.name == "Roboto-Light.ttf"
    assert index.resolve("Roboto Light", style="italic").path.name == "Roboto-LightItalic.ttf"
    assert index.resolve("Roboto-Bold").path.name == "Roboto-Bold.ttf"


@pytest.mark.parametrize(
    ("weight", "style"), [("bolder", "normal"), ("0", "normal"), ("normal", "slanted")]
)
def test_weights_and_styles_it_cannot_read_are_errors(shop: Path, weight: str, style: str) -> None:
    with pytest.raises(RenderError, match="is not understood"):
        FontIndex([shop], include_installed=False).resolve("Roboto", weight=weight, style=style)


def test_an_earlier_folder_hides_the_same_family_in_later_ones(
    tmp_path: Path, shop: Path, roboto: Path
) -> None:
    override = _copy(roboto, tmp_path / "override", "Roboto-Regular.ttf")
    index = FontIndex([override, shop], include_installed=False, nearest_face=True)

    assert index.resolve("Roboto").path == override / "Roboto-Regular.ttf"
    # The whole family comes from the first folder, so a bold request gets the shop's regular
    # face (and says it is 400) rather than a bold face from another version of the font.
    assert index.resolve("Roboto", weight="bold").path == override / "Roboto-Regular.ttf"
    assert index.resolve("Roboto", weight="bold").weight == 400
    assert index.resolve("Amatic SC").path == shop / "AmaticSC-Regular.ttf"


def test_the_shop_folder_wins_over_installed_packages(tmp_path: Path, amatic: Path) -> None:
    folder = _copy(amatic, tmp_path / "shop", "AmaticSC-Regular.ttf")
    index = FontIndex([folder])

    assert index.dirs[0] == folder
    assert amatic in index.dirs
    assert index.resolve("Amatic SC").path == folder / "AmaticSC-Regular.ttf"
    # The package's bold face is hidden by the shop's family, which has no bold: held.
    with pytest.raises(MissingFontError, match="'Amatic SC' Bold is not installed"):
        index.resolve("Amatic SC", weight="bold")


def test_installed_font_packages_are_found_without_importing_them() -> None:
    script = (
        "import sys\n"
        "from renderers.fonts import FontIndex\n"
        "font = FontIndex([]).resolve('Roboto', weight='bold')\n"
        "assert 'font_roboto' not in sys.modules, 'the font package was imported'\n"
        "print(font.path.parent.parent.name, font.path.name)\n"
    )
    _package_fonts("font-roboto", "font_roboto")

    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, cwd=root
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["font_roboto", "Roboto-Bold.ttf"]


def test_installed_dirs_end_with_the_system_and_reportlab_fonts(tmp_path: Path) -> None:
    dirs = installed_font_dirs()

    assert Path("/usr/share/fonts") in dirs
    assert tmp_path / "home" / ".fonts" in dirs
    assert dirs[-1].parts[-2:] == ("reportlab", "fonts")


def test_a_seller_font_is_found_by_the_file_name_in_its_url(tmp_path: Path, amatic: Path) -> None:
    uuid = "5b1e6c7a-0d5f-4c1e-9b8e-2f3a4b5c6d7e"
    folder = _copy(amatic, tmp_path / "shop", "AmaticSC-Bold.ttf", rename=f"{uuid}.ttf")
    url = f"https://m.media-amazon.com/images/S/fonts/{uuid}.ttf?v=2#x"

    font = FontIndex([folder], include_installed=False).resolve(f"font-{uuid}", url=url)

    assert font.path == folder / f"{uuid}.ttf"
    assert (font.family, font.weight, font.substituted_for) == ("Amatic SC", 700, None)


def test_the_url_file_wins_over_the_family_name(shop: Path, amatic: Path) -> None:
    _copy(amatic, shop, "AmaticSC-Regular.ttf", rename="Seller Font.TTF")
    url = "https://example.com/u/Seller%20Font.ttf"

    font = FontIndex([shop], include_installed=False).resolve("Roboto", url=url)

    assert font.path == shop / "Seller Font.TTF"


def test_a_url_without_a_saved_file_falls_back_to_the_family(shop: Path) -> None:
    font = FontIndex([shop], include_installed=False).resolve(
        "Roboto", url="https://example.com/fonts/unknown.ttf"
    )

    assert font.path == shop / "Roboto-Regular.ttf"


def test_an_alias_is_used_only_for_a_missing_family_and_is_marked(shop: Path) -> None:
    aliases = {"Great Vibes": "Amatic SC", "Roboto": "Amatic SC"}
    index = FontIndex([shop], aliases=aliases, include_installed=False)

    substitute = index.resolve("'Great Vibes'", weight="bold")
    original = index.resolve("Roboto")

    assert substitute.path == shop / "AmaticSC-Bold.ttf"
    assert substitute.substituted_for == "Great Vibes"
    assert (original.family, original.substituted_for) == ("Roboto", None)


def test_a_missing_family_names_the_family_and_the_shop_folder(shop: Path) -> None:
    index = FontIndex([shop], include_installed=False)

    with pytest.raises(RenderError) as caught:
        index.resolve("'Great Vibes'")

    message = caught.value.message
    assert message.startswith("font family 'Great Vibes' is not installed")
    assert str(shop) in message
    assert "add the .ttf or .otf file to the shop's fonts folder" in message


def test_a_missing_seller_font_names_the_file_to_save(shop: Path) -> None:
    index = FontIndex([shop], include_installed=False)

    with pytest.raises(RenderError) as caught:
        index.resolve("font-abc", url="https://example.com/fonts/abc.ttf")

    assert "font family 'font-abc'" in caught.value.message
    assert "saving the seller's font as 'abc.ttf'" in caught.value.message


def test_a_missing_alias_target_is_named(shop: Path) -> None:
    index = FontIndex([shop], aliases={"Great Vibes": "Dancing Script"}, include_installed=False)

    with pytest.raises(RenderError, match=r"Great Vibes.*substitute 'Dancing Script'"):
        index.resolve("Great Vibes")


def test_no_shop_folder_configured_is_said(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="the shop has no font folder configured"):
        FontIndex([], include_installed=False).resolve("Roboto")


def test_a_font_added_after_indexing_is_found(tmp_path: Path, amatic: Path) -> None:
    folder = tmp_path / "shop"
    folder.mkdir()
    index = FontIndex([folder], include_installed=False)

    _copy(amatic, folder, "AmaticSC-Regular.ttf")

    assert index.resolve("Amatic SC").path == folder / "AmaticSC-Regular.ttf"


def test_broken_files_are_skipped_and_named_hidden_ones_ignored(
    tmp_path: Path, amatic: Path
) -> None:
    folder = _copy(amatic, tmp_path / "shop" / "nested", "AmaticSC-Regular.ttf").parent
    (folder / "Broken.ttf").write_bytes(b"not a font")
    (folder / "._AmaticSC-Regular.ttf").write_bytes(b"macOS resource fork")
    index = FontIndex([folder], include_installed=False)

    assert index.resolve("Amatic SC").path == folder / "nested" / "AmaticSC-Regular.ttf"
    with pytest.raises(RenderError) as caught:
        index.resolve("Great Vibes")
    assert "cannot be read: Broken.ttf" in caught.value.message
    assert "._AmaticSC" not in caught.value.message


def test_faces_inside_a_collection(tmp_path: Path, amatic: Path, roboto: Path) -> None:
    folder = tmp_path / "shop"
    folder.mkdir()
    collection = TTCollection()
    collection.fonts = [TTFont(roboto / "Roboto-Regular.ttf"), TTFont(amatic / "AmaticSC-Bold.ttf")]
    collection.save(folder / "Both.ttc")
    index = FontIndex([folder], include_installed=False)

    font = index.resolve("Amatic SC", weight="bold")

    assert (font.path.name, font.font_number, font.weight) == ("Both.ttc", 1, 700)
    assert index.resolve("Roboto").font_number == 0
    assert missing_glyphs(font, "Aé") == set()


def test_missing_glyphs_finds_characters_the_font_cannot_draw(shop: Path) -> None:
    index = FontIndex([shop], include_installed=False)
    amatic_sc = index.resolve("Amatic SC")

    text = "Happy Birthday, 世界!\n\tLove\u00a0you\u200d\ufe0f\x07"

    assert missing_glyphs(amatic_sc, text) == {"世", "界"}
    assert missing_glyphs(index.resolve("Roboto"), "Ünïcödé") == set()
    assert missing_glyphs(amatic_sc, "") == set()


def test_missing_glyphs_of_a_vanished_file_is_an_error(tmp_path: Path, amatic: Path) -> None:
    folder = _copy(amatic, tmp_path / "shop", "AmaticSC-Regular.ttf")
    font = FontIndex([folder], include_installed=False).resolve("Amatic SC")
    (folder / "AmaticSC-Regular.ttf").unlink()

    with pytest.raises(RenderError, match="cannot be read"):
        missing_glyphs(font, "A")


def test_families_lists_what_can_be_resolved(shop: Path) -> None:
    assert FontIndex([shop], include_installed=False).families() == ["Amatic SC", "Roboto"]
