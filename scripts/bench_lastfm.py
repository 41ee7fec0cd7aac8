"""Benchmark of the Last.fm source: scrobbles/s loaded from the local server (no rate cap)
into DuckDB and PostgreSQL, peak memory, and the requests of an incremental re-run with
nothing new.

    .venv/bin/python scripts/bench_lastfm.py [--scrobbles 100000] [--users 5] [--skip-postgres] [--with-tags]

The server runs in a child process (its own world, same seed), so the figures are those of the
loader: HTTP parsing, dlt normalize and load. Each warehouse is fresh: a temporary DuckDB file
and a PostgreSQL database created for the run and dropped afterwards.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.config import DEFAULT_POSTGRES_DSN, Settings, connect  # noqa: E402
from ingest.lastfm import load_lastfm  # noqa: E402
from ingest.lastfm.helpers import LastfmClient  # noqa: E402

API_KEY = "bench-key"


def _serve(cfg_kwargs: dict, queue: mp.Queue, stop: mp.Event) -> None:
    from ingest.sandbox.lastfm_server import LastfmServer
    from ingest.sandbox.world import WorldConfig, generate_world

    world = generate_world(WorldConfig(**cfg_kwargs))
    with LastfmServer(world, api_key=API_KEY) as srv:
        queue.put((srv.base_url, {u.name: u.playcount for u in world.users.values()}))
        stop.wait()


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _count(settings: Settings) -> int:
    con = connect(settings)
    try:
        cur = con.cursor()
        cur.execute("select count(*) from raw_lastfm.scrobbles")
        return int(cur.fetchone()[0])
    finally:
        con.close()


def bench(name: str, settings: Settings, base_url: str, users: list[str], expected: int, with_tags: bool) -> str:
    """One warehouse, in a process of its own so that its peak memory is its own."""
    client = LastfmClient(API_KEY, base_url, 0)
    rss0 = _peak_rss_mb()
    cpu0 = _cpu_seconds()
    t0 = time.perf_counter()
    first = load_lastfm(users, settings, client=client, with_tags=with_tags)
    secs = time.perf_counter() - t0
    cpu = _cpu_seconds() - cpu0
    loaded = _count(settings)
    rerun = load_lastfm(users, settings, client=client, with_tags=with_tags)
    client.close()
    return (f"{name:9s} {first.total_scrobbles:>7d} scrobbles in {secs:5.1f}s = {first.total_scrobbles / secs:5.0f} scrobbles/s"
            f" (loader CPU {cpu:.1f}s = {first.total_scrobbles / cpu:.0f} scrobbles per CPU-second)"
            f" | {first.requests} requests ({first.requests_by_method.get('user.getRecentTracks', 0)} pages)"
            f" | rows in table {loaded} (expected {expected})"
            f" | peak RSS {_peak_rss_mb():.0f} MB (at start {rss0:.0f} MB)"
            f" | re-run with nothing new: {rerun.requests} requests {rerun.requests_by_method},"
            f" {rerun.total_scrobbles} rows, {rerun.seconds:.1f}s")


def _cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _bench_child(queue: mp.Queue, *args: object) -> None:
    try:
        queue.put(bench(*args))  # type: ignore[arg-type]
    except BaseException as e:  # report, do not hang the parent
        queue.put(f"{args[0]}: FAILED {type(e).__name__}: {e}")
        raise


def run_isolated(*args: object) -> None:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_bench_child, args=(queue, *args))
    proc.start()
    print(queue.get(), flush=True)
    proc.join()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scrobbles", type=int, default=100_000)
    ap.add_argument("--users", type=int, default=5)
    ap.add_argument("--skip-postgres", action="store_true")
    ap.add_argument("--with-tags", action="store_true", help="also fetch artist/track tags (one request each)")
    args = ap.parse_args()

    cfg = dict(seed=7, n_artists=3000, n_users=args.users, scrobbles_per_user=args.scrobbles // args.users)
    ctx = mp.get_context("spawn")
    queue, stop = ctx.Queue(), ctx.Event()
    proc = ctx.Process(target=_serve, args=(cfg, queue, stop), daemon=True)
    proc.start()
    try:
        base_url, playcounts = queue.get(timeout=300)
        users = list(playcounts)
        expected = sum(playcounts.values())
        print(f"local Last.fm server {base_url}: {len(users)} users, {expected} scrobbles; no rate cap", flush=True)
        with tempfile.TemporaryDirectory(prefix="bench_lastfm_") as tmp:
            duck = Settings(warehouse="duckdb", duckdb_path=Path(tmp) / "bench.duckdb", data_dir=Path(tmp) / "duck",
                            lastfm_api_key=API_KEY, lastfm_base_url=base_url, lastfm_requests_per_second=0)
            run_isolated("duckdb", duck, base_url, users, expected, args.with_tags)
            if not args.skip_postgres:
                _bench_postgres(Path(tmp), base_url, users, expected, args.with_tags)
    finally:
        stop.set()
        proc.join(timeout=10)


def _bench_postgres(tmp: Path, base_url: str, users: list[str], expected: int, with_tags: bool) -> None:
    import psycopg2

    admin_dsn = os.environ.get("POSTGRES_DSN", DEFAULT_POSTGRES_DSN)
    db = f"bench_lastfm_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(admin_dsn)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{db}"')
    try:
        pg = Settings(warehouse="postgres", postgres_dsn=admin_dsn.rsplit("/", 1)[0] + "/" + db,
                      data_dir=tmp / "pg", lastfm_api_key=API_KEY, lastfm_base_url=base_url,
                      lastfm_requests_per_second=0)
        run_isolated("postgres", pg, base_url, users, expected, with_tags)
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
