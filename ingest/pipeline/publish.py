"""Write-audit-publish: dbt has written the marts into `audit`; GX validates them; only if
every blocking suite passes are they copied into `analytics` in one transaction.

A failed audit leaves `analytics` exactly as it was: nothing in it is touched before
the verdict, and the copy itself is one transaction, so a crash mid-publish rolls back.
Every publication is recorded in `ops.publications` (run_id, time, rows per table):
the next run's "no sudden drop" check compares against it.

    python -m ingest.pipeline.publish [--run-id ID] [--warehouse duckdb|postgres]
        exits 0 when published, 1 when the gate blocked publication, 2 on errors.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, TextIO

from ingest.config import ANALYTICS, AUDIT, OPS, ConfigError, Settings, connect

PUBLICATIONS = f"{OPS}.publications"


class PublicationBlocked(RuntimeError):
    """A blocking suite failed; the message names the expectations and sample rows."""


@dataclass
class GateResult:
    run_id: str
    published: bool
    engine: str
    message: str  # empty when published without warnings
    failed_blocking: list[str] = field(default_factory=list)  # "suite.probe: expectation(column) [check]"
    failed_warning: list[str] = field(default_factory=list)
    suites: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {blocking, status, passed, failed}
    row_counts: dict[str, int] = field(default_factory=dict)  # published rows per table
    validation_seconds: float = 0.0
    publish_seconds: float = 0.0

    def raise_if_blocked(self) -> "GateResult":
        if not self.published:
            raise PublicationBlocked(self.message)
        return self


def _ph(settings: Settings) -> str:
    """The DB-API parameter placeholder of the warehouse's driver."""
    return "?" if settings.warehouse == "duckdb" else "%s"


# --- ops.publications ------------------------------------------------------------------------------
def _ensure_ops(cur: Any) -> None:
    cur.execute(f"create schema if not exists {OPS}")
    cur.execute(f"create table if not exists {PUBLICATIONS} ("
                "run_id varchar not null, published_at timestamp not null, tables varchar not null, "
                "row_counts varchar not null)")


def last_publication(settings: Settings) -> dict[str, Any] | None:
    """The latest publication: {run_id, published_at, row_counts: {table: rows}}; None before the first."""
    conn = connect(settings)
    try:
        cur = conn.cursor()
        ph = _ph(settings)
        cur.execute(f"select count(*) from information_schema.tables where table_schema = {ph} and table_name = {ph}",
                    (OPS, "publications"))
        if cur.fetchone()[0] == 0:
            return None
        cur.execute(f"select run_id, published_at, row_counts from {PUBLICATIONS} order by published_at desc limit 1")
        row = cur.fetchone()
    finally:
        conn.close()
    if row is None:
        return None
    return {"run_id": row[0], "published_at": row[1], "row_counts": json.loads(row[2])}


def audit_tables(settings: Settings) -> list[str]:
    """Relations dbt built into `audit` (what would be published)."""
    from expectations.suites import MART_KEYS

    conn = connect(settings)
    try:
        cur = conn.cursor()
        cur.execute(f"select table_name from information_schema.tables where table_schema = {_ph(settings)}", (AUDIT,))
        present = {r[0] for r in cur.fetchall()}
    finally:
        conn.close()
    # The marts the suites cover, in a stable order; anything else in audit is not a product.
    return [t for t in MART_KEYS if t in present]


def publish(settings: Settings, tables: list[str], *, run_id: str) -> dict[str, int]:
    """Copy audit.<t> to analytics.<t> for every table, and record it, in ONE transaction."""
    conn = connect(settings)
    counts: dict[str, int] = {}
    try:
        if settings.warehouse == "duckdb":
            # A duckdb cursor is a connection of its own: run the transaction on conn itself.
            cur = conn
            cur.execute("begin transaction")
        else:
            # psycopg2 opens the transaction implicitly; PostgreSQL DDL is transactional.
            cur = conn.cursor()
        cur.execute(f"create schema if not exists {ANALYTICS}")
        _ensure_ops(cur)
        for t in tables:
            if settings.warehouse == "duckdb":
                cur.execute(f"create or replace table {ANALYTICS}.{t} as select * from {AUDIT}.{t}")
            else:
                cur.execute(f"drop table if exists {ANALYTICS}.{t}")
                cur.execute(f"create table {ANALYTICS}.{t} as select * from {AUDIT}.{t}")
            cur.execute(f"select count(*) from {ANALYTICS}.{t}")
            counts[t] = int(cur.fetchone()[0])
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        ph = _ph(settings)
        cur.execute(f"insert into {PUBLICATIONS} values ({ph}, {ph}, {ph}, {ph})",
                    (run_id, now, ",".join(tables), json.dumps(counts, sort_keys=True)))
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()
    return counts


# --- the gate --------------------------------------------------------------------------------------
def validate(settings: Settings, *, run_id: str, config=None, build_docs: bool = True):
    """Run every suite against the warehouse; returns an expectations.results.ValidationReport."""
    from expectations.runner import run_suites
    from expectations.spec import GateConfig, SuiteContext
    from expectations.suites import build_suites

    prev = last_publication(settings)
    ctx = SuiteContext(engine=settings.warehouse, config=config or GateConfig.from_env(dict(os.environ)),
                       previous_counts=(prev or {}).get("row_counts", {}))
    return run_suites(settings, build_suites(ctx), run_id=run_id, build_docs=build_docs)


def audit_and_publish(settings: Settings, *, run_id: str, config=None, build_docs: bool = True,
                      out: TextIO | None = sys.stderr) -> GateResult:
    """Validate `audit.*`; publish to `analytics` only if every blocking suite passes.

    Returns a GateResult (published or not); `.raise_if_blocked()` turns a block into
    PublicationBlocked. Prints the verdict (failed expectations with sample rows) to `out`.
    """
    from expectations.report import failure_message, warning_message

    report = validate(settings, run_id=run_id, config=config, build_docs=build_docs)
    result = GateResult(
        run_id=run_id, published=False, engine=settings.warehouse, message="",
        failed_blocking=[f.describe() for f in report.failures(blocking=True)],
        failed_warning=[f.describe() for f in report.failures(blocking=False)],
        suites={s.name: {"blocking": s.blocking, "status": s.status, "passed": s.passed, "failed": s.failed}
                for s in report.suites},
        validation_seconds=round(report.seconds, 2),
    )
    result.report = report  # type: ignore[attr-defined]  # full detail for callers in-process; not a field
    if report.blocking_success:
        t0 = time.monotonic()
        result.row_counts = publish(settings, audit_tables(settings), run_id=run_id)
        result.publish_seconds = round(time.monotonic() - t0, 2)
        result.published = True
        result.message = warning_message(report)
        verdict = f"gate passed: published {len(result.row_counts)} table(s) to {ANALYTICS} ({run_id})"
    else:
        result.message = failure_message(report)
        verdict = result.message
    if out is not None:
        print(verdict, file=out)
        if result.published and result.message:
            print(result.message, file=out)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest.pipeline.publish", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run-id", default=None, help="recorded in ops.publications (default: a timestamp)")
    parser.add_argument("--warehouse", choices=("duckdb", "postgres"), help="overrides WAREHOUSE")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.warehouse:
            settings = settings.with_(warehouse=args.warehouse)
        run_id = args.run_id or datetime.now(timezone.utc).strftime("manual-%Y%m%dT%H%M%SZ")
        result = audit_and_publish(settings, run_id=run_id, out=sys.stderr)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0 if result.published else 1


if __name__ == "__main__":
    raise SystemExit(main())
