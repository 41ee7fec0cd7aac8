"""`make demo`: the whole pipeline against local Last.fm and AOTY servers serving a
small generated world, into data/warehouse.duckdb (or WAREHOUSE=postgres).

Run it again and it is incremental: each later run plays a few new scrobbles per
user on the local server, and only those are fetched.
"""
from __future__ import annotations

import argparse
import time
from contextlib import contextmanager
from typing import Iterator

from ingest.config import Settings
from ingest.sandbox.world import World, WorldConfig, generate_world

DEMO_API_KEY = "demo-key-0123456789abcdef"
NEW_SCROBBLES_PER_RUN = 25
# Stable ports keep the AOTY page cache (keyed by URL) valid across demo runs; a busy
# port falls back to a free one, which only costs re-fetching.
DEMO_LASTFM_PORT = 18731
DEMO_AOTY_PORT = 18732


def _start(factory, world: World, port: int, **kwargs):
    try:
        return factory(world, port=port, **kwargs)
    except OSError:
        return factory(world, port=0, **kwargs)


@contextmanager
def local_servers(world: World) -> Iterator[tuple[str, str]]:
    from ingest.sandbox.aoty_site import start_aoty_site
    from ingest.sandbox.lastfm_server import start_lastfm_server

    lastfm = _start(start_lastfm_server, world, DEMO_LASTFM_PORT, api_key=DEMO_API_KEY)
    aoty = _start(start_aoty_site, world, DEMO_AOTY_PORT)
    try:
        yield lastfm.base_url, aoty.base_url
    finally:
        lastfm.stop()
        aoty.stop()


def _previous_demo_runs(settings: Settings) -> int:
    from ingest.pipeline.ops import OpsLog

    try:
        return sum(1 for _, status, *_ in OpsLog(settings).last_runs(1000) if status in ("published", "gate_failed"))
    except Exception:  # noqa: BLE001 - a fresh warehouse has no ops tables yet
        return 0


def demo_world(users: int = 3, scrobbles: int = 1500, previous_runs: int = 0) -> World:
    world = generate_world(WorldConfig(n_users=users, scrobbles_per_user=scrobbles))
    # Later demo runs see new listening, the way a real user's history grows.
    for i in range(previous_runs):
        for name in sorted(world.users):
            world.append_scrobbles(name, NEW_SCROBBLES_PER_RUN)
    return world


def run_demo(settings: Settings, args: argparse.Namespace) -> int:
    from ingest.pipeline.run import RunOptions, format_summary, run_pipeline

    t0 = time.monotonic()
    previous = _previous_demo_runs(settings)
    world = demo_world(args.users, args.scrobbles, previous)
    print(f"demo world: {len(world.users)} users, {world.scrobble_count():,} scrobbles, "
          f"{len(world.aoty_albums()):,} AOTY albums (run {previous + 1} on this warehouse)")
    with local_servers(world) as (lastfm_url, aoty_url):
        demo_settings = settings.with_(
            lastfm_base_url=lastfm_url, aoty_base_url=aoty_url, lastfm_api_key=DEMO_API_KEY,
            # Local servers: no need to be polite, and a separate cache from the real site.
            lastfm_requests_per_second=args.lastfm_rps or 0.0,
            aoty_requests_per_second=args.aoty_rps if args.aoty_rps is not None else 0.0,
            aoty_cache_dir=settings.data_dir / "cache" / "aoty-demo",
        )
        options = RunOptions(users=sorted(world.users), limit=args.limit,
                             scrape_aoty=not args.no_aoty, publish=not args.no_publish)
        result = run_pipeline(demo_settings, options)
    print(format_summary(result))
    if not args.no_docs:
        try:
            from ingest.docs_site import build_site

            index = build_site(settings)
            print(f"docs site: {index}  (browse with `make docs`, served on http://127.0.0.1:8080)")
        except Exception as exc:  # noqa: BLE001 - the data is published; docs are extra
            print(f"docs site not built: {exc}")
    where = settings.duckdb_path if settings.warehouse == "duckdb" else settings.postgres_dsn
    print(f"\nwarehouse: {where}  (published tables in schema analytics)")
    if settings.warehouse == "duckdb":
        print(f"  try: .venv/bin/python -c \"import duckdb; print(duckdb.connect('{where}', read_only=True)"
              ".sql('select * from analytics.track_features limit 5'))\"")
    print(f"demo finished in {time.monotonic() - t0:.0f}s; `make demo` again runs incrementally, "
          "`make export` writes Parquet for training")
    return result.exit_code


def serve_sandbox(scrobbles: int) -> int:
    world = demo_world(scrobbles=scrobbles)
    with local_servers(world) as (lastfm_url, aoty_url):
        print(f"export LASTFM_BASE_URL={lastfm_url} AOTY_BASE_URL={aoty_url} LASTFM_API_KEY={DEMO_API_KEY}")
        print(f"users: {', '.join(sorted(world.users))}; Ctrl-C to stop")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0
    return 0
