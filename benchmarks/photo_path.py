"""The photo path and a text surface, whole processes side by side: `production render` against
CairoSVG's svg2pdf.

    python benchmarks/photo_path.py

The photo surface is benchmarks/render_fixture.py's zip: a 4000×3000 JPEG of about 4.4 MB and
one line of text. Both sides are whole processes started the same way (a tiny launcher reads
each one's own peak RSS with wait4, see render_surface.run_child), run alternately:

- ours: `python -m production render ZIP --out DIR --config DIR` (parse, render, proof, check,
  ticket: everything the command does);
- CairoSVG: `python -c "cairosvg.svg2pdf(url=SVG, write_to=PDF, unsafe=True)"` on the zip's
  surface SVG, unpacked with its photo beside it (`unsafe` lets CairoSVG read that local file).

The text surface is the text-only sample zip (production/customization/sample_zips), printed
(benchmarks/render_fixture.py's configuration), against CairoSVG on its surface SVG the same way.

Targets (issue 16, "speed", item 2 and the text-only figure):

- ours at least 20× faster than CairoSVG, medians of whole processes;
- our PDF at most 1.02× the JPEG, which it holds byte for byte;
- peak RSS of our command at most 100 MiB;
- a 12000×9000 (108-megapixel) photo renders, its JPEG byte for byte, peak RSS at most 150 MiB:
  a compact file (2.7 MB) and one the size a phone camera writes (33 MB);
- the text-only surface: ours faster than CairoSVG, medians of whole processes.

Python caches compiled modules in __pycache__ as an installed package does: PYTHONDONTWRITEBYTECODE
is dropped for the children, and one untimed run of each command comes first.
Prints a table with PASS/FAIL per target; exits 1 if any fails.
"""

from __future__ import annotations

import io
import os
import random
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image

from benchmarks.render_fixture import (
    SURFACE,
    TEXT_ONLY_ZIP,
    make_photo,
    photo_order,
    write_config,
)
from benchmarks.render_surface import ChildRun, run_child
from benchmarks.targets import Check, print_checks, print_verdict

SPEEDUP_TARGET = 20.0
TEXT_SPEEDUP_TARGET = 1.0
SIZE_TARGET = 1.02
MEMORY_TARGET_MIB = 100.0
LARGE_MEMORY_TARGET_MIB = 150.0
LARGE_SIZE = (12000, 9000)
RUNS = 5
TIMEOUT_S = 120.0
MIB = 1024 * 1024

_CAIRO = (
    "import sys, cairosvg; cairosvg.svg2pdf(url=sys.argv[1], write_to=sys.argv[2], unsafe=True)"
)


def large_photo(amplitude: int, quality: int) -> bytes:
    """A 12000×9000 colour JPEG of noise ± `amplitude` levels, tiled so it is made in seconds.

    Amplitude 3 at quality 70 makes about 2.7 MB; 12 at quality 90 about 33 MB, the size of a
    108-megapixel phone camera's own file.
    """
    tile = Image.frombytes("L", (509, 499), random.Random(108).randbytes(509 * 499))
    tile = tile.point(lambda v: 128 - amplitude + v * (2 * amplitude + 1) // 256)
    colour = Image.merge("RGB", [tile, tile.point(lambda v: v + 40), tile.point(lambda v: v - 50)])
    picture = Image.new("RGB", LARGE_SIZE)
    for x in range(0, LARGE_SIZE[0], tile.width):
        for y in range(0, LARGE_SIZE[1], tile.height):
            picture.paste(colour, (x, y))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=quality)
    return out.getvalue()


LARGE_PHOTOS = {"compact": (3, 70), "phone-sized": (12, 90)}


class Sides:
    """The two commands on one zip (a photo's, or `zip_bytes`), and what they wrote."""

    def __init__(
        self, folder: Path, photo: bytes, config: Path, zip_bytes: bytes | None = None
    ) -> None:
        self.folder = folder
        self.photo = photo
        self.zip_path = folder / "photo.zip"
        self.zip_path.write_bytes(
            photo_order(photo).zip_bytes() if zip_bytes is None else zip_bytes
        )
        svg_dir = folder / "svg"
        with zipfile.ZipFile(self.zip_path) as archive:
            archive.extractall(svg_dir)
            svgs = [name for name in archive.namelist() if name.endswith(".svg")]
        if len(svgs) != 1:
            raise SystemExit(f"{self.zip_path.name}: {len(svgs)} surface SVGs, one expected")
        self.svg = svg_dir / svgs[0]
        self.config = config
        self.out = folder / "out"
        self.cairo_pdf = folder / "cairo.pdf"

    def ours(self) -> ChildRun:
        command = [sys.executable, "-m", "production", "render", str(self.zip_path)]
        command += ["--out", str(self.out), "--config", str(self.config)]
        return run_child(command, timeout=TIMEOUT_S)

    def cairo(self) -> ChildRun:
        command = [sys.executable, "-c", _CAIRO, str(self.svg), str(self.cairo_pdf)]
        return run_child(command, timeout=TIMEOUT_S)

    def our_pdf(self) -> bytes | None:
        found = sorted(self.out.glob(f"*_{SURFACE}.pdf"))
        return found[0].read_bytes() if found else None


def checked(run: ChildRun, what: str) -> ChildRun:
    if run.exit_code != 0:
        tail = (run.stderr.strip() or run.stdout.strip()).splitlines()[-3:]
        raise SystemExit(f"{what} failed (exit {run.exit_code}): " + " | ".join(tail))
    return run


def side_by_side(sides: Sides) -> tuple[list[ChildRun], list[ChildRun]]:
    checked(sides.ours(), "production render (untimed first run)")
    checked(sides.cairo(), "cairosvg (untimed first run)")
    ours: list[ChildRun] = []
    cairo: list[ChildRun] = []
    for _ in range(RUNS):
        ours.append(checked(sides.ours(), "production render"))
        cairo.append(checked(sides.cairo(), "cairosvg"))
    return ours, cairo


def photo_checks(sides: Sides, checks: list[Check], details: list[str]) -> None:
    ours, cairo = side_by_side(sides)
    our_s = statistics.median(run.seconds for run in ours)
    cairo_s = statistics.median(run.seconds for run in cairo)
    speedup = cairo_s / our_s
    peak = max(run.peak_rss for run in ours) / MIB
    pdf = sides.our_pdf() or b""
    ratio = len(pdf) / len(sides.photo)
    whole = sides.photo in pdf
    cairo_size = sides.cairo_pdf.stat().st_size
    if cairo_size < len(sides.photo) // 2:
        raise SystemExit(f"CairoSVG's PDF ({cairo_size:,} B) cannot hold the photo: not compared")
    checks += [
        Check("4000×3000 photo: CairoSVG ÷ ours, whole processes", f"{speedup:.1f}×",
              f"≥ {SPEEDUP_TARGET:g}×", speedup >= SPEEDUP_TARGET),
        Check("4000×3000 photo: our PDF ÷ the JPEG", f"{ratio:.4f}", f"≤ {SIZE_TARGET:g}",
              ratio <= SIZE_TARGET),
        Check("4000×3000 photo: JPEG embedded byte for byte", "yes" if whole else "no", "yes",
              whole),
        Check("4000×3000 photo: peak RSS of `production render`", f"{peak:.1f} MiB",
              f"≤ {MEMORY_TARGET_MIB:g} MiB", peak <= MEMORY_TARGET_MIB),
    ]  # fmt: skip
    details += [
        f"photo: {len(sides.photo):,} B JPEG; {RUNS} runs each, alternating",
        f"ours:     median {our_s:.3f} s ({', '.join(f'{r.seconds:.2f}' for r in ours)}), "
        f"peak RSS {peak:.1f} MiB, PDF {len(pdf):,} B",
        f"CairoSVG: median {cairo_s:.3f} s ({', '.join(f'{r.seconds:.2f}' for r in cairo)}), "
        f"peak RSS {max(r.peak_rss for r in cairo) / MIB:.1f} MiB, PDF {cairo_size:,} B",
    ]


def text_checks(sides: Sides, checks: list[Check], details: list[str]) -> None:
    ours, cairo = side_by_side(sides)
    our_s = statistics.median(run.seconds for run in ours)
    cairo_s = statistics.median(run.seconds for run in cairo)
    speedup = cairo_s / our_s
    pdf = sides.our_pdf()
    if pdf is None or not pdf.startswith(b"%PDF"):
        raise SystemExit("production render wrote no PDF for the text-only surface")
    checks.append(
        Check("text-only surface: CairoSVG ÷ ours, whole processes", f"{speedup:.2f}×",
              f"> {TEXT_SPEEDUP_TARGET:g}×", speedup > TEXT_SPEEDUP_TARGET)
    )  # fmt: skip
    details += [
        f"text-only: {TEXT_ONLY_ZIP.name}, printed; {RUNS} runs each, alternating",
        f"ours:     median {our_s:.3f} s ({', '.join(f'{r.seconds:.2f}' for r in ours)}), "
        f"peak RSS {max(r.peak_rss for r in ours) / MIB:.1f} MiB, PDF {len(pdf):,} B",
        f"CairoSVG: median {cairo_s:.3f} s ({', '.join(f'{r.seconds:.2f}' for r in cairo)}), "
        f"peak RSS {max(r.peak_rss for r in cairo) / MIB:.1f} MiB, "
        f"PDF {sides.cairo_pdf.stat().st_size:,} B",
    ]


def large_checks(sides: Sides, kind: str, checks: list[Check], details: list[str]) -> None:
    checked(sides.ours(), "production render of the large photo (untimed first run)")
    run = sides.ours()
    pdf = sides.our_pdf() if run.exit_code == 0 else None
    peak = run.peak_rss / MIB
    rendered = pdf is not None and sides.photo in pdf
    what = f"12000×9000 photo, {kind} ({len(sides.photo) / 1e6:.1f} MB)"
    checks += [
        Check(f"{what}: rendered, JPEG byte for byte", "yes" if rendered else "no", "yes",
              rendered),
        Check(f"{what}: peak RSS", f"{peak:.1f} MiB", f"≤ {LARGE_MEMORY_TARGET_MIB:g} MiB",
              rendered and peak <= LARGE_MEMORY_TARGET_MIB),
    ]  # fmt: skip
    details.append(
        f"{what}: {len(sides.photo):,} B JPEG, exit {run.exit_code}, {run.seconds:.2f} s, "
        f"peak RSS {peak:.1f} MiB"
    )


def main() -> int:
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # the children cache bytecode, as installed
    start = time.perf_counter()
    checks: list[Check] = []
    details = [f"load average at start: {Path('/proc/loadavg').read_text().strip()}"]
    with tempfile.TemporaryDirectory(prefix="photo-path-") as name:
        tmp = Path(name)
        config = write_config(tmp / "config")
        (tmp / "small").mkdir()
        photo_checks(Sides(tmp / "small", make_photo(), config), checks, details)
        (tmp / "text").mkdir()
        text = Sides(tmp / "text", b"", config, zip_bytes=TEXT_ONLY_ZIP.read_bytes())
        text_checks(text, checks, details)
        for kind, (amplitude, quality) in LARGE_PHOTOS.items():
            folder = tmp / kind
            folder.mkdir()
            sides = Sides(folder, large_photo(amplitude, quality), config)
            large_checks(sides, kind, checks, details)
    details.append(f"load average at end:   {Path('/proc/loadavg').read_text().strip()}")
    print_checks(checks)
    print()
    for line in details:
        print(line)
    print_verdict(checks, time.perf_counter() - start)
    return 0 if all(check.ok for check in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
