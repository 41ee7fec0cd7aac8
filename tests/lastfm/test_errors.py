"""Fatal errors end the CLI with one line naming the user or the key problem, exit code 2 and
nothing written; the API key shows up nowhere: not in logs, tables, files or exception text."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import traceback
from pathlib import Path

import pytest

from ingest.lastfm import LastfmUnavailableError, load_lastfm
from ingest.lastfm.helpers import LastfmClient
from ingest.sandbox.lastfm_server import LastfmFaults

from .conftest import API_KEY, duckdb_settings, fast_client, query, table_exists

REPO = Path(__file__).resolve().parents[2]


def run_cli(server, tmp_path: Path, users: str, key: str = API_KEY, *extra: str, **env: str):
    environ = {
        **os.environ, "LASTFM_API_KEY": key, "LASTFM_BASE_URL": server.base_url, "LASTFM_RPS": "0",
        "WAREHOUSE": "duckdb", "DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"), "DATA_DIR": str(tmp_path),
        "RUNTIME__DLTHUB_TELEMETRY": "false", **env,
    }
    return subprocess.run([sys.executable, "-m", "ingest.lastfm", "--user", users, "--no-tags", *extra],
                          cwd=REPO, env=environ, capture_output=True, text=True, timeout=300)


def assert_nothing_written(tmp_path: Path, server) -> None:
    settings = duckdb_settings(tmp_path, server)
    for table in ("scrobbles", "users", "loved_tracks"):
        assert not table_exists(settings, table) or query(settings, f"select count(*) from raw_lastfm.{table}") == [(0,)]


@pytest.mark.slow
def test_each_fatal_error_is_one_line_exit_2_and_writes_nothing(world, server, tmp_path):
    good, other = list(world.users)
    world.users[other].private = True
    cases = [
        # (users, key, what the line must say)
        ("no_such_user", API_KEY, ["'no_such_user'", "not found", "error 6"]),
        (f"{good},{other}", API_KEY, [f"'{other}'", "private", "error 17"]),
        (good, "wrong-key-0000", ["API key", "invalid", "error 10", "LASTFM_API_KEY"]),
        (good, "suspended-key-0000", ["API key", "suspended", "error 26"]),
        ("bad user!", API_KEY, ["invalid Last.fm username", "'bad user!'"]),
    ]
    for users, key, needles in cases:
        before = server.requests["total"]
        proc = run_cli(server, tmp_path, users, key)
        assert proc.returncode == 2, (users, proc.stderr)
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
        for needle in needles:
            assert needle in lines[0], (needle, lines[0])
        assert key not in proc.stderr + proc.stdout
        assert proc.stdout == ""
        assert_nothing_written(tmp_path, server)
        if users == "bad user!":
            assert server.requests["total"] == before  # rejected before any request

    # After the private user failed mid-run, nothing of that run leaks into the next one.
    world.users[other].private = False
    proc = run_cli(server, tmp_path, good, API_KEY)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Last.fm: ") and len(proc.stdout.strip().splitlines()) == 1
    settings = duckdb_settings(tmp_path, server)
    assert query(settings, "select user_name, count(*) from raw_lastfm.scrobbles group by 1") == [
        (good, world.users[good].playcount)]


def test_key_is_in_no_log_line_table_file_or_exception(world, server, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    server.faults = LastfmFaults(http_500_share=0.3, malformed_share=0.1, seed=5)
    settings = duckdb_settings(tmp_path, server)
    user = list(world.users)[0]
    summary = load_lastfm([user], settings, client=fast_client(server), with_tags=False)
    assert summary.retries > 0  # the retry path (which logs) ran

    log_text = caplog.text
    assert "127.0.0.1" in log_text and "***" in log_text  # urllib3's request lines were logged, redacted
    assert API_KEY not in log_text

    for (table,) in query(settings, "select table_name from information_schema.tables where table_schema = 'raw_lastfm'"):
        assert API_KEY not in repr(query(settings, f'select * from raw_lastfm."{table}"'))
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.name != "warehouse.duckdb":
            assert API_KEY.encode() not in path.read_bytes(), path
    assert API_KEY.encode() not in (tmp_path / "warehouse.duckdb").read_bytes()

    # requests' own exceptions carry the full URL: ours must not
    dead = LastfmClient(API_KEY, "http://127.0.0.1:9/2.0/", 0, max_retries=1, backoff_base=0.01)
    with pytest.raises(LastfmUnavailableError) as info:
        dead.call("user.getInfo", user=user)
    text = "".join(traceback.format_exception(info.value))
    assert "ConnectionError" in text and API_KEY not in text
    assert API_KEY not in repr(dead) and API_KEY not in repr(settings)
