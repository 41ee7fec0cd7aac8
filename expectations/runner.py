"""Run the suites through GX: one GX file context, one Checkpoint per suite, one
ValidationDefinition (GX suite + batch) per probe.

Engines:
- PostgreSQL: GX's SQL datasource; each probe's result is materialized once into an
  unlogged table in schema gx_probes (dropped after the run) and validated through a query asset.
- DuckDB: GX's SQL path fails there (great_expectations #10738, #11579), so the duckdb
  client writes each probe's result to Parquet and GX validates it with its pandas
  filesystem datasource. Probes keep those results narrow (see suites.py).
"""
from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import great_expectations as gx  # noqa: E402
from great_expectations.core.run_identifier import RunIdentifier  # noqa: E402
from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: E402

from ingest.config import Settings, connect  # noqa: E402

from .results import ExpectationOutcome, SuiteOutcome, ValidationReport  # noqa: E402
from .spec import ROW_KEY, Probe, Suite  # noqa: E402

log = logging.getLogger(__name__)

DATASOURCE = "warehouse"
# PostgreSQL: probe results are materialized here for the run's duration (dropped afterwards).
PROBE_SCHEMA = "gx_probes"
SAMPLE_LIMIT = 20


def gx_root(settings: Settings) -> Path:
    """Where the GX file context lives: beside the warehouse's other local state."""
    return settings.data_dir / "gx"


def gx_context(settings: Settings):
    """An ephemeral GX context whose stores (suites, validation results) and Data Docs
    site live on disk under gx_root: results accumulate across runs for the docs,
    while datasources stay in memory (a file context rewrites its YAML on every
    asset added, which costs seconds per run)."""
    from great_expectations.data_context.types.base import DataContextConfig, FilesystemStoreBackendDefaults

    root = gx_root(settings)
    root.mkdir(parents=True, exist_ok=True)
    config = DataContextConfig(
        store_backend_defaults=FilesystemStoreBackendDefaults(root_directory=str(root.resolve())),
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        analytics_enabled=False,
    )
    return gx.get_context(project_config=config, mode="ephemeral")


def data_docs_dir(settings: Settings) -> Path:
    return gx_root(settings) / "uncommitted" / "data_docs" / "local_site"


def _asset_name(suite: Suite, probe: Probe) -> str:
    return f"{suite.name}__{probe.name}"


def _sqlalchemy_url(dsn: str) -> str:
    return "postgresql+psycopg2://" + dsn.split("://", 1)[1] if "://" in dsn else dsn


def missing_tables(settings: Settings, tables: set[str]) -> set[str]:
    """schema.table names among `tables` that the warehouse does not have."""
    conn = connect(settings)
    try:
        cur = conn.cursor()
        cur.execute("select table_schema || '.' || table_name from information_schema.tables")
        present = {r[0] for r in cur.fetchall()}
    finally:
        conn.close()
    return {t for t in tables if t not in present}


class _Batches:
    """Turns probes into GX batch definitions for the warehouse's engine."""

    def __init__(self, settings: Settings, ctx: Any, run_dir: Path):
        self.settings = settings
        self.ctx = ctx
        self.run_dir = run_dir
        # Probes change between runs (thresholds, last published counts): start the datasource afresh.
        try:
            ctx.data_sources.delete(DATASOURCE)
        except (KeyError, ValueError, LookupError):
            pass
        self.conn = connect(settings)
        if settings.warehouse == "duckdb":
            shutil.rmtree(run_dir, ignore_errors=True)
            run_dir.mkdir(parents=True)
            self.ds = ctx.data_sources.add_pandas_filesystem(DATASOURCE, base_directory=run_dir)
        else:
            self.conn.autocommit = True
            self.conn.cursor().execute(f"drop schema if exists {PROBE_SCHEMA} cascade; create schema {PROBE_SCHEMA}")
            self.ds = ctx.data_sources.add_postgres(DATASOURCE, connection_string=_sqlalchemy_url(settings.postgres_dsn))

    def batch_definition(self, name: str, probe: Probe):
        """Run the probe once and hand GX its result: GX asks several queries per expectation,
        which must not each recompute joins and vector norms over the marts."""
        if self.settings.warehouse == "duckdb":
            path = self.run_dir / f"{name}.parquet"
            self.conn.execute(f"copy ({probe.sql}) to '{path}' (format parquet)")
            asset = self.ds.add_parquet_asset(name)
            return asset.add_batch_definition_path("probe", path=path.name)
        self.conn.cursor().execute(f"create unlogged table {PROBE_SCHEMA}.{name} as {probe.sql}")
        asset = self.ds.add_query_asset(name, query=f"select * from {PROBE_SCHEMA}.{name}")
        return asset.add_batch_definition_whole_table("probe")

    def close(self) -> None:
        try:
            if self.settings.warehouse == "postgres":
                self.conn.cursor().execute(f"drop schema if exists {PROBE_SCHEMA} cascade")
        finally:
            self.conn.close()


def _clean(value: Any) -> Any:
    """numpy / pandas scalars → plain Python, so results serialize as JSON."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str, bytes)):
        try:
            return value.item()
        except (ValueError, AttributeError):
            return str(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def _samples(result: dict[str, Any]) -> list[dict[str, Any]]:
    rows = result.get("partial_unexpected_index_list") or result.get("unexpected_index_list") or []
    out = []
    for row in rows[:SAMPLE_LIMIT]:
        if isinstance(row, dict):
            row = {ROW_KEY: row.get(ROW_KEY), **{k: v for k, v in row.items() if k != ROW_KEY}}
            out.append(_clean(row))
    if not out:
        out = [{"value": _clean(v)} for v in (result.get("partial_unexpected_list") or [])[:SAMPLE_LIMIT]]
    return out


def _outcome(suite: Suite, probe: Probe, er: Any) -> ExpectationOutcome:
    cfg = er.expectation_config
    kwargs = cfg.kwargs or {}
    result = er.result or {}
    error = None
    if er.exception_info and er.exception_info.get("raised_exception"):
        error = str(er.exception_info.get("exception_message") or "raised an exception").strip().splitlines()[0]
    return ExpectationOutcome(
        suite=suite.name, probe=probe.name, expectation=cfg.type,
        column=kwargs.get("column") or (f"{kwargs['column_A']} > {kwargs['column_B']}" if "column_A" in kwargs else None),
        check=str(cfg.notes or cfg.type), success=bool(er.success),
        element_count=_clean(result.get("element_count")), unexpected_count=_clean(result.get("unexpected_count")),
        samples=_samples(result), observed=_clean(result.get("observed_value")), error=error)


def _probe_error(suite: Suite, probe: Probe, message: str) -> ExpectationOutcome:
    return ExpectationOutcome(suite=suite.name, probe=probe.name, expectation="probe", column=None,
                              check=f"probe {probe.name} runs", success=False, error=message)


def run_suites(settings: Settings, suites: list[Suite], *, run_id: str, build_docs: bool = True) -> ValidationReport:
    """Validate the warehouse with `suites`; never raises for bad data (see the report)."""
    t0 = time.monotonic()
    ctx = gx_context(settings)
    absent = missing_tables(settings, {t for s in suites for p in s.probes for t in p.tables})
    batches = _Batches(settings, ctx, gx_root(settings) / "batches")
    gx_run_id = RunIdentifier(run_name=run_id)
    result_format = {"result_format": "SUMMARY", "unexpected_index_column_names": [ROW_KEY],
                     "partial_unexpected_count": SAMPLE_LIMIT}
    outcomes: list[SuiteOutcome] = []
    try:
        for suite in suites:
            out = SuiteOutcome(suite.name, suite.blocking, suite.description)
            outcomes.append(out)
            vds = []
            probes: dict[str, Probe] = {}
            for probe in suite.probes:
                name = _asset_name(suite, probe)
                gone = sorted(t for t in probe.tables if t in absent)
                if gone:
                    out.expectations.append(_probe_error(
                        suite, probe, f"table(s) {', '.join(gone)} do not exist: load the raw data and run "
                                      "`dbt build` (ingest.transform.build) before the gate"))
                    continue
                try:
                    bd = batches.batch_definition(name, probe)
                except Exception as exc:  # noqa: BLE001 - a probe that cannot run is a failed check
                    out.expectations.append(_probe_error(suite, probe, " ".join(f"{type(exc).__name__}: {exc}".split())[:500]))
                    continue
                gx_suite = gx.ExpectationSuite(name=name, expectations=list(probe.expectations),
                                               meta={"blocking": suite.blocking, "suite": suite.name,
                                                     "description": suite.description})
                gx_suite = ctx.suites.add_or_update(gx_suite)
                vds.append(ctx.validation_definitions.add_or_update(
                    gx.ValidationDefinition(name=name, data=bd, suite=gx_suite)))
                probes[name] = probe
            if not vds:
                continue
            checkpoint = ctx.checkpoints.add_or_update(gx.Checkpoint(
                name=suite.name, validation_definitions=vds, result_format=result_format))
            result = checkpoint.run(run_id=gx_run_id)
            for vr in result.run_results.values():
                probe = probes[vr.suite_name]
                out.expectations.extend(_outcome(suite, probe, er) for er in vr.results)
    finally:
        batches.close()
    if build_docs:
        try:
            ctx.build_data_docs()
        except Exception as exc:  # noqa: BLE001 - docs are a view; the verdict stands without them
            log.warning("Data Docs could not be built: %s", exc)
    return ValidationReport(run_id=run_id, engine=settings.warehouse, suites=outcomes, seconds=time.monotonic() - t0)
