"""What a validation run found, as plain dataclasses (JSON-ready, no GX objects)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ExpectationOutcome:
    suite: str
    probe: str
    expectation: str  # GX expectation type, e.g. expect_column_values_to_be_between
    column: str | None
    check: str  # the human sentence (the expectation's notes)
    success: bool
    element_count: int | None = None
    unexpected_count: int | None = None
    samples: list[dict[str, Any]] = field(default_factory=list)  # offending rows, row_key first
    observed: Any = None
    error: str | None = None

    def describe(self) -> str:
        what = f"{self.suite}.{self.probe}: {self.expectation}"
        if self.column:
            what += f"({self.column})"
        what += f" [{self.check}]"
        if self.error:
            return f"{what} could not run: {self.error}"
        counts = ""
        if self.unexpected_count is not None:
            counts = f" {self.unexpected_count} offending row(s)"
            if self.element_count is not None:
                counts += f" of {self.element_count}"
        elif self.observed is not None:
            counts = f" observed {self.observed}"
        return what + counts


@dataclass
class SuiteOutcome:
    name: str
    blocking: bool
    description: str
    expectations: list[ExpectationOutcome] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(e.success for e in self.expectations)

    @property
    def failed(self) -> int:
        return len(self.expectations) - self.passed

    @property
    def success(self) -> bool:
        return self.failed == 0

    @property
    def status(self) -> str:
        if self.success:
            return "pass"
        return "FAIL" if self.blocking else "warn"


@dataclass
class ValidationReport:
    run_id: str
    engine: str
    suites: list[SuiteOutcome]
    seconds: float = 0.0

    @property
    def blocking_success(self) -> bool:
        return all(s.success for s in self.suites if s.blocking)

    def failures(self, *, blocking: bool | None = None) -> list[ExpectationOutcome]:
        return [e for s in self.suites if blocking is None or s.blocking == blocking
                for e in s.expectations if not e.success]
