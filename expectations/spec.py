"""The vocabulary of the suites: a probe is one SQL query over the warehouse, and
its expectations are ordinary GX expectations over the probe's rows.

Why probes: GX's SQL path breaks on DuckDB, and whole 1M-row tables should not be
pulled into pandas. A probe pushes the heavy part (joins, aggregates, vector norms)
down into the warehouse and hands GX a narrow result; the same probe runs as a GX
query asset on PostgreSQL and as a dataframe read by the duckdb client on DuckDB.

Every probe selects a text column `row_key` naming the row (a key, or the table for
aggregate probes) so that failures come back with the offending rows identified.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ROW_KEY = "row_key"


@dataclass(frozen=True)
class Probe:
    name: str  # unique within its suite; becomes the GX data asset name
    sql: str  # fully rendered for the engine
    expectations: tuple[Any, ...]  # GX expectation instances, made fresh for each run
    tables: tuple[str, ...] = ()  # schema.table it reads: checked for existence first


@dataclass(frozen=True)
class Suite:
    name: str
    blocking: bool  # a failing blocking suite stops publication; a warning suite only reports
    description: str
    probes: tuple[Probe, ...]


@dataclass(frozen=True)
class GateConfig:
    """Thresholds of the gate. Defaults are the seed world's targets."""

    match_share_floor: float = 0.80  # share of scrobbles matched to an AOTY track or album
    high_confidence_floor: float = 0.60  # share of matched track keys matched with high confidence (warning)
    coverage_floor: float = 0.50  # share of ALL scrobbles reaching a track, AOTY's gaps included (warning)
    min_row_ratio: float = 0.5  # a table shrinking to this share of the last published run or below fails
    max_raw_age_hours: float = 48.0  # freshness of the raw loads
    vector_dim: int = 128
    vector_norm_tolerance: float = 1e-3
    min_decade: int = 1900
    sample_rows: int = 5  # offending rows shown per failed expectation

    @classmethod
    def from_env(cls, env: dict[str, str]) -> "GateConfig":
        """GX_MATCH_SHARE_FLOOR, GX_HIGH_CONFIDENCE_FLOOR, GX_COVERAGE_FLOOR, GX_MIN_ROW_RATIO, GX_MAX_RAW_AGE_HOURS."""
        from ingest.config import ConfigError

        names = {
            "match_share_floor": "GX_MATCH_SHARE_FLOOR",
            "high_confidence_floor": "GX_HIGH_CONFIDENCE_FLOOR",
            "coverage_floor": "GX_COVERAGE_FLOOR",
            "min_row_ratio": "GX_MIN_ROW_RATIO",
            "max_raw_age_hours": "GX_MAX_RAW_AGE_HOURS",
        }
        changes: dict[str, float] = {}
        for attr, var in names.items():
            raw = env.get(var)
            if raw in (None, ""):
                continue
            try:
                changes[attr] = float(raw)
            except ValueError:
                raise ConfigError(f"{var}={raw!r} is not a number; e.g. {getattr(cls(), attr)}") from None
        return cls(**changes)


@dataclass
class SuiteContext:
    """What the suites need to know beyond the warehouse itself."""

    engine: str  # duckdb | postgres
    config: GateConfig = field(default_factory=GateConfig)
    previous_counts: dict[str, int] = field(default_factory=dict)  # table -> rows at the last publication
