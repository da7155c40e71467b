"""The face a customization asks for is the face printed, end to end through `ItemRenderer`.

Sample zips are edited the way real files differ: the SVG's `font-weight`/`font-style`, and the
2018 layout's Windows file names (`fontFamily: "timesbd"`). The ticket names the face used; the
PDF embeds exactly that face.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from printers.tickets import FontLine, JobTicket
from production.config.settings import Settings
from production.core.errors import MissingFontError
from production.floor.folders import Folders
from production.floor.rendering import ItemRenderer
from tests.finishing.shop import shop
from tests.finishing.zips import Document, rewritten

WEIGHT_AND_STYLE = 'font-style="normal" font-weight="normal"'


def _settings(tmp_path: Path, sample: str, fonts_toml: str = "") -> Settings:
    toml = f"[fonts]\n{fonts_toml}\n" if fonts_toml else ""
    return shop(tmp_path / "config", sample, process="print", printer="uv-1", shop_toml=toml)


def _face(weight: str, style: str) -> Any:
    return lambda svg: svg.replace(WEIGHT_AND_STYLE, f'font-style="{style}" font-weight="{weight}"')


def _family(family: str) -> Any:
    def edit(tree: Document) -> None:
        _rename(tree, family)

    return edit


def _rename(node: object, family: str) -> None:
    """Every font the JSON names — `fontSelection.family`, `fontFamily`, `font.value` — renamed."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "fontFamily" or (key == "family" and isinstance(value, str)):
                node[key] = family
            elif key == "font" and isinstance(value, dict) and "value" in value:
                value["value"] = family
            else:
                _rename(value, family)
    elif isinstance(node, list):
        for item in node:
            _rename(item, family)


def _base_fonts(pdf: bytes) -> set[str]:
    """The embedded fonts' PostScript names, without the subset prefix ('ABCDEF+')."""
    names = set()
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for obj in document.objects:
            if (
                isinstance(obj, pikepdf.Dictionary)
                and obj.get("/Type") == pikepdf.Name.FontDescriptor
            ):
                names.add(str(obj["/FontName"])[1:].split("+")[-1])
    return names


def _fonts(settings: Settings, data: bytes) -> tuple[list[FontLine], set[str]]:
    jobs = ItemRenderer(settings).render_zip(data).jobs
    lines = [font for job in jobs for font in job.ticket.fonts]
    embedded = set().union(*(_base_fonts(job.pdf) for job in jobs if job.pdf is not None))
    return lines, embedded


@pytest.mark.parametrize(
    ("sample", "weight", "style", "file", "postscript"),
    [
        ("text-only", "700", "normal", "AmaticSC-Bold.ttf", "AmaticSC-Bold"),
        ("text-only", "bold", "normal", "AmaticSC-Bold.ttf", "AmaticSC-Bold"),
        ("photo-text", "700", "italic", "Roboto-BoldItalic.ttf", "Roboto-BoldItalic"),
        ("photo-text", "normal", "italic", "Roboto-Italic.ttf", "Roboto-Italic"),
        ("photo-text", "300", "normal", "Roboto-Light.ttf", "Roboto-Light"),
    ],
)
def test_the_svgs_weight_and_style_pick_the_face(
    tmp_path: Path, sample: str, weight: str, style: str, file: str, postscript: str
) -> None:
    data = rewritten(sample, svg=_face(weight, style))

    lines, embedded = _fonts(_settings(tmp_path, sample), data)

    assert {line.file for line in lines} == {file}
    assert embedded == {postscript}
    [line] = {(line.style, line.nearest_for, line.substituted_for) for line in lines}
    assert line[1:] == (None, None)


def test_an_italic_the_family_lacks_is_held_naming_the_face(tmp_path: Path) -> None:
    data = rewritten("text-only", svg=_face("normal", "italic"))

    with pytest.raises(MissingFontError, match="font family 'Amatic SC' Italic is not installed"):
        ItemRenderer(_settings(tmp_path, "text-only")).render_zip(data)


def test_the_nearest_face_when_the_shop_allows_it_is_on_the_ticket(tmp_path: Path) -> None:
    data = rewritten("text-only", svg=_face("normal", "italic"))
    settings = _settings(tmp_path, "text-only", "nearest_face = true")

    [job] = ItemRenderer(settings).render_zip(data).jobs

    assert [(f.file, f.italic, f.nearest_for) for f in job.ticket.fonts] == [
        ("AmaticSC-Regular.ttf", False, "Italic")
    ]
    assert job.pdf is not None and _base_fonts(job.pdf) == {"AmaticSC-Regular"}
    [warning] = [f for f in job.preflight if f.rule == "font-face"]
    assert (warning.severity, warning.message) == (
        "warn",
        "font 'Amatic SC' has no Italic face: printed in its Regular (nearest_face in shop.toml)",
    )


def test_a_2018_windows_name_is_held_as_times_new_roman_bold(tmp_path: Path) -> None:
    data = rewritten("legacy-v3-only", document=_family("timesbd"))

    with pytest.raises(MissingFontError) as caught:
        ItemRenderer(_settings(tmp_path, "legacy-v3-only")).render_zip(data)

    assert "font family 'Times New Roman' Bold (named 'timesbd' in the design)" in str(caught.value)


def test_a_2018_windows_name_prints_in_its_metric_twin_when_allowed(tmp_path: Path) -> None:
    data = rewritten("legacy-v3-only", document=_family("timesbd"))
    settings = _settings(tmp_path, "legacy-v3-only", "metric_substitutes = true")

    lines, embedded = _fonts(settings, data)

    assert {(f.family, f.file, f.weight, f.style) for f in lines} == {
        ("Liberation Serif", "LiberationSerif-Bold.ttf", 700, "Bold")
    }
    assert {(f.substituted_for, f.metric_compatible) for f in lines} == {("Times New Roman", True)}
    assert embedded == {"LiberationSerif-Bold"}


def test_calibri_prints_as_carlito_and_the_ticket_says_so(tmp_path: Path) -> None:
    svg_family = lambda svg: svg.replace('font-family="Amatic SC"', 'font-family="Calibri"')  # noqa: E731
    data = rewritten("text-only", svg=svg_family, document=_family("Calibri"))
    settings = _settings(tmp_path, "text-only", "metric_substitutes = true")

    [job] = ItemRenderer(settings).render_zip(data).jobs

    expected = FontLine(
        family="Carlito",
        file="Carlito-Regular.ttf",
        weight=400,
        italic=False,
        substituted_for="Calibri",
        style="Regular",
        metric_compatible=True,
    )
    assert job.ticket.fonts == (expected,)
    assert JobTicket.from_json(job.ticket.to_json()).fonts == (expected,)
    assert job.pdf is not None and _base_fonts(job.pdf) == {"Carlito"}


def test_a_ticket_written_before_faces_were_recorded_still_reads(tmp_path: Path) -> None:
    [job] = ItemRenderer(_settings(tmp_path, "text-only")).render_zip(rewritten("text-only")).jobs
    old = job.ticket.as_dict()
    old["fonts"] = [
        {"family": "Amatic SC", "file": "AmaticSC-Regular.ttf", "weight": 400, "italic": False}
    ]
    ticket = JobTicket.from_json(json.dumps(old).encode())

    assert ticket.fonts == (FontLine("Amatic SC", "AmaticSC-Regular.ttf", 400, False),)
    assert (ticket.fonts[0].style, ticket.fonts[0].metric_compatible) == ("", False)


def test_the_shops_font_index_is_cached_in_its_data_folder(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "text-only")
    Folders(settings.shop.data_dir).create()

    ItemRenderer(settings)

    assert list(Folders(settings.shop.data_dir).font_cache.glob("index-*.json"))


def test_no_data_folder_is_made_for_the_cache_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    settings = _settings(tmp_path, "text-only")

    ItemRenderer(settings)

    assert not settings.shop.data_dir.exists()
    assert list((tmp_path / "xdg" / "production-fonts").glob("index-*.json"))
