"""Typed records of the offline music world.

The world has two sides that describe the same music differently:
the AOTY side (canonical catalog: artists, albums, tracks) and the Last.fm side
(users, and the *spellings* their players scrobbled). Every spelling keeps its
ground truth so the matcher can be scored.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np


@dataclass(frozen=True)
class AotyArtist:
    artist_id: int
    name: str
    slug: str
    genres: tuple[str, ...]
    # False for artists that exist on Last.fm only; the AOTY site does not serve them.
    on_aoty: bool = True
    also_known_as: tuple[str, ...] = ()


@dataclass(frozen=True)
class AotyTrack:
    track_id: int  # AOTY song id (/song/<id>-<slug>.php)
    album_id: int
    disc: int
    number: int  # restarts at 1 on each disc
    title: str  # canonical title: featured artists are credits, never in the title
    duration_s: int
    featured_artist_ids: tuple[int, ...]
    # Same id for the same recording on a standard and a deluxe edition or a single.
    recording_id: int
    rating: int | None  # AOTY track score 0-100; None when too few ratings
    rating_count: int
    notes: str | None = None  # "Bonus Track", "Skit"


@dataclass(frozen=True)
class AotyAlbum:
    album_id: int
    slug: str
    title: str
    artist_ids: tuple[int, ...]  # several for collaborations; first is the main artist
    release_date: date
    format: str  # "LP" | "EP" | "Single" | "Mixtape"
    label: str
    genres: tuple[str, ...]  # primary genres
    secondary_genres: tuple[str, ...]
    critic_score: int | None  # None: no critic box on the page
    critic_review_count: int
    user_score: float | None
    user_rating_count: int
    tracks: tuple[AotyTrack, ...]
    tags: tuple[str, ...] = ()
    edition_of: int | None = None  # a deluxe/remastered edition points at the original album
    # False for albums of known artists that AOTY nevertheless does not list.
    on_aoty: bool = True

    @property
    def year(self) -> int:
        return self.release_date.year


@dataclass(frozen=True)
class Spelling:
    """One way a Last.fm client wrote a recording: the (artist, album, track) triple
    as it arrives in scrobbles, with what it really is."""

    spelling_id: int
    artist: str
    album: str
    track: str
    artist_mbid: str
    recording_id: int
    # Ground truth. None where AOTY does not have it (artist or album unknown to
    # AOTY, or a live/demo/acoustic version that is not on any AOTY tracklist).
    truth_album_id: int | None
    truth_track_id: int | None
    # Every AOTY track id that is a right answer: the truth track plus the same
    # recording on other editions when the spelling does not name the album.
    acceptable_track_ids: tuple[int, ...]
    noise: tuple[str, ...]  # noise kinds applied, see noise.NOISE_SHARES


@dataclass
class LastfmUser:
    name: str
    realname: str
    country: str
    registered_uts: int
    private: bool = False  # user.getRecentTracks answers error 17
    # Scrobbles as parallel arrays sorted by uts ascending (cheap at 1M rows).
    uts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    spelling_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # Loved tracks: (spelling index, uts loved)
    loved: list[tuple[int, int]] = field(default_factory=list)
    now_playing: int | None = None  # spelling index of the track playing now

    @property
    def playcount(self) -> int:
        return int(self.uts.shape[0])
