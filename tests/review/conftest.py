import os
import shutil

import pytest

for _k, _v in (("RUNTIME__DLTHUB_TELEMETRY", "false"), ("DBT_SEND_ANONYMOUS_USAGE_STATS", "false"),
               ("GX_ANALYTICS_ENABLED", "false")):
    os.environ.setdefault(_k, _v)

from ingest.config import Settings  # noqa: E402
from ingest.sandbox.world import WorldConfig, generate_world  # noqa: E402

from .fixtures import load_review_warehouse, match_world  # noqa: E402


@pytest.fixture(scope="session")
def world():
    return generate_world(WorldConfig.demo())


@pytest.fixture(scope="session")
def match_results(world):
    return match_world(world)


@pytest.fixture(scope="session")
def template_warehouse(tmp_path_factory, world, match_results):
    """The demo world's raw tables and the real matcher's output, loaded once through dlt."""
    root = tmp_path_factory.mktemp("review_template")
    settings = Settings(duckdb_path=root / "warehouse.duckdb", data_dir=root,
                        aoty_base_url="http://127.0.0.1:9/aoty")
    load_review_warehouse(world, settings, match_results)
    return settings.duckdb_path


@pytest.fixture
def warehouse(tmp_path, template_warehouse):
    """A private copy of the template warehouse: Settings pointing at it."""
    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(template_warehouse, path)
    settings = Settings(duckdb_path=path, data_dir=tmp_path, aoty_base_url="http://127.0.0.1:9/aoty")
    return settings


@pytest.fixture
def env_for(monkeypatch):
    """Point Settings.from_env() (the CLIs) at a warehouse."""
    def apply(settings: Settings) -> None:
        monkeypatch.setenv("WAREHOUSE", settings.warehouse)
        monkeypatch.setenv("DUCKDB_PATH", str(settings.duckdb_path))
        monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
        monkeypatch.setenv("POSTGRES_DSN", settings.postgres_dsn)
        monkeypatch.setenv("AOTY_BASE_URL", settings.aoty_base_url)
    return apply
