"""The shop configuration: the default folder loads, and every mistake is named precisely."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from production.config.settings import Settings, load_settings
from production.core.errors import ConfigError
from production.core.geometry import Box
from production.core.templates import Product, SurfaceTemplate
from production.customization import parse_zip
from production.customization.samples import sample_zips

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config"

PRINTERS = """
[[printer]]
id = "uv-1"
hot_folder = "hot/uv-1"

[[printer]]
id = "laser-1"
hot_folder = "hot/laser-1"
"""

MUG = """
[[product]]
asin = "B0MUG"
sku = "MUG-11"

[[product.surface]]
name = "FRONT"
printer = "uv-1"
process = "print"
width_mm = 215.9
height_mm = 88.9
"""


def write(folder: Path, **files: str) -> Path:
    """Write `name_toml="..."` keyword arguments as `name.toml` files into `folder`."""
    for name, text in files.items():
        (folder / name.replace("_toml", ".toml")).write_text(text, encoding="utf-8")
    return folder


def config_error(folder: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(folder)
    return str(caught.value)


def surface_with(extra: str, *, drop: str = "") -> str:
    """The MUG product with `extra` lines added to its surface (and the `drop` line removed)."""
    text = MUG + extra + "\n"
    return text.replace(drop + "\n", "") if drop else text


# --- the default folder ----------------------------------------------------------------------


def test_default_config_loads() -> None:
    settings = load_settings(DEFAULT_CONFIG)

    assert settings.root == DEFAULT_CONFIG
    assert set(settings.printers) == {"uv-1", "sub-1", "laser-1"}
    assert settings.printers["sub-1"].mirror is True
    assert settings.printers["laser-1"].dpi == 254
    assert settings.shop.inbox == DEFAULT_CONFIG / "inbox"
    assert settings.fonts.dirs == (DEFAULT_CONFIG / "fonts",)
    assert settings.assets.allowed_hosts == ()
    assert settings.shop.render_workers is None  # one per CPU


@pytest.mark.parametrize("workers", [0, 1, 3])
def test_render_workers(tmp_path: Path, workers: int) -> None:
    settings = load_settings(write(tmp_path, shop_toml=f"[shop]\nrender_workers = {workers}\n"))

    assert settings.shop.render_workers == workers


@pytest.mark.parametrize("asin", ["B0SAMPLE03", "B0EXAMPLE01"])
def test_default_config_mugs(asin: str) -> None:
    product = load_settings(DEFAULT_CONFIG).product_for(asin, None)

    assert product is not None
    front = product.surface("FRONT")
    assert front is not None
    assert (front.width_mm, front.height_mm, front.bleed_mm) == (215.9, 88.9, 3.0)
    assert front.design_box == Box(42, 131, 311, 130)
    assert front.printer == "uv-1"


def test_default_config_has_a_template_for_every_sample_surface() -> None:
    settings = load_settings(DEFAULT_CONFIG)
    for path in sample_zips():
        item = parse_zip(path.read_bytes())
        product = settings.product_for(item.item.asin, item.item.sku)
        assert product is not None, path.name
        for surface in item.surfaces:
            assert product.surface(surface.name) is not None, (path.name, surface.name)


def test_default_config_engraves_and_sublimates_some_samples() -> None:
    settings = load_settings(DEFAULT_CONFIG)
    processes = {(s.process, s.printer) for p in settings.products for s in p.surfaces}
    assert {("engrave", "laser-1"), ("sublimation", "sub-1"), ("print", "uv-1")} <= processes


# --- defaults --------------------------------------------------------------------------------


def test_empty_folder_means_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)

    assert settings.printers == {}
    assert settings.products == ()
    assert settings.shop.inbox == tmp_path / "inbox"
    assert settings.shop.data_dir == tmp_path / "data"
    assert settings.shop.retention_days == 0
    assert settings.fonts.dirs == (tmp_path / "fonts",)
    assert settings.fonts.aliases == {}
    assert settings.fonts.emoji is None  # a line with emoji is held until one is named
    assert settings.assets.dir == tmp_path / "assets"
    assert settings.amazon is None
    assert settings.desk is None


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    assert "does not exist" in config_error(tmp_path / "nowhere")


def test_surface_and_printer_defaults(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, printers_toml=PRINTERS, products_toml=MUG))

    printer = settings.printers["uv-1"]
    assert (printer.name, printer.dpi, printer.mirror, printer.format) == (
        "uv-1",
        300,
        False,
        "pdf",
    )
    assert (printer.done_folder, printer.feedback) == (None, "manual")
    product = settings.products[0]
    assert product.name == "MUG-11"
    surface = product.surfaces[0]
    assert (surface.bleed_mm, surface.safe_margin_mm, surface.min_ppi_hold) == (0.0, 3.0, 150.0)
    assert (surface.design_box, surface.cut) == (None, None)


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, printers_toml=PRINTERS, products_toml=MUG))

    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.products[0].surfaces[0].width_mm = 1  # type: ignore[misc]


def test_full_shop_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        shop_toml="""
[shop]
name = "Mugs & More"
retention_days = 14
[fonts]
dirs = ["fonts", "/opt/fonts"]
emoji = "Noto Color Emoji"
[fonts.aliases]
"Great Vibes" = "Dancing Script"
[assets]
allowed_hosts = ["Images.Example.com"]
[amazon]
endpoint = "http://127.0.0.1:9000/"
marketplace_ids = ["A1PA6795UKMFR9"]
[desk]
listen = "[::1]:8081"
""",
    )
    settings = load_settings(tmp_path)

    assert (settings.shop.name, settings.shop.retention_days) == ("Mugs & More", 14)
    assert settings.fonts.dirs == (tmp_path / "fonts", Path("/opt/fonts"))
    assert settings.fonts.aliases == {"Great Vibes": "Dancing Script"}
    assert settings.fonts.emoji == "Noto Color Emoji"
    assert settings.assets.allowed_hosts == ("images.example.com",)
    assert settings.amazon is not None
    assert settings.amazon.endpoint == "http://127.0.0.1:9000"
    assert settings.amazon.lwa_endpoint == "https://api.amazon.com"
    assert settings.amazon.marketplace_ids == ("A1PA6795UKMFR9",)
    assert settings.desk is not None
    assert (settings.desk.host, settings.desk.port) == ("::1", 8081)


def test_companions_are_kept(tmp_path: Path) -> None:
    products = MUG.replace('sku = "MUG-11"', 'sku = "MUG-11"\ncompanions = [{ sku = "LEASH-RED" }]')
    settings = load_settings(write(tmp_path, printers_toml=PRINTERS, products_toml=products))

    companion = settings.products[0].companions[0]
    assert (companion.sku, companion.quantity) == ("LEASH-RED", 1)


# --- paths -----------------------------------------------------------------------------------


def test_relative_and_absolute_paths(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    config = tmp_path / "config"
    config.mkdir()
    write(
        config,
        shop_toml=f'[shop]\ninbox = "{elsewhere / "inbox"}"\ndata_dir = "../data"\n',
        printers_toml='[[printer]]\nid = "uv-1"\nhot_folder = "hot/uv-1"\n'
        f'done_folder = "{elsewhere / "done"}"\n',
    )
    settings = load_settings(config)

    assert settings.shop.inbox == elsewhere / "inbox"
    assert settings.shop.data_dir == tmp_path / "data"
    printer = settings.printers["uv-1"]
    assert printer.hot_folder == config / "hot" / "uv-1"
    assert printer.hot_folder.is_absolute()
    assert printer.done_folder == elsewhere / "done"
    assert printer.feedback == "done_folder"


def test_relative_config_folder_gives_absolute_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, printers_toml=PRINTERS)
    monkeypatch.chdir(tmp_path.parent)
    settings = load_settings(Path(tmp_path.name))

    assert settings.root == tmp_path
    assert settings.printers["uv-1"].hot_folder == tmp_path / "hot" / "uv-1"


def test_home_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    write(tmp_path, shop_toml='[shop]\ninbox = "~/orders"\n')

    assert load_settings(tmp_path).shop.inbox == tmp_path / "home" / "orders"


def test_cut_svg_is_resolved(tmp_path: Path) -> None:
    (tmp_path / "cuts").mkdir()
    tag = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 215.9 88.9">'
        '<rect width="9" height="9"/></svg>'
    )
    (tmp_path / "cuts" / "tag.svg").write_text(tag, encoding="utf-8")
    products = MUG.replace('"uv-1"', '"laser-1"').replace('"print"', '"engrave"')
    write(tmp_path, printers_toml=PRINTERS, products_toml=products + 'cut = "cuts/tag.svg"\n')

    surface = load_settings(tmp_path).products[0].surfaces[0]
    assert surface.cut == str(tmp_path / "cuts" / "tag.svg")


# --- matching --------------------------------------------------------------------------------


def two_products(tmp_path: Path) -> Settings:
    products = """
[[product]]
asin = "B0AAA"
name = "by asin"

[[product]]
sku = "MUG-RED"
asin = "B0BBB"
name = "by sku"
"""
    return load_settings(write(tmp_path, products_toml=products))


@pytest.mark.parametrize(
    ("asin", "sku", "expected"),
    [
        ("B0AAA", None, "by asin"),
        (None, "MUG-RED", "by sku"),
        ("B0AAA", "MUG-RED", "by sku"),  # the SKU match wins
        ("B0AAA", "OTHER-SKU", "by asin"),  # an unknown SKU falls back to the ASIN
        ("B0BBB", None, "by sku"),
        (" b0aaa ", None, "by asin"),
        ("B0ZZZ", "NOPE", None),
        (None, None, None),
        ("", "", None),
    ],
)
def test_product_for(
    tmp_path: Path, asin: str | None, sku: str | None, expected: str | None
) -> None:
    product = two_products(tmp_path).product_for(asin, sku)

    assert (product.name if product else None) == expected


def test_surface_name_matching(tmp_path: Path) -> None:
    products = MUG.replace('name = "FRONT"', 'name = "Front  Side"')
    settings = load_settings(write(tmp_path, printers_toml=PRINTERS, products_toml=products))
    product = settings.products[0]

    assert product.surface("Front  Side") is product.surfaces[0]
    assert product.surface("Front Side") is product.surfaces[0]
    assert product.surface("  FRONT\tSIDE ") is product.surfaces[0]
    assert product.surface("BACK") is None


def test_exact_surface_name_wins() -> None:
    loose = SurfaceTemplate("Front", printer="uv-1", process="print", width_mm=1, height_mm=1)
    exact = dataclasses.replace(loose, name="FRONT")
    product = Product(asin="B0MUG", sku=None, name="mug", surfaces=(loose, exact))

    assert product.surface("FRONT") is exact
    assert product.surface("Front") is loose
    assert product.surface("front") is loose


# --- mistakes --------------------------------------------------------------------------------

SURFACE = "products.toml product[1] (sku MUG-11) surface 'FRONT'"


@pytest.mark.parametrize(
    ("products", "fragments"),
    [
        (surface_with("widht_mm = 10"), [SURFACE, "unknown key 'widht_mm'", "'width_mm'"]),
        (surface_with("", drop="height_mm = 88.9"), [SURFACE, "height_mm is missing"]),
        (surface_with("bleed_mm = -1"), [SURFACE, "bleed_mm", "negative"]),
        (surface_with("bleed_mm = '3'"), [SURFACE, "bleed_mm must be a number, not a string"]),
        (surface_with("safe_margin_mm = 50"), [SURFACE, "safe_margin_mm"]),
        (surface_with("min_ppi_hold = true"), [SURFACE, "min_ppi_hold", "boolean"]),
        (
            MUG.replace("width_mm = 215.9", "width_mm = 0"),
            [SURFACE, "width_mm must be greater than 0"],
        ),
        (MUG.replace("height_mm = 88.9", "height_mm = -5"), [SURFACE, "height_mm"]),
        (MUG.replace("width_mm = 215.9", "width_mm = nan"), [SURFACE, "finite"]),
        (MUG.replace('"uv-1"', '"uv-9"'), [SURFACE, "printer 'uv-9' is not in printers.toml"]),
        (MUG.replace('"print"', '"paint"'), [SURFACE, "process must be one of", "'paint'"]),
        (surface_with("design_box = [1, 2, 3]"), [SURFACE, "design_box must be 4 numbers"]),
        (surface_with("design_box = [1, 2, 0, 3]"), [SURFACE, "design_box", "greater than 0"]),
        (surface_with("design_box = [1, 2, 'a', 3]"), [SURFACE, "design_box[2]", "number"]),
        (surface_with("design_box = 5"), [SURFACE, "design_box", "array"]),
        (surface_with('cut = "rect"'), [SURFACE, "cut applies to engrave surfaces only"]),
        (
            surface_with("widht_mm = 1").replace('sku = "MUG-11"\n', ""),
            ["products.toml product[1] (asin B0MUG) surface 'FRONT': unknown key"],
        ),
        (MUG + MUG.split("\n\n")[1], [SURFACE, "repeats surface 'FRONT'"]),
        (
            MUG.replace('asin = "B0MUG"\nsku = "MUG-11"\n', 'name = "mug"\n'),
            ["products.toml product[1]", "needs an asin or a sku"],
        ),
        (
            MUG + MUG.replace('asin = "B0MUG"', 'asin = "B0OTHER"'),
            ["products.toml product[2] (sku MUG-11)", "repeats the sku MUG-11 of product[1]"],
        ),
        (
            MUG + MUG.replace('sku = "MUG-11"', 'sku = "MUG-12"'),
            ["products.toml product[2] (sku MUG-12)", "repeats the asin B0MUG"],
        ),
        (MUG.replace("[[product]]", "[product]"), ["products.toml", "[[product]]"]),
        ("colour = 'red'\n", ["products.toml", "unknown key 'colour'"]),
        (MUG.replace('sku = "MUG-11"', "sku = 11"), ["products.toml product[1]", "sku must be"]),
        (
            MUG.replace(
                'sku = "MUG-11"', 'sku = "MUG-11"\ncompanions = [{ sku = "A", quantity = 0 }]'
            ),
            ["product[1] (sku MUG-11) companions[0]", "quantity must be at least 1"],
        ),
    ],
)
def test_product_mistakes(tmp_path: Path, products: str, fragments: list[str]) -> None:
    message = config_error(write(tmp_path, printers_toml=PRINTERS, products_toml=products))

    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    ("cut", "fragment"),
    [
        ('"rounded:0"', "cut radius 0 mm does not fit"),
        ('"rounded:30"', "cut radius 30 mm does not fit"),
        ('"oval"', "cut must be 'rect', 'rounded:R_MM' or an .svg file"),
        ('"missing.svg"', "missing.svg does not exist"),
    ],
)
def test_cut_mistakes(tmp_path: Path, cut: str, fragment: str) -> None:
    products = MUG.replace('"uv-1"', '"laser-1"').replace('"print"', '"engrave"')
    products = products.replace("215.9", "50").replace("88.9", "50") + f"cut = {cut}\n"

    message = config_error(write(tmp_path, printers_toml=PRINTERS, products_toml=products))
    assert SURFACE in message
    assert fragment in message


PRINTER = "printers.toml printer[1] (id uv-1)"


@pytest.mark.parametrize(
    ("printers", "fragments"),
    [
        ('[[printer]]\nid = "uv-1"\n', [PRINTER, "hot_folder is missing"]),
        ('[[printer]]\nhot_folder = "h"\n', ["printers.toml printer[1]", "id is missing"]),
        (PRINTERS + 'dpi = "300"\n', ["printer[2] (id laser-1)", "dpi must be an integer"]),
        (PRINTERS + "dpi = 0\n", ["printer[2] (id laser-1)", "dpi must be at least 1"]),
        (PRINTERS + "dpi = 300.5\n", ["printer[2] (id laser-1)", "dpi must be an integer"]),
        (PRINTERS + 'mirror = "yes"\n', ["printer[2]", "mirror must be true or false"]),
        (PRINTERS + 'format = "png"\n', ["printer[2]", "format must be one of 'pdf', 'svg'"]),
        (PRINTERS + 'feedback = "done_folder"\n', ["printer[2]", "needs a done_folder"]),
        (PRINTERS + 'feedback = "email"\n', ["printer[2]", "feedback must be one of"]),
        (PRINTERS + 'hotfolder = "x"\n', ["printer[2]", "unknown key 'hotfolder'", "hot_folder"]),
        (PRINTERS + 'done_folder = "hot/laser-1"\n', ["printer[2]", "must differ"]),
        (
            PRINTERS + PRINTERS.split("\n\n")[0],
            ["printers.toml printer[3] (id uv-1)", "repeats the id 'uv-1' of printer[1]"],
        ),
        ('[[printer]]\nid = "uv 1"\nhot_folder = "h"\n', ["printer[1] (id uv 1)", "letters"]),
    ],
)
def test_printer_mistakes(tmp_path: Path, printers: str, fragments: list[str]) -> None:
    message = config_error(write(tmp_path, printers_toml=printers))

    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    ("shop", "fragments"),
    [
        ("[shop]\ninbx = 'x'\n", ["shop.toml [shop]", "unknown key 'inbx'", "'inbox'"]),
        ("[shop]\nretention_days = -1\n", ["shop.toml [shop]", "retention_days"]),
        ("[shop]\nrender_workers = -1\n", ["[shop]", "render_workers must be at least 0"]),
        ("[shop]\nrender_workers = 1.5\n", ["[shop]", "render_workers must be an integer"]),
        ("[shop]\nrender_workers = 'auto'\n", ["[shop]", "render_workers must be an integer"]),
        ("[shop]\nrender_workers = 65\n", ["[shop]", "render_workers must be at most 64"]),
        ("[shop]\ninbox = 3\n", ["shop.toml [shop]", "inbox must be a string, not an integer"]),
        ("[printers]\n", ["shop.toml", "unknown key 'printers'"]),
        ("shop = 3\n", ["shop.toml [shop]", "must be a table"]),
        ("[fonts]\ndirs = 'fonts'\n", ["shop.toml [fonts]", "dirs must be an array"]),
        ("[fonts.aliases]\n'Great Vibes' = 3\n", ["[fonts]", "'Great Vibes'"]),
        ("[fonts.aliases]\nArial = 'arial'\n", ["[fonts]", "alias of itself"]),
        ("[fonts]\nemoji = ''\n", ["shop.toml [fonts]", "emoji must not be empty"]),
        ("[fonts]\nemoji = ['Noto Color Emoji']\n", ["[fonts]", "emoji must be a string"]),
        ("[assets]\nallowed_hosts = ['https://x.com/']\n", ["[assets]", "not a host name"]),
        ("[amazon]\nrefresh_token = 'x'\n", ["shop.toml [amazon]", "environment"]),
        ("[amazon]\nendpoint = 'http://example.com'\n", ["[amazon]", "https"]),
        ("[amazon]\nendpoint = 'sellingpartnerapi'\n", ["[amazon]", "endpoint must be"]),
        ("[amazon]\nmarketplace_ids = []\n", ["[amazon]", "at least one"]),
        ("[desk]\nlisten = '8080'\n", ["shop.toml [desk]", "HOST:PORT"]),
        ("[desk]\nlisten = 'localhost:99999'\n", ["shop.toml [desk]", "HOST:PORT"]),
    ],
)
def test_shop_mistakes(tmp_path: Path, shop: str, fragments: list[str]) -> None:
    message = config_error(write(tmp_path, shop_toml=shop))

    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize("name", ["shop.toml", "printers.toml", "products.toml"])
def test_invalid_toml_names_the_line(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("# fine\n\n[[broken\nx = 1\n", encoding="utf-8")

    message = config_error(tmp_path)
    assert name in message
    assert "invalid TOML on line 3" in message


def test_invalid_toml_at_the_end_names_the_last_line(tmp_path: Path) -> None:
    (tmp_path / "printers.toml").write_text("# fine\nx = [1,\n", encoding="utf-8")

    assert "printers.toml: invalid TOML on line 2 (the end of the file)" in config_error(tmp_path)


def test_non_utf8_file(tmp_path: Path) -> None:
    (tmp_path / "shop.toml").write_bytes(b"[shop]\nname = '\xff'\n")

    assert "shop.toml: is not UTF-8" in config_error(tmp_path)


def test_error_names_the_config_folder(tmp_path: Path) -> None:
    write(tmp_path, printers_toml='[[printer]]\nid = "uv-1"\n')

    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert caught.value.source == str(tmp_path)
    assert caught.value.message.startswith("printers.toml printer[1] (id uv-1): ")
