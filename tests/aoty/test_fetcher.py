"""The fetcher with real Chromium against the local site: exact pages, every fault kind, the
circuit breaker, politeness; and the disk cache on its own."""
from __future__ import annotations

import asyncio
import json
import time

import pytest

from ingest.aoty.cache import CachedPage, PageCache
from ingest.aoty.fetcher import FetchPolicy, PageFetcher
from ingest.aoty.parse import parse_album
from ingest.aoty.records import AlbumRecord
from ingest.sandbox.aoty_site import AotyFaults

from .test_parse import expected, got

FAST = dict(requests_per_second=0.0, backoff_base_s=0.05, timeout_s=5.0, challenge_wait_s=0.5)


def album_urls(site, world, n: int | None = None) -> list[str]:
    albums = sorted(world.aoty_albums(), key=lambda a: a.album_id)[:n]
    return [f"{site.base_url}/album/{a.slug}.php" for a in albums]


async def fetch_all(urls, cache_dir, **policy):
    async with PageFetcher(FetchPolicy(**{**FAST, **policy}), PageCache(cache_dir), run_id="t", seed=1) as f:
        results = await f.fetch_many([(u, "album") for u in urls])
        # asking again in the same run is answered without a request
        again = await f.fetch(urls[0], "album")
        return f, results, again


@pytest.mark.browser
def test_every_album_page_through_chromium_parses_exactly(tiny_world, site, tmp_path):
    urls = album_urls(site, tiny_world)
    f, results, again = asyncio.run(fetch_all(urls, tmp_path / "c"))
    assert site.requests == len(urls) and max(site.hits.values()) == 1
    assert again is results[0]
    by_id = {a.album_id: a for a in tiny_world.aoty_albums()}
    for res in results:
        assert res.ok and not res.from_cache and res.attempts == 1
        rec = parse_album(res.content, res.url)
        assert isinstance(rec, AlbumRecord), rec
        assert got(rec) == expected(tiny_world, by_id[rec.album_id])
    assert len(f.attempts) == len(urls) and all(a.status == 200 and not a.cache_hit for a in f.attempts)


@pytest.mark.browser
def test_each_fault_kind_is_retried_and_the_run_finishes(tiny_world, site, tmp_path):
    site.faults = AotyFaults(seed=5, rate_limit_share=0.2, retry_after_s=0.3, server_error_share=0.2,
                             challenge_share=0.2, challenge_status=503, challenge_solvable=False,
                             slow_share=0.15, slow_s=5.0, truncate_share=0.2)
    urls = album_urls(site, tiny_world)
    f, results, _ = asyncio.run(fetch_all(urls, tmp_path / "c", timeout_s=2.5, breaker_threshold=20))
    assert set(site.faults_served) >= {"429", "503", "challenge", "slow", "truncate"}, site.faults_served
    first_errors = {a.error_class for a in f.attempts if a.attempt == 1}
    assert first_errors >= {"http_429", "http_5xx", "challenge", "timeout", "truncated", None}
    assert all(r.ok for r in results), [(r.url, r.error_class) for r in results if not r.ok]
    retried = {r.url for r in results if r.attempts > 1}
    assert len(retried) >= 5 and not f.breaker.open
    for res in results:  # whatever was retried, the page finally read is whole and right
        assert isinstance(parse_album(res.content, res.url), AlbumRecord)
    pages = PageCache(tmp_path / "c")
    assert all(pages.get(u) is not None for u in urls)


@pytest.mark.browser
def test_a_challenge_that_clears_itself_in_the_browser_is_waited_out(tiny_world, site, tmp_path):
    site.faults = AotyFaults(challenge_share=1.0, challenge_status=403, challenge_solvable=True, failures_per_url=10**6)
    urls = album_urls(site, tiny_world, 3)
    f, results, _ = asyncio.run(fetch_all(urls, tmp_path / "c", challenge_wait_s=10.0, max_concurrent=1))
    assert all(r.ok for r in results)
    assert all(isinstance(parse_album(r.content, r.url), AlbumRecord) for r in results)
    # the browser cleared it (at most one slow attempt on a loaded machine), and the clearance
    # cookie lets the later pages through without a challenge
    assert sum(a.error_class == "challenge" for a in f.attempts) <= 1
    assert 1 <= site.faults_served["challenge"] <= 2


@pytest.mark.browser
def test_politeness_spaces_requests_to_one_host(tiny_world, site, tmp_path):
    urls = album_urls(site, tiny_world, 5)
    t0 = time.monotonic()
    asyncio.run(fetch_all(urls, tmp_path / "c", requests_per_second=4.0, max_concurrent=3))
    assert time.monotonic() - t0 >= 1.0  # 4 intervals of 0.25 s between 5 starts
    arrivals = [t for t, _ in site.request_log]
    assert len(arrivals) == 5 and arrivals[-1] - arrivals[0] >= 0.75
    # start times are spaced; arrivals jitter with the browser, but never bunch beyond the rate
    assert max(sum(1 for b in arrivals if a <= b < a + 1.0) for a in arrivals) <= 5


def test_cache_round_trip_ttl_and_atomic_writes(tmp_path):
    cache = PageCache(tmp_path, ttl_days=1)
    url = "https://www.albumoftheyear.org/album/1-x.php"
    assert cache.get(url) is None
    path = cache.put(CachedPage(url, 200, "<html>ok</html>", time.time(), "album"))
    assert cache.get(url).content == "<html>ok</html>" and json.loads(path.read_text())["url"] == url
    assert not list(tmp_path.rglob(".tmp-*"))  # the temporary file was renamed into place
    cache.put(CachedPage(url, 200, "<html>old</html>", time.time() - 2 * 86400, "album"))
    assert cache.get(url) is None and cache.get(url, allow_stale=True).content == "<html>old</html>"
    path.write_text('{"url": "' + url + '", "status": 2')  # a torn file (never written by put) is a miss
    assert cache.get(url) is None
