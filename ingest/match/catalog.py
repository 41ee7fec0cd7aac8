"""The AOTY side of matching: albums and tracks, normalized once and indexed by artist.

Built from plain rows (the file interface's catalog CSV, the raw_aoty tables, or the
offline world), so every source goes through the same normalization.
"""
from __future__ import annotations

import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

import numpy as np

from .normalize import artist_key, artist_variants, normalize_name, parse_album, parse_track

_VERSION_CODES: dict[str | None, int] = {None: 0}
# Albums that are not "the" release of their songs: the original is preferred when no album is named.
_NOT_ORIGINAL_FORMATS = {"compilation", "mixtape compilation", "live", "live album", "remix", "remix album",
                         "dj mix", "soundtrack"}
_LIVE_FORMATS = {"live", "live album"}  # their tracks are live recordings even when titled plainly


_EDITION_CODES: dict[str | None, int] = {None: 0}


@contextmanager
def gc_paused() -> Iterator[None]:
    """Building the index allocates millions of objects that all live on: the cyclic GC's passes
    over them during the build find nothing to free and cost a large share of the build time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def edition_code(edition: str | None) -> int:
    code = _EDITION_CODES.get(edition)
    if code is None:
        code = _EDITION_CODES[edition] = len(_EDITION_CODES)
    return code


def version_code(version: str | None) -> int:
    """Small int per version label, so versions compare as numpy arrays."""
    code = _VERSION_CODES.get(version)
    if code is None:
        code = _VERSION_CODES[version] = len(_VERSION_CODES)
    return code


@dataclass(frozen=True)
class CatalogAlbum:
    album_id: Any
    artist: str  # the credit as AOTY shows it (main artist first)
    title: str
    year: int | None = None
    format: str | None = None
    edition_of: Any = None  # the original album's id when this is a deluxe/remastered edition
    artists: tuple[str, ...] = ()  # every credited artist name


@dataclass(frozen=True)
class CatalogTrack:
    track_id: Any
    album_id: Any
    number: int | None
    title: str
    featured: tuple[str, ...] = ()


@dataclass
class Catalog:
    """Normalized, artist-indexed AOTY albums and tracks.

    Arrays are parallel: album i has `album_ids[i]`, `album_base[i]` (title without edition
    suffixes, normalized), `album_edition[i]`; track j has `track_ids[j]`, `track_album[j]`
    (album index), `track_title[j]` (normalized, versions and editions removed), `track_version[j]`.
    """

    album_ids: list[Any] = field(default_factory=list)
    album_title: list[str] = field(default_factory=list)  # normalized full title
    album_base: list[str] = field(default_factory=list)  # normalized title without edition/year
    album_edition: list[str | None] = field(default_factory=list)
    album_edition_code: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int16))
    album_is_original: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    album_year: list[int | None] = field(default_factory=list)
    album_format: list[str | None] = field(default_factory=list)
    album_tracks: list[np.ndarray] = field(default_factory=list)  # track indices per album
    track_ids: list[Any] = field(default_factory=list)
    track_album: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    track_title: list[str] = field(default_factory=list)
    track_version: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int16))
    track_live_by_album: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # plain title, live LP
    track_number: list[int | None] = field(default_factory=list)
    artist_albums: dict[str, list[int]] = field(default_factory=dict)  # artist_key -> album indices
    artist_names: list[str] = field(default_factory=list)  # distinct artist keys, for fuzzy fallback

    def __len__(self) -> int:
        return len(self.track_ids)

    # --- construction -------------------------------------------------------------------
    @classmethod
    def build(cls, albums: Iterable[CatalogAlbum], tracks: Iterable[CatalogTrack]) -> "Catalog":
        with gc_paused():
            return cls._build(albums, tracks)

    @classmethod
    def _build(cls, albums: Iterable[CatalogAlbum], tracks: Iterable[CatalogTrack]) -> "Catalog":
        cat = cls()
        album_index: dict[Any, int] = {}
        artist_albums: dict[str, list[int]] = defaultdict(list)
        editions_of: set[Any] = set()
        originals: list[bool] = []
        for a in albums:
            if a.album_id in album_index:
                continue
            i = len(cat.album_ids)
            album_index[a.album_id] = i
            parsed = parse_album(a.title)
            cat.album_ids.append(a.album_id)
            cat.album_title.append(normalize_name(a.title))
            cat.album_base.append(normalize_name(parsed.title) or normalize_name(a.title))
            cat.album_edition.append(parsed.edition)
            cat.album_year.append(a.year)
            cat.album_format.append(a.format)
            originals.append(a.edition_of is None and parsed.edition is None
                             and (a.format or "").lower() not in _NOT_ORIGINAL_FORMATS)
            if a.edition_of is not None:
                editions_of.add(a.edition_of)
            keys: list[str] = []
            for name in (a.artist, *a.artists):
                for k in artist_variants(name)[:1] or ():
                    if k not in keys:
                        keys.append(k)
            if len(a.artists) > 1:  # the joined credit too: "A & B"
                k = artist_key(" & ".join(a.artists))
                if k not in keys:
                    keys.append(k)
            for k in keys:
                artist_albums[k].append(i)
        per_album: list[list[int]] = [[] for _ in cat.album_ids]
        album_format = cat.album_format
        t_album: list[int] = []
        t_version: list[int] = []
        t_live_by_album: list[bool] = []
        for t in tracks:
            i = album_index.get(t.album_id)
            if i is None or t.track_id is None or t.title in (None, ""):
                continue
            parsed = parse_track(t.title)
            j = len(cat.track_ids)
            cat.track_ids.append(t.track_id)
            t_album.append(i)
            # Catalog titles are canonical: keep a bracketed part that is not an edition/version.
            cat.track_title.append(normalize_name(parsed.title) or normalize_name(t.title))
            live_album = (album_format[i] or "").lower() in _LIVE_FORMATS
            t_version.append(version_code(parsed.version or ("live" if live_album else None)))
            t_live_by_album.append(live_album and parsed.version is None)
            cat.track_number.append(t.number)
            per_album[i].append(j)
        cat.album_tracks = [np.asarray(x, dtype=np.int64) for x in per_album]
        cat.track_album = np.asarray(t_album, dtype=np.int64)
        cat.track_version = np.asarray(t_version, dtype=np.int16)
        cat.track_live_by_album = np.asarray(t_live_by_album, dtype=bool)
        cat.album_is_original = np.asarray(originals, dtype=bool)
        cat.album_edition_code = np.asarray([edition_code(e) for e in cat.album_edition], dtype=np.int16)
        cat.artist_albums = dict(artist_albums)
        cat.artist_names = list(cat.artist_albums)
        return cat

    @classmethod
    def from_rows(cls, rows: Iterable[dict[str, Any]]) -> "Catalog":
        """Rows shaped like the file interface's catalog: album_id, artist, album, year, track_id,
        track_number, track (+ optional format, edition_of, artists). Album-only rows have empty
        track fields."""
        albums: dict[Any, CatalogAlbum] = {}
        tracks: list[CatalogTrack] = []
        for r in rows:
            aid = r["album_id"]
            if aid not in albums:
                year = r.get("year")
                albums[aid] = CatalogAlbum(
                    album_id=aid, artist=r.get("artist") or "", title=r.get("album") or "",
                    year=int(year) if year not in (None, "") else None, format=r.get("format") or None,
                    edition_of=r.get("edition_of") or None, artists=tuple(r.get("artists") or ()),
                )
            if r.get("track_id") not in (None, "") and r.get("track"):
                num = r.get("track_number")
                tracks.append(CatalogTrack(r["track_id"], aid, int(num) if num not in (None, "") else None, r["track"]))
        return cls.build(albums.values(), tracks)

    @classmethod
    def from_world(cls, world) -> "Catalog":
        """The albums the world's AOTY site serves (ground truth for evaluation)."""
        albums, tracks = [], []
        for a in world.aoty_albums():
            names = tuple(world.album_artist_names(a))
            albums.append(CatalogAlbum(a.album_id, names[0], a.title, a.year, a.format, a.edition_of, names))
            for t in a.tracks:
                tracks.append(CatalogTrack(t.track_id, a.album_id, t.number, t.title))
        return cls.build(albums, tracks)

    @classmethod
    def from_warehouse(cls, settings) -> "Catalog":
        """Read raw_aoty.albums, album_artists and tracks from the warehouse."""
        from ingest.config import RAW_AOTY, connect

        from .table import require_tables

        require_tables(settings, RAW_AOTY, ("albums", "tracks"), "run the AOTY stage first (python -m ingest run)")
        conn = connect(settings)
        try:
            cur = conn.cursor()
            cur.execute(f"select album_id, title, artist_name, release_year, format from {RAW_AOTY}.albums")
            album_rows = cur.fetchall()
            credits: dict[Any, list[str]] = defaultdict(list)
            try:
                cur.execute(f"select album_id, position, artist_name from {RAW_AOTY}.album_artists order by album_id, position")
                for aid, _pos, name in cur.fetchall():
                    if name:
                        credits[aid].append(name)
            except Exception:  # the table is optional: single-artist catalogs may not have it
                if settings.warehouse == "postgres":
                    conn.rollback()
            cur.execute(f"select track_id, album_id, number, title from {RAW_AOTY}.tracks")
            track_rows = cur.fetchall()
        finally:
            conn.close()
        albums = [
            CatalogAlbum(aid, artist or (credits.get(aid) or [""])[0], title or "",
                         int(year) if year is not None else None, fmt, None, tuple(credits.get(aid, ())))
            for aid, title, artist, year, fmt in album_rows
        ]
        tracks = [CatalogTrack(tid, aid, int(n) if n is not None else None, title or "")
                  for tid, aid, n, title in track_rows]
        return cls.build(albums, tracks)
