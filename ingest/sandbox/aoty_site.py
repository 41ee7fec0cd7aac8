"""A local albumoftheyear.org: the offline world's AOTY side served at the real URL
patterns, with the live site's markup and clutter, and switchable faults.

    with AotySite(world) as site:            # 127.0.0.1, a free port
        fetch(site.base_url + "/album/1000-some-title.php")
        site.faults = AotyFaults(rate_limit_share=0.3)   # switch at runtime
        site.requests, site.hits_by_kind

The markup follows /work/shared/reference/aoty-markup.md: JSON-LD plus score boxes,
detailRows, tracklist table; `.albumBlock` lists; 2024+ artist pages (`data-type=""`
under `h2.subHeadline` sections); search pages with a headline and "Albums (N)".
"""
from __future__ import annotations

import hashlib
import html
import json
import re
import threading
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlparse

from .model import AotyAlbum, AotyArtist
from .names import slugify
from .world import World

PAGE_SIZE = 60
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class AotyFaults:
    """Which requests misbehave. A URL is picked for a fault kind by a seeded hash, and a
    picked URL fails on its first `failures_per_url` hits (then serves normally), so a
    polite retry gets through; drift is permanent (the markup is what it is)."""

    seed: int = 0
    rate_limit_share: float = 0.0  # HTTP 429 with Retry-After
    retry_after_s: float = 1.0
    server_error_share: float = 0.0  # HTTP 503
    challenge_share: float = 0.0  # "Just a moment..." interstitial
    challenge_status: int = 403  # 403 or 503, as Cloudflare does
    challenge_solvable: bool = True  # its script sets a clearance cookie and reloads, like a real one
    slow_share: float = 0.0
    slow_s: float = 3.0
    truncate_share: float = 0.0  # HTML cut off mid-page (no Content-Length, connection closed)
    drift_share: float = 0.0  # album pages whose markup drifted (a renamed class)
    failures_per_url: int = 1  # a large value makes a fault permanent (the circuit-breaker case)

    @classmethod
    def refuse_everything(cls) -> "AotyFaults":
        """The site keeps refusing: every request is answered with a 429."""
        return cls(rate_limit_share=1.0, retry_after_s=0.2, failures_per_url=10**9)


# (old, new) class renames; the first two are absorbed by the parser's fallbacks, the last
# one hides the tracklist so that the page must be quarantined, never read as "no tracks".
DRIFTS: list[list[tuple[str, str]]] = [
    [("albumUserScoreBox", "albumUserScoreBox2")],
    [("detailRow", "detail-row")],
    [("trackListTable", "songTable"), ("trackTitle", "songTitle"), ("trackNumber", "songNumber")],
]


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def _tokens(text: str) -> set[str]:
    return set(_TOKEN.findall(_fold(text)))


def _pick(seed: int, url: str, kind: str, share: float) -> bool:
    if share <= 0:
        return False
    if share >= 1:
        return True
    digest = hashlib.blake2b(f"{seed}|{kind}|{url}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 < share


def _e(text: object) -> str:
    """HTML-escape like PHP's htmlspecialchars(ENT_QUOTES): ' becomes &#039;."""
    return html.escape(str(text), quote=True).replace("&#x27;", "&#039;")


def _mmss(seconds: int) -> str:
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _abbrev(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f}M".replace(".0M", "M")
    if count >= 10_000:
        return f"{count / 1000:.1f}K".replace(".0K", "K")
    return f"{count:,}"


class SiteContent:
    """Renders pages for a world; pure apart from reading the world."""

    def __init__(self, world: World):
        self.world = world
        self.albums: dict[int, AotyAlbum] = {a.album_id: a for a in world.aoty_albums()}
        self.artists: dict[int, AotyArtist] = {a.artist_id: a for a in world.aoty_artists()}
        self.by_artist: dict[int, list[AotyAlbum]] = {}
        self.album_index: dict[str, set[int]] = {}
        self.artist_index: dict[str, set[int]] = {}
        for album in sorted(self.albums.values(), key=lambda a: (a.release_date, a.album_id)):
            for aid in album.artist_ids:
                self.by_artist.setdefault(aid, []).append(album)
            for tok in _tokens(album.title + " " + " ".join(self.world.album_artist_names(album))):
                self.album_index.setdefault(tok, set()).add(album.album_id)
        for artist in self.artists.values():
            for tok in _tokens(artist.name + " " + " ".join(artist.also_known_as)):
                self.artist_index.setdefault(tok, set()).add(artist.artist_id)

    # --- links -----------------------------------------------------------------------------
    def album_href(self, album: AotyAlbum) -> str:
        return f"/album/{album.slug}.php"

    def artist_href(self, artist: AotyArtist) -> str:
        return f"/artist/{artist.artist_id}-{artist.slug}/"

    def _artist(self, artist_id: int) -> AotyArtist:
        return self.world.artists[artist_id]

    # --- page frame: the live site's clutter --------------------------------------------------
    def frame(self, title: str, body: str, *, head: str = "", canonical: str = "") -> str:
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title>
{f'<link rel="canonical" href="{canonical}">' if canonical else ''}
<link rel="stylesheet" href="/css/main.css?v=20251104">
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}} gtag('js', new Date());</script>
<script async src="/js/ads.js"></script>
{head}
</head>
<body>
<div id="header"><div class="logo"><a href="/">Album of the Year</a></div>
<nav class="navBar"><ul>
<li><a href="/ratings/6-highest-rated/all/">Top Albums</a></li><li><a href="/releases/">New Releases</a></li>
<li><a href="/genre.php">Genres</a></li><li><a href="/genre/7-rock/">Rock</a></li><li><a href="/tag/seen-live/">Trending Tags</a></li>
<li><a href="/artist/1-the-beatles/">Featured Artist</a></li><li><a href="/search/albums/?q=">Search</a></li>
</ul></nav>
<form class="searchForm" action="/search/"><input type="text" name="q" placeholder="Search artists, albums &amp; users"></form>
</div>
<div class="adWrapper"><div id="aoty_leaderboard" class="adTag">Advertisement</div><script>googletag.cmd.push(function(){{googletag.display('aoty_leaderboard');}});</script></div>
<div id="centerContent">
{body}
</div>
<div class="adWrapper"><div class="adTag" id="aoty_footer_ad"></div></div>
<div id="footer"><div class="footerLinks"><a href="/about/">About</a> &middot; <a href="/contact/">Contact</a> &middot; <a href="/privacy/">Privacy</a></div>
<div class="copyright">&copy; 2026 Album of the Year</div></div>
<script>(function(){{var s=document.createElement('script');s.src='/js/main.js';document.body.appendChild(s);}})();</script>
</body>
</html>
"""

    # --- album page ---------------------------------------------------------------------------
    def album_page(self, album: AotyAlbum, base_url: str) -> str:
        w = self.world
        artists = [self._artist(i) for i in album.artist_ids]
        names = " &amp; ".join(_e(a.name) for a in artists)
        by = [{"@type": "MusicGroup", "name": _e(a.name), "url": base_url + self.artist_href(a)} for a in artists]
        ld: dict = {
            "@context": "https://schema.org", "@type": "MusicAlbum", "name": _e(album.title),
            "byArtist": by[0] if len(by) == 1 else by, "genre": list(album.genres) if len(album.genres) != 1 else album.genres[0],
            "datePublished": album.release_date.isoformat(), "url": base_url + self.album_href(album),
            "numTracks": len(album.tracks), "dateCreated": "2019-03-02", "dateModified": "2025-10-30",
            "image": f"{base_url}/images/album/{album.album_id}.jpg",
        }
        if album.critic_score is not None:
            ld["aggregateRating"] = {"@type": "AggregateRating", "ratingValue": album.critic_score,
                                     "reviewCount": album.critic_review_count, "bestRating": 100, "worstRating": 0}
        ld_json = json.dumps(ld, ensure_ascii=False).replace("</", "<\\/")
        d = album.release_date
        rows = [
            f'<div class="detailRow">&nbsp;<a href="/{d.year}/releases/{d.strftime("%B").lower()}-{d.day:02d}.php">'
            f'{d.strftime("%B")} {d.day}</a>, <a href="/{d.year}/releases/">{d.year}</a><span>/ Release Date</span></div>',
            f'<div class="detailRow">{_e(album.format)}<span>/ Format</span></div>',
            f'<div class="detailRow"><a href="/label/{abs(hash(album.label)) % 9000 + 10}-{slugify(album.label)}/">'
            f'{_e(album.label)}</a><span>/ Label</span></div>',
        ]
        genre_links = [f'<a href="/genre/{i + 3}-{slugify(g)}/">{_e(g)}</a>' for i, g in enumerate(album.genres)]
        genre_links += [f'<a href="/genre/{i + 90}-{slugify(g)}/"><div class="secondary">{_e(g)}</div></a>'
                        for i, g in enumerate(album.secondary_genres)]
        if genre_links:
            rows.append(f'<div class="detailRow">{", ".join(genre_links)}<span>/ Genres</span></div>')
        producer = self._artist(album.artist_ids[0])
        rows.append(f'<div class="detailRow"><a href="{self.artist_href(producer)}">{_e(producer.name)}</a>'
                    f'<span>/ Producer</span></div>')
        critic_box = ""
        if album.critic_score is not None:
            critic_box = f"""<div class="albumCriticScoreBox">
<div class="heading">Critic Score</div>
<div class="albumCriticScore"><a href="#critics" title="{album.critic_score}">{album.critic_score}</a></div>
<div class="text numReviews">Based on <span>{album.critic_review_count:,}</span> reviews</div>
<div class="text gray"><a href="/{d.year}/">{d.year} Rank: #{album.album_id % 97 + 1}</a></div>
</div>"""
        user_text = f"{round(album.user_score)}" if album.user_score is not None else "NR"
        user_title = f"{album.user_score:.1f}" if album.user_score is not None else ""
        user_box = f"""<div class="albumUserScoreBox">
<div class="heading">User Score</div>
<div class="albumUserScore"><a href="/album/{album.slug}/user-reviews/" title="{user_title}">{user_text}</a></div>
<div class="text numReviews"><a href="/album/{album.slug}/user-reviews/">Based on <strong>{album.user_rating_count:,}</strong> ratings</a></div>
<div class="text gray">All Time: #{album.album_id % 500 + 1}</div>
</div>"""
        tracks_html = self._tracklist(album)
        reviews = ""
        if album.critic_score is not None:
            reviews = "".join(
                f'<div class="albumReviewRow"><div class="albumReviewHeader"><div class="publication"><a href="/publication/{k + 1}-pub/">'
                f'Publication {k + 1}</a></div><div class="author"><a href="/author/{k + 1}/">Critic {k + 1}</a></div></div>'
                f'<div class="albumReviewText">A record that sounds like itself &amp; nobody else.</div>'
                f'<div class="albumReviewRating">{max(0, min(100, album.critic_score + k - 1))}</div></div>'
                for k in range(min(3, album.critic_review_count)))
        more = [a for a in self.by_artist.get(album.artist_ids[0], []) if a.album_id != album.album_id][:4]
        more_html = "".join(self.album_block(a, kind="artist") for a in more)
        tags = "".join(f'<a href="/tag/{slugify(t)}/"><div class="tag">{_e(t)}</div></a>' for t in album.tags)
        body = f"""<div class="albumHeadline">
<h1 class="albumTitle"><span>{_e(album.title)}</span></h1>
<div class="artistTitle">{' &amp; '.join(f'<a href="{self.artist_href(a)}">{_e(a.name)}</a>' for a in artists)}</div>
</div>
<div class="albumTopBox cover"><img src="/images/album/{album.album_id}.jpg" alt="{names} - {_e(album.title)}">
<button class="showImage" data-id="{album.album_id}">View Cover</button></div>
<div class="albumTopBox info">
{chr(10).join(rows)}
</div>
<div class="adWrapper"><div class="adTag" id="aoty_album_mid"></div></div>
<div class="albumTopBox ratings">
{critic_box}
{user_box}
</div>
{tracks_html}
<div class="section" id="critics"><h2 class="subHeadline">Critic Reviews</h2>{reviews}</div>
<div class="section"><h2 class="subHeadline">More By {_e(artists[0].name)}</h2><div class="albumBlockContainer">{more_html}</div></div>
<div class="section tags">{tags}</div>"""
        return self.frame(f"{', '.join(a.name for a in artists)} - {album.title} - Reviews - Album of The Year", body,
                          head=f'<script type="application/ld+json">{ld_json}</script>',
                          canonical=base_url + self.album_href(album))

    def _tracklist(self, album: AotyAlbum) -> str:
        if not album.tracks:
            return '<div class="trackList"><div class="noTracks">No tracklist yet.</div></div>'
        rows = []
        discs = {t.disc for t in album.tracks}
        for t in album.tracks:
            if len(discs) > 1 and t.number == 1:
                rows.append(f'<tr><td colspan="3"><div class="discNumber">Disc {t.disc}</div></td></tr>')
            feats = ""
            if t.featured_artist_ids:
                links = ", ".join(f'<a href="{self.artist_href(self._artist(i))}">{_e(self._artist(i).name)}</a>'
                                  for i in t.featured_artist_ids)
                feats = f'<div class="featuredArtists">feat. {links}</div>'
            notes = f'<div class="trackNotes">{_e(t.notes)}</div>' if t.notes else ""
            rating = (f'<span class="green-font" title="{t.rating_count:,} Ratings">{t.rating}</span>'
                      if t.rating is not None else "")
            rows.append(
                f'<tr><td class="trackNumber">{t.number}</td>'
                f'<td class="trackTitle"><a href="/song/{t.track_id}-{slugify(t.title)}.php">{_e(t.title)}</a>'
                f'{feats}{notes}<div class="length">{_mmss(t.duration_s)}</div></td>'
                f'<td class="trackRating">{rating}</td></tr>')
        total = sum(t.duration_s for t in album.tracks)
        return (f'<div class="trackList"><table class="trackListTable"><tbody>{"".join(rows)}</tbody></table>'
                f'<div class="totalLength">Total Length: {_mmss(total)}</div></div>')

    # --- album lists ----------------------------------------------------------------------
    def album_block(self, album: AotyAlbum, *, kind: str) -> str:
        """kind: 'artist' (2024+ discography: data-type="" and a year), 'search' (type and date, no ratings)."""
        artists = [self._artist(i) for i in album.artist_ids]
        title = f'<a href="{self.album_href(album)}"><div class="albumTitle">{_e(album.title)}</div></a>'
        image = (f'<div class="image"><a href="{self.album_href(album)}"><img class="lazyload" '
                 f'data-src="/images/album/{album.album_id}.jpg" alt="{_e(album.title)}"></a></div>')
        if kind == "search":
            # the artist title is a link for single-artist albums, plain text for collaborations
            artist = (f'<a href="{self.artist_href(artists[0])}"><div class="artistTitle">{_e(artists[0].name)}</div></a>'
                      if len(artists) == 1 else
                      f'<div class="artistTitle">{" &amp; ".join(_e(a.name) for a in artists)}</div>')
            return (f'<div class="albumBlock" data-type="{album.format.lower()}">{image}{artist}{title}'
                    f'<div class="type">{album.release_date.strftime("%b")} {album.release_date.day}, {album.year}'
                    f' &bull; {_e(album.format)}</div><div class="ratingRowContainer"></div></div>')
        ratings = []
        if album.critic_score is not None:
            ratings.append(f'<div class="ratingRow"><div class="ratingBlock"><div class="rating">{album.critic_score}</div>'
                           f'</div><div class="ratingText">critic score</div>'
                           f'<div class="ratingText">({_abbrev(album.critic_review_count)})</div></div>')
        if album.user_score is not None:
            ratings.append(f'<div class="ratingRow"><div class="ratingBlock"><div class="rating">{round(album.user_score)}'
                           f'</div></div><div class="ratingText">user score</div>'
                           f'<div class="ratingText">({_abbrev(album.user_rating_count)})</div></div>')
        return (f'<div class="albumBlock five small" data-type="">{image}{title}<div class="type">{album.year}</div>'
                f'<div class="ratingRowContainer">{"".join(ratings)}</div></div>')

    def artist_page(self, artist: AotyArtist, base_url: str) -> str:
        albums = self.by_artist.get(artist.artist_id, [])
        own = [a for a in albums if a.artist_ids[0] == artist.artist_id]
        appears = [a for a in albums if a.artist_ids[0] != artist.artist_id]
        sections = []
        for heading, fmt in (("Albums", "LP"), ("Mixtapes", "Mixtape"), ("EPs", "EP"), ("Singles", "Single")):
            part = [a for a in own if a.format == fmt]
            if part:
                sections.append(f'<h2 class="subHeadline">{heading}</h2><div class="albumBlockContainer">'
                                + "".join(self.album_block(a, kind="artist") for a in reversed(part)) + "</div>")
        if appears:
            sections.append('<h2 class="subHeadline">Appears On</h2><div class="albumBlockContainer">'
                            + "".join(self.album_block(a, kind="artist") for a in appears) + "</div>")
        critic = [a for a in own if a.critic_score is not None]
        user = [a for a in own if a.user_score is not None]
        critic_box = user_box = ""
        if critic:
            avg = round(sum(a.critic_score or 0 for a in critic) / len(critic))
            critic_box = (f'<div class="artistCriticScoreBox"><div class="artistCriticScore"><a>{avg}</a></div>'
                          f'<div class="text">Based on {sum(a.critic_review_count for a in critic):,} reviews</div></div>')
        if user:
            avg_u = round(sum(a.user_score or 0 for a in user) / len(user))
            user_box = (f'<div class="artistUserScoreBox"><div class="artistUserScore"><a>{avg_u}</a></div>'
                        f'<div class="text">Based on {sum(a.user_rating_count for a in user):,} ratings</div></div>')
        genres = ", ".join(f'<a href="/genre/{i + 3}-{slugify(g)}/">{_e(g)}</a>' for i, g in enumerate(artist.genres))
        aka = (f'<div class="detailRow">{_e(", ".join(artist.also_known_as))}<span>/ Also Known As</span></div>'
               if artist.also_known_as else "")
        body = f"""<h1 class="artistHeadline">{_e(artist.name)}</h1>
<div class="artistTopBox info"><div class="detailRow">{genres}<span>/ Genres</span></div>{aka}</div>
<div class="artistTopBox ratings">{critic_box}{user_box}</div>
<div id="discography">{''.join(sections)}</div>"""
        return self.frame(f"{artist.name} Album and Song Reviews - Album of The Year", body,
                          canonical=base_url + self.artist_href(artist))

    # --- search -------------------------------------------------------------------------------
    def _rank(self, query: str, index: dict[str, set[int]]) -> list[tuple[float, int]]:
        """Token search like a site's: case- and accent-insensitive, best token overlap first."""
        q = _tokens(query)
        if not q:
            return []
        hits: Counter[int] = Counter()
        for tok in q:
            for item in index.get(tok, ()):
                hits[item] += 1
        return sorted(((n / len(q), i) for i, n in hits.items()), key=lambda p: (-p[0], p[1]))

    def album_search_page(self, query: str) -> str:
        ranked = self._rank(query, self.album_index)
        ranked.sort(key=lambda p: (-p[0], -self.albums[p[1]].user_rating_count, p[1]))
        blocks = "".join(self.album_block(self.albums[i], kind="search") for _, i in ranked[:PAGE_SIZE])
        body = (f'<h1 class="headline">Search Results for "{_e(query)}"</h1>'
                f'<h2 class="subHeadline">Albums ({len(ranked):,})</h2>'
                f'<div class="albumBlockContainer">{blocks}</div>'
                + ('<div class="pager"><a href="?q=' + quote(query) + '&amp;start=60">Next</a></div>' if len(ranked) > PAGE_SIZE else ""))
        return self.frame(f"Search Results for {query} - Album of The Year", body)

    def artist_search_page(self, query: str) -> str:
        ranked = self._rank(query, self.artist_index)
        blocks = "".join(
            f'<div class="artistBlock"><div class="image"><a href="{self.artist_href(a)}"><img data-src="/images/artist/'
            f'{a.artist_id}.jpg" alt=""></a></div><a href="{self.artist_href(a)}"><div class="name">{_e(a.name)}</div></a></div>'
            for a in (self.artists[i] for _, i in ranked[:PAGE_SIZE]))
        body = (f'<h1 class="headline">Search Results for "{_e(query)}"</h1>'
                f'<h2 class="subHeadline">Artists ({len(ranked):,})</h2><div class="artistBlockContainer">{blocks}</div>')
        return self.frame(f"Search Results for {query} - Album of The Year", body)

    def song_page(self, track_id: int) -> str | None:
        track = self.world.tracks.get(track_id)
        if track is None or track.album_id not in self.albums:
            return None
        album = self.albums[track.album_id]
        body = (f'<h1 class="songTitle">{_e(track.title)}</h1><div class="songAlbum"><a href="{self.album_href(album)}">'
                f'{_e(album.title)}</a></div><div class="length">{_mmss(track.duration_s)}</div>')
        return self.frame(f"{track.title} - Album of The Year", body)

    def challenge_page(self, solvable: bool) -> str:
        solve = ("<script>setTimeout(function(){document.cookie='aoty_clearance=ok; path=/';location.reload();},200);</script>"
                 if solvable else "")
        return f"""<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="refresh" content="360"><script>window._cf_chl_opt={{cvId:'3',cType:'managed'}};</script></head>
<body><div class="main-wrapper" role="main"><div class="main-content"><h1 class="zone-name-title h1">www.albumoftheyear.org</h1>
<h2 class="h2" id="challenge-running">Checking if the site connection is secure</h2><div id="challenge-form"></div></div></div>{solve}</body></html>"""

    def not_found(self) -> str:
        return self.frame("Page Not Found - Album of The Year", '<h1 class="headline">Page Not Found</h1>')


class AotySite:
    """The local site on 127.0.0.1 (free port) in a background thread."""

    def __init__(self, world: World, faults: AotyFaults | None = None, *, host: str = "127.0.0.1", port: int = 0):
        self.content = SiteContent(world)
        self.faults = faults or AotyFaults()
        self._host, self._port = host, port
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.reset_counters()

    # --- counters -----------------------------------------------------------------------------
    def reset_counters(self) -> None:
        with getattr(self, "_lock", threading.Lock()):
            self.requests = 0
            self.hits: Counter[str] = Counter()  # path+query -> hits
            self.hits_by_kind: Counter[str] = Counter()  # album, artist, search_albums, ...
            self.faults_served: Counter[str] = Counter()  # fault kind -> times served
            self.request_log: list[tuple[float, str]] = []  # (monotonic arrival, path+query)

    def _count(self, target: str, kind: str) -> int:
        with self._lock:
            self.requests += 1
            self.hits[target] += 1
            self.hits_by_kind[kind] += 1
            self.request_log.append((time.monotonic(), target))
            return self.hits[target]

    # --- lifecycle ----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the AOTY site is not running: use `with AotySite(world) as site:` or .start()")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "AotySite":
        handler = _make_handler(self)
        self._server = ThreadingHTTPServer((self._host, self._port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="aoty-site", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "AotySite":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- routing ------------------------------------------------------------------------------
    def route(self, path: str, query: dict[str, list[str]]) -> tuple[str, int, str | None]:
        """(kind, status, html) for a path."""
        c = self.content
        base = self.base_url
        if m := re.fullmatch(r"/album/(\d+)(?:-[^/]*)?\.php", path):
            album = c.albums.get(int(m.group(1)))
            return ("album", 200, c.album_page(album, base)) if album else ("album", 404, None)
        if m := re.fullmatch(r"/artist/(\d+)(?:-[^/]*)?/?", path):
            artist = c.artists.get(int(m.group(1)))
            return ("artist", 200, c.artist_page(artist, base)) if artist else ("artist", 404, None)
        if m := re.fullmatch(r"/song/(\d+)(?:-[^/]*)?\.php", path):
            page = c.song_page(int(m.group(1)))
            return ("song", 200 if page else 404, page)
        if path in ("/search/albums/", "/search/albums", "/search/"):
            return "search_albums", 200, c.album_search_page(query.get("q", [""])[0])
        if path in ("/search/artists/", "/search/artists"):
            return "search_artists", 200, c.artist_search_page(query.get("q", [""])[0])
        if path == "/":
            return "home", 200, c.frame("Album of The Year", '<h1 class="headline">Album of The Year</h1>')
        return "other", 404, None


def _make_handler(site: AotySite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "nginx"
        sys_version = ""

        def log_message(self, format: str, *args: object) -> None:  # quiet: tests read counters instead
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            parsed = urlparse(self.path)
            if parsed.path.startswith(("/css/", "/js/", "/images/", "/favicon")):
                self._send(404 if not parsed.path.startswith("/css/") else 200, "", content_type="text/plain")
                return
            target = parsed.path + (f"?{parsed.query}" if parsed.query else "")
            kind, status, page = site.route(parsed.path, parse_qs(parsed.query))
            hit = site._count(target, kind)
            f = site.faults
            transient = hit <= f.failures_per_url
            cleared = "aoty_clearance=ok" in (self.headers.get("Cookie") or "")
            if transient and _pick(f.seed, target, "slow", f.slow_share):
                site.faults_served["slow"] += 1
                time.sleep(f.slow_s)
            if transient and _pick(f.seed, target, "429", f.rate_limit_share):
                site.faults_served["429"] += 1
                self._send(429, "<html><head><title>429 Too Many Requests</title></head><body><h1>Too Many Requests</h1></body></html>",
                           headers={"Retry-After": f"{f.retry_after_s:g}"})
                return
            if transient and _pick(f.seed, target, "503", f.server_error_share):
                site.faults_served["503"] += 1
                self._send(503, "<html><head><title>503 Service Temporarily Unavailable</title></head><body>"
                                "<center><h1>503 Service Temporarily Unavailable</h1></center></body></html>")
                return
            if transient and not (cleared and f.challenge_solvable) and _pick(f.seed, target, "challenge", f.challenge_share):
                site.faults_served["challenge"] += 1
                self._send(f.challenge_status, site.content.challenge_page(f.challenge_solvable))
                return
            if page is None:
                self._send(status, site.content.not_found())
                return
            if kind == "album" and _pick(f.seed, target, "drift", f.drift_share):
                site.faults_served["drift"] += 1
                for old, new in DRIFTS[int(hashlib.md5(target.encode()).hexdigest(), 16) % len(DRIFTS)]:
                    page = page.replace(old, new)
            if transient and _pick(f.seed, target, "truncate", f.truncate_share):
                site.faults_served["truncate"] += 1
                body = page.encode("utf-8")
                self._send_truncated(body[: int(len(body) * 0.55)])
                return
            self._send(status, page)

        def _send(self, status: int, page: str, *, headers: dict[str, str] | None = None,
                  content_type: str = "text/html; charset=utf-8") -> None:
            body = page.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the browser navigated away: fine
                self.close_connection = True

        def _send_truncated(self, body: bytes) -> None:
            # No Content-Length: the body ends where the connection closes, so the browser
            # shows a 200 page that simply stops, as a dropped proxy connection does.
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True

    return Handler


def start_aoty_site(world: World, faults: AotyFaults | None = None, *, port: int = 0) -> AotySite:
    """The site running in a background thread (for the demo); call .stop() when done."""
    return AotySite(world, faults, port=port).start()
