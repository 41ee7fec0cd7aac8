"""Warehouses for the review tests: the demo world's raw tables (built by
ingest.sandbox.raw_fixture) plus the real matcher's output as
raw_matching.track_matches / match_candidates, with the contract's columns."""
from __future__ import annotations

import os
from datetime import datetime, timezone

import pyarrow as pa

from ingest.config import RAW_AOTY, RAW_LASTFM, RAW_MATCHING, Settings, connect
from ingest.keys import track_key
from ingest.match.catalog import Catalog
from ingest.match.matcher import LastfmTrackRef, Matcher, MatchResult
from ingest.sandbox.raw_fixture import world_raw_tables
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


NEEDED = {RAW_LASTFM: ("scrobbles",), RAW_AOTY: ("albums", "tracks")}
_PG_TYPES = {pa.string(): "TEXT", pa.int64(): "BIGINT", pa.float64(): "DOUBLE PRECISION", pa.bool_(): "BOOLEAN",
             pa.date32(): "DATE", _UTC: "TIMESTAMPTZ"}


def review_tables(world: World, settings: Settings, results: list[MatchResult] | None = None):
    """{schema: {table: pyarrow table}} with the contract's columns, for the tables the review reads."""
    raw = world_raw_tables(world, base_url=settings.aoty_base_url)
    out = {schema: {t.name: t.data for t in raw[schema] if t.name in names} for schema, names in NEEDED.items()}
    matches, candidates = match_tables(results if results is not None else match_world(world))
    out[RAW_MATCHING] = {"track_matches": matches, "match_candidates": candidates}
    return out


def load_review_warehouse(world: World, settings: Settings, results: list[MatchResult] | None = None) -> None:
    """Write the raw tables the review reads straight into the warehouse (seconds, not a dlt run)."""
    tables = review_tables(world, settings, results)
    conn = connect(settings)
    try:
        for schema, named in tables.items():
            if settings.warehouse == "duckdb":
                conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
                for name, data in named.items():
                    conn.register("_incoming", data)
                    conn.execute(f"CREATE OR REPLACE TABLE {schema}.{name} AS SELECT * FROM _incoming")
                    conn.unregister("_incoming")
            else:
                from psycopg2.extras import execute_values

                cur = conn.cursor()
                cur.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
                for name, data in named.items():
                    cols = ", ".join(f"{f.name} {_PG_TYPES[f.type]}" for f in data.schema)
                    cur.execute(f"DROP TABLE IF EXISTS {schema}.{name}; CREATE TABLE {schema}.{name} ({cols})")
                    rows = list(zip(*(data.column(i).to_pylist() for i in range(data.num_columns))))
                    execute_values(cur, f"INSERT INTO {schema}.{name} VALUES %s", rows, page_size=2000)
                conn.commit()
    finally:
        conn.close()
