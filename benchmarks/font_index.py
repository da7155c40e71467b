"""What indexing the fonts costs a process start, cold and warm (the on-disk index cache).

    python benchmarks/font_index.py

Every run is a fresh Python process that builds the index a shop's renderer builds: the shop's
font folder (a copy of a few packaged fonts) and every installed font (Python font packages,
the system's, reportlab's). Cold: an empty cache folder, so every font file is opened. Warm:
the cache the cold run left, so the folders are walked (one `stat` per file) and no font is
opened. Then one font is added to the shop's folder: only that file is read. Each child reports
how long `FontIndex(...)` took (imports left out) and how many font files it opened, counted
by an injected reader. Median of the runs, as wall time and as the CPU time of the child (the
figure the targets are checked on: on a shared machine the wall time also counts the waits for
a core, which have nothing to do with the index).

Targets (issue 15, "fonts are indexed once per process start"): a warm start opens no font
file and takes under 15 ms of CPU, and at most a tenth of a cold one; after adding a font, exactly
one file is read. Prints a table with PASS/FAIL; exits 1 if a target is missed.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.targets import Check, print_checks, print_verdict
from renderers.fonts import installed_font_dirs

RUNS = 7
WARM_TARGET_MS = 15.0
WARM_SHARE = 0.1  # of a cold start

# The child: build the index, report milliseconds, files opened, families.
CHILD = """
import json, sys, time
from pathlib import Path
from renderers.fontfaces import read_faces
from renderers.fonts import FontIndex

opened = []
def reader(path):
    opened.append(path.name)
    return read_faces(path)

shop, cache = Path(sys.argv[1]), Path(sys.argv[2])
start, cpu = time.perf_counter(), time.process_time()
index = FontIndex([shop], cache_dir=cache, reader=reader)
ms, cpu_ms = (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000
print(json.dumps({"ms": ms, "cpu_ms": cpu_ms, "opened": len(opened),
                  "families": len(index.families())}))
"""


def child(shop: Path, cache: Path) -> dict[str, float]:
    run = subprocess.run(
        [sys.executable, "-c", CHILD, str(shop), str(cache)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(cache.parent)},
    )
    result: dict[str, float] = json.loads(run.stdout)
    return result


def shop_folder(folder: Path) -> Path:
    """A shop fonts folder with a few fonts from the installed font packages."""
    folder.mkdir(parents=True)
    for source in installed_font_dirs():
        for font in sorted(source.glob("*.ttf"))[:3]:
            shutil.copyfile(font, folder / font.name)
        if len(list(folder.iterdir())) >= 6:
            break
    return folder


def main() -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        shop = shop_folder(Path(tmp) / "fonts")
        colds, warms = [], []
        for run in range(RUNS):
            cache = Path(tmp) / f"cache-{run}"
            colds.append(child(shop, cache))
            warms.append(child(shop, cache))
        extra = next(f for d in installed_font_dirs() for f in sorted(d.rglob("*.ttf")))
        shutil.copyfile(extra, shop / f"added-{extra.name}")
        added = child(shop, Path(tmp) / "cache-0")
        after = child(shop, Path(tmp) / "cache-0")
    cold_ms = statistics.median(r["cpu_ms"] for r in colds)
    warm_ms = statistics.median(r["cpu_ms"] for r in warms)
    print(f"fonts indexed: {colds[0]['opened']:.0f} files, {colds[0]['families']:.0f} families")
    print(f"{'':14} {'CPU':>9} {'wall':>9}  (median of {RUNS} processes)")
    for name, runs in (("cold start", colds), ("warm start", warms)):
        wall = statistics.median(r["ms"] for r in runs)
        cpu = statistics.median(r["cpu_ms"] for r in runs)
        print(f"{name:<14} {cpu:7.1f}ms {wall:7.1f}ms  {max(r['opened'] for r in runs):.0f} opened")
    for name, one in (("font added", added), ("then warm", after)):
        print(f"{name:<14} {one['cpu_ms']:7.1f}ms {one['ms']:7.1f}ms  {one['opened']:.0f} opened")
    checks = [
        Check(
            "font files a warm start opens",
            f"{max(r['opened'] for r in warms):.0f}",
            "0",
            all(r["opened"] == 0 for r in warms),
        ),
        Check(
            "warm start (CPU)",
            f"{warm_ms:.1f} ms",
            f"< {WARM_TARGET_MS:.0f} ms",
            warm_ms < WARM_TARGET_MS,
        ),
        Check(
            "warm start / cold start",
            f"{warm_ms / cold_ms:.3f}",
            f"<= {WARM_SHARE}",
            warm_ms <= WARM_SHARE * cold_ms,
        ),
        Check(
            "files read after adding one",
            f"{added['opened']:.0f}",
            "1",
            added["opened"] == 1 and after["opened"] == 0,
        ),
    ]
    print_checks(checks)
    print_verdict(checks, time.monotonic() - started)
    return 0 if all(check.ok for check in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
