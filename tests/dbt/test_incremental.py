"""Incremental runs: new scrobbles change only the affected interactions; review overrides
and a changed admission rule rebuild what they touch. Runs on a copy of the session's
DuckDB warehouse."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from ingest.config import connect
from ingest.keys import track_key
from ingest.sandbox.raw_fixture import load_world_raw
from ingest.sandbox.world import generate_world
from ingest.transform import DbtError, build, run_dbt

from .conftest import duckdb_settings, fetch, world_config

pytestmark = pytest.mark.slow

# What a change of admission touches; `run` of these keeps the tests quick (the full build with
# all tests runs in the first test and in test_build.py).
MATCH_MODELS = "int_matches__current int_match_reviews int_track_keys__resolved user_track_interactions unmatched_scrobbles"
INTERACTIONS = ("select user_name, track_sk, play_count, loved, loved_at, first_played_at, last_played_at, "
                "source, resolution_rule, last_load_id from audit.user_track_interactions")


@pytest.fixture(scope="module")
def warehouse_copy(duckdb_built, tmp_path_factory):
    settings, _ = duckdb_built
    root = tmp_path_factory.mktemp("dbt_incremental")
    copy = duckdb_settings(root, "incremental")
    conn = connect(settings)  # dbt-duckdb may keep the database open: flush its WAL first
    conn.execute("checkpoint")
    conn.close()
    shutil.copy(settings.duckdb_path, copy.duckdb_path)
    return copy


def _rows(settings) -> dict[tuple[str, str], tuple]:
    return {(r[0], r[1]): r[2:] for r in fetch(settings, INTERACTIONS)}


def test_new_scrobbles_change_only_the_affected_interactions(warehouse_copy):
    settings = warehouse_copy
    before = _rows(settings)
    world = generate_world(world_config())
    user = "rj"
    last_uts = int(world.users[user].uts.max())
    world.append_scrobbles(user, 40)
    load_world_raw(world, settings, users=[user], since_uts=last_uts)

    u = world.users[user]
    new_keys = [track_key(world.spellings[i].artist, world.spellings[i].album, world.spellings[i].track)
                for i in u.spelling_idx[u.uts > last_uts].tolist()]
    resolved = dict(fetch(settings, "select track_key, aoty_track_id from intermediate.int_track_keys__resolved"))
    affected_tracks = {resolved[k] for k in new_keys if resolved.get(k) is not None}
    assert affected_tracks, "the appended scrobbles should reach some tracks"

    build(settings)
    after = _rows(settings)
    sk_of = dict(fetch(settings, "select aoty_track_id, track_sk from audit.tracks"))
    affected = {(user, sk_of[t]) for t in affected_tracks}

    changed = {k for k in after if before.get(k) != after[k]}
    assert changed == affected  # nothing else was rewritten (last_load_id would differ)
    assert set(before) <= set(after)  # no interaction lost, none duplicated (unique test in build)
    added_plays = sum(after[k][0] for k in changed) - sum(before.get(k, (0,))[0] for k in changed)
    assert added_plays == sum(1 for k in new_keys if resolved.get(k) is not None)
    (raw,) = fetch(settings, "select count(*) from raw_lastfm.scrobbles")[0]
    (counted,) = fetch(settings, "select sum(play_count) from audit.user_track_interactions")[0]
    (unmatched,) = fetch(settings, "select count(*) from audit.unmatched_scrobbles")[0]
    assert raw == counted + unmatched


def test_review_verdicts_override_the_matcher(warehouse_copy):
    settings = warehouse_copy
    (rejected, plays), (picked, _) = fetch(settings, """
        select s.track_key, count(*) from raw_lastfm.scrobbles s
        join intermediate.int_track_keys__resolved r on r.track_key = s.track_key
        where r.aoty_track_id is not null group by 1 order by 2 desc, 1 limit 2""")
    (unmatched_key,) = fetch(settings, "select track_key from audit.unmatched_scrobbles order by scrobble_id limit 1")[0]
    (other_track, other_album) = fetch(settings, "select aoty_track_id, aoty_album_id from audit.tracks order by aoty_track_id limit 1")[0]
    conn = connect(settings)
    conn.execute("create schema if not exists ops")
    conn.execute("create table ops.match_reviews (track_key varchar primary key, verdict varchar, "
                 "chosen_album_id bigint, chosen_track_id bigint, reviewer varchar)")
    conn.execute("insert into ops.match_reviews values (?, 'reject', null, null, 't'), (?, 'pick', ?, ?, 't'), "
                 "(?, 'accept', ?, ?, 't')",
                 [rejected, picked, other_album, other_track, unmatched_key, other_album, other_track])
    conn.close()
    try:
        run_dbt(settings, ["run", "--select", MATCH_MODELS])  # the reviews change the rule: marts rebuild
        reasons = fetch(settings, f"select reason, count(*) from audit.unmatched_scrobbles where track_key = '{rejected}' group by 1")
        assert reasons == [("review_rejected", plays)]
        resolved = dict(fetch(settings, "select track_key, aoty_track_id from intermediate.int_track_keys__resolved "
                                        f"where track_key in ('{picked}', '{unmatched_key}')"))
        assert resolved == {picked: other_track, unmatched_key: other_track}
        (left,) = fetch(settings, f"select count(*) from audit.unmatched_scrobbles where track_key = '{unmatched_key}'")[0]
        assert left == 0
        (raw,) = fetch(settings, "select count(*) from raw_lastfm.scrobbles")[0]
        (counted,) = fetch(settings, "select sum(play_count) from audit.user_track_interactions")[0]
        (unmatched,) = fetch(settings, "select count(*) from audit.unmatched_scrobbles")[0]
        assert raw == counted + unmatched
    finally:
        conn = connect(settings)
        conn.execute("drop table ops.match_reviews")
        conn.close()


def test_stricter_admission_via_vars_rebuilds_and_still_conserves(warehouse_copy):
    settings = warehouse_copy
    run_dbt(settings, ["run", "--select", MATCH_MODELS], vars={"match_confidences": ["high"], "match_min_score": 1.01})
    (counted,) = fetch(settings, "select count(*) from audit.user_track_interactions")[0]
    reasons = dict(fetch(settings, "select reason, count(*) from audit.unmatched_scrobbles group by 1"))
    (raw,) = fetch(settings, "select count(*) from raw_lastfm.scrobbles")[0]
    assert counted == 0
    assert reasons.get("low_score", 0) > 0
    assert sum(reasons.values()) == raw


def test_a_failing_build_names_the_failing_nodes(tmp_path):
    empty = duckdb_settings(tmp_path, "empty")
    with pytest.raises(DbtError) as err:
        run_dbt(empty, ["run", "--select", "stg_lastfm__scrobbles"])
    assert "stg_lastfm__scrobbles" in str(err.value)
    assert err.value.failures and "raw_lastfm" in str(err.value).lower()


def test_a_spelling_whose_match_moves_leaves_no_stale_interaction(warehouse_copy):
    """Same matcher version, one spelling re-matched to another track (a newly scraped
    album does this): its plays leave the old pair and count for the new one only."""
    settings = warehouse_copy
    run_dbt(settings, ["run", "--select", MATCH_MODELS])
    (key, old_track, user, plays) = fetch(settings, """
        select r.track_key, r.aoty_track_id, min(s.user_name), count(*)
        from intermediate.int_track_keys__resolved r
        join raw_lastfm.scrobbles s on s.track_key = r.track_key
        where r.aoty_track_id is not null
        group by 1, 2 order by 4 desc, 1 limit 1""")[0]
    (new_track,) = fetch(settings, f"""
        select t.track_id from raw_aoty.tracks t where t.track_id <> {old_track}
        order by t.track_id limit 1""")[0]
    conn = connect(settings)
    conn.execute(f"update raw_matching.track_matches set aoty_track_id = {new_track} where track_key = '{key}'")
    conn.close()

    run_dbt(settings, ["run", "--select", MATCH_MODELS])
    expected = {(u, sk): n for u, sk, n in fetch(settings, """
        select s.user_name, t.track_sk, count(*)
        from raw_lastfm.scrobbles s
        join intermediate.int_track_keys__resolved r on r.track_key = s.track_key
        join audit.tracks t on t.aoty_track_id = r.aoty_track_id
        group by 1, 2""")}
    got = {(u, sk): n for u, sk, n in fetch(settings,
                                            "select user_name, track_sk, play_count from audit.user_track_interactions")}
    assert got == expected
    (raw,) = fetch(settings, "select count(*) from raw_lastfm.scrobbles")[0]
    (counted,) = fetch(settings, "select sum(play_count) from audit.user_track_interactions")[0]
    (unmatched,) = fetch(settings, "select count(*) from audit.unmatched_scrobbles")[0]
    assert raw == counted + unmatched
