"""The run: Last.fm load → AOTY discovery and scrape → match → dbt build (audit) →
GX audit → publish, with a lock, progress, metrics in ops.* and a summary.

Every stage is idempotent on its own (dlt merge and incremental state, the page
cache, the match table keyed by matcher version, dbt rebuilds, a transactional
publish), so a run killed anywhere finishes the work when started again.
"""
from __future__ import annotations

import dataclasses
import sys
import time
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, TextIO

from ingest.config import AUDIT, Settings, connect
from ingest.pipeline.lock import warehouse_lock
from ingest.pipeline.ops import OpsLog, jsonable
from ingest.pipeline.progress import Progress

STAGES = ("lastfm", "aoty", "match", "dbt", "gate")


class StageFailed(RuntimeError):
    def __init__(self, stage: str, message: str):
        super().__init__(f"{stage}: {message}")
        self.stage = stage


@dataclass
class RunOptions:
    users: list[str]
    limit: int | None = None  # scrobbles per user: "start with 100 tracks"
    scrape_aoty: bool = True
    publish: bool = True


@dataclass
class StageResult:
    name: str
    status: str  # ok | degraded | failed | skipped
    seconds: float
    metrics: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunResult:
    run_id: str
    status: str  # published | gate_failed | failed
    stages: list[StageResult]
    summary: dict[str, Any]

    @property
    def exit_code(self) -> int:
        return {"published": 0, "built": 0, "gate_failed": 1}.get(self.status, 3)


def _as_dict(obj: Any) -> dict[str, Any]:
    if obj is None:
        return {}
    if dataclasses.is_dataclass(obj):
        return jsonable(dataclasses.asdict(obj))
    if isinstance(obj, dict):
        return obj
    return {"result": str(obj)}


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


class Runner:
    def __init__(self, settings: Settings, options: RunOptions, out: TextIO | None = None):
        self.settings = settings
        self.options = options
        self.out = out or sys.stdout
        self.ops = OpsLog(settings)
        self.run_id = new_run_id()
        self.stages: list[StageResult] = []

    def say(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    def _stage(self, name: str, fn: Callable[[Progress], Any], *, degrade_ok: bool = False) -> StageResult:
        self.say(f"[{name}] started")
        started = datetime.now(timezone.utc).replace(tzinfo=None)
        t0 = time.monotonic()
        progress = Progress(name)
        status = "ok"
        try:
            metrics = _as_dict(fn(progress))
            if metrics.pop("_degraded", False):
                status = "degraded"
        except Exception as exc:  # noqa: BLE001 - recorded, then re-raised or degraded
            progress.close()
            seconds = time.monotonic() - t0
            metrics = {"error": f"{type(exc).__name__}: {exc}"}
            self.ops.stage(self.run_id, name, started, seconds, "failed", metrics)
            if not degrade_ok:
                raise StageFailed(name, str(exc)) from exc
            self.say(f"[{name}] failed, continuing with what is loaded: {exc}")
            result = StageResult(name, "degraded", seconds, metrics)
            self.stages.append(result)
            return result
        progress.close()
        seconds = time.monotonic() - t0
        self.ops.stage(self.run_id, name, started, seconds, status, metrics)
        result = StageResult(name, status, seconds, metrics)
        self.stages.append(result)
        self.say(f"[{name}] {status} in {seconds:.1f}s")
        return result

    # --- stages -------------------------------------------------------------------
    def _lastfm(self, progress: Progress) -> Any:
        from ingest.lastfm import load_lastfm

        return load_lastfm(self.options.users, self.settings, limit=self.options.limit, progress=progress)

    def _aoty(self, progress: Progress) -> Any:
        from ingest.aoty import scrape_aoty

        summary = _as_dict(scrape_aoty(self.settings, progress=progress))
        if summary.get("circuit_open") or summary.get("failures"):
            summary["_degraded"] = bool(summary.get("circuit_open"))
        return summary

    def _match(self, progress: Progress) -> Any:
        from ingest.match.table import write_matches

        return write_matches(self.settings, progress=progress)

    def _dbt(self, progress: Progress) -> Any:
        from ingest.transform import build

        return build(self.settings)

    def _gate(self, progress: Progress) -> Any:
        from ingest.pipeline.publish import audit_and_publish

        return audit_and_publish(self.settings, run_id=self.run_id)

    # --- the run ------------------------------------------------------------------
    def run(self) -> RunResult:
        with warehouse_lock(self.settings):
            self.ops.start_run(self.run_id, self.options.users)
            self.say(f"run {self.run_id}: users {', '.join(self.options.users)} into {self._where()}")
            status = "failed"
            try:
                self._stage("lastfm", self._lastfm)
                if self.options.scrape_aoty:
                    self._stage("aoty", self._aoty, degrade_ok=True)
                self._stage("match", self._match)
                self._stage("dbt", self._dbt)
                if self.options.publish:
                    gate = self._stage("gate", self._gate)
                    status = "published" if gate.metrics.get("published") else "gate_failed"
                else:
                    status = "built"
            except StageFailed as exc:
                self.say(f"run failed in stage {exc}")
                status = "failed"
            except Exception:
                self.say(traceback.format_exc())
                status = "failed"
            summary = self.summary(status)
            self.ops.finish_run(self.run_id, status, summary)
        return RunResult(self.run_id, status, self.stages, summary)

    def _where(self) -> str:
        if self.settings.warehouse == "duckdb":
            return f"duckdb:{self.settings.duckdb_path}"
        parts = self.settings.postgres_parts()
        return f"postgres:{parts['host']}:{parts['port']}/{parts['dbname']}"

    def summary(self, status: str) -> dict[str, Any]:
        summary: dict[str, Any] = {"run_id": self.run_id, "status": status,
                                   "stages": {s.name: {"status": s.status, "seconds": round(s.seconds, 2),
                                                       **s.metrics} for s in self.stages}}
        summary.update(_warehouse_figures(self.settings))
        return summary


def _warehouse_figures(settings: Settings) -> dict[str, Any]:
    """Figures read back from the built tables, so the report matches what is stored."""
    queries = {
        "scrobbles_total": "select count(*) from raw_lastfm.scrobbles",
        "interactions": f"select count(*) from {AUDIT}.user_track_interactions",
        "unmatched_scrobbles": f"select count(*) from {AUDIT}.unmatched_scrobbles",
        "orphan_interactions": (
            f"select count(*) from {AUDIT}.user_track_interactions i "
            f"left join {AUDIT}.tracks t on t.track_sk = i.track_sk where t.track_sk is null"),
    }
    figures: dict[str, Any] = {}
    try:
        conn = connect(settings)
    except Exception:  # noqa: BLE001 - figures are best effort
        return figures
    try:
        cur = conn.cursor()
        for name, sql in queries.items():
            try:
                cur.execute(sql)
                figures[name] = cur.fetchone()[0]
            except Exception:  # noqa: BLE001 - table may not exist yet
                if settings.warehouse == "postgres":
                    conn.rollback()
                figures[name] = None
        try:
            cur.execute("select match_type, confidence, count(*) from raw_matching.track_matches "
                        "group by match_type, confidence order by 1, 2")
            figures["matches_by_type"] = {f"{t}/{c}": n for t, c, n in cur.fetchall()}
        except Exception:  # noqa: BLE001
            if settings.warehouse == "postgres":
                conn.rollback()
    finally:
        conn.close()
    return figures


def format_summary(result: RunResult) -> str:
    s = result.summary
    lines = [f"run {result.run_id}: {result.status}"]
    for st in result.stages:
        keys = ", ".join(f"{k}={v}" for k, v in st.metrics.items() if isinstance(v, (int, float, str, bool))
                         and k not in {"error"})[:300]
        lines.append(f"  {st.name:<7} {st.status:<9} {st.seconds:7.1f}s  {keys}")
        if "error" in st.metrics:
            lines.append(f"          error: {st.metrics['error']}")
    for key in ("scrobbles_total", "interactions", "unmatched_scrobbles", "orphan_interactions"):
        if s.get(key) is not None:
            lines.append(f"  {key.replace('_', ' ')}: {s[key]:,}")
    if s.get("matches_by_type"):
        lines.append("  matches: " + ", ".join(f"{k} {v}" for k, v in s["matches_by_type"].items()))
    return "\n".join(lines)


def run_pipeline(settings: Settings, options: RunOptions, out: TextIO | None = None) -> RunResult:
    return Runner(settings, options, out).run()
