"""The AOTY stage end to end: raw_lastfm pairs -> discovery -> album pages -> raw_aoty (real dlt,
real DuckDB, real Chromium against the local site), re-runs, faults, and a SIGKILL mid-stage."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.aoty import scrape_aoty
from ingest.aoty.cache import PageCache
from ingest.aoty.fetcher import FetchPolicy
from ingest.aoty.parse import parse_album
from ingest.config import connect
from ingest.sandbox.aoty_site import AotyFaults

from .conftest import load_scrobbles, warehouse_settings

pytestmark = pytest.mark.browser
FAST = dict(backoff_base_s=0.05, timeout_s=5.0, challenge_wait_s=0.5)
CONTRACT = {
    "albums": {"album_id", "url", "title", "artist_id", "artist_name", "release_date", "release_year", "format",
               "label", "critic_score", "critic_review_count", "user_score", "user_rating_count",
               "total_length_s", "fetched_at", "parser_version"},
    "album_artists": {"album_id", "position", "artist_id", "artist_name"},
    "album_genres": {"album_id", "genre", "is_primary", "position"},
    "album_tags": {"album_id", "tag"},
    "tracks": {"track_id", "album_id", "disc", "number", "title", "duration_s", "rating", "rating_count", "notes"},
    "track_featured_artists": {"track_id", "position", "artist_id", "artist_name"},
    "artists": {"artist_id", "name", "url", "critic_score", "user_score"},
    "search_results": {"query", "position", "album_id", "url", "artist_name", "title", "release_year", "format"},
    "fetch_log": {"url", "page_type", "status", "attempt", "duration_ms", "cache_hit", "error_class", "fetched_at",
                  "run_id"},
}


def rows(settings, sql):
    con = connect(settings)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def truth_album_ids(world) -> set[int]:
    listened = {int(i) for u in world.users.values() for i in u.spelling_idx}
    return {world.spellings[i].truth_album_id for i in listened if world.spellings[i].album} - {None}


def test_scrape_loads_the_contract_and_a_rerun_makes_no_requests(tiny_world, site, tmp_path):
    settings = warehouse_settings(tmp_path, site.base_url)
    load_scrobbles(tiny_world, settings)
    policy = FetchPolicy.from_settings(settings, **FAST)
    first = scrape_aoty(settings, policy=policy)
    assert first.albums_loaded == first.albums_new == first.albums_needed > 0 and not first.failures
    assert first.requests == site.requests and max(site.hits.values()) == 1  # no URL twice in a run
    assert first.requests_per_new_album == round(first.requests / first.albums_new, 3)
    for table, columns in CONTRACT.items():
        got = {r[0] for r in rows(settings, "select column_name from information_schema.columns "
                                  f"where table_schema = 'raw_aoty' and table_name = '{table}'")}
        assert columns <= got, (table, columns - got)
    loaded = {r[0] for r in rows(settings, "select album_id from raw_aoty.albums")}
    assert truth_album_ids(tiny_world) <= loaded  # every named album listened to was found
    world_albums = {a.album_id: a for a in tiny_world.aoty_albums()}
    for album_id, title, critic, n_critic, user, n_user, date, n_tracks in rows(settings, """
            select a.album_id, a.title, a.critic_score, a.critic_review_count, a.user_score, a.user_rating_count,
                   a.release_date, (select count(*) from raw_aoty.tracks t where t.album_id = a.album_id)
            from raw_aoty.albums a"""):
        w = world_albums[album_id]
        assert (title, critic, n_critic, user, n_user, date, n_tracks) == (
            w.title, w.critic_score, w.critic_review_count, w.user_score, w.user_rating_count, w.release_date,
            len(w.tracks))
    log = rows(settings, "select count(*), sum(case when cache_hit then 1 else 0 end) from raw_aoty.fetch_log")[0]
    assert log == (first.requests + first.cache_hits, first.cache_hits)

    site.reset_counters()
    second = scrape_aoty(settings, policy=policy)
    assert site.requests == 0 and second.requests == 0 and second.cache_hit_rate == 1.0
    assert second.albums_fresh == first.albums_needed and second.albums_new == 0



def test_faults_and_drift_are_retried_or_quarantined_and_the_run_finishes(tiny_world, site, tmp_path):
    settings = warehouse_settings(tmp_path, site.base_url)
    load_scrobbles(tiny_world, settings)
    site.faults = AotyFaults(seed=2, rate_limit_share=0.15, retry_after_s=0.2, truncate_share=0.15, drift_share=0.5)
    summary = scrape_aoty(settings, policy=FetchPolicy.from_settings(settings, **FAST))
    assert not summary.circuit_open
    errors = {r[0] for r in rows(settings, "select distinct error_class from raw_aoty.fetch_log")}
    assert {"http_429", "truncated"} <= errors
    quarantined = rows(settings, "select url, field, message, parser_version from raw_aoty.parse_errors")
    assert summary.parse_errors == len(quarantined) and summary.failures.get("parse_error", 0) == len(quarantined)
    assert all(field == "tracks" and "drift" in message and version for _, field, message, version in quarantined)
    loaded = {r[0] for r in rows(settings, "select album_id from raw_aoty.albums")}
    assert len(loaded) + len(quarantined) == summary.albums_needed  # every needed album: loaded or quarantined
    assert site.faults_served["drift"] > len(quarantined)  # drift the fallbacks absorb is read, not quarantined


def test_a_site_that_keeps_refusing_opens_the_circuit_without_raising(tiny_world, site, tmp_path):
    settings = warehouse_settings(tmp_path, site.base_url)
    load_scrobbles(tiny_world, settings)
    site.faults = AotyFaults.refuse_everything()
    summary = scrape_aoty(settings, policy=FetchPolicy.from_settings(settings, **FAST, breaker_threshold=4))
    assert summary.circuit_open and "circuit breaker" in summary.note
    assert summary.failures.get("circuit_open", 0) > 0 and summary.albums_loaded == 0
    assert site.requests <= 4 + settings.aoty_max_concurrent
    logged = rows(settings, "select count(*) from raw_aoty.fetch_log where error_class = 'http_429'")[0][0]
    assert logged == site.requests  # every attempt is in the fetch log, even on a refused run


@pytest.mark.slow
def test_killing_the_stage_loses_nothing_and_the_rerun_fetches_only_what_is_missing(tiny_world, site, tmp_path):
    settings = warehouse_settings(tmp_path, site.base_url)
    load_scrobbles(tiny_world, settings)
    env = {**os.environ, "WAREHOUSE": "duckdb", "DUCKDB_PATH": str(settings.duckdb_path), "DATA_DIR": str(tmp_path),
           "AOTY_BASE_URL": site.base_url, "AOTY_CACHE_DIR": str(settings.aoty_cache_dir), "AOTY_RPS": "3",
           "RUNTIME__DLTHUB_TELEMETRY": "false"}
    proc = subprocess.Popen([sys.executable, "-m", "ingest.aoty", "scrape"], env=env, cwd=Path(__file__).parents[2],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while site.hits_by_kind["album"] < 3 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    cache = PageCache(settings.aoty_cache_dir)
    entries = list(Path(settings.aoty_cache_dir).glob("*/*.json"))
    cached_urls = set()
    for path in entries:  # every entry on disk is whole: JSON that parses, the page complete
        data = json.loads(path.read_text())
        cached_urls.add(data["url"])
        assert cache.get(data["url"]) is not None and data["content"].rstrip().endswith("</html>")
    first_run_urls = {site.base_url + t for _, t in site.request_log}
    assert cached_urls and cached_urls <= first_run_urls

    site.reset_counters()
    summary = scrape_aoty(settings, policy=FetchPolicy.from_settings(settings, **FAST))
    refetched = {site.base_url + t for _, t in site.request_log}
    assert not refetched & cached_urls  # nothing the killed run had stored is fetched again
    assert summary.cache_hits >= len(cached_urls) and summary.albums_loaded == summary.albums_needed
    loaded = {r[0] for r in rows(settings, "select album_id from raw_aoty.albums")}
    assert truth_album_ids(tiny_world) <= loaded
    for path in entries:
        data = json.loads(path.read_text())
        if "/album/" in data["url"]:
            assert parse_album(data["content"], data["url"]).album_id in loaded
