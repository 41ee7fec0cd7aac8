"""dbt build on DuckDB and PostgreSQL over the same loaded world: tests pass, marts agree."""
from __future__ import annotations

import hashlib
import math

import numpy as np
import pytest

from .conftest import MARTS, fetch

pytestmark = pytest.mark.slow


def _failures(result) -> list[str]:
    return [uid for uid, status in result.statuses.items() if status not in ("success", "pass")]


def test_duckdb_build_passes_every_model_test_and_unit_test(duckdb_built):
    settings, result = duckdb_built
    assert _failures(result) == []
    assert result.count("success") >= 20  # models
    assert any(uid.startswith("unit_test.") for uid in result.statuses)
    schemas = {r[0] for r in fetch(settings, "select distinct table_schema from information_schema.tables")}
    assert {"staging", "intermediate", "audit"} <= schemas
    tables = {r[0] for r in fetch(settings, "select table_name from information_schema.tables where table_schema = 'audit'")}
    assert set(MARTS) <= tables


@pytest.mark.postgres
def test_postgres_build_passes_every_model_test_and_unit_test(postgres_built):
    _, result = postgres_built
    assert _failures(result) == []
    assert any(uid.startswith("unit_test.") for uid in result.statuses)


@pytest.mark.postgres
def test_marts_have_the_same_rows_on_both_engines(duckdb_built, postgres_built):
    for mart in MARTS:
        d = fetch(duckdb_built[0], f"select count(*) from audit.{mart}")[0][0]
        p = fetch(postgres_built[0], f"select count(*) from audit.{mart}")[0][0]
        assert d == p > 0, mart
    # Keys, counts and reasons agree row by row, not only in number.
    sql = "select user_name, track_sk, play_count, loved from audit.user_track_interactions"
    assert sorted(fetch(duckdb_built[0], sql)) == sorted(fetch(postgres_built[0], sql))
    sql = "select scrobble_id, reason from audit.unmatched_scrobbles"
    assert sorted(fetch(duckdb_built[0], sql)) == sorted(fetch(postgres_built[0], sql))


@pytest.mark.postgres
def test_content_vectors_and_feature_hashes_are_identical_on_both_engines(duckdb_built, postgres_built):
    sql = "select track_sk, content_vector, feature_hash, popularity from audit.track_features"
    d = {r[0]: r[1:] for r in fetch(duckdb_built[0], sql)}
    p = {r[0]: r[1:] for r in fetch(postgres_built[0], sql)}
    assert d.keys() == p.keys()
    dv = np.array([d[k][0] for k in sorted(d)], dtype=np.float64)
    pv = np.array([p[k][0] for k in sorted(d)], dtype=np.float64)
    assert dv.shape == pv.shape == (len(d), 128)
    assert np.abs(dv - pv).max() < 1e-6
    assert [d[k][1] for k in sorted(d)] == [p[k][1] for k in sorted(d)]
    assert np.allclose([d[k][2] for k in sorted(d)], [p[k][2] for k in sorted(d)], rtol=1e-12)


def test_every_scrobble_is_counted_once_or_listed_unmatched(duckdb_built):
    settings, _ = duckdb_built
    per_user = fetch(settings, """
        select s.user_name, s.n, coalesce(i.n, 0), coalesce(u.n, 0)
        from (select user_name, count(*) as n from raw_lastfm.scrobbles group by 1) as s
        left join (select user_name, sum(play_count) as n from audit.user_track_interactions group by 1) as i
            on i.user_name = s.user_name
        left join (select user_name, count(*) as n from audit.unmatched_scrobbles group by 1) as u
            on u.user_name = s.user_name""")
    assert len(per_user) == 3
    for user, raw, counted, unmatched in per_user:
        assert raw == counted + unmatched, user
        assert counted > 0 and unmatched > 0, user  # the demo world has both kinds


def test_unmatched_reasons_follow_ground_truth(duckdb_built):
    settings, _ = duckdb_built
    reasons = dict(fetch(settings, "select reason, count(*) from audit.unmatched_scrobbles group by 1"))
    # Truth matches: spellings off AOTY are no_match, other versions album_match.
    assert reasons.get("no_aoty_match", 0) > 0
    assert set(reasons) <= {"no_aoty_match", "not_on_tracklist"}


def _python_vector(terms: list[tuple[str, float]], dims: int = 128) -> np.ndarray:
    """The documented hashing scheme, independently in Python."""
    v = np.zeros(dims)
    for feature, value in terms:
        digest = hashlib.md5(feature.encode()).hexdigest()
        sign = 1.0 if int(digest[8:16], 16) % 2 == 0 else -1.0
        v[int(digest[:8], 16) % dims] += sign * value
    norm = math.sqrt(float((v * v).sum()))
    return v / norm if norm else v


def test_content_vector_matches_the_documented_hashing_in_python(duckdb_built):
    settings, _ = duckdb_built
    rows = fetch(settings, """
        select f.aoty_track_id, f.content_vector, t.feature, t.value
        from audit.track_features as f
        join intermediate.int_track_feature_terms as t on t.aoty_track_id = f.aoty_track_id
        where f.aoty_track_id in (select aoty_track_id from audit.track_features
                                  where len(tags) > 0 order by aoty_track_id limit 20)""")
    tracks: dict[int, tuple[list, list]] = {}
    for tid, vec, feature, value in rows:
        tracks.setdefault(tid, (list(vec), []))[1].append((feature, value))
    assert len(tracks) == 20
    for tid, (vec, terms) in tracks.items():
        assert any(f.startswith("tag:") for f, _ in terms)
        assert np.abs(np.array(vec) - _python_vector(terms)).max() < 1e-6, tid


def test_marts_keep_aoty_and_lastfm_attributes_side_by_side(duckdb_built):
    settings, _ = duckdb_built
    (n_named,) = fetch(settings, "select count(*) from audit.tracks where len(lastfm_track_names) > 0")[0]
    (n_played,) = fetch(settings, "select count(*) from audit.tracks where lastfm_plays > 0")[0]
    assert n_named == n_played > 0
    (bad,) = fetch(settings, """
        select count(*) from audit.albums a
        where a.lastfm_plays <> (select coalesce(sum(t.lastfm_plays), 0) from audit.tracks t where t.album_sk = a.album_sk)""")[0]
    assert bad == 0
