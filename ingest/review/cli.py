"""`python -m ingest review ...`:

    review [--port P] [--tui] [--size N] [--include-reviewed] [--include-unmatched] [--seed S] [--reviewer NAME]
    review export FILE            write every current verdict as CSV ('-' for stdout)
    review import FILE [--skip-bad]  read verdicts from CSV; bad rows are named by line number
    review quality                print precision per confidence level from the reviews
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from ingest.config import RAW_MATCHING, ConfigError, Settings, connect

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _export(args, settings: Settings) -> int:
    from .csvio import write_csv
    from .store import ReviewStore

    with ReviewStore(settings) as store:
        verdicts = store.all()
    if args.file == "-":
        write_csv(verdicts, sys.stdout)
    else:
        target = Path(args.file)
        if not target.parent.is_dir():
            return _fail(f"cannot write {target}: directory {target.parent} does not exist")
        # Write beside the target and rename, so a failure never leaves half a file.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
                write_csv(verdicts, f)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    print(f"exported {len(verdicts)} verdict(s) to {args.file}", file=sys.stderr)
    return EXIT_OK


def _import(args, settings: Settings) -> int:
    from .csvio import read_csv
    from .store import ReviewStore

    path = Path(args.file)
    if not path.is_file():
        return _fail(f"{path} does not exist; give the CSV written by `python -m ingest review export FILE`",
                     EXIT_USAGE)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        return _fail(f"{path} is not UTF-8 text ({e}); save it as UTF-8 CSV", EXIT_USAGE)
    good, bad = read_csv(text)
    for err in bad:
        print(f"{path}:{err}", file=sys.stderr)
    if bad and not args.skip_bad:
        return _fail(f"{len(bad)} bad row(s) in {path}; nothing imported. Fix them, or pass --skip-bad "
                     f"to import the {len(good)} good row(s)")
    with ReviewStore(settings) as store:
        before = {v.track_key: v.reviewed_at for v in store.all()}
        store.save(good)
    newer = sum(1 for v in good if v.track_key not in before or v.reviewed_at > before[v.track_key])
    print(f"imported {len(good)} verdict(s) from {path}: {newer} new or newer than the stored ones"
          + (f"; skipped {len(bad)} bad row(s)" if bad else ""), file=sys.stderr)
    return EXIT_OK


def _quality(args, settings: Settings) -> int:
    from .quality import measure, summary_lines

    print("\n".join(summary_lines(measure(settings))))
    return EXIT_OK


def _review(args, settings: Settings) -> int:
    from .db import table_exists
    from .session import ReviewSession

    if args.size < 1:
        return _fail(f"--size {args.size}: give at least 1", EXIT_USAGE)
    conn = connect(settings)
    try:
        ready = table_exists(conn, RAW_MATCHING, "track_matches")
    finally:
        conn.close()
    if not ready:
        where = settings.duckdb_path if settings.warehouse == "duckdb" else "PostgreSQL"
        return _fail(f"no match table {RAW_MATCHING}.track_matches in {where}: run the pipeline first "
                     "(python -m ingest run --user NAME, or `make demo`)")
    session = ReviewSession.load(settings, size=args.size, include_reviewed=args.include_reviewed,
                                 seed=args.seed, reviewer=args.reviewer,
                                 include_unmatched=args.include_unmatched)
    if args.tui:
        from .tui import run_tui

        return run_tui(session)
    from .server import serve_forever

    return serve_forever(session, args.port)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m ingest review", description="Review matches by hand; "
                                "verdicts land in ops.match_reviews and override the matcher.")
    p.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free port)")
    p.add_argument("--tui", action="store_true", help="review in the terminal instead of the browser")
    p.add_argument("--size", type=int, default=50, help="how many matches to sample (default 50)")
    p.add_argument("--include-reviewed", action="store_true", help="also sample keys that already have a verdict")
    p.add_argument("--include-unmatched", action="store_true",
                   help="also sample keys the matcher left unmatched (a stratum of their own), to pick a candidate")
    p.add_argument("--seed", type=int, default=0, help="seed of the sample draw")
    p.add_argument("--reviewer", default=None, help="your name in ops.match_reviews (default $REVIEWER or $USER)")
    sub = p.add_subparsers(dest="command")
    e = sub.add_parser("export", help="write all verdicts as CSV")
    e.add_argument("file", help="CSV path, or - for stdout")
    i = sub.add_parser("import", help="read verdicts from CSV (latest per key wins)")
    i.add_argument("file")
    i.add_argument("--skip-bad", action="store_true", help="import the good rows even if some are bad")
    sub.add_parser("quality", help="precision per confidence level from the reviewed sample")
    return p


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        settings = Settings.from_env()
        handler = {"export": _export, "import": _import, "quality": _quality}.get(args.command, _review)
        return handler(args, settings)
    except ConfigError as e:
        return _fail(str(e), EXIT_USAGE)
    except Exception as e:  # the warehouse: locked by a run, unreachable, or not built yet
        if not _is_db_error(e):
            raise
        return _fail(_warehouse_hint(e, settings))


def _is_db_error(e: Exception) -> bool:
    module = type(e).__module__ or ""
    return "duckdb" in module or module.startswith("psycopg2")


def _warehouse_hint(e: Exception, settings: Settings) -> str:
    text = f"{type(e).__name__}: {e}".strip()
    if settings.warehouse == "duckdb" and "lock" in text.lower():
        return (f"the warehouse {settings.duckdb_path} is in use by another process (a pipeline run?); "
                f"try again when it has finished ({text.splitlines()[0]})")
    if "does not exist" in text or "Catalog Error" in text or "UndefinedTable" in text:
        return f"a table the review needs is missing; run the pipeline first (python -m ingest run). {text.splitlines()[0]}"
    where = settings.duckdb_path if settings.warehouse == "duckdb" else "PostgreSQL (POSTGRES_DSN)"
    return f"the warehouse {where} failed: {text.splitlines()[0]}"


if __name__ == "__main__":
    raise SystemExit(main())
