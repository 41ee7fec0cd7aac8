"""Benchmark the matcher: 100k distinct Last.fm tracks against the bench world's AOTY catalog
(~52k AOTY-listed albums / ~450k tracks), and a naive baseline (one rapidfuzz `process.extractOne` per
track over the whole catalog) timed on a sample in the same run.

    .venv/bin/python scripts/bench_match.py                 # defaults: 100000 tracks, 12500 artists
    .venv/bin/python scripts/bench_match.py --tracks 20000 --artists 3000 --naive-sample 20

The world is generated in this process; the matcher (catalog index + matching) runs in a fresh
child process so its peak memory is measured on its own. Prints tracks/s (wall and CPU), the
index build time, peak RSS, and the speed-up over the naive baseline.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")


def _cpu_with_children() -> float:
    """CPU seconds of this process and its finished children (forked matcher workers)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _python_speed_ns() -> float:
    """ns per iteration of a fixed pure-Python loop: tells a loaded or slow machine from a fast one
    (lower is faster)."""
    import timeit

    return min(timeit.repeat("d[i % 97] = d.get(i % 89, 0) + 1", setup="d = {}; i = 12345", number=200_000,
                             repeat=5)) / 200_000 * 1e9


def worker(path: str, naive_sample: int, workers: int, processes: int) -> dict:
    """Child process: build the catalog index, match, time the naive baseline."""
    from rapidfuzz import process

    from ingest.match.catalog import Catalog, CatalogAlbum, CatalogTrack
    from ingest.match.matcher import LastfmTrackRef, Matcher

    with open(path, "rb") as f:
        data = pickle.load(f)
    albums = [CatalogAlbum(*a) for a in data["albums"]]
    tracks = [CatalogTrack(*t) for t in data["tracks"]]
    refs = [LastfmTrackRef(*r) for r in data["refs"]]
    del data
    rss_loaded = _peak_rss_mb()

    t0, c0 = time.perf_counter(), time.process_time()
    catalog = Catalog.build(albums, tracks)
    index_s, index_cpu = time.perf_counter() - t0, time.process_time() - c0

    t0, c0 = time.perf_counter(), time.process_time()
    matcher = Matcher(catalog, workers=workers)  # builds the exact-title index
    index_s, index_cpu = index_s + time.perf_counter() - t0, index_cpu + time.process_time() - c0
    speed_before = _python_speed_ns()
    t0 = time.perf_counter()
    c0 = _cpu_with_children()
    results = matcher.match(refs, processes=processes)
    match_s, match_cpu = time.perf_counter() - t0, _cpu_with_children() - c0
    speed_after = _python_speed_ns()

    # Naive: one extractOne per track over every catalog track, "artist track" strings.
    album_artist = {a.album_id: a.artist for a in albums}
    choices = [f"{album_artist[t.album_id]} {t.title}" for t in tracks]
    step = max(1, len(refs) // naive_sample)
    sample = refs[::step][:naive_sample]
    t0 = time.perf_counter()
    for r in sample:
        process.extractOne(f"{r.artist} {r.track}", choices)
    naive_s = time.perf_counter() - t0

    return dict(
        tracks=len(refs), catalog_albums=len(albums), catalog_tracks=len(tracks),
        index_s=index_s, index_cpu_s=index_cpu, match_s=match_s, match_cpu_s=match_cpu,
        tracks_per_s=len(refs) / match_s, tracks_per_cpu_s=len(refs) / match_cpu,
        naive_tracks_per_s=len(sample) / naive_s, naive_sample=len(sample),
        peak_rss_mb=max(_peak_rss_mb(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        rss_after_load_mb=rss_loaded, processes=processes, python_ns=(speed_before + speed_after) / 2,
        track_matches=sum(r.match_type == "track_match" for r in results),
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tracks", type=int, default=100_000, help="distinct Last.fm tracks (default 100000)")
    ap.add_argument("--artists", type=int, default=12_500, help="world artists (12500 = WorldConfig.bench catalog)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--naive-sample", type=int, default=10, help="tracks timed with the naive baseline")
    ap.add_argument("--processes", type=int, default=2, help="matcher processes (default 2: one per core)")
    ap.add_argument("--workers", type=int, default=-1, help="rapidfuzz workers (-1: all cores)")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        print(json.dumps(worker(args.worker, args.naive_sample, args.workers, args.processes)))
        return 0

    from ingest.sandbox.spellings import sample_spellings
    from ingest.sandbox.world import WorldConfig, generate_world

    t0 = time.perf_counter()
    # Same catalog as WorldConfig.bench(seed): the catalog is drawn before the users.
    world = generate_world(WorldConfig(seed=args.seed, n_artists=args.artists, n_users=3, scrobbles_per_user=200))
    spellings = sample_spellings(world, args.tracks, seed=1)
    albums, tracks = [], []
    for a in world.aoty_albums():
        names = tuple(world.album_artist_names(a))
        albums.append((a.album_id, names[0], a.title, a.year, a.format, a.edition_of, names))
        tracks.extend((t.track_id, a.album_id, t.number, t.title) for t in a.tracks)
    refs = [(str(s.spelling_id), s.artist, s.album, s.track) for s in spellings]
    print(f"world: {len(albums)} albums, {len(tracks)} tracks, {len(refs)} distinct spellings "
          f"in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    with tempfile.NamedTemporaryFile(suffix=".pkl", delete=False) as f:
        pickle.dump(dict(albums=albums, tracks=tracks, refs=refs), f)
        path = f.name
    del world, spellings
    try:
        out = subprocess.run([sys.executable, __file__, "--worker", path, "--naive-sample", str(args.naive_sample),
                              "--workers", str(args.workers), "--processes", str(args.processes)], check=True, capture_output=True, text=True)
    finally:
        os.unlink(path)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    speedup = r["tracks_per_s"] / r["naive_tracks_per_s"]
    print(f"catalog            {r['catalog_albums']:,} albums / {r['catalog_tracks']:,} tracks")
    print(f"index build        {r['index_s']:.1f} s wall ({r['index_cpu_s']:.1f} s CPU)")
    print(f"matching           {r['tracks']:,} distinct tracks in {r['match_s']:.2f} s wall "
          f"({r['match_cpu_s']:.2f} s CPU, {r['processes']} processes)")
    print(f"throughput         {r['tracks_per_s']:,.0f} tracks/s wall, {r['tracks_per_cpu_s']:,.0f} tracks/CPU-s")
    print(f"naive baseline     {r['naive_tracks_per_s']:.2f} tracks/s (extractOne over the whole catalog, "
          f"{r['naive_sample']} tracks)")
    print(f"speed-up           {speedup:,.0f}x")
    print(f"peak memory        {r['peak_rss_mb']:,.0f} MB RSS (matcher process; {r['rss_after_load_mb']:,.0f} MB "
          f"after loading the input)")
    print(f"track matches      {r['track_matches']:,} of {r['tracks']:,}")
    print(f"machine            {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, python loop "
          f"{r['python_ns']:.0f} ns/iter (a fixed pure-Python loop: compare machines by it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
