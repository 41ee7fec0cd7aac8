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

    # --- stages: each returns the figures it stores in ops.run_stages ---------------
    def _lastfm(self, progress: Progress) -> dict[str, Any]:
        from ingest.lastfm import load_lastfm

        r = load_lastfm(self.options.users, self.settings, limit=self.options.limit, progress=progress)
        return {"scrobbles": r.total_scrobbles, "scrobbles_by_user": r.scrobbles, "requests": r.requests,
                "retries": r.retries, "requests_per_s": round(r.requests / max(r.seconds, 1e-9), 2),
                "load_ids": r.load_ids}

    def _aoty(self, progress: Progress) -> dict[str, Any]:
        from ingest.aoty import scrape_aoty

        r = scrape_aoty(self.settings, progress=progress, run_id=self.run_id)
        metrics = {k: getattr(r, k) for k in (
            "pairs", "albums_needed", "albums_fresh", "albums_new", "albums_fetched", "albums_from_cache",
            "albums_loaded", "pairs_unresolved", "requests", "cache_hits", "cache_hit_rate",
            "requests_per_new_album", "failures", "parse_errors", "circuit_open", "note")}
        # The site refusing is not fatal: the run goes on with what is loaded, counted.
        metrics["_degraded"] = bool(r.circuit_open)
        return metrics

    def _match(self, progress: Progress) -> dict[str, Any]:
        from ingest.match.table import write_matches

        r = write_matches(self.settings, progress=progress)
        return {"matcher_version": r.matcher_version, "tracks": r.tracks, "catalog_tracks": r.catalog_tracks,
                "counts": r.counts, "tracks_per_s": round(r.tracks_per_s, 1)}

    def _dbt(self, progress: Progress) -> dict[str, Any]:
        from ingest.transform import build

        r = build(self.settings)
        return {"success": r.success, "nodes": len(r.statuses), "passed": r.count("pass"),
                "warned": r.count("warn"), "models": r.count("success"), "dbt_seconds": round(r.elapsed_s, 1)}

    def _gate(self, progress: Progress) -> dict[str, Any]:
        from ingest.pipeline.publish import audit_and_publish

        r = audit_and_publish(self.settings, run_id=self.run_id)
        return {"published": r.published, "message": r.message, "failed_blocking": r.failed_blocking,
                "failed_warning": r.failed_warning, "row_counts": r.row_counts,
                "suites": {name: {k: v for k, v in st.items() if k in ("status", "passed", "failed", "blocking")}
                           for name, st in r.suites.items()},
                "validation_seconds": r.validation_seconds}

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


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def format_summary(result: RunResult) -> str:
    """The end-of-run report: what was loaded, how well it matched, what was published."""
    s = result.summary
    st = {x.name: x for x in result.stages}
    lines = [f"run {result.run_id}: {result.status.upper()}", ""]
    lines.append("  stage    status      seconds")
    for x in result.stages:
        lines.append(f"  {x.name:<8} {x.status:<10} {x.seconds:8.1f}")
        if "error" in x.metrics:
            lines.append(f"           error: {x.metrics['error']}")
    lines.append("")
    if "lastfm" in st and "scrobbles" in st["lastfm"].metrics:
        m = st["lastfm"].metrics
        per_user = ", ".join(f"{u} {n:,}" for u, n in m["scrobbles_by_user"].items())
        lines.append(f"  Last.fm   {m['scrobbles']:,} new scrobbles ({per_user}); {m['requests']:,} requests "
                     f"({m['retries']} retried), {m['requests_per_s']}/s")
    if "aoty" in st and "albums_needed" in st["aoty"].metrics:
        m = st["aoty"].metrics
        failures = ", ".join(f"{k} {v}" for k, v in (m.get("failures") or {}).items()) or "none"
        lines.append(f"  AOTY      {m['albums_needed']:,} albums needed: {m['albums_fresh']:,} fresh in the warehouse, "
                     f"{m['albums_loaded']:,} loaded ({m['albums_fetched']:,} fetched, {m['albums_from_cache']:,} "
                     f"from cache); {m['requests']:,} requests, cache hit rate {100 * m['cache_hit_rate']:.0f}%; "
                     f"failures: {failures}{'; CIRCUIT OPEN' if m['circuit_open'] else ''}")
    if "match" in st and "counts" in st["match"].metrics:
        m = st["match"].metrics
        total = sum(m["counts"].values())
        by_type: dict[str, int] = {}
        for key, n in m["counts"].items():
            by_type[key.split("/")[0]] = by_type.get(key.split("/")[0], 0) + n
        shares = ", ".join(f"{t} {_pct(n, total)}" for t, n in sorted(by_type.items(), key=lambda kv: -kv[1]))
        lines.append(f"  match     {m['tracks']:,} distinct tracks ({m['tracks_per_s']:,.0f}/s): {shares}")
        lines.append("            track_match by confidence: " + ", ".join(
            f"{c} {m['counts'].get('track_match/' + c, 0):,}" for c in ("high", "medium", "low")))
    total = s.get("scrobbles_total")
    if total is not None and s.get("unmatched_scrobbles") is not None:
        lines.append(f"  scrobbles {total:,} in the warehouse; {s['unmatched_scrobbles']:,} unmatched "
                     f"({_pct(s['unmatched_scrobbles'], total)}); {s.get('interactions') or 0:,} interactions; "
                     f"{s.get('orphan_interactions') or 0} orphans")
    if "gate" in st and "published" in st["gate"].metrics:
        m = st["gate"].metrics
        verdict = "PASSED" if m["published"] else "FAILED"
        lines.append(f"  gate      {verdict}; suites: " + ", ".join(
            f"{n} {v.get('status')}" for n, v in m["suites"].items()))
        for failed in m["failed_blocking"]:
            lines.append(f"            blocking: {failed}")
        for warned in m["failed_warning"]:
            lines.append(f"            warning:  {warned}")
        if m["published"]:
            lines.append("  published to analytics: " + ", ".join(f"{t} {n:,}" for t, n in m["row_counts"].items()))
        else:
            lines.append("  analytics left as it was (last good version)")
            if m.get("message"):
                lines.append(m["message"])
    return "\n".join(lines)


def run_pipeline(settings: Settings, options: RunOptions, out: TextIO | None = None) -> RunResult:
    return Runner(settings, options, out).run()
