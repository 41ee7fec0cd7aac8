"""One run per warehouse at a time.

DuckDB: an exclusive flock on a file beside the warehouse (the kernel drops it when
the process dies, even on SIGKILL, so a killed run never leaves a stale lock).
PostgreSQL: a session-level advisory lock, likewise dropped with the connection.
"""
from __future__ import annotations

import fcntl
import os
import time
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ingest.config import Settings


class WarehouseBusy(RuntimeError):
    pass


@contextmanager
def warehouse_lock(settings: Settings) -> Iterator[None]:
    if settings.warehouse == "duckdb":
        with _file_lock(settings.duckdb_path.with_name(settings.duckdb_path.name + ".lock")):
            yield
    else:
        with _advisory_lock(settings):
            yield


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "another process"
            raise WarehouseBusy(
                f"the warehouse {path.with_suffix('')} is in use by another run ({holder}); "
                "wait for it to finish, or point DUCKDB_PATH at another file"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the flock


@contextmanager
def _advisory_lock(settings: Settings) -> Iterator[None]:
    import psycopg2

    key = zlib.crc32(b"music-warehouse-run")
    conn = psycopg2.connect(settings.postgres_dsn)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("select pg_try_advisory_lock(%s)", (key,))
            if not cur.fetchone()[0]:
                raise WarehouseBusy(
                    "the PostgreSQL warehouse is in use by another run (advisory lock held); wait for it to finish"
                )
        yield
    finally:
        conn.close()
