"""Which AOTY albums the listening history needs, found with as few requests as possible.

From the distinct (artist, album) pairs in raw_lastfm.scrobbles:
  * an artist with a placeholder album ("", "null", "unknown") or with several albums
    listened to is looked up once by artist search + artist page (2 requests for the whole
    discography instead of one search per album);
  * any other pair by album search (`<artist> - <album>`); where that finds nothing
    convincing, by the artist page as above.
Candidates are picked with the matcher's normalization (ingest/match/normalize.py), so
discovery and matching agree on what "the same name" means.

The candidate-picking functions are pure; `discover()` drives the fetcher.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable
from urllib.parse import quote

from rapidfuzz import fuzz

from ingest.match import normalize as N
from ingest.match.normalize import artist_variants, normalize_name

from .fetcher import FetchResult, PageFetcher
from .parse import parse_album_list, parse_artist_search
from .parse import parse_artist as parse_artist_page
from .records import AlbumList, AlbumListItem, ArtistListItem, ArtistRecord, ParseError

log = logging.getLogger(__name__)

ARTIST_MIN = 88.0  # rapidfuzz ratio (0-100) between artist keys
TITLE_MIN = 88.0  # ... between album titles without edition suffixes
MANY_ALBUMS = 3
PREFIX_MIN = 24  # a scrobbled title this long that starts a candidate's title was cut by the player  # from this many listened albums of one artist, its discography is cheaper than searches


@dataclass(frozen=True)
class ListenedAlbum:
    """A distinct (artist, album) pair as scrobbled, with how often it was played."""

    artist: str
    album: str
    plays: int = 1

    @property
    def artist_main(self) -> str:
        return N.parse_artist(self.artist).main or self.artist.strip()

    @property
    def album_title(self) -> str:
        parsed = N.parse_album(self.album)
        return "" if parsed.is_placeholder else parsed.title

    @property
    def needs_discography(self) -> bool:
        return not self.album_title


@dataclass
class Discovery:
    """What discovery found: album ids to have, and the pages it read on the way."""

    needed: dict[int, str] = field(default_factory=dict)  # album_id -> album page URL
    plays: dict[int, int] = field(default_factory=dict)  # album_id -> plays of the pairs that need it
    resolved: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # pair -> album ids
    unresolved: list[ListenedAlbum] = field(default_factory=list)
    searches: dict[str, AlbumList] = field(default_factory=dict)  # album search query -> results
    artist_pages: dict[int, ArtistRecord] = field(default_factory=dict)
    parse_errors: list[ParseError] = field(default_factory=list)
    failed: list[FetchResult] = field(default_factory=list)  # pages that could not be fetched

    def need(self, pair: ListenedAlbum, items: Iterable[AlbumListItem]) -> None:
        ids = []
        for item in items:
            self.needed.setdefault(item.album_id, item.url)
            self.plays[item.album_id] = self.plays.get(item.album_id, 0) + pair.plays
            ids.append(item.album_id)
        self.resolved[(pair.artist, pair.album)] = ids


# --- pure candidate picking -------------------------------------------------------------------

def artist_similarity(scrobbled: str, candidate: str | None) -> float:
    """Best ratio between any reading of the scrobbled credit and any credited name of the candidate."""
    if not candidate:
        return 0.0
    ours = artist_variants(scrobbled)
    theirs = artist_variants(candidate)
    if not ours or not theirs:
        return 0.0
    if set(ours) & set(theirs):
        return 100.0
    return max(fuzz.ratio(a, b) for a in ours for b in theirs)


def title_similarity(scrobbled_album: str, candidate_title: str) -> float:
    ours = N.parse_album(scrobbled_album)
    theirs = N.parse_album(candidate_title)
    a, b = normalize_name(ours.title), normalize_name(theirs.title)
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    if b.startswith(a) and (ours.truncated or len(a) >= PREFIX_MIN):  # "A Very Long Album Title Cut Her…"
        return 95.0
    return fuzz.ratio(a, b)


def pick_albums(pair: ListenedAlbum, items: Iterable[AlbumListItem], *, artist_known: bool = False) -> list[AlbumListItem]:
    """The album(s) this pair means: one, or every candidate a cut-off title is the start of
    ("Long Title…" may be the album or its deluxe edition; the matcher decides by track)."""
    items = list(items)
    best = pick_album(pair, items, artist_known=artist_known)
    if best is None:
        return []
    a = normalize_name(N.parse_album(pair.album).title)
    if title_similarity(pair.album, best.title) == 100.0 or not a:
        return [best]
    prefixed = [it for it in items if normalize_name(N.parse_album(it.title).title).startswith(a) and (
        artist_known or artist_similarity(pair.artist, it.artist_name) >= ARTIST_MIN)]
    return [best] + [it for it in prefixed if it.album_id != best.album_id]


def pick_album(pair: ListenedAlbum, items: Iterable[AlbumListItem], *, artist_known: bool = False) -> AlbumListItem | None:
    """The candidate that is this pair's album, or None when none is convincing.

    Ties between editions ("Album" vs "Album (Deluxe Edition)") go to the one whose edition
    matches the scrobbled one, then to the closer full title."""
    wanted = N.parse_album(pair.album)
    best: tuple[tuple, AlbumListItem] | None = None
    for item in items:
        a_score = 100.0 if artist_known else artist_similarity(pair.artist, item.artist_name)
        if a_score < ARTIST_MIN:
            continue
        t_score = title_similarity(pair.album, item.title)
        if t_score < TITLE_MIN:
            continue
        edition_match = N.parse_album(item.title).edition == wanted.edition
        full = fuzz.ratio(normalize_name(pair.album), normalize_name(item.title))
        key = (t_score, edition_match, full, a_score, -(item.album_id))
        if best is None or key > best[0]:
            best = (key, item)
    return best[1] if best else None


def pick_artist(scrobbled: str, items: Iterable[ArtistListItem]) -> ArtistListItem | None:
    best: tuple[float, ArtistListItem] | None = None
    for item in items:
        score = artist_similarity(scrobbled, item.name)
        if score >= ARTIST_MIN and (best is None or score > best[0]):
            best = (score, item)
    return best[1] if best else None


def own_releases(record: ArtistRecord) -> list[AlbumListItem]:
    """The artist's own discography (what a scrobble without an album name may come from)."""
    return [a for a in record.albums if (a.section or "").strip().lower() != "appears on"]


def album_search_url(base_url: str, artist: str, album: str) -> str:
    return f"{base_url}/search/albums/?q={quote(f'{artist} - {album}')}"


def artist_search_url(base_url: str, artist: str) -> str:
    return f"{base_url}/search/artists/?q={quote(artist)}"


# --- the driver ---------------------------------------------------------------------------------

async def discover(pairs: list[ListenedAlbum], fetcher: PageFetcher, base_url: str,
                   progress: Callable[[int, int | None], None] | None = None) -> Discovery:
    """Find the AOTY albums the pairs need. Fetch failures are recorded, never raised."""
    out = Discovery()
    base_url = base_url.rstrip("/")
    by_artist: dict[str, list[ListenedAlbum]] = defaultdict(list)
    for pair in pairs:
        key = artist_variants(pair.artist_main)
        if key:
            by_artist[key[0]].append(pair)
        else:
            out.unresolved.append(pair)
    done = 0

    def tick(n: int = 1) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, None)

    discography_artists: dict[str, list[ListenedAlbum]] = {}
    searches: list[ListenedAlbum] = []
    for key, group in by_artist.items():
        titles = {normalize_name(p.album_title) for p in group if p.album_title}
        if any(p.needs_discography for p in group) or len(titles) >= MANY_ALBUMS:
            discography_artists[key] = group
        else:
            searches.extend(group)

    # 1. album searches, concurrently; pairs they do not resolve go the artist way.
    queries: dict[str, str] = {}
    for pair in searches:
        queries.setdefault(pair.artist_main + "\x1f" + pair.album_title,
                           album_search_url(base_url, pair.artist_main, pair.album_title))
    results = await _fetch_all(fetcher, [(u, "album_search") for u in dict.fromkeys(queries.values())], tick)
    for pair in searches:
        url = queries[pair.artist_main + "\x1f" + pair.album_title]
        listing = _album_list(results[url], out)
        picked = pick_albums(pair, listing.items) if listing is not None else []
        if picked:
            out.need(pair, picked)
        else:
            key = artist_variants(pair.artist_main)[0]
            discography_artists.setdefault(key, []).append(pair)

    # 2. artist search, then the artist page, for the rest.
    search_urls = {key: artist_search_url(base_url, group[0].artist_main) for key, group in discography_artists.items()}
    results = await _fetch_all(fetcher, [(u, "artist_search") for u in dict.fromkeys(search_urls.values())], tick)
    artist_urls: dict[str, str] = {}
    for key, group in discography_artists.items():
        res = results[search_urls[key]]
        found = _parsed(res, parse_artist_search, out)
        item = pick_artist(group[0].artist_main, found.items) if found is not None else None
        if item is None:
            out.unresolved.extend(group)
        else:
            artist_urls[key] = item.url
    results = await _fetch_all(fetcher, [(u, "artist") for u in dict.fromkeys(artist_urls.values())], tick)
    for key, url in artist_urls.items():
        record = _parsed(results[url], parse_artist_page, out)
        group = discography_artists[key]
        if record is None:
            out.unresolved.extend(group)
            continue
        out.artist_pages[record.artist_id] = record
        releases = own_releases(record)
        for pair in group:
            if pair.needs_discography:
                out.need(pair, releases)
                continue
            picked = pick_albums(pair, record.albums, artist_known=True)
            if picked:
                out.need(pair, picked)
            else:
                out.unresolved.append(pair)
    return out


async def _fetch_all(fetcher: PageFetcher, requests: list[tuple[str, str]], tick) -> dict[str, FetchResult]:
    import asyncio

    async def one(url: str, kind: str) -> tuple[str, FetchResult]:
        res = await fetcher.fetch(url, kind)
        tick()
        return url, res

    return dict(await asyncio.gather(*(one(u, k) for u, k in requests)))


def _album_list(res: FetchResult, out: Discovery) -> AlbumList | None:
    listing = _parsed(res, parse_album_list, out)
    if listing is not None and listing.query is not None:
        out.searches[listing.query] = listing
    return listing


def _parsed(res: FetchResult, parser, out: Discovery):
    if not res.ok:
        if res.error_class != "http_404":
            out.failed.append(res)
        return None
    parsed = parser(res.content or "", res.url)
    if isinstance(parsed, ParseError):
        out.parse_errors.append(parsed)
        return None
    if not hasattr(parsed, "items") and not hasattr(parsed, "albums"):  # a challenge page that slipped through
        out.parse_errors.append(ParseError(res.url, res.page_type, "document", "challenge page, not content"))
        return None
    return parsed
