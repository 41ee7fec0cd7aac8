"""The few SQL fragments that differ between DuckDB and PostgreSQL."""
from __future__ import annotations


def array_length(engine: str, col: str) -> str:
    # A NULL vector has no length; coalesce so the length check reports it as 0.
    if engine == "duckdb":
        # Cast: the column may be a fixed-size FLOAT[128] ARRAY or a LIST.
        return f"coalesce(len(cast({col} as double[])), 0)"
    return f"coalesce(cardinality({col}), 0)"


def l2_norm(engine: str, col: str) -> str:
    if engine == "duckdb":
        return f"sqrt(list_sum(list_transform(cast({col} as double[]), lambda x: x * x)))"
    return f"(select sqrt(sum(x * x)) from unnest({col}) as u(x))"


def age_hours(engine: str, ts: str) -> str:
    """Hours between a timestamp and now."""
    if engine == "duckdb":
        return f"(epoch(now()) - epoch(cast({ts} as timestamptz))) / 3600.0"
    return f"(extract(epoch from now()) - extract(epoch from cast({ts} as timestamptz))) / 3600.0"


def as_text(engine: str, expr: str) -> str:
    return f"cast({expr} as varchar)" if engine == "duckdb" else f"cast({expr} as text)"


def concat_key(engine: str, *exprs: str) -> str:
    return " || '|' || ".join(as_text(engine, e) for e in exprs)
