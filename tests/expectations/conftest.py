"""One small world, loaded and built with dbt once per engine for the whole session; the
tests then inject defects into `audit` and re-run the gate."""
from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from ingest.config import ANALYTICS, AUDIT, DEFAULT_POSTGRES_DSN, Settings, connect  # noqa: E402

# Small enough that dlt and dbt stay quick, big enough for every mart to have rows.
WORLD = dict(seed=11, n_artists=120, n_users=2, scrobbles_per_user=600)


@dataclass
class Warehouse:
    settings: Settings

    @property
    def engine(self) -> str:
        return self.settings.warehouse

    def execute(self, *statements: str) -> None:
        conn = connect(self.settings)
        try:
            cur = conn if self.engine == "duckdb" else conn.cursor()  # a duckdb cursor is another connection
            for sql in statements:
                cur.execute(sql)
            conn.commit()
        finally:
            conn.close()

    def scalar(self, sql: str):
        conn = connect(self.settings)
        try:
            cur = conn.cursor()
            cur.execute(sql)
            return cur.fetchone()[0]
        finally:
            conn.close()

    def tables(self, schema: str) -> list[str]:
        conn = connect(self.settings)
        try:
            cur = conn.cursor()
            cur.execute(f"select table_name from information_schema.tables where table_schema = '{schema}' "
                        "order by table_name")
            return [r[0] for r in cur.fetchall()]
        finally:
            conn.close()

    def checksums(self, schema: str = ANALYTICS) -> dict[str, str]:
        """Order-independent digest of every table's rows (and its column names) in `schema`."""
        out = {}
        conn = connect(self.settings)
        try:
            cur = conn.cursor()
            for t in self.tables(schema):
                cur.execute(f"select * from {schema}.{t}")
                cols = [d[0] for d in cur.description]
                rows = sorted(repr(tuple(r)) for r in cur.fetchall())
                out[t] = hashlib.sha256("\n".join([repr(cols), *rows]).encode()).hexdigest()
        finally:
            conn.close()
        return out

    def restore_audit(self, table: str) -> None:
        """Put audit.<table> back as it was published (the clean build)."""
        if self.engine == "duckdb":
            self.execute(f"create or replace table {AUDIT}.{table} as select * from {ANALYTICS}.{table}")
        else:
            self.execute(f"drop table {AUDIT}.{table} cascade",
                         f"create table {AUDIT}.{table} as select * from {ANALYTICS}.{table}")


@pytest.fixture(scope="session")
def small_world():
    from ingest.sandbox.world import WorldConfig, generate_world

    return generate_world(WorldConfig(**WORLD))


def _load_and_build(world, settings: Settings) -> None:
    from ingest.sandbox.raw_fixture import load_world_raw
    from ingest.transform import build

    load_world_raw(world, settings)
    build(settings)


@pytest.fixture(scope="session")
def duckdb_warehouse(small_world, tmp_path_factory) -> Warehouse:
    root = tmp_path_factory.mktemp("gx-duckdb")
    settings = Settings(warehouse="duckdb", duckdb_path=root / "warehouse.duckdb", data_dir=root)
    _load_and_build(small_world, settings)
    return Warehouse(settings)


def _admin_dsn(dbname: str) -> str:
    base = os.environ.get("POSTGRES_DSN") or DEFAULT_POSTGRES_DSN
    return base.rsplit("/", 1)[0] + "/" + dbname


@pytest.fixture(scope="session")
def postgres_warehouse(small_world, tmp_path_factory):
    import psycopg2

    dbname = f"gx_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg2.connect(_admin_dsn("postgres"))
    except psycopg2.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    admin.autocommit = True
    admin.cursor().execute(f"create database {dbname}")
    root = tmp_path_factory.mktemp("gx-postgres")
    settings = Settings(warehouse="postgres", postgres_dsn=_admin_dsn(dbname), data_dir=root)
    try:
        _load_and_build(small_world, settings)
        yield Warehouse(settings)
    finally:
        admin.cursor().execute(f"drop database if exists {dbname} with (force)")
        admin.close()


def published_clean(warehouse: Warehouse, run_id: str):
    """Run the gate on the clean build; once per warehouse (the defect tests start from it)."""
    from ingest.pipeline.publish import audit_and_publish

    return audit_and_publish(warehouse.settings, run_id=run_id, build_docs=False, out=None)


def report_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
