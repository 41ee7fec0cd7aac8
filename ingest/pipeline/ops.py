"""Run metrics: ops.runs (one row a run) and ops.run_stages (one row a stage).

Rows are written as the run goes, so a killed run leaves a row with status
'running' and its finished stages: the next run can be compared against it.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from ingest.config import OPS, Settings, connect

_DDL = [
    f"create schema if not exists {OPS}",
    f"""create table if not exists {OPS}.runs (
        run_id varchar primary key,
        users varchar,
        warehouse varchar,
        started_at timestamp,
        finished_at timestamp,
        status varchar,
        summary varchar
    )""",
    f"""create table if not exists {OPS}.run_stages (
        run_id varchar,
        stage varchar,
        started_at timestamp,
        finished_at timestamp,
        seconds double precision,
        status varchar,
        metrics varchar,
        primary key (run_id, stage)
    )""",
]


def jsonable(value: Any) -> Any:
    """Stage summaries key counts by tuples (match type, confidence): JSON wants strings."""
    if isinstance(value, dict):
        return {("/".join(map(str, k)) if isinstance(k, tuple) else str(k)): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class OpsLog:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._ph = "?" if settings.warehouse == "duckdb" else "%s"

    def _exec(self, sql: str, params: tuple = ()) -> list[tuple]:
        # A short connection per write: the stages open the warehouse themselves
        # (dlt, dbt), and DuckDB allows one writer process.
        conn = connect(self.settings)
        try:
            cur = conn.cursor()
            for ddl in _DDL:
                cur.execute(ddl)
            cur.execute(sql.replace("?", self._ph), params)
            rows = cur.fetchall() if cur.description else []
            conn.commit()
            return rows
        finally:
            conn.close()

    def start_run(self, run_id: str, users: list[str]) -> None:
        self._exec(
            f"insert into {OPS}.runs (run_id, users, warehouse, started_at, status) values (?, ?, ?, ?, 'running')",
            (run_id, ",".join(users), self.settings.warehouse, _now()),
        )

    def finish_run(self, run_id: str, status: str, summary: dict[str, Any]) -> None:
        self._exec(
            f"update {OPS}.runs set finished_at = ?, status = ?, summary = ? where run_id = ?",
            (_now(), status, json.dumps(jsonable(summary), default=str), run_id),
        )

    def stage(self, run_id: str, stage: str, started: datetime, seconds: float, status: str,
              metrics: dict[str, Any]) -> None:
        self._exec(
            f"insert into {OPS}.run_stages (run_id, stage, started_at, finished_at, seconds, status, metrics) "
            "values (?, ?, ?, ?, ?, ?, ?)",
            (run_id, stage, started, _now(), seconds, status, json.dumps(jsonable(metrics), default=str)),
        )

    def last_runs(self, limit: int = 5) -> list[tuple]:
        return self._exec(
            f"select run_id, status, started_at, finished_at from {OPS}.runs order by started_at desc limit {int(limit)}"
        )
