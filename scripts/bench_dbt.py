"""dbt build time at benchmark scale (~1M scrobbles) on DuckDB and PostgreSQL.

    .venv/bin/python scripts/bench_dbt.py [--scrobbles 1000000] [--skip-postgres]

Loads WorldConfig.bench() through the raw fixture, then times:
  full build    `dbt run --full-refresh` (all models) and `dbt test` (all data/unit tests)
  incremental   after +1 % scrobbles loaded as a new dlt load:
                `dbt run -s user_track_interactions unmatched_scrobbles` (the incremental marts)
                and a plain `dbt run` of everything (tables rebuild, incremental marts merge)
Goals: DuckDB full <= 30 s, incremental <= 5 s, PostgreSQL <= 3x DuckDB.
PostgreSQL runs in a database created for the run (mw_dbt_bench_<pid>) and dropped after.
"""
from __future__ import annotations

import argparse
import copy
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("RUNTIME__LOG_LEVEL", "ERROR")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.config import DEFAULT_POSTGRES_DSN, Settings  # noqa: E402
from ingest.sandbox.raw_fixture import load_world_raw  # noqa: E402
from ingest.sandbox.world import World, WorldConfig, generate_world  # noqa: E402
from ingest.transform import run_dbt  # noqa: E402

INCREMENTAL_MARTS = "user_track_interactions unmatched_scrobbles"


def timed(label: str, fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    dt = time.perf_counter() - t0
    print(f"  {label:<44} {dt:7.1f} s", flush=True)
    return out, dt


def grow(world: World, share: float) -> dict[str, int]:
    """Append `share` more scrobbles to every user; returns each user's previous last uts."""
    since = {}
    for name, u in world.users.items():
        if u.playcount:
            since[name] = int(u.uts.max())
            world.append_scrobbles(name, max(1, int(u.playcount * share)))
    return since


def bench(settings: Settings, world: World) -> dict[str, float]:
    figures = {}
    _, figures["load"] = timed("load raw tables (dlt, arrow)", load_world_raw, world, settings)
    # Parsing is cached between runs (partial parse); time the steady state, not the first parse.
    timed("dbt parse (warm-up, not counted)", run_dbt, settings, ["parse"])
    _, figures["full_run"] = timed("full build: dbt run --full-refresh", run_dbt, settings, ["run", "--full-refresh"])
    _, figures["test"] = timed("dbt test (data + unit tests)", run_dbt, settings, ["test"])
    since = grow(world, 0.01)
    _, figures["load_inc"] = timed("load +1 % scrobbles", load_world_raw, world, settings, since_uts=since)
    _, figures["inc_marts"] = timed("incremental: run -s <incremental marts>", run_dbt, settings,
                                    ["run", "--select", INCREMENTAL_MARTS])
    since = grow(world, 0.01)
    load_world_raw(world, settings, since_uts=since)
    _, figures["inc_all"] = timed("incremental: dbt run (all models)", run_dbt, settings, ["run"])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scrobbles", type=int, default=1_000_000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--demo", action="store_true", help="the small demo world (a smoke test of this script)")
    args = parser.parse_args()
    cfg = WorldConfig.demo() if args.demo else WorldConfig.bench(scrobbles=args.scrobbles)
    t0 = time.perf_counter()
    world = generate_world(cfg)
    print(f"world: {world.scrobble_count():,} scrobbles, {len(world.albums):,} albums, {len(world.tracks):,} tracks, "
          f"{len(world.spellings):,} spellings (generated in {time.perf_counter() - t0:.1f} s)", flush=True)

    results = {}
    with tempfile.TemporaryDirectory(prefix="bench_dbt_") as tmp:
        print("DuckDB", flush=True)
        results["duckdb"] = bench(Settings(warehouse="duckdb", duckdb_path=Path(tmp) / "bench.duckdb",
                                           data_dir=Path(tmp)), copy.deepcopy(world))
        if not args.skip_postgres:
            import psycopg2

            admin_dsn = os.environ.get("POSTGRES_DSN") or DEFAULT_POSTGRES_DSN
            dbname = f"mw_dbt_bench_{os.getpid()}"
            admin = psycopg2.connect(admin_dsn)
            admin.autocommit = True
            admin.cursor().execute(f'create database "{dbname}"')
            try:
                print("PostgreSQL", flush=True)
                results["postgres"] = bench(Settings(warehouse="postgres", data_dir=Path(tmp),
                                                     postgres_dsn=admin_dsn.rsplit("/", 1)[0] + f"/{dbname}"), world)
            finally:
                admin.cursor().execute(f'drop database if exists "{dbname}" with (force)')
                admin.close()

    d = results["duckdb"]
    print("\nsummary (seconds)")
    print(f"  DuckDB full build (run) {d['full_run']:.1f}  goal <= 30: {'ok' if d['full_run'] <= 30 else 'MISSED'}")
    print(f"  DuckDB incremental marts {d['inc_marts']:.1f}  goal <= 5: {'ok' if d['inc_marts'] <= 5 else 'MISSED'}")
    print(f"  DuckDB incremental, all models {d['inc_all']:.1f}")
    if "postgres" in results:
        p = results["postgres"]
        ratio = p["full_run"] / d["full_run"]
        print(f"  PostgreSQL full build (run) {p['full_run']:.1f} = {ratio:.1f}x DuckDB  goal <= 3x: "
              f"{'ok' if ratio <= 3 else 'MISSED'}")
        print(f"  PostgreSQL incremental marts {p['inc_marts']:.1f}, all models {p['inc_all']:.1f}")


if __name__ == "__main__":
    main()
