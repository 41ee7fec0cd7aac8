"""Warehouses for the review tests: the demo world's raw tables (ingest.sandbox.raw_fixture)
plus the real matcher's output written as raw_matching.track_matches / match_candidates."""
from __future__ import annotations

import os
from datetime import datetime, timezone

import pyarrow as pa

from ingest.config import RAW_MATCHING, Settings
from ingest.keys import track_key
from ingest.match.catalog import Catalog
from ingest.match.matcher import LastfmTrackRef, Matcher, MatchResult
from ingest.sandbox.raw_fixture import load_world_raw
from ingest.sandbox.world import World

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

_UTC = pa.timestamp("us", tz="UTC")


def match_world(world: World) -> list[MatchResult]:
    refs = [LastfmTrackRef(track_key(s.artist, s.album, s.track), s.artist, s.album, s.track) for s in world.spellings]
    return Matcher(Catalog.from_world(world)).match(refs)


def _id(x) -> int | None:
    return None if x is None else int(x)


def match_tables(results: list[MatchResult]) -> tuple[pa.Table, pa.Table]:
    now = datetime.now(timezone.utc)
    matches = pa.table({
        "track_key": pa.array([r.track_key for r in results], pa.string()),
        "matcher_version": pa.array([r.matcher_version for r in results], pa.string()),
        "artist_name": pa.array([r.artist for r in results], pa.string()),
        "album_name": pa.array([r.album for r in results], pa.string()),
        "track_name": pa.array([r.track for r in results], pa.string()),
        "match_type": pa.array([r.match_type for r in results], pa.string()),
        "confidence": pa.array([r.confidence for r in results], pa.string()),
        "score": pa.array([r.score for r in results], pa.float64()),
        "artist_score": pa.array([r.artist_score for r in results], pa.float64()),
        "album_score": pa.array([r.album_score for r in results], pa.float64()),
        "track_score": pa.array([r.track_score for r in results], pa.float64()),
        "aoty_album_id": pa.array([_id(r.album_id) for r in results], pa.int64()),
        "aoty_track_id": pa.array([_id(r.track_id) for r in results], pa.int64()),
        "reason": pa.array([r.reason for r in results], pa.string()),
        "matched_at": pa.array([now] * len(results), _UTC),
    })
    cands = [(r.track_key, r.matcher_version, i, c) for r in results for i, c in enumerate(r.candidates, 1)]
    candidates = pa.table({
        "track_key": pa.array([c[0] for c in cands], pa.string()),
        "matcher_version": pa.array([c[1] for c in cands], pa.string()),
        "rank": pa.array([c[2] for c in cands], pa.int64()),
        "aoty_album_id": pa.array([_id(c[3].album_id) for c in cands], pa.int64()),
        "aoty_track_id": pa.array([_id(c[3].track_id) for c in cands], pa.int64()),
        "score": pa.array([c[3].score for c in cands], pa.float64()),
    })
    return matches, candidates


def load_review_warehouse(world: World, settings: Settings, results: list[MatchResult] | None = None) -> None:
    """All raw tables the review reads, through dlt as the loaders write them."""
    import dlt

    load_world_raw(world, settings)
    matches, candidates = match_tables(results if results is not None else match_world(world))
    pipeline = dlt.pipeline(pipeline_name="review_matching", destination=settings.dlt_destination(),
                            dataset_name=RAW_MATCHING, pipelines_dir=str(settings.pipelines_dir))
    pipeline.run([
        dlt.resource(matches, name="track_matches", primary_key=["track_key", "matcher_version"],
                     write_disposition="merge"),
        dlt.resource(candidates, name="match_candidates", primary_key=["track_key", "matcher_version", "rank"],
                     write_disposition="merge"),
    ])
