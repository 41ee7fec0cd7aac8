"""One fixture-loaded small world, built once per session on DuckDB and once on PostgreSQL
(in a database created for the session and dropped afterwards)."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("RUNTIME__LOG_LEVEL", "ERROR")  # dlt's arrow-hint warnings are noise here

from ingest.config import DEFAULT_POSTGRES_DSN, Settings  # noqa: E402
from ingest.sandbox.raw_fixture import load_world_raw  # noqa: E402
from ingest.sandbox.world import WorldConfig, generate_world  # noqa: E402
from ingest.transform import DbtResult, build  # noqa: E402

MARTS = ("artists", "albums", "tracks", "user_track_interactions", "track_features", "unmatched_scrobbles")


def world_config() -> WorldConfig:
    return WorldConfig.demo()


def duckdb_settings(root: Path, name: str = "warehouse") -> Settings:
    return Settings(warehouse="duckdb", duckdb_path=root / f"{name}.duckdb", data_dir=root)


@pytest.fixture(scope="session")
def duckdb_built(tmp_path_factory) -> tuple[Settings, DbtResult]:
    root = tmp_path_factory.mktemp("dbt_duckdb")
    settings = duckdb_settings(root)
    load_world_raw(generate_world(world_config()), settings)
    return settings, build(settings)


@pytest.fixture(scope="session")
def postgres_built(tmp_path_factory) -> tuple[Settings, DbtResult]:
    import psycopg2

    admin_dsn = os.environ.get("POSTGRES_DSN") or DEFAULT_POSTGRES_DSN
    dbname = f"mw_dbt_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = psycopg2.connect(admin_dsn)
    admin.autocommit = True
    admin.cursor().execute(f'create database "{dbname}"')
    settings = Settings(warehouse="postgres", postgres_dsn=admin_dsn.rsplit("/", 1)[0] + f"/{dbname}",
                        data_dir=tmp_path_factory.mktemp("dbt_postgres"))
    try:
        load_world_raw(generate_world(world_config()), settings)
        yield settings, build(settings)
    finally:
        admin.cursor().execute(f'drop database if exists "{dbname}" with (force)')
        admin.close()


def fetch(settings: Settings, sql: str) -> list[tuple]:
    from ingest.config import connect

    conn = connect(settings)
    try:
        cur = conn.cursor()
        cur.execute(sql)
        return cur.fetchall()
    finally:
        conn.close()
