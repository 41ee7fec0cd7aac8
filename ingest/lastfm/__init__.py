"""The Last.fm dlt source and `load_lastfm`, the call the pipeline makes.

    summary = load_lastfm(["rj"], Settings.from_env(), limit=None, progress=lambda done, total: ...)

Resources (all merge, into dataset `raw_lastfm`): `scrobbles`, `loved_tracks`, `users`,
`track_tags`, `artist_tags`. Scrobbles are incremental per user through the resource state:
the newest and oldest timestamps loaded and whether the history is complete. Each run pages
with a fixed upper bound (the run's start), so scrobbles arriving meanwhile cannot shift pages.
"""
from __future__ import annotations

import hashlib
import logging
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import dlt
import pyarrow as pa

from ingest.config import Settings

from . import settings as S
from .helpers import (
    InvalidApiKeyError,
    InvalidUsernameError,
    LastfmApiError,
    LastfmClient,
    LastfmError,
    LastfmFatalError,
    LastfmUnavailableError,
    PrivateUserError,
    SuspendedApiKeyError,
    UserNotFoundError,
    validate_usernames,
)
from .rows import (
    ARTIST_TAG_COLUMNS,
    LOVED_COLUMNS,
    SCROBBLE_COLUMNS,
    TRACK_TAG_COLUMNS,
    USER_COLUMNS,
    loved_from_page,
    scrobbles_from_page,
    scrobbles_table,
    tags_from_body,
    user_from_info,
)

__all__ = [
    "LastfmLoadSummary", "lastfm_source", "load_lastfm", "make_client", "make_pipeline", "LastfmClient",
    # errors callers catch: every fatal one means nothing was written
    "LastfmError", "LastfmFatalError", "LastfmUnavailableError", "InvalidApiKeyError", "InvalidUsernameError",
    "PrivateUserError", "SuspendedApiKeyError", "UserNotFoundError",
]

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]


class _PageProgress:
    """Pages of recent tracks fetched of those known so far (a window's size is known after its first page)."""

    def __init__(self, callback: Progress | None):
        self.callback = callback
        self.done = 0
        self.total = 0

    def window(self, pages: int) -> None:
        self.total += max(pages - 1, 0)  # the first page was counted when it was requested

    def page(self) -> None:
        self.done += 1
        self.total = max(self.total, self.done)
        if self.callback is not None:
            self.callback(self.done, self.total)

    def expect(self) -> None:
        self.total += 1


def _recent_window(
    client: LastfmClient, user: str, from_uts: int | None, to_uts: int, cap: int | None, progress: _PageProgress,
) -> Iterator[tuple[list[dict[str, Any]], bool]]:
    """Pages of scrobbles in [from_uts, to_uts], newest first, stopping after `cap` rows
    (rounded up to the whole group sharing the last timestamp). Yields (rows, capped)."""
    page, taken = 1, 0
    while True:
        if page == 1:
            progress.expect()
        body = client.call("user.getRecentTracks", user=user, page=page, limit=S.PAGE_LIMIT,
                           **{"from": from_uts, "to": to_uts})
        rows, total_pages = scrobbles_from_page(body, user)
        if page == 1:
            progress.window(total_pages)
        progress.page()
        capped = False
        if cap is not None and taken + len(rows) >= cap:
            keep = cap - taken
            if 0 < keep < len(rows):
                last_uts = rows[keep - 1]["uts"]
                while keep < len(rows) and rows[keep]["uts"] == last_uts:
                    keep += 1
            rows, capped = rows[:keep], True
        taken += len(rows)
        if rows:
            yield rows, capped
        # totalPages and `total` can disagree with the items: stop on either signal
        if capped or not rows or page >= total_pages:
            return
        page += 1


def _user_scrobbles(
    client: LastfmClient, user: str, state: dict[str, Any], run_start: int, limit: int | None,
    progress: _PageProgress, counts: Counter[str],
) -> Iterator[list[dict[str, Any]]]:
    def take(window: Iterator[tuple[list[dict[str, Any]], bool]]) -> Iterator[list[dict[str, Any]]]:
        nonlocal capped
        for rows, was_capped in window:
            capped = capped or was_capped
            uts = [r["uts"] for r in rows]
            state["newest"] = max(uts + ([state["newest"]] if state.get("newest") is not None else []))
            state["oldest"] = min(uts + ([state["oldest"]] if state.get("oldest") is not None else []))
            if was_capped:
                # The group sharing the last timestamp may go on in the next page: let the next
                # backfill start at that second again (merge drops the repeats).
                state["oldest"] = min(uts) + 1
            counts[user] += len(rows)
            yield rows

    capped = False
    if state.get("newest") is None:
        yield from take(_recent_window(client, user, None, run_start, limit, progress))
        state["complete"] = not capped
        return
    # New scrobbles since the last run: always the whole window, so the history has no gaps.
    yield from take(_recent_window(client, user, state["newest"] + 1, run_start, None, progress))
    if not state.get("complete") and state.get("oldest") is not None:
        # A capped earlier run ("start with 100 tracks"): continue backwards; `limit` caps this part.
        capped = False
        yield from take(_recent_window(client, user, None, state["oldest"] - 1, limit, progress))
        state["complete"] = not capped


def _short_hash(*parts: str) -> str:
    return hashlib.md5("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


@dlt.source(name=S.SOURCE_NAME, max_table_nesting=0)
def lastfm_source(
    profiles: list[dict[str, Any]],
    client: LastfmClient,
    run_start: int,
    limit: int | None = None,
    progress: Progress | None = None,
    with_tags: bool = True,
    counts: Counter[str] | None = None,
) -> Any:
    """Resources for the users whose `user.getInfo` rows are `profiles` (fetched beforehand, so
    unknown users and bad keys fail before the pipeline starts)."""
    users = [p["user_name"] for p in profiles]
    pages = _PageProgress(progress)
    counts = counts if counts is not None else Counter()

    @dlt.resource(name="users", write_disposition="merge", primary_key="user_name", columns=USER_COLUMNS)
    def users_resource() -> Iterator[list[dict[str, Any]]]:
        yield profiles

    @dlt.resource(name="scrobbles", write_disposition="merge", primary_key="scrobble_id", columns=SCROBBLE_COLUMNS)
    def scrobbles() -> Iterator[pa.Table]:
        cursors = dlt.current.resource_state().setdefault("users", {})
        for user in users:
            state = cursors.setdefault(user.lower(), {"newest": None, "oldest": None, "complete": False})
            for rows in _user_scrobbles(client, user, state, run_start, limit, pages, counts):
                yield scrobbles_table(rows)

    @dlt.resource(name="loved_tracks", write_disposition="merge",
                  primary_key=("user_name", "artist_name", "track_name"), columns=LOVED_COLUMNS)
    def loved_tracks() -> Iterator[list[dict[str, Any]]]:
        # Small (a few hundred per user): read in full every run. Merge keeps rows of tracks
        # un-loved since; loved_uts tells when they were loved.
        for user in users:
            page = 1
            while True:
                body = client.call("user.getLovedTracks", user=user, page=page, limit=S.PAGE_LIMIT)
                rows, total_pages = loved_from_page(body, user)
                if rows:
                    yield rows
                if not rows or page >= total_pages:
                    break
                page += 1

    def _tags_or_none(method: str, **params: str) -> list[tuple[str, int]]:
        try:
            return tags_from_body(client.call(method, autocorrect=0, **params))
        except LastfmApiError as e:
            if e.code == 6:  # unknown to Last.fm: no tags, and no reason to ask again
                return []
            raise

    @dlt.transformer(data_from=scrobbles, name="track_tags", write_disposition="merge",
                     primary_key=("artist_name", "track_name", "tag"), columns=TRACK_TAG_COLUMNS)
    def track_tags(page: pa.Table) -> Iterator[list[dict[str, Any]]]:
        # Once per distinct (artist, track) ever: the state remembers what was fetched in earlier runs.
        fetched = dlt.current.resource_state().setdefault("fetched", {})
        out = []
        for artist, track in zip(page.column("artist_name").to_pylist(), page.column("track_name").to_pylist()):
            artist, track = artist or "", track or ""
            key = _short_hash(artist, track)
            if key in fetched or not artist or not track:
                continue
            fetched[key] = 1
            out += [{"artist_name": artist, "track_name": track, "tag": t, "tag_count": c}
                    for t, c in _tags_or_none("track.getTopTags", artist=artist, track=track)]
        if out:
            yield out

    @dlt.transformer(data_from=scrobbles, name="artist_tags", write_disposition="merge",
                     primary_key=("artist_name", "tag"), columns=ARTIST_TAG_COLUMNS)
    def artist_tags(page: pa.Table) -> Iterator[list[dict[str, Any]]]:
        fetched = dlt.current.resource_state().setdefault("fetched", {})
        out = []
        for artist in page.column("artist_name").to_pylist():
            artist = artist or ""
            key = _short_hash(artist)
            if key in fetched or not artist:
                continue
            fetched[key] = 1
            out += [{"artist_name": artist, "tag": t, "tag_count": c}
                    for t, c in _tags_or_none("artist.getTopTags", artist=artist)]
        if out:
            yield out

    resources = [users_resource, scrobbles, loved_tracks]
    if with_tags:
        resources += [track_tags, artist_tags]
    return resources


@dataclass
class LastfmLoadSummary:
    users: list[str]
    scrobbles: dict[str, int]  # scrobbles loaded this run, per user
    requests: int  # HTTP requests made, retries included
    retries: int
    seconds: float
    load_ids: list[str] = field(default_factory=list)
    requests_by_method: dict[str, int] = field(default_factory=dict)

    @property
    def total_scrobbles(self) -> int:
        return sum(self.scrobbles.values())

    def line(self) -> str:
        per_user = ", ".join(f"{u} {n}" for u, n in self.scrobbles.items())
        return (f"Last.fm: {self.total_scrobbles} scrobbles loaded ({per_user}); {self.requests} requests "
                f"({self.retries} retries) in {self.seconds:.1f}s; load ids {', '.join(self.load_ids) or '-'}")


def make_client(settings: Settings, **kwargs: Any) -> LastfmClient:
    return LastfmClient(settings.require_api_key(), settings.lastfm_base_url,
                        settings.lastfm_requests_per_second, **kwargs)


def make_pipeline(settings: Settings) -> dlt.Pipeline:
    # Arrow tables skip dlt's row normalizer, which then adds no load ids by default; the raw
    # table contract wants _dlt_load_id and _dlt_id on every row.
    os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")
    os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_ID", "true")
    settings.pipelines_dir.mkdir(parents=True, exist_ok=True)
    return dlt.pipeline(
        pipeline_name=S.PIPELINE_NAME, destination=settings.dlt_destination(), dataset_name=S.DATASET,
        pipelines_dir=str(settings.pipelines_dir),
    )


def _cause(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, kind):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return None


def load_lastfm(
    users: list[str],
    settings: Settings,
    *,
    limit: int | None = None,
    progress: Progress | None = None,
    client: LastfmClient | None = None,
    with_tags: bool = True,
) -> LastfmLoadSummary:
    """Load the users' Last.fm data into `raw_lastfm` of the configured warehouse.

    `limit` caps the scrobbles per user taken from the not-yet-loaded history in this run
    (new scrobbles since the last run always load in full, so no gaps open). Raises a
    LastfmFatalError (bad username, unknown or private user, invalid or suspended key)
    with nothing written, or LastfmUnavailableError when retries run out.
    """
    names = validate_usernames(users)
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be a positive number of scrobbles, got {limit}")
    own_client = client is None
    client = client or make_client(settings)
    start_requests, start_retries = client.requests_made, client.retries
    start_by_method = Counter(client.requests_by_method)
    t0 = time.monotonic()
    run_start = int(time.time())
    counts: Counter[str] = Counter()
    try:
        # Unknown users and key errors stop here, before the pipeline writes anything.
        profiles = [user_from_info(client.call("user.getInfo", user=u)) for u in names]
        for name, p in zip(names, profiles):
            p["user_name"] = p["user_name"] or name  # Last.fm's spelling of the name is the one stored
        pipeline = make_pipeline(settings)
        source = lastfm_source(profiles, client, run_start, limit=limit, progress=progress,
                               with_tags=with_tags, counts=counts)
        try:
            info = pipeline.run(source)
        except Exception as e:
            err = _cause(e, LastfmError)
            if err is None:
                raise
            # A private user (17) or exhausted retries mid-extract: dlt discards the half-extracted
            # package and keeps the old state, so nothing of this run is loaded, now or later.
            raise err from None
    finally:
        if own_client:
            client.close()
    by_method = Counter(client.requests_by_method)
    by_method.subtract(start_by_method)
    return LastfmLoadSummary(
        users=[p["user_name"] for p in profiles],
        scrobbles={p["user_name"]: counts.get(p["user_name"], 0) for p in profiles},
        requests=client.requests_made - start_requests,
        retries=client.retries - start_retries,
        seconds=time.monotonic() - t0,
        load_ids=list(info.loads_ids),
        requests_by_method={k: v for k, v in by_method.items() if v},
    )
