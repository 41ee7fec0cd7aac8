"""Benchmark of the review page: requests needed to review 50 matches, and the
latency of each keystroke, with Debian Chromium driven by Playwright.

    .venv/bin/python scripts/bench_review.py [--size 50] [--seed 7]

Builds a DuckDB warehouse in a temporary directory from the demo world (raw tables
plus the real matcher's output), serves the review page on 127.0.0.1, and presses
one verdict key per item. Prints:
- requests: every request the page made (page load, verdict POSTs, anything else);
- keystroke handler time in the page: keydown until the next item is in the DOM and the verdict queued;
- keydown to next frame: until the animation frame that paints it (includes the browser's frame wait);
- keystroke latency seen by the driver: key press until the driver has read the next item
  back from the page (two Playwright/CDP round trips included, so an upper bound).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.config import Settings  # noqa: E402
from ingest.review.server import serve_in_thread  # noqa: E402
from ingest.review.session import ReviewSession  # noqa: E402
from ingest.review.store import ReviewStore  # noqa: E402
from ingest.sandbox.world import WorldConfig, generate_world  # noqa: E402
from tests.review.fixtures import load_review_warehouse  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
KEY_CYCLE = ["a", "a", "r", "1", "a", "n", "a", "2", "a", "a"]


def _stats(ms: list[float]) -> str:
    qs = statistics.quantiles(ms, n=20) if len(ms) >= 2 else ms * 19
    return f"p50 {statistics.median(ms):6.1f} ms   p95 {qs[18]:6.1f} ms   max {max(ms):6.1f} ms   (n={len(ms)})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=50)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench_review_") as tmp:
        settings = Settings(duckdb_path=Path(tmp) / "warehouse.duckdb", data_dir=Path(tmp),
                            aoty_base_url="http://127.0.0.1:9/aoty")
        t = time.perf_counter()
        load_review_warehouse(generate_world(WorldConfig.demo(seed=args.seed)), settings)
        print(f"warehouse built (demo world, seed {args.seed}) in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        session = ReviewSession.load(settings, size=args.size, reviewer="bench")
        print(f"sample of {len(session.items)} drawn and assembled in {1000 * (time.perf_counter() - t):.0f} ms")
        n = len(session.items)
        server, url = serve_in_thread(session)
        requests: list[str] = []
        driver_ms: list[float] = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = browser.new_page()
                page.on("request", lambda r: requests.append(f"{r.method} {r.url.split('/', 3)[-1]}"))
                t = time.perf_counter()
                page.goto(url)
                page.wait_for_selector("#item[data-key]")
                print(f"page loaded in {1000 * (time.perf_counter() - t):.0f} ms "
                      f"({len(page.content()) // 1024} KiB with the sample inlined)")
                for i in range(n):
                    key = KEY_CYCLE[i % len(KEY_CYCLE)]
                    if key.isdigit() and int(key) > len(session.items[i]["candidates"]):
                        key = "r"  # no such candidate for this key
                    t = time.perf_counter()
                    page.keyboard.press(key)
                    # The handler is synchronous: when press() returns, the next item is on screen.
                    shown = page.evaluate("[document.getElementById('pos').textContent, "
                                          "document.getElementById('status').textContent]")
                    driver_ms.append(1000 * (time.perf_counter() - t))
                    want = f"{min(i + 2, n)} / {n}"
                    if shown[0] != want or not shown[1].startswith(f"{i + 1} reviewed"):
                        raise SystemExit(f"after key {i + 1} the page shows {shown}, expected {want}")
                page.wait_for_function("document.getElementById('status').dataset.pending === '0'")
                in_page = page.evaluate("window.__review.latencies")
                handler = page.evaluate("window.__review.handler")
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
        with ReviewStore(settings) as store:
            stored = len(store.all())
    posts = sum(r.startswith("POST") for r in requests)
    print(f"\nreview of {n} items: {len(requests)} requests in all "
          f"({len(requests) - posts} GET, {posts} verdict POSTs); {stored} verdicts stored")
    print(f"keystroke handler time in the page:   {_stats(handler)}")
    print(f"keydown to next frame in the page:    {_stats(in_page)}")
    print(f"keystroke latency seen by the driver: {_stats(driver_ms)}")
    print(f"machine load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    ok = len(requests) <= n and stored == n and max(handler) < 100 and statistics.median(in_page) < 100
    print("goal (<= 50 requests for 50 items, every keystroke handled < 100 ms):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
