"""How long shaping one line with HarfBuzz takes, warm and on a font's first use.

    python benchmarks/shaping.py

Lines are shaped by `renderers.shaping.shape` in fonts of Debian packages (.ci/run installs
them): a 20-character Latin line, a mixed Hebrew/Latin/digits line (bidi runs) and a Devanagari
line, each the median and p95 of many runs with the font already loaded. A font's first use
reads the file and builds the HarfBuzz face (and decompresses a WOFF2); it is timed on a fresh
copy of the file, which the cache has not seen. Targets:

- a 20-character Latin line, warm: p95 under 1 ms (the text surface's whole budget is 15 ms);
- the first line in a CFF (.otf) font: under 200 ms (issue 15's figure for a CFF font's first
  use), and the same for a TrueType font.

The mixed-script lines, and the first use of a WOFF2 font (fontTools rebuilds its glyf table),
are printed as figures without a target. Prints a table with PASS/FAIL; exits 1 if any fails.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fontTools.ttLib import TTFont

from benchmarks.targets import Check, print_checks, print_verdict
from renderers.fonts import ResolvedFont
from renderers.shaping import shape

FONTS = Path("/usr/share/fonts")
DEJAVU = FONTS / "truetype/dejavu/DejaVuSans.ttf"
DEVANAGARI = FONTS / "truetype/noto/NotoSansDevanagari-Regular.ttf"
CANTARELL = FONTS / "opentype/cantarell/Cantarell-Regular.otf"

LATIN = "Happy Birthday, Zoë!"  # 20 characters
MIXED = "Love שלום 123 forever"
HINDI = "नमस्ते दुनिया, शुभकामनाएँ"
WARM_RUNS = 2000
COLD_RUNS = 5
LATIN_TARGET_MS = 1.0
FIRST_USE_TARGET_MS = 200.0


def _font(path: Path) -> ResolvedFont:
    return ResolvedFont(path=path, family="benchmark", weight=400, italic=False)


def _warm(path: Path, text: str) -> tuple[float, float]:
    """Median and p95 in ms of shaping `text` once the font is cached."""
    font = _font(path)
    shape(font, text)
    times = []
    for _ in range(WARM_RUNS):
        start = time.perf_counter()
        shape(font, text)
        times.append(time.perf_counter() - start)
    times.sort()
    return statistics.median(times) * 1000, times[int(WARM_RUNS * 0.95) - 1] * 1000


def _first_use(make_copy: Callable[[Path], Path], text: str) -> float:
    """Median in ms of the first shaping with a font file the cache has never seen."""
    times = []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(COLD_RUNS):
            path = make_copy(Path(folder) / str(run))
            start = time.perf_counter()
            shape(_font(path), text)
            times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _copy_of(source: Path) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        folder.mkdir()
        return Path(shutil.copy(source, folder))

    return make


def _woff2_of(source: Path) -> Callable[[Path], Path]:
    font = TTFont(source)
    font.flavor = "woff2"
    with tempfile.TemporaryDirectory() as folder:
        font.save(Path(folder) / "font.woff2")
        data = (Path(folder) / "font.woff2").read_bytes()

    def make(folder: Path) -> Path:
        folder.mkdir()
        path = folder / f"{source.stem}.woff2"
        path.write_bytes(data)
        return path

    return make


def main() -> None:
    started = time.perf_counter()
    for path in (DEJAVU, DEVANAGARI, CANTARELL):
        if not path.is_file():
            sys.exit(f"{path} is missing: install the Debian font packages of .ci/run")
    latin_median, latin_p95 = _warm(DEJAVU, LATIN)
    mixed_median, mixed_p95 = _warm(DEJAVU, MIXED)
    hindi_median, hindi_p95 = _warm(DEVANAGARI, HINDI)
    ttf_first = _first_use(_copy_of(DEJAVU), LATIN)
    cff_first = _first_use(_copy_of(CANTARELL), LATIN)
    woff2_first = _first_use(_woff2_of(CANTARELL), LATIN)

    print(f"{len(LATIN)}-character Latin line (DejaVu Sans), warm: median {latin_median:.3f} ms")
    print(f"{len(MIXED)}-character Hebrew/Latin/digits line, warm: median {mixed_median:.3f} ms, "
          f"p95 {mixed_p95:.3f} ms")  # fmt: skip
    print(f"{len(HINDI)}-character Devanagari line, warm: median {hindi_median:.3f} ms, "
          f"p95 {hindi_p95:.3f} ms")  # fmt: skip
    print(f"first line in a WOFF2 (Cantarell, CFF): {woff2_first:.1f} ms")
    checks = [
        Check("Latin line, warm, p95", f"{latin_p95:.3f} ms", f"< {LATIN_TARGET_MS:g} ms",
              latin_p95 < LATIN_TARGET_MS),
        Check("first line, TrueType font", f"{ttf_first:.1f} ms",
              f"< {FIRST_USE_TARGET_MS:g} ms", ttf_first < FIRST_USE_TARGET_MS),
        Check("first line, CFF font", f"{cff_first:.1f} ms", f"< {FIRST_USE_TARGET_MS:g} ms",
              cff_first < FIRST_USE_TARGET_MS),
    ]  # fmt: skip
    print_checks(checks)
    print_verdict(checks, time.perf_counter() - started)
    sys.exit(0 if all(check.ok for check in checks) else 1)


if __name__ == "__main__":
    main()
