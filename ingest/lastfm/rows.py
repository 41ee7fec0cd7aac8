"""Pure functions from Last.fm JSON (or export records) to the raw table rows, and the
column hints of those tables (the raw-table contract in ARCHITECTURE.md)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pyarrow as pa

from ingest.keys import scrobble_id, track_key

from .helpers import as_list

def _col(data_type: str, **extra: Any) -> dict[str, Any]:
    return {"data_type": data_type, **extra}


SCROBBLE_COLUMNS: dict[str, dict[str, Any]] = {
    "scrobble_id": _col("text", nullable=False),
    "user_name": _col("text", nullable=False),
    "uts": _col("bigint", nullable=False),
    "played_at": _col("timestamp", timezone=True),
    # never NULL ("" when a client sent none): dlt's PostgreSQL COPY would turn "" into NULL otherwise
    "artist_name": _col("text", nullable=False),
    "artist_mbid": _col("text"),
    "album_name": _col("text"),
    "album_mbid": _col("text"),
    "track_name": _col("text", nullable=False),
    "track_mbid": _col("text"),
    "track_key": _col("text", nullable=False),
    "source": _col("text", nullable=False),
    "uts_is_placeholder": _col("bool", nullable=False),
}
# Scrobbles travel as Arrow tables: dlt writes them to parquet without per-row normalizing,
# several times faster than dicts at 100k+ rows.
SCROBBLE_ARROW_SCHEMA = pa.schema([
    pa.field("scrobble_id", pa.string(), nullable=False),
    pa.field("user_name", pa.string(), nullable=False),
    pa.field("uts", pa.int64(), nullable=False),
    pa.field("played_at", pa.timestamp("us", tz="UTC")),
    pa.field("artist_name", pa.string(), nullable=False),
    pa.field("artist_mbid", pa.string()),
    pa.field("album_name", pa.string()),
    pa.field("album_mbid", pa.string()),
    pa.field("track_name", pa.string(), nullable=False),
    pa.field("track_mbid", pa.string()),
    pa.field("track_key", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("uts_is_placeholder", pa.bool_(), nullable=False),
])


def scrobbles_table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=SCROBBLE_ARROW_SCHEMA)


LOVED_COLUMNS = {
    "user_name": _col("text", nullable=False), "artist_name": _col("text", nullable=False),
    "track_name": _col("text", nullable=False), "loved_uts": _col("bigint"),
    "artist_mbid": _col("text"), "track_mbid": _col("text"),
}
USER_COLUMNS = {
    "user_name": _col("text", nullable=False), "realname": _col("text"), "country": _col("text"),
    "playcount": _col("bigint"), "registered_uts": _col("bigint"),
}
TRACK_TAG_COLUMNS = {
    "artist_name": _col("text", nullable=False), "track_name": _col("text", nullable=False),
    "tag": _col("text", nullable=False), "tag_count": _col("bigint"),
}
ARTIST_TAG_COLUMNS = {
    "artist_name": _col("text", nullable=False), "tag": _col("text", nullable=False), "tag_count": _col("bigint"),
}


def _blank_to_none(value: Any) -> str | None:
    """Last.fm sends "" for unknown; the warehouse stores NULL."""
    if value is None:
        return None
    text = str(value)
    return text if text.strip() else None


def _int(value: Any, default: int | None = None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def played_at(uts: int) -> datetime:
    return datetime.fromtimestamp(uts, timezone.utc)


def make_scrobble(
    user: str, uts: int, artist: str, album: str | None, track: str, *, source: str,
    artist_mbid: str | None = None, album_mbid: str | None = None, track_mbid: str | None = None,
    placeholder: bool = False,
) -> dict[str, Any]:
    """One `raw_lastfm.scrobbles` row; the key and track_key come from ingest.keys."""
    album = album or ""
    return {
        "scrobble_id": scrobble_id(user, uts, artist, track),
        "user_name": user,
        "uts": int(uts),
        "played_at": played_at(uts),
        "artist_name": artist,
        "artist_mbid": _blank_to_none(artist_mbid),
        "album_name": _blank_to_none(album),
        "album_mbid": _blank_to_none(album_mbid),
        "track_name": track,
        "track_mbid": _blank_to_none(track_mbid),
        "track_key": track_key(artist, album, track),
        "source": source,
        "uts_is_placeholder": bool(placeholder or uts == 0),
    }


def is_now_playing(track: dict[str, Any]) -> bool:
    attr = track.get("@attr") or {}
    return str(attr.get("nowplaying", "")).lower() == "true" or not track.get("date")


def _name(obj: Any, *fields: str) -> str:
    if isinstance(obj, dict):
        for f in fields:
            if obj.get(f):
                return str(obj[f])
        return ""
    return "" if obj is None else str(obj)


def scrobble_from_api(track: dict[str, Any], user: str) -> dict[str, Any] | None:
    """A recent-track item (extended 0 or 1) as a scrobble row; None for the now-playing row."""
    if is_now_playing(track):
        return None
    uts = _int(track["date"].get("uts") if isinstance(track["date"], dict) else track["date"], 0) or 0
    artist = track.get("artist") or {}
    album = track.get("album") or {}
    return make_scrobble(
        user, uts, _name(artist, "#text", "name"), _name(album, "#text"), _name(track, "name"),
        source="api", artist_mbid=_name(artist, "mbid"), album_mbid=_name(album, "mbid"),
        track_mbid=_name(track, "mbid"),
    )


def scrobbles_from_page(body: dict[str, Any], user: str) -> tuple[list[dict[str, Any]], int]:
    """(scrobble rows, totalPages) of a user.getRecentTracks answer, in both empty-history shapes."""
    recent = body.get("recenttracks") or {}
    attr = recent.get("@attr") or {}
    total_pages = _int(attr.get("totalPages"), 0) or 0
    rows = [r for r in (scrobble_from_api(t, user) for t in as_list(recent.get("track"))) if r is not None]
    return rows, total_pages


def loved_from_page(body: dict[str, Any], user: str) -> tuple[list[dict[str, Any]], int]:
    loved = body.get("lovedtracks") or {}
    total_pages = _int((loved.get("@attr") or {}).get("totalPages"), 0) or 0
    rows = []
    for t in as_list(loved.get("track")):
        artist = t.get("artist") or {}
        date = t.get("date") or {}
        rows.append({
            "user_name": user,
            "artist_name": _name(artist, "name", "#text"),
            "track_name": _name(t, "name"),
            "loved_uts": _int(date.get("uts") if isinstance(date, dict) else date),
            "artist_mbid": _blank_to_none(_name(artist, "mbid")),
            "track_mbid": _blank_to_none(_name(t, "mbid")),
        })
    return rows, total_pages


def user_from_info(body: dict[str, Any]) -> dict[str, Any]:
    u = body.get("user") or {}
    registered = u.get("registered") or {}
    country = _blank_to_none(u.get("country"))
    return {
        "user_name": str(u.get("name", "")),
        "realname": _blank_to_none(u.get("realname")),
        "country": None if country in (None, "None") else country,
        "playcount": _int(u.get("playcount")),
        # unixtime is a string, #text a number: either will do
        "registered_uts": _int(registered.get("unixtime"), _int(registered.get("#text"))) if isinstance(registered, dict) else _int(registered),
    }


def tags_from_body(body: dict[str, Any]) -> list[tuple[str, int]]:
    out: dict[str, int] = {}
    for t in as_list((body.get("toptags") or {}).get("tag")):
        name = _name(t, "name")
        if name and name not in out:
            out[name] = _int(t.get("count"), 0) or 0
    return list(out.items())
