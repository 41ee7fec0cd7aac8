"""Load the raw tables of all three raw schemas straight from a World, through dlt.

This stands in for the real loaders (ingest/lastfm, ingest/aoty, ingest/match) so dbt,
the checks and the benchmarks can run on a known world. It writes exactly the columns
and merge keys of the raw table contract in ARCHITECTURE.md; `raw_matching.track_matches`
comes from the world's ground truth (matcher_version 'truth').

    world = generate_world(WorldConfig.demo())
    load_world_raw(world, Settings.from_env())

Rows are built as pyarrow tables (column arrays, not dicts) so 1M scrobbles load in seconds.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import pyarrow as pa

from ingest.config import RAW_AOTY, RAW_LASTFM, RAW_MATCHING, Settings
from ingest.keys import scrobble_id, track_key

from .world import World

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
# Arrow tables get dlt's _dlt_load_id/_dlt_id only when asked; the raw contract has them on
# every table (dbt's incremental models read _dlt_load_id).
os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")
os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_ID", "true")

TRUTH_VERSION = "truth"
PARSER_VERSION = "sandbox"

_UTC = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class RawTable:
    name: str
    primary_key: tuple[str, ...] | None  # None: append
    data: pa.Table


def _table(columns: dict[str, tuple[pa.DataType, Iterable]]) -> pa.Table:
    return pa.table({name: pa.array(list(values) if not isinstance(values, np.ndarray) else values, type=typ)
                     for name, (typ, values) in columns.items()})


# --- raw_lastfm ------------------------------------------------------------------------------
def _scrobbles(world: World, users: list[str], since_uts: int | dict[str, int] | None) -> pa.Table:
    sp = world.spellings
    artist = np.array([s.artist for s in sp], dtype=object)
    album = np.array([s.album for s in sp], dtype=object)
    track = np.array([s.track for s in sp], dtype=object)
    mbid = np.array([s.artist_mbid or None for s in sp], dtype=object)
    tkey = np.array([track_key(s.artist, s.album, s.track) for s in sp], dtype=object)
    parts = []
    for name in users:
        u = world.users[name]
        since = since_uts.get(name) if isinstance(since_uts, dict) else since_uts
        keep = u.uts > since if since is not None else np.ones(u.playcount, dtype=bool)
        uts, idx = u.uts[keep], u.spelling_idx[keep]
        if uts.size == 0:
            continue
        ids = [scrobble_id(name, int(t), artist[i], track[i]) for t, i in zip(uts.tolist(), idx.tolist())]
        n = uts.size
        parts.append(pa.table({
            "scrobble_id": pa.array(ids, pa.string()),
            "user_name": pa.array([name] * n, pa.string()),
            "uts": pa.array(uts, pa.int64()),
            "played_at": pa.array(uts * 1_000_000, pa.int64()).cast(_UTC),
            "artist_name": pa.array(artist[idx], pa.string()),
            "artist_mbid": pa.array(mbid[idx], pa.string()),
            "album_name": pa.array(album[idx], pa.string()),
            "album_mbid": pa.nulls(n, pa.string()),
            "track_name": pa.array(track[idx], pa.string()),
            "track_mbid": pa.nulls(n, pa.string()),
            "track_key": pa.array(tkey[idx], pa.string()),
            "source": pa.array(["api"] * n, pa.string()),
            "uts_is_placeholder": pa.array(np.zeros(n, dtype=bool), pa.bool_()),
        }))
    if not parts:
        return pa.table({})
    # Timestamps repeat (same second, same track): the key must be unique within a load.
    table = pa.concat_tables(parts)
    _, first = np.unique(np.asarray(table["scrobble_id"].to_numpy(zero_copy_only=False)), return_index=True)
    return table.take(pa.array(np.sort(first)))


def _loved(world: World, users: list[str]) -> pa.Table:
    latest: dict[tuple[str, str, str], tuple[int, str | None]] = {}
    for name in users:
        for idx, uts in world.users[name].loved:
            s = world.spellings[idx]
            key = (name, s.artist, s.track)
            if key not in latest or uts > latest[key][0]:
                latest[key] = (uts, s.artist_mbid or None)
    keys = sorted(latest)
    return _table({
        "user_name": (pa.string(), (k[0] for k in keys)),
        "artist_name": (pa.string(), (k[1] for k in keys)),
        "track_name": (pa.string(), (k[2] for k in keys)),
        "loved_uts": (pa.int64(), (latest[k][0] for k in keys)),
        "artist_mbid": (pa.string(), (latest[k][1] for k in keys)),
        "track_mbid": (pa.string(), (None for _ in keys)),
    })


def _users(world: World, users: list[str]) -> pa.Table:
    us = [world.users[n] for n in users]
    return _table({
        "user_name": (pa.string(), (u.name for u in us)),
        "realname": (pa.string(), (u.realname for u in us)),
        "country": (pa.string(), (u.country for u in us)),
        "playcount": (pa.int64(), (u.playcount for u in us)),
        "registered_uts": (pa.int64(), (u.registered_uts for u in us)),
    })


def _scrobbled_spellings(world: World, users: list[str]) -> list[int]:
    parts = [np.unique(world.users[n].spelling_idx) for n in users if world.users[n].playcount]
    loved = [i for n in users for i, _ in world.users[n].loved]
    return sorted(set(np.concatenate(parts).tolist() if parts else []) | set(loved))


def _track_tags(world: World, spellings: list[int]) -> pa.Table:
    best: dict[tuple[str, str, str], int] = {}
    for i in spellings:
        s = world.spellings[i]
        for tag, count in world.track_tags(s):
            key = (s.artist, s.track, tag)
            best[key] = max(count, best.get(key, 0))
    keys = sorted(best)
    return _table({
        "artist_name": (pa.string(), (k[0] for k in keys)),
        "track_name": (pa.string(), (k[1] for k in keys)),
        "tag": (pa.string(), (k[2] for k in keys)),
        "tag_count": (pa.int64(), (best[k] for k in keys)),
    })


def _artist_tags(world: World, spellings: list[int]) -> pa.Table:
    # Tags come per AOTY artist in the world; Last.fm knows them under the scrobbled artist name.
    best: dict[tuple[str, str], int] = {}
    for i in spellings:
        s = world.spellings[i]
        album = world.albums.get(s.truth_album_id or -1)
        artist_id = album.artist_ids[0] if album else None
        if artist_id is None:
            continue
        for tag, count in world.artist_tags.get(artist_id, []):
            key = (s.artist, tag)
            best[key] = max(count, best.get(key, 0))
    keys = sorted(best)
    return _table({
        "artist_name": (pa.string(), (k[0] for k in keys)),
        "tag": (pa.string(), (k[1] for k in keys)),
        "tag_count": (pa.int64(), (best[k] for k in keys)),
    })


# --- raw_aoty ----------------------------------------------------------------------------------
def _discovered_albums(world: World, spellings: list[int]) -> list:
    """What AOTY discovery fetches: every album of each artist a scrobbled spelling belongs to."""
    artists = {world.albums[s.truth_album_id].artist_ids[0] for s in (world.spellings[i] for i in spellings)
               if s.truth_album_id is not None}
    return [a for a in world.aoty_albums() if a.artist_ids[0] in artists]


def _aoty_tables(world: World, base_url: str, now: datetime, albums: list) -> list[RawTable]:
    albums = sorted(albums, key=lambda a: a.album_id)
    artist_ids = sorted({i for a in albums for i in a.artist_ids})
    tracks = [t for a in albums for t in a.tracks]
    art = world.artists
    album_rows = _table({
        "album_id": (pa.int64(), (a.album_id for a in albums)),
        "url": (pa.string(), (f"{base_url}/album/{a.slug}.php" for a in albums)),
        "title": (pa.string(), (a.title for a in albums)),
        "artist_id": (pa.int64(), (a.artist_ids[0] for a in albums)),
        "artist_name": (pa.string(), (art[a.artist_ids[0]].name for a in albums)),
        "release_date": (pa.date32(), (a.release_date for a in albums)),
        "release_year": (pa.int64(), (a.year for a in albums)),
        "format": (pa.string(), (a.format for a in albums)),
        "label": (pa.string(), (a.label for a in albums)),
        "critic_score": (pa.int64(), (a.critic_score for a in albums)),
        "critic_review_count": (pa.int64(), (a.critic_review_count for a in albums)),
        "user_score": (pa.float64(), (a.user_score for a in albums)),
        "user_rating_count": (pa.int64(), (a.user_rating_count for a in albums)),
        "total_length_s": (pa.int64(), (sum(t.duration_s for t in a.tracks) for a in albums)),
        "fetched_at": (_UTC, (now for _ in albums)),
        "parser_version": (pa.string(), (PARSER_VERSION for _ in albums)),
    })
    album_artists = [(a.album_id, pos, i) for a in albums for pos, i in enumerate(a.artist_ids, 1)]
    genres = [(a.album_id, g, prim, pos) for a in albums
              for pos, (g, prim) in enumerate([(g, True) for g in a.genres] + [(g, False) for g in a.secondary_genres], 1)]
    tags = [(a.album_id, t) for a in albums for t in dict.fromkeys(a.tags)]
    feats = [(t.track_id, pos, i) for t in tracks for pos, i in enumerate(t.featured_artist_ids, 1)]
    return [
        RawTable("albums", ("album_id",), album_rows),
        RawTable("album_artists", ("album_id", "position"), _table({
            "album_id": (pa.int64(), (r[0] for r in album_artists)),
            "position": (pa.int64(), (r[1] for r in album_artists)),
            "artist_id": (pa.int64(), (r[2] for r in album_artists)),
            "artist_name": (pa.string(), (art[r[2]].name for r in album_artists)),
        })),
        RawTable("album_genres", ("album_id", "genre"), _table({
            "album_id": (pa.int64(), (r[0] for r in genres)),
            "genre": (pa.string(), (r[1] for r in genres)),
            "is_primary": (pa.bool_(), (r[2] for r in genres)),
            "position": (pa.int64(), (r[3] for r in genres)),
        })),
        RawTable("album_tags", ("album_id", "tag"), _table({
            "album_id": (pa.int64(), (r[0] for r in tags)),
            "tag": (pa.string(), (r[1] for r in tags)),
        })),
        RawTable("tracks", ("track_id",), _table({
            "track_id": (pa.int64(), (t.track_id for t in tracks)),
            "album_id": (pa.int64(), (t.album_id for t in tracks)),
            "disc": (pa.int64(), (t.disc for t in tracks)),
            "number": (pa.int64(), (t.number for t in tracks)),
            "title": (pa.string(), (t.title for t in tracks)),
            "duration_s": (pa.int64(), (t.duration_s for t in tracks)),
            "rating": (pa.int64(), (t.rating for t in tracks)),
            "rating_count": (pa.int64(), (t.rating_count for t in tracks)),
            "notes": (pa.string(), (t.notes for t in tracks)),
        })),
        RawTable("track_featured_artists", ("track_id", "position"), _table({
            "track_id": (pa.int64(), (r[0] for r in feats)),
            "position": (pa.int64(), (r[1] for r in feats)),
            "artist_id": (pa.int64(), (r[2] for r in feats)),
            "artist_name": (pa.string(), (art[r[2]].name for r in feats)),
        })),
        RawTable("artists", ("artist_id",), _table({
            "artist_id": (pa.int64(), artist_ids),
            "name": (pa.string(), (art[i].name for i in artist_ids)),
            "url": (pa.string(), (f"{base_url}/artist/{i}-{art[i].slug}/" for i in artist_ids)),
            "critic_score": (pa.float64(), (None for _ in artist_ids)),
            "user_score": (pa.float64(), (None for _ in artist_ids)),
        })),
    ]


# --- raw_matching ------------------------------------------------------------------------------
def _truth_matches(world: World, spellings: list[int], now: datetime) -> pa.Table:
    rows = []
    for i in spellings:
        s = world.spellings[i]
        if s.truth_track_id is not None:
            kind, conf, score, reason = "track_match", "high", 1.0, "ground truth"
        elif s.truth_album_id is not None:
            kind, conf, score, reason = "album_match", "high", 1.0, "ground truth: a version not on the tracklist"
        else:
            kind, conf, score, reason = "no_match", "low", 0.0, "ground truth: not on AOTY"
        rows.append((track_key(s.artist, s.album, s.track), s, kind, conf, score, reason))
    return _table({
        "track_key": (pa.string(), (r[0] for r in rows)),
        "matcher_version": (pa.string(), (TRUTH_VERSION for _ in rows)),
        "artist_name": (pa.string(), (r[1].artist for r in rows)),
        "album_name": (pa.string(), (r[1].album for r in rows)),
        "track_name": (pa.string(), (r[1].track for r in rows)),
        "match_type": (pa.string(), (r[2] for r in rows)),
        "confidence": (pa.string(), (r[3] for r in rows)),
        "score": (pa.float64(), (r[4] for r in rows)),
        "artist_score": (pa.float64(), (r[4] if r[2] != "no_match" else None for r in rows)),
        "album_score": (pa.float64(), (r[4] if r[2] != "no_match" else None for r in rows)),
        "track_score": (pa.float64(), (r[4] if r[2] == "track_match" else None for r in rows)),
        "aoty_album_id": (pa.int64(), (r[1].truth_album_id for r in rows)),
        "aoty_track_id": (pa.int64(), (r[1].truth_track_id for r in rows)),
        "reason": (pa.string(), (r[5] for r in rows)),
        "matched_at": (_UTC, (now for _ in rows)),
    })


# --- loading ------------------------------------------------------------------------------------
def world_raw_tables(world: World, *, users: list[str] | None = None, since_uts: int | dict[str, int] | None = None,
                     base_url: str = "https://www.albumoftheyear.org",
                     catalog: str = "discovered") -> dict[str, list[RawTable]]:
    """The raw tables of a world, per dataset, as pyarrow tables (pure; no I/O).

    catalog: "discovered" loads the AOTY albums discovery would fetch (all albums of the
    artists the scrobbles reach), "all" the whole AOTY side of the world."""
    if catalog not in ("discovered", "all"):
        raise ValueError(f"catalog={catalog!r}: use 'discovered' or 'all'")
    names = list(users) if users is not None else sorted(world.users)
    unknown = [n for n in names if n not in world.users]
    if unknown:
        raise ValueError(f"users not in the world: {', '.join(unknown)}; known: {', '.join(sorted(world.users))}")
    now = datetime.now(timezone.utc)
    spellings = _scrobbled_spellings(world, names)
    lastfm = [RawTable("scrobbles", ("scrobble_id",), _scrobbles(world, names, since_uts))]
    if since_uts is None:
        lastfm += [
            RawTable("loved_tracks", ("user_name", "artist_name", "track_name"), _loved(world, names)),
            RawTable("users", ("user_name",), _users(world, names)),
            RawTable("track_tags", ("artist_name", "track_name", "tag"), _track_tags(world, spellings)),
            RawTable("artist_tags", ("artist_name", "tag"), _artist_tags(world, spellings)),
        ]
    out = {RAW_LASTFM: lastfm}
    if since_uts is None:
        albums = world.aoty_albums() if catalog == "all" else _discovered_albums(world, spellings)
        out[RAW_AOTY] = _aoty_tables(world, base_url.rstrip("/"), now, albums)
        out[RAW_MATCHING] = [RawTable("track_matches", ("track_key", "matcher_version"),
                                      _truth_matches(world, spellings, now))]
    return out


def load_world_raw(world: World, settings: Settings, *, users: list[str] | None = None,
                   since_uts: int | dict[str, int] | None = None, catalog: str = "discovered") -> None:
    """Write the world's raw tables into the warehouse of `settings` (merge on the contract keys).

    since_uts: load only scrobbles after this time (one for all users, or per user name; users
    missing from the dict load all) and nothing else, as an incremental Last.fm run would;
    used to test incremental dbt runs.
    """
    import dlt

    for dataset, tables in world_raw_tables(world, users=users, since_uts=since_uts, catalog=catalog,
                                            base_url=settings.aoty_base_url).items():
        resources = []
        for t in tables:
            if t.data.num_rows == 0:
                continue
            resources.append(dlt.resource(t.data, name=t.name, table_name=t.name, primary_key=list(t.primary_key),
                                          write_disposition="merge" if t.primary_key else "append"))
        if not resources:
            continue
        pipeline = dlt.pipeline(pipeline_name=f"sandbox_{dataset}", destination=settings.dlt_destination(),
                                dataset_name=dataset, pipelines_dir=str(settings.pipelines_dir))
        pipeline.run(resources)
