"""The finishing keys of printers.toml and products.toml, and every way they can be wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from production.config.settings import Settings, load_settings
from production.core.errors import ConfigError
from production.core.templates import SurfaceTemplate
from tests.finishing.shop import PRINTERS, SURFACE

TAG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 60 44">'
    "{body}</svg>"
)
OUTLINE = '<rect width="60" height="44" rx="3"/>'


def configure(
    folder: Path,
    *,
    surface: str = "",
    laser: str = "",
    process: str = "engrave",
    printer: str = "laser-1",
    files: dict[str, str] | None = None,
    shop_toml: str = "",
) -> Settings:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    (folder / "printers.toml").write_text(PRINTERS.format(dpi=254, laser=laser))
    products = SURFACE.format(
        asin="B0TEST", surface="FRONT", printer=printer, process=process, width=60, height=44,
        extra=surface,
    )  # fmt: skip
    (folder / "products.toml").write_text(products)
    (folder / "shop.toml").write_text(shop_toml)
    return load_settings(folder)


def template(settings: Settings) -> SurfaceTemplate:
    return settings.products[0].surfaces[0]


def test_dither_and_invert_are_read_from_template_and_printer(tmp_path: Path) -> None:
    settings = configure(
        tmp_path, surface='dither = "Floyd-Steinberg"\ninvert = true',
        laser='dither = "ordered"\ninvert = false',
    )  # fmt: skip
    assert (template(settings).dither, template(settings).invert) == ("floyd-steinberg", True)
    laser = settings.printers["laser-1"]
    assert (laser.dither, laser.invert) == ("ordered", False)
    plain = configure(tmp_path / "plain")
    assert (template(plain).dither, template(plain).invert) == (None, None)
    assert (plain.printers["laser-1"].dither, plain.printers["laser-1"].invert) == (None, None)


def test_cut_drawings_named_by_file_name_come_from_the_assets_folder(tmp_path: Path) -> None:
    tag = TAG.format(w="60mm", h="44mm", body=OUTLINE)
    settings = configure(
        tmp_path, surface='cut = "tag.svg"', files={"art/tag.svg": tag},
        shop_toml='[assets]\ndir = "art"\n',
    )  # fmt: skip
    assert template(settings).cut == str(tmp_path / "art" / "tag.svg")


@pytest.mark.parametrize(
    ("surface", "laser", "process", "printer", "fragment"),
    [
        ('dither = "sepia"', "", "engrave", "laser-1",
         "dither must be one of 'none', 'threshold', 'floyd-steinberg', 'ordered', not 'sepia'"),
        ('dither = "atkinson"', "", "engrave", "laser-1",
         "dither 'atkinson' is not offered: only Floyd–Steinberg error diffusion is fast enough"),
        ('dither = "floyd-steinberg"', "", "print", "uv-1",
         "dither applies to engrave surfaces only, this one is 'print'"),
        ("invert = true", "", "sublimation", "sub-1",
         "invert applies to engrave surfaces only, this one is 'sublimation'"),
        ('invert = "yes"', "", "engrave", "laser-1", "invert must be true or false"),
        ("", 'dither = "jarvis"', "engrave", "laser-1",
         "printer[1] (id laser-1): dither 'jarvis' is not offered"),
        ("", "invert = 1", "engrave", "laser-1",
         "printer[1] (id laser-1): invert must be true or false, not an integer"),
        ("", 'format = "svg"', "print", "laser-1",
         "printer 'laser-1' takes SVG files, which are made for engrave surfaces only; "
         "this one is 'print'"),
    ],
)  # fmt: skip
def test_finishing_mistakes_are_named(
    tmp_path: Path, surface: str, laser: str, process: str, printer: str, fragment: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        configure(tmp_path, surface=surface, laser=laser, process=process, printer=printer)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("svg", "fragment"),
    [
        (TAG.format(w="50mm", h="30mm", body=OUTLINE),
         "cut file tag.svg is 50×30 mm but the surface is 60×44 mm"),
        ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">' + OUTLINE + "</svg>",
         "cut file tag.svg has the proportions 1.000:1 but the surface 1.364:1"),
        (TAG.format(w="60mm", h="44mm", body=""), "it has no paths or shapes to cut"),
        (TAG.format(w="60mm", h="44mm", body='<use href="#a"/>' + OUTLINE),
         "it uses <use>; convert it to paths in the drawing program"),
        (TAG.format(w="60mm", h="44mm", body=OUTLINE)[:-3], "is not well-formed XML"),
        ('<svg xmlns="http://www.w3.org/2000/svg">' + OUTLINE + "</svg>",
         "it has neither a viewBox nor a width and height"),
    ],
)  # fmt: skip
def test_unusable_cut_drawings_are_refused_at_start(
    tmp_path: Path, svg: str, fragment: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        configure(tmp_path, surface='cut = "cuts/tag.svg"', files={"cuts/tag.svg": svg})
    message = str(caught.value)
    assert "surface 'FRONT'" in message and fragment in message


def test_a_cut_drawing_in_pixels_is_taken_at_the_surfaces_size(tmp_path: Path) -> None:
    """Pixel sizes depend on the drawing program's DPI: only the proportions are checked."""
    tag = TAG.format(w="227", h="166", body=OUTLINE)
    settings = configure(tmp_path, surface='cut = "tag.svg"', files={"tag.svg": tag})
    assert template(settings).cut == str(tmp_path / "tag.svg")


def test_preflight_limits_are_template_keys(tmp_path: Path) -> None:
    default = template(configure(tmp_path / "default", process="print", printer="uv-1"))
    assert (default.min_ppi_warn, default.min_ppi_hold, default.min_proof_score) == (300, 150, 0.6)
    assert default.safe_margin_mm == 3
    keys = "min_ppi_warn = 200\nmin_ppi_hold = 0\nmin_proof_score = 0.8\nsafe_margin_mm = 1.5"
    chosen = template(configure(tmp_path / "chosen", surface=keys, process="print", printer="uv-1"))
    assert (chosen.min_ppi_warn, chosen.min_ppi_hold, chosen.min_proof_score) == (200, 0, 0.8)
    assert chosen.safe_margin_mm == 1.5


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("min_proof_score = 1.5", "min_proof_score is a similarity from 0 to 1, not 1.5"),
        ("min_proof_score = -0.1", "min_proof_score"),
        ('min_ppi_warn = "high"', "min_ppi_warn"),
    ],
)
def test_preflight_limits_out_of_range_are_named(tmp_path: Path, line: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        configure(tmp_path, surface=line, process="print", printer="uv-1")
    assert words in str(caught.value)
