"""AOTY scraping figures against the local site (politeness off):

  * pages/s of the fetcher alone (real Chromium, `--concurrency` pages) and of the parser alone;
  * the whole stage on a world's listening history: requests per newly needed album (goal <= 2);
  * the cache hit rate of a re-run (goal 100 %), over the same warehouse and over a new one.

    .venv/bin/python scripts/bench_aoty.py [--artists 100] [--users 2] [--scrobbles 1500] [--pages 100]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

from ingest.aoty import scrape_aoty  # noqa: E402
from ingest.aoty.cache import PageCache  # noqa: E402
from ingest.aoty.fetcher import FetchPolicy, PageFetcher  # noqa: E402
from ingest.aoty.parse import parse_album  # noqa: E402
from ingest.config import RAW_LASTFM, Settings  # noqa: E402
from ingest.sandbox.aoty_site import AotySite, SiteContent  # noqa: E402
from ingest.sandbox.world import WorldConfig, generate_world  # noqa: E402


def load_scrobbles(world, settings: Settings) -> int:
    import dlt

    from ingest.sandbox.raw_fixture import world_raw_tables

    table = world_raw_tables(world)[RAW_LASTFM][0]
    pipeline = dlt.pipeline(pipeline_name="bench_lastfm", destination=settings.dlt_destination(),
                            dataset_name=RAW_LASTFM, pipelines_dir=str(settings.pipelines_dir))
    pipeline.run(dlt.resource(table.data, name="scrobbles", primary_key="scrobble_id", write_disposition="merge"))
    return table.data.num_rows


def settings_for(root: Path, base_url: str, cache: Path, concurrency: int) -> Settings:
    return Settings(warehouse="duckdb", duckdb_path=root / "wh.duckdb", data_dir=root, aoty_base_url=base_url,
                    aoty_cache_dir=cache, aoty_requests_per_second=0.0, aoty_max_concurrent=concurrency)


async def fetch_pages(urls: list[str], cache_dir: Path, concurrency: int) -> float:
    policy = FetchPolicy(max_concurrent=concurrency, requests_per_second=0.0)
    async with PageFetcher(policy, PageCache(cache_dir)) as f:
        await f.fetch(urls[0], "album")  # browser start-up is not page time
        t0 = time.perf_counter()
        results = await f.fetch_many([(u, "album") for u in urls[1:]])
        elapsed = time.perf_counter() - t0
    assert all(r.ok for r in results), "the local site failed a page"
    return (len(urls) - 1) / elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--artists", type=int, default=100)
    ap.add_argument("--users", type=int, default=2)
    ap.add_argument("--scrobbles", type=int, default=1500, help="per user")
    ap.add_argument("--pages", type=int, default=100, help="album pages for the raw fetch rate")
    ap.add_argument("--concurrency", type=int, default=3)
    args = ap.parse_args()

    world = generate_world(WorldConfig(seed=7, n_artists=args.artists, n_users=args.users,
                                       scrobbles_per_user=args.scrobbles))
    albums = sorted(world.aoty_albums(), key=lambda a: a.album_id)
    print(f"world: {len(albums):,} AOTY albums, {world.scrobble_count():,} scrobbles, "
          f"{len(world.spellings):,} distinct spellings; load average {os.getloadavg()[0]:.1f}")

    content = SiteContent(world)
    pages = [content.album_page(a, "https://www.albumoftheyear.org") for a in albums[:300]]
    t0 = time.perf_counter()
    for html in pages:
        parse_album(html, "")
    print(f"parser alone: {len(pages) / (time.perf_counter() - t0):,.0f} album pages/s")

    with tempfile.TemporaryDirectory() as tmp, AotySite(world) as site:
        root = Path(tmp)
        urls = [f"{site.base_url}/album/{a.slug}.php" for a in albums[: args.pages + 1]]
        rate = asyncio.run(fetch_pages(urls, root / "fetch-cache", args.concurrency))
        print(f"fetcher alone (Chromium, {args.concurrency} pages, politeness off): {rate:.1f} pages/s")

        site.reset_counters()
        s1 = settings_for(root / "a", site.base_url, root / "cache", args.concurrency)
        load_scrobbles(world, s1)
        first = scrape_aoty(s1)
        print(f"stage, first run: {first.pairs:,} (artist, album) pairs -> {first.albums_needed:,} albums needed, "
              f"{first.albums_loaded:,} loaded, {first.pairs_unresolved:,} pairs unresolved; "
              f"{first.requests:,} requests ({dict(site.hits_by_kind)}) in {first.seconds:.1f}s "
              f"= {first.requests / first.seconds:.1f} requests/s end to end")
        print(f"requests per newly needed album: {first.requests_per_new_album:.2f} (goal <= 2)")

        site.reset_counters()
        again = scrape_aoty(s1)
        print(f"re-run, same warehouse: {again.requests} requests, cache hit rate {again.cache_hit_rate:.0%} "
              f"({again.cache_hits} cache hits, {again.albums_fresh} albums fresh in the warehouse), {again.seconds:.1f}s")

        site.reset_counters()
        s2 = settings_for(root / "b", site.base_url, root / "cache", args.concurrency)
        load_scrobbles(world, s2)
        fresh = scrape_aoty(s2)
        print(f"re-run, new warehouse, same page cache: {fresh.requests} requests, cache hit rate "
              f"{fresh.cache_hit_rate:.0%} ({fresh.cache_hits} cache hits), {fresh.albums_loaded} albums loaded, "
              f"{fresh.seconds:.1f}s")
        assert site.requests == 0, "a re-run over a full cache must not touch the site"
    return 0


if __name__ == "__main__":
    sys.exit(main())
