"""How fast the desk page answers with a busy day's orders ready to ship.

A shop in a temporary folder takes in `--orders` text-only zips and a quarter as many photo zips
through the real pipeline and marks them printed; the desk is served on loopback and read
through HTTP like a browser does: the full page, the live fragment (200 and 304), a proof
rendered for the first time and again from the cache.

    python benchmarks/desk_page.py [--orders N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from benchmarks.targets import Check, print_checks, print_verdict
from production.store import JobRecord, JobState
from tests.daemon.shop import renumbered, sample
from tests.desk.desk_shop import DeskShop
from tests.desk.test_desk_http import logged_in_at

PAGE_P95_MS = 200.0
NOT_MODIFIED_P95_MS = 150.0
PROOF_FIRST_MS = 150.0
PROOF_CACHED_MS = 15.0


def timed(call: Callable[[], httpx.Response], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = call()
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code in (200, 304), answer.status_code
    return times


def p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95) - 1] if len(values) > 1 else values[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--orders", type=int, default=300)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        shop = DeskShop(Path(folder))
        photos = max(1, args.orders // 4)
        for number in range(1, args.orders + 1):
            name = "photo-text" if number <= photos else "text-only"
            shop.drop(renumbered(sample(name), number), f"{number}.zip")
        shop.settle()
        while shop.daemon.loop():
            pass
        for job in shop.store.jobs(state=JobState.QUEUED):
            shop.daemon.pipeline.mark_printed(job.job_id, reason="benchmark")
        ready = len(shop.store.orders_ready_to_ship())
        print(f"{ready} orders ready to ship ({photos} with a photo)")
        with shop.desk() as desk:
            client = logged_in_at(desk.base_url)
            page = timed(lambda: client.get("/"), 20)
            first = client.get("/fragments/board")
            tag = first.headers["etag"]
            same = timed(lambda: client.get("/fragments/board", headers={"If-None-Match": tag}), 20)
            photo_asin = "B0SAMPLE03"  # the product of the photo-text sample
            photo_jobs = [
                j for j in shop.store.jobs()
                if (item := shop.store.item(j.order_item_id)) and item.asin == photo_asin
            ]  # fmt: skip

            def proof(job: JobRecord) -> Callable[[], httpx.Response]:
                return lambda: client.get(f"/proofs/{job.job_id}.png")

            fresh = [timed(proof(job), 1)[0] for job in photo_jobs[:30]]
            cached = [timed(proof(job), 1)[0] for job in photo_jobs[:30]]
            size = len(first.content)
        shop.close()
    print(f"page {size / 1024:.0f} KiB; page median {statistics.median(page):.0f} ms")
    checks = [
        Check(f"whole page, {ready} orders, p95 of 20", f"{p95(page):.0f} ms",
              f"< {PAGE_P95_MS:.0f} ms", p95(page) < PAGE_P95_MS),
        Check("live update unchanged (304), p95 of 20", f"{p95(same):.0f} ms",
              f"< {NOT_MODIFIED_P95_MS:.0f} ms", p95(same) < NOT_MODIFIED_P95_MS),
        Check("photo proof, first request, median of 30", f"{statistics.median(fresh):.0f} ms",
              f"< {PROOF_FIRST_MS:.0f} ms", statistics.median(fresh) < PROOF_FIRST_MS),
        Check("photo proof, cached, median of 30", f"{statistics.median(cached):.1f} ms",
              f"< {PROOF_CACHED_MS:.0f} ms", statistics.median(cached) < PROOF_CACHED_MS),
    ]  # fmt: skip
    print_checks(checks)
    print_verdict(checks, time.perf_counter() - started)
    return 0 if all(check.ok for check in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
