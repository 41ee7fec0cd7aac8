"""Run the dbt project (dbt_project/) against the warehouse of a Settings.

    result = build(Settings.from_env())            # dbt build: models, tests, unit tests
    run_dbt(settings, ["run", "-s", "tracks"], vars={"match_min_score": 0.9})
    docs_generate(settings, Path("site/dbt"))

The profile lives in the project; the target follows WAREHOUSE (settings.warehouse), the
DuckDB path is passed absolute, the PostgreSQL connection comes from POSTGRES_DSN.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ingest.config import Settings

PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"

_TELEMETRY_OFF = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DO_NOT_TRACK": "1",
}
_env_lock = threading.Lock()  # dbt reads the profile's env vars from os.environ


class DbtError(RuntimeError):
    """dbt failed; `failures` names the failing models/tests with their messages."""

    def __init__(self, command: str, failures: list[str], message: str | None = None):
        self.command = command
        self.failures = failures
        detail = "\n".join(f"  - {f}" for f in failures) or f"  {message or 'see dbt_project/logs/dbt.log'}"
        super().__init__(f"dbt {command} failed:\n{detail}")


@dataclass
class DbtResult:
    command: str
    success: bool
    # unique_id -> status ("success", "pass", "warn", "skipped", ...)
    statuses: dict[str, str] = field(default_factory=dict)
    elapsed_s: float = 0.0
    raw: object = None  # dbt's result object, for callers who need more

    def count(self, status: str) -> int:
        return sum(1 for s in self.statuses.values() if s == status)


def _work_dir(settings: Settings) -> Path:
    """dbt's target/ and logs/ for this warehouse, beside it like dlt's pipelines_dir, so a new
    warehouse never reuses another's manifest or partial-parse state."""
    if settings.warehouse == "duckdb":
        return settings.duckdb_path.resolve().parent / f".dbt-{settings.duckdb_path.stem}"
    digest = hashlib.md5(settings.postgres_dsn.encode()).hexdigest()[:10]
    return settings.data_dir.resolve() / f".dbt-postgres-{digest}"


def dbt_env(settings: Settings) -> dict[str, str]:
    """The environment the profile reads (profiles.yml)."""
    env = {"WAREHOUSE": settings.warehouse, "DUCKDB_PATH": str(settings.duckdb_path.resolve()), **_TELEMETRY_OFF}
    for key, value in settings.postgres_parts().items():
        env[f"DBT_PG_{key.upper()}"] = str(value)
    return env


@contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    with _env_lock:
        saved = {k: os.environ.get(k) for k in values}
        os.environ.update(values)
        try:
            yield
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


def run_dbt(settings: Settings, args: list[str], *, vars: dict | None = None,
            target_path: Path | None = None, quiet: bool = True) -> DbtResult:
    """Run one dbt command (e.g. ["build"], ["run", "-s", "tracks"]) in-process.

    Raises DbtError naming every failing node (model, test, unit test) and its message.
    """
    from dbt.cli.main import dbtRunner

    if settings.warehouse == "duckdb":
        settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    cli = [*args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
           "--target", settings.warehouse]
    if vars:
        cli += ["--vars", json.dumps(vars)]
    work = _work_dir(settings)
    cli += ["--target-path", str(target_path or work / "target"), "--log-path", str(work / "logs")]
    if quiet:
        cli = ["--quiet", *cli]
    cli = ["--no-send-anonymous-usage-stats", "--no-use-colors", *cli]
    command = " ".join(args[:1]) or "dbt"
    with _environ(dbt_env(settings)):
        res = dbtRunner().invoke(cli)
    statuses: dict[str, str] = {}
    failures: list[str] = []
    elapsed = 0.0
    results = getattr(res.result, "results", None)
    if results is not None:
        elapsed = float(getattr(res.result, "elapsed_time", 0.0) or 0.0)
        for r in results:
            status = str(getattr(r.status, "value", r.status))
            node = getattr(r, "node", None)
            uid = getattr(node, "unique_id", None) or str(node)
            statuses[uid] = status
            if status in ("error", "fail", "runtime error"):
                failures.append(f"{uid} [{status}]: {_essence(r.message)}")
    if not res.success:
        message = str(res.exception) if res.exception else None
        if any("raw_" in f and "does not exist" in f for f in failures):
            failures.append("hint: the raw tables are missing in this warehouse; load them first "
                            "(`python -m ingest run` or ingest.sandbox.raw_fixture.load_world_raw)")
        raise DbtError(command, failures, message)
    return DbtResult(command=command, success=True, statuses=statuses, elapsed_s=elapsed, raw=res.result)


def _essence(message: str | None) -> str:
    """The informative lines of a dbt node message (the database's error, the failing rows),
    without dbt's "Runtime Error in model ..." preamble."""
    lines = [ln.strip() for ln in (message or "").splitlines() if ln.strip()]
    useful = [ln for ln in lines if not ln.startswith(("Runtime Error in", "Database Error in", "Compilation Error in"))]
    return " | ".join((useful or lines)[:3])


def build(settings: Settings, *, vars: dict | None = None, select: str | None = None,
          full_refresh: bool = False, quiet: bool = True) -> DbtResult:
    """`dbt build`: every model with its tests and unit tests, in DAG order.
    quiet=False prints dbt's per-node progress lines."""
    args = ["build"]
    if select:
        args += ["--select", select]
    if full_refresh:
        args.append("--full-refresh")
    return run_dbt(settings, args, vars=vars, quiet=quiet)


DOCS_FILES = ("index.html", "manifest.json", "catalog.json")


def docs_generate(settings: Settings, target_dir: Path) -> Path:
    """Build the dbt docs site (index.html, manifest.json, catalog.json) into target_dir.
    Generated in the warehouse's own target (reusing its parse), then copied."""
    target_dir = Path(target_dir).resolve()
    run_dbt(settings, ["docs", "generate"])
    work = _work_dir(settings) / "target"
    missing = [name for name in DOCS_FILES if not (work / name).exists()]
    if missing:
        raise DbtError("docs generate", [f"dbt wrote no {', '.join(missing)} into {work}"])
    target_dir.mkdir(parents=True, exist_ok=True)
    for name in DOCS_FILES:
        shutil.copy2(work / name, target_dir / name)
    return target_dir


def clean(settings: Settings) -> None:
    """Remove dbt's target/ and logs/ of this warehouse (and any left in the project)."""
    shutil.rmtree(_work_dir(settings), ignore_errors=True)
    for name in ("target", "logs"):
        shutil.rmtree(PROJECT_DIR / name, ignore_errors=True)
