"""Fixtures for the Last.fm source: a small seeded world behind the local API server, and
warehouses (a DuckDB file in tmp_path, or a PostgreSQL database created for this session)."""
from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Iterator

import pytest

from ingest.config import DEFAULT_POSTGRES_DSN, Settings, connect
from ingest.lastfm.helpers import LastfmClient
from ingest.sandbox.lastfm_server import LastfmServer
from ingest.sandbox.world import World, WorldConfig, generate_world

API_KEY = "k3y-5ecret-0f-the-tests-1234abcd"
SMALL = WorldConfig(n_artists=60, n_users=2, scrobbles_per_user=700)
TINY = WorldConfig(seed=11, n_artists=8, n_users=1, scrobbles_per_user=150)


@pytest.fixture
def world() -> World:
    return generate_world(SMALL)


@pytest.fixture
def server(world: World) -> Iterator[LastfmServer]:
    with LastfmServer(world, api_key=API_KEY, suspended_keys=("suspended-key-0000",)) as srv:
        yield srv


def fast_client(srv: LastfmServer, **kwargs) -> LastfmClient:
    """The real client with short backoffs, so fault tests finish in seconds."""
    opts = dict(max_retries=10, backoff_base=0.02, backoff_cap=0.5, rate_limit_backoff=0.3, seed=1)
    opts.update(kwargs)
    return LastfmClient(API_KEY, srv.base_url, 0, **opts)


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """A database of its own on the shared server, dropped at the end."""
    import psycopg2

    base = os.environ.get("POSTGRES_DSN", DEFAULT_POSTGRES_DSN)
    name = f"lastfm_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg2.connect(base)
    except psycopg2.OperationalError as e:
        pytest.skip(f"PostgreSQL not reachable at {base}: {e}")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    dsn = base.rsplit("/", 1)[0] + "/" + name
    yield dsn
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def duckdb_settings(tmp_path: Path, srv: LastfmServer, **changes) -> Settings:
    return Settings(
        warehouse="duckdb", duckdb_path=tmp_path / "warehouse.duckdb", data_dir=tmp_path,
        lastfm_api_key=API_KEY, lastfm_base_url=srv.base_url, lastfm_requests_per_second=0,
    ).with_(**changes)


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request, tmp_path: Path, server: LastfmServer) -> Settings:
    if request.param == "duckdb":
        return duckdb_settings(tmp_path, server)
    dsn = request.getfixturevalue("pg_dsn")  # this session's own database
    pg = duckdb_settings(tmp_path, server).with_(warehouse="postgres", postgres_dsn=dsn)
    request.addfinalizer(lambda: _drop_raw(pg))  # the next test starts from an empty raw_lastfm
    return pg


def _drop_raw(settings: Settings) -> None:
    con = connect(settings)
    try:
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute("DROP SCHEMA IF EXISTS raw_lastfm CASCADE")
            cur.execute("DROP SCHEMA IF EXISTS raw_lastfm_staging CASCADE")
    finally:
        con.close()


def query(settings: Settings, sql: str) -> list[tuple]:
    con = connect(settings)
    try:
        if settings.warehouse == "duckdb":
            return con.execute(sql).fetchall()
        with con.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        con.close()


def table_exists(settings: Settings, table: str) -> bool:
    if settings.warehouse == "duckdb" and not settings.duckdb_path.exists():
        return False
    rows = query(settings, "select count(*) from information_schema.tables "
                           f"where table_schema = 'raw_lastfm' and table_name = '{table}'")
    return rows[0][0] > 0
