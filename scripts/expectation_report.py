"""The expectation report CI prints: a small seeded world loaded into a fresh DuckDB
warehouse, built with dbt, put through the GX gate; Data Docs plus a Markdown summary
(each suite's pass/fail counts) are written to reports/expectations/.

    .venv/bin/python scripts/expectation_report.py [--out reports/expectations] [--strict]

Exit status: 0 when the report was written (warnings and even a blocked publication are
reported, not fatal; --strict makes a blocked publication exit 1); a crash exits non-zero.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.config import Settings  # noqa: E402

WORLD = dict(seed=7, n_artists=150, n_users=2, scrobbles_per_user=800)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "expectations")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a blocking suite fails")
    args = parser.parse_args(argv)

    from expectations.report import markdown_summary
    from expectations.runner import data_docs_dir
    from ingest.pipeline.publish import audit_and_publish
    from ingest.sandbox.raw_fixture import load_world_raw
    from ingest.sandbox.world import WorldConfig, generate_world
    from ingest.transform import build

    out: Path = args.out.resolve()
    staging = out.with_name(out.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="expectation-report-") as tmp:
        settings = Settings(warehouse="duckdb", duckdb_path=Path(tmp) / "warehouse.duckdb", data_dir=Path(tmp))
        print(f"[report] world {WORLD} → {settings.duckdb_path}", file=sys.stderr, flush=True)
        load_world_raw(generate_world(WorldConfig(**WORLD)), settings)
        print(f"[report] raw loaded ({time.monotonic() - t0:.0f}s); dbt build", file=sys.stderr, flush=True)
        build(settings)
        print(f"[report] dbt built ({time.monotonic() - t0:.0f}s); GX gate", file=sys.stderr, flush=True)
        result = audit_and_publish(settings, run_id="ci-report", build_docs=True, out=None)
        shutil.copytree(data_docs_dir(settings), staging / "data_docs")
    summary = markdown_summary(result.report, published=result.published, docs="data_docs/index.html")
    (staging / "summary.md").write_text(summary)
    (staging / "gate.json").write_text(json.dumps(
        {k: v for k, v in result.__dict__.items() if k != "report"}, indent=2, default=str))
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    print(f"expectation report: {out / 'summary.md'} (Data Docs: {out / 'data_docs' / 'index.html'})")
    print(summary)
    if args.strict and not result.published:
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
