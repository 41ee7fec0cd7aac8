"""Typed records the AOTY parsers return; they cross from parse.py to discovery and the dlt resources."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

# Bumped whenever a parser change can change a parsed value; stored with every row.
PARSER_VERSION = "aoty-parse/1.0"


@dataclass(frozen=True)
class Credit:
    """An artist credited on an album or a track. artist_id is None when the page has no link."""

    name: str
    artist_id: int | None = None
    url: str | None = None


@dataclass(frozen=True)
class TrackRecord:
    track_id: int  # AOTY song id; negative (-(album_id*1000+position)) when the row has no song link
    album_id: int
    disc: int
    number: int
    title: str
    duration_s: int | None
    rating: int | None
    rating_count: int | None
    notes: str | None = None
    featured: tuple[Credit, ...] = ()


@dataclass(frozen=True)
class AlbumRecord:
    album_id: int
    url: str
    title: str
    artists: tuple[Credit, ...]  # first is the main artist
    release_date: date | None
    release_year: int | None
    format: str | None
    label: str | None
    genres: tuple[str, ...]
    secondary_genres: tuple[str, ...]
    critic_score: float | None  # None: no critic box (no critic reviews)
    critic_review_count: int | None
    user_score: float | None  # None: "NR" or no ratings yet
    user_rating_count: int | None
    tags: tuple[str, ...]
    tracks: tuple[TrackRecord, ...]
    total_length_s: int | None
    parser_version: str = PARSER_VERSION
    # Optional fields the page did not carry (e.g. "user_score: no user score box"): not errors,
    # but shown by the CLI so a user can see why a value is empty.
    notes: tuple[str, ...] = ()

    @property
    def artist_name(self) -> str:
        return self.artists[0].name

    @property
    def artist_id(self) -> int | None:
        return self.artists[0].artist_id


@dataclass(frozen=True)
class AlbumListItem:
    """One `.albumBlock` of a search result page, a discography or a genre list."""

    album_id: int
    url: str
    title: str
    artist_name: str | None
    release_year: int | None
    release_date: date | None
    format: str | None
    section: str | None = None  # artist pages: "Albums", "EPs", "Appears On", ...
    critic_score: float | None = None
    critic_review_count: int | None = None
    user_score: float | None = None
    user_rating_count: int | None = None
    image_url: str | None = None


@dataclass(frozen=True)
class AlbumList:
    url: str
    page_type: str  # "album_search" | "discography" | "list"
    items: tuple[AlbumListItem, ...]
    total: int | None = None  # "Albums (490)" on search pages
    query: str | None = None
    parser_version: str = PARSER_VERSION


@dataclass(frozen=True)
class ArtistListItem:
    artist_id: int
    name: str
    url: str


@dataclass(frozen=True)
class ArtistSearch:
    url: str
    items: tuple[ArtistListItem, ...]
    query: str | None = None
    parser_version: str = PARSER_VERSION


@dataclass(frozen=True)
class ArtistRecord:
    artist_id: int
    name: str
    url: str
    critic_score: float | None
    critic_review_count: int | None
    user_score: float | None
    user_rating_count: int | None
    genres: tuple[str, ...]
    also_known_as: tuple[str, ...]
    albums: tuple[AlbumListItem, ...]
    parser_version: str = PARSER_VERSION


@dataclass(frozen=True)
class ChallengePage:
    """An anti-bot interstitial ("Just a moment..."): never data."""

    url: str
    title: str


@dataclass(frozen=True)
class ParseError:
    url: str
    page_type: str
    field: str
    message: str
    parser_version: str = PARSER_VERSION


def to_jsonable(obj: object) -> object:
    """A record as plain JSON types (dates as ISO strings), for the CLI and logs."""
    if hasattr(obj, "__dataclass_fields__"):
        data = asdict(obj)  # type: ignore[arg-type]
        data = {"record_type": type(obj).__name__, **data}
        return _plain(data)
    return _plain(obj)


def _plain(value: object) -> object:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


ParsedPage = AlbumRecord | AlbumList | ArtistRecord | ArtistSearch | ChallengePage | ParseError
__all__ = [
    "PARSER_VERSION", "Credit", "TrackRecord", "AlbumRecord", "AlbumListItem", "AlbumList",
    "ArtistListItem", "ArtistSearch", "ArtistRecord", "ChallengePage", "ParseError", "ParsedPage",
    "to_jsonable",
]
