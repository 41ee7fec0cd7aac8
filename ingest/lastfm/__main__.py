"""`python -m ingest.lastfm --user a,b [--limit N]`: load Last.fm users into the warehouse.

Prints one summary line; on a fatal error (bad username, unknown or private user, bad key)
prints one line to stderr and exits with 2, having written nothing.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")


def _progress_printer():
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        print(f"\rLast.fm: {done}/{total} pages of scrobbles", end="", file=sys.stderr, flush=True)

    return show


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ingest.lastfm",
                                 description="Load Last.fm users' listening data into raw_lastfm of the warehouse.")
    ap.add_argument("--user", required=True, help="Last.fm username(s), comma-separated")
    ap.add_argument("--limit", type=int, default=None,
                    help="take at most N scrobbles per user of the history not yet loaded (e.g. 100 to start)")
    ap.add_argument("--no-tags", action="store_true", help="skip artist and track top tags")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from ingest.config import ConfigError, Settings

    from . import LastfmError, load_lastfm

    users = [u for u in args.user.split(",") if u.strip()] or [args.user]
    try:
        summary = load_lastfm(users, Settings.from_env(), limit=args.limit, progress=_progress_printer(),
                              with_tags=not args.no_tags)
    except (LastfmError, ConfigError, ValueError) as e:
        if sys.stderr.isatty():
            print(file=sys.stderr)
        print(f"error: {e}", file=sys.stderr)
        return 2
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(summary.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
