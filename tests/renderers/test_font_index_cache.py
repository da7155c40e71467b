"""The font index on disk, and the file formats it reads: WOFF, WOFF2 and TrueType collections.

Fonts come from Debian packages (fonts-liberation2, fonts-wqy-microhei, fonts-noto-cjk); the
web fonts are made here from a packaged TTF with fontTools. A counting reader stands in for the
font parser, so a test sees exactly which font files an index build opened.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

from production.core.geometry import Box, Matrix
from production.core.model import Customization, Item, Surface, SvgPlacement, TextElement, Tspan
from renderers.fontfaces import FontFace, read_faces
from renderers.fonts import FontIndex, missing_glyphs
from renderers.pdf import PdfRenderer
from renderers.placement import page_geometry

LIBERATION = Path("/usr/share/fonts/truetype/liberation2")
WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


class CountingReader:
    """`read_faces`, remembering the file names it was asked to open."""

    def __init__(self) -> None:
        self.opened: list[str] = []

    def __call__(self, path: Path) -> tuple[FontFace, ...]:
        self.opened.append(path.name)
        return read_faces(path)


def _debian(path: Path, package: str) -> Path:
    if not path.exists():
        pytest.fail(f"install the Debian package {package} (.ci/run does)")
    return path


@pytest.fixture
def fonts(tmp_path: Path) -> Path:
    folder = tmp_path / "fonts"
    folder.mkdir()
    source = _debian(LIBERATION, "fonts-liberation2")
    for name in ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"):
        shutil.copyfile(source / name, folder / name)
    return folder


def _index(folder: Path, cache: Path, reader: CountingReader) -> FontIndex:
    return FontIndex([folder], include_installed=False, cache_dir=cache, reader=reader)


def test_a_second_build_reads_the_cache_and_opens_no_font(fonts: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, second = CountingReader(), CountingReader()

    cold = _index(fonts, cache, first)
    warm = _index(fonts, cache, second)

    assert sorted(first.opened) == ["LiberationSans-Bold.ttf", "LiberationSans-Regular.ttf"]
    assert second.opened == []
    assert warm.families() == cold.families() == ["Liberation Sans"]
    assert warm.resolve("Liberation Sans", weight="bold") == cold.resolve(
        "Liberation Sans", weight="bold"
    )
    [cache_file] = cache.glob("index-*.json")
    assert "LiberationSans-Bold.ttf" in cache_file.read_text()


def test_a_font_added_to_a_folder_is_the_only_one_read(fonts: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _index(fonts, cache, CountingReader())
    shutil.copyfile(LIBERATION / "LiberationSans-Italic.ttf", fonts / "LiberationSans-Italic.ttf")
    reader = CountingReader()

    index = _index(fonts, cache, reader)

    assert reader.opened == ["LiberationSans-Italic.ttf"]
    assert index.resolve("Liberation Sans", style="italic").italic


def test_a_changed_font_file_is_read_again(fonts: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    reader = CountingReader()
    index = _index(fonts, cache, reader)
    # The shop replaces the regular face in place with the bold one: same name, new contents.
    target = fonts / "LiberationSans-Regular.ttf"
    shutil.copyfile(LIBERATION / "LiberationSans-Bold.ttf", target)
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    reader.opened.clear()

    index.refresh()

    assert reader.opened == ["LiberationSans-Regular.ttf"]
    assert index.resolve("Liberation Sans").weight == 700  # both files are bold faces now


def test_a_removed_font_leaves_the_index_and_the_cache(fonts: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    index = _index(fonts, cache, CountingReader())
    (fonts / "LiberationSans-Bold.ttf").unlink()

    index.refresh()

    [cache_file] = cache.glob("index-*.json")
    assert "LiberationSans-Bold.ttf" not in cache_file.read_text()
    assert index.resolve("Liberation Sans", weight=300).path.name == "LiberationSans-Regular.ttf"


def test_a_damaged_cache_is_rebuilt(fonts: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _index(fonts, cache, CountingReader())
    [cache_file] = cache.glob("index-*.json")
    cache_file.write_text('{"format": 2, "files": {"x": [1]}')  # cut short
    reader = CountingReader()

    index = _index(fonts, cache, reader)

    assert len(reader.opened) == 2
    assert index.families() == ["Liberation Sans"]
    assert json.loads(cache_file.read_text())["format"] == 2


def test_an_unreadable_file_is_remembered_as_unreadable(fonts: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (fonts / "Broken.ttf").write_bytes(b"not a font")
    _index(fonts, cache, CountingReader())
    reader = CountingReader()

    index = _index(fonts, cache, reader)

    assert reader.opened == []
    with pytest.raises(Exception, match=r"cannot be read: Broken\.ttf"):
        index.resolve("Great Vibes")


def test_two_search_paths_keep_two_cache_files(fonts: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    other = tmp_path / "other"
    other.mkdir()
    shutil.copyfile(LIBERATION / "LiberationMono-Regular.ttf", other / "Mono.ttf")

    _index(fonts, cache, CountingReader())
    _index(other, cache, CountingReader())

    assert len(list(cache.glob("index-*.json"))) == 2


def test_the_default_cache_is_under_xdg_cache_home(
    fonts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))

    FontIndex([fonts], include_installed=False)

    assert list((tmp_path / "xdg" / "production-fonts").glob("index-*.json"))


# -- file formats ----------------------------------------------------------------------------


def _web_font(folder: Path, flavor: str) -> Path:
    """Liberation Serif Italic as a seller uploads it: a WOFF/WOFF2, cut to Latin to stay small."""
    font = TTFont(str(_debian(LIBERATION, "fonts-liberation2") / "LiberationSerif-Italic.ttf"))
    options = subset.Options()
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=range(0x20, 0x180))
    subsetter.subset(font)
    font.flavor = flavor
    folder.mkdir(exist_ok=True)
    path = folder / f"SellerUpload.{flavor}"
    font.save(str(path))
    return path


@pytest.mark.parametrize("flavor", ["woff", "woff2"])
def test_a_web_font_is_found_by_its_family_and_printed(tmp_path: Path, flavor: str) -> None:
    upload = _web_font(tmp_path / "fonts", flavor)
    index = FontIndex([upload.parent], include_installed=False, cache_dir=tmp_path / "cache")

    font = index.resolve("Liberation Serif", style="italic")

    assert (font.source, font.file_name, font.flavor) == (upload, upload.name, flavor)
    assert (font.family, font.italic) == ("Liberation Serif", True)
    assert font.path.is_relative_to(tmp_path / "cache")  # unpacked once, to a plain TrueType
    assert TTFont(str(font.path)).flavor is None
    assert missing_glyphs(font, "Amet é") == set()
    pdf = _render_line(index, "Liberation Serif", "Amet é")
    assert "LiberationSerif-Italic" in pdf.decode("latin-1")
    assert index.resolve("Liberation Serif", style="italic").path == font.path  # not again


def _render_line(index: FontIndex, family: str, text: str) -> bytes:
    element = TextElement(
        name="LINE",
        label="Line",
        lines=(text,),
        font_family=family,
        font_size=40,
        font_style="italic",
        svg=SvgPlacement(Matrix(1, 0, 0, 1, 200, 200)),
        tspans=(Tspan(text, -100, 10),),
    )
    surface = Surface(name="FRONT", label="", elements=(element,), boxes=(Box(0, 0, 400, 400),))
    customization = Customization(
        item=Item("900-0000000-0000000", "90000000000000"), surfaces=(surface,), source="xml"
    )
    page = page_geometry(width_mm=100, height_mm=100, bleed_mm=3, design_box=Box(0, 0, 400, 400))
    return PdfRenderer(fonts=index).render(customization, surface, page, {}, title="web").pdf


def test_a_face_of_a_truetype_collection_is_picked_by_name() -> None:
    folder = _debian(WQY, "fonts-wqy-microhei").parent
    index = FontIndex([folder], include_installed=False)

    mono = index.resolve("WenQuanYi Micro Hei Mono")
    proportional = index.resolve("WenQuanYi Micro Hei")

    assert (mono.path, proportional.path) == (WQY, WQY)
    with TTCollection(str(WQY), lazy=True) as collection:
        names = [font["name"].getDebugName(1) for font in collection.fonts]
    assert names[mono.font_number] == "WenQuanYi Micro Hei Mono"
    assert names[proportional.font_number] == "WenQuanYi Micro Hei"
    assert missing_glyphs(mono, "世界 Max") == set()


def test_a_cff_collection_gives_each_language_its_face() -> None:
    folder = _debian(NOTO_CJK, "fonts-noto-cjk").parent
    index = FontIndex([folder], include_installed=False)

    korean = index.resolve("Noto Sans CJK KR")

    assert (korean.path, korean.outlines) == (NOTO_CJK, "cff")
    with TTCollection(str(NOTO_CJK), lazy=True) as collection:
        chosen = collection.fonts[korean.font_number]["name"]
        assert (chosen.getDebugName(16) or chosen.getDebugName(1)) == "Noto Sans CJK KR"
    assert missing_glyphs(korean, "사랑해") == set()
