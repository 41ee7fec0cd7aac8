"""The little that differs between the DuckDB and psycopg2 DB-API connections."""
from __future__ import annotations


def placeholder(conn) -> str:
    return "?" if "duckdb" in type(conn).__module__ else "%s"


def in_list(conn, values) -> tuple[str, list]:
    """`(?, ?, ...)` and its parameters; `(NULL)` for none, which matches nothing."""
    values = list(values)
    if not values:
        return "(NULL)", []
    return "(" + ", ".join([placeholder(conn)] * len(values)) + ")", values


def table_exists(conn, schema: str, table: str) -> bool:
    cur = conn.cursor()
    ph = placeholder(conn)
    cur.execute(f"SELECT 1 FROM information_schema.tables WHERE table_schema = {ph} AND table_name = {ph}",
                [schema, table])
    return cur.fetchone() is not None
