"""The CLI end to end against the local Last.fm and AOTY servers: published marts checked
against the world's ground truth, on DuckDB and PostgreSQL, and a run killed in each
stage in turn that, run again, ends where an uninterrupted run ends."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import duckdb
import psycopg2
import pytest

from ingest.keys import track_key
from ingest.pipeline.run import STAGES
from ingest.sandbox.aoty_site import AotySite
from ingest.sandbox.lastfm_server import LastfmServer, LastfmFaults
from ingest.sandbox.world import WorldConfig, generate_world

API_KEY = "e2e-key-5f1d9a7c"
pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def world():
    return generate_world(WorldConfig(seed=23, n_artists=50, n_users=3, scrobbles_per_user=250))


@pytest.fixture(scope="module")
def servers(world):
    with LastfmServer(world, API_KEY) as lastfm, AotySite(world) as aoty:
        yield lastfm, aoty


def _env(servers, tmp: Path, **extra: str) -> dict[str, str]:
    lastfm, aoty = servers
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WAREHOUSE", "DUCKDB_", "POSTGRES_"))}
    env.update({
        "LASTFM_BASE_URL": lastfm.base_url, "AOTY_BASE_URL": aoty.base_url, "LASTFM_API_KEY": API_KEY,
        "LASTFM_RPS": "0", "AOTY_RPS": "0", "DATA_DIR": str(tmp / "data"),
        "DUCKDB_PATH": str(tmp / "data" / "warehouse.duckdb"), "AOTY_CACHE_DIR": str(tmp / "cache"),
    })
    env.update(extra)
    return env


def _cli(env: dict[str, str], users: list[str]) -> list[str]:
    return [sys.executable, "-m", "ingest", "run", "--user", ",".join(users)]


def _run(env, users, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(_cli(env, users), env=env, cwd=cwd, capture_output=True, text=True, timeout=900)


def _rows(conn, sql: str) -> list[tuple]:
    cur = conn.cursor()
    cur.execute(sql)
    return cur.fetchall()


def check_against_truth(conn, world) -> None:
    """Every scrobble is counted once (interaction or unmatched), and what is counted
    for a track is, for nearly every scrobble, that track in the ground truth."""
    total = world.scrobble_count()
    raw = _rows(conn, "select count(*), count(distinct scrobble_id) from raw_lastfm.scrobbles")[0]
    assert raw == (total, total), "raw scrobbles must arrive exactly once"
    played = _rows(conn, "select coalesce(sum(play_count), 0) from analytics.user_track_interactions")[0][0]
    unmatched = _rows(conn, "select count(*) from analytics.unmatched_scrobbles")[0][0]
    assert played + unmatched == total

    admitted = dict(_rows(conn, """
        select m.track_key, m.aoty_track_id from raw_matching.track_matches m
        join analytics.tracks t on t.aoty_track_id = m.aoty_track_id
        where m.match_type = 'track_match' and m.confidence in ('high', 'medium') and m.score >= 0.8"""))
    expected: Counter = Counter()
    right = wrong = truth_bearing = reached = 0
    for user in world.users.values():
        for idx in user.spelling_idx:
            s = world.spellings[int(idx)]
            tid = admitted.get(track_key(s.artist, s.album, s.track))
            truth_bearing += bool(s.acceptable_track_ids)
            if tid is None:
                continue
            expected[(user.name, int(tid))] += 1
            reached += bool(s.acceptable_track_ids)
            if int(tid) in s.acceptable_track_ids:
                right += 1
            else:
                wrong += 1
    got = {(u, int(t)): n for u, t, n in _rows(
        conn, "select user_name, aoty_track_id, play_count from analytics.user_track_interactions")}
    assert got == dict(expected), "interactions must equal the play counts of the admitted matches"
    assert right / max(right + wrong, 1) >= 0.98, (right, wrong)
    assert reached / truth_bearing >= 0.85, (reached, truth_bearing)


@pytest.fixture(scope="module")
def baseline(world, servers, tmp_path_factory):
    """One uninterrupted DuckDB run that several tests read (a run costs tens of seconds)."""
    tmp = tmp_path_factory.mktemp("baseline")
    env = _env(servers, tmp)
    r = _run(env, sorted(world.users), tmp)
    return env, r, tmp


def test_duckdb_end_to_end_matches_ground_truth(world, baseline):
    env, r, _ = baseline
    assert r.returncode == 0, r.stdout + r.stderr
    assert ": PUBLISHED" in r.stdout
    for stage in STAGES:
        assert f"[{stage}] ok" in r.stdout or f"[{stage}] degraded" in r.stdout, stage
    conn = duckdb.connect(env["DUCKDB_PATH"], read_only=True)
    try:
        check_against_truth(conn, world)
        status = _rows(conn, "select status from ops.runs")
        assert status == [("published",)]
        stages = {s for (s,) in _rows(conn, "select stage from ops.run_stages where status <> 'failed'")}
        assert stages == set(STAGES)
    finally:
        conn.close()


@pytest.mark.postgres
def test_postgres_end_to_end_matches_ground_truth(world, servers, tmp_path):
    db = f"mw_e2e_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect("postgresql://postgres:postgres@127.0.0.1:5432/postgres")
    admin.autocommit = True
    admin.cursor().execute(f"create database {db}")
    dsn = f"postgresql://postgres:postgres@127.0.0.1:5432/{db}"
    try:
        env = _env(servers, tmp_path, WAREHOUSE="postgres", POSTGRES_DSN=dsn)
        r = _run(env, sorted(world.users), tmp_path)
        assert r.returncode == 0, r.stdout + r.stderr
        conn = psycopg2.connect(dsn)
        try:
            check_against_truth(conn, world)
        finally:
            conn.close()
    finally:
        admin.cursor().execute(f"drop database if exists {db} with (force)")
        admin.close()


def _snapshot(path: Path) -> dict[str, list[tuple]]:
    """What consumers read, minus the columns that name a load or a time of loading."""
    queries = {
        "interactions": "select user_name, track_sk, play_count, loved, first_played_at, last_played_at "
                        "from analytics.user_track_interactions order by 1, 2",
        "features": "select track_sk, feature_hash from analytics.track_features order by 1",
        "unmatched": "select * exclude (load_id) from analytics.unmatched_scrobbles order by all",
        "tracks": "select track_sk, aoty_track_id, title, lastfm_plays from analytics.tracks order by 1",
        "albums": "select album_sk, title, critic_score, user_score from analytics.albums order by 1",
        "raw": "select scrobble_id, track_key from raw_lastfm.scrobbles order by 1",
    }
    conn = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for name, sql in queries.items():
            try:
                out[name] = conn.sql(sql).fetchall()
            except duckdb.BinderException:  # a column this model does not have
                out[name] = conn.sql(sql.replace(" exclude (load_id)", "")).fetchall()
        return out
    finally:
        conn.close()


def _kill_during(stage: str, env, users, cwd) -> str:
    """Start a run, SIGKILL it shortly after it enters `stage`; returns its output."""
    proc = subprocess.Popen(_cli(env, users), env=env, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    seen = []
    try:
        for line in proc.stdout:
            seen.append(line)
            if line.startswith(f"[{stage}] started"):
                time.sleep(0.3)
                proc.send_signal(signal.SIGKILL)
                break
    finally:
        proc.kill()
        proc.wait()
    return "".join(seen)


def test_killed_in_each_stage_then_rerun_equals_uninterrupted(world, servers, baseline, tmp_path):
    users = sorted(world.users)
    base_env, r, _ = baseline
    assert r.returncode == 0, r.stdout + r.stderr
    expected = _snapshot(Path(base_env["DUCKDB_PATH"]))
    assert expected["interactions"]

    # One warehouse, killed once in every stage in turn; each restart resumes the work.
    env = _env(servers, tmp_path / "killed")
    for stage in STAGES:
        if stage == "aoty":  # the others reuse the page cache; this one must refetch
            shutil.rmtree(env["AOTY_CACHE_DIR"], ignore_errors=True)
        out = _kill_during(stage, env, users, tmp_path)
        assert f"[{stage}] started" in out, out
    r = _run(env, users, tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert _snapshot(Path(env["DUCKDB_PATH"])) == expected


def test_rerun_with_nothing_new_fetches_almost_nothing(world, servers, baseline):
    # Runs last on the baseline warehouse: the tests above only read it.
    env, first, tmp_path = baseline
    assert first.returncode == 0
    users = sorted(world.users)
    lastfm, aoty = servers
    before, aoty_before = lastfm.requests["total"], aoty.requests
    r = _run(env, users, tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    after, aoty_after = lastfm.requests["total"], aoty.requests
    # Per user: the profile, one page of recent tracks, one of loved tracks.
    assert after - before <= 3 * len(users), "a re-run with nothing new needs only the first pages"
    assert aoty_after == aoty_before, "a re-run fetches no AOTY page it already has"


def test_aoty_refusing_degrades_but_publishes(world, servers, baseline, tmp_path):
    """Albums still to scrape while AOTY refuses everything: the run goes on with the
    albums it has, counts the failure, and the gate decides what is published."""
    from ingest.sandbox.aoty_site import AotyFaults

    base_env, first, base_tmp = baseline
    assert first.returncode == 0
    shutil.copytree(base_tmp / "data", tmp_path / "data")
    env = _env(servers, tmp_path)  # an empty page cache of its own
    conn = duckdb.connect(env["DUCKDB_PATH"])
    conn.execute("delete from raw_aoty.tracks where album_id in (select album_id from raw_aoty.albums "
                 "order by album_id limit 3)")
    conn.execute("delete from raw_aoty.albums where album_id in (select album_id from raw_aoty.albums "
                 "order by album_id limit 3)")
    conn.close()
    _, aoty = servers
    aoty.faults = AotyFaults.refuse_everything()
    try:
        r = _run(env, sorted(world.users), tmp_path)
    finally:
        aoty.faults = AotyFaults()
    assert "[aoty] degraded" in r.stdout, r.stdout + r.stderr
    assert "CIRCUIT OPEN" in r.stdout
    assert r.returncode == 0 and ": PUBLISHED" in r.stdout, r.stdout + r.stderr
    conn = duckdb.connect(env["DUCKDB_PATH"], read_only=True)
    try:
        stages = dict(conn.sql("select stage, status from ops.run_stages where run_id = "
                               "(select max(run_id) from ops.runs)").fetchall())
    finally:
        conn.close()
    assert stages["aoty"] == "degraded" and stages["gate"] == "ok"


def test_concurrent_run_is_refused_with_a_clear_message(world, servers, tmp_path):
    lastfm, _ = servers
    env = _env(servers, tmp_path)
    lastfm.faults = LastfmFaults(delay_seconds=0.5)
    try:
        first = subprocess.Popen(_cli(env, sorted(world.users)[:1]), env=env, cwd=tmp_path,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in first.stdout:
            if line.startswith("[lastfm] started"):
                break
        second = _run(env, sorted(world.users)[:1], tmp_path)
        first.kill()
        first.wait()
    finally:
        lastfm.faults = LastfmFaults()
    assert second.returncode == 4
    assert "in use by another run" in second.stderr
