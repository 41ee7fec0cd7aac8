"""python -m ingest.aoty scrape [--limit N] [--rps X] [--concurrency N]
   python -m ingest.aoty parse PAGE.html [--url URL]"""
from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys

from ingest.config import ConfigError, Settings


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["parse"]:
        from .parse import main as parse_main

        return parse_main(argv[1:])
    ap = argparse.ArgumentParser(prog="python -m ingest.aoty")
    sub = ap.add_subparsers(dest="command", required=True)
    sp = sub.add_parser("scrape", help="find the AOTY albums the loaded scrobbles need and load them into raw_aoty")
    sp.add_argument("--limit", type=int, default=None, help="fetch at most this many new album pages")
    sp.add_argument("--rps", type=float, default=None, help="requests per second to the site (0: no limit)")
    sp.add_argument("--concurrency", type=int, default=None, help="browser pages in parallel")
    sub.add_parser("parse", help="parse one saved page to JSON (see python -m ingest.aoty.parse -h)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    changes: dict[str, object] = {}
    if args.rps is not None:
        changes["aoty_requests_per_second"] = args.rps
    if args.concurrency is not None:
        changes["aoty_max_concurrent"] = args.concurrency
    settings = settings.with_(**changes) if changes else settings
    from ingest.pipeline.progress import Progress

    from . import scrape_aoty

    progress = Progress("aoty")
    summary = scrape_aoty(settings, limit_albums=args.limit, progress=progress)
    progress.close()
    print(json.dumps(dataclasses.asdict(summary), indent=2))
    return 3 if summary.circuit_open else 0


if __name__ == "__main__":
    sys.exit(main())
