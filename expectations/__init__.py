"""The Great Expectations gate: suites as code, run on DuckDB or PostgreSQL.

    spec.py     Probe, Suite, GateConfig (thresholds), SuiteContext
    suites.py   the suites: raw inputs, freshness, one per mart, matching
    dialect.py  the SQL fragments that differ between engines
    runner.py   GX context, datasources per engine, one Checkpoint per suite
    results.py  plain dataclasses of what failed, with sample rows
    report.py   failure message and Markdown summary

The gate itself (validate, then publish audit → analytics) is ingest/pipeline/publish.py.
"""
