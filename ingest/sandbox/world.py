"""The seeded offline music world: an AOTY catalog, Last.fm users with realistic
histories, and the naming noise between the two, with ground truth kept.

    world = generate_world(WorldConfig.demo())        # 3 users, a few thousand scrobbles
    world = generate_world(WorldConfig.bench())       # ~1M scrobbles over ~50k albums

Deterministic for a seed. Scrobbles are numpy arrays so the benchmark scale stays
within seconds and a few hundred MB.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from . import names as N
from .model import AotyAlbum, AotyArtist, AotyTrack, LastfmUser, Spelling
from .noise import Names, mangle

FORMAT_TRACKS = {"LP": (7, 15), "EP": (3, 6), "Single": (1, 2), "Mixtape": (10, 18)}
FORMAT_WEIGHTS = {"LP": 60, "EP": 15, "Single": 18, "Mixtape": 7}
HISTORY_START = 1_325_376_000  # 2012-01-01
HISTORY_END = 1_761_955_200  # 2025-11-01
OFF_AOTY_LISTENING = 0.15  # popularity weight of an artist AOTY does not list, relative


@dataclass(frozen=True)
class WorldConfig:
    seed: int = 7
    n_artists: int = 400
    albums_per_artist: float = 4.0  # mean
    n_users: int = 3
    scrobbles_per_user: int = 1500
    off_aoty_artist_share: float = 0.08  # artists Last.fm knows and AOTY does not
    off_aoty_album_share: float = 0.03  # albums of AOTY artists that AOTY does not list
    deluxe_share: float = 0.06  # LPs that also have a deluxe edition page with bonus tracks
    collab_share: float = 0.04  # albums credited to two artists
    featured_share: float = 0.12  # tracks with featured artists
    no_critic_share: float = 0.3
    player_profiles: int = 3  # how many distinct clients a user's scrobbles come from

    @classmethod
    def demo(cls, seed: int = 7) -> "WorldConfig":
        return cls(seed=seed)

    @classmethod
    def bench(cls, seed: int = 7, scrobbles: int = 1_000_000) -> "WorldConfig":
        users = 200
        return cls(seed=seed, n_artists=12_500, n_users=users, scrobbles_per_user=scrobbles // users)


@dataclass
class World:
    config: WorldConfig
    artists: dict[int, AotyArtist]
    albums: dict[int, AotyAlbum]
    tracks: dict[int, AotyTrack]
    spellings: list[Spelling]
    users: dict[str, LastfmUser]
    artist_tags: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    _spelling_index: dict[tuple[str, str, str], int] = field(default_factory=dict, repr=False)
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    # --- views used by the servers, tests and evaluation -------------------------
    def aoty_albums(self) -> list[AotyAlbum]:
        """Albums the AOTY site serves."""
        return [a for a in self.albums.values() if a.on_aoty and all(self.artists[i].on_aoty for i in a.artist_ids)]

    def aoty_artists(self) -> list[AotyArtist]:
        return [a for a in self.artists.values() if a.on_aoty]

    def album_artist_names(self, album: AotyAlbum) -> list[str]:
        return [self.artists[i].name for i in album.artist_ids]

    def track_tags(self, spelling: Spelling) -> list[tuple[str, int]]:
        """Last.fm top tags of a track: its album's genres and a few crowd tags."""
        track = self.tracks.get(spelling.truth_track_id or -1)
        rng = random.Random(spelling.recording_id)
        tags: list[tuple[str, int]] = []
        if track is not None:
            album = self.albums[track.album_id]
            tags += [(g.lower(), 100 - 20 * i) for i, g in enumerate(album.genres + album.secondary_genres)]
        tags += [(t, rng.randint(1, 40)) for t in rng.sample(N.LASTFM_TAGS, 2)]
        return tags

    def find_spellings(self, artist: str, track: str) -> list[Spelling]:
        return [s for s in self.spellings if s.artist == artist and s.track == track]

    def scrobble_count(self) -> int:
        return sum(u.playcount for u in self.users.values())

    def append_scrobbles(self, user: str, n: int, *, start_uts: int | None = None) -> None:
        """Add n new scrobbles after the user's last one (tests of incremental loads)."""
        u = self.users[user]
        start = int(start_uts if start_uts is not None else (u.uts.max() + 600 if u.playcount else HISTORY_END))
        new_uts = start + np.arange(n, dtype=np.int64) * 200
        existing = np.unique(u.spelling_idx) if u.playcount else np.arange(min(50, len(self.spellings)))
        picks = np.array([self._rng.choice(list(existing)) for _ in range(n)], dtype=np.int64)
        u.uts = np.concatenate([u.uts, new_uts])
        u.spelling_idx = np.concatenate([u.spelling_idx, picks])


def _zipf_weights(n: int, s: float, rng: np.random.Generator) -> np.ndarray:
    ranks = rng.permutation(n) + 1
    w = 1.0 / ranks.astype(np.float64) ** s
    return w / w.sum()


def _release_date(rng: random.Random) -> date:
    year = int(min(2025, max(1962, rng.gauss(2012, 10))))
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def _make_catalog(cfg: WorldConfig, rng: random.Random) -> tuple[dict, dict, dict]:
    artists: dict[int, AotyArtist] = {}
    used_names: set[str] = set()
    next_artist = 100
    for _ in range(cfg.n_artists):
        name = N.artist_name(rng)
        while name.lower() in used_names:
            name = N.artist_name(rng)
        used_names.add(name.lower())
        genres = tuple(rng.sample(N.GENRES, rng.randint(1, 3)))
        artists[next_artist] = AotyArtist(
            next_artist, name, N.slugify(name), genres, on_aoty=rng.random() >= cfg.off_aoty_artist_share
        )
        next_artist += 7

    albums: dict[int, AotyAlbum] = {}
    tracks: dict[int, AotyTrack] = {}
    artist_ids = list(artists)
    next_album, next_track, next_recording = 1000, 5000, 1
    formats = list(FORMAT_WEIGHTS)
    format_cum = list(np.cumsum(list(FORMAT_WEIGHTS.values())))
    for aid in artist_ids:
        artist = artists[aid]
        n_albums = max(1, min(25, int(rng.expovariate(1 / cfg.albums_per_artist)) + 1))
        titles_seen: set[str] = set()
        for _ in range(n_albums):
            fmt = rng.choices(formats, cum_weights=format_cum)[0]
            lo, hi = FORMAT_TRACKS[fmt]
            n_tracks = rng.randint(lo, hi)
            track_titles = []
            while len(track_titles) < n_tracks:
                t = N.title(rng)
                if t not in track_titles:
                    track_titles.append(t)
            album_title = track_titles[0] if fmt == "Single" else N.title(rng)
            while album_title.lower() in titles_seen:
                album_title = N.title(rng)
            titles_seen.add(album_title.lower())
            credit = (aid,)
            if rng.random() < cfg.collab_share:
                credit = (aid, rng.choice(artist_ids))
                if credit[1] == aid:
                    credit = (aid,)
            album_id = next_album
            next_album += rng.randint(1, 9)
            released = _release_date(rng)
            genres = artist.genres[:2] if rng.random() < 0.8 else (rng.choice(N.GENRES),)
            secondary = tuple(g for g in rng.sample(N.GENRES, rng.randint(0, 2)) if g not in genres)
            album_tracks: list[AotyTrack] = []
            discs = 2 if n_tracks >= 16 and rng.random() < 0.4 else 1
            per_disc = (n_tracks + discs - 1) // discs
            for i, t in enumerate(track_titles):
                feats: tuple[int, ...] = ()
                if rng.random() < cfg.featured_share and fmt != "Single":
                    feats = tuple({rng.choice(artist_ids) for _ in range(rng.choices([1, 2], [85, 15])[0])} - {aid})
                count = int(rng.paretovariate(1.3) * 5) if rng.random() < 0.8 else 0
                album_tracks.append(AotyTrack(
                    track_id=next_track, album_id=album_id, disc=i // per_disc + 1, number=i % per_disc + 1,
                    title=t, duration_s=rng.randint(35, 420) if "Skit" not in t else rng.randint(20, 80),
                    featured_artist_ids=feats, recording_id=next_recording,
                    rating=rng.randint(40, 98) if count >= 10 else None, rating_count=count,
                ))
                next_track += rng.randint(1, 4)
                next_recording += 1
            critic = None if rng.random() < cfg.no_critic_share else rng.randint(38, 96)
            user_count = int(rng.paretovariate(1.1) * 40)
            album = AotyAlbum(
                album_id=album_id, slug=f"{album_id}-{N.slugify(album_title)}", title=album_title,
                artist_ids=credit, release_date=released, format=fmt, label=rng.choice(N.LABELS),
                genres=genres, secondary_genres=secondary,
                critic_score=critic, critic_review_count=rng.randint(1, 45) if critic is not None else 0,
                user_score=round(rng.uniform(35, 92), 1) if user_count >= 5 else None, user_rating_count=user_count,
                tracks=tuple(album_tracks), tags=tuple(rng.sample(N.LASTFM_TAGS, 2)),
                on_aoty=rng.random() >= cfg.off_aoty_album_share,
            )
            albums[album_id] = album
            for tr in album_tracks:
                tracks[tr.track_id] = tr
            if fmt == "LP" and rng.random() < cfg.deluxe_share:
                deluxe_id = next_album
                next_album += rng.randint(1, 9)
                deluxe_title = album_title + rng.choice([" (Deluxe Edition)", " (Deluxe)", " (Expanded Edition)"])
                bonus = []
                base_n = len(album_tracks)
                dtracks = []
                for i, tr in enumerate(album_tracks + bonus):
                    dtracks.append(AotyTrack(
                        track_id=next_track, album_id=deluxe_id, disc=1, number=i + 1, title=tr.title,
                        duration_s=tr.duration_s, featured_artist_ids=tr.featured_artist_ids,
                        recording_id=tr.recording_id, rating=None, rating_count=0))
                    next_track += rng.randint(1, 4)
                for j in range(rng.randint(2, 4)):
                    t = N.title(rng)
                    dtracks.append(AotyTrack(
                        track_id=next_track, album_id=deluxe_id, disc=1, number=base_n + j + 1, title=t,
                        duration_s=rng.randint(90, 360), featured_artist_ids=(), recording_id=next_recording,
                        rating=None, rating_count=0, notes="Bonus Track"))
                    next_track += rng.randint(1, 4)
                    next_recording += 1
                deluxe = AotyAlbum(
                    album_id=deluxe_id, slug=f"{deluxe_id}-{N.slugify(deluxe_title)}", title=deluxe_title,
                    artist_ids=credit, release_date=released + timedelta(days=rng.randint(200, 3000)),
                    format="LP", label=album.label, genres=genres, secondary_genres=secondary,
                    critic_score=None, critic_review_count=0,
                    user_score=None, user_rating_count=rng.randint(0, 4), tracks=tuple(dtracks),
                    edition_of=album_id, on_aoty=album.on_aoty,
                )
                albums[deluxe_id] = deluxe
                for tr in dtracks:
                    tracks[tr.track_id] = tr
    return artists, albums, tracks


class _SpellingFactory:
    """Makes the spelling a given player profile writes for an AOTY track, once."""

    def __init__(self, world: World, seed: int):
        self.world = world
        self.seed = seed
        self.by_recording: dict[int, list[int]] = {}
        for t in world.tracks.values():
            self.by_recording.setdefault(t.recording_id, []).append(t.track_id)
        self.deluxe_parents = {a.edition_of for a in world.albums.values() if a.edition_of}
        self.cache: dict[tuple[int, int], int] = {}

    def get(self, track_id: int, profile: int) -> int:
        key = (track_id, profile)
        idx = self.cache.get(key)
        if idx is None:
            idx = self._make(track_id, profile)
            self.cache[key] = idx
        return idx

    def _make(self, track_id: int, profile: int) -> int:
        w = self.world
        track = w.tracks[track_id]
        album = w.albums[track.album_id]
        main = w.artists[album.artist_ids[0]]
        rng = random.Random(self.seed * 1_000_003 + track_id * 31 + profile)
        clean = profile == 0 and rng.random() < 0.6  # most of one client's scrobbles are catalog-clean
        names = Names(main.name, album.title, track.title)
        featured = [w.artists[i].name for i in track.featured_artist_ids]
        others = [w.artists[i].name for i in album.artist_ids[1:]]
        kinds: list[str] = []
        other_version = False
        if not clean:
            names, kinds, other_version = mangle(
                names, featured=featured, other_artists=others,
                album_has_deluxe_sibling=album.album_id in self.deluxe_parents or album.edition_of is not None,
                year=album.year, is_single=album.format == "Single", rng=rng)
        on_aoty = album.on_aoty and all(w.artists[i].on_aoty for i in album.artist_ids)
        album_named = bool(names.album) and "empty_album" not in kinds and "placeholder_album" not in kinds
        if not on_aoty:
            truth_album, truth_track, acceptable = None, None, ()
            kinds.append("not_on_aoty")
        elif other_version:
            truth_album, truth_track, acceptable = (album.album_id if album_named else None), None, ()
        else:
            truth_album, truth_track = album.album_id, track.track_id
            if album_named and album.format != "Single":
                acceptable = (track.track_id,)
            else:  # the album is not named: any edition carrying this recording is right
                acceptable = tuple(sorted(
                    t for t in self.by_recording[track.recording_id]
                    if w.albums[w.tracks[t].album_id].on_aoty))
        text_key = (names.artist, names.album, names.track)
        existing = w._spelling_index.get(text_key)
        if existing is not None:
            return existing
        spelling = Spelling(
            spelling_id=len(w.spellings), artist=names.artist, album=names.album, track=names.track,
            artist_mbid="" if rng.random() < 0.4 else f"{main.artist_id:08x}-0000-4000-8000-{main.artist_id:012x}",
            recording_id=track.recording_id, truth_album_id=truth_album, truth_track_id=truth_track,
            acceptable_track_ids=acceptable, noise=tuple(kinds) or ("clean",),
        )
        w.spellings.append(spelling)
        w._spelling_index[text_key] = spelling.spelling_id
        return spelling.spelling_id


def _make_users(world: World, cfg: WorldConfig, rng: random.Random, nrng: np.random.Generator) -> None:
    factory = _SpellingFactory(world, cfg.seed)
    albums = list(world.albums.values())
    # Popularity: artists Zipf, albums inside an artist by a second Zipf.
    artist_ids = list(world.artists)
    artist_w = _zipf_weights(len(artist_ids), 1.05, nrng)
    # AOTY misses obscure artists, not famous ones: off-AOTY artists get little listening.
    off_aoty = np.array([not world.artists[a].on_aoty for a in artist_ids])
    artist_w = np.where(off_aoty, artist_w * OFF_AOTY_LISTENING, artist_w)
    artist_w /= artist_w.sum()
    albums_by_artist: dict[int, list[AotyAlbum]] = {}
    for a in albums:
        albums_by_artist.setdefault(a.artist_ids[0], []).append(a)
    for ui in range(cfg.n_users):
        name = f"{N.pseudo_word(rng).lower()}_{ui}" if ui >= 3 else ["rj", "mira_listens", "t0m.b"][ui]
        registered = HISTORY_START + rng.randrange(86400 * 365 * 3)
        taste_n = min(len(artist_ids), rng.randint(30, 300))
        taste = nrng.choice(len(artist_ids), size=taste_n, replace=False, p=artist_w)
        taste_w = artist_w[taste] / artist_w[taste].sum()
        profiles = rng.sample(range(cfg.player_profiles), k=rng.randint(1, cfg.player_profiles))
        target = cfg.scrobbles_per_user
        uts_parts: list[np.ndarray] = []
        sp_parts: list[int] = []
        total = 0
        span = HISTORY_END - registered
        # Sessions' artists drawn in one vectorized call; refilled if sessions run short.
        session_artists: list[int] = []
        while total < target:
            if not session_artists:
                session_artists = [artist_ids[int(taste[i])] for i in nrng.choice(taste_n, size=4096, p=taste_w)]
            artist = session_artists.pop()
            own = albums_by_artist.get(artist)
            if not own:
                continue
            album = own[min(int(rng.expovariate(0.8)), len(own) - 1)]
            start = rng.randrange(len(album.tracks)) if rng.random() < 0.5 else 0
            length = min(len(album.tracks) - start, max(1, int(rng.expovariate(1 / 6))), target - total)
            profile = rng.choice(profiles)
            t0 = registered + rng.randrange(span)
            offsets = np.cumsum([0] + [album.tracks[start + i].duration_s + rng.randint(0, 20) for i in range(length - 1)])
            uts_parts.append(t0 + np.asarray(offsets, dtype=np.int64))
            sp_parts.extend(factory.get(album.tracks[start + i].track_id, profile) for i in range(length))
            total += length
        uts = np.concatenate(uts_parts) if uts_parts else np.zeros(0, dtype=np.int64)
        sp = np.asarray(sp_parts, dtype=np.int64)
        order = np.argsort(uts, kind="stable")
        user = LastfmUser(
            name=name, realname=rng.choice(["", f"{rng.choice(N.FIRST_NAMES)} {rng.choice(N.LAST_NAMES)}"]),
            country=rng.choice(["None", "Germany", "United Kingdom", "Japan", "Brazil", "United States"]),
            registered_uts=registered, uts=uts[order], spelling_idx=sp[order],
        )
        distinct = np.unique(user.spelling_idx)
        n_loved = min(len(distinct), max(1, len(distinct) // 25))
        for s in rng.sample(list(distinct), n_loved):
            user.loved.append((int(s), registered + rng.randrange(span)))
        user.loved.sort(key=lambda p: -p[1])
        if distinct.size:
            user.now_playing = int(rng.choice(list(distinct)))
        world.users[name] = user


def generate_world(cfg: WorldConfig | None = None) -> World:
    cfg = cfg or WorldConfig()
    rng = random.Random(cfg.seed)
    nrng = np.random.default_rng(cfg.seed)
    artists, albums, tracks = _make_catalog(cfg, rng)
    world = World(config=cfg, artists=artists, albums=albums, tracks=tracks, spellings=[], users={},
                  _rng=random.Random(cfg.seed + 1))
    for aid, a in artists.items():
        world.artist_tags[aid] = [(g.lower(), 100 - 15 * i) for i, g in enumerate(a.genres)] + [
            (t, rng.randint(1, 30)) for t in rng.sample(N.LASTFM_TAGS, 2)]
    _make_users(world, cfg, rng, nrng)
    return world
