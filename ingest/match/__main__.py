"""python -m ingest.match: the matcher from the command line.

    python -m ingest.match --scrobbles S.csv --catalog C.csv --out O.csv   # file interface ("files")
    python -m ingest.match warehouse                                      # raw_* tables -> raw_matching
    python -m ingest.match calibrate ...                                  # thresholds (ingest/review/calibrate.py)

Subcommands live in COMMANDS; without one, the file interface runs (so more subcommands,
e.g. `calibrate`, can be added without breaking it).
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from typing import Callable

from .files import InputError, read_catalog, read_scrobbles, write_output


def _progress_printer(enabled: bool) -> Callable[..., None] | None:
    if not enabled:
        return None
    start = time.perf_counter()

    def show(*args: object) -> None:
        *stage, done, total = args
        label = f"{stage[0]}: " if stage else ""
        rate = done / max(time.perf_counter() - start, 1e-9)
        print(f"\r{label}{done}/{total} ({rate:,.0f}/s)", end="" if done < total else "\n", file=sys.stderr, flush=True)

    return show


def cmd_files(args: argparse.Namespace) -> int:
    from .catalog import Catalog
    from .matcher import Matcher
    from .thresholds import Thresholds

    try:
        scrobbles = read_scrobbles(args.scrobbles)
        catalog_rows, catalog_bad = read_catalog(args.catalog)
        thresholds = Thresholds.load(args.thresholds)
    except (InputError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    bad = scrobbles.bad_rows + catalog_bad
    for b in bad[:50]:
        print(f"bad row: {b}", file=sys.stderr)
    if len(bad) > 50:
        print(f"... and {len(bad) - 50} more bad rows", file=sys.stderr)
    t0 = time.perf_counter()
    catalog = Catalog.from_rows(catalog_rows)
    results = Matcher(catalog, thresholds).match(scrobbles.refs, progress=_progress_printer(args.progress))
    write_output(args.out, results, scrobbles.bad_keys)
    counts = Counter(r.match_type for r in results)
    counts["no_match"] += len(scrobbles.bad_keys)
    summary = ", ".join(f"{k} {counts.get(k, 0)}" for k in ("track_match", "album_match", "artist_match", "no_match"))
    print(f"wrote {args.out}: {len(results) + len(scrobbles.bad_keys)} keys ({summary}) in "
          f"{time.perf_counter() - t0:.1f} s; {len(bad)} bad rows", file=sys.stderr)
    return 1 if bad and args.strict else 0


def cmd_warehouse(args: argparse.Namespace) -> int:
    from ingest.config import ConfigError, Settings

    from .matcher import MATCHER_VERSION
    from .table import write_matches
    from .thresholds import Thresholds

    try:
        settings = Settings.from_env()
        summary = write_matches(settings, progress=_progress_printer(not args.quiet),
                                thresholds=Thresholds.load(args.thresholds),
                                matcher_version=args.matcher_version or MATCHER_VERSION)
    except (ConfigError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(summary.table())
    return 0


def _files_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scrobbles", required=True, help="CSV with key,artist,album,track")
    p.add_argument("--catalog", required=True, help="CSV with album_id,artist,album,year,track_id,track_number,track")
    p.add_argument("--out", required=True, help="output CSV: key,match_type,confidence,score,album_id,track_id")
    p.add_argument("--thresholds", help="thresholds JSON (default: ingest/match/thresholds.json)")
    p.add_argument("--strict", action="store_true", help="exit 1 when any input row is bad (output is still written)")
    p.add_argument("--progress", action="store_true", help="print progress to stderr")


def _warehouse_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--thresholds", help="thresholds JSON (default: ingest/match/thresholds.json)")
    p.add_argument("--matcher-version", help="store results under this version (default: the matcher's own)")
    p.add_argument("--quiet", action="store_true")


# name -> (help, add arguments, run)
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {
    "files": ("match a scrobbles CSV against a catalog CSV (the default)", _files_args, cmd_files),
    "warehouse": ("match raw_lastfm.scrobbles against raw_aoty into raw_matching", _warehouse_args, cmd_warehouse),
}


def _delegated(argv: list[str]) -> int | None:
    """Subcommands owned by other packages, which parse their own arguments."""
    if argv and argv[0] == "calibrate":
        from ingest.review.calibrate import main as calibrate

        return calibrate(argv[1:])
    return None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    delegated = _delegated(argv)
    if delegated is not None:
        return delegated
    if not argv or argv[0] not in COMMANDS and argv[0] not in ("-h", "--help"):
        argv = ["files", *argv]
    parser = argparse.ArgumentParser(prog="python -m ingest.match", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_, add_args, _run) in COMMANDS.items():
        add_args(sub.add_parser(name, help=help_))
    args = parser.parse_args(argv)
    return COMMANDS[args.command][2](args)


if __name__ == "__main__":
    sys.exit(main())
