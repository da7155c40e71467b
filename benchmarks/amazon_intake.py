"""How much of Amazon's searchOrders quota the intake uses on a large backlog, and its 429s.

The simulator serves a backlog of orders over real HTTP on loopback with Amazon's token buckets
(searchOrders: 0.0056 requests/s, burst 20), refilled `SCALE` times faster so the run takes
seconds instead of hours. The intake reads every page through the real client; once the burst
is spent, each page can come only when the bucket allows it, so the pages per second after the
burst, divided by the allowed rate, is the share of the quota used.

    python benchmarks/amazon_intake.py [--orders N] [--scale S]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.targets import Check, print_checks, print_verdict
from production.amazon.client import SpApiClient
from production.amazon.credentials import Credentials
from production.amazon.ratelimit import RATES
from production.amazon.sim import DEFAULT_CREDENTIALS, SimState
from production.amazon.sim.server import serve
from production.floor.amazon_intake import Window, orders_from_2026
from tests.daemon.shop import renumbered, sample

TARGET_SHARE = 0.90
MAX_429 = 5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--scale", type=float, default=500.0)
    args = parser.parse_args(argv)

    state = SimState(rate_scale=args.scale)
    kinds = ("text-only", "photo-text", "two-surfaces")
    templates = [sample(kind) for kind in kinds]
    started = time.monotonic()
    for number in range(args.orders):
        state.add_order(renumbered(templates[number % len(templates)], number))
    print(f"backlog: {args.orders} orders added in {time.monotonic() - started:.1f} s")

    rate, burst = RATES["searchOrders"]
    allowed = rate * args.scale
    credentials = Credentials(
        DEFAULT_CREDENTIALS.client_id,
        DEFAULT_CREDENTIALS.client_secret,
        DEFAULT_CREDENTIALS.refresh_token,
    )
    with serve(state) as server:
        client = SpApiClient(
            endpoint=server.base_url, lwa_endpoint=server.base_url, credentials=credentials
        )
        # The client's buckets run at Amazon's real rates; the simulator's header tells it the
        # (scaled) rate in force, exactly as `x-amzn-RateLimit-Limit` does on Amazon.
        page_times: list[float] = []
        seen: set[str] = set()
        window = Window((state.marketplace_id,), datetime.now(UTC) - timedelta(days=1))
        original = client.search_orders

        def timed(**query: object) -> dict[str, object]:
            page = original(**query)  # type: ignore[arg-type]
            page_times.append(time.monotonic())
            return page

        client.search_orders = timed  # type: ignore[method-assign]
        begin = time.monotonic()
        with client:
            for order in orders_from_2026(client, window):
                seen.add(order.order_id)
        elapsed = time.monotonic() - begin
        throttled = state.throttled().get("searchOrders", 0)

    pages = len(page_times)
    # From a few pages past the burst: the tokens that refilled while the burst was being read
    # would otherwise count as quota.
    after_burst = page_times[burst + 2 :] if pages > burst + 3 else []
    if len(after_burst) >= 2:
        span = after_burst[-1] - after_burst[0]
        share = (len(after_burst) - 1) / (span * allowed) if span > 0 else 0.0
    else:
        share = 0.0
    lost = args.orders - len(seen)
    checks = [
        Check("orders read (none lost, none twice)", f"{len(seen)}/{args.orders}", "all",
              lost == 0),
        Check("searchOrders quota used after the burst", f"{share:.1%}",
              f"≥ {TARGET_SHARE:.0%}", share >= TARGET_SHARE),
        Check("429 QuotaExceeded answers", str(throttled), f"≤ {MAX_429}", throttled <= MAX_429),
    ]  # fmt: skip
    print_checks(checks)
    print(
        f"\npages: {pages} ({burst} from the burst), in {elapsed:.1f} s; allowed rate "
        f"{allowed:.2f}/s ({rate}/s × {args.scale:g}); throttled calls {throttled}"
    )
    print_verdict(checks, time.monotonic() - started)
    return 0 if all(check.ok for check in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
