"""`production render ZIP… --out DIR`: the files a shop gets, and every way it can refuse."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from production.app.cli import main
from production.config.settings import DEFAULT_CONFIG_DIR, load_settings
from production.customization import parse_zip
from production.customization.samples import SAMPLES_DIR
from production.floor.rendering import ItemRenderer, preflight_report
from tests.reference import mug_names, mug_zip

REPO = Path(__file__).resolve().parents[1]

PRINTERS = """
[[printer]]
id = "uv-1"
hot_folder = "hot/uv-1"
"""

MUG_SURFACE = """
[[product.surface]]
name = "FRONT"
printer = "uv-1"
process = "print"
width_mm = 215.9
height_mm = 88.9
bleed_mm = 3.0
design_box = [42, 131, 311, 130]
"""

# The reference mugs use Google fonts that no Python package ships; the shop prints them in
# fonts it has, as a real shop would through its aliases.
REFERENCE_ALIASES = """
[fonts.aliases]
"Great Vibes" = "Amatic SC"
"Shadows Into Light Two" = "Amatic SC"
"Sacramento" = "Amatic SC"
"Patrick Hand" = "Roboto"
"Staatliches" = "Roboto"
"""


def sample(name: str) -> Path:
    return SAMPLES_DIR / f"{name}.zip"


def shop(folder: Path, products: str, *, shop_toml: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "printers.toml").write_text(PRINTERS)
    (folder / "products.toml").write_text(products)
    (folder / "shop.toml").write_text(shop_toml)
    return folder


def mug_product(asin: str, extra: str = "") -> str:
    return f'[[product]]\nasin = "{asin}"\nname = "Mug"\n{MUG_SURFACE}{extra}\n'


def render(
    capsys: pytest.CaptureFixture[str], zips: list[Path], out: Path, config: Path | None = None
) -> tuple[int, str, str]:
    argv = ["render", *map(str, zips), "--out", str(out)]
    if config is not None:
        argv += ["--config", str(config)]
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


REPORT_LINE = re.compile(r"\d{14}-[A-Za-z0-9-]+: (ready|held); .*|  (warn|hold) [a-z-]+: .*")


def assert_only_preflight_reports(err: str) -> None:
    """Nothing on stderr but preflight reports (`production.floor.rendering.job_report`)."""
    for line in err.splitlines():
        assert REPORT_LINE.fullmatch(line), line


def buyer_texts(path: Path) -> list[str]:
    customization = parse_zip(path.read_bytes())
    return [line for s in customization.surfaces for t in s.texts for line in t.lines if line]


# --- the happy path, as a real process ------------------------------------------------------


def test_every_sample_renders_with_the_default_configuration(tmp_path: Path) -> None:
    zips = sorted(SAMPLES_DIR.glob("*.zip"))
    out = tmp_path / "out"
    run = subprocess.run(
        [sys.executable, "-m", "production", "render", *map(str, zips), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert_only_preflight_reports(run.stderr)

    expected: set[str] = set()
    for path in zips:
        customization = parse_zip(path.read_bytes())
        item = customization.item
        if customization.is_options_only:
            expected.add(f"{item.order_id}_{item.order_item_id}_Surface-1.json")
            continue
        for surface in customization.surfaces:
            stem = f"{item.order_id}_{item.order_item_id}_{surface.name.replace(' ', '-')}"
            expected |= {f"{stem}.pdf", f"{stem}.json"}
    assert {p.name for p in out.iterdir()} == expected


def test_every_sample_renders_under_a_tight_memory_limit(tmp_path: Path) -> None:
    # The command imports NumPy, fontTools and the like only when a surface needs them, after
    # its memory is capped: the cap leaves them room (a 64 MiB render once died in OpenBLAS).
    config = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, config)
    shop_toml = config / "shop.toml"
    text = shop_toml.read_text()
    assert "# render_memory_mib = 1024" in text
    shop_toml.write_text(text.replace("# render_memory_mib = 1024", "render_memory_mib = 64"))
    assert load_settings(config).limits.render_memory_mib == 64
    zips = sorted(SAMPLES_DIR.glob("*.zip"))
    run = subprocess.run(
        [sys.executable, "-m", "production", "render", *map(str, zips), "--out",
         str(tmp_path / "out"), "--config", str(config)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert_only_preflight_reports(run.stderr)
    surfaces = sum(max(1, len(parse_zip(path.read_bytes()).surfaces)) for path in zips)
    assert run.stdout.count(": ready;") == surfaces and ": held;" not in run.stdout


def test_a_ticket_describes_the_job_without_the_buyers_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = render(capsys, [sample("photo-text")], tmp_path)
    assert code == 0
    stem = "900-0000003-0000003_90000000000033_FRONT"
    ticket = json.loads((tmp_path / f"{stem}.json").read_text())

    assert ticket["job_id"] == ticket["barcode"] == "90000000000033-FRONT"
    assert (ticket["order_id"], ticket["order_item_id"]) == (
        "900-0000003-0000003",
        "90000000000033",
    )
    assert (ticket["asin"], ticket["quantity"], ticket["surface"]) == ("B0SAMPLE03", 1, "FRONT")
    assert ticket["file"] == f"{stem}.pdf"
    assert ticket["finished_size_mm"] == [215.9, 88.9]
    assert ticket["print_size_mm"] == [221.9, 94.9]
    assert (ticket["bleed_mm"], ticket["dpi"], ticket["mirror"]) == (3.0, 300, False)
    assert (ticket["process"], ticket["printer"]) == ("print", "uv-1")
    # The 2000×1500 photo covers the 88.9 mm height: 1500 px / 3.5 in ≈ 428.6 ppi.
    [photo] = ticket["images"]
    assert photo["pixels"] == [2000, 1500]
    assert photo["ppi"] == pytest.approx(1500 / (88.9 / 25.4), abs=0.1)
    assert "warning" not in photo
    assert ticket["fonts"][0]["family"] == "Roboto"
    assert ticket["hold"] == []
    text = (tmp_path / f"{stem}.json").read_text()
    for line in buyer_texts(sample("photo-text")):
        assert line not in text


def test_options_only_items_get_a_ticket_and_no_pdf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = render(capsys, [sample("options-only")], tmp_path)
    assert code == 0
    [ticket_file] = list(tmp_path.iterdir())
    ticket = json.loads(ticket_file.read_text())
    assert ticket_file.name == "900-0000002-0000002_90000000000022_Surface-1.json"
    assert ticket["file"] is None
    assert [o["label"] for o in ticket["options"]] == ["Choose your design", "Gift box"]
    assert "ticket only" in out


def test_the_pdf_is_marked_pdfx4_with_boxes_and_dates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert render(capsys, [sample("two-surfaces")], tmp_path)[0] == 0
    pdf = (tmp_path / "900-0000004-0000004_90000000000044_BACK.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-1.6")
    for key in (b"/OutputIntents", b"/GTS_PDFX", b"/DestOutputProfile", b"/Trapped /False"):
        assert key in pdf
    assert b"/GTS_PDFXVersion (PDF/X-4)" in pdf
    assert b"/JavaScript" not in pdf and b"/Encrypt" not in pdf
    document = pdfium.PdfDocument(pdf)
    metadata = document.get_metadata_dict()
    assert metadata["Title"] == "Order 900-0000004-0000004 item 90000000000044 BACK"
    assert metadata["CreationDate"].startswith("D:20")
    assert not metadata["CreationDate"].startswith("D:2000")
    # BACK prints 254 × 97.7 mm with no bleed (products.toml): the boxes coincide.
    page = document[0]
    assert [round(v * 25.4 / 72, 1) for v in page.get_trimbox()] == [0, 0, 254.0, 97.7]


def test_every_reference_mug_renders_with_stand_in_photos(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = shop(tmp_path / "config", mug_product("B0EXAMPLE01"), shop_toml=REFERENCE_ALIASES)
    zips = []
    for mug in mug_names():
        path = tmp_path / "zips" / f"{mug}.zip"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(mug_zip(mug))
        zips.append(path)
    code, _, err = render(capsys, zips, tmp_path / "out", config)
    assert code == 0
    assert_only_preflight_reports(err)
    pdfs = sorted((tmp_path / "out").glob("*.pdf"))
    assert len(pdfs) == len(mug_names())
    for pdf in pdfs:
        width, height = pdfium.PdfDocument(pdf)[0].get_size()
        assert (round(width * 25.4 / 72, 1), round(height * 25.4 / 72, 1)) == (221.9, 94.9)


# --- option overlays ---------------------------------------------------------------------------


MAGENTA = (255, 0, 255)


def _overlay_pixels(pdf: Path) -> int:
    image = pdfium.PdfDocument(pdf)[0].render(scale=0.5).to_pil().convert("RGB")
    colours = image.getcolors(maxcolors=image.width * image.height) or []
    return sum(count for count, colour in colours if colour == MAGENTA)


def _asset(folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 64), MAGENTA).save(folder / name)


OVERLAY = "874d9c0a-9362-f1ef-409b-1ec61d4c1b11.png"  # xml-only.zip's option overlay


@pytest.mark.parametrize(
    ("policy", "asset", "printed"),
    [("auto", True, True), ("auto", False, False), ("skip", True, False), ("print", True, True)],
)
def test_overlays_come_from_the_assets_folder_by_file_name(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    policy: str,
    asset: bool,
    printed: bool,
) -> None:
    config = shop(
        tmp_path / "config",
        mug_product("B0SAMPLE07", f'overlays = "{policy}"'),
        shop_toml=f'[assets]\ndir = "{tmp_path / "art"}"\n',
    )
    if asset:
        _asset(tmp_path / "art", OVERLAY)
    code, out, _ = render(capsys, [sample("xml-only")], tmp_path / "out", config)
    assert code == 0
    [pdf] = (tmp_path / "out").glob("*.pdf")
    assert (_overlay_pixels(pdf) > 100) is printed
    assert ("was not printed" in out) is (policy == "auto" and not asset)


def test_a_required_overlay_missing_from_the_assets_folder_fails_the_item(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = shop(tmp_path / "config", mug_product("B0SAMPLE07", 'overlays = "print"'))
    code, _, err = render(capsys, [sample("xml-only")], tmp_path / "out", config)
    assert code == 1
    assert OVERLAY in err and "assets folder" in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


# --- failures: one line each, the zip named, nothing left behind --------------------------------


def _lines(err: str) -> list[str]:
    return err.strip().splitlines()


def test_an_unknown_product_names_its_asin_and_sku(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = shop(tmp_path / "config", mug_product("B0SOMETHINGELSE"))
    code, _, err = render(capsys, [sample("photo-text")], tmp_path / "out", config)
    assert code == 1
    [line] = _lines(err)
    assert line.startswith(f"{sample('photo-text')}: ")
    assert "B0SAMPLE03" in line and "SKU (none)" in line and "products.toml" in line
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_a_missing_font_names_the_family_and_the_other_zips_still_render(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    products = (DEFAULT_CONFIG_DIR / "products.toml").read_text().replace('"sub-1"', '"uv-1"')
    products = products.replace('"laser-1"', '"uv-1"')
    config = shop(tmp_path / "config", products)  # the default products, but no font aliases
    zips = [sample("seller-font"), sample("photo-text")]
    code, _, err = render(capsys, zips, tmp_path / "out", config)
    assert code == 1
    [line] = _lines(err)
    assert line.startswith(f"{sample('seller-font')}: order item 90000000000055: ")
    assert "font family 'font-c85d8f95-b74e-a34c-051c-3' is not installed" in line
    names = {p.name for p in (tmp_path / "out").iterdir()}
    assert names == {
        "900-0000003-0000003_90000000000033_FRONT.pdf",
        "900-0000003-0000003_90000000000033_FRONT.json",
    }


def _zip_without(path: Path | bytes, drop_suffix: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(path) if isinstance(path, bytes) else path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            if not info.filename.endswith(drop_suffix):
                archive.writestr(info, source.read(info))
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: sample("photo-text").read_bytes()[:5000], "zip"),
        (lambda: b"not a zip at all", "zip"),
        (lambda: _zip_without(sample("photo-text"), ".jpg"), "not in the zip"),
        (lambda: _zip_without(_zip_with_bad_json(), ".xml"), "JSON"),
    ],
    ids=["truncated", "not-a-zip", "photo-missing", "broken-json"],
)
def test_bad_input_says_what_is_wrong_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: object, reason: str
) -> None:
    bad = tmp_path / "bad.zip"
    bad.write_bytes(make())  # type: ignore[operator]
    code, _, err = render(capsys, [bad], tmp_path / "out")
    assert code == 1
    [line] = _lines(err)
    assert line.startswith(f"{bad}: ") and reason in line
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def _zip_with_bad_json() -> bytes:
    source = zipfile.ZipFile(sample("photo-text"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            archive.writestr(info, b"{ not json" if info.filename.endswith(".json") else data)
    return out.getvalue()


def test_one_failing_surface_leaves_no_file_of_its_item(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # FRONT renders, BACK has no template: neither may reach the folder.
    products = """
[[product]]
asin = "B0SAMPLE04"
name = "Tote"

[[product.surface]]
name = "FRONT"
printer = "uv-1"
process = "print"
width_mm = 254
height_mm = 254
"""
    config = shop(tmp_path / "config", products)
    code, _, err = render(capsys, [sample("two-surfaces")], tmp_path / "out", config)
    assert code == 1
    assert "no surface 'BACK'" in err and "'FRONT'" in err
    out = tmp_path / "out"
    assert not out.exists() or not any(out.iterdir())


def test_a_photo_below_the_hold_threshold_is_marked_for_review(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = shop(tmp_path / "config", mug_product("B0SAMPLE03", "min_ppi_hold = 500"))
    code, out, _ = render(capsys, [sample("photo-text")], tmp_path / "out", config)
    assert code == 0  # rendered; the ticket says nobody should print it yet
    [ticket_file] = (tmp_path / "out").glob("*.json")
    ticket = json.loads(ticket_file.read_text())
    assert len(ticket["hold"]) == 1 and "429 ppi" in ticket["hold"][0]
    assert "held;" in out and "hold ppi:" in out


def test_a_small_photo_gets_a_resolution_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same 1500 px photo stretched over a mug twice as tall prints at about 214 ppi.
    products = mug_product("B0SAMPLE03").replace("height_mm = 88.9", "height_mm = 177.8")
    products = products.replace("width_mm = 215.9", "width_mm = 431.8")
    config = shop(tmp_path / "config", products)
    assert render(capsys, [sample("photo-text")], tmp_path / "out", config)[0] == 0
    [ticket_file] = (tmp_path / "out").glob("*.json")
    [photo] = json.loads(ticket_file.read_text())["images"]
    assert photo["ppi"] == pytest.approx(214.3, abs=0.1)
    assert photo["warning"] == "prints at 214 ppi, under 300"


def test_a_configuration_error_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = shop(tmp_path / "config", '[[product]]\nname = "no asin or sku"\n')
    code, _, err = render(capsys, [sample("photo-text")], tmp_path / "out", config)
    assert code == 1
    [line] = _lines(err)
    assert "products.toml" in line and "asin or a sku" in line


def test_the_demo_renders_the_samples_and_lists_their_files(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "production", "demo", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    listed = [line.split()[-1] for line in run.stdout.splitlines() if str(tmp_path) in line][1:]
    assert len(listed) == 11  # ten zips; the two-sided tote has two jobs
    for shown in listed:
        assert Path(shown).is_file()
        assert Path(shown).with_suffix(".json").is_file()


# --- SVG outside Amazon's subset: the general converter ---------------------------------------


def _with_circle(path: Path, svg_suffix: str) -> bytes:
    """The zip with a magenta circle (outside Amazon's subset) added to one surface's SVG."""
    source = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith(svg_suffix):
                circle = b'<circle cx="200" cy="196" r="20" fill="#ff00ff"/></svg>'
                data = data.replace(b"</svg>", circle)
            archive.writestr(info, data)
    return out.getvalue()


def _svg_member(path: Path, surface: str) -> str:
    customization = parse_zip(path.read_bytes())
    [member] = [s.svg_member for s in customization.surfaces if s.name == surface]
    assert member is not None
    return member


def test_a_surface_beyond_the_subset_is_drawn_by_the_general_converter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zip_path = tmp_path / "tote.zip"
    zip_path.write_bytes(
        _with_circle(sample("two-surfaces"), _svg_member(sample("two-surfaces"), "FRONT"))
    )
    code, _, err = render(capsys, [zip_path], tmp_path / "out")
    assert code == 0
    assert_only_preflight_reports(err)
    front = tmp_path / "out" / "900-0000004-0000004_90000000000044_FRONT"
    ticket = json.loads(front.with_suffix(".json").read_text())
    assert any("<circle>" in w and "general SVG converter" in w for w in ticket["warnings"])
    assert ticket["hold"] == []  # no text on this surface: nothing a font could change
    assert ticket["images"][0]["pixels"] == [1600, 1600]
    # The circle's centre, (200, 196) in preview units, on the 254 mm square page with 3 mm
    # bleed: the design box (80, 90, 240, 240) fills the trim area.
    scale = 254 / 240
    x_mm, y_mm = 3 + (200 - 80) * scale, 3 + (196 - 90) * scale
    dpi = 50
    image = pdfium.PdfDocument(front.with_suffix(".pdf"))[0].render(scale=dpi / 72).to_pil()
    pixel = image.convert("RGB").getpixel((round(x_mm / 25.4 * dpi), round(y_mm / 25.4 * dpi)))
    assert pixel == MAGENTA


def test_text_drawn_by_the_general_converter_is_held_for_a_person(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zip_path = tmp_path / "mug.zip"
    zip_path.write_bytes(
        _with_circle(sample("photo-text"), _svg_member(sample("photo-text"), "FRONT"))
    )
    code, out, _ = render(capsys, [zip_path], tmp_path / "out")
    assert code == 0
    [ticket_file] = (tmp_path / "out").glob("*.json")
    ticket = json.loads(ticket_file.read_text())
    [reason] = [r for r in ticket["hold"] if "general SVG converter" in r]
    assert "font" in reason
    # The converter found no Roboto: its text is visibly not what the buyer saw.
    assert [f["rule"] for f in ticket["preflight"]["findings"] if f["severity"] == "hold"] == [
        "render",
        "proof",
    ]
    assert "held;" in out and "hold render:" in out


# --- preflight on the command line -------------------------------------------------------------


def test_the_preflight_report_names_ids_and_numbers_only() -> None:
    """What `production render` prints to stderr for each item: `preflight_report`."""
    renderer = ItemRenderer(load_settings(DEFAULT_CONFIG_DIR))
    for path in sorted(SAMPLES_DIR.glob("*.zip")):
        output = renderer.render_zip(path.read_bytes(), source=path.name)
        lines = preflight_report(output)
        assert len([line for line in lines if not line.startswith(" ")]) == len(output.jobs)
        assert_only_preflight_reports("\n".join(lines))
        for text in buyer_texts(path):
            assert all(text not in line for line in lines)
