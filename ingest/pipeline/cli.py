"""`python -m ingest <command>`.

    run --user a,b [--limit N]     the whole pipeline for real Last.fm users
    demo                           the same against local servers with a small generated world
    import PATH --user x           a scrobble export file into raw_lastfm
    docs [--serve]                 dbt docs + Data Docs + matcher report under site/
    export [--out DIR]             Parquet files of the published tables for training
    review ...                     sample, verify and override matches
    sandbox                        serve the local Last.fm and AOTY servers until Ctrl-C
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ingest.config import ConfigError, Settings



def _users(raw: str) -> list[str]:
    users = [u.strip() for u in raw.split(",") if u.strip()]
    if not users:
        raise ConfigError("--user needs at least one Last.fm username, e.g. --user rj or --user a,b")
    return users


def _apply_common(settings: Settings, args: argparse.Namespace) -> Settings:
    changes: dict[str, object] = {}
    if getattr(args, "warehouse", None):
        changes["warehouse"] = args.warehouse
    if getattr(args, "aoty_rps", None) is not None:
        changes["aoty_requests_per_second"] = args.aoty_rps
    if getattr(args, "lastfm_rps", None) is not None:
        changes["lastfm_requests_per_second"] = args.lastfm_rps
    if getattr(args, "concurrency", None) is not None:
        changes["aoty_max_concurrent"] = args.concurrency
    return settings.with_(**changes) if changes else settings


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--limit", type=int, default=None, help="at most N scrobbles per user (start small: 100)")
    p.add_argument("--warehouse", choices=("duckdb", "postgres"), help="overrides WAREHOUSE")
    p.add_argument("--aoty-rps", type=float, help="AOTY requests per second (politeness; default 1)")
    p.add_argument("--lastfm-rps", type=float, help="Last.fm requests per second (default 5)")
    p.add_argument("--concurrency", type=int, help="browser pages fetching AOTY at once (default 3)")
    p.add_argument("--no-aoty", action="store_true", help="skip scraping; match against what is loaded")
    p.add_argument("--no-publish", action="store_true", help="build and audit, publish nothing")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ingest", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="the whole pipeline for real Last.fm users")
    p.add_argument("--user", required=True, help="Last.fm username(s), comma-separated")
    _add_run_options(p)

    p = sub.add_parser("demo", help="the whole pipeline against local servers and a generated world")
    p.add_argument("--users", type=int, default=3)
    p.add_argument("--scrobbles", type=int, default=1500, help="scrobbles per user")
    p.add_argument("--no-docs", action="store_true", help="skip building the docs site")
    _add_run_options(p)

    p = sub.add_parser("import", help="load a scrobble export file into raw_lastfm")
    p.add_argument("path", type=Path)
    p.add_argument("--user", required=True)
    p.add_argument("--warehouse", choices=("duckdb", "postgres"))

    p = sub.add_parser("docs", help="build the docs site (dbt docs, Data Docs, matcher report)")
    p.add_argument("--out", type=Path, default=Path("site"))
    p.add_argument("--serve", action="store_true")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--warehouse", choices=("duckdb", "postgres"))

    p = sub.add_parser("export", help="Parquet files of the published tables for training")
    p.add_argument("--out", type=Path, default=Path("data/export"))
    p.add_argument("--validation-share", type=float, default=0.2,
                   help="last share of each user's listening time held out for validation")
    p.add_argument("--warehouse", choices=("duckdb", "postgres"))

    p = sub.add_parser("review", help="sample, verify and override matches", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)

    p = sub.add_parser("sandbox", help="serve the local Last.fm and AOTY servers until Ctrl-C")
    p.add_argument("--scrobbles", type=int, default=1500)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "review":
        from ingest.review.cli import main as review_main

        return review_main(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        settings = _apply_common(Settings.from_env(), args)
        return COMMANDS[args.command](settings, args)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; run the same command again to finish the work", file=sys.stderr)
        return 130


def _cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    from ingest.pipeline.lock import WarehouseBusy
    from ingest.pipeline.run import RunOptions, format_summary, run_pipeline

    users = _users(args.user)
    settings.require_api_key()
    options = RunOptions(users=users, limit=args.limit, scrape_aoty=not args.no_aoty,
                         publish=not args.no_publish)
    try:
        result = run_pipeline(settings, options)
    except WarehouseBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 4
    print(format_summary(result))
    return result.exit_code


def _cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from ingest.pipeline.demo import run_demo

    return run_demo(settings, args)


def _cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from ingest.lastfm.importer import ImportFileError, import_file

    try:
        report = import_file(args.path, _users(args.user)[0], settings)
    except ImportFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report.describe())
    return 0


def _cmd_docs(settings: Settings, args: argparse.Namespace) -> int:
    from ingest.docs_site import build_site, serve_site

    index = build_site(settings, args.out)
    print(f"docs site built: {index}")
    if args.serve:
        serve_site(args.out, args.port)
    return 0


def _cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from ingest.pipeline.export import export_training_set

    manifest = export_training_set(settings, args.out, validation_share=args.validation_share)
    print(manifest.read_text())
    return 0


def _cmd_sandbox(settings: Settings, args: argparse.Namespace) -> int:
    from ingest.pipeline.demo import serve_sandbox

    return serve_sandbox(args.scrobbles)


COMMANDS = {"run": _cmd_run, "demo": _cmd_demo, "import": _cmd_import, "docs": _cmd_docs,
            "export": _cmd_export, "sandbox": _cmd_sandbox}
