"""The match table: raw_matching.track_matches (+ match_candidates) from the warehouse's raw tables.

One row per distinct Last.fm track_key per matcher_version, written through a dlt merge on
(track_key, matcher_version): re-running is idempotent, a new matcher_version adds its own rows.
"""
from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from ingest.config import RAW_LASTFM, RAW_MATCHING, Settings, connect

from .catalog import Catalog
from .matcher import MATCHER_VERSION, LastfmTrackRef, Matcher, MatchResult
from .thresholds import Thresholds

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class MatchSummary:
    matcher_version: str
    tracks: int
    catalog_tracks: int
    counts: dict[str, int] = field(default_factory=dict)  # "match_type/confidence" -> n (JSON-safe keys)
    seconds: float = 0.0
    match_seconds: float = 0.0
    tracks_per_s: float = 0.0

    def table(self) -> str:
        lines = [f"matcher {self.matcher_version}: {self.tracks} distinct tracks vs {self.catalog_tracks} AOTY tracks, "
                 f"{self.tracks_per_s:,.0f} tracks/s (total {self.seconds:.1f} s)"]
        for mt in ("track_match", "album_match", "artist_match", "no_match"):
            row = [self.counts.get(f"{mt}/{c}", 0) for c in ("high", "medium", "low")]
            lines.append(f"  {mt:<13} high {row[0]:>8}  medium {row[1]:>8}  low {row[2]:>8}")
        return "\n".join(lines)


def require_tables(settings: Settings, schema: str, tables: tuple[str, ...], hint: str) -> None:
    """Fail with a message naming the missing raw tables and what to do, not a driver error."""
    conn = connect(settings)
    try:
        cur = conn.cursor()
        cur.execute("select table_name from information_schema.tables where table_schema = %s"
                    if settings.warehouse == "postgres" else
                    "select table_name from information_schema.tables where table_schema = ?", (schema,))
        present = {r[0] for r in cur.fetchall()}
    finally:
        conn.close()
    missing = [t for t in tables if t not in present]
    if missing:
        where = settings.duckdb_path if settings.warehouse == "duckdb" else "PostgreSQL"
        raise ValueError(f"{', '.join(f'{schema}.{t}' for t in missing)} not found in {where}: {hint}")


def read_refs(settings: Settings) -> list[LastfmTrackRef]:
    """Distinct (track_key, artist, album, track) as scrobbled."""
    require_tables(settings, RAW_LASTFM, ("scrobbles",), "load scrobbles first (python -m ingest run --user NAME)")
    conn = connect(settings)
    try:
        cur = conn.cursor()
        cur.execute(
            f"select track_key, min(artist_name), min(album_name), min(track_name) "
            f"from {RAW_LASTFM}.scrobbles group by track_key order by track_key")
        rows = cur.fetchall()
    finally:
        conn.close()
    return [LastfmTrackRef(k, a or "", al or "", t or "") for k, a, al, t in rows]


def _id_type(values: list[Any]) -> str:
    return "bigint" if all(isinstance(v, int) for v in values if v is not None) else "text"


def match_rows(results: list[MatchResult], matched_at: datetime) -> tuple[list[dict], list[dict]]:
    matches, candidates = [], []
    for r in results:
        matches.append({
            "track_key": r.track_key, "matcher_version": r.matcher_version, "artist_name": r.artist,
            "album_name": r.album, "track_name": r.track, "match_type": r.match_type, "confidence": r.confidence,
            "score": r.score, "artist_score": r.artist_score, "album_score": r.album_score,
            "track_score": r.track_score, "aoty_album_id": r.album_id, "aoty_track_id": r.track_id,
            "reason": r.reason, "matched_at": matched_at,
        })
        for rank, c in enumerate(r.candidates, start=1):
            candidates.append({"track_key": r.track_key, "matcher_version": r.matcher_version, "rank": rank,
                               "aoty_album_id": c.album_id, "aoty_track_id": c.track_id, "score": c.score})
    return matches, candidates


PARALLEL_MIN_TRACKS = 40_000  # below this, forking workers (cold caches each) costs more than it saves


def match_processes(n_refs: int) -> int:
    """Matcher processes for n_refs distinct tracks: one per core for large inputs, else one."""
    return min(os.cpu_count() or 1, 8) if n_refs >= PARALLEL_MIN_TRACKS else 1


def write_matches(settings: Settings, *, progress: Progress | None = None, thresholds: Thresholds | None = None,
                  matcher_version: str = MATCHER_VERSION) -> MatchSummary:
    """Match every distinct scrobbled track against raw_aoty and merge the results into raw_matching."""
    import dlt

    t0 = time.perf_counter()
    refs = read_refs(settings)
    if progress:
        progress("read", len(refs), len(refs))
    catalog = Catalog.from_warehouse(settings)
    if progress:
        progress("catalog", len(catalog), len(catalog))
    t1 = time.perf_counter()
    results = Matcher(catalog, thresholds, version=matcher_version).match(
        refs, progress=(lambda d, n: progress("match", d, n)) if progress else None,
        processes=match_processes(len(refs)))
    t2 = time.perf_counter()
    matches, candidates = match_rows(results, datetime.now(timezone.utc))
    id_type = _id_type(catalog.track_ids[:1000] + catalog.album_ids[:1000])
    ids = {"aoty_album_id": {"data_type": id_type, "nullable": True},
           "aoty_track_id": {"data_type": id_type, "nullable": True}}
    nullable = {c: {"data_type": "double", "nullable": True} for c in ("album_score", "track_score")}
    match_res = dlt.resource(
        matches, name="track_matches", write_disposition="merge", primary_key=("track_key", "matcher_version"),
        columns={**ids, **nullable, "reason": {"data_type": "text", "nullable": True},
                 "matched_at": {"data_type": "timestamp"}, "score": {"data_type": "double"},
                 "artist_score": {"data_type": "double"}})
    cand_res = dlt.resource(
        candidates, name="match_candidates", write_disposition="merge",
        primary_key=("track_key", "matcher_version", "rank"),
        columns={**ids, "score": {"data_type": "double"}, "rank": {"data_type": "bigint"}})
    pipeline = dlt.pipeline(pipeline_name=f"match_{settings.warehouse}", destination=settings.dlt_destination(),
                            dataset_name=RAW_MATCHING, pipelines_dir=str(settings.pipelines_dir))
    pipeline.run([match_res, cand_res])
    if progress:
        progress("write", len(matches), len(matches))
    return MatchSummary(
        matcher_version=matcher_version, tracks=len(refs), catalog_tracks=len(catalog),
        counts=dict(Counter(f"{r.match_type}/{r.confidence}" for r in results)),
        seconds=time.perf_counter() - t0, match_seconds=t2 - t1, tracks_per_s=len(refs) / max(t2 - t1, 1e-9),
    )
