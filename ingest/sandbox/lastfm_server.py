"""A local Last.fm-compatible JSON API serving a generated `World`.

    with LastfmServer(world, api_key="demo-key") as srv:
        requests.get(srv.base_url, params={"method": "user.getInfo", "user": "rj", ...})

It reproduces the shapes and quirks the real API has (see shared/reference/lastfm-api.md):
numbers as strings, the now-playing row first on page 1, a single result as an object,
two empty-history shapes, error bodies with the real codes and HTTP statuses, some with a
UTF-8 BOM and `"links": []`. Faults (HTTP 500s, rate limiting, slow and malformed responses)
are switched at runtime through `srv.faults`, with seeded randomness.
"""
from __future__ import annotations

import json
import math
import random
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlparse

import numpy as np

from .model import LastfmUser, Spelling
from .world import World

METHODS = ("user.getInfo", "user.getRecentTracks", "user.getLovedTracks", "track.getTopTags", "artist.getTopTags")
_CANONICAL = {m.lower(): m for m in METHODS}
MAX_LIMIT = 200
DEFAULT_LIMIT = 50

# code -> (HTTP status, message) as the real service answers them
ERRORS: dict[int, tuple[int, str]] = {
    3: (400, "Invalid Method - No method with that name in this package"),
    6: (400, "Invalid parameters - Your request is missing a required parameter"),
    8: (500, "Operation failed - Most likely the backend service failed. Please try again."),
    10: (403, "Invalid API key - You must be granted a valid key by last.fm"),
    11: (503, "Service Offline - This service is temporarily offline. Try again later."),
    16: (503, "There was a temporary error processing your request. Please try again"),
    17: (403, "Login: User required to be logged in"),
    26: (403, "Suspended API key - Access for your account has been suspended, please contact Last.fm"),
    29: (429, "Rate Limit Exceeded - Your IP has made too many requests in a short period"),
}


@dataclass
class LastfmFaults:
    """Faults switched on at runtime; all shares are probabilities per request."""

    http_500_share: float = 0.0  # HTTP 500 (HTML page or a JSON error 8/11/16)
    rate_limit_per_second: float = 0.0  # answer error 29 above this many requests/s (0 = off)
    delay_seconds: float = 0.0  # added latency ...
    slow_share: float = 1.0  # ... on this share of requests
    malformed_share: float = 0.0  # HTTP 200 with a truncated JSON body
    seed: int = 0


class _ApiError(Exception):
    def __init__(self, code: int, message: str | None = None, status: int | None = None):
        default_status, default_message = ERRORS[code]
        super().__init__(message or default_message)
        self.code = code
        self.message = message or default_message
        self.status = status or default_status


def _date_text(uts: int) -> str:
    return datetime.fromtimestamp(uts, timezone.utc).strftime("%d %b %Y, %H:%M")


def _images(url: str) -> list[dict[str, str]]:
    return [{"size": s, "#text": f"{url}/{s}.png"} for s in ("small", "medium", "large", "extralarge")]


class LastfmServer:
    """The API on 127.0.0.1 on a free port, answering from a background thread."""

    def __init__(
        self,
        world: World,
        api_key: str = "demo-key",
        *,
        faults: LastfmFaults | None = None,
        suspended_keys: tuple[str, ...] = (),
        legacy_empty_history: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
    ):
        self.world = world
        self.api_key = api_key
        self.suspended_keys = set(suspended_keys)
        self.legacy_empty_history = legacy_empty_history
        # per API method (documented spelling); "total" counts every request
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._recent: deque[float] = deque()
        self._error_count = 0
        self.faults = faults or LastfmFaults()
        self._by_artist_track: dict[tuple[str, str], Spelling] = {}
        self._artist_ids: dict[str, int] = {}
        self._index_world()
        self._httpd = ThreadingHTTPServer((host, port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/2.0/"

    @property
    def faults(self) -> LastfmFaults:
        return self._faults

    @faults.setter
    def faults(self, faults: LastfmFaults) -> None:
        with self._lock:
            self._faults = faults
            self._rng = random.Random(faults.seed)
            self._recent.clear()

    def start(self) -> "LastfmServer":
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, name="lastfm-server", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> "LastfmServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset_counts(self) -> None:
        with self._lock:
            self.requests.clear()

    # --- world lookups -------------------------------------------------------------
    def _index_world(self) -> None:
        w = self.world
        track_artist: dict[int, int] = {}
        for album in w.albums.values():
            for t in album.tracks:
                track_artist.setdefault(t.recording_id, album.artist_ids[0])
        for s in w.spellings:
            self._by_artist_track.setdefault((s.artist.lower(), s.track.lower()), s)
            aid = track_artist.get(s.recording_id)
            if aid is not None:
                self._artist_ids.setdefault(s.artist.lower(), aid)
        for a in w.artists.values():
            self._artist_ids.setdefault(a.name.lower(), a.artist_id)

    def _user(self, params: dict[str, str]) -> LastfmUser:
        name = params.get("user", "")
        if not name:
            raise _ApiError(6)
        # Last.fm user names are case-insensitive.
        for u in self.world.users.values():
            if u.name.lower() == name.lower():
                return u
        raise _ApiError(6, "User not found", status=404)

    # --- dispatch --------------------------------------------------------------------
    def handle(self, query: str) -> tuple[int, bytes]:
        """One request: (HTTP status, body bytes)."""
        params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        method = params.get("method", "").lower()
        with self._lock:
            # counted under the documented spelling, e.g. srv.requests["user.getRecentTracks"]
            self.requests[_CANONICAL.get(method, method or "(none)")] += 1
            self.requests["total"] += 1
            f = self._faults
            roll_slow, roll_500, roll_bad = self._rng.random(), self._rng.random(), self._rng.random()
            kind_500 = self._rng.randrange(4)
            limited = False
            if f.rate_limit_per_second > 0:
                now = time.monotonic()
                while self._recent and now - self._recent[0] > 1.0:
                    self._recent.popleft()
                self._recent.append(now)
                limited = len(self._recent) > f.rate_limit_per_second
        if f.delay_seconds > 0 and roll_slow < f.slow_share:
            time.sleep(f.delay_seconds)
        try:
            if limited:
                raise _ApiError(29)
            if roll_500 < f.http_500_share:
                if kind_500 == 0:
                    return 500, b"<html><body><h1>500 Internal Server Error</h1></body></html>"
                raise _ApiError((8, 11, 16)[kind_500 - 1], status=500 if kind_500 != 2 else 503)
            api_key = params.get("api_key", "")
            if api_key in self.suspended_keys:
                raise _ApiError(26)
            if api_key != self.api_key:
                raise _ApiError(10)
            body = self._dispatch(method, params)
        except _ApiError as e:
            return e.status, self._error_body(e)
        except Exception as e:  # a bug here must look like a backend failure, not a dropped connection
            return 500, self._error_body(_ApiError(8, f"Operation failed - {type(e).__name__}"))
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        if roll_bad < f.malformed_share:
            data = data[: max(1, len(data) // 2)]
        return 200, data

    def _error_body(self, e: _ApiError) -> bytes:
        with self._lock:
            self._error_count += 1
            n = self._error_count
        body: dict[str, Any] = {"message": e.message, "error": e.code}
        if n % 2:
            body["links"] = []
        data = json.dumps(body).encode("utf-8")
        return b"\xef\xbb\xbf" + data if n % 3 == 1 else data

    def _dispatch(self, method: str, params: dict[str, str]) -> dict[str, Any]:
        handlers = {
            "user.getinfo": self.user_info,
            "user.getrecenttracks": self.recent_tracks,
            "user.getlovedtracks": self.loved_tracks,
            "track.gettoptags": self.track_top_tags,
            "artist.gettoptags": self.artist_top_tags,
        }
        handler = handlers.get(method)
        if handler is None:
            raise _ApiError(3)
        return handler(params)

    # --- methods -----------------------------------------------------------------------
    def user_info(self, params: dict[str, str]) -> dict[str, Any]:
        u = self._user(params)
        return {"user": {
            "name": u.name, "realname": u.realname, "playcount": str(u.playcount), "artist_count": "0",
            "track_count": "0", "album_count": "0", "playlists": "0", "subscriber": "0", "type": "user",
            "country": u.country, "gender": "n", "age": "0", "bootstrap": "0",
            # the one number that arrives as a number
            "registered": {"unixtime": str(u.registered_uts), "#text": u.registered_uts},
            "url": f"https://www.last.fm/user/{quote_plus(u.name)}", "image": _images("https://img.local/u"),
        }}

    def _paging(self, params: dict[str, str]) -> tuple[int, int]:
        try:
            page = int(params.get("page") or 1)
            limit = int(params.get("limit") or DEFAULT_LIMIT)
        except ValueError:
            raise _ApiError(6, "Invalid parameters - page and limit must be integers") from None
        if page < 1 or limit < 1:
            raise _ApiError(6, "Invalid parameters - page and limit must be positive")
        return page, min(limit, MAX_LIMIT)

    def _track_row(self, spelling_idx: int, uts: int | None, extended: bool, loved: set[int]) -> dict[str, Any]:
        s = self.world.spellings[spelling_idx]
        artist_url = f"https://www.last.fm/music/{quote_plus(s.artist)}"
        url = f"{artist_url}/_/{quote_plus(s.track)}"
        track_mbid = f"{s.recording_id:08x}-1111-4000-8000-{s.recording_id:012x}" if s.recording_id % 3 == 0 else ""
        album_mbid = f"{s.recording_id:08x}-2222-4000-8000-{s.spelling_id:012x}" if s.album and s.recording_id % 5 == 0 else ""
        row: dict[str, Any] = {
            "artist": {"mbid": s.artist_mbid, "#text": s.artist},
            "streamable": "0", "image": _images("https://img.local/t"),
            "mbid": track_mbid,
            "album": {"mbid": album_mbid, "#text": s.album},
            "name": s.track, "url": url,
        }
        if extended:
            row["artist"] = {"url": artist_url, "name": s.artist, "image": _images("https://img.local/a"),
                             "mbid": s.artist_mbid}
            row["loved"] = "1" if spelling_idx in loved else "0"
        if uts is None:
            row["@attr"] = {"nowplaying": "true"}
        else:
            row["date"] = {"uts": str(uts), "#text": _date_text(uts)}
        return row

    def recent_tracks(self, params: dict[str, str]) -> dict[str, Any]:
        u = self._user(params)
        if u.private:
            raise _ApiError(17)
        page, limit = self._paging(params)
        extended = params.get("extended", "0") == "1"
        try:
            lo_uts = int(params["from"]) if params.get("from") else None
            hi_uts = int(params["to"]) if params.get("to") else None
        except ValueError:
            raise _ApiError(6, "Invalid parameters - from and to must be unix timestamps") from None
        uts, sp = u.uts, u.spelling_idx  # append_scrobbles swaps whole arrays: read both once
        n = min(len(uts), len(sp))
        lo = 0 if lo_uts is None else int(np.searchsorted(uts[:n], lo_uts, side="left"))
        hi = n if hi_uts is None else int(np.searchsorted(uts[:n], hi_uts, side="right"))
        total = max(0, hi - lo)
        total_pages = math.ceil(total / limit)
        attr = {"user": u.name, "totalPages": str(total_pages), "page": str(page),
                "perPage": str(limit), "total": str(total)}
        # newest first: page 1 ends at hi
        end = hi - (page - 1) * limit
        start = max(lo, end - limit)
        loved = {s for s, _ in u.loved} if extended else set()
        rows = [self._track_row(int(sp[i]), int(uts[i]), extended, loved) for i in range(end - 1, start - 1, -1)]
        if page == 1 and u.now_playing is not None:
            rows.insert(0, self._track_row(u.now_playing, None, extended, loved))
        if not rows and total == 0 and self.legacy_empty_history:
            return {"recenttracks": {"#text": "\n", "user": u.name, "total": "0"}}
        return {"recenttracks": {"track": rows[0] if len(rows) == 1 else rows, "@attr": attr}}

    def loved_tracks(self, params: dict[str, str]) -> dict[str, Any]:
        u = self._user(params)
        if u.private:
            raise _ApiError(17)
        page, limit = self._paging(params)
        items = u.loved  # newest first
        total = len(items)
        chunk = items[(page - 1) * limit: page * limit]
        rows = []
        for idx, loved_uts in chunk:
            s = self.world.spellings[idx]
            artist_url = f"https://www.last.fm/music/{quote_plus(s.artist)}"
            rows.append({
                "artist": {"url": artist_url, "name": s.artist, "mbid": s.artist_mbid},
                "date": {"uts": str(loved_uts), "#text": _date_text(loved_uts)},
                "mbid": "", "url": f"{artist_url}/_/{quote_plus(s.track)}", "name": s.track,
                "image": _images("https://img.local/t"), "streamable": {"fulltrack": "0", "#text": "0"},
            })
        attr = {"user": u.name, "totalPages": str(math.ceil(total / limit)), "page": str(page),
                "perPage": str(limit), "total": str(total)}
        return {"lovedtracks": {"track": rows[0] if len(rows) == 1 else rows, "@attr": attr}}

    @staticmethod
    def _tags(tags: list[tuple[str, int]]) -> list[dict[str, Any]]:
        ordered = sorted(tags, key=lambda t: -t[1])
        return [{"count": c, "name": t, "url": f"https://www.last.fm/tag/{quote_plus(t)}"} for t, c in ordered]

    def track_top_tags(self, params: dict[str, str]) -> dict[str, Any]:
        artist, track = params.get("artist", ""), params.get("track", "")
        if not artist or not track:
            raise _ApiError(6)
        s = self._by_artist_track.get((artist.lower(), track.lower()))
        if s is None:
            raise _ApiError(6, "Track not found", status=404)
        return {"toptags": {"tag": self._tags(self.world.track_tags(s)), "@attr": {"artist": s.artist, "track": s.track}}}

    def artist_top_tags(self, params: dict[str, str]) -> dict[str, Any]:
        artist = params.get("artist", "")
        if not artist:
            raise _ApiError(6)
        aid = self._artist_ids.get(artist.lower())
        if aid is None:
            raise _ApiError(6, "The artist you supplied could not be found", status=404)
        return {"toptags": {"tag": self._tags(self.world.artist_tags.get(aid, [])), "@attr": {"artist": artist}}}

    # --- HTTP plumbing -----------------------------------------------------------------
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes: avoid 40 ms stalls

            def do_GET(self) -> None:  # noqa: N802 (stdlib name)
                parsed = urlparse(self.path)
                if parsed.path.rstrip("/") != "/2.0":
                    self._send(404, b'{"error": 3, "message": "Invalid Method"}')
                    return
                status, body = server.handle(parsed.query)
                self._send(status, body)

            do_POST = do_GET  # noqa: N815

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status, HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "")
                ctype = "text/html" if body.startswith(b"<html") else "application/json; charset=utf-8"
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # request lines carry the key
                pass

        return Handler


def start_lastfm_server(
    world: World, api_key: str = "demo-key", faults: LastfmFaults | None = None, **kwargs: Any
) -> LastfmServer:
    """Start the server in a background thread; call `.stop()` when done."""
    return LastfmServer(world, api_key, faults=faults, **kwargs).start()


def main() -> None:
    """`python -m ingest.sandbox.lastfm_server [--port N] [--key K]`: serve the demo world."""
    import argparse

    from .world import WorldConfig, generate_world

    ap = argparse.ArgumentParser(description=main.__doc__)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--key", default="demo-key")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    srv = start_lastfm_server(generate_world(WorldConfig.demo(seed=args.seed)), args.key, port=args.port)
    print(f"Last.fm API for the demo world at {srv.base_url} (users: {', '.join(srv.world.users)}); Ctrl-C stops",
          flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.stop()


if __name__ == "__main__":
    main()
