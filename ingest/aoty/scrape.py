"""The AOTY stage: discovery, album pages, parsing, and the dlt load into raw_aoty.

    summary = scrape_aoty(Settings.from_env(), limit_albums=None, progress=lambda done, total: ...)

Graceful by design: when the site refuses (circuit breaker) or pages fail, what was
fetched is still parsed and loaded, and the summary counts the failures; nothing raises
for a misbehaving site. Pages land in the disk cache as they arrive, so a killed run
loses nothing and its re-run fetches only what is missing.
"""
from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

from ingest.config import RAW_AOTY, RAW_LASTFM, Settings, connect

from .cache import PageCache
from .discovery import Discovery, ListenedAlbum, discover
from .fetcher import FetchPolicy, FetchResult, PageFetcher
from .parse import parse_album
from .records import AlbumRecord, ChallengePage, ParseError
from .rows import album_rows, artist_row, credit_artist_row, fetch_log_row, parse_error_row, resources, search_rows

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
log = logging.getLogger(__name__)
ProgressFn = Callable[[int, "int | None"], None]


@dataclass
class AotyScrapeSummary:
    run_id: str
    pairs: int = 0  # distinct (artist, album) pairs listened to
    albums_needed: int = 0
    albums_fresh: int = 0  # needed, already in the warehouse and fresh: not fetched
    albums_new: int = 0  # needed and not fresh in the warehouse
    albums_fetched: int = 0  # album pages fetched from the site in this run
    albums_from_cache: int = 0  # album pages served by the disk cache
    albums_loaded: int = 0  # parsed and loaded
    albums_skipped_by_limit: int = 0
    pairs_unresolved: int = 0  # pairs no AOTY album was found for
    requests: int = 0  # network attempts, retries included
    cache_hits: int = 0
    cache_hit_rate: float = 1.0
    requests_per_new_album: float = 0.0
    failures: dict[str, int] = field(default_factory=dict)  # error class -> pages (parse_error included)
    parse_errors: int = 0
    circuit_open: bool = False
    seconds: float = 0.0
    note: str = ""


def read_listened_pairs(settings: Settings) -> list[ListenedAlbum]:
    """Distinct (artist, album) pairs of raw_lastfm.scrobbles, most played first."""
    with _connection(settings) as cur:
        if not _table_exists(cur, RAW_LASTFM, "scrobbles"):
            return []
        cur.execute(f"select artist_name, coalesce(album_name, ''), count(*) from {RAW_LASTFM}.scrobbles "
                    "where artist_name is not null group by 1, 2 order by 3 desc, 1, 2")
        return [ListenedAlbum(a, b, int(n)) for a, b, n in cur.fetchall()]


def read_fresh_albums(settings: Settings) -> set[int]:
    """Album ids already in raw_aoty.albums and younger than the cache TTL."""
    with _connection(settings) as cur:
        if not _table_exists(cur, RAW_AOTY, "albums"):
            return set()
        cutoff = datetime.now(timezone.utc) - timedelta(days=settings.aoty_cache_ttl_days)
        cur.execute(f"select album_id, fetched_at from {RAW_AOTY}.albums")
        fresh = set()
        for album_id, fetched_at in cur.fetchall():
            if fetched_at is not None and fetched_at.tzinfo is None:
                fetched_at = fetched_at.replace(tzinfo=timezone.utc)
            if fetched_at is not None and fetched_at >= cutoff:
                fresh.add(int(album_id))
        return fresh


def read_artist_ids(settings: Settings) -> set[int]:
    with _connection(settings) as cur:
        if not _table_exists(cur, RAW_AOTY, "artists"):
            return set()
        cur.execute(f"select artist_id from {RAW_AOTY}.artists")
        return {int(r[0]) for r in cur.fetchall()}


class _connection:
    """A cursor on the warehouse, closed afterwards (DuckDB allows one writer: dlt comes next)."""

    def __init__(self, settings: Settings):
        self.conn = connect(settings)

    def __enter__(self):
        self.cur = self.conn.cursor()
        return self.cur

    def __exit__(self, *exc: object) -> None:
        try:
            self.cur.close()
        finally:
            self.conn.close()


def _table_exists(cur, schema: str, table: str) -> bool:
    cur.execute("select count(*) from information_schema.tables "
                f"where table_schema = '{schema}' and table_name = '{table}'")
    return bool(cur.fetchone()[0])


def scrape_aoty(settings: Settings, *, limit_albums: int | None = None, progress: ProgressFn | None = None,
                run_id: str | None = None, policy: FetchPolicy | None = None) -> AotyScrapeSummary:
    """Find the albums the listening history needs, fetch the missing ones, load raw_aoty."""
    started = time.monotonic()
    summary = AotyScrapeSummary(run_id=run_id or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6])
    pairs = read_listened_pairs(settings)
    summary.pairs = len(pairs)
    if not pairs:
        summary.note = (f"no scrobbles in {RAW_LASTFM}.scrobbles: load listening history first "
                        "(python -m ingest run --user NAME, or python -m ingest import FILE --user NAME)")
        summary.seconds = round(time.monotonic() - started, 3)
        return summary
    fresh = read_fresh_albums(settings)
    known_artists = read_artist_ids(settings)
    cache = PageCache(settings.aoty_cache_dir, settings.aoty_cache_ttl_days)
    policy = policy or FetchPolicy.from_settings(settings)
    tables = asyncio.run(_scrape(settings, pairs, fresh, known_artists, cache, policy, limit_albums, progress, summary))
    _load(settings, tables)
    summary.seconds = round(time.monotonic() - started, 3)
    return summary


async def _scrape(settings: Settings, pairs: list[ListenedAlbum], fresh: set[int], known_artists: set[int],
                  cache: PageCache, policy: FetchPolicy, limit_albums: int | None, progress: ProgressFn | None,
                  summary: AotyScrapeSummary) -> dict[str, list[dict]]:
    tables: dict[str, list[dict]] = {name: [] for name in (
        "albums", "album_artists", "album_genres", "album_tags", "tracks", "track_featured_artists", "artists",
        "search_results", "fetch_log", "parse_errors")}
    async with PageFetcher(policy, cache, run_id=summary.run_id) as fetcher:
        disc = await discover(pairs, fetcher, settings.aoty_base_url, progress)
        order = sorted(disc.needed, key=lambda i: (-disc.plays.get(i, 0), i))
        todo = [i for i in order if i not in fresh]
        summary.albums_needed, summary.albums_fresh, summary.albums_new = len(order), len(order) - len(todo), len(todo)
        if limit_albums is not None and len(todo) > limit_albums:
            summary.albums_skipped_by_limit = len(todo) - limit_albums
            todo = todo[:limit_albums]
        done = 0

        async def one(album_id: int) -> FetchResult:
            nonlocal done
            res = await fetcher.fetch(disc.needed[album_id], "album")
            done += 1
            if progress is not None:
                progress(done, len(todo))
            return res

        results = await asyncio.gather(*(one(i) for i in todo))
    seen_at = datetime.now(timezone.utc)
    credited: dict[int, dict] = {}
    for res in results:
        if res.from_cache and res.ok:
            summary.albums_from_cache += 1
        elif res.ok:
            summary.albums_fetched += 1
        if not res.ok:
            continue
        cached = cache.get(res.url, allow_stale=True)
        parsed = parse_album(res.content or "", res.url)
        if isinstance(parsed, ChallengePage):
            parsed = ParseError(res.url, "album", "document", f"challenge page {parsed.title!r}, not content")
        if isinstance(parsed, ParseError):
            disc.parse_errors.append(parsed)
            continue
        assert isinstance(parsed, AlbumRecord)
        for name, rows in album_rows(parsed, cached.fetched_at if cached else None).items():
            tables[name].extend(rows)
        summary.albums_loaded += 1
        for credit in parsed.artists + tuple(f for t in parsed.tracks for f in t.featured):
            if credit.artist_id is not None and credit.artist_id not in known_artists:
                row = credit_artist_row(credit, seen_at)
                if row is not None:
                    credited.setdefault(credit.artist_id, row)
    for record in disc.artist_pages.values():
        cached = cache.get(record.url, allow_stale=True)
        credited[record.artist_id] = artist_row(record, cached.fetched_at if cached else seen_at)
    tables["artists"] = list(credited.values())
    for listing in disc.searches.values():
        tables["search_results"].extend(search_rows(listing))
    tables["fetch_log"] = [fetch_log_row(a) for a in fetcher.attempts]
    tables["parse_errors"] = [parse_error_row(e, seen_at) for e in disc.parse_errors]

    stats = fetcher.stats
    summary.pairs_unresolved = len(disc.unresolved)
    summary.requests, summary.cache_hits = stats.requests, stats.cache_hits
    summary.cache_hit_rate = round(stats.cache_hit_rate, 4)
    summary.requests_per_new_album = round(stats.requests / summary.albums_new, 3) if summary.albums_new else 0.0
    summary.failures = dict(stats.failures)
    if disc.parse_errors:
        summary.failures["parse_error"] = len(disc.parse_errors)
    summary.parse_errors = len(disc.parse_errors)
    summary.circuit_open = fetcher.breaker.open
    if fetcher.breaker.open:
        summary.note = f"circuit breaker open ({fetcher.breaker.reason}): loaded what was fetched; re-run later"
    return tables


def _load(settings: Settings, tables: dict[str, list[dict]]) -> None:
    import dlt

    res = resources(tables)
    if not res:
        return
    pipeline = dlt.pipeline(pipeline_name="aoty", destination=settings.dlt_destination(), dataset_name=RAW_AOTY,
                            pipelines_dir=str(settings.pipelines_dir))
    pipeline.run(res)


__all__ = ["AotyScrapeSummary", "Discovery", "scrape_aoty", "read_listened_pairs"]
