"""What preflight and the proof check add to rendering an order item, per sample zip.

    python benchmarks/proof_check.py

Each sample zip, and the render benchmark's photo zip (a 4000×3000 JPEG of 4.4 MB, noisy,
quality 95: the worst case for decoding), is rendered by `ItemRenderer.render_zip` with the
default configuration, median of 15 runs, once as it is and once with the checks left out (the
proof page redrawn with reduced photos, `renderers.preflight.check_surface`). The difference
is what the checks cost: extents and rules, the proof PNG, the comparison with the snapshot.
A held job's comparison picture (`Comparison.png`) is timed on its own: only held jobs get one.

Target: the checks add under 100 ms to a text surface. Prints a table with PASS/FAIL; exits 1
if the target is missed.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest.mock import patch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import production.floor.rendering as rendering
import renderers.preflight as preflight
import renderers.proofcheck as proofcheck
from benchmarks.render_fixture import make_photo, photo_order, write_config
from benchmarks.targets import Check, print_checks, print_verdict
from production.config.settings import DEFAULT_CONFIG_DIR, load_settings
from production.customization import parse_zip
from production.customization.samples import sample_zips
from production.floor.rendering import ItemRenderer
from renderers.preflight import SurfaceCheck
from renderers.proofcheck import ProofCheck

RUNS = 15
TEXT_TARGET_MS = 100.0


def median_ms(run: Callable[[], object], runs: int = RUNS) -> float:
    run()  # warm: fonts, caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _unchecked(*_args: Any, **_kwargs: Any) -> SurfaceCheck:
    return SurfaceCheck([], ProofCheck(b"", None), None)


def added_ms(renderer: ItemRenderer, data: bytes) -> tuple[float, float, float]:
    """(render without the checks, with them, a comparison picture), in ms."""
    checked = median_ms(lambda: renderer.render_zip(data))
    # The names the renderer looks up at call time; both are put back on leaving.
    with (
        patch.object(rendering, "check_surface", _unchecked),
        patch.object(ItemRenderer, "_proof_pdf", lambda *_args, **_kwargs: None),
    ):
        bare = median_ms(lambda: renderer.render_zip(data))
    return bare, checked, _picture_ms(renderer, data)


def _picture_ms(renderer: ItemRenderer, data: bytes) -> float:
    """The slowest of the item's comparison pictures, drawn as a held job would get them."""
    pictures: list[Callable[[], bytes]] = []
    real = proofcheck.check_proof  # what preflight imported and calls

    def capture(*args: Any, **kwargs: Any) -> ProofCheck:
        proof = real(*args, **kwargs)
        if proof.comparison is not None:
            pictures.append(proof.comparison.png)
        return proof

    with patch.object(preflight, "check_proof", capture):
        renderer.render_zip(data)
    return max((median_ms(picture, 5) for picture in pictures), default=0.0)


def main() -> int:
    started = time.monotonic()
    renderer = ItemRenderer(load_settings(DEFAULT_CONFIG_DIR))
    bench = ItemRenderer(load_settings(write_config(Path(tempfile.mkdtemp()) / "config")))
    cases: list[tuple[str, ItemRenderer, bytes]] = [
        (path.stem, renderer, path.read_bytes()) for path in sample_zips()
    ]
    cases.append(("benchmark photo (4.4 MB)", bench, photo_order(make_photo()).zip_bytes()))
    checks: list[Check] = []
    print(f"{'zip':<26} {'kind':<6} {'render':>9} {'checked':>9} {'added':>9} {'picture':>9}")
    for name, which, data in cases:
        customization = parse_zip(data)
        if customization.is_options_only:
            continue
        photos = any(surface.images for surface in customization.surfaces)
        kind = "photo" if photos else "text"
        bare, checked, picture = added_ms(which, data)
        surfaces = sum(1 for surface in customization.surfaces if surface.is_printable)
        added = (checked - bare) / surfaces
        print(
            f"{name:<26} {kind:<6} {bare:>7.1f}ms {checked:>7.1f}ms {added:>7.1f}ms "
            f"{picture:>7.1f}ms"
        )
        if kind == "text":
            checks.append(
                Check(
                    f"checks added to {name}, per surface",
                    f"{added:.1f} ms",
                    f"< {TEXT_TARGET_MS:.0f} ms",
                    added < TEXT_TARGET_MS,
                )
            )
    print_checks(checks)
    print_verdict(checks, time.monotonic() - started)
    return 0 if all(check.ok for check in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
