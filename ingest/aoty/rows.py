"""Parsed records flattened into the rows of the raw_aoty tables (the contract in ARCHITECTURE.md),
and the dlt resources that load them. Lists become their own tables here, never dlt child tables."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable

from .fetcher import FetchAttempt
from .records import AlbumList, AlbumRecord, ArtistRecord, Credit, ParseError

Row = dict[str, Any]

# Column types, so that a batch in which a column is all NULL still creates it with the right type.
COLUMNS: dict[str, dict[str, str]] = {
    "albums": {"album_id": "bigint", "url": "text", "title": "text", "artist_id": "bigint", "artist_name": "text",
               "release_date": "date", "release_year": "bigint", "format": "text", "label": "text",
               "critic_score": "double", "critic_review_count": "bigint", "user_score": "double",
               "user_rating_count": "bigint", "total_length_s": "bigint", "fetched_at": "timestamp",
               "parser_version": "text"},
    "album_artists": {"album_id": "bigint", "position": "bigint", "artist_id": "bigint", "artist_name": "text"},
    "album_genres": {"album_id": "bigint", "genre": "text", "is_primary": "bool", "position": "bigint"},
    "album_tags": {"album_id": "bigint", "tag": "text"},
    "tracks": {"track_id": "bigint", "album_id": "bigint", "disc": "bigint", "number": "bigint", "title": "text",
               "duration_s": "bigint", "rating": "bigint", "rating_count": "bigint", "notes": "text"},
    "track_featured_artists": {"track_id": "bigint", "position": "bigint", "artist_id": "bigint", "artist_name": "text"},
    "artists": {"artist_id": "bigint", "name": "text", "url": "text", "critic_score": "double",
                "critic_review_count": "bigint", "user_score": "double", "user_rating_count": "bigint",
                "genres": "text", "also_known_as": "text", "fetched_at": "timestamp", "parser_version": "text"},
    "search_results": {"query": "text", "position": "bigint", "album_id": "bigint", "url": "text",
                       "artist_name": "text", "title": "text", "release_year": "bigint", "format": "text"},
    "fetch_log": {"url": "text", "page_type": "text", "status": "bigint", "attempt": "bigint",
                  "duration_ms": "bigint", "cache_hit": "bool", "error_class": "text", "fetched_at": "timestamp",
                  "run_id": "text", "error_message": "text"},
    "parse_errors": {"url": "text", "page_type": "text", "field": "text", "message": "text",
                     "parser_version": "text", "seen_at": "timestamp"},
}
KEYS: dict[str, tuple[str, ...] | None] = {
    "albums": ("album_id",), "album_artists": ("album_id", "position"), "album_genres": ("album_id", "genre"),
    "album_tags": ("album_id", "tag"), "tracks": ("track_id",), "track_featured_artists": ("track_id", "position"),
    "artists": ("artist_id",), "search_results": ("query", "position"), "fetch_log": None, "parse_errors": None,
}


def _utc(ts: float | datetime | None) -> datetime:
    if isinstance(ts, datetime):
        return ts
    return datetime.fromtimestamp(ts, timezone.utc) if ts is not None else datetime.now(timezone.utc)


def album_rows(album: AlbumRecord, fetched_at: float | datetime | None) -> dict[str, list[Row]]:
    main = album.artists[0]
    out: dict[str, list[Row]] = {name: [] for name in
                                 ("albums", "album_artists", "album_genres", "album_tags", "tracks", "track_featured_artists")}
    out["albums"].append({
        "album_id": album.album_id, "url": album.url, "title": album.title, "artist_id": main.artist_id,
        "artist_name": main.name, "release_date": album.release_date, "release_year": album.release_year,
        "format": album.format, "label": album.label,
        "critic_score": float(album.critic_score) if album.critic_score is not None else None,
        "critic_review_count": album.critic_review_count,
        "user_score": float(album.user_score) if album.user_score is not None else None,
        "user_rating_count": album.user_rating_count, "total_length_s": album.total_length_s,
        "fetched_at": _utc(fetched_at), "parser_version": album.parser_version,
    })
    out["album_artists"] = [{"album_id": album.album_id, "position": i, "artist_id": c.artist_id, "artist_name": c.name}
                            for i, c in enumerate(album.artists, 1)]
    genres = [(g, True) for g in album.genres] + [(g, False) for g in album.secondary_genres if g not in album.genres]
    out["album_genres"] = [{"album_id": album.album_id, "genre": g, "is_primary": p, "position": i}
                           for i, (g, p) in enumerate(genres, 1)]
    out["album_tags"] = [{"album_id": album.album_id, "tag": t} for t in dict.fromkeys(album.tags)]
    for t in album.tracks:
        out["tracks"].append({"track_id": t.track_id, "album_id": t.album_id, "disc": t.disc, "number": t.number,
                              "title": t.title, "duration_s": t.duration_s, "rating": t.rating,
                              "rating_count": t.rating_count, "notes": t.notes})
        out["track_featured_artists"] += [{"track_id": t.track_id, "position": i, "artist_id": c.artist_id,
                                           "artist_name": c.name} for i, c in enumerate(t.featured, 1)]
    return out


def artist_row(record: ArtistRecord, fetched_at: float | datetime | None) -> Row:
    return {"artist_id": record.artist_id, "name": record.name, "url": record.url,
            "critic_score": record.critic_score, "critic_review_count": record.critic_review_count,
            "user_score": record.user_score, "user_rating_count": record.user_rating_count,
            "genres": ", ".join(record.genres) or None, "also_known_as": ", ".join(record.also_known_as) or None,
            "fetched_at": _utc(fetched_at), "parser_version": record.parser_version}


def credit_artist_row(credit: Credit, fetched_at: float | datetime | None) -> Row | None:
    """An artist known only from an album credit (no artist page read): name and URL, no scores."""
    if credit.artist_id is None:
        return None
    return {"artist_id": credit.artist_id, "name": credit.name, "url": credit.url, "critic_score": None,
            "critic_review_count": None, "user_score": None, "user_rating_count": None, "genres": None,
            "also_known_as": None, "fetched_at": _utc(fetched_at), "parser_version": None}


def search_rows(listing: AlbumList) -> list[Row]:
    query = listing.query if listing.query is not None else listing.url
    return [{"query": query, "position": i, "album_id": it.album_id, "url": it.url, "artist_name": it.artist_name,
             "title": it.title, "release_year": it.release_year, "format": it.format}
            for i, it in enumerate(listing.items, 1)]


def fetch_log_row(a: FetchAttempt) -> Row:
    return {"url": a.url, "page_type": a.page_type, "status": a.status, "attempt": a.attempt,
            "duration_ms": a.duration_ms, "cache_hit": a.cache_hit, "error_class": a.error_class,
            "fetched_at": a.fetched_at, "run_id": a.run_id, "error_message": a.error_message}


def parse_error_row(e: ParseError, seen_at: datetime | None = None) -> Row:
    return {"url": e.url, "page_type": e.page_type, "field": e.field, "message": e.message,
            "parser_version": e.parser_version, "seen_at": seen_at or datetime.now(timezone.utc)}


def resources(tables: dict[str, list[Row]]) -> list:
    """One dlt resource per non-empty table: merge on the contract key, append for the logs."""
    import dlt

    out = []
    for name, rows in tables.items():
        if not rows:
            continue
        key = KEYS[name]
        columns = {col: {"data_type": typ, "nullable": col not in (key or ())} for col, typ in COLUMNS[name].items()}
        if name in ("albums", "artists", "fetch_log", "parse_errors"):
            for col in ("fetched_at", "seen_at"):
                if col in columns:
                    columns[col]["timezone"] = True
        out.append(dlt.resource(_dedup(rows, key), name=name, table_name=name, columns=columns,
                                primary_key=list(key) if key else None,
                                write_disposition="merge" if key else "append"))
    return out


def _dedup(rows: Iterable[Row], key: tuple[str, ...] | None) -> list[Row]:
    """Merge keys must be unique within a load: the last row for a key wins."""
    if not key:
        return list(rows)
    return list({tuple(r[k] for k in key): r for r in rows}.values())
