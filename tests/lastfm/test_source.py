"""The Last.fm source over real HTTP against the local server, into real warehouses."""
from __future__ import annotations

from collections import Counter

import numpy as np

from ingest.lastfm import load_lastfm
from ingest.sandbox.lastfm_server import LastfmFaults

from .conftest import duckdb_settings, fast_client, query


def world_scrobbles(world, user: str) -> Counter:
    u = world.users[user]
    return Counter(
        (int(t), world.spellings[int(i)].artist, world.spellings[int(i)].track)
        for t, i in zip(u.uts, u.spelling_idx)
    )


def loaded_scrobbles(settings, user: str) -> Counter:
    rows = query(settings, "select uts, artist_name, track_name from raw_lastfm.scrobbles "
                           f"where user_name = '{user}'")
    return Counter((int(t), a, tr) for t, a, tr in rows)


def check_other_tables(world, settings, user: str) -> None:
    u = world.users[user]
    got = query(settings, f"select playcount, registered_uts from raw_lastfm.users where user_name = '{user}'")
    assert got == [(u.playcount, u.registered_uts)]
    loved = query(settings, "select artist_name, track_name, loved_uts from raw_lastfm.loved_tracks "
                            f"where user_name = '{user}'")
    expected = {(world.spellings[s].artist, world.spellings[s].track, t) for s, t in u.loved}
    assert {(a, t, int(ts)) for a, t, ts in loved} == expected
    row = query(settings, "select track_key, source, uts_is_placeholder, played_at, _dlt_id "
                          "from raw_lastfm.scrobbles limit 1")[0]
    assert len(row[0]) == 32 and row[1] == "api" and row[2] is False and row[3].tzinfo is not None and row[4]


def test_all_scrobbles_exactly_once_then_only_new_pages(world, server, settings):
    users = list(world.users)
    pages: list[tuple[int, int]] = []
    first = load_lastfm(users, settings, with_tags=False, progress=lambda d, t: pages.append((d, t)))

    for user in users:
        # a set compare plus a count: every scrobble arrived, none twice (same-second repeats collapse by key)
        assert set(loaded_scrobbles(settings, user)) == set(world_scrobbles(world, user))
        n_rows, n_ids = query(settings, "select count(*), count(distinct scrobble_id) from raw_lastfm.scrobbles "
                                        f"where user_name = '{user}'")[0]
        assert n_rows == n_ids == len(set(world_scrobbles(world, user)))
        assert first.scrobbles[user] == world.users[user].playcount
    # the now-playing row carries no date and must not become a scrobble
    assert query(settings, "select count(*) from raw_lastfm.scrobbles where uts is null or uts = 0")[0][0] == 0
    assert pages and pages[-1][0] == pages[-1][1] == server.requests["user.getRecentTracks"]
    assert first.load_ids and query(settings, "select count(distinct _dlt_load_id) from raw_lastfm.scrobbles")[0][0] == 1
    check_other_tables(world, settings, users[0])

    # A second run after 50 new scrobbles: one page per user, exactly 50 more rows.
    before = query(settings, "select count(*) from raw_lastfm.scrobbles")[0][0]
    world.append_scrobbles(users[0], 50)
    server.reset_counts()
    second = load_lastfm(users, settings, with_tags=False)
    assert server.requests["user.getRecentTracks"] == len(users)
    assert second.scrobbles == {users[0]: 50, users[1]: 0}
    assert query(settings, "select count(*) from raw_lastfm.scrobbles")[0][0] == before + 50
    new_ids = query(settings, "select count(*) from raw_lastfm.scrobbles "
                              f"where _dlt_load_id = '{second.load_ids[0]}'")[0][0]
    assert new_ids == 50

    # Nothing new: nothing more.
    server.reset_counts()
    third = load_lastfm(users, settings, with_tags=False)
    assert third.total_scrobbles == 0
    assert server.requests["user.getRecentTracks"] == len(users)
    assert query(settings, "select count(*) from raw_lastfm.scrobbles")[0][0] == before + 50


def test_limit_starts_small_and_later_runs_backfill(world, server, tmp_path):
    settings = duckdb_settings(tmp_path, server)
    user = list(world.users)[0]
    u = world.users[user]
    first = load_lastfm([user], settings, limit=100, with_tags=False)
    assert 100 <= first.scrobbles[user] <= 102  # a same-second group is never split
    newest = sorted(u.uts.tolist())[-first.scrobbles[user]:]
    assert sorted(t for (t,) in query(settings, "select uts from raw_lastfm.scrobbles")) == newest
    load_lastfm([user], settings, limit=250, with_tags=False)
    load_lastfm([user], settings, with_tags=False)
    assert set(loaded_scrobbles(settings, user)) == set(world_scrobbles(world, user))
    assert query(settings, "select count(*) - count(distinct scrobble_id) from raw_lastfm.scrobbles")[0][0] == 0


def test_load_is_complete_with_http_500s_rate_limits_and_bad_json(world, server, tmp_path):
    settings = duckdb_settings(tmp_path, server)
    server.faults = LastfmFaults(http_500_share=0.05, rate_limit_per_second=25, malformed_share=0.03, seed=3)
    users = list(world.users)
    client = fast_client(server)
    summary = load_lastfm(users, settings, client=client, with_tags=False)
    assert summary.retries > 0 and server.requests["total"] > summary.requests - 1
    for user in users:
        assert set(loaded_scrobbles(settings, user)) == set(world_scrobbles(world, user))
    assert query(settings, "select count(*) - count(distinct scrobble_id) from raw_lastfm.scrobbles")[0][0] == 0


def test_tags_fetched_once_per_distinct_artist_and_track(tmp_path):
    from ingest.sandbox.world import generate_world
    from ingest.sandbox.lastfm_server import LastfmServer

    from .conftest import API_KEY, TINY

    world = generate_world(TINY)
    with LastfmServer(world, api_key=API_KEY) as srv:
        settings = duckdb_settings(tmp_path, srv)
        user = list(world.users)[0]
        u = world.users[user]
        distinct = {(world.spellings[i].artist, world.spellings[i].track) for i in np.unique(u.spelling_idx)}
        distinct = {(a, t) for a, t in distinct if a and t}  # nothing to ask about an empty artist
        artists = {a for a, _ in distinct}
        load_lastfm([user], settings)
        assert srv.requests["track.getTopTags"] == len(distinct)
        assert srv.requests["artist.getTopTags"] == len(artists)
        got = query(settings, "select count(distinct artist_name || chr(31) || track_name) from raw_lastfm.track_tags")
        assert got[0][0] == len(distinct)
        some = next(iter(sorted(distinct)))
        spelling = world.find_spellings(*some)[0]
        tags = dict(query(settings, "select tag, tag_count from raw_lastfm.track_tags "
                                    f"where artist_name = $${some[0]}$$ and track_name = $${some[1]}$$"))
        assert tags == dict(world.track_tags(spelling))

        world.append_scrobbles(user, 30)  # repeats of known tracks: no tag requests
        srv.reset_counts()
        load_lastfm([user], settings)
        assert srv.requests["track.getTopTags"] == 0 and srv.requests["artist.getTopTags"] == 0
