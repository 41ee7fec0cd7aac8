"""Validation time of the GX gate on the ~1M-scrobble world, per engine.

    .venv/bin/python scripts/bench_gx.py [--engines duckdb,postgres] [--scrobbles 1000000] [--keep]

For each engine: a fresh warehouse (a DuckDB file under data/bench_gx/, a PostgreSQL
database created for the run and dropped afterwards unless --keep), the world's raw
tables loaded, `dbt build`, then the gate's validation (every suite, no Data Docs)
timed on its own. Prints one line per phase and a summary table.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import time
from pathlib import Path

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.config import DEFAULT_POSTGRES_DSN, Settings  # noqa: E402


def _say(msg: str) -> None:
    print(msg, flush=True)


def _postgres_settings(root: Path, dbname: str) -> Settings:
    base = (os.environ.get("POSTGRES_DSN") or DEFAULT_POSTGRES_DSN).rsplit("/", 1)[0]
    return Settings(warehouse="postgres", postgres_dsn=f"{base}/{dbname}", data_dir=root)


def _admin(dsn: str):
    import psycopg2

    conn = psycopg2.connect(dsn.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    return conn


def bench_engine(engine: str, world, root: Path, keep: bool) -> dict[str, float]:
    from ingest.pipeline.publish import audit_and_publish, validate
    from ingest.sandbox.raw_fixture import load_world_raw
    from ingest.transform import build

    root = root / engine
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    dbname = f"bench_gx_{os.getpid()}"
    if engine == "duckdb":
        settings = Settings(warehouse="duckdb", duckdb_path=root / "warehouse.duckdb", data_dir=root)
    else:
        settings = _postgres_settings(root, dbname)
        _admin(settings.postgres_dsn).cursor().execute(f"create database {dbname}")
    figures: dict[str, float] = {}
    try:
        t = time.monotonic()
        load_world_raw(world, settings)
        figures["load_s"] = time.monotonic() - t
        _say(f"[{engine}] raw loaded in {figures['load_s']:.0f}s")
        t = time.monotonic()
        build(settings)
        figures["dbt_s"] = time.monotonic() - t
        _say(f"[{engine}] dbt build in {figures['dbt_s']:.0f}s")
        # Warm the imports (GX takes seconds to import) so the figure is the validation.
        import expectations.runner  # noqa: F401

        t = time.monotonic()
        report = validate(settings, run_id=f"bench-{engine}", build_docs=False)
        figures["validate_s"] = time.monotonic() - t
        figures["expectations"] = sum(len(s.expectations) for s in report.suites)
        figures["failed"] = len(report.failures())
        _say(f"[{engine}] validation in {figures['validate_s']:.1f}s: {figures['expectations']:.0f} expectations, "
             f"{figures['failed']:.0f} failed")
        for f in report.failures():
            _say(f"    {f.describe()}")
        t = time.monotonic()
        gate = audit_and_publish(settings, run_id=f"bench-{engine}-publish", build_docs=False, out=None)
        figures["gate_s"] = time.monotonic() - t
        figures["publish_s"] = gate.publish_seconds
        _say(f"[{engine}] full gate (validate + publish) in {figures['gate_s']:.1f}s, published={gate.published}, "
             f"publish {gate.publish_seconds:.1f}s")
    finally:
        if engine == "postgres" and not keep:
            _admin(settings.postgres_dsn).cursor().execute(f"drop database if exists {dbname} with (force)")
        if engine == "duckdb" and not keep:
            shutil.rmtree(root, ignore_errors=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default="duckdb,postgres")
    parser.add_argument("--scrobbles", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the warehouses afterwards")
    parser.add_argument("--root", type=Path, default=ROOT / "data" / "bench_gx")
    args = parser.parse_args(argv)

    from ingest.sandbox.world import WorldConfig, generate_world

    t = time.monotonic()
    world = generate_world(WorldConfig.bench(scrobbles=args.scrobbles))
    _say(f"world: {world.scrobble_count():,} scrobbles, {len(world.albums):,} albums in {time.monotonic() - t:.0f}s")
    results = {e: bench_engine(e, world, args.root, args.keep) for e in args.engines.split(",") if e}
    _say("\nengine    | load s | dbt s | validate s | gate s (validate+publish) | expectations | failed")
    for engine, f in results.items():
        _say(f"{engine:9} | {f['load_s']:6.0f} | {f['dbt_s']:5.0f} | {f['validate_s']:10.1f} | "
             f"{f['gate_s']:25.1f} | {f['expectations']:12.0f} | {f['failed']:.0f}")
    _say(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
