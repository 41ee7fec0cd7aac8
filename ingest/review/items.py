"""What the reviewer sees for each sampled key, assembled in a handful of queries
(four, whatever the sample size) into plain JSON-able dicts."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from urllib.parse import urlparse

from ingest.config import RAW_AOTY, RAW_LASTFM, RAW_MATCHING

from .db import in_list, placeholder, table_exists
from .sample import MatchRow, as_float, as_int
from .store import Verdict

RECENT_PLAYS = 3
CANDIDATES = 3


def aoty_url(base_url: str, album_id: int | None, stored_url: str | None = None) -> str | None:
    """The album page on the configured AOTY site: the stored page path when the
    loader kept one (it carries the slug), else the id-only path AOTY redirects."""
    if album_id is None:
        return None
    path = urlparse(stored_url).path if stored_url else ""
    if not path.startswith("/album/"):
        path = f"/album/{album_id}.php"
    return base_url.rstrip("/") + path


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _recent_plays(conn, keys: list[str]) -> dict[str, list[str]]:
    marks, params = in_list(conn, keys)
    cur = conn.cursor()
    cur.execute(f"""
        SELECT track_key, played_at FROM (
            SELECT track_key, played_at,
                   ROW_NUMBER() OVER (PARTITION BY track_key ORDER BY uts DESC) AS rn
            FROM {RAW_LASTFM}.scrobbles WHERE track_key IN {marks}) s
        WHERE rn <= {RECENT_PLAYS} ORDER BY track_key, played_at DESC""", params)
    out: dict[str, list[str]] = defaultdict(list)
    for key, played_at in cur.fetchall():
        out[key].append(_iso(played_at))
    return out


def _candidates(conn, version: str, keys: list[str]) -> dict[str, list[dict]]:
    if not table_exists(conn, RAW_MATCHING, "match_candidates"):
        return {}
    marks, params = in_list(conn, keys)
    cur = conn.cursor()
    cur.execute(f"""
        SELECT track_key, rank, aoty_album_id, aoty_track_id, score
        FROM {RAW_MATCHING}.match_candidates
        WHERE CAST(matcher_version AS VARCHAR) = {placeholder(conn)} AND track_key IN {marks}
        ORDER BY track_key, rank""", [version, *params])
    out: dict[str, list[dict]] = defaultdict(list)
    for key, rank, album_id, track_id, score in cur.fetchall():
        out[key].append({"rank": int(rank), "album_id": as_int(album_id), "track_id": as_int(track_id),
                         "score": as_float(score)})
    return out


def _albums(conn, album_ids: set[int]) -> dict[int, dict]:
    # Ids are compared as text: the review does not depend on how a loader typed them.
    marks, params = in_list(conn, [str(i) for i in album_ids])
    cur = conn.cursor()
    cur.execute(f"""SELECT album_id, title, artist_name, release_year, url, format
                    FROM {RAW_AOTY}.albums WHERE CAST(album_id AS VARCHAR) IN {marks}""", params)
    albums = {int(r[0]): {"id": int(r[0]), "title": r[1], "artist": r[2], "year": as_int(r[3]),
                          "stored_url": r[4], "format": r[5], "tracks": []} for r in cur.fetchall()}
    cur.execute(f"""SELECT album_id, track_id, disc, number, title, duration_s
                    FROM {RAW_AOTY}.tracks WHERE CAST(album_id AS VARCHAR) IN {marks}
                    ORDER BY album_id, disc, number""", params)
    for album_id, track_id, disc, number, title, duration in cur.fetchall():
        album = albums.get(int(album_id))
        if album is not None:
            album["tracks"].append({"id": int(track_id), "disc": as_int(disc), "number": as_int(number),
                                    "title": title, "duration_s": as_int(duration)})
    return albums


def _album_view(albums: dict[int, dict], album_id: int | None, track_id: int | None, base_url: str) -> dict | None:
    if album_id is None:
        return None
    album = albums.get(album_id)
    if album is None:  # the match points at an album raw_aoty no longer holds: say so, do not hide it
        return {"id": album_id, "title": None, "artist": None, "year": None, "format": None,
                "url": aoty_url(base_url, album_id), "tracks": [], "missing": True}
    tracks = [{**t, "matched": t["id"] == track_id} for t in album["tracks"]]
    return {"id": album_id, "title": album["title"], "artist": album["artist"], "year": album["year"],
            "format": album["format"], "url": aoty_url(base_url, album_id, album["stored_url"]), "tracks": tracks}


def _track_title(albums: dict[int, dict], album_id: int | None, track_id: int | None) -> str | None:
    for t in albums.get(album_id or -1, {}).get("tracks", []):
        if t["id"] == track_id:
            return t["title"]
    return None


def build_items(conn, rows: list[MatchRow], base_url: str,
                verdicts: dict[str, Verdict] | None = None) -> list[dict]:
    """Review items in the order of `rows`."""
    if not rows:
        return []
    keys = [r.track_key for r in rows]
    version = rows[0].matcher_version
    recent = _recent_plays(conn, keys)
    cands = _candidates(conn, version, keys)
    album_ids = {r.aoty_album_id for r in rows if r.aoty_album_id is not None}
    album_ids |= {c["album_id"] for cs in cands.values() for c in cs[:CANDIDATES] if c["album_id"] is not None}
    albums = _albums(conn, album_ids)
    verdicts = verdicts or {}
    items = []
    for r in rows:
        shown = []
        for c in cands.get(r.track_key, []):
            if (c["album_id"], c["track_id"]) == (r.aoty_album_id, r.aoty_track_id):
                continue  # the chosen match itself is not "another" candidate
            a = albums.get(c["album_id"] or -1, {})
            shown.append({**c, "album_title": a.get("title"), "artist": a.get("artist"), "year": a.get("year"),
                          "track_title": _track_title(albums, c["album_id"], c["track_id"]),
                          "url": aoty_url(base_url, c["album_id"], a.get("stored_url"))})
            if len(shown) == CANDIDATES:
                break
        v = verdicts.get(r.track_key)
        items.append({
            "key": r.track_key,
            "lastfm": {"artist": r.artist_name, "album": r.album_name, "track": r.track_name,
                       "plays": r.plays, "recent": recent.get(r.track_key, [])},
            "match": {"matcher_version": r.matcher_version, "match_type": r.match_type,
                      "confidence": r.confidence, "score": r.score,
                      "components": {"artist": r.artist_score, "album": r.album_score, "track": r.track_score},
                      "reason": r.reason, "album_id": r.aoty_album_id, "track_id": r.aoty_track_id,
                      "track_title": _track_title(albums, r.aoty_album_id, r.aoty_track_id),
                      "album": _album_view(albums, r.aoty_album_id, r.aoty_track_id, base_url)},
            "candidates": shown,
            "verdict": None if v is None else {"verdict": v.verdict, "reviewer": v.reviewer,
                                               "reviewed_at": v.reviewed_at.isoformat()},
        })
    return items
