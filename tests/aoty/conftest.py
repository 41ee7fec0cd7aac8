"""Fixtures for the AOTY tests: a tiny world, the local site, a warehouse with scrobbles."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

from ingest.config import RAW_LASTFM, Settings  # noqa: E402
from ingest.sandbox.aoty_site import AotySite  # noqa: E402
from ingest.sandbox.world import World, WorldConfig, generate_world  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"


def tiny_config(seed: int = 11, artists: int = 8, scrobbles: int = 150) -> WorldConfig:
    return WorldConfig(seed=seed, n_artists=artists, n_users=1, scrobbles_per_user=scrobbles)


@pytest.fixture(scope="session")
def tiny_world() -> World:
    return generate_world(tiny_config())


@pytest.fixture()
def site(tiny_world):
    with AotySite(tiny_world) as s:
        yield s


def warehouse_settings(tmp_path: Path, base_url: str, **changes) -> Settings:
    return Settings(
        warehouse="duckdb", duckdb_path=tmp_path / "wh.duckdb", data_dir=tmp_path, aoty_base_url=base_url,
        aoty_cache_dir=tmp_path / "cache", aoty_requests_per_second=0.0, aoty_max_concurrent=3,
    ).with_(**changes)


def load_scrobbles(world: World, settings: Settings) -> int:
    """raw_lastfm.scrobbles with the contract's columns, written by dlt (the Last.fm loader's shape)."""
    import dlt

    from ingest.sandbox.raw_fixture import world_raw_tables

    table = world_raw_tables(world)[RAW_LASTFM][0]
    assert table.name == "scrobbles"
    pipeline = dlt.pipeline(pipeline_name="test_lastfm", destination=settings.dlt_destination(),
                            dataset_name=RAW_LASTFM, pipelines_dir=str(settings.pipelines_dir))
    pipeline.run(dlt.resource(table.data, name="scrobbles", primary_key="scrobble_id", write_disposition="merge"))
    return table.data.num_rows
