"""How fast and how lean rendering one surface to PDF is, measured beside CairoSVG in one run.

    python benchmarks/render_surface.py

The photo surface is a customization zip made by the sample generator (benchmarks/render_fixture.py)
holding a 4000×3000 JPEG of about 4.4 MB (noisy, quality 95) and one line of text. Targets of the
render feature:

- speed: our renderer at least 25× faster than CairoSVG on the same surface SVG. CairoSVG gets the
  surface SVG from the zip, and its <image> href is answered from the zip members by a
  `url_fetcher`. `cairosvg.svg2pdf` takes no `url_fetcher`, so it is called through
  `cairosvg.surface.PDFSurface.convert`, the function `svg2pdf` forwards to. Ours is timed from
  the zip bytes (parse_zip + read_zip + render), although CairoSVG gets its members ready-made.
- size: our PDF at most 1.02 × the JPEG's bytes (the JPEG is embedded byte for byte).
- memory: peak RSS under 100 MiB for the whole `python -m production render ZIP --out DIR
  --config DIR` command: ru_maxrss from os.wait4 on that process, started by a tiny launcher so
  that this benchmark's own RSS is not inherited into the figure.
- text: a text-only surface (the text-only sample zip) renders in under 15 ms, median of 50.

Prints a table with PASS/FAIL per target; exits 1 if any fails.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cairosvg
import cairosvg.surface

from benchmarks.render_fixture import (
    PHOTO_QUALITY,
    REPO,
    SURFACE,
    TEXT,
    TEXT_ONLY_ZIP,
    make_photo,
    photo_order,
    write_config,
)
from benchmarks.targets import Check, print_checks, print_verdict
from production.config.settings import Settings, load_settings
from production.core.geometry import MM
from production.core.model import Customization, Surface
from production.customization import parse_zip, read_zip
from renderers.fonts import FontIndex
from renderers.pdf import PdfRenderer, RenderedSurface
from renderers.placement import PageGeometry, page_geometry

SPEEDUP_TARGET = 25.0
SIZE_TARGET = 1.02
MEMORY_TARGET_MIB = 100.0
TEXT_TARGET_MS = 15.0

TEXT_RUNS = 50
PHOTO_RUNS = 20
CAIRO_RUNS = 3
CLI_TIMEOUT_S = 60.0
MIB = 1024 * 1024
WARM_UP_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><text y="8">a</text></svg>'
)


@dataclass
class ChildRun:
    exit_code: int | None  # None: killed after the timeout
    seconds: float
    peak_rss: int  # bytes
    stdout: str
    stderr: str


def times(action: Callable[[], object], runs: int) -> list[float]:
    """Seconds per call of `action`, `runs` times."""
    result = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        result.append(time.perf_counter() - start)
    return result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def p95(samples: list[float]) -> float:
    return sorted(samples)[max(0, round(len(samples) * 0.95) - 1)]


def page_for(settings: Settings, customization: Customization, surface: Surface) -> PageGeometry:
    """The page the shop's configuration gives this surface, as the render command would."""
    item = customization.item
    product = settings.product_for(item.asin, item.sku)
    template = product.surface(surface.name) if product else None
    if template is None:
        raise SystemExit(f"benchmark config has no product surface for {item.asin} {surface.name}")
    design_box = template.design_box or surface.design_box
    assert design_box is not None
    return page_geometry(
        width_mm=template.width_mm,
        height_mm=template.height_mm,
        bleed_mm=template.bleed_mm,
        design_box=design_box,
    )


# Run by a fresh `python -S`: forks the command, waits for it and writes
# "exit-status killed seconds ru_maxrss" to argv[1]. A child started straight from this
# benchmark would not do: Linux carries the parent's RSS high-water mark over fork/vfork and
# exec into the child's ru_maxrss, so it would report the benchmark's ~300 MiB, not its own.
_LAUNCHER = """
import os, sys, time
report, timeout, command = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
start = time.monotonic()
pid = os.fork()
if pid == 0:
    try:
        os.execv(command[0], command)
    finally:
        os._exit(127)
killed = False
while True:
    done, status, usage = os.wait4(pid, os.WNOHANG)
    if done:
        break
    if time.monotonic() - start > timeout:
        os.kill(pid, 9)
        done, status, usage = os.wait4(pid, 0)
        killed = True
        break
    time.sleep(0.002)
seconds = time.monotonic() - start
with open(report, "w") as file:
    file.write(f"{os.waitstatus_to_exitcode(status)} {int(killed)} {seconds} {usage.ru_maxrss}")
"""


def run_child(command: list[str], *, timeout: float) -> ChildRun:
    """Run `command` as a grandchild of a tiny launcher and read its own peak RSS (wait4)."""
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    with tempfile.TemporaryDirectory(prefix="render-bench-child-") as folder:
        report = Path(folder) / "rusage"
        launcher = [sys.executable, "-S", "-c", _LAUNCHER, str(report), str(timeout), *command]
        done = subprocess.run(
            launcher, capture_output=True, cwd=REPO, env=env, timeout=timeout + 30, check=False
        )
        if not report.is_file():
            raise SystemExit(f"the launcher failed (exit {done.returncode}): {done.stderr!r}")
        exit_code, killed, seconds, maxrss = report.read_text().split()
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    peak = int(maxrss) if sys.platform == "darwin" else int(maxrss) * 1024
    return ChildRun(
        exit_code=None if killed == "1" else int(exit_code),
        seconds=float(seconds),
        peak_rss=peak,
        stdout=done.stdout.decode(errors="replace"),
        stderr=done.stderr.decode(errors="replace"),
    )


class ZipFetcher:
    """CairoSVG's url_fetcher: serves an <image> href from the zip members, never the disk."""

    def __init__(self, members: Mapping[str, bytes]) -> None:
        self.members = members
        self.calls = 0

    def __call__(self, url: str, resource_type: str) -> bytes:
        self.calls += 1
        name = url.rsplit("/", 1)[-1]  # relative hrefs arrive as file:///<cwd>/<name>
        if name not in self.members:
            raise ValueError(f"{url} is not a member of the zip")
        return self.members[name]


def main() -> int:
    checks: list[Check] = []
    details: list[str] = []
    total_start = time.perf_counter()

    with tempfile.TemporaryDirectory(prefix="render-bench-") as tmp_name:
        tmp = Path(tmp_name)
        config_dir = write_config(tmp / "config")
        settings = load_settings(config_dir)

        # -- the photo surface ---------------------------------------------------------------
        photo = make_photo()
        order = photo_order(photo)
        zip_bytes = order.zip_bytes()
        zip_path = tmp / "render-benchmark.zip"
        zip_path.write_bytes(zip_bytes)
        members = read_zip(zip_bytes, source=zip_path.name)
        customization = parse_zip(zip_bytes, source=zip_path.name)
        surface = customization.surfaces[0]
        page = page_for(settings, customization, surface)
        print(
            f"photo surface {surface.name!r}: 4000×3000 JPEG, {len(photo) / 1e6:.2f} MB "
            f"(quality {PHOTO_QUALITY}, noisy), plus the line {TEXT!r}; "
            f"zip {len(zip_bytes) / 1e6:.2f} MB; page {page.trim.width / MM:.1f}×"
            f"{page.trim.height / MM:.1f} mm + {page.trim.x / MM:g} mm bleed"
        )

        renderer = PdfRenderer(fonts=FontIndex([]))
        title = f"{customization.item.order_item_id} {surface.name}"

        def render_photo() -> RenderedSurface:
            return renderer.render(customization, surface, page, members, title=title)

        def parse_and_render_photo() -> RenderedSurface:
            parsed = parse_zip(zip_bytes, source=zip_path.name)
            got = read_zip(zip_bytes, source=zip_path.name)
            return renderer.render(parsed, parsed.surfaces[0], page, got, title=title)

        start = time.perf_counter()
        rendered = render_photo()  # the first render also loads and registers the font
        first_photo = time.perf_counter() - start
        photo_render = times(render_photo, PHOTO_RUNS)
        photo_full = times(parse_and_render_photo, PHOTO_RUNS)
        ours = statistics.median(photo_full)
        ours_render = statistics.median(photo_render)

        svg_name = order.surfaces[0].svg_member
        svg = members[svg_name]
        fetcher = ZipFetcher(members)
        # Warm CairoSVG's one-off set-up (fontconfig) on a tiny SVG before timing it.
        cairosvg.svg2pdf(WARM_UP_SVG)
        cairo_pdf = b""

        def cairo_render() -> None:
            nonlocal cairo_pdf
            cairo_pdf = cairosvg.surface.PDFSurface.convert(svg, url_fetcher=fetcher)

        cairo_times = times(cairo_render, CAIRO_RUNS)
        cairo = statistics.median(cairo_times)
        if fetcher.calls != CAIRO_RUNS:
            raise SystemExit(f"CairoSVG fetched {fetcher.calls} images in {CAIRO_RUNS} runs")

        speedup = cairo / ours
        checks.append(
            Check(
                "photo surface: CairoSVG time ÷ ours (parse+render)",
                f"{speedup:.0f}×",
                f"≥ {SPEEDUP_TARGET:g}×",
                speedup >= SPEEDUP_TARGET,
            )
        )
        size_ratio = len(rendered.pdf) / len(photo)
        checks.append(
            Check(
                "photo surface: our PDF bytes ÷ JPEG bytes",
                f"{size_ratio:.4f}",
                f"≤ {SIZE_TARGET:g}",
                size_ratio <= SIZE_TARGET,
            )
        )
        whole = photo in rendered.pdf
        answer = "yes" if whole else "no"
        checks.append(Check("photo surface: JPEG embedded byte for byte", answer, "yes", whole))
        details += [
            f"ours, render only:       median {ms(ours_render)}, p95 {ms(p95(photo_render))} "
            f"over {PHOTO_RUNS} runs (first run, loading the font: {ms(first_photo)})",
            f"ours, parse+render:      median {ms(ours)}, p95 {ms(p95(photo_full))} over "
            f"{PHOTO_RUNS} runs (parse_zip + read_zip + render, from the zip bytes)",
            f"CairoSVG {cairosvg.__version__} svg2pdf:  median {ms(cairo)} over {CAIRO_RUNS} runs "
            f"({', '.join(ms(t) for t in cairo_times)})",
            "                         same surface SVG; the photo is served from the zip members "
            "by a url_fetcher (via PDFSurface.convert, which svg2pdf forwards to)",
            f"speed-up:                {speedup:.0f}× on parse+render, "
            f"{cairo / ours_render:.0f}× on render alone",
            f"PDF sizes:               ours {len(rendered.pdf):,} B, JPEG {len(photo):,} B, "
            f"CairoSVG {len(cairo_pdf):,} B ({len(cairo_pdf) / len(photo):.2f}× the JPEG)",
        ]
        del cairo_pdf

        # -- the whole render command, in a child process -------------------------------------
        out_dir = tmp / "out"
        command = [sys.executable, "-m", "production", "render", str(zip_path)]
        command += ["--out", str(out_dir), "--config", str(config_dir)]
        baseline = run_child([sys.executable, "-m", "production", "--help"], timeout=CLI_TIMEOUT_S)
        run = run_child(command, timeout=CLI_TIMEOUT_S)
        item = customization.item
        stem = f"{item.order_id}_{item.order_item_id}_{SURFACE}"
        pdf_path, json_path = out_dir / f"{stem}.pdf", out_dir / f"{stem}.json"
        produced = pdf_path.is_file() and json_path.is_file()
        peak_mib = run.peak_rss / MIB
        if run.exit_code == 0 and produced:
            measured = f"{peak_mib:.1f} MiB"
            memory_ok = peak_mib < MEMORY_TARGET_MIB
        elif run.exit_code is None:
            measured, memory_ok = f"killed after {CLI_TIMEOUT_S:g} s", False
        elif run.exit_code != 0:
            measured, memory_ok = f"not measured: exit {run.exit_code}", False
        else:
            measured, memory_ok = f"not measured: no {stem}.pdf/.json", False
        checks.append(
            Check(
                "render command: peak RSS of the whole process",
                measured,
                f"< {MEMORY_TARGET_MIB:g} MiB",
                memory_ok,
            )
        )
        details.append(
            f"render command:          exit {run.exit_code}, {ms(run.seconds)} wall, peak RSS "
            f"{peak_mib:.1f} MiB (`python -m production --help` alone: "
            f"{baseline.peak_rss / MIB:.1f} MiB)"
        )
        if produced:
            cli_pdf = pdf_path.read_bytes()
            details.append(
                f"render command output:   {pdf_path.name} {len(cli_pdf):,} B "
                f"(JPEG byte for byte: {'yes' if photo in cli_pdf else 'no'}) + {json_path.name}"
            )
        else:
            found = sorted(p.name for p in out_dir.iterdir()) if out_dir.is_dir() else []
            details.append(f"render command output:   expected {stem}.pdf/.json, found {found}")
        if run.exit_code != 0:
            tail = (run.stderr.strip() or run.stdout.strip()).splitlines()[-3:]
            details += [f"    {line}" for line in tail]

    # -- a text-only surface ------------------------------------------------------------------
    text_zip = TEXT_ONLY_ZIP.read_bytes()
    text_members = read_zip(text_zip, source=TEXT_ONLY_ZIP.name)
    text_customization = parse_zip(text_zip, source=TEXT_ONLY_ZIP.name)
    text_surface = text_customization.surfaces[0]
    text_page = page_for(settings, text_customization, text_surface)

    def render_text() -> RenderedSurface:
        return renderer.render(
            text_customization, text_surface, text_page, text_members, title="text-only"
        )

    start = time.perf_counter()
    text_pdf = render_text().pdf
    first_text = time.perf_counter() - start
    text_times = times(render_text, TEXT_RUNS)
    text_median = statistics.median(text_times)
    checks.append(
        Check(
            f"text-only surface: render, median of {TEXT_RUNS}",
            ms(text_median),
            f"< {TEXT_TARGET_MS:g} ms",
            text_median * 1000 < TEXT_TARGET_MS,
        )
    )
    details.append(
        f"text-only surface:       {TEXT_ONLY_ZIP.name} {text_surface.name!r}, "
        f"{sum(e.kind == 'text' for e in text_surface.elements)} text element(s), "
        f"median {ms(text_median)}, p95 {ms(p95(text_times))}, first run {ms(first_text)} "
        f"(loads the font), PDF {len(text_pdf):,} B"
    )

    report(checks, details, time.perf_counter() - total_start)
    return 0 if all(check.ok for check in checks) else 1


def report(checks: list[Check], details: list[str], seconds: float) -> None:
    print_checks(checks)
    print()
    for line in details:
        print(line)
    print_verdict(checks, seconds)


if __name__ == "__main__":
    sys.exit(main())
