"""The AOTY stage into PostgreSQL (a database of its own, dropped afterwards)."""
from __future__ import annotations

import uuid

import pytest

from ingest.aoty import scrape_aoty
from ingest.aoty.fetcher import FetchPolicy
from ingest.config import DEFAULT_POSTGRES_DSN, Settings, connect

from .conftest import load_scrobbles

pytestmark = [pytest.mark.postgres, pytest.mark.browser]


@pytest.fixture()
def pg_settings(tmp_path, site):
    psycopg2 = pytest.importorskip("psycopg2")
    name = f"aoty_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(DEFAULT_POSTGRES_DSN)
    admin.autocommit = True
    admin.cursor().execute(f"create database {name}")
    try:
        yield Settings(warehouse="postgres", postgres_dsn=DEFAULT_POSTGRES_DSN.rsplit("/", 1)[0] + "/" + name,
                       data_dir=tmp_path, aoty_base_url=site.base_url, aoty_cache_dir=tmp_path / "cache",
                       aoty_requests_per_second=0.0)
    finally:
        admin.cursor().execute(f"drop database if exists {name} with (force)")
        admin.close()


def test_scrape_into_postgres_with_a_limit(tiny_world, site, pg_settings):
    load_scrobbles(tiny_world, pg_settings)
    policy = FetchPolicy.from_settings(pg_settings, backoff_base_s=0.05)
    first = scrape_aoty(pg_settings, limit_albums=4, policy=policy)
    assert first.albums_loaded == 4 and first.albums_skipped_by_limit == first.albums_new - 4
    assert site.hits_by_kind["album"] == 4
    con = connect(pg_settings)
    try:
        cur = con.cursor()
        cur.execute("select count(*), count(distinct album_id) from raw_aoty.albums")
        assert cur.fetchone() == (4, 4)
        cur.execute("select count(*) from raw_aoty.tracks t join raw_aoty.albums a using (album_id)")
        assert cur.fetchone()[0] > 0
        cur.execute("select data_type from information_schema.columns where table_schema = 'raw_aoty' "
                    "and table_name = 'albums' and column_name = 'release_date'")
        assert cur.fetchone()[0] == "date"
        cur.execute("select count(*) from raw_aoty.fetch_log where run_id = %s", (first.run_id,))
        assert cur.fetchone()[0] == first.requests
    finally:
        con.close()
