"""write_matches on real warehouses: raw tables loaded through dlt with the contract's columns,
the match table merged idempotently, a new matcher version adding its own rows."""
import dataclasses
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from datetime import datetime, timezone

import dlt
import pytest

from ingest.config import RAW_AOTY, RAW_LASTFM, RAW_MATCHING, Settings, connect
from ingest.keys import scrobble_id, track_key
from ingest.match.table import write_matches

from .catalog_rows import ALBUMS

ROOT = Path(__file__).resolve().parents[2]
SCROBBLES = [  # (artist, album, track), played twice each
    ("The National", "Boxer", "Fake Empire"),
    ("The National", "Boxer (Deluxe Edition)", "Rest of the Night"),
    ("The National", "Boxer", "Fake Empire (Live)"),
    ("Beyonce", "", "Formation"),
    ("Nobody", "Nothing", "Nowhere"),
]


def load_raw(settings: Settings) -> None:
    """The raw tables the Last.fm and AOTY loaders write, with the columns of ARCHITECTURE.md."""
    now = datetime.now(timezone.utc)
    scrobbles = []
    for i, (artist, album, track) in enumerate(SCROBBLES * 2):
        uts = 1_700_000_000 + i * 300
        scrobbles.append(dict(
            scrobble_id=scrobble_id("rj", uts, artist, track), user_name="rj", uts=uts,
            played_at=datetime.fromtimestamp(uts, timezone.utc), artist_name=artist, artist_mbid="",
            album_name=album, album_mbid="", track_name=track, track_mbid="",
            track_key=track_key(artist, album, track), source="api", uts_is_placeholder=False))
    albums, album_artists, tracks = [], [], []
    for album_id, artist, title, year, album_tracks, fmt, _edition_of in ALBUMS:
        albums.append(dict(album_id=album_id, url=f"/album/{album_id}.php", title=title, artist_id=album_id * 100,
                           artist_name=artist, release_date=f"{year}-01-01", release_year=year, format=fmt,
                           fetched_at=now, parser_version="test"))
        album_artists.append(dict(album_id=album_id, position=1, artist_id=album_id * 100, artist_name=artist))
        for track_id, number, t in album_tracks:
            tracks.append(dict(track_id=track_id, album_id=album_id, disc=1, number=number, title=t))
    for dataset, resources in ((RAW_LASTFM, [dlt.resource(scrobbles, name="scrobbles", primary_key="scrobble_id",
                                                          write_disposition="merge")]),
                               (RAW_AOTY, [dlt.resource(albums, name="albums", primary_key="album_id"),
                                           dlt.resource(album_artists, name="album_artists"),
                                           dlt.resource(tracks, name="tracks", primary_key="track_id")])):
        pipeline = dlt.pipeline(pipeline_name=f"test_raw_{dataset}", destination=settings.dlt_destination(),
                                dataset_name=dataset, pipelines_dir=str(settings.pipelines_dir))
        pipeline.run(resources)


def rows(settings: Settings, sql: str) -> list[tuple]:
    conn = connect(settings)
    try:
        cur = conn.cursor()
        cur.execute(sql)
        return cur.fetchall()
    finally:
        conn.close()


def check_idempotent_and_versioned(settings: Settings) -> None:
    load_raw(settings)
    first = write_matches(settings)
    assert first.tracks == len(SCROBBLES)
    assert first.counts["track_match/high"] == 3
    sql = (f"select track_key, matcher_version, match_type, confidence, aoty_album_id, aoty_track_id, reason "
           f"from {RAW_MATCHING}.track_matches order by track_key, matcher_version")
    before = rows(settings, sql)
    assert len(before) == len(SCROBBLES)
    by_key = {r[0]: r for r in before}
    fake = by_key[track_key("The National", "Boxer", "Fake Empire")]
    assert (fake[2], fake[3], fake[4], fake[5]) == ("track_match", "high", 1, 11)
    live = by_key[track_key("The National", "Boxer", "Fake Empire (Live)")]
    assert (live[2], live[4], live[5]) == ("album_match", 1, None) and "version" in live[6]
    nobody = by_key[track_key("Nobody", "Nothing", "Nowhere")]
    assert nobody[2] == "no_match" and nobody[4] is None
    n_candidates = rows(settings, f"select count(*) from {RAW_MATCHING}.match_candidates")[0][0]

    write_matches(settings)  # same version again: nothing new
    assert rows(settings, sql) == before
    assert rows(settings, f"select count(*) from {RAW_MATCHING}.match_candidates")[0][0] == n_candidates

    summary = write_matches(settings, matcher_version="test-next")  # a new version re-matches
    assert summary.matcher_version == "test-next"
    assert "track_match" in summary.table() and summary.tracks_per_s > 0
    json.dumps(dataclasses.asdict(summary))  # the pipeline stores it as run metrics
    versions = rows(settings, f"select matcher_version, count(*) from {RAW_MATCHING}.track_matches "
                              f"group by matcher_version order by matcher_version")
    assert [n for _, n in versions] == [len(SCROBBLES), len(SCROBBLES)]


def test_write_matches_duckdb(tmp_path):
    settings = Settings(duckdb_path=tmp_path / "warehouse.duckdb", data_dir=tmp_path)
    check_idempotent_and_versioned(settings)
    # The same through the command line, as the pipeline's users run it.
    env = dict(os.environ, WAREHOUSE="duckdb", DUCKDB_PATH=str(settings.duckdb_path), DATA_DIR=str(tmp_path))
    p = subprocess.run([sys.executable, "-m", "ingest.match", "warehouse", "--quiet"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "5 distinct tracks" in p.stdout and "track_match" in p.stdout


@pytest.mark.postgres
def test_write_matches_postgres(tmp_path):
    psycopg2 = pytest.importorskip("psycopg2")
    admin_dsn = "postgresql://postgres:postgres@127.0.0.1:5432/postgres"
    name = f"match_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg2.connect(admin_dsn)
    except psycopg2.OperationalError as e:
        pytest.skip(f"PostgreSQL not reachable: {e}")
    admin.autocommit = True
    admin.cursor().execute(f'create database "{name}"')
    try:
        settings = Settings(warehouse="postgres", postgres_dsn=f"postgresql://postgres:postgres@127.0.0.1:5432/{name}",
                            data_dir=tmp_path)
        check_idempotent_and_versioned(settings)
    finally:
        admin.cursor().execute(f'drop database if exists "{name}" with (force)')
        admin.close()


def test_missing_raw_tables_are_named(tmp_path):
    settings = Settings(duckdb_path=tmp_path / "empty.duckdb", data_dir=tmp_path)
    with pytest.raises(ValueError, match=r"raw_lastfm\.scrobbles not found in .*empty\.duckdb: load scrobbles first"):
        write_matches(settings)
