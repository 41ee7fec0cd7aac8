"""Text renderings of a validation report: the failure message and the Markdown summary."""
from __future__ import annotations

import json
from typing import Any

from .results import ExpectationOutcome, ValidationReport


def _sample(row: dict[str, Any]) -> str:
    return json.dumps(row, default=str, ensure_ascii=False)


def failure_lines(failures: list[ExpectationOutcome], *, samples: int = 5) -> list[str]:
    lines: list[str] = []
    for f in failures:
        lines.append(f"  - {f.describe()}")
        for row in f.samples[:samples]:
            lines.append(f"      e.g. {_sample(row)}")
    return lines


def failure_message(report: ValidationReport, *, samples: int = 5) -> str:
    """Why publication was blocked, naming every failed expectation with sample rows."""
    blocking = report.failures(blocking=True)
    if not blocking:
        return ""
    suites = sorted({f.suite for f in blocking})
    lines = [f"publication blocked: {len(blocking)} expectation(s) failed in blocking suite(s) {', '.join(suites)}; "
             "analytics is unchanged. Fix the data (or the model) and re-run."]
    lines += failure_lines(blocking, samples=samples)
    return "\n".join(lines)


def warning_message(report: ValidationReport, *, samples: int = 3) -> str:
    warnings = report.failures(blocking=False)
    if not warnings:
        return ""
    return "\n".join([f"{len(warnings)} warning expectation(s) failed (publication not blocked):"]
                     + failure_lines(warnings, samples=samples))


def markdown_summary(report: ValidationReport, *, published: bool | None = None, docs: str | None = None) -> str:
    lines = [f"# Expectation report: run `{report.run_id}` ({report.engine})", ""]
    if published is not None:
        lines.append(f"**Publication:** {'published to `analytics`' if published else 'BLOCKED (analytics unchanged)'}  ")
    lines.append(f"**Validation time:** {report.seconds:.1f} s  ")
    if docs:
        lines.append(f"**Data Docs:** {docs}  ")
    lines += ["", "| suite | kind | status | passed | failed |", "|---|---|---|---:|---:|"]
    for s in report.suites:
        kind = "blocking" if s.blocking else "warning"
        lines.append(f"| {s.name} | {kind} | {s.status} | {s.passed} | {s.failed} |")
    failures = report.failures()
    if failures:
        lines += ["", "## Failed expectations", ""]
        for f in failures:
            lines.append(f"- {f.describe()}")
            for row in f.samples[:3]:
                lines.append(f"  - e.g. `{_sample(row)}`")
    return "\n".join(lines) + "\n"
